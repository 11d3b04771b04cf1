"""Tests of the simulator: contract, determinism, truth consistency, exams, errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from mammocalc.errors import ParameterError
from mammocalc.models import Mammogram
from mammocalc.simulate import SCENES, SimulatedImage, demo_exam, simulate_exam, simulate_image
from mammocalc.simulate.anatomy import draw_breast
from mammocalc.simulate.scenes import plan_findings
from mammocalc.simulate.truth import rle_to_mask
from mammocalc.simulate.views import render_view
from mammocalc.vocabulary import Category, Distribution, Laterality, Morphology, View

SMALL = {"spacing_mm": 0.2, "shape_px": (420, 300)}


def test_contract_of_one_image() -> None:
    sim = simulate_image(3, scene="suspicious-cluster", view="MLO", laterality="R", **SMALL)
    mg = sim.mammogram
    assert isinstance(mg, Mammogram)
    assert mg.pixels.dtype == np.float32 and mg.pixels.shape == (420, 300)
    assert mg.pixels.min() >= 0.0 and mg.pixels.max() <= 1.0
    assert mg.spacing_mm == 0.2 and mg.view == View.MLO and mg.laterality == Laterality.RIGHT
    assert mg.identifiers.sop_uid and mg.identifiers.study_uid and not mg.is_film
    assert sim.truth.findings and sim.truth.findings[0].category in (
        Category.SUSPICIOUS_MODERATE,
        Category.SUSPICIOUS_HIGH,
    )
    assert sim.truth.chest_wall == "right"  # right breast: chest wall on the image's right


def test_same_seed_same_image_other_seed_other_image() -> None:
    a = simulate_image(11, scene="grouped", **SMALL)
    b = simulate_image(11, scene="grouped", **SMALL)
    c = simulate_image(12, scene="grouped", **SMALL)
    np.testing.assert_array_equal(a.mammogram.pixels, b.mammogram.pixels)
    assert a.truth == b.truth
    assert not np.array_equal(a.mammogram.pixels, c.mammogram.pixels)


def test_truth_is_consistent_with_the_masks() -> None:
    sim = simulate_image(21, scene="regional", spacing_mm=0.1, shape_px=(900, 700))
    truth = sim.truth
    breast = rle_to_mask(truth.breast_mask_rle, truth.shape_px)
    assert breast.sum() * 0.01 / 100 == pytest.approx(truth.breast_area_cm2, abs=1e-3)
    ids = [c.id for c in truth.calcifications]
    assert len(ids) == len(set(ids))
    for finding in truth.findings:
        assert finding.count == len(finding.calcification_ids)
        assert finding.management == finding.category.management
    for calc in truth.calcifications:
        row, col = (int(round(v)) for v in calc.centroid_px)
        assert breast[row, col], f"calcification {calc.id} lies outside the breast"
        assert calc.centroid_mm == pytest.approx((row * 0.1, col * 0.1), abs=0.06)


def _measured_cnr(
    signal: np.ndarray, residual: np.ndarray, centre: tuple[float, float], breast: np.ndarray
) -> float:
    """Matched-filter CNR measured on the image: template energy over the filter's noise spread.

    ``signal`` is the image with the calcifications minus the same image without them;
    ``residual`` a noise-only image (the truth's CNR is against quantum noise).
    """
    r, c = (int(round(v)) for v in centre)
    template = signal[r - 7 : r + 8, c - 7 : c + 8].astype(np.float64)
    energy = float(np.sum(template**2))
    # the filter's output on calcification-free image around the calcification (within 5 mm)
    null = [
        float(np.sum(template * residual[r + dr - 7 : r + dr + 8, c + dc - 7 : c + dc + 8]))
        for dr in range(-50, 51, 5)
        for dc in range(-50, 51, 5)
        if breast[r + dr, c + dc]
    ]
    return energy / float(np.std(null))


def test_visible_calcifications_stand_above_the_noise() -> None:
    """The truth's CNR (and so ``visible``) matches a matched filter run on the image itself."""
    truth_cnr, measured = [], []
    for seed, scene in ((1, "amorphous"), (2, "punctate"), (3, "amorphous")):
        recipes = SCENES[scene].draw(np.random.default_rng(seed))
        _, plans = plan_findings(recipes, np.random.default_rng([seed, 1]))
        breast = draw_breast(np.random.default_rng([seed, 2]))
        views = [
            render_view(
                breast,
                "a",
                p,
                View.CC,
                Laterality.LEFT,
                0.1,
                (700, 600),
                False,
                np.random.default_rng([seed, 3]),
                noise_rng=np.random.default_rng([seed, noise]),
            )
            for p, noise in ((plans, 4), ([], 4), ([], 5))
        ]
        signal = views[0].pixels - views[1].pixels
        # two calcification-free images differing only in their quantum noise
        residual = (views[1].pixels - views[2].pixels) / np.sqrt(2)
        inner = ndi.binary_erosion(views[1].breast, iterations=10)
        for placed in views[0].calcifications:
            truth_cnr.append(placed.cnr)
            measured.append(_measured_cnr(signal, residual, placed.rendered.centroid_px, inner))
    truth_cnr, measured = np.array(truth_cnr), np.array(measured)
    visible = truth_cnr > 3.0
    assert visible.sum() >= 5 and (~visible).sum() >= 3
    assert np.mean(measured[visible] > 2.5) >= 0.9
    assert np.mean(measured[~visible] < 3.5) >= 0.9
    ratio = np.median(measured / truth_cnr)
    assert 0.6 < ratio < 1.6, f"measured/truth CNR ratio {ratio:.2f}"


def test_exam_has_four_views_and_matching_findings() -> None:
    exam = simulate_exam(8, scene="suspicious-cluster", spacing_mm=0.2)
    assert [(s.truth.laterality.value, s.truth.view.value) for s in exam] == [
        ("L", "CC"),
        ("L", "MLO"),
        ("R", "CC"),
        ("R", "MLO"),
    ]
    assert len({s.mammogram.identifiers.study_uid for s in exam}) == 1
    with_findings = [s for s in exam if s.truth.findings]
    assert len(with_findings) == 2
    cc, mlo = with_findings
    assert cc.truth.laterality == mlo.truth.laterality
    assert cc.truth.findings[0].exam_finding == mlo.truth.findings[0].exam_finding

    def nipple_distance_mm(s: object) -> float:
        truth = s.truth  # type: ignore[attr-defined]
        return abs(truth.findings[0].centroid_px[1] - truth.nipple_px[1]) * truth.spacing_mm

    assert abs(nipple_distance_mm(cc) - nipple_distance_mm(mlo)) < 20.0


def test_demo_exam_holds_each_pathway() -> None:
    exam = demo_exam()
    findings = [f for s in exam for f in s.truth.findings]
    categories = {f.category for f in findings}
    assert categories >= {Category.BENIGN, Category.PROBABLY_BENIGN}
    assert categories & {Category.SUSPICIOUS_MODERATE, Category.SUSPICIOUS_HIGH}
    morphologies = {m for f in findings for m in f.morphology}
    assert {Morphology.VASCULAR, Morphology.COARSE} <= morphologies
    assert all(s.mammogram.spacing_mm == 0.1 for s in exam)


def test_every_scene_renders() -> None:
    assert {
        "normal",
        "suspicious-cluster",
        "benign-macro",
        "probably-benign-group",
        "vascular",
    } <= set(SCENES)
    assert {d.value for d in Distribution} <= set(SCENES)
    covered = {s.morphology for s in SCENES.values() if s.morphology is not None}
    assert covered == set(Morphology)
    for name in SCENES:
        sim = simulate_image(1, scene=name, spacing_mm=0.3, shape_px=(300, 220))
        assert sim.truth.scene == name
        assert (name != "normal") or not sim.truth.calcifications


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"density": "e"}, "density"),
        ({"view": "XX"}, "view"),
        ({"laterality": "B"}, "laterality"),
        ({"scene": "nope"}, "scene"),
        ({"spacing_mm": 5.0}, "spacing_mm"),
        ({"shape_px": (10, 10)}, "shape_px"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], word: str) -> None:
    with pytest.raises(ParameterError, match=word):
        simulate_image(1, **kwargs)  # type: ignore[arg-type]


