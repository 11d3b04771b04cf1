"""Case-level figures of merit: ROC AUC, bootstrap intervals, calibration and agreement.

Pure functions on 1-D sequences; no I/O. Detection (FROC) lives in :mod:`mammocalc.evaluate.froc`.
``y`` is always the truth coded 0/1 (1 = positive, e.g. malignant); ``score`` or ``p`` is the
prediction, where ``p`` must be a probability in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from mammocalc.errors import ParameterError

__all__ = [
    "bootstrap_ci",
    "brier_score",
    "confusion_matrix",
    "expected_calibration_error",
    "quadratic_weighted_kappa",
    "reliability_curve",
    "roc_auc",
    "roc_curve",
]


def _binary(y: ArrayLike, name: str = "y") -> np.ndarray:
    arr = np.asarray(y, dtype=float).ravel()
    if not np.all((arr == 0) | (arr == 1)):
        raise ParameterError(f"{name} must hold only 0 and 1; got values {np.unique(arr)[:5]}")
    return arr.astype(bool)


def _paired(y: ArrayLike, score: ArrayLike, name: str = "score") -> tuple[np.ndarray, np.ndarray]:
    truth = _binary(y)
    values = np.asarray(score, dtype=float).ravel()
    if values.shape != truth.shape:
        raise ParameterError(
            f"y and {name} must have the same length; got {truth.size} and {values.size}"
        )
    if not np.all(np.isfinite(values)):
        raise ParameterError(f"{name} holds NaN or infinite values; drop or impute them first")
    return truth, values


def _probabilities(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    truth, prob = _paired(y, p, "p")
    if truth.size == 0:
        raise ParameterError("y and p are empty; calibration needs at least one case")
    if np.any((prob < 0) | (prob > 1)):
        raise ParameterError("p must be probabilities in [0, 1]")
    return truth, prob


def roc_auc(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve, by the Mann-Whitney U statistic.

    Ties between a positive and a negative score count one half, so the value equals the
    trapezoidal area under the empirical ROC curve.

    Parameters
    ----------
    y : array_like, shape (n,)
        Truth, 0 or 1.
    score : array_like, shape (n,)
        Higher means more likely positive; any real scale.

    Returns
    -------
    float
        P(score of a random positive > score of a random negative) + 0.5 P(tie).

    Raises
    ------
    ParameterError
        When ``y`` does not hold both classes (the AUC is undefined).

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    truth, values = _paired(y, score)
    n_pos = int(truth.sum())
    n_neg = truth.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ParameterError(
            f"roc_auc needs both classes in y; got {n_pos} positive and {n_neg} negative cases"
        )
    ranks = rankdata(values)  # mid-ranks for ties
    u_statistic = ranks[truth].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u_statistic / (n_pos * n_neg))


def roc_curve(y: ArrayLike, score: ArrayLike) -> dict[str, list[float]]:
    """Empirical ROC operating points, one per distinct score, from (0, 0) to (1, 1).

    Returns
    -------
    dict
        ``fpr``, ``tpr`` (fractions) and ``thresholds`` (score >= threshold is called positive;
        the first threshold is +inf), lists of equal length.
    """
    truth, values = _paired(y, score)
    n_pos, n_neg = int(truth.sum()), int((~truth).sum())
    if n_pos == 0 or n_neg == 0:
        raise ParameterError("roc_curve needs both classes in y")
    thresholds = np.unique(values)[::-1]
    tpr = [0.0] + [float((values[truth] >= t).sum() / n_pos) for t in thresholds]
    fpr = [0.0] + [float((values[~truth] >= t).sum() / n_neg) for t in thresholds]
    return {"fpr": fpr, "tpr": tpr, "thresholds": [float("inf"), *map(float, thresholds)]}


def bootstrap_ci(
    y: ArrayLike,
    score: ArrayLike,
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    groups: Sequence[Hashable] | None = None,
    n: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric(y, score)``, resampling cases or groups.

    Cases (rows) are drawn with replacement; with ``groups`` (e.g. patient ids) whole groups are
    drawn, so that correlated rows (two views of one lesion, findings of one patient) stay
    together. Resamples on which ``metric`` raises :class:`ParameterError` (e.g. a single class
    for the AUC) are skipped, as is usual for the bootstrap of the AUC.

    Parameters
    ----------
    y, score : array_like, shape (n_cases,)
    metric : callable
        ``metric(y, score) -> float``, e.g. :func:`roc_auc` or :func:`brier_score`.
    groups : sequence of hashable, shape (n_cases,), optional
        The resampling unit of each case.
    n : int
        Number of bootstrap resamples.
    seed : int
        Seed of the numpy random generator; the same seed gives the same interval.
    alpha : float
        1 - coverage; 0.05 gives the 95% interval.

    Returns
    -------
    (low, high) : tuple of float
    """
    truth = np.asarray(y, dtype=float).ravel()
    values = np.asarray(score, dtype=float).ravel()
    if truth.shape != values.shape or truth.size == 0:
        raise ParameterError("bootstrap_ci needs y and score of the same, non-zero length")
    if not 0 < alpha < 1 or n < 1:
        raise ParameterError(f"bootstrap_ci needs 0 < alpha < 1 and n >= 1; got {alpha}, {n}")
    units = _resampling_units(truth.size, groups)
    rng = np.random.default_rng(seed)
    estimates: list[float] = []
    for _ in range(n):
        chosen = rng.integers(0, len(units), size=len(units))
        rows = np.concatenate([units[k] for k in chosen])
        try:
            estimates.append(float(metric(truth[rows], values[rows])))
        except ParameterError:
            continue  # degenerate resample (e.g. one class only): undefined, not zero
    if len(estimates) < n / 2:
        raise ParameterError(
            f"bootstrap_ci: the metric was undefined on {n - len(estimates)} of {n} resamples; "
            "the data hold too few cases of one class"
        )
    low, high = np.quantile(estimates, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _resampling_units(n_cases: int, groups: Sequence[Hashable] | None) -> list[np.ndarray]:
    if groups is None:
        return [np.array([i]) for i in range(n_cases)]
    if len(groups) != n_cases:
        raise ParameterError(f"groups has {len(groups)} entries for {n_cases} cases")
    members: dict[Hashable, list[int]] = {}
    for row, group in enumerate(groups):
        members.setdefault(group, []).append(row)
    return [np.array(rows) for rows in members.values()]


def brier_score(y: ArrayLike, p: ArrayLike) -> float:
    """Mean squared difference between probability and outcome (0 is perfect, 0.25 is a coin).

    Examples
    --------
    >>> brier_score([0, 1], [0.2, 0.6])
    0.1
    """
    truth, prob = _probabilities(y, p)
    return float(np.round(np.mean((prob - truth) ** 2), 12))


def _bin_index(prob: np.ndarray, n_bins: int) -> np.ndarray:
    if n_bins < 1:
        raise ParameterError(f"n_bins must be >= 1; got {n_bins}")
    # equal-width bins on [0, 1]; p = 1 belongs to the last bin
    return np.minimum((prob * n_bins).astype(int), n_bins - 1)


def expected_calibration_error(y: ArrayLike, p: ArrayLike, n_bins: int = 10) -> float:
    """Expected calibration error over ``n_bins`` equal-width probability bins.

    ECE = sum over bins of (cases in bin / all cases) * |observed rate - mean probability|
    (Naeini et al. 2015; Guo et al. 2017).

    Examples
    --------
    >>> expected_calibration_error([0, 1, 1, 1], [0.25, 0.25, 0.75, 0.75], n_bins=2)
    0.25
    """
    truth, prob = _probabilities(y, p)
    bins = _bin_index(prob, n_bins)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.sum() * abs(truth[inside].mean() - prob[inside].mean())
    return float(np.round(total / truth.size, 12))


def reliability_curve(y: ArrayLike, p: ArrayLike, n_bins: int = 10) -> dict[str, list[float]]:
    """Observed positive rate against mean predicted probability, per non-empty bin.

    Returns
    -------
    dict
        Lists of equal length, one entry per non-empty equal-width bin: ``bin_lower``,
        ``bin_upper``, ``mean_predicted``, ``fraction_positive`` and ``count``.
    """
    truth, prob = _probabilities(y, p)
    bins = _bin_index(prob, n_bins)
    curve: dict[str, list[float]] = {
        "bin_lower": [],
        "bin_upper": [],
        "mean_predicted": [],
        "fraction_positive": [],
        "count": [],
    }
    for b in np.unique(bins):
        inside = bins == b
        curve["bin_lower"].append(float(b) / n_bins)
        curve["bin_upper"].append(float(b + 1) / n_bins)
        curve["mean_predicted"].append(float(prob[inside].mean()))
        curve["fraction_positive"].append(float(truth[inside].mean()))
        curve["count"].append(int(inside.sum()))
    return curve


def confusion_matrix(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable]
) -> list[list[int]]:
    """Counts of (a, b) label pairs: row i is ``a == labels[i]``, column j is ``b == labels[j]``.

    By convention ``a`` is the reference (truth, or the radiologist) and ``b`` the product.

    Raises
    ------
    ParameterError
        When a value of ``a`` or ``b`` is not in ``labels`` (map unknown values first; they are
        never dropped silently) or the lengths differ.

    Examples
    --------
    >>> confusion_matrix(["x", "y", "y"], ["x", "x", "y"], ["x", "y"])
    [[1, 0], [1, 1]]
    """
    if len(a) != len(b):
        raise ParameterError(f"confusion_matrix: a has {len(a)} values and b has {len(b)}")
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for first, second in zip(a, b, strict=True):
        for value in (first, second):
            if value not in index:
                raise ParameterError(
                    f"confusion_matrix: value {value!r} is not one of the labels {list(labels)}"
                )
        matrix[index[first]][index[second]] += 1
    return matrix


def quadratic_weighted_kappa(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable]
) -> float:
    """Cohen's kappa with quadratic weights, for ordinal ratings (Cohen 1968).

    ``labels`` gives the order; the disagreement weight of labels i and j is
    ``(i - j)^2 / (k - 1)^2``. kappa = 1 - sum(w * observed) / sum(w * expected by chance).

    Returns
    -------
    float
        1 for perfect agreement, 0 for chance agreement; NaN when chance disagreement is zero
        (both raters used a single, identical label), where kappa is undefined.

    Examples
    --------
    >>> quadratic_weighted_kappa([0, 1, 2], [0, 2, 2], [0, 1, 2])
    0.8
    """
    observed = np.asarray(confusion_matrix(a, b, labels), dtype=float)
    k = len(labels)
    if observed.sum() == 0 or k < 2:
        raise ParameterError("quadratic_weighted_kappa needs ratings and at least two labels")
    positions = np.arange(k)
    weights = (positions[:, None] - positions[None, :]) ** 2 / (k - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    chance = float((weights * expected).sum())
    if chance == 0.0:
        return float("nan")
    return float(np.round(1.0 - (weights * observed).sum() / chance, 12))
