"""Small logistic models evaluated in numpy: the calcification score and the cluster score.

Weights ship as JSON in ``mammocalc/weights/`` (``detect_calc.json``, ``detect_cluster.json``),
written by ``scripts/train_detector.py``; without a file a transparent default is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class LogisticModel:
    """``p = sigmoid(b + sum_i w_i (t(x_i) - mean_i) / scale_i)``, t = log on ``log_features``."""

    names: tuple[str, ...]
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    bias: float
    log_features: frozenset[str] = frozenset()

    def vector(self, features: Mapping[str, float]) -> np.ndarray:
        """The model's input vector (before standardisation) from named features."""
        return np.array(
            [
                np.log(max(float(features[n]), 1e-6)) if n in self.log_features else features[n]
                for n in self.names
            ],
            float,
        )

    def score(self, features: Mapping[str, float]) -> float:
        """Probability-like score in [0, 1]."""
        z = self.bias + float(
            np.dot(self.weights, (self.vector(features) - self.mean) / self.scale)
        )
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))

    def to_dict(self) -> dict[str, object]:
        """The JSON layout read by :func:`model_from_dict`."""
        return {
            "features": list(self.names),
            "weights": self.weights.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "bias": self.bias,
            "log_features": sorted(self.log_features),
        }


def model_from_dict(data: Mapping[str, object], *, source: str) -> LogisticModel:
    """Build a model from its JSON layout; ``source`` names the file in error messages."""
    try:
        names = tuple(str(n) for n in data["features"])  # type: ignore[attr-defined]
        model = LogisticModel(
            names=names,
            weights=np.asarray(data["weights"], float),
            mean=np.asarray(data["mean"], float),
            scale=np.asarray(data["scale"], float),
            bias=float(data["bias"]),  # type: ignore[arg-type]
            log_features=frozenset(str(n) for n in data.get("log_features", [])),  # type: ignore[attr-defined]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{source}: malformed model file ({exc}); rerun the training script"
        ) from exc
    if not (len(names) == model.weights.size == model.mean.size == model.scale.size):
        raise ValueError(f"{source}: feature and weight counts differ; rerun the training script")
    return model


@lru_cache(maxsize=8)
def load_model(filename: str) -> LogisticModel | None:
    """The shipped model ``mammocalc/weights/<filename>``, or None when it is not installed."""
    path = resources.files("mammocalc") / "weights" / filename
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text()), source=filename)


PREFILTER_FEATURES = ("snr", "snr_fine", "scale_mm", "blobness", "ring_ratio", "border_mm")

CALC_FEATURES = (
    "snr",
    "snr_fine",
    "local_snr",
    "cnr",
    "diameter_mm",
    "scale_mm",
    "circularity",
    "elongation",
    "solidity",
    "blobness",
    "ring_ratio",
    "edge_width_px",
    "border_mm",
    "spacing_mm",
)

DEFAULT_CALC_MODEL = LogisticModel(
    names=("snr",), weights=np.array([1.2]), mean=np.array([5.0]), scale=np.array([1.0]), bias=0.0
)


def calc_model() -> LogisticModel:
    """The calcification-level false-positive model (shipped, else SNR alone: 0.5 at SNR 5)."""
    return load_model("detect_calc.json") or DEFAULT_CALC_MODEL


@dataclass(frozen=True)
class Prefilter:
    """The cascade's first stage: a model over :data:`PREFILTER_FEATURES` and its threshold.

    Candidates scoring below ``threshold`` are not outlined (the threshold keeps nearly every true
    calcification of the training data; see ``scripts/train_detector.py``).
    """

    model: LogisticModel
    threshold: float


@lru_cache(maxsize=4)
def prefilter(filename: str = "detect_calc.json") -> Prefilter | None:
    """The first stage shipped in ``filename`` under the key ``"prefilter"``, or None."""
    path = resources.files("mammocalc") / "weights" / filename
    if not path.is_file():
        return None
    data = json.loads(path.read_text()).get("prefilter")
    if data is None:
        return None
    model = model_from_dict(data, source=f"{filename} (prefilter)")
    try:
        threshold = float(data["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{filename}: prefilter has no numeric 'threshold' ({exc}); rerun the training script"
        ) from exc
    return Prefilter(model, threshold)