def test_film_variant_is_8_bit_with_marks_outside_the_breast() -> None:
    sim = simulate_image(4, film=True, scene="grouped", shape_px=(500, 400))
    mg = sim.mammogram
    assert mg.is_film and mg.spacing_mm == 0.2 and sim.truth.is_film
    levels = mg.pixels * 255
    np.testing.assert_allclose(levels, np.rint(levels), atol=1e-3)
    breast = rle_to_mask(sim.truth.breast_mask_rle, sim.truth.shape_px)
    outside = mg.pixels[~breast]
    assert (outside > 0.7).mean() > 0.01, "film edge, label or marker expected outside the breast"
    digital = simulate_image(4, scene="grouped", spacing_mm=0.2, shape_px=(500, 400))
    # film is less contrasty inside the breast than the processed digital image
    assert mg.pixels[breast].std() < digital.mammogram.pixels[breast].std() * 1.5


def test_dose_and_bit_depth() -> None:
    kwargs = {"scene": "normal", "spacing_mm": 0.2, "shape_px": (300, 240)}
    high = simulate_image(9, detector_kerma_ugy=200.0, **kwargs)  # type: ignore[arg-type]
    low = simulate_image(9, detector_kerma_ugy=20.0, **kwargs)  # type: ignore[arg-type]
    deep = simulate_image(9, bits_stored=14, **kwargs)  # type: ignore[arg-type]
    breast = rle_to_mask(high.truth.breast_mask_rle, high.truth.shape_px)

    def fine_noise(pixels: np.ndarray) -> float:
        return float(np.std((pixels - ndi.uniform_filter(pixels, 3))[breast]))

    assert fine_noise(low.mammogram.pixels) > 2 * fine_noise(high.mammogram.pixels)
    assert deep.truth.dose["bits_stored"] == 14
    levels = deep.mammogram.pixels * (2**14 - 1)
    np.testing.assert_allclose(levels, np.rint(levels), atol=1e-2)
    with pytest.raises(ParameterError, match="bits_stored"):
        simulate_image(9, bits_stored=13, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="detector_kerma_ugy"):
        simulate_image(9, detector_kerma_ugy=0.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("direction_deg", "along_rows"), [(0.0, True), (90.0, False)])
