"""Fitting the descriptor model in numpy: ridge logistic regression (Newton), Platt, bootstrap.

Used by ``scripts/train_risk_model.py`` to make the shipped weights and by the CBIS-DDSM
evaluation to refit inside each cross-validation fold, so both run the same code.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

import numpy as np
from scipy.optimize import lsq_linear

from mammocalc._risk import (
    FEATURE_NAMES,
    NON_POSITIVE_FEATURES,
    SUSPICION_ORDER,
    RiskModel,
    sigmoid,
)
from mammocalc.vocabulary import SUSPICIOUS_MORPHOLOGIES, Morphology

DEFAULT_L2 = 1.0
"""Ridge penalty on the coefficients (not the intercept), in units of summed sample weight."""


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    *,
    l2: float = DEFAULT_L2,
    weights: np.ndarray | None = None,
    offset: np.ndarray | None = None,
    n_iter: int = 50,
) -> tuple[float, np.ndarray]:
    """Weighted ridge logistic regression by Newton's method.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    y : ndarray, shape (n,)
        0 or 1.
    l2 : float
        Penalty ``0.5 * l2 * |coef|^2``; the intercept gets ``1e-3`` of it so that a
        single-class sample still converges.
    weights : ndarray, shape (n,), optional
        Sample weights (default 1).
    offset : ndarray, shape (n,), optional
        Fixed part of each row's logit (default 0).

    Returns
    -------
    intercept : float
    coef : ndarray, shape (d,)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    design = np.hstack([np.ones((len(y), 1)), x])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = l2 * 1e-3
    base = np.zeros(len(y)) if offset is None else np.asarray(offset, dtype=np.float64)
    beta = np.zeros(design.shape[1])
    for _ in range(n_iter):
        p = sigmoid(design @ beta + base)
        gradient = design.T @ (w * (p - y)) + penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(beta[0]), beta[1:]


#: Descriptors absent from the training data borrow a neighbour's coefficient plus a literature
#: log-odds offset: coarse heterogeneous is a little more often malignant than amorphous (PPV
#: 19.7% vs 15.1%, Chan 2009; 12.8% vs 7.2%, Kim 2018; reference section 5): logit difference 0.3.
UNSEEN_DESCRIPTOR_PRIOR: dict[Morphology, tuple[Morphology, float]] = {
    Morphology.COARSE_HETEROGENEOUS: (Morphology.AMORPHOUS, 0.3),
}
_WORST = [FEATURE_NAMES.index(f"worst:{m.name}") for m in SUSPICION_ORDER]
#: How many words lead :data:`SUSPICION_ORDER` before the first one that is not suspicious:
#: their coefficients are held at >= 0.
_SUSPICIOUS_LEADING = len(
    list(itertools.takewhile(lambda m: m in SUSPICIOUS_MORPHOLOGIES, SUSPICION_ORDER))
)
_NON_POSITIVE = [FEATURE_NAMES.index(name) for name in NON_POSITIVE_FEATURES]


