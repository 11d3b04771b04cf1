"""Characterisation: morphology calls, descriptor risk, monotonicity, calibration code."""

from __future__ import annotations

import itertools
import json
from importlib import resources

import numpy as np
import pytest

from mammocalc._evidence import evidence_features
from mammocalc._group_features import group_features
from mammocalc._milk import is_teacup
from mammocalc._morphology import (
    MorphologyModel,
    classify_calcification,
    classify_members,
    member_features,
    morphology_calls,
    shipped_morphology_model,
    skin_by_place,
)
from mammocalc._risk import (
    EVIDENCE_LIMIT_LOGIT,
    EVIDENCE_PRIORS,
    FEATURE_NAMES,
    NON_POSITIVE_FEATURES,
    RiskModel,
    descriptor_vector,
    evidence_logit,
    shipped_model,
)
from mammocalc._risk_fit import (
    _non_increasing,
    fit_descriptor_model,
    fit_logistic,
    fit_platt,
    fit_risk_model,
)
from mammocalc.characterise import RiskEstimate, characterise, descriptor_risk
from mammocalc.models import Calcification, Finding, Mammogram, MorphologyCall, Shape
from mammocalc.vocabulary import SUSPICIOUS_MORPHOLOGIES, Distribution, FindingKind, Morphology

IRREGULAR_FORMS = {Morphology.FINE_PLEOMORPHIC}

SPACING_MM = 0.07


def calc(
    i: int,
    row_mm: float,
    col_mm: float,
    *,
    diameter_mm: float = 0.3,
    elongation: float = 1.1,
    circularity: float = 0.9,
    solidity: float = 0.95,
    cnr: float = 8.0,
    lucent: bool = False,
    orientation_deg: float = 0.0,
) -> Calcification:
    """A calcification at (row, col) mm with the given size and shape."""
    width = diameter_mm / np.sqrt(elongation)
    return Calcification(
        id=i,
        centroid_px=(row_mm / SPACING_MM, col_mm / SPACING_MM),
        centroid_mm=(row_mm, col_mm),
        area_mm2=float(np.pi * diameter_mm**2 / 4),
        diameter_mm=diameter_mm,
        contrast=0.1,
        cnr=cnr,
        shape=Shape(
            circularity=circularity,
            elongation=elongation,
            solidity=solidity,
            length_mm=width * elongation,
            width_mm=width,
            orientation_deg=orientation_deg,
        ),
        score=0.9,
        lucent_centre=lucent,
    )


def finding_of(
    members: list[Calcification],
    kind: FindingKind = FindingKind.CLUSTER,
    distribution: Distribution | None = Distribution.GROUPED,
) -> Finding:
    """The finding the grouping stage would make of ``members`` (features from group's code)."""
    features = group_features(
        members, link_mm=5.0, distance_to_skin_mm=20.0, distance_to_nipple_mm=50.0
    )
    rows = [c.centroid_px[0] for c in members]
    cols = [c.centroid_px[1] for c in members]
    return Finding(
        id="L-CC-1",
        image="test",
        kind=kind,
        calcification_ids=[c.id for c in members],
        centroid_px=(float(np.mean(rows)), float(np.mean(cols))),
        centroid_mm=(float(np.mean(rows)) * SPACING_MM, float(np.mean(cols)) * SPACING_MM),
        bbox_px=(int(min(rows)), int(min(cols)), int(max(rows)) + 1, int(max(cols)) + 1),
        extent_mm=features["extent_mm"],
        count=len(members),
        density_per_cm2=features["density_per_cm2"],
        distribution=distribution,
        detection_score=0.9,
        features=features,
    )


def mammogram(spacing_mm: float = SPACING_MM) -> Mammogram:
    return Mammogram(pixels=np.zeros((8, 8), np.float32), spacing_mm=spacing_mm)


def pleomorphic_cluster(n: int = 8, seed: int = 0) -> list[Calcification]:
    """Irregular calcifications of varying size, as the detector measures fine pleomorphic ones
    (< 0.5 mm fragments measure 0.16-0.31 mm; from 0.35 mm they are coarse heterogeneous)."""
    rng = np.random.default_rng(seed)
    return [
        calc(
            i,
            20 + rng.uniform(0, 5),
            30 + rng.uniform(0, 5),
            diameter_mm=float(rng.uniform(0.12, 0.34)),
            circularity=float(rng.uniform(0.4, 0.65)),
            solidity=0.75,
        )
        for i in range(n)
    ]


def linear_branching(start_id: int, n: int) -> list[Calcification]:
    """Thin elongated calcifications along a duct (fine linear branching)."""
    return [
        calc(
            start_id + k,
            20 + 0.6 * k,
            30 + 0.3 * k,
            diameter_mm=0.35,
            elongation=4.0,
            circularity=0.5,
            orientation_deg=60.0,
        )
        for k in range(n)
    ]


# --- single calcification classes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"diameter_mm": 0.3}, Morphology.PUNCTATE),
        ({"diameter_mm": 0.7}, Morphology.ROUND),
        ({"diameter_mm": 0.15, "cnr": 2.5}, Morphology.AMORPHOUS),
        ({"diameter_mm": 0.3, "circularity": 0.5, "solidity": 0.7}, Morphology.FINE_PLEOMORPHIC),
        ({"diameter_mm": 0.8, "circularity": 0.5}, Morphology.COARSE_HETEROGENEOUS),
        ({"diameter_mm": 0.4, "elongation": 4.0}, Morphology.FINE_LINEAR_BRANCHING),
        ({"diameter_mm": 1.6, "elongation": 4.0}, Morphology.LARGE_ROD_LIKE),
        ({"diameter_mm": 3.0}, Morphology.COARSE),
        ({"diameter_mm": 1.5, "circularity": 0.5, "solidity": 0.6}, Morphology.DYSTROPHIC),
        ({"diameter_mm": 2.0, "lucent": True}, Morphology.RIM),
    ],
)
def test_classify_calcification(kwargs: dict[str, float], expected: Morphology) -> None:
    assert classify_calcification(calc(0, 0.0, 0.0, **kwargs)) == expected  # type: ignore[arg-type]


