"""BI-RADS morphology from measured calcifications: one class per calcification, calls per finding.

Transparent size and shape rules from the lexicon (reference section 3), thresholds in
:mod:`mammocalc._thresholds`. A finding's descriptors are the classes shown by at least
``CALL_MIN_COUNT`` members (so adding calcifications never removes a call), plus "fine
pleomorphic" when the sizes vary strongly. Each call's confidence grows with the number of members
that show it and falls when the calcifications are too few pixels across to show their shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mammocalc import _thresholds as t
from mammocalc.models import Calcification, MorphologyCall
from mammocalc.vocabulary import FindingKind, Morphology

MEMBER_FEATURES: tuple[str, ...] = (
    "log_diameter_mm",
    "log_elongation",
    "circularity",
    "solidity",
    "log_width_mm",
    "log_length_mm",
    "log_cnr",
    "contrast",
    "lucent_centre",
    "log_diameter_px",
)
"""Inputs of the learned per-calcification classifier (``weights/morphology.json``)."""


def member_features(c: Calcification, spacing_mm: float) -> list[float]:
    """The :data:`MEMBER_FEATURES` of one calcification (logs of positive sizes)."""
    tiny = 1e-3
    return [
        float(np.log(max(c.diameter_mm, tiny))),
        float(np.log(max(c.shape.elongation, 1.0))),
        float(c.shape.circularity),
        float(c.shape.solidity),
        float(np.log(max(c.shape.width_mm, tiny))),
        float(np.log(max(c.shape.length_mm, tiny))),
        float(np.log(max(c.cnr, tiny))),
        float(c.contrast),
        float(c.lucent_centre),
        float(np.log(max(c.diameter_mm / spacing_mm, tiny))),
    ]


def _irregular(c: Calcification) -> bool:
    return (
        c.shape.circularity < t.IRREGULAR_MAX_CIRCULARITY
        or c.shape.solidity < t.IRREGULAR_MAX_SOLIDITY
    )


def classify_calcification(c: Calcification, *, near_skin: bool = False) -> Morphology:
    """The morphology class of one calcification from its size (mm) and shape.

    Parameters
    ----------
    c : Calcification
    near_skin : bool
        True when the calcification lies within ``SKIN_MAX_DISTANCE_MM`` of the skin line.
    """
    if c.lucent_centre:
        return Morphology.SKIN if near_skin else Morphology.RIM
    linear = c.shape.elongation >= t.LINEAR_MIN_ELONGATION
    if linear and c.shape.width_mm >= t.ROD_MIN_WIDTH_MM:
        return Morphology.LARGE_ROD_LIKE
    if linear and c.shape.width_mm < t.FINE_MAX_WIDTH_MM:
        return Morphology.FINE_LINEAR_BRANCHING
    if c.diameter_mm >= t.COARSE_MIN_MM:
        return Morphology.COARSE
    if c.diameter_mm >= t.DYSTROPHIC_MIN_MM:
        return Morphology.DYSTROPHIC if _irregular(c) else Morphology.ROUND
    if c.diameter_mm < t.AMORPHOUS_MAX_MM and c.cnr < t.AMORPHOUS_MAX_CNR:
        return Morphology.AMORPHOUS
    if _irregular(c):
        if c.diameter_mm < t.PUNCTATE_MAX_MM:
            return Morphology.FINE_PLEOMORPHIC
        return Morphology.COARSE_HETEROGENEOUS
    return Morphology.PUNCTATE if c.diameter_mm < t.PUNCTATE_MAX_MM else Morphology.ROUND


def shape_reliability(diameter_mm: float, spacing_mm: float) -> float:
    """How well a calcification of this size shows its shape at this spacing, in [0, 1].

    0 at ``MIN_DIAMETER_PX`` pixels across or fewer, 1 from ``SHAPE_RELIABLE_PX`` pixels.
    """
    diameter_px = diameter_mm / spacing_mm
    span = t.SHAPE_RELIABLE_PX - t.MIN_DIAMETER_PX
    return float(np.clip((diameter_px - t.MIN_DIAMETER_PX) / span, 0.0, 1.0))


def morphology_calls(
    members: Sequence[Calcification],
    kind: FindingKind,
    spacing_mm: float,
    *,
    features: Mapping[str, float] | None = None,
) -> list[MorphologyCall]:
    """Descriptors of a finding with confidences, most confident first.

    Parameters
    ----------
    members : sequence of Calcification
        The finding's calcifications (may be empty: then only ``kind`` speaks).
    kind : FindingKind
    spacing_mm : float
        Pixel spacing of the image (mm).
    features : mapping, optional
        Finding features; ``distance_to_skin_mm`` marks dermal calcifications.
    """
    if kind == FindingKind.VASCULAR:
        return [MorphologyCall(descriptor=Morphology.VASCULAR, confidence=0.9)]
    if not members:
        return []
    near_skin = (features or {}).get("distance_to_skin_mm", np.inf) <= t.SKIN_MAX_DISTANCE_MM
    classes = [classify_calcification(c, near_skin=near_skin) for c in members]
    reliability = [shape_reliability(c.diameter_mm, spacing_mm) for c in members]
    calls: dict[Morphology, float] = {}
    for label in dict.fromkeys(classes):
        rows = [i for i, k in enumerate(classes) if k == label]
        if len(rows) < min(t.CALL_MIN_COUNT, len(members)):
            continue
        amount = min(1.0, len(rows) / t.CONFIDENT_COUNT) if kind == FindingKind.CLUSTER else 1.0
        calls[label] = amount * float(np.mean([reliability[i] for i in rows]))
    pleomorphic = _pleomorphism_confidence(members, classes, reliability)
    if pleomorphic > calls.get(Morphology.FINE_PLEOMORPHIC, 0.0):
        calls[Morphology.FINE_PLEOMORPHIC] = pleomorphic
    if not calls:  # no class reaches the count: report the commonest, with its low confidence
        label = max(dict.fromkeys(classes), key=classes.count)
        rows = [i for i, k in enumerate(classes) if k == label]
        calls[label] = float(np.mean([reliability[i] for i in rows])) * len(rows) / len(members)
    ordered = sorted(calls.items(), key=lambda kv: -kv[1])
    return [MorphologyCall(descriptor=m, confidence=round(c, 4)) for m, c in ordered]


def _pleomorphism_confidence(
    members: Sequence[Calcification], classes: Sequence[Morphology], reliability: Sequence[float]
) -> float:
    """Confidence that small, non-linear members vary enough in size to be fine pleomorphic."""
    small = [
        i
        for i, (c, k) in enumerate(zip(members, classes, strict=True))
        if k in (Morphology.PUNCTATE, Morphology.FINE_PLEOMORPHIC, Morphology.AMORPHOUS)
        or (k == Morphology.ROUND and c.diameter_mm < t.DYSTROPHIC_MIN_MM)
    ]
    if len(small) < t.PLEOMORPHIC_MIN_MEMBERS:
        return 0.0
    diameters = np.asarray([members[i].diameter_mm for i in small])
    cv = float(diameters.std() / diameters.mean())
    if cv < t.PLEOMORPHIC_MIN_CV:
        return 0.0
    return float(
        np.mean([reliability[i] for i in small]) * min(1.0, cv / (2 * t.PLEOMORPHIC_MIN_CV))
    )
