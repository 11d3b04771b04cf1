"""The malignancy model: descriptor logistic regression, Platt calibration, bootstrap interval.

The descriptor part is a shrunken (ridge) logistic regression on the BI-RADS words, learned from
the CBIS-DDSM training descriptions by ``scripts/train_risk_model.py`` and shipped as
``weights/risk_descriptor.json``. Morphology enters as its *most suspicious* descriptor (the one
radiologists decide on), ordered by :data:`SUSPICION_ORDER`, plus whether a typically benign
descriptor is present without a suspicious one; distribution as one indicator per word; and one
interaction, round or punctate (as the most suspicious form) in a ductal distribution, because
the linear and segmental weights are learned mostly from castings (CBIS-DDSM lesions: punctate
linear 0 of 2 malignant, punctate segmental 2 of 12, against 2 of 2 and 3 of 11 amorphous). This
encoding matches the multi-hot one in patient-grouped cross-validation (both ROC AUC about
0.81) and makes the probability monotone by construction: adding a more suspicious descriptor
can only raise it.
Descriptors called from an image enter with a presence that grows with their confidence
(:func:`descriptor_presence`), so a call that firms up never makes a less suspicious one decide.

Measured image evidence (count, local density, size variation, fine linear members, branching;
:mod:`mammocalc._evidence`) is added on the calibrated logit by :func:`evidence_logit`: monotone,
centred on a typical cluster, bounded. Its
weights are literature priors (reference section 4), not learned, because no public set pairs
images' calcification measurements with pathology here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from mammocalc import _thresholds as t
from mammocalc.vocabulary import (
    DUCTAL_DISTRIBUTIONS,
    SUSPICIOUS_MORPHOLOGIES,
    Distribution,
    Morphology,
)

#: Morphologies in decreasing order of suspicion (reference section 5: fine linear branching
#: 78-86% PPV, fine pleomorphic 53%, coarse heterogeneous 13-20%, amorphous 5-15%, punctate and
#: round rarely malignant). A finding's morphology term is that of its first word in this order.
SUSPICION_ORDER: tuple[Morphology, ...] = (
    Morphology.FINE_LINEAR_BRANCHING,
    Morphology.FINE_PLEOMORPHIC,
    Morphology.COARSE_HETEROGENEOUS,
    Morphology.AMORPHOUS,
    Morphology.PUNCTATE,
    Morphology.ROUND,
)
_CLEARLY_BENIGN = frozenset(Morphology) - frozenset(SUSPICION_ORDER)

FEATURE_NAMES: tuple[str, ...] = (
    *(f"worst:{m.name}" for m in SUSPICION_ORDER),
    "benign_descriptor_only",
    *(f"distribution:{d.name}" for d in Distribution),
    "morphology_missing",
    "distribution_missing",
    "ductal_round_or_punctate",
)
#: Features whose fitted coefficient is held at or below 0 (see ``_risk_fit``), in the bootstrap
#: refits too: both shrink as a suspicious call firms up, so a positive weight would make a firmer
#: suspicious call lower the probability. The interaction must only temper the ductal
#: distributions' weight for round or punctate calcifications; a typically benign form counts
#: only where nothing suspicious is present (always fitted negative so far: -3.1 to -1.9).
NON_POSITIVE_FEATURES: tuple[str, ...] = ("ductal_round_or_punctate", "benign_descriptor_only")

INTERVAL_LEVEL = 0.90
"""Coverage of the probability interval (bootstrap percentiles 5 and 95)."""

# Image evidence (features of mammocalc._evidence, each non-decreasing as members are added):
# name -> (logit weight, centre, scale, low, high): clip((g(x) - centre) / scale, low, high)
# with g = log2 for counts and ratios. All weights >= 0, so the shift is monotone in every input.
# Centres sit at a typical cluster, so typical evidence leaves the descriptor probability as is.
EVIDENCE_PRIORS: dict[str, tuple[float, float, float, float, float]] = {
    # more calcifications: log2 count, centred at 8
    "n": (0.25, 3.0, 1.0, -1.0, 2.0),
    # > 20 per cm^2 suggests malignancy, < 10 benign (De Lafontan; reference section 4)
    "local_density_per_cm2": (0.25, float(np.log2(15.0)), 1.0, -1.0, 1.0),
    # pleomorphism: largest / smallest diameter, centred at 2.5-fold
    "size_ratio": (0.3, float(np.log2(2.5)), 1.0, -1.0, 1.0),
    # fine linear members (casting of a duct), centred at 1
    "n_linear": (0.4, 1.0, 2.0, -0.5, 1.5),
    # branching: largest angle between linear members (degrees), centred at 15
    "linear_spread_deg": (0.3, 15.0, 30.0, -0.5, 1.0),
}
_LOG2_EVIDENCE = frozenset({"n", "local_density_per_cm2", "size_ratio"})
EVIDENCE_LIMIT_LOGIT = 1.0
"""The image evidence moves the calibrated logit by at most this much either way."""


def descriptor_vector(
    morphology: Sequence[Morphology] | Mapping[Morphology, float],
    distributions: Sequence[Distribution],
) -> np.ndarray:
    """Encode descriptors as the model's feature vector, shape (len(FEATURE_NAMES),), float64.

    Parameters
    ----------
    morphology : sequence of Morphology, or mapping Morphology -> presence in [0, 1]
        Words (each fully present), or each called descriptor with how firmly it is present
        (:func:`descriptor_presence`). With presences the "most suspicious descriptor" one-hot
        becomes soft: its entry for the j-th word of :data:`SUSPICION_ORDER` is
        ``S_j - S_(j-1)``, where ``S_j`` is the largest presence among the first j words, and
        the rest of the weight, ``1 - S_n``, stays on the intercept ("not described firmly").
        Raising the presence of any word whose coefficient is >= 0 (fine linear branching
        first) therefore never lowers the logit, and presences of 0 or 1 give the words'
        encoding exactly.
    distributions : sequence of Distribution
    """
    presence = (
        {Morphology(m): float(v) for m, v in morphology.items()}
        if isinstance(morphology, Mapping)
        else {Morphology(m): 1.0 for m in morphology}
    )
    values: list[float] = []
    reached = 0.0  # S_(j-1)
    for m in SUSPICION_ORDER:
        now = max(reached, presence.get(m, 0.0))
        values.append(now - reached)
        reached = now
    # a typically benign form counts only where nothing suspicious is present: the most
    # suspicious form decides (BI-RADS), and CBIS-DDSM has no fine linear branching, coarse
    # heterogeneous or amorphous description with a benign word (2 fine pleomorphic ones)
    benign = max((v for m, v in presence.items() if m in _CLEARLY_BENIGN), default=0.0)
    suspicious = max((v for m, v in presence.items() if m in SUSPICIOUS_MORPHOLOGIES), default=0.0)
    values.append(benign * (1.0 - suspicious))
    dists = {Distribution(d) for d in distributions}
    values.extend(float(d in dists) for d in Distribution)
    values.extend([float(not presence), float(not dists)])
    # round or punctate as the most suspicious form, in a ductal distribution: the additive
    # distribution term is learned mostly from fine linear and pleomorphic castings
    low_form = (
        values[SUSPICION_ORDER.index(Morphology.PUNCTATE)]
        + values[SUSPICION_ORDER.index(Morphology.ROUND)]
    )
    values.append(low_form * float(bool(dists & DUCTAL_DISTRIBUTIONS)))
    return np.asarray(values, dtype=np.float64)


def descriptor_presence(confidence: float) -> float:
    """How firmly a called descriptor enters the probability, in [0, 1], from its confidence.

    0 up to ``RISK_IGNORE_CONFIDENCE`` (a call one calcification could make), rising linearly
    to 1 at ``RISK_MIN_CONFIDENCE``; non-decreasing, so a firmer call never weighs less.
    """
    low, full = t.RISK_IGNORE_CONFIDENCE, t.RISK_MIN_CONFIDENCE
    return float(np.clip((confidence - low) / (full - low), 0.0, 1.0))


def evidence_logit(features: Mapping[str, float] | None) -> float:
    """Logit shift from measured image evidence, monotone non-decreasing in every input.

    Parameters
    ----------
    features : mapping or None
        Evidence named in :data:`EVIDENCE_PRIORS` (``n``, ``local_density_per_cm2``,
        ``size_ratio``, ``n_linear``, ``linear_spread_deg``); missing or non-finite ones add
        nothing, other keys are ignored.

    Returns
    -------
    float
        In [-EVIDENCE_LIMIT_LOGIT, EVIDENCE_LIMIT_LOGIT].
    """
    if not features:
        return 0.0
    total = 0.0
    for name, (weight, centre, scale, low, high) in EVIDENCE_PRIORS.items():
        value = features.get(name)
        if value is None or not np.isfinite(value):
            continue
        if name in _LOG2_EVIDENCE:
            value = float(np.log2(max(value, 1e-6)))
        total += weight * float(np.clip((value - centre) / scale, low, high))
    return float(np.clip(total, -EVIDENCE_LIMIT_LOGIT, EVIDENCE_LIMIT_LOGIT))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, elementwise, numerically safe."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64))))


@dataclass(frozen=True)
class RiskModel:
    """A fitted descriptor model: ridge logistic regression, Platt map, bootstrap ensemble.

    Attributes
    ----------
    intercept : float
    coef : ndarray, shape (n_features,)
    platt : (a, b)
        Calibrated logit = a * raw logit + b, fitted on out-of-fold raw logits.
    bootstrap : ndarray, shape (n_bootstrap, n_features + 1)
        Intercept (column 0) and coefficients refitted on patient-bootstrap resamples.
    """

    intercept: float
    coef: np.ndarray
    platt: tuple[float, float] = (1.0, 0.0)
    bootstrap: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURE_NAMES) + 1)))
    feature_names: tuple[str, ...] = FEATURE_NAMES
    metadata: dict[str, Any] = field(default_factory=dict)

    def calibrated_logit(self, x: np.ndarray) -> np.ndarray:
        """Calibrated logit of rows ``x``, shape (n, n_features) -> (n,)."""
        raw = np.atleast_2d(x) @ self.coef + self.intercept
        return np.asarray(self.platt[0] * raw + self.platt[1])

    def ensemble_logits(self, x: np.ndarray) -> np.ndarray:
        """Calibrated logits under each bootstrap member, shape (n_bootstrap, n)."""
        raw = self.bootstrap[:, 1:] @ np.atleast_2d(x).T + self.bootstrap[:, :1]
        return np.asarray(self.platt[0] * raw + self.platt[1])

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_json` reads back."""
        return {
            "feature_names": list(self.feature_names),
            "intercept": self.intercept,
            "coef": [float(c) for c in self.coef],
            "platt": list(self.platt),
            "interval_level": INTERVAL_LEVEL,
            "bootstrap": [[round(float(v), 6) for v in row] for row in self.bootstrap],
            "metadata": self.metadata,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RiskModel:
        """Rebuild a model written by :meth:`to_json`; the feature names must match this code."""
        names = tuple(data["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(
                "risk model file has features "
                f"{names}, this code expects {FEATURE_NAMES}; rerun scripts/train_risk_model.py."
            )
        boot = np.asarray(data.get("bootstrap", []), dtype=np.float64)
        return cls(
            intercept=float(data["intercept"]),
            coef=np.asarray(data["coef"], dtype=np.float64),
            platt=(float(data["platt"][0]), float(data["platt"][1])),
            bootstrap=boot.reshape(-1, len(names) + 1),
            metadata=dict(data.get("metadata", {})),
        )


@lru_cache(maxsize=1)
def shipped_model() -> RiskModel:
    """The model in ``mammocalc/weights/risk_descriptor.json`` (read once)."""
    text = resources.files("mammocalc").joinpath("weights/risk_descriptor.json").read_text()
    return RiskModel.from_json(json.loads(text))


def is_suspicious(morphology: Sequence[Morphology]) -> bool:
    """True when any descriptor is in the lexicon's suspicious group."""
    return any(Morphology(m) in SUSPICIOUS_MORPHOLOGIES for m in morphology)