def test_an_elongated_dot_is_irregular_only_when_the_excess_spans_pixels() -> None:
    """Axis ratio 1.6 of a 0.3 mm dot: 2 pixels longer than wide at 0.07 mm (an angular
    fragment), 1.4 at 0.1 mm (a 3 x 4 pixel dot is no shape evidence)."""
    c = calc(0, 0.0, 0.0, diameter_mm=0.3, elongation=1.6, circularity=1.0, solidity=0.9)
    assert classify_calcification(c) == Morphology.FINE_PLEOMORPHIC
    assert classify_calcification(c, spacing_mm=0.07) == Morphology.FINE_PLEOMORPHIC
    assert classify_calcification(c, spacing_mm=0.1) == Morphology.PUNCTATE
    oval = calc(0, 0.0, 0.0, diameter_mm=0.3, elongation=1.3, circularity=1.0, solidity=0.9)
    assert classify_calcification(oval, spacing_mm=0.07) == Morphology.PUNCTATE


def test_irregular_from_the_measured_coarse_heterogeneous_size() -> None:
    """The detector measures angular 0.5-1 mm fragments at 0.3-0.7 mm."""
    small = calc(0, 0.0, 0.0, diameter_mm=0.3, elongation=1.8, circularity=1.0)
    large = calc(0, 0.0, 0.0, diameter_mm=0.4, elongation=1.8, circularity=1.0)
    assert classify_calcification(small, spacing_mm=0.07) == Morphology.FINE_PLEOMORPHIC
    assert classify_calcification(large, spacing_mm=0.07) == Morphology.COARSE_HETEROGENEOUS


def test_a_confident_suspicious_call_leads_a_mixed_cluster() -> None:
    """BI-RADS describes a finding by its most suspicious form: three angular fragments among
    six dots (a third of the group) make fine pleomorphic the leading call; one fragment's call
    does not lead."""
    dots = [calc(i, 20 + 0.5 * i, 30.0, diameter_mm=0.3) for i in range(6)]
    angular = [
        calc(10 + i, 22 + 0.5 * i, 31.0, diameter_mm=0.25, elongation=1.1, solidity=0.7)
        for i in range(3)
    ]
    calls = morphology_calls(dots + angular, FindingKind.CLUSTER, SPACING_MM, model=None)
    assert [c.descriptor for c in calls[:2]] == [Morphology.FINE_PLEOMORPHIC, Morphology.PUNCTATE]
    assert calls[0].confidence >= 0.85 and calls[1].confidence == 1.0
    one = morphology_calls(dots + angular[:1], FindingKind.CLUSTER, SPACING_MM, model=None)
    assert one[0].descriptor == Morphology.PUNCTATE  # one fragment's call does not lead


def test_a_few_angular_outlines_among_many_dots_are_no_irregular_form() -> None:
    """An irregular form is the impression of the group: the same three angular fragments among
    fourteen dots (under a fifth of the group; noise gives a dozen specks a few pixels across that
    many) leave the cluster punctate; fine pleomorphic, scaled to 0, is not reported.
    Fine linear pieces added to it count as suspicious and firm the call again (six of twenty
    members suspicious). Coarse heterogeneous is scaled on a steeper ramp (0.2 -> 0.25): three
    fragments among the dots are no coarse heterogeneous group either, five (a quarter) are."""
    dots = [calc(i, 20 + 0.3 * i, 30.0, diameter_mm=0.3) for i in range(14)]
    angular = [
        calc(20 + i, 22 + 0.5 * i, 31.0, diameter_mm=0.25, elongation=1.1, solidity=0.7)
        for i in range(3)
    ]
    calls = morphology_calls(dots + angular, FindingKind.CLUSTER, SPACING_MM, model=None)
    confidence = {c.descriptor: c.confidence for c in calls}
    assert calls[0].descriptor == Morphology.PUNCTATE
    assert Morphology.FINE_PLEOMORPHIC not in confidence  # scaled to 0: not reported
    lines = [
        calc(40 + i, 24.0, 30 + 0.8 * i, diameter_mm=0.5, elongation=6.0, orientation_deg=90.0)
        for i in range(3)
    ]
    calls = morphology_calls(dots + angular + lines, FindingKind.CLUSTER, SPACING_MM, model=None)
    assert {c.descriptor: c.confidence for c in calls}[Morphology.FINE_PLEOMORPHIC] >= 0.5
    coarse = [
        calc(30 + i, 22 + 0.5 * i, 31.0, diameter_mm=0.8, elongation=1.1, solidity=0.7)
        for i in range(5)
    ]
    calls = morphology_calls(dots + coarse[:3], FindingKind.CLUSTER, SPACING_MM, model=None)
    assert calls[0].descriptor == Morphology.PUNCTATE
    assert Morphology.COARSE_HETEROGENEOUS not in {c.descriptor for c in calls}
    calls = morphology_calls(dots + coarse, FindingKind.CLUSTER, SPACING_MM, model=None)
    assert calls[0] == MorphologyCall(descriptor=Morphology.COARSE_HETEROGENEOUS, confidence=1.0)


def characterise_cluster(members: list[Calcification]) -> Finding:
    """``characterise`` of the cluster the grouping stage would make of ``members``."""
    return characterise(finding_of(members), members, mammogram())


