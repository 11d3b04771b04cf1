"""Metrics against small cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mammocalc.errors import ParameterError
from mammocalc.evaluate.froc import froc
from mammocalc.evaluate.metrics import (
    bootstrap_ci,
    brier_score,
    confusion_matrix,
    expected_calibration_error,
    quadratic_weighted_kappa,
    reliability_curve,
    roc_auc,
    roc_curve,
)


def test_auc_counts_pairs_and_half_ties() -> None:
    # positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3/4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # one tie (0.5 vs 0.5) counts 1/2: pairs (1 vs 0.5)=1, (1 vs 0)=1, (0.5 vs 0.5)=.5, (0.5 vs 0)=1
    assert roc_auc([1, 1, 0, 0], [1.0, 0.5, 0.5, 0.0]) == pytest.approx(3.5 / 4)
    assert roc_auc([1, 0], [0.0, 1.0]) == 0.0
    assert roc_auc([1, 1, 0], [2, 2, 2]) == 0.5


def test_auc_equals_trapezoid_of_roc_curve() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.normal(size=60) + y, 1)  # rounding makes ties
    curve = roc_curve(y, s)
    assert curve["fpr"][0] == 0.0 and curve["tpr"][-1] == 1.0
    assert roc_auc(y, s) == pytest.approx(np.trapezoid(curve["tpr"], curve["fpr"]))


def test_auc_needs_both_classes() -> None:
    with pytest.raises(ParameterError, match="both classes"):
        roc_auc([1, 1], [0.2, 0.3])
    with pytest.raises(ParameterError, match="0 and 1"):
        roc_auc([0, 2], [0.2, 0.3])


def test_bootstrap_interval_contains_estimate_and_is_reproducible() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = y + rng.normal(size=200)
    low, high = bootstrap_ci(y, s, roc_auc, n=300, seed=3)
    assert low < roc_auc(y, s) < high
    assert (low, high) == bootstrap_ci(y, s, roc_auc, n=300, seed=3)


def test_bootstrap_resamples_whole_groups() -> None:
    # every group holds identical rows; resampling groups keeps rows of a group together, so each
    # resample's mean is a mean of 4 group values: with groups {0, 1, 2, 3} -> values 0, 0, 1, 1
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1] * 2)
    s = y.astype(float)
    groups = [0, 0, 1, 1, 2, 2, 3, 3] * 2
    seen = set()

    def mean_score(_: np.ndarray, score: np.ndarray) -> float:
        seen.add(score.size)
        return float(score.mean())

    bootstrap_ci(y, s, mean_score, groups=groups, n=50)
    assert seen == {16}  # four groups of four rows each time
    with pytest.raises(ParameterError, match="groups"):
        bootstrap_ci(y, s, mean_score, groups=[0, 1], n=5)


def test_brier_and_ece_by_hand() -> None:
    # (0.2-0)^2 = .04, (0.6-1)^2 = .16 -> mean .1
    assert brier_score([0, 1], [0.2, 0.6]) == pytest.approx(0.1)
    # bins [0, .5): p .25, rate .5 -> .25; [.5, 1]: p .75, rate 1 -> .25; weighted .25
    assert expected_calibration_error([0, 1, 1, 1], [0.25, 0.25, 0.75, 0.75], 2) == 0.25
    # perfect calibration in every bin
    assert expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.0
    # p = 1 goes to the last bin
    assert expected_calibration_error([1], [1.0]) == 0.0
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        brier_score([0], [1.5])


def test_reliability_curve_lists_non_empty_bins() -> None:
    curve = reliability_curve([0, 1, 1, 1, 0], [0.05, 0.05, 0.95, 0.95, 0.55], n_bins=10)
    assert curve["bin_lower"] == [0.0, 0.5, 0.9]
    assert curve["fraction_positive"] == [0.5, 0.0, 1.0]
    assert curve["count"] == [2, 1, 2]
    assert curve["mean_predicted"] == pytest.approx([0.05, 0.55, 0.95])


def test_confusion_matrix_and_kappa_by_hand() -> None:
    assert confusion_matrix(["x", "y", "y"], ["x", "x", "y"], ["x", "y"]) == [[1, 0], [1, 1]]
    with pytest.raises(ParameterError, match="'z'"):
        confusion_matrix(["x"], ["z"], ["x", "y"])
    # observed (0,0),(1,2),(2,2): sum w*O = 1/4; expected sum w*E = 2/3 + 1/4 + 1/3 = 5/4
    assert quadratic_weighted_kappa([0, 1, 2], [0, 2, 2], [0, 1, 2]) == pytest.approx(0.8)
    assert quadratic_weighted_kappa(["3", "4A", "5"], ["3", "4A", "5"], ["3", "4A", "5"]) == 1.0
    # complete reversal of two labels: kappa -1
    assert quadratic_weighted_kappa([0, 1], [1, 0], [0, 1]) == pytest.approx(-1.0)
    assert math.isnan(quadratic_weighted_kappa([1, 1], [1, 1], [0, 1]))


def test_toy_froc_by_hand() -> None:
    # image 1: lesion a hit at 0.9 and again at 0.5 (duplicate: neither LL nor NL), FP at 0.8
    # image 2: lesion b hit at 0.3, FP at 0.6; image 3: no marks; lesion c never hit
    marks = [
        [(0.9, "a"), (0.8, None), (0.5, "a")],
        [(0.3, "b"), (0.6, None)],
        [],
    ]
    curve = froc(marks, n_truth=3)
    assert curve.thresholds[1:] == (0.9, 0.8, 0.6, 0.3)
    assert curve.sensitivity == pytest.approx((0, 1 / 3, 1 / 3, 1 / 3, 2 / 3))
    assert curve.fp_rate == pytest.approx((0, 0, 1 / 3, 2 / 3, 2 / 3))
    at = curve.sensitivity_at_fp()
    assert list(at) == ["0.1", "0.3", "0.5", "1", "2"]
    assert at["0.1"] == pytest.approx(1 / 3)
    assert at["0.3"] == pytest.approx(1 / 3)
    assert at["1"] == pytest.approx(2 / 3)
    assert curve.threshold_at_fp(0.5) == 0.8


def test_froc_per_area_and_errors() -> None:
    curve = froc([[(0.7, None), (0.9, 1)]], n_truth=1, fp_denominator=4.0, fp_unit="cm2")
    assert curve.fp_rate[-1] == 0.25 and curve.fp_unit == "cm2"
    assert curve.sensitivity_at_fp([0.0]) == {"0": 1.0}
    empty = froc([[], []], n_truth=2)
    assert empty.sensitivity_at_fp([1]) == {"1": 0.0}
    with pytest.raises(ParameterError, match="n_truth"):
        froc([[(0.5, 1)]], n_truth=0)


def test_malignancy_figures_without_an_interval_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import mammocalc.evaluate._common as common

    figures = common.malignancy_figures(
        [1, 0, 0, 1], [0.9, 0.1, 0.4, 0.3], [1, 2, 3, 4], n_bootstrap=50, seed=0
    )
    assert figures["auc"] == 0.75 and figures["auc_ci95"] is not None
    assert figures["brier"] == pytest.approx((0.01 + 0.01 + 0.16 + 0.49) / 4)

    def undefined(*args: object, **kwargs: object) -> tuple[float, float]:
        raise ParameterError("bootstrap_ci: the metric was undefined on 150 of 200 resamples")

    monkeypatch.setattr(common, "bootstrap_ci", undefined)
    figures = common.malignancy_figures([1, 0], [0.9, 0.1], [1, 2], n_bootstrap=200, seed=0)
    assert figures["auc"] == 1.0
    assert figures["auc_ci95"] is None and "undefined" in figures["auc_ci95_note"]
    empty = common.malignancy_figures([], [], [], n_bootstrap=10, seed=0)
    assert empty["auc"] is None and empty["n_scored"] == 0


def test_froc_mean_sensitivity_and_bootstrap_intervals() -> None:
    from mammocalc.evaluate.froc import froc_bootstrap_ci

    # identical images: every resample gives the same curve, so the interval is a point
    same = [[(0.9, f"l{i}"), (0.5, None)] for i in range(4)]
    curve = froc(same, n_truth=4)
    assert curve.mean_sensitivity() == 1.0
    ci = froc_bootstrap_ci(same, [1, 1, 1, 1], n=100, seed=1)
    assert ci["0.1"] == [1.0, 1.0] and list(ci) == ["0.1", "0.3", "0.5", "1", "2"]
    # half the lesions are never marked: resamples range from all missed to all found
    half = [[(0.9, "a")], [], [(0.8, "c")], []]
    ci = froc_bootstrap_ci(half, [1, 1, 1, 1], groups=[0, 1, 2, 3], n=400, seed=2)
    assert ci["1"][0] < 0.5 < ci["1"][1]
    assert froc(half, n_truth=4).sensitivity_at_fp([1]) == {"1": 0.5}
    assert froc_bootstrap_ci([[]], [0], n=10) == {}