def fit_descriptor_model(
    x: np.ndarray, y: np.ndarray, *, l2: float = DEFAULT_L2, weights: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Ridge fit, then the lexicon's order imposed on the morphology coefficients.

    Unseen descriptors take :data:`UNSEEN_DESCRIPTOR_PRIOR`; the "most suspicious descriptor"
    coefficients are then replaced by their weighted least-squares fit (weights: rows showing
    each; :func:`_non_increasing`) that is non-increasing along :data:`SUSPICION_ORDER`, so that
    a more suspicious word never gives a lower probability, with the suspicious words
    (:data:`mammocalc.vocabulary.SUSPICIOUS_MORPHOLOGIES`) at >= 0, so that a firmer suspicious
    call never lowers it, in every bootstrap refit too; the other coefficients are then refitted
    with these held fixed.
    While a feature of :data:`mammocalc._risk.NON_POSITIVE_FEATURES` has a positive refitted
    coefficient, it is held at 0 and the rest refitted again (at most once per such feature).

    Parameters
    ----------
    x : ndarray, shape (n, len(FEATURE_NAMES))
        Rows from :func:`mammocalc._risk.descriptor_vector`.
    y : ndarray, shape (n,)
        1 for malignant.
    l2 : float
        Ridge penalty (:func:`fit_logistic`).
    weights : ndarray, shape (n,), optional
        Sample weights.

    Returns
    -------
    intercept : float
    coef : ndarray, shape (len(FEATURE_NAMES),)
    """
    intercept, coef = fit_logistic(x, y, l2=l2, weights=weights)
    support = np.asarray(x)[:, _WORST].sum(axis=0)
    for unseen, (neighbour, offset) in UNSEEN_DESCRIPTOR_PRIOR.items():
        i = FEATURE_NAMES.index(f"worst:{unseen.name}")
        if support[_WORST.index(i)] == 0:
            coef[i] = coef[FEATURE_NAMES.index(f"worst:{neighbour.name}")] + offset
    # a suspicious word firmly described is never less suspicious than no firm description (the
    # intercept): its soft presence then never lowers the logit
    coef[_WORST] = _non_increasing(
        coef[_WORST], np.maximum(support, 1.0), floor_count=_SUSPICIOUS_LEADING
    )
    offset = np.asarray(x)[:, _WORST] @ coef[_WORST]
    held = list(_WORST)
    for _ in range(len(_NON_POSITIVE) + 1):
        rest = [i for i in range(len(coef)) if i not in held]
        intercept, coef[rest] = fit_logistic(x[:, rest], y, l2=l2, weights=weights, offset=offset)
        positive = [i for i in _NON_POSITIVE if i in rest and coef[i] > 0.0]
        if not positive:
            break
        coef[positive] = 0.0
        held += positive
    return intercept, coef


def _non_increasing(values: np.ndarray, weights: np.ndarray, *, floor_count: int = 0) -> np.ndarray:
    """Weighted least-squares fit that is non-increasing, its first ``floor_count`` values >= 0.

    Without a floor this is pool-adjacent-violators. With one it is bounded least squares in
    increments: the value at ``floor_count - 1`` is a >= 0, each value before it adds a
    non-negative step, each after it subtracts one, so the order holds and every value up to
    the floor's is >= 0.

    Parameters
    ----------
    values, weights : ndarray, shape (n,)
    floor_count : int
        How many leading values must be >= 0 (0: none).

    Returns
    -------
    ndarray, shape (n,)
    """
    if floor_count == 0:
        return _pool_adjacent_violators(values, weights)
    n, pivot = len(values), floor_count - 1
    design = np.zeros((n, n))  # columns: a, the steps up to the pivot, the steps down after it
    design[:, 0] = 1.0
    for j in range(pivot):  # value i <= j gets step j
        design[: j + 1, 1 + j] = 1.0
    for j in range(pivot + 1, n):  # value i >= j loses step j
        design[j:, j] = -1.0
    root = np.sqrt(np.asarray(weights, dtype=np.float64))
    steps = lsq_linear(design * root[:, None], values * root, bounds=(0.0, np.inf)).x
    return np.asarray(design @ steps)


def _pool_adjacent_violators(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-increasing fit (pool-adjacent-violators)."""
    blocks: list[list[float]] = []  # [mean, weight, length]
    for v, w in zip(values, weights, strict=True):
        blocks.append([float(v), float(w), 1.0])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([np.full(int(n), v) for v, _, n in blocks])


def fit_platt(logit: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) with calibrated logit = a * logit + b, by logistic regression."""
    intercept, coef = fit_logistic(np.asarray(logit)[:, None], y, l2=1e-6)
    return float(coef[0]), intercept


def group_folds(groups: Sequence[Hashable], n_folds: int, seed: int) -> np.ndarray:
    """Assign each row a fold in ``range(n_folds)`` so that all rows of a group share one."""
    unique = sorted(set(groups), key=str)
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {g: int(order[i]) % n_folds for i, g in enumerate(unique)}
    return np.asarray([fold_of[g] for g in groups], dtype=np.int64)


def out_of_fold_logits(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[Hashable],
    *,
    n_folds: int = 5,
    seed: int = 0,
    l2: float = DEFAULT_L2,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Raw logits of every row from a model fitted without that row's group, shape (n,)."""
    w = np.ones(len(y)) if weights is None else weights
    folds = group_folds(groups, min(n_folds, len(set(groups))), seed)
    logits = np.zeros(len(y))
    for k in np.unique(folds):
        train = folds != k
        intercept, coef = fit_descriptor_model(x[train], y[train], l2=l2, weights=w[train])
        logits[~train] = x[~train] @ coef + intercept
    return logits


def fit_risk_model(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[Hashable],
    *,
    l2: float = DEFAULT_L2,
    weights: np.ndarray | None = None,
    n_folds: int = 5,
    n_bootstrap: int = 200,
    seed: int = 0,
) -> RiskModel:
    """Fit the full descriptor model: coefficients, out-of-fold Platt map, bootstrap ensemble.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Rows from :func:`mammocalc._risk.descriptor_vector`.
    y : ndarray, shape (n,)
        1 for malignant.
    groups : sequence, shape (n,)
        Patient of each row: folds and bootstrap resamples keep a patient's rows together.
    weights : ndarray, shape (n,), optional
        Sample weights, e.g. 1 / (rows of the same lesion) so a lesion seen on CC and MLO counts
        once.
    n_bootstrap : int
        Patient-bootstrap refits for the probability interval (0: no interval).
    """
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    intercept, coef = fit_descriptor_model(x, y, l2=l2, weights=w)
    oof = out_of_fold_logits(x, y, groups, n_folds=n_folds, seed=seed, l2=l2, weights=w)
    platt = fit_platt(oof, y)
    rng = np.random.default_rng(seed)
    unique = sorted(set(groups), key=str)
    rows_of: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        rows_of.setdefault(g, []).append(i)
    members = []
    for _ in range(n_bootstrap):
        picked = rng.integers(0, len(unique), len(unique))
        idx = np.concatenate([rows_of[unique[j]] for j in picked])
        b0, b = fit_descriptor_model(x[idx], y[idx], l2=l2, weights=w[idx])
        members.append(np.concatenate([[b0], b]))
    bootstrap = np.asarray(members).reshape(n_bootstrap, x.shape[1] + 1)
    return RiskModel(intercept=intercept, coef=coef, platt=platt, bootstrap=bootstrap)