def test_lucent_centred_members_make_a_cluster_dermal() -> None:
    """Three of nine members with lucent centres, or two of eight: a dermal cluster (feature
    ``dermal``), skin called first even though the others look coarse heterogeneous. One such
    member, or two among twenty, is not enough (``DERMAL_MIN_LUCENT``, ``DERMAL_MIN_SHARE``):
    the suspicious form leads."""
    irregular = {"diameter_mm": 0.7, "elongation": 1.8, "solidity": 0.7}
    rings = [calc(i, 10.0 + i, 10.0, diameter_mm=0.9, lucent=True) for i in range(3)]
    others = [calc(10 + i, 10.0 + i, 12.0, **irregular) for i in range(6)]
    calls = morphology_calls(rings + others, FindingKind.CLUSTER, SPACING_MM, model=None)
    assert calls[0].descriptor == Morphology.SKIN
    assert Morphology.COARSE_HETEROGENEOUS in [c.descriptor for c in calls]
    assert characterise_cluster(rings + others).features["dermal"] == 1.0
    assert characterise_cluster(rings[:2] + others[:6]).features["dermal"] == 1.0  # 2 of 8
    many = [calc(20 + i, 15.0 + i % 6, 14.0 + i // 6, **irregular) for i in range(18)]
    for members in (rings[:1] + others, rings[:2] + many):
        calls = morphology_calls(members, FindingKind.CLUSTER, SPACING_MM, model=None)
        assert calls[0].descriptor == Morphology.COARSE_HETEROGENEOUS
        assert characterise_cluster(members).features["dermal"] == 0.0


def test_lucent_centred_near_the_skin_is_skin() -> None:
    c = calc(0, 0.0, 0.0, diameter_mm=1.0, lucent=True)
    assert classify_calcification(c, near_skin=True) == Morphology.SKIN


# --- characterise -----------------------------------------------------------------------------


def test_characterise_returns_a_new_characterised_finding() -> None:
    members = pleomorphic_cluster()
    finding = finding_of(members)
    out = characterise(finding, members, mammogram())
    assert out is not finding and finding.morphology == []
    assert out.morphology and all(0.0 <= c.confidence <= 1.0 for c in out.morphology)
    confidences = [c.confidence for c in out.morphology]
    assert confidences == sorted(confidences, reverse=True)
    assert out.malignancy_probability is not None and out.probability_interval is not None
    low, high = out.probability_interval
    assert low <= out.malignancy_probability <= high
    assert out.category is None
    assert {"descriptor_probability", "evidence_logit", "median_diameter_px"} <= set(out.features)
    assert out.features["n"] == finding.features["n"]


def test_rules_call_a_pleomorphic_cluster_fine_pleomorphic() -> None:
    calls = morphology_calls(pleomorphic_cluster(), FindingKind.CLUSTER, SPACING_MM, model=None)
    assert calls[0].descriptor == Morphology.FINE_PLEOMORPHIC
    assert calls[0].confidence >= 0.5


def test_rules_give_several_descriptors_to_a_mixed_cluster() -> None:
    members = pleomorphic_cluster(6) + linear_branching(100, 4)
    calls = morphology_calls(members, FindingKind.CLUSTER, SPACING_MM, model=None)
    words = {c.descriptor for c in calls}
    assert {Morphology.FINE_PLEOMORPHIC, Morphology.FINE_LINEAR_BRANCHING} <= words


def test_learned_classifier_gives_probabilities_over_its_classes() -> None:
    model = shipped_morphology_model()
    if model is None:
        pytest.skip("weights/morphology.json is not shipped; the rules are used")
    members = pleomorphic_cluster() + linear_branching(100, 3)
    x = np.asarray([member_features(c, SPACING_MM) for c in members])
    p = model.probabilities(x)
    assert p.shape == (len(members), len(model.classes))
    assert np.allclose(p.sum(axis=1), 1.0) and (p >= 0).all()
    labels, certainty = classify_members(members, SPACING_MM, model=model)
    assert set(labels) <= set(model.classes)
    assert all(1.0 / len(model.classes) <= c <= 1.0 for c in certainty)


def test_morphology_model_with_other_features_is_refused() -> None:
    data = {"features": ["x"], "classes": [], "mean": [], "scale": [], "coef": [], "intercept": []}
    with pytest.raises(ValueError, match="train_morphology_model"):
        MorphologyModel.from_json(data)


def base_cluster(kind: str, seed: int) -> list[Calcification]:
    """Eight calcifications of one kind scattered over 5 mm ("mixed": eight dots and three
    angular fragments, a share of suspicious members inside the fine pleomorphic ramp)."""
    if kind == "pleomorphic":
        return pleomorphic_cluster(8, seed)
    rng = np.random.default_rng(seed)
    if kind == "mixed":
        dots = base_cluster("punctate", seed)
        return dots + [
            calc(
                50 + i,
                20 + rng.uniform(0, 5),
                30 + rng.uniform(0, 5),
                diameter_mm=0.25,
                solidity=0.7,
            )
            for i in range(3)
        ]
    size, cnr = {"punctate": (0.3, 8.0), "amorphous": (0.15, 2.5), "round": (0.7, 8.0)}[kind]
    return [
        calc(i, 20 + rng.uniform(0, 5), 30 + rng.uniform(0, 5), diameter_mm=size, cnr=cnr)
        for i in range(8)
    ]


@pytest.mark.parametrize("kind", ["pleomorphic", "punctate", "amorphous", "round", "mixed"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adding_fine_linear_branching_never_lowers_probability(kind: str, seed: int) -> None:
    base = base_cluster(kind, seed)
    previous = characterise(finding_of(base), base, mammogram()).malignancy_probability
    assert previous is not None
    for n_linear in range(1, 10):
        members = base + linear_branching(100, n_linear)
        p = characterise(finding_of(members), members, mammogram()).malignancy_probability
        assert p is not None and p >= previous - 1e-12, n_linear
        previous = p


def test_rules_call_punctate_and_coarse() -> None:
    rng = np.random.default_rng(1)
    members = [calc(i, rng.uniform(0, 4), rng.uniform(0, 4), diameter_mm=0.3) for i in range(6)]
    calls = morphology_calls(members, FindingKind.CLUSTER, SPACING_MM, model=None)
    assert calls[0].descriptor == Morphology.PUNCTATE
    macro = [calc(0, 10.0, 10.0, diameter_mm=3.0)]
    calls = morphology_calls(macro, FindingKind.MACROCALCIFICATION, SPACING_MM, model=None)
    assert calls == [MorphologyCall(descriptor=Morphology.COARSE, confidence=1.0)]


def test_a_macrocalcification_of_small_pieces_is_described_as_a_whole() -> None:
    """Two 0.8 mm pieces the group stage joined into one calcification are one irregular 1.1 mm
    calcification, dystrophic, not the micro words their pieces alone would get (coarse
    heterogeneous); a single smooth piece is round."""
    pieces = [
        calc(0, 10.0, 10.0, diameter_mm=0.8, circularity=0.6),
        calc(1, 10.0, 10.7, diameter_mm=0.8),
    ]
    calls = morphology_calls(pieces, FindingKind.MACROCALCIFICATION, SPACING_MM, model=None)
    assert calls == [MorphologyCall(descriptor=Morphology.DYSTROPHIC, confidence=0.8)]
    smooth = [calc(0, 10.0, 10.0, diameter_mm=0.9)]
    calls = morphology_calls(smooth, FindingKind.MACROCALCIFICATION, SPACING_MM, model=None)
    assert [c.descriptor for c in calls] == [Morphology.ROUND]


def test_round_lobes_of_one_large_macrocalcification_are_popcorn() -> None:
    """Several >= 1 mm round pieces making one calcification over 2 mm are a popcorn clump;
    one round piece of 1.5 mm stays round."""
    lobes = [calc(i, 10.0 + 1.2 * i, 10.0, diameter_mm=1.3) for i in range(3)]
    finding = finding_of(lobes, FindingKind.MACROCALCIFICATION, None)
    assert finding.features["extent_mm"] >= 2.0
    calls = morphology_calls(
        lobes,
        FindingKind.MACROCALCIFICATION,
        SPACING_MM,
        features=finding.features,
        model=None,
    )
    assert calls[0].descriptor == Morphology.COARSE
    one = [calc(0, 10.0, 10.0, diameter_mm=1.5)]
    features = finding_of(one, FindingKind.MACROCALCIFICATION, None).features
    calls = morphology_calls(
        one, FindingKind.MACROCALCIFICATION, SPACING_MM, features=features, model=None
    )
    assert calls[0].descriptor == Morphology.ROUND


def test_one_irregular_coarse_plate_is_dystrophic() -> None:
    """One piece over 2 mm with an irregular outline (solidity under 0.89) is dystrophic,
    "coarse, irregular"; a smooth one stays coarse, and so does a clump of lobes, however
    irregular its lobes (popcorn)."""

    def first_call(pieces: list[Calcification]) -> Morphology:
        features = finding_of(pieces, FindingKind.MACROCALCIFICATION, None).features
        calls = morphology_calls(
            pieces, FindingKind.MACROCALCIFICATION, SPACING_MM, features=features, model=None
        )
        return calls[0].descriptor

    plate = [calc(0, 10.0, 10.0, diameter_mm=2.8, circularity=0.6, solidity=0.85)]
    assert first_call(plate) == Morphology.DYSTROPHIC
    lump = [calc(0, 10.0, 10.0, diameter_mm=2.8, circularity=0.8, solidity=0.93)]
    assert first_call(lump) == Morphology.COARSE
    lobes = [
        calc(i, 10.0 + 2.4 * i, 10.0, diameter_mm=2.2, circularity=0.6, solidity=0.85)
        for i in range(2)
    ]
    assert first_call(lobes) == Morphology.COARSE


def test_vascular_kind_is_called_vascular() -> None:
    members = [calc(i, 10.0 + 2 * i, 10.0, diameter_mm=0.6, elongation=5.0) for i in range(5)]
    out = characterise(
        finding_of(members, FindingKind.VASCULAR, Distribution.LINEAR), members, mammogram()
    )
    assert out.morphology[0].descriptor == Morphology.VASCULAR


def test_coarse_spacing_marks_the_image_unfit() -> None:
    members = pleomorphic_cluster()
    out = characterise(finding_of(members), members, mammogram(spacing_mm=0.2))
    assert out.features["resolution_fit"] == 0.0
    assert out.features["median_diameter_px"] < 2.0
    assert max(c.confidence for c in out.morphology) < 0.5


# --- descriptor risk --------------------------------------------------------------------------


def test_descriptor_risk_follows_the_literature_order() -> None:
    p = {
        m: descriptor_risk([m], Distribution.GROUPED).probability
        for m in (
            Morphology.FINE_LINEAR_BRANCHING,
            Morphology.FINE_PLEOMORPHIC,
            Morphology.AMORPHOUS,
            Morphology.PUNCTATE,
            Morphology.RIM,
        )
    }
    ordered = list(p.values())
    assert ordered == sorted(ordered, reverse=True)
    assert p[Morphology.FINE_LINEAR_BRANCHING] > 0.6
    assert p[Morphology.RIM] < 0.05
    linear = descriptor_risk([Morphology.FINE_PLEOMORPHIC], Distribution.LINEAR).probability
    assert linear > p[Morphology.FINE_PLEOMORPHIC]


def test_descriptor_risk_accepts_strings_and_two_distributions() -> None:
    r = descriptor_risk(["fine pleomorphic"], ["grouped", "linear"])
    assert isinstance(r, RiskEstimate)
    assert r.level == 0.90
    assert r.interval[0] <= r.probability <= r.interval[1]
    assert r.interval[1] - r.interval[0] > 0.0


@pytest.mark.parametrize("distribution", [None, *Distribution])
def test_adding_fine_linear_branching_word_never_lowers_risk(
    distribution: Distribution | None,
) -> None:
    for k in range(3):
        for words in itertools.combinations(list(Morphology), k):
            before = descriptor_risk(list(words), distribution).probability
            after = descriptor_risk(
                [*words, Morphology.FINE_LINEAR_BRANCHING], distribution
            ).probability
            assert after >= before - 1e-12, words


@pytest.mark.parametrize("name", list(EVIDENCE_PRIORS))
def test_evidence_is_monotone_and_bounded(name: str) -> None:
    base = {"n": 8.0, "local_density_per_cm2": 15.0, "size_ratio": 2.5, "n_linear": 1.0}
    base["linear_spread_deg"] = 15.0
    values = np.linspace(0.0, 90.0, 181)
    shifts = [evidence_logit({**base, name: float(v)}) for v in values]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(shifts))
    assert max(shifts) > min(shifts)
    assert all(abs(s) <= EVIDENCE_LIMIT_LOGIT for s in shifts)
    assert evidence_logit(None) == 0.0
    assert evidence_logit(base) == pytest.approx(0.0)


def test_strong_evidence_is_capped() -> None:
    extreme = {k: 1e4 for k in EVIDENCE_PRIORS}
    assert evidence_logit(extreme) == EVIDENCE_LIMIT_LOGIT
    assert evidence_logit({k: 0.0 for k in EVIDENCE_PRIORS}) == -EVIDENCE_LIMIT_LOGIT


def test_evidence_features_never_fall_when_members_are_added() -> None:
    members = pleomorphic_cluster(8) + linear_branching(100, 6)
    previous = evidence_features(members[:1], 0.07)
    for k in range(2, len(members) + 1):
        current = evidence_features(members[:k], 0.07)
        assert all(current[name] >= previous[name] for name in EVIDENCE_PRIORS)
        previous = current


# --- the calibration code ---------------------------------------------------------------------


def test_fit_logistic_recovers_coefficients() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 2))
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 + 1.5 * x[:, 0] - 1.0 * x[:, 1])))).astype(int)
    intercept, coef = fit_logistic(x, y, l2=1e-6)
    assert intercept == pytest.approx(0.5, abs=0.08)
    assert coef == pytest.approx([1.5, -1.0], abs=0.08)


