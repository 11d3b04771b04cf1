"""Evaluation: figures of merit, dataset adapters (mini-MIAS, CBIS-DDSM, synthetic), benchmarks.

The metrics are pure functions (:mod:`.metrics`, :mod:`.froc`); the adapters read a dataset, run
the one pipeline on it and return a JSON-ready dict whose keys are documented in
``docs/evaluation.md``. The CLI commands are in :mod:`.cli`.
"""

from __future__ import annotations

from mammocalc.evaluate.froc import DEFAULT_FP_RATES, FrocCurve, froc
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

__all__ = [
    "DEFAULT_FP_RATES",
    "FrocCurve",
    "bootstrap_ci",
    "brier_score",
    "confusion_matrix",
    "expected_calibration_error",
    "froc",
    "quadratic_weighted_kappa",
    "reliability_curve",
    "roc_auc",
    "roc_curve",
]