def test_patient_motion_smears_calcifications_along_its_direction(
    direction_deg: float, along_rows: bool
) -> None:
    """1.5 mm of motion along the rows (0 degrees) or the columns (90) spreads each calcification
    that way: against the still image (same anatomy and noise) the difference near a bright
    calcification spreads further along the motion than across it. The anatomy is smeared too:
    its smoothed gradient energy falls along the motion against across it. Without motion the
    image is the still one exactly."""
    kwargs = {"spacing_mm": 0.1, "scene": "round", "density": "a", "shape_px": (700, 600)}
    still = simulate_image(4, **kwargs)
    assert np.array_equal(
        simulate_image(4, **kwargs, motion_mm=0.0).mammogram.pixels, still.mammogram.pixels
    )
    moved = simulate_image(4, **kwargs, motion_mm=1.5, motion_deg=direction_deg)
    calc = max(still.truth.calcifications, key=lambda c: c.cnr)
    r, c = (int(round(v)) for v in calc.centroid_px)
    window = (slice(r - 10, r + 11), slice(c - 10, c + 11))
    gained = np.clip(moved.mammogram.pixels[window] - still.mammogram.pixels[window], 0, None)
    dr, dc = np.mgrid[-10:11, -10:11]
    spread_rows = float((gained * dr**2).sum() / gained.sum())
    spread_cols = float((gained * dc**2).sum() / gained.sum())
    assert (spread_rows > 2 * spread_cols) if along_rows else (spread_cols > 2 * spread_rows)
    along_axis = 0 if along_rows else 1
    still_along, still_across = _smoothed_gradient_energy(still, along_axis)
    moved_along, moved_across = _smoothed_gradient_energy(moved, along_axis)
    assert moved_along / moved_across < 0.75 * still_along / still_across
    with pytest.raises(ParameterError, match="motion_mm"):
        simulate_image(4, **kwargs, motion_mm=5.0)


def _smoothed_gradient_energy(sim: SimulatedImage, along_axis: int) -> tuple[float, float]:
    """Mean squared gradient of the image smoothed at 0.3 mm, inside the breast at least 6 mm
    from the skin: along ``along_axis`` and across it."""
    smooth = ndi.gaussian_filter(sim.mammogram.pixels.astype(float), 3.0)
    breast = rle_to_mask(sim.truth.breast_mask_rle, sim.truth.shape_px)
    inside = ndi.binary_erosion(breast, iterations=60)
    along = np.gradient(smooth, axis=along_axis)[inside]
    across = np.gradient(smooth, axis=1 - along_axis)[inside]
    return float((along**2).mean()), float((across**2).mean())