def test_platt_recovers_a_known_miscalibration() -> None:
    rng = np.random.default_rng(1)
    score = rng.normal(0, 2, 20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * score - 0.3)))).astype(int)
    a, b = fit_platt(score, y)
    assert a == pytest.approx(0.5, abs=0.05)
    assert b == pytest.approx(-0.3, abs=0.06)


def test_calibrated_model_is_calibrated_out_of_sample() -> None:
    rng = np.random.default_rng(2)
    n = 4000
    groups = [f"P{i // 2}" for i in range(n)]
    x = np.zeros((n, len(FEATURE_NAMES)))
    x[np.arange(n), rng.integers(0, 6, n)] = 1.0  # one "most suspicious descriptor" each
    truth = np.array([0.9, 0.6, 0.4, 0.3, 0.1, 0.05])
    y = (rng.random(n) < x[:, :6] @ truth).astype(int)
    model = fit_risk_model(x[:3000], y[:3000], groups[:3000], n_bootstrap=20)
    p = 1 / (1 + np.exp(-model.calibrated_logit(x[3000:])))
    for k in range(6):
        rows = x[3000:, k] == 1
        assert p[rows].mean() == pytest.approx(y[3000:][rows].mean(), abs=0.08)
    assert model.bootstrap.shape == (20, len(FEATURE_NAMES) + 1)


