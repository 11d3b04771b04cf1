"""The detector's structure features on synthetic arrays: blobs against lines, junctions, lumps."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from mammocalc._detect_measure import edge_width, structure_at
from mammocalc._detect_scale import Band
from mammocalc._detect_shape import centre_drop, has_lucent_centre
from mammocalc._group_bodies import RING_MIN_DROP
from mammocalc.detect import detect, detect_candidates
from mammocalc.models import BreastMasks, Mammogram

SPACING_MM = 0.1
SIZE_PX = 101
CENTRE = (50, 50)


def _grid() -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.mgrid[0:SIZE_PX, 0:SIZE_PX].astype(float)
    return rows - CENTRE[0], cols - CENTRE[1]


def _disc(diameter_px: float, blur_px: float = 0.5) -> np.ndarray:
    rows, cols = _grid()
    return ndi.gaussian_filter((np.hypot(rows, cols) <= diameter_px / 2).astype(float), blur_px)


def _line(width_px: float, angle_deg: float = 30.0) -> np.ndarray:
    rows, cols = _grid()
    angle = np.radians(angle_deg)
    across = np.abs(-np.sin(angle) * cols + np.cos(angle) * rows)
    return ndi.gaussian_filter((across <= width_px / 2).astype(float), 0.5)


def _lump(sigma_px: float) -> np.ndarray:
    rows, cols = _grid()
    return np.exp(-(rows**2 + cols**2) / (2 * sigma_px**2))


def _band(image: np.ndarray, sigma_px: float) -> Band:
    response = ndi.gaussian_filter(image, sigma_px) - ndi.gaussian_filter(image, 2 * sigma_px)
    return Band(0, sigma_px, response.astype(np.float32), np.array([0.0]), np.array([1e-3]))


@pytest.mark.parametrize("sigma_px", [1.0, 1.5])
def test_blob_is_round_and_alone_a_line_is_neither(sigma_px: float) -> None:
    diameter = 2 * np.sqrt(2) * sigma_px
    blob_round, blob_ring = structure_at(_band(_disc(diameter), sigma_px), *CENTRE)
    line_round, line_ring = structure_at(_band(_line(diameter), sigma_px), *CENTRE)
    assert blob_round > 0.8 and line_round < 0.3
    assert blob_ring < 0.1 and line_ring > 0.5


def test_junction_of_lines_shows_on_the_ring() -> None:
    cross = np.maximum(_line(2.8, 20.0), _line(2.8, 110.0))
    _, ring = structure_at(_band(cross, 1.0), *CENTRE)
    _, alone = structure_at(_band(_disc(2.8), 1.0), *CENTRE)
    assert ring > 0.5 > alone


def test_edge_width_is_the_blur_for_a_disc_and_wide_for_a_lump() -> None:
    disc = _disc(10.0, blur_px=0.7)
    lump = _lump(3.5)
    sharp = edge_width(disc, disc >= 0.5, 1.0, SPACING_MM)
    soft = edge_width(lump, lump >= 0.5, 1.0, SPACING_MM)
    assert 0.05 < sharp < 0.12  # the blur is 0.07 mm; the rim average flattens the peak gradient
    assert soft > 2.0 * sharp


def _scene() -> tuple[Mammogram, BreastMasks]:
    """A calcification-like disc, a thin ligament-like line and a soft lump on noise."""
    n = 300
    rows, cols = np.mgrid[0:n, 0:n].astype(float)
    pixels = np.full((n, n), 0.4)
    pixels += 0.08 * ndi.gaussian_filter((np.hypot(rows - 80, cols - 80) <= 3.0).astype(float), 0.6)
    pixels += 0.05 * ndi.gaussian_filter((np.abs(rows - 0.5 * cols - 150) <= 1.5).astype(float), 1)
    pixels += 0.05 * np.exp(-((rows - 220) ** 2 + (cols - 80) ** 2) / (2 * 4.0**2))
    pixels += np.random.default_rng(3).normal(0, 0.004, (n, n))
    full = np.ones((n, n), bool)
    inner = np.zeros((n, n), bool)
    inner[10:-10, 10:-10] = True
    masks = BreastMasks(full, ~full, full & ~inner, inner, "left", (150.0, n - 1.0), SPACING_MM)
    return Mammogram(pixels.astype(np.float32), SPACING_MM), masks


def _nearest_features(found: list, row: float, col: float) -> dict[str, float]:
    distances = [np.hypot(c.centroid_px[0] - row, c.centroid_px[1] - col) for c, _ in found]
    i = int(np.argmin(distances))
    assert distances[i] < 4
    return found[i][1]


def test_detector_features_separate_blob_line_and_lump() -> None:
    mammogram, masks = _scene()
    found = detect_candidates(mammogram, masks)
    blob = _nearest_features(found, 80, 80)
    lump = _nearest_features(found, 220, 80)
    on_line = [
        f
        for c, f in found
        if abs(c.centroid_px[0] - 0.5 * c.centroid_px[1] - 150) < 3 and 30 < c.centroid_px[1] < 270
    ]
    assert on_line, "the line gave no candidate"
    assert blob["ring_ratio"] < 0.2 < min(f["ring_ratio"] for f in on_line)
    assert blob["blobness"] > max(f["blobness"] for f in on_line)
    assert blob["edge_width_mm"] < 0.5 * lump["edge_width_mm"]


@pytest.mark.xfail(
    strict=True,
    reason="known regression (issue 5): the second stage retrained after the hard-edge band no "
    "longer weighs the ring test much (weight -0.13, was -0.44), so one segment of this long, "
    "straight, perfectly uniform line scores 0.56: under the 0.63 detection threshold (only the "
    "blob is kept), but not under the 0.5 this test asks; the simulator's vessels and ligaments "
    "and mini-MIAS cross-validation did better with it",
)
def test_shipped_model_keeps_the_blob_and_drops_the_line_and_the_lump() -> None:
    mammogram, masks = _scene()
    kept = detect(mammogram, masks)
    assert len(kept) == 1
    assert np.hypot(kept[0].centroid_px[0] - 80, kept[0].centroid_px[1] - 80) < 2
    found = detect_candidates(mammogram, masks)

    def scores_near(row: float, col: float) -> list[float]:
        return [
            c.score
            for c, _ in found
            if np.hypot(c.centroid_px[0] - row, c.centroid_px[1] - col) < 4
        ]

    on_line = [
        c.score
        for c, _ in found
        if abs(c.centroid_px[0] - 0.5 * c.centroid_px[1] - 150) < 3 and 30 < c.centroid_px[1] < 270
    ]
    blob = max(scores_near(80, 80))
    assert blob > 0.8 and max(on_line) < 0.5
    assert max(scores_near(220, 80)) < blob - 0.2  # the lump, and specks of noise on top of it


def test_centre_drop_sees_a_saturated_eggshell_that_the_edge_test_misses() -> None:
    """A 5 mm shell (wall 0.2 mm at 0.1 mm pixels) whose ring saturates: its blurred outer edge
    is about as bright as the centre (two walls face on), so :func:`has_lucent_centre` says no,
    but the centre lies well below the ring; a solid ball's centre does not."""
    rows, cols = np.indices((120, 120))
    radius = np.hypot(rows - 60, cols - 60)
    outer = 2 * np.sqrt(np.clip(25.0**2 - radius**2, 0, None))
    shell = outer - 2 * np.sqrt(np.clip(23.0**2 - radius**2, 0, None))
    for chord, hollow in ((shell, True), (outer, False)):
        pixels = ndi.gaussian_filter(0.3 + np.minimum(0.7, 0.08 * chord), 1.5)
        contrast = float(pixels.max()) - 0.3
        region = ndi.binary_fill_holes(pixels >= 0.3 + 0.5 * contrast)
        drop = centre_drop(pixels, region, contrast)
        assert (drop >= RING_MIN_DROP) is hollow, drop
        assert not has_lucent_centre(pixels, region, contrast)
