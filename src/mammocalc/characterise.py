"""Characterise a finding: BI-RADS morphology calls and a calibrated malignancy probability.

``characterise`` turns the grouping stage's finding into one with ``morphology`` (several
descriptors when the calcifications are mixed, each with a confidence), a malignancy probability
with its 90% interval, and extra ``features``; categories come later, in :mod:`mammocalc.assess`.
``descriptor_risk`` is the same probability from descriptor words, as the CBIS-DDSM evaluation
uses it. Model: :mod:`mammocalc._risk`; rules: :mod:`mammocalc._morphology`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mammocalc import _thresholds as t
from mammocalc._evidence import evidence_features
from mammocalc._matching import LATERAL_VIEWS
from mammocalc._morphology import (
    is_dermal,
    morphology_calls,
    shipped_morphology_model,
    skin_by_place,
)
from mammocalc._risk import (
    INTERVAL_LEVEL,
    RiskModel,
    descriptor_presence,
    descriptor_vector,
    evidence_logit,
    shipped_model,
    sigmoid,
)
from mammocalc.models import Calcification, Finding, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import Distribution, FindingKind, Morphology

__all__ = ["RiskEstimate", "characterise", "descriptor_risk"]


@dataclass(frozen=True)
class RiskEstimate:
    """A malignancy probability with its uncertainty.

    Attributes
    ----------
    probability : float
        Calibrated probability of malignancy, in [0, 1].
    interval : (low, high)
        ``level`` (90%) interval from the bootstrap ensemble of the model's coefficients.
    level : float
        Coverage of ``interval``.
    descriptor_probability : float
        The probability from the descriptor words alone (no image evidence).
    evidence_logit : float
        Shift of the logit from the measured image evidence.
    """

    probability: float
    interval: tuple[float, float]
    level: float = INTERVAL_LEVEL
    descriptor_probability: float = float("nan")
    evidence_logit: float = 0.0


def descriptor_risk(
    morphology: Sequence[Morphology | str] | Mapping[Morphology, float],
    distribution: Distribution | str | Sequence[Distribution | str] | None,
    features: Mapping[str, float] | None = None,
    *,
    model: RiskModel | None = None,
) -> RiskEstimate:
    """Malignancy probability from BI-RADS descriptors, and from image evidence when given.

    Parameters
    ----------
    morphology : sequence of Morphology or str, or mapping Morphology -> presence in [0, 1]
        The descriptors present (empty: not described), or each called descriptor with how
        firmly it is present (:func:`mammocalc._risk.descriptor_presence` of its confidence).
    distribution : Distribution, str, sequence of them, or None
        The distribution (CBIS-DDSM sometimes gives two, e.g. grouped and linear).
    features : mapping, optional
        Measured evidence (``n``, ``local_density_per_cm2``, ``size_ratio``, ``n_linear``,
        ``linear_spread_deg``; see :mod:`mammocalc._evidence`); each can only raise the
        probability as it grows. Other keys are ignored.
    model : RiskModel, optional
        Defaults to the shipped ``weights/risk_descriptor.json``.

    Returns
    -------
    RiskEstimate

    Examples
    --------
    >>> r = descriptor_risk(["fine linear or fine-linear branching"], "linear")
    >>> r.probability > descriptor_risk(["punctate"], "grouped").probability
    True
    """
    model = shipped_model() if model is None else model
    words: list[Morphology] | dict[Morphology, float] = (
        {Morphology(m): float(v) for m, v in morphology.items()}
        if isinstance(morphology, Mapping)
        else [Morphology(m) for m in morphology]
    )
    x = descriptor_vector(words, _distributions(distribution))
    shift = evidence_logit(features)
    descriptor_logit = float(model.calibrated_logit(x)[0])
    probability = float(sigmoid(np.asarray(descriptor_logit + shift)))
    if len(model.bootstrap):
        ensemble = sigmoid(model.ensemble_logits(x)[:, 0] + shift)
        tail = 50.0 * (1.0 - INTERVAL_LEVEL)
        low, high = np.percentile(ensemble, [tail, 100.0 - tail])
        interval = (float(min(low, probability)), float(max(high, probability)))
    else:
        interval = (probability, probability)
    return RiskEstimate(
        probability=probability,
        interval=interval,
        descriptor_probability=float(sigmoid(np.asarray(descriptor_logit))),
        evidence_logit=shift,
    )


def _distributions(
    distribution: Distribution | str | Sequence[Distribution | str] | None,
) -> list[Distribution]:
    if distribution is None:
        return []
    if isinstance(distribution, str):
        return [Distribution(distribution)]
    return [Distribution(d) for d in distribution]


def characterise(
    finding: Finding,
    members: list[Calcification],
    mammogram: Mammogram,
    *,
    settings: Settings | None = None,
) -> Finding:
    """Describe a finding in BI-RADS words and give its malignancy probability.

    Parameters
    ----------
    finding : Finding
        From the grouping stage (kind, distribution, features; no category).
    members : list of Calcification
        The finding's calcifications (``finding.calcification_ids``).
    mammogram : Mammogram
        The image, for its pixel spacing (mm).
    settings : Settings, optional
        Unused for now; accepted so that every stage has the same signature.

    Returns
    -------
    Finding
        A new finding with ``morphology``, ``distribution`` (refined when missing),
        ``malignancy_probability``, ``probability_interval`` (90%) and extended ``features``.
    """
    forms = morphology_calls(
        members,
        finding.kind,
        mammogram.spacing_mm,
        features=finding.features,
        model=shipped_morphology_model(),
        lateral=mammogram.view in LATERAL_VIEWS,
    )
    calls, by_place = skin_by_place(forms, finding.kind, finding.features)
    distribution = _refined_distribution(finding)
    cluster = finding.kind == FindingKind.CLUSTER
    evidence = evidence_features(members, mammogram.spacing_mm) if cluster else {}
    presence = {c.descriptor: descriptor_presence(c.confidence) for c in calls}
    risk = descriptor_risk(presence, distribution, evidence)
    features = {
        **finding.features,
        **evidence,
        **_resolution_features(members, mammogram.spacing_mm),
        "morphology_confidence": max((c.confidence for c in calls), default=0.0),
        "dermal": float(cluster and is_dermal(members)),
        "skin_by_place": float(by_place),
        "descriptor_probability": risk.descriptor_probability,
        "evidence_logit": risk.evidence_logit,
    }
    return finding.model_copy(
        update={
            "morphology": calls,
            "distribution": distribution,
            "malignancy_probability": risk.probability,
            "probability_interval": risk.interval,
            "features": features,
        }
    )


def _refined_distribution(finding: Finding) -> Distribution | None:
    """Keep the grouping stage's distribution; fill it in for clusters and scattered findings."""
    if finding.distribution is not None:
        return finding.distribution
    if finding.kind == FindingKind.CLUSTER:
        return Distribution.GROUPED
    if finding.kind == FindingKind.SCATTERED:
        return Distribution.DIFFUSE
    return None


def _resolution_features(members: Sequence[Calcification], spacing_mm: float) -> dict[str, float]:
    """Pixel spacing and the members' median diameter in pixels (is the image fit to judge?)."""
    features = {"spacing_mm": float(spacing_mm)}
    if members:
        diameter_mm = float(np.median([c.diameter_mm for c in members]))
        features["median_diameter_px"] = diameter_mm / spacing_mm
        features["resolution_fit"] = float(diameter_mm / spacing_mm >= t.MIN_DIAMETER_PX)
    return features
