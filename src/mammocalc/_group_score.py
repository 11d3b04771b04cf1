"""The finding-level ``detection_score``: how likely a group is a real finding, not noise or tissue.

Clusters and scattered groups use a logistic model over group features (``detect_cluster.json`` when
shipped, else a transparent default: more, stronger and more conspicuous members score higher).
Macrocalcifications and vascular tracks use their own model (``detect_macro.json``, over
``MACRO_FEATURES``), else the mean score of their members. Both models answer the question the
FROC asks: would a reader's truth mark this finding? On digitised film only the abnormality is
marked, so a lone 1 mm speck scores low there however sure the detector is that it is bright.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mammocalc._detect_score import LogisticModel, load_model
from mammocalc.vocabulary import FindingKind

CLUSTER_FEATURES = (
    "n",
    "score_mean",
    "score_max",
    "score_top3",
    "score_share_conspicuous",
    "cnr_mean",
    "density_per_cm2",
    "extent_mm",
    "diameter_mean_mm",
    "linearity",
    "distance_to_skin_mm",
)
CLUSTER_LOG_FEATURES = frozenset(
    {"n", "cnr_mean", "density_per_cm2", "extent_mm", "diameter_mean_mm", "distance_to_skin_mm"}
)

MACRO_FEATURES = (
    "n",
    "score_mean",
    "score_max",
    "cnr_mean",
    "diameter_max_mm",
    "extent_mm",
    "elongation_mean",
    "distance_to_skin_mm",
)
MACRO_LOG_FEATURES = frozenset(
    {"n", "cnr_mean", "diameter_max_mm", "extent_mm", "distance_to_skin_mm"}
)

DEFAULT_CLUSTER_MODEL = LogisticModel(
    names=("n", "score_mean", "cnr_mean"),
    weights=np.array([1.5, 3.0, 0.4]),
    mean=np.array([np.log(4.0), 0.8, 5.0]),
    scale=np.array([1.0, 1.0, 1.0]),
    bias=0.0,
    log_features=frozenset({"n"}),
)


def cluster_model() -> LogisticModel:
    """The cluster model: shipped weights, else :data:`DEFAULT_CLUSTER_MODEL`."""
    return load_model("detect_cluster.json") or DEFAULT_CLUSTER_MODEL


def macro_model() -> LogisticModel | None:
    """The shipped model of macrocalcification and vascular findings, or None."""
    return load_model("detect_macro.json")


def detection_score(kind: FindingKind, features: Mapping[str, float]) -> float:
    """Probability-like score in [0, 1] that a finding of ``kind`` with ``features`` is real."""
    if kind in (FindingKind.MACROCALCIFICATION, FindingKind.VASCULAR):
        model = macro_model()
        if model is None:
            return float(np.clip(features["score_mean"], 0.0, 1.0))
        return model.score(features)
    return cluster_model().score(features)
