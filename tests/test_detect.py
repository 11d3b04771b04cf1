"""Detection on small synthetic scenes: specks of known size on a noisy, textured background."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from mammocalc.detect import detect
from mammocalc.errors import ParameterError
from mammocalc.models import BreastMasks, Calcification, Mammogram
from mammocalc.settings import Settings

# These scenes test finding and measuring; the default (screening) threshold is tuned on
# realistic tissue, so the faint specks here are judged at the research operating point.
RESEARCH = Settings.model_validate({"detection_threshold": 0.5})
# Outlining and measuring are judged on every plausible candidate (score threshold 0): the hard
# floors (SNR, CNR) still apply, the learned score does not.
MEASURE = Settings.model_validate({"detection_threshold": 0.0})

# (row_mm, col_mm, diameter_mm, contrast); larger calcifications are thicker, so brighter: the
# detector judges size against contrast (a faint mm-wide blob is glandular tissue)
SPECKS = [
    (8.0, 8.0, 0.3, 0.08),
    (8.0, 16.0, 0.5, 0.06),
    (16.0, 8.0, 0.25, 0.06),
    (20.0, 20.0, 1.5, 0.25),
    (16.0, 18.0, 0.8, 0.12),
]


def scene(
    spacing_mm: float, specks: list[tuple[float, float, float, float]], *, seed: int = 0
) -> tuple[Mammogram, BreastMasks]:
    """A 28 mm square 'breast' with soft texture, quantum-like noise and disc specks."""
    n = int(round(28.0 / spacing_mm))
    rr, cc = np.mgrid[0:n, 0:n] * spacing_mm
    pixels = 0.4 + 0.05 * np.sin(rr / 7.0) * np.cos(cc / 9.0)
    for row, col, diameter, contrast in specks:
        disc = (np.hypot(rr - row, cc - col) <= diameter / 2).astype(float)
        pixels += contrast * ndi.gaussian_filter(disc, 0.04 / spacing_mm)
    noise = np.random.default_rng(seed).normal(0.0, 0.01 * np.sqrt(0.1 / spacing_mm), (n, n))
    pixels = np.clip(pixels + noise * np.sqrt(pixels / 0.4), 0, 1).astype(np.float32)
    breast = np.ones((n, n), bool)
    analysable = np.zeros((n, n), bool)
    margin = int(round(2.0 / spacing_mm))
    analysable[margin:-margin, margin:-margin] = True
    masks = BreastMasks(
        breast, ~breast, ~analysable & breast, analysable, "left", (n / 2, n - 1.0), spacing_mm
    )
    return Mammogram(pixels, spacing_mm), masks


def _nearest(
    calcs: list[Calcification], row_mm: float, col_mm: float
) -> tuple[float, Calcification]:
    distances = [np.hypot(c.centroid_mm[0] - row_mm, c.centroid_mm[1] - col_mm) for c in calcs]
    i = int(np.argmin(distances))
    return distances[i], calcs[i]


@pytest.mark.parametrize("spacing_mm", [0.07, 0.1])
def test_outlines_specks_with_their_size(spacing_mm: float) -> None:
    mammogram, masks = scene(spacing_mm, SPECKS)
    calcs = detect(mammogram, masks, settings=MEASURE)
    for row, col, diameter, _ in SPECKS:
        distance, calc = _nearest(calcs, row, col)
        assert distance < 0.3
        assert calc.diameter_mm == pytest.approx(diameter, abs=max(0.1, 0.2 * diameter))
        assert 0.0 <= calc.score <= 1.0 and calc.cnr > 3
    assert len(calcs) <= len(SPECKS) + 2
    assert [c.id for c in calcs] == list(range(1, len(calcs) + 1))


def test_outline_and_coordinates_are_in_original_pixels() -> None:
    mammogram, masks = scene(0.1, SPECKS[3:4])
    (calc,) = [c for c in detect(mammogram, masks, settings=RESEARCH) if c.diameter_mm > 1.0]
    outline = np.array(calc.outline_px)
    assert np.allclose(outline.mean(axis=0), calc.centroid_px, atol=1.0)
    assert calc.centroid_mm == pytest.approx((20.0, 20.0), abs=0.15)
    assert calc.area_mm2 == pytest.approx(np.pi * 0.75**2, rel=0.2)
    assert calc.shape.circularity > 0.8 and calc.shape.elongation < 1.3


def test_flat_or_empty_breast_gives_nothing() -> None:
    mammogram, masks = scene(0.1, [])
    noise_only = detect(mammogram, masks, settings=RESEARCH)
    assert len(noise_only) <= 3 and all(c.score < 0.8 for c in noise_only)
    flat = Mammogram(np.full((100, 100), 0.3, np.float32), 0.1)
    full = np.ones((100, 100), bool)
    assert detect(flat, BreastMasks(full, ~full, ~full, full, "left", (50.0, 99.0), 0.1)) == []
    assert detect(flat, BreastMasks(full, ~full, ~full, ~full, "left", (50.0, 99.0), 0.1)) == []


@pytest.mark.parametrize("spacing_mm", [0.1])
def test_research_point_finds_the_specks(spacing_mm: float) -> None:
    calcs = detect(*scene(spacing_mm, SPECKS), settings=RESEARCH)
    assert all(_nearest(calcs, r, c)[0] < 0.3 for r, c, _, _ in SPECKS)


@pytest.mark.parametrize(
    "spacing_mm",
    [0.05, 0.07],
)
def test_research_point_finds_clear_specks_at_fine_spacings(spacing_mm: float) -> None:
    calcs = detect(*scene(spacing_mm, SPECKS), settings=RESEARCH)
    assert calcs and all(_nearest(calcs, r, c)[0] < 0.3 for r, c, _, _ in SPECKS)


def test_spacing_invariance() -> None:
    by_spacing = {}
    for spacing_mm in (0.05, 0.1):
        calcs = detect(*scene(spacing_mm, SPECKS, seed=3), settings=MEASURE)
        by_spacing[spacing_mm] = [_nearest(calcs, r, c)[1].diameter_mm for r, c, _, _ in SPECKS]
    assert np.allclose(by_spacing[0.05], by_spacing[0.1], rtol=0.25, atol=0.08)


def test_mask_shape_mismatch_is_a_parameter_error() -> None:
    mammogram, masks = scene(0.1, SPECKS)
    small = BreastMasks(
        masks.breast[:10],
        masks.pectoral[:10],
        masks.skin[:10],
        masks.analysable[:10],
        "left",
        (0.0, 0.0),
        0.1,
    )
    with pytest.raises(ParameterError, match="analysable"):
        detect(mammogram, small)


@pytest.mark.parametrize("spacing_mm", [0.07, 0.1])
def test_a_ring_shaped_speck_has_a_lucent_centre_and_a_solid_one_not(spacing_mm: float) -> None:
    """A 1.2 mm hollow sphere (wall 0.25 mm, a skin calcification) whose bright ring saturates
    the display keeps its centre well below the ring: ``lucent_centre``. A solid ball of the same
    size, equally saturated, has none."""
    mammogram, masks = scene(spacing_mm, [])
    n = mammogram.pixels.shape[0]
    rr, cc = np.mgrid[0:n, 0:n] * spacing_mm
    pixels = mammogram.pixels.astype(float)
    for col, hollow in ((10.0, True), (18.0, False)):
        radius = np.hypot(rr - 14.0, cc - col)
        chord = 2 * np.sqrt(np.clip(0.6**2 - radius**2, 0, None))
        if hollow:
            chord -= 2 * np.sqrt(np.clip(0.35**2 - radius**2, 0, None))
        pixels += ndi.gaussian_filter(np.minimum(0.6, 0.8 * chord), 0.05 / spacing_mm)
    image = Mammogram(np.clip(pixels, 0, 1).astype(np.float32), spacing_mm)
    calcs = detect(image, masks, settings=MEASURE)
    for col, hollow in ((10.0, True), (18.0, False)):
        distance, calc = _nearest(calcs, 14.0, col)
        assert distance < 0.3 and calc.diameter_mm > 0.9
        assert calc.lucent_centre is hollow


@pytest.mark.parametrize("spacing_mm", [0.07, 0.1])
def test_touching_specks_are_outlined_one_by_one(spacing_mm: float) -> None:
    """Two 0.6 mm specks whose blurred edges touch (centres 0.7 mm apart) make one half-maximum
    region, which is cut between their maxima (their neck is the saddle on any path: the ring
    rule keeps them apart too)."""
    specks = [(14.0, 14.0, 0.6, 0.15), (14.0, 14.7, 0.6, 0.15)]
    mammogram, masks = scene(spacing_mm, specks)
    calcs = detect(mammogram, masks, settings=MEASURE)
    for row, col, _, _ in specks:
        distance, calc = _nearest(calcs, row, col)
        assert distance < 0.15 and calc.diameter_mm < 0.8