def _ductal_rows(malignant_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Punctate or fine linear calcifications, grouped or linear, 10% to 80% malignant; the
    punctate linear ones ``malignant_share``."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    cases = [
        (Morphology.PUNCTATE, Distribution.GROUPED, 0.1),
        (Morphology.PUNCTATE, Distribution.LINEAR, malignant_share),
        (Morphology.FINE_LINEAR_BRANCHING, Distribution.GROUPED, 0.6),
        (Morphology.FINE_LINEAR_BRANCHING, Distribution.LINEAR, 0.8),
    ]
    for morphology, distribution, share in cases:
        for _ in range(600):
            rows.append(descriptor_vector([morphology], [distribution]))
            labels.append(int(rng.random() < share))
    return np.asarray(rows), np.asarray(labels)


def test_the_ductal_round_or_punctate_term_learns_a_benign_linear_punctate_group() -> None:
    """Where punctate linear groups are rarely malignant, the interaction lowers them below
    what the additive linear term alone would give."""
    x, y = _ductal_rows(0.05, seed=3)
    _, coef = fit_descriptor_model(x, y, l2=1.0)
    assert coef[FEATURE_NAMES.index("ductal_round_or_punctate")] < -0.5


def test_the_ductal_round_or_punctate_term_is_held_at_or_below_zero() -> None:
    """Where punctate linear groups are more often malignant than the additive terms say, the
    interaction stays at 0: a firmer suspicious call must never lower the probability."""
    x, y = _ductal_rows(0.9, seed=4)
    unconstrained = fit_logistic(x, y, l2=1.0)[1]
    assert unconstrained[FEATURE_NAMES.index("ductal_round_or_punctate")] > 0.0
    _, coef = fit_descriptor_model(x, y, l2=1.0)
    assert coef[FEATURE_NAMES.index("ductal_round_or_punctate")] == 0.0
    model = shipped_model()
    for name in NON_POSITIVE_FEATURES:
        column = FEATURE_NAMES.index(name)
        assert model.coef[column] <= 0.0
        assert (model.bootstrap[:, 1 + column] <= 0.0).all()  # the interval's refits too


def test_punctate_along_a_duct_stays_below_grouped_amorphous() -> None:
    """With the interaction, punctate linear or segmental calcifications read less suspicious
    than a group of amorphous ones (without it, punctate linear read 0.43 against 0.32), and
    still below amorphous or fine linear ones along the same duct."""
    grouped_amorphous = descriptor_risk([Morphology.AMORPHOUS], Distribution.GROUPED).probability
    for distribution in (Distribution.LINEAR, Distribution.SEGMENTAL):
        punctate = descriptor_risk([Morphology.PUNCTATE], distribution).probability
        amorphous = descriptor_risk([Morphology.AMORPHOUS], distribution).probability
        casting = descriptor_risk([Morphology.FINE_LINEAR_BRANCHING], distribution).probability
        assert punctate < grouped_amorphous
        assert punctate < amorphous < casting


