"""The synthetic evaluator with a fake simulator and a fake analysis: hand-counted figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from _eval_fakes import finding, image_result
from mammocalc.evaluate.synthetic import (
    evaluate_synthetic,
    score_image,
    summarise,
    visible_clusters,
)
from mammocalc.models import Calcification, ImageResult, Mammogram, Shape
from mammocalc.simulate.truth import SimulatedImage, Truth, TruthCalcification, TruthFinding
from mammocalc.vocabulary import (
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Morphology,
    View,
)

SPACING = 0.1


def _truth_calc(
    ident: int, centre: tuple[float, float], *, visible: bool = True
) -> TruthCalcification:
    r, c = centre
    return TruthCalcification(
        id=ident,
        centroid_px=centre,
        centroid_mm=(r * SPACING, c * SPACING),
        diameter_mm=0.3,
        length_mm=0.3,
        width_mm=0.3,
        area_mm2=0.07,
        thickness_mm=0.3,
        morphology=Morphology.FINE_PLEOMORPHIC,
        visible=visible,
        cnr=5.0,
        contrast=0.05,
        # a 2 x 2 px square around the centre
        outline_px=[(r - 1, c - 1), (r - 1, c + 1), (r + 1, c + 1), (r + 1, c - 1)],
        finding_id="T1",
    )


def _truth(seed: int, spacing_mm: float, density: str, scene: str) -> Truth:
    calcs = [
        _truth_calc(0, (20.0, 20.0)),
        _truth_calc(1, (20.0, 30.0)),
        _truth_calc(2, (30.0, 25.0)),
        _truth_calc(3, (60.0, 60.0), visible=False),
    ]
    cluster = TruthFinding(
        id="T1",
        kind=FindingKind.CLUSTER,
        morphology=[Morphology.FINE_PLEOMORPHIC],
        distribution=Distribution.GROUPED,
        calcification_ids=[0, 1, 2],
        centroid_px=(23.0, 25.0),
        centroid_mm=(2.3, 2.5),
        bbox_px=(19, 19, 31, 31),
        extent_mm=1.2,
        count=3,
        category=Category.SUSPICIOUS_MODERATE,
        management=Category.SUSPICIOUS_MODERATE.management,
        exam_finding="E1",
    )
    return Truth(
        simulator_version="test",
        seed=seed,
        scene=scene,
        laterality=Laterality.LEFT,
        view=View.CC,
        density=density,
        spacing_mm=spacing_mm,
        shape_px=(100, 100),
        is_film=False,
        chest_wall="left",
        nipple_px=(50.0, 99.0),
        breast_area_cm2=0.5,
        breast_mask_rle=[0, 10000],
        calcifications=calcs,
        findings=[cluster],
    )


def _simulate(seed: int, spacing_mm: float, density: str, scene: str, view: str) -> SimulatedImage:
    mammogram = Mammogram(np.zeros((100, 100), np.float32), SPACING)
    return SimulatedImage(mammogram, _truth(seed, spacing_mm, density, scene))


def _calc(ident: int, centre: tuple[float, float], score: float) -> Calcification:
    shape = Shape(
        circularity=1, elongation=1, solidity=1, length_mm=0.3, width_mm=0.3, orientation_deg=0
    )
    return Calcification(
        id=ident,
        centroid_px=centre,
        centroid_mm=(0.0, 0.0),
        area_mm2=0.07,
        diameter_mm=0.3,
        contrast=0.05,
        cnr=5.0,
        shape=shape,
        score=score,
    )


def _analyse(_: Mammogram) -> ImageResult:
    calcs = [
        _calc(0, (20.0, 24.0), 0.9),  # 4 px (<= 0.4 mm) from truth 0: hit
        _calc(1, (21.0, 30.8), 0.8),  # 1.3 px from truth 1 (0.13 mm): hit
        _calc(2, (40.0, 25.0), 0.7),  # 10 px (>= 0.7 mm) from truth 2, outside its outline: FP
        _calc(3, (60.0, 60.5), 0.6),  # invisible truth 3: neither
        _calc(4, (90.0, 90.0), 0.5),  # false positive
    ]
    findings = [
        finding(
            (24.0, 26.0),
            0.9,
            morphology=Morphology.FINE_PLEOMORPHIC,
            distribution=Distribution.GROUPED,
            category=Category.SUSPICIOUS_HIGH,
        ),
        finding((90.0, 90.0), 0.3, morphology=Morphology.PUNCTATE, category=Category.BENIGN),
    ]
    return image_result(findings, spacing_mm=SPACING, calcifications=calcs)


def test_synthetic_figures_by_hand() -> None:
    seen: list[int] = []
    result = evaluate_synthetic(
        4,
        seed=10,
        scenes=["one", "two"],
        analyze_image=_analyse,
        simulate=_simulate,
        on_image=seen.append,
    )
    json.dumps(result)
    assert seen == [10, 11, 12, 13]
    assert result["dataset"] == "synthetic" and result["n_images"] == 4
    # per image: 3 visible, hits at .9 and .8, FPs at .7 and .5, over 0.5 cm^2 of breast
    calc = result["calcification_froc"]
    assert result["n_truth_calcifications"] == 12 and calc["fp_unit"] == "cm2"
    assert calc["sensitivity_at_fp"]["0.4"] == pytest.approx(2 / 3)  # 0 FP
    assert calc["mean_sensitivity"] == pytest.approx(2 / 3)  # no FP rate up to 2/cm^2 adds hits
    assert calc["points"]["fp_rate"][-1] == pytest.approx(8 / 2.0)  # 8 FPs over 2 cm^2
    # clusters: the true one at .9, a false one at .3 on each image
    assert result["n_truth_clusters"] == 4
    assert result["froc"]["sensitivity_at_fp"]["0.1"] == 1.0
    assert result["froc"]["points"]["fp_rate"][-1] == 1.0
    assert result["morphology"]["micro_accuracy"] == 1.0
    assert result["distribution"]["macro_accuracy"] == 1.0
    category = result["category"]
    assert category["agreement"] == 0.0 and category["n_matched"] == 4
    assert category["labels"] == ["4B", "4C"]  # labels present, in order of concern
    assert category["confusion_matrix"] == [[0, 4], [0, 0]]  # rows intended, columns given
    # whole images: the worst finding (4C) against the worst visible truth finding (4B)
    image = result["image_category"]
    assert image["n_images"] == 4 and image["agreement"] == 0.0
    assert image["n_suspicious_images"] == 4 and image["suspicious_not_sent_to_biopsy"] == 0.0
    assert image["n_benign_images"] == 0 and image["benign_sent_to_biopsy"] is None
    assert result["by_spacing"]["0.07"]["image_category"]["n_images"] == 2
    assert set(result["by_spacing"]) == {"0.07", "0.1"}
    assert set(result["by_density"]) == {"a", "b"}
    assert set(result["by_scene"]) == {"one", "two"}
    assert set(result["by_view"]) == {"CC"}  # the fake truth is always CC
    assert result["by_spacing"]["0.07"]["n_images"] == 2
    assert result["auc"] is None


def test_no_findings_gives_null_figures() -> None:
    def nothing(_: Mammogram) -> ImageResult:
        return image_result([], spacing_mm=SPACING)

    result = evaluate_synthetic(1, scenes=["x"], analyze_image=nothing, simulate=_simulate)
    assert result["froc"]["sensitivity_at_fp"]["1"] == 0.0
    assert result["morphology"]["micro_accuracy"] is None
    assert result["category"]["agreement"] is None


def test_visible_cluster_froc_leaves_out_clusters_below_the_noise() -> None:
    truth = _truth(1, SPACING, "a", "x")
    faint = [
        _truth_calc(10, (70.0, 20.0)),
        _truth_calc(11, (70.0, 24.0), visible=False),
        _truth_calc(12, (74.0, 22.0), visible=False),
    ]
    second = truth.findings[0].model_copy(
        update={"id": "T2", "calcification_ids": [10, 11, 12], "centroid_px": (71.0, 22.0)}
    )
    truth = truth.model_copy(
        update={
            "calcifications": [*truth.calcifications, *faint],
            "findings": [*truth.findings, second],
        }
    )
    assert visible_clusters(truth) == {"T1"}
    result = image_result(
        [
            finding((24.0, 26.0), 0.9),  # hits the visible cluster T1
            finding((80.0, 22.0), 0.8),  # hits T2 (one visible member of three) only
            finding((60.0, 23.0), 0.75),  # nearest T2, but within 5 mm of T1 too
            finding((5.0, 95.0), 0.7),  # hits nothing: a false cluster
        ],
        spacing_mm=SPACING,
    )
    scored = score_image(result, truth)
    assert scored.cluster_marks == [(0.9, "1:T1"), (0.8, "1:T2"), (0.75, "1:T2"), (0.7, None)]
    # among the visible clusters, the finding on T2 alone is neither a hit nor a false positive,
    # and the one that also reaches T1 hits T1
    assert scored.visible_cluster_marks == [(0.9, "1:T1"), (0.75, "1:T1"), (0.7, None)]
    figures = summarise([scored])
    assert figures["n_truth_clusters"] == 2 and figures["n_visible_clusters"] == 1
    assert figures["froc"]["points"]["sensitivity"][-1] == 1.0
    shown = figures["visible_cluster_froc"]["points"]
    assert shown["sensitivity"][-1] == 1.0 and shown["fp_rate"][-1] == 1.0


def test_whole_image_categories_count_false_biopsies_and_missed_suspicious_images() -> None:
    """An image's category is its worst finding's against its worst visible truth finding's: a
    false 4B on a normal image sends it to biopsy, a suspicious image with only a benign finding
    is not sent, category 0 is neither, and an invisible cluster intends nothing."""
    suspicious = _truth(1, SPACING, "a", "x")
    normal = suspicious.model_copy(update={"findings": [], "seed": 2})
    invisible = suspicious.model_copy(
        update={
            "seed": 3,
            "calcifications": [
                c.model_copy(update={"visible": False}) for c in suspicious.calcifications
            ],
        }
    )
    false_4b = finding((90.0, 90.0), 0.6, category=Category.SUSPICIOUS_MODERATE)
    benign = finding((24.0, 26.0), 0.9, category=Category.BENIGN)
    magnification = finding((24.0, 26.0), 0.9, category=Category.INCOMPLETE)
    scored = [
        score_image(image_result([false_4b], spacing_mm=SPACING), normal),
        score_image(image_result([], spacing_mm=SPACING), normal),
        score_image(image_result([benign], spacing_mm=SPACING), suspicious),
        score_image(image_result([magnification], spacing_mm=SPACING), suspicious),
        score_image(image_result([], spacing_mm=SPACING), invisible),
    ]
    assert [s.image_category for s in scored] == [
        ("1", "4B"),
        ("1", "1"),
        ("4B", "2"),
        ("4B", "0"),
        ("1", "1"),
    ]
    block = summarise(scored)["image_category"]
    assert block["agreement"] == pytest.approx(2 / 5)
    assert block["n_benign_images"] == 3 and block["benign_sent_to_biopsy"] == pytest.approx(1 / 3)
    assert block["n_suspicious_images"] == 2
    assert block["suspicious_not_sent_to_biopsy"] == pytest.approx(1 / 2)


def test_a_finding_on_an_invisible_cluster_makes_it_intended() -> None:
    """A cluster below the noise that a finding nevertheless found is meant for its category
    too: a correct 4B there is not a benign image sent to biopsy."""
    truth = _truth(4, SPACING, "a", "x")
    faint = truth.model_copy(
        update={
            "calcifications": [
                c.model_copy(update={"visible": False}) for c in truth.calcifications
            ]
        }
    )
    found = finding((24.0, 26.0), 0.9, category=Category.SUSPICIOUS_MODERATE)
    scored = score_image(image_result([found], spacing_mm=SPACING), faint)
    assert scored.image_category == ("4B", "4B")
    assert summarise([scored])["image_category"]["benign_sent_to_biopsy"] is None
