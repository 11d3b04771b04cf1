"""Pieces shared by the dataset adapters: the default analysis, marks, malignancy figures."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from mammocalc import __version__
from mammocalc.errors import ParameterError
from mammocalc.evaluate.froc import FrocCurve
from mammocalc.evaluate.metrics import (
    bootstrap_ci,
    brier_score,
    expected_calibration_error,
    reliability_curve,
    roc_auc,
    roc_curve,
)
from mammocalc.models import ImageResult, Mammogram
from mammocalc.settings import Settings

AnalyzeImage = Callable[[Mammogram], ImageResult]
"""What an adapter runs on each image: a Mammogram in, its findings (with categories) out."""


def default_analyzer(settings: Settings | None) -> AnalyzeImage:
    """The product's own analysis of one image: :func:`mammocalc.pipeline.analyze`, image 0.

    ``analyze`` (not ``analyze_image``) so that findings carry the category that ``assess``
    gives them, exactly as a user sees them.
    """
    from mammocalc.pipeline import analyze

    def run(mammogram: Mammogram) -> ImageResult:
        return analyze(mammogram, settings=settings).images[0]

    return run


def finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: undefined figures are written as null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def froc_summary(curve: FrocCurve | None) -> dict[str, Any]:
    """The ``froc`` block of the JSON contract (null sensitivities when there is no truth)."""
    if curve is None:
        return {"sensitivity_at_fp": {"0.1": None, "0.3": None, "0.5": None, "1": None, "2": None}}
    return curve.to_dict()


def malignancy_figures(
    y: Sequence[int],
    p: Sequence[float],
    groups: Sequence[Hashable],
    *,
    n_bootstrap: int,
    seed: int,
) -> dict[str, Any]:
    """AUC with a group-bootstrap 95% interval, Brier score, ECE and curves; nulls when undefined.

    Parameters
    ----------
    y : sequence of int, shape (n,)
        1 for malignant.
    p : sequence of float, shape (n,)
        Malignancy probability in [0, 1].
    groups : sequence, shape (n,)
        Bootstrap unit (patient) of each case.
    """
    figures: dict[str, Any] = {
        "n_scored": len(y),
        "n_malignant": int(sum(y)),
        "auc": None,
        "auc_ci95": None,
        "brier": None,
        "ece": None,
    }
    if len(y) == 0:
        return figures
    figures["brier"] = brier_score(y, p)
    figures["ece"] = expected_calibration_error(y, p)
    figures["reliability"] = reliability_curve(y, p)
    if 0 < sum(y) < len(y):
        figures["auc"] = roc_auc(y, p)
        figures["roc"] = roc_curve(y, p)
        figures["roc"]["thresholds"] = [finite_or_none(t) for t in figures["roc"]["thresholds"]]
        if len(set(groups)) >= 2 and n_bootstrap > 0:
            try:
                low, high = bootstrap_ci(y, p, roc_auc, groups=groups, n=n_bootstrap, seed=seed)
            except ParameterError as exc:  # too few cases of one class: no interval, say why
                figures["auc_ci95_note"] = str(exc)
            else:
                figures["auc_ci95"] = [low, high]
    return figures


def distance_px(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Euclidean distance between two (row, col) points, in pixels."""
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def version() -> str:
    """The software version written into every JSON result."""
    return __version__