def test_pool_adjacent_violators() -> None:
    out = _non_increasing(np.array([3.0, 1.0, 2.0, 0.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert out.tolist() == [3.0, 1.5, 1.5, 0.0]


def test_the_floored_order_is_the_best_bounded_fit() -> None:
    """Amorphous fitted below 0 and punctate at 0: the bounded fit lifts amorphous to 0 and
    leaves punctate at 0 (pooling first, then clipping, would leave punctate at -0.05), and no
    feasible point fits better."""
    values = np.array([1.8, 0.9, 0.6, -0.1, 0.0, -0.2])
    weights = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0])
    out = _non_increasing(values, weights, floor_count=4)
    assert out == pytest.approx([1.8, 0.9, 0.6, 0.0, 0.0, -0.2], abs=1e-9)
    rng = np.random.default_rng(7)
    for _ in range(200):
        values = rng.normal(0.0, 1.0, 6)
        best = _non_increasing(values, weights, floor_count=4)
        assert (np.diff(best) <= 1e-9).all() and (best[:4] >= -1e-9).all()
        other = np.minimum.accumulate(np.maximum(rng.normal(0.0, 1.5, 6), [0, 0, 0, 0, -9, -9]))
        assert weights @ (best - values) ** 2 <= weights @ (other - values) ** 2 + 1e-9


def test_shipped_model_round_trips_and_records_its_command() -> None:
    model = shipped_model()
    data = json.loads(
        resources.files("mammocalc").joinpath("weights/risk_descriptor.json").read_text()
    )
    assert "scripts/train_risk_model.py" in data["metadata"]["command"]
    again = RiskModel.from_json(model.to_json())
    assert np.allclose(again.coef, model.coef)
    assert again.bootstrap.shape == model.bootstrap.shape and len(model.bootstrap) >= 100


def random_morphology_model(seed: int) -> MorphologyModel:
    """A learned classifier with random coefficients over a few classes (any model will do)."""
    rng = np.random.default_rng(seed)
    classes = (
        Morphology.AMORPHOUS,
        Morphology.PUNCTATE,
        Morphology.FINE_PLEOMORPHIC,
        Morphology.FINE_LINEAR_BRANCHING,
        Morphology.ROUND,
    )
    n_features = len(member_features(calc(0, 0.0, 0.0), SPACING_MM))
    return MorphologyModel(
        classes=classes,
        mean=np.zeros(n_features),
        scale=np.ones(n_features),
        coef=rng.normal(0.0, 2.0, (len(classes), n_features)),
        intercept=rng.normal(0.0, 1.0, len(classes)),
    )


@pytest.mark.parametrize("model_seed", [None, 0, 1, 2, 3])
def test_adding_calcifications_never_lowers_a_cluster_calls_confidence(
    model_seed: int | None,
) -> None:
    """A call never falls when a calcification joins the cluster, with two exceptions: a call
    one calcification makes (at most 1/3) may give way to others, and fine pleomorphic (the
    group's impression) may weaken when a member of a form that is not suspicious joins."""
    model = None if model_seed is None else random_morphology_model(model_seed)
    rng = np.random.default_rng(7)
    members = pleomorphic_cluster(6, seed=3) + linear_branching(100, 5)
    members += [
        calc(200 + i, 22.0, 31.0, diameter_mm=float(rng.uniform(0.1, 0.6))) for i in range(5)
    ]
    classes, _ = classify_members(members, SPACING_MM, model=model)
    order = rng.permutation(len(members))
    previous: dict[Morphology, float] = {}
    for k in range(2, len(members) + 1):
        subset = [members[i] for i in order[:k]]
        calls = morphology_calls(subset, FindingKind.CLUSTER, SPACING_MM, model=model)
        current = {c.descriptor: c.confidence for c in calls}
        suspicious = classes[order[k - 1]] in SUSPICIOUS_MORPHOLOGIES
        for word, before in previous.items():
            if word in IRREGULAR_FORMS and not suspicious:
                continue
            assert current.get(word, 0.0) >= before - 1e-9 or before <= 1 / 3 + 1e-9, word
        previous = current


@pytest.mark.parametrize(
    "distribution", [None, Distribution.GROUPED, Distribution.LINEAR, Distribution.SEGMENTAL]
)
def test_firmer_suspicious_calls_never_lower_the_probability(
    distribution: Distribution | None,
) -> None:
    """Raising the presence of any descriptor with a non-negative coefficient raises p."""
    coef = dict(zip(shipped_model().feature_names, shipped_model().coef, strict=True))
    assert coef["worst:FINE_LINEAR_BRANCHING"] >= coef["worst:FINE_PLEOMORPHIC"] >= 0.0
    assert coef["benign_descriptor_only"] <= 0.0  # so a firmer suspicious call also lifts it
    rng = np.random.default_rng(0)
    words = list(Morphology)
    for _ in range(300):
        chosen = rng.choice(len(words), size=int(rng.integers(1, 4)), replace=False)
        presence = {words[i]: float(rng.uniform(0, 1)) for i in chosen}
        before = descriptor_risk(presence, distribution).probability
        for word in (
            Morphology.FINE_LINEAR_BRANCHING,
            Morphology.FINE_PLEOMORPHIC,
            Morphology.AMORPHOUS,  # firmer than punctate: the ductal interaction's step
        ):
            firmer = {**presence, word: min(1.0, presence.get(word, 0.0) + 0.3)}
            assert descriptor_risk(firmer, distribution).probability >= before - 1e-12


@pytest.mark.parametrize("distribution", [None, Distribution.GROUPED, Distribution.SEGMENTAL])
def test_firmer_suspicious_calls_never_lower_the_interval(
    distribution: Distribution | None,
) -> None:
    """Each bootstrap refit is monotone too, so neither end of the interval falls when a
    suspicious call firms up (amorphous was below "not described" in 14% of the refits)."""
    boot = shipped_model().bootstrap
    for word in SUSPICIOUS_MORPHOLOGIES:
        assert (boot[:, 1 + FEATURE_NAMES.index(f"worst:{word.name}")] >= 0.0).all(), word
    for word in SUSPICIOUS_MORPHOLOGIES:
        for context in ({}, {Morphology.PUNCTATE: 0.6}, {Morphology.COARSE: 1.0}):
            ends = [
                descriptor_risk({**context, word: p}, distribution).interval
                for p in np.linspace(0.0, 1.0, 11)
            ]
            for before, after in itertools.pairwise(ends):
                assert after[0] >= before[0] - 1e-12 and after[1] >= before[1] - 1e-12, word


def test_suspicious_words_are_held_at_or_above_the_intercept() -> None:
    """Data where amorphous groups are rarer malignant than undescribed ones: the fit holds
    amorphous at 0, not below (a firmer amorphous call must not lower the probability)."""
    rng = np.random.default_rng(5)
    rows, labels = [], []
    for words, share in (([Morphology.AMORPHOUS], 0.05), ([], 0.4), ([Morphology.PUNCTATE], 0.02)):
        for _ in range(500):
            rows.append(descriptor_vector(words, [Distribution.GROUPED]))
            labels.append(int(rng.random() < share))
    x, y = np.asarray(rows), np.asarray(labels)
    unconstrained = fit_logistic(x, y, l2=1.0)[1]
    assert unconstrained[FEATURE_NAMES.index("worst:AMORPHOUS")] < 0.0
    _, coef = fit_descriptor_model(x, y, l2=1.0)
    assert coef[FEATURE_NAMES.index("worst:AMORPHOUS")] == pytest.approx(0.0, abs=1e-12)
    assert coef[FEATURE_NAMES.index("worst:PUNCTATE")] <= 0.0


def test_a_benign_form_is_held_at_or_below_zero() -> None:
    """Data where coarse calcifications are often malignant: "benign descriptor only" shrinks as a
    suspicious call firms up, so it is held at 0 rather than fitted positive."""
    rng = np.random.default_rng(6)
    rows, labels = [], []
    for words, share in (([Morphology.COARSE], 0.9), ([Morphology.PUNCTATE], 0.1)):
        for _ in range(500):
            rows.append(descriptor_vector(words, [Distribution.GROUPED]))
            labels.append(int(rng.random() < share))
    x, y = np.asarray(rows), np.asarray(labels)
    column = FEATURE_NAMES.index("benign_descriptor_only")
    assert fit_logistic(x, y, l2=1.0)[1][column] > 0.0
    assert fit_descriptor_model(x, y, l2=1.0)[1][column] == 0.0


def test_a_benign_form_beside_a_suspicious_one_does_not_lower_the_probability() -> None:
    """The most suspicious form decides: a coarse calcification beside fine linear ones."""
    alone = descriptor_risk([Morphology.FINE_LINEAR_BRANCHING], Distribution.GROUPED)
    mixed = descriptor_risk(
        [Morphology.FINE_LINEAR_BRANCHING, Morphology.COARSE], Distribution.GROUPED
    )
    assert mixed.probability == pytest.approx(alone.probability)
    benign = descriptor_risk([Morphology.PUNCTATE, Morphology.RIM], Distribution.GROUPED)
    assert benign.probability < descriptor_risk([Morphology.PUNCTATE], "grouped").probability


def test_presence_one_reproduces_the_word_encoding() -> None:
    words = [Morphology.AMORPHOUS, Morphology.RIM]
    by_words = descriptor_risk(words, Distribution.GROUPED).probability
    by_presence = descriptor_risk(dict.fromkeys(words, 1.0), Distribution.GROUPED).probability
    assert by_presence == pytest.approx(by_words)


def test_unresolved_specks_are_no_linear_evidence() -> None:
    """A 1 x 3 pixel outline is elongated by pixelation alone: no evidence of a casting."""
    speck = calc(1, 20, 30, diameter_mm=0.18, elongation=3.0, circularity=1.0)
    resolved = calc(2, 21, 30, diameter_mm=0.35, elongation=4.0, circularity=0.5)
    assert evidence_features([speck], 0.1)["n_linear"] == 0.0
    assert evidence_features([speck, resolved], 0.1)["n_linear"] == 1.0
    assert evidence_features([speck], 0.05)["n_linear"] == 1.0  # 3.6 px across: resolved


def test_macrocalcification_bodies_are_called_from_the_body() -> None:
    """The group stage's body features decide: hollow -> rim (skin near the skin line), with
    suture as a second word when the ring is an open loop; small pieces of a large body ->
    coarse."""
    pieces = [calc(i, 20, 30 + 0.5 * i, diameter_mm=0.3) for i in range(3)]
    kind = FindingKind.MACROCALCIFICATION
    hollow = {"lucent_centre": 1.0, "body_diameter_mm": 5.0, "distance_to_skin_mm": 20.0}
    assert morphology_calls(pieces, kind, 0.1, features=hollow)[0].descriptor is Morphology.RIM
    dermal = {**hollow, "distance_to_skin_mm": 1.0}
    assert morphology_calls(pieces, kind, 0.1, features=dermal)[0].descriptor is Morphology.SKIN
    # the breast mask's edge can lie 1-2 mm inside the skin: 4.5 mm from it is still the skin
    edge = {**hollow, "distance_to_skin_mm": 4.5}
    assert morphology_calls(pieces, kind, 0.1, features=edge)[0].descriptor is Morphology.SKIN
    deeper = {**hollow, "distance_to_skin_mm": 6.0}
    assert morphology_calls(pieces, kind, 0.1, features=deeper)[0].descriptor is Morphology.RIM
    loop = {**hollow, "open_loop": 1.0}
    words = [c.descriptor for c in morphology_calls(pieces, kind, 0.1, features=loop)]
    assert words == [Morphology.RIM, Morphology.SUTURE]  # the commoner eggshell first
    knotted = {**loop, "strand_across": 1.0}  # a strand across the loop: a knotted thread
    calls = morphology_calls(pieces, kind, 0.1, features=knotted)
    assert [c.descriptor for c in calls] == [Morphology.SUTURE, Morphology.RIM]
    assert calls[0].confidence > calls[1].confidence
    solid = {"lucent_centre": 0.0, "body_diameter_mm": 4.0, "distance_to_skin_mm": 20.0}
    assert morphology_calls(pieces, kind, 0.1, features=solid)[0].descriptor is Morphology.COARSE


def test_a_small_coarse_round_or_dystrophic_macrocalcification_at_the_skin_is_skin_first() -> None:
    """By its place: skin first (confidence 0.6), the shape's call kept second; not deeper than
    5 mm, not over 5 mm long, not for a form the shape ties down (rod-like) or a cluster."""
    kind = FindingKind.MACROCALCIFICATION
    near = {"distance_to_skin_mm": 3.0, "extent_mm": 2.5}
    for form in (Morphology.COARSE, Morphology.ROUND, Morphology.DYSTROPHIC):
        shape = [MorphologyCall(descriptor=form, confidence=1.0)]
        calls, by_place = skin_by_place(shape, kind, near)
        assert by_place and calls == [
            MorphologyCall(descriptor=Morphology.SKIN, confidence=0.6),
            *shape,
        ]
        for far in ({"distance_to_skin_mm": 6.0}, {"extent_mm": 8.0}):
            assert skin_by_place(shape, kind, {**near, **far}) == (shape, False)
        assert skin_by_place(shape, FindingKind.CLUSTER, near) == (shape, False)
    rod = [MorphologyCall(descriptor=Morphology.LARGE_ROD_LIKE, confidence=1.0)]
    assert skin_by_place(rod, kind, near) == (rod, False)
    assert skin_by_place([], kind, near) == ([], False)
    # a skin call the lucent pieces already made moves to the front, once, with its confidence
    both = [
        MorphologyCall(descriptor=Morphology.COARSE, confidence=1.0),
        MorphologyCall(descriptor=Morphology.SKIN, confidence=0.9),
    ]
    calls, _ = skin_by_place(both, kind, near)
    assert [(c.descriptor, c.confidence) for c in calls] == [
        (Morphology.SKIN, 0.9),
        (Morphology.COARSE, 1.0),
    ]


def test_characterise_records_a_skin_call_made_by_place() -> None:
    one = [calc(0, 10.0, 10.0, diameter_mm=3.0)]
    grouped = finding_of(one, FindingKind.MACROCALCIFICATION, None)
    mammogram = Mammogram(np.zeros((300, 300), np.float32), SPACING_MM)
    at_skin = grouped.model_copy(
        update={"features": {**grouped.features, "distance_to_skin_mm": 2.0}}
    )
    out = characterise(at_skin, one, mammogram)
    assert out.morphology[0].descriptor is Morphology.SKIN
    assert out.features["skin_by_place"] == 1.0
    deep = grouped.model_copy(
        update={"features": {**grouped.features, "distance_to_skin_mm": 30.0}}
    )
    out = characterise(deep, one, mammogram)
    assert out.morphology[0].descriptor is Morphology.COARSE
    assert out.features["skin_by_place"] == 0.0


def test_specks_too_small_to_show_a_shape_do_not_firm_a_call() -> None:
    """One resolved linear calcification and two 1.7-pixel specks that measure elongated: the
    specks cannot show a shape (weight 0), so the call rests on one member (1/3, ignored by the
    risk), not on three (1.0, which made punctate groups 4B-4C on simulator images)."""
    punctate = [calc(i, 20, 30 + 0.8 * i, diameter_mm=0.3, elongation=1.0) for i in range(6)]
    rod = calc(10, 21, 30, diameter_mm=0.45, elongation=3.0, circularity=0.6)
    specks = [calc(11 + i, 22, 31 + i, diameter_mm=0.12, elongation=2.8) for i in range(2)]
    calls = morphology_calls([*punctate, rod, *specks], FindingKind.CLUSTER, SPACING_MM)
    linear = {c.descriptor: c.confidence for c in calls}[Morphology.FINE_LINEAR_BRANCHING]
    assert linear == pytest.approx(1 / 3, abs=1e-3)
    resolved = [calc(11 + i, 22, 31 + i, diameter_mm=0.45, elongation=3.0) for i in range(2)]
    calls = morphology_calls([*punctate, rod, *resolved], FindingKind.CLUSTER, SPACING_MM)
    assert {c.descriptor: c.confidence for c in calls}[Morphology.FINE_LINEAR_BRANCHING] > 0.9


def _crescent(i: int, *, upside_down: bool = False, turned: bool = False) -> Calcification:
    """A 3 mm wide, 1.4 mm tall sediment crescent: flat top, round bottom (0.07 mm pixels)."""
    angles = np.linspace(0.0, np.pi, 12)
    rows = 20.0 * np.sin(angles) * (-1.0 if upside_down else 1.0)  # bowl below the flat top
    cols = 21.0 * np.cos(angles)
    outline = [(500.0 + r, 500.0 + c) for r, c in zip(rows, cols, strict=True)]
    if turned:
        outline = [(500.0 + (c - 500.0), 500.0 + (r - 500.0)) for r, c in outline]
    c = calc(i, 35.0, 35.0, diameter_mm=1.6, elongation=2.2, orientation_deg=0 if turned else 90)
    return c.model_copy(update={"outline_px": outline})


def test_a_flat_topped_horizontal_crescent_on_a_lateral_view_is_milk_of_calcium() -> None:
    """Sediment seen from the side is a teacup: widest at its flat top, narrowing downwards. On a
    lateral view it is milk of calcium; on a CC view, turned on end, or upside down it is not."""
    assert is_teacup(_crescent(1))
    assert not is_teacup(_crescent(1, upside_down=True))
    assert not is_teacup(_crescent(1, turned=True))
    # horizontal, but too round (aspect 1) or too long (a rod, aspect 6) for a crescent
    level = calc(2, 35.0, 35.0, diameter_mm=1.6, orientation_deg=90.0)
    assert not is_teacup(level.model_copy(update={"outline_px": _circle(500, 500, 11)}))
    rod = [(500.0 + r, 500.0 + c) for r, c in [(0, -30), (0, 30), (5, 30), (10, 0), (5, -30)]]
    assert not is_teacup(level.model_copy(update={"outline_px": rod}))
    kind = FindingKind.MACROCALCIFICATION
    cups = [_crescent(1), _crescent(2)]
    lateral = morphology_calls(cups, kind, SPACING_MM, lateral=True)
    assert lateral[0].descriptor is Morphology.MILK_OF_CALCIUM
    cc = morphology_calls(cups, kind, SPACING_MM, lateral=False)
    assert Morphology.MILK_OF_CALCIUM not in {c.descriptor for c in cc}


def _circle(row: float, col: float, radius: float) -> list[tuple[float, float]]:
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    return [(row + radius * np.sin(a), col + radius * np.cos(a)) for a in angles]
