"""BI-RADS morphology from measured calcifications: one class per calcification, calls per finding.

Each calcification gets a class from a small learned classifier (multinomial logistic regression
on size and shape measures, trained on simulator images by ``scripts/train_morphology_model.py``,
shipped as ``weights/morphology.json``), or, when that file is absent, from transparent size and
shape rules from the lexicon (reference section 3; thresholds in :mod:`mammocalc._thresholds`).
A finding's descriptors are the classes shown by at least ``CALL_MIN_COUNT`` members (so adding
calcifications never removes a call), plus "fine pleomorphic" when the sizes vary strongly. Each
call's confidence grows with the number of members that show it and falls with the classifier's
uncertainty and when the calcifications are too few pixels across to show their shape. In a
cluster fine pleomorphic by shape is also scaled by the share of suspicious members: it is the
group's impression, which a few noisy outlines among many round specks do not make.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from mammocalc import _thresholds as t
from mammocalc._group_features import equivalent_diameter_mm
from mammocalc._milk import is_teacup
from mammocalc.models import Calcification, MorphologyCall
from mammocalc.vocabulary import SUSPICIOUS_MORPHOLOGIES, FindingKind, Morphology

MEMBER_FEATURES: tuple[str, ...] = (
    "log_diameter_mm",
    "log_elongation",
    "circularity",
    "solidity",
    "log_width_mm",
    "log_length_mm",
    "log_cnr",
    "log_diameter_px",
)
"""Inputs of the learned per-calcification classifier (``weights/morphology.json``).

Geometry, pixel size and CNR only: the relative contrast depends on dose, density and detector
(and added nothing on simulator images), and the lucent-centre flag was never set by ``detect``
when the model was last trained (it is since 2026-12-07), so a model could not learn it; the
rules use it for rim and skin.
"""


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
        float(np.log(max(c.diameter_mm / spacing_mm, tiny))),
    ]


def _irregular(c: Calcification, spacing_mm: float | None = None) -> bool:
    """Angular or elongated (not linear) outline: circularity, solidity or axis ratio.

    With ``spacing_mm``, an axis ratio counts only when the length exceeds the width by
    ``IRREGULAR_MIN_EXCESS_PX`` pixels (a 2 x 3 pixel dot has ratio 1.5 but is not elongated).
    """
    elongated = c.shape.elongation >= t.IRREGULAR_MIN_ELONGATION
    if elongated and spacing_mm is not None:
        excess_px = (c.shape.length_mm - c.shape.width_mm) / spacing_mm
        elongated = excess_px >= t.IRREGULAR_MIN_EXCESS_PX
    return (
        c.shape.circularity < t.IRREGULAR_MAX_CIRCULARITY
        or c.shape.solidity < t.IRREGULAR_MAX_SOLIDITY
        or elongated
    )


def classify_calcification(
    c: Calcification, *, near_skin: bool = False, spacing_mm: float | None = None
) -> Morphology:
    """The morphology class of one calcification from its size (mm) and shape.

    Parameters
    ----------
    c : Calcification
    near_skin : bool
        True when the calcification is dermal: within ``SKIN_MAX_DISTANCE_MM`` of the skin line,
        or in a cluster with ``DERMAL_MIN_LUCENT`` lucent-centred members making up at least
        ``DERMAL_MIN_SHARE`` of it.
    spacing_mm : float, optional
        Pixel spacing of the image (mm); when given, an elongation must span
        ``IRREGULAR_MIN_EXCESS_PX`` pixels to make the outline irregular.
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
        return Morphology.DYSTROPHIC if _irregular(c, spacing_mm) else Morphology.ROUND
    if c.diameter_mm < t.AMORPHOUS_MAX_MM and c.cnr < t.AMORPHOUS_MAX_CNR:
        return Morphology.AMORPHOUS
    if _irregular(c, spacing_mm):
        if c.diameter_mm < t.COARSE_HETEROGENEOUS_MIN_MM:
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


@dataclass(frozen=True)
class MorphologyModel:
    """Multinomial logistic regression over :data:`MEMBER_FEATURES` (``weights/morphology.json``).

    Attributes
    ----------
    classes : tuple of Morphology, shape (k,)
    mean, scale : ndarray, shape (f,)
        Standardisation of the features.
    coef : ndarray, shape (k, f)
    intercept : ndarray, shape (k,)
    """

    classes: tuple[Morphology, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of feature rows ``x`` (n, f) -> (n, k)."""
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MorphologyModel:
        """Read the dict written by ``scripts/train_morphology_model.py``."""
        if tuple(data["features"]) != MEMBER_FEATURES:
            raise ValueError(
                f"morphology model features {data['features']} differ from {MEMBER_FEATURES}; "
                "rerun scripts/train_morphology_model.py."
            )
        return cls(
            classes=tuple(Morphology(c) for c in data["classes"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=np.asarray(data["intercept"], dtype=np.float64),
        )


@lru_cache(maxsize=1)
def shipped_morphology_model() -> MorphologyModel | None:
    """The learned classifier in ``weights/morphology.json``, or None when it is not shipped."""
    path = resources.files("mammocalc").joinpath("weights/morphology.json")
    if not path.is_file():
        return None
    return MorphologyModel.from_json(json.loads(path.read_text()))


def classify_members(
    members: Sequence[Calcification],
    spacing_mm: float,
    *,
    near_skin: bool = False,
    model: MorphologyModel | None = None,
) -> tuple[list[Morphology], list[float]]:
    """Class and certainty (probability of that class; 1 for the rules) of each member.

    The learned ``model`` decides when given; otherwise :func:`classify_calcification`'s rules.
    """
    if model is None:
        labels = [
            classify_calcification(c, near_skin=near_skin, spacing_mm=spacing_mm) for c in members
        ]
        return labels, [1.0] * len(members)
    x = np.asarray([member_features(c, spacing_mm) for c in members])
    p = model.probabilities(x)
    best = p.argmax(axis=1)
    labels = [model.classes[k] for k in best]
    if near_skin:
        labels = [Morphology.SKIN if k == Morphology.RIM else k for k in labels]
    return labels, [float(v) for v in p[np.arange(len(members)), best]]


def morphology_calls(
    members: Sequence[Calcification],
    kind: FindingKind,
    spacing_mm: float,
    *,
    features: Mapping[str, float] | None = None,
    model: MorphologyModel | None = None,
    lateral: bool = False,
) -> list[MorphologyCall]:
    """Descriptors of a finding with confidences, in the order :func:`_call_order` gives:
    the descriptor the finding is described by first.

    A class is called when at least ``CALL_MIN_COUNT`` members show it (all of them when fewer).
    Each member weighs the classifier's certainty times the shape reliability at this spacing.
    In a cluster the ``CONFIDENT_COUNT`` most certain members showing a form vote on it
    (:func:`_call_confidence`), so adding calcifications never lowers a call's confidence; in
    other findings it is their mean weight. The exception: a cluster's fine pleomorphic (by
    shape) and coarse heterogeneous calls are scaled by :func:`_irregular_strength` (the share of
    suspicious members), so a member of a form that is not suspicious may weaken them when it
    joins; a suspicious one never does.
    A cluster with at least ``DERMAL_MIN_LUCENT`` lucent-centred members, ``DERMAL_MIN_SHARE`` of
    all, is dermal: those members are skin
    calcifications and skin leads the calls when firm (lucent centres mark skin calcifications,
    or rims; the other members are most likely the same deposits seen less clearly). Place
    alone is added by :func:`skin_by_place`.

    Parameters
    ----------
    members : sequence of Calcification
        The finding's calcifications (may be empty: then only ``kind`` speaks).
    kind : FindingKind
    spacing_mm : float
        Pixel spacing of the image (mm).
    features : mapping, optional
        Finding features; ``distance_to_skin_mm`` marks dermal calcifications.
    model : MorphologyModel, optional
        Per-calcification classifier (:func:`shipped_morphology_model`); None: the size and
        shape rules of :func:`classify_calcification`.
    lateral : bool
        The image is a lateral view (MLO, ML, LM): a macrocalcification whose main pieces are
        mostly teacups (:func:`mammocalc._milk.is_teacup`) is milk of calcium.
    """
    if kind == FindingKind.VASCULAR:
        return [MorphologyCall(descriptor=Morphology.VASCULAR, confidence=0.9)]
    near_skin = (features or {}).get("distance_to_skin_mm", np.inf) <= t.SKIN_MAX_DISTANCE_MM
    dermal = kind == FindingKind.CLUSTER and is_dermal(members)
    body_mm = (features or {}).get("body_diameter_mm", 0.0)
    if kind == FindingKind.MACROCALCIFICATION and (features or {}).get("lucent_centre", 0) >= 0.5:
        # a hollow body (group stage): a shell; when its inside is at the tissue's level it may
        # also be a loop of thread, named second (an eggshell around fat is far more common),
        # or first when a strand crosses the loop (a knot): then the shell is named second
        form = Morphology.SKIN if near_skin else Morphology.RIM
        if (features or {}).get("strand_across", 0) >= 0.5:  # a knotted thread: suture first
            return [
                MorphologyCall(descriptor=Morphology.SUTURE, confidence=t.BODY_CALL_CONFIDENCE),
                MorphologyCall(descriptor=form, confidence=t.OPEN_LOOP_CONFIDENCE),
            ]
        shell = [MorphologyCall(descriptor=form, confidence=t.BODY_CALL_CONFIDENCE)]
        if (features or {}).get("open_loop", 0) >= 0.5:
            loop = MorphologyCall(descriptor=Morphology.SUTURE, confidence=t.OPEN_LOOP_CONFIDENCE)
            return [*shell, loop]
        return shell
    if kind == FindingKind.MACROCALCIFICATION:
        if lateral and _sediment(members):
            return [
                MorphologyCall(
                    descriptor=Morphology.MILK_OF_CALCIUM, confidence=t.BODY_CALL_CONFIDENCE
                )
            ]
        if not _main_pieces(members) and body_mm >= t.COARSE_MIN_MM:
            # only small pieces around a large sharp body (group stage): a coarse calcification
            return [MorphologyCall(descriptor=Morphology.COARSE, confidence=t.BODY_CALL_CONFIDENCE)]
        if members and not _main_pieces(members):
            # pieces under 1 mm of one calcification (the group stage joined them): the whole
            return [MorphologyCall(descriptor=_whole(members), confidence=t.BODY_CALL_CONFIDENCE)]
        members = _main_pieces(members)
    if not members:
        return []
    classes, certainty = classify_members(
        members, spacing_mm, near_skin=near_skin or dermal, model=model
    )
    if kind == FindingKind.MACROCALCIFICATION:
        classes = _popcorn_lobes(classes, members, (features or {}).get("extent_mm", 0.0))
        classes = _irregular_plate(classes, members)
    weight = [
        certainty[i] * shape_reliability(c.diameter_mm, spacing_mm) for i, c in enumerate(members)
    ]
    calls: dict[Morphology, tuple[float, int]] = {}
    for label in dict.fromkeys(classes):
        rows = [i for i, k in enumerate(classes) if k == label]
        if len(rows) < min(t.CALL_MIN_COUNT, len(members)):
            continue
        calls[label] = (_call_confidence([weight[i] for i in rows], kind), len(rows))
    if kind == FindingKind.CLUSTER:
        for label in _IMPRESSION_FORMS.keys() & calls.keys():
            confidence, count = calls[label]
            calls[label] = (confidence * _irregular_strength(classes, weight, label), count)
    pleomorphic = _pleomorphism_confidence(members, classes, weight)
    if pleomorphic > calls.get(Morphology.FINE_PLEOMORPHIC, (0.0, 0))[0]:
        calls[Morphology.FINE_PLEOMORPHIC] = (pleomorphic, 0)
    if not calls:  # no class reaches the count: report the commonest, with its low confidence
        label = max(dict.fromkeys(classes), key=classes.count)
        rows = [i for i, k in enumerate(classes) if k == label]
        # in a cluster it rests on one member: at most 1 / CONFIDENT_COUNT
        share = 1.0 if kind == FindingKind.CLUSTER else len(rows) / len(members)
        calls[label] = (_call_confidence([weight[i] for i in rows], kind) * share, len(rows))
    first = Morphology.SKIN if dermal else None
    ordered = sorted(calls.items(), key=lambda kv: _call_order(kv[0], *kv[1], first=first))
    made = [MorphologyCall(descriptor=m, confidence=round(c, 4)) for m, (c, _) in ordered]
    # a call of confidence 0 (shown only by specks too small to show a shape, or scaled away)
    # says nothing to the reader; the first call stays, whatever its confidence
    return made[:1] + [c for c in made[1:] if c.confidence > 0.0]


def skin_by_place(
    calls: Sequence[MorphologyCall], kind: FindingKind, features: Mapping[str, float]
) -> tuple[list[MorphologyCall], bool]:
    """Call skin first, by its place, a small macrocalcification at the skin line.

    A macrocalcification first called coarse, round or dystrophic, at most
    ``SKIN_BY_PLACE_MAX_MM`` across (``extent_mm``), within ``SKIN_MAX_DISTANCE_MM`` of the skin
    line (``distance_to_skin_mm``), is most likely in the skin: a small saturated ring shows no
    lucent centre, and one at the skin line is far likelier dermal than a fibroadenoma's popcorn.
    Skin leads with ``SKIN_BY_PLACE_CONFIDENCE`` (or the confidence of a skin call already made,
    which moves to the front); the shape's calls follow. Forms the shape ties down (rim,
    rod-like, milk of calcium, suture) and clusters keep their calls.

    Parameters
    ----------
    calls : sequence of MorphologyCall
        The finding's calls from its forms (:func:`morphology_calls`), first call first.
    kind : FindingKind
    features : mapping
        The grouping stage's features (``distance_to_skin_mm``, ``extent_mm`` in mm).

    Returns
    -------
    calls : list of MorphologyCall
    by_place : bool
        Whether skin was put first by place.

    Examples
    --------
    >>> from mammocalc.vocabulary import FindingKind, Morphology
    >>> coarse = [MorphologyCall(descriptor=Morphology.COARSE, confidence=1.0)]
    >>> near = {"distance_to_skin_mm": 3.0, "extent_mm": 2.2}
    >>> calls, by_place = skin_by_place(coarse, FindingKind.MACROCALCIFICATION, near)
    >>> [c.descriptor.value for c in calls], by_place
    (['skin', 'coarse or popcorn-like'], True)
    """
    distance_mm = features.get("distance_to_skin_mm", np.inf)
    extent_mm = features.get("extent_mm", np.inf)
    placed = (
        kind == FindingKind.MACROCALCIFICATION
        and bool(calls)
        and calls[0].descriptor in _NONSPECIFIC_MACRO_FORMS
        and distance_mm <= t.SKIN_MAX_DISTANCE_MM
        and extent_mm <= t.SKIN_BY_PLACE_MAX_MM
    )
    if not placed:
        return list(calls), False
    made = [c.confidence for c in calls if c.descriptor == Morphology.SKIN]
    confidence = max([t.SKIN_BY_PLACE_CONFIDENCE, *made])
    rest = [c for c in calls if c.descriptor != Morphology.SKIN]
    return [MorphologyCall(descriptor=Morphology.SKIN, confidence=confidence), *rest], True


_NONSPECIFIC_MACRO_FORMS = frozenset({Morphology.COARSE, Morphology.ROUND, Morphology.DYSTROPHIC})


def is_dermal(members: Sequence[Calcification]) -> bool:
    """At least ``DERMAL_MIN_LUCENT`` members, and ``DERMAL_MIN_SHARE`` of them, have lucent
    centres: skin calcifications."""
    lucent = sum(c.lucent_centre for c in members)
    return lucent >= t.DERMAL_MIN_LUCENT and lucent >= t.DERMAL_MIN_SHARE * len(members)


def _call_order(
    label: Morphology, confidence: float, count: int, *, first: Morphology | None = None
) -> tuple[bool, bool, float, int]:
    """Sort key of the calls: ``first`` (a dermal cluster's skin) leads when called with at
    least ``MIN_DESCRIPTOR_CONFIDENCE``; then, as
    BI-RADS describes a finding by its most suspicious form, a suspicious call of at least
    ``MIN_DESCRIPTOR_CONFIDENCE``; then by confidence, then by the number of members showing
    the form."""
    firm = confidence >= t.MIN_DESCRIPTOR_CONFIDENCE
    leads = label in SUSPICIOUS_MORPHOLOGIES and firm
    return (not (label == first and firm), not leads, -confidence, -count)


def _popcorn_lobes(
    classes: Sequence[Morphology], pieces: Sequence[Calcification], extent_mm: float
) -> list[Morphology]:
    """Round pieces of one macrocalcification are the lobes of a coarse (popcorn-like) one.

    When at least ``POPCORN_MIN_LOBES`` main pieces make one calcification of at least
    ``COARSE_MIN_MM`` (the finding's extent), the round ones are called coarse or popcorn-like:
    a popcorn calcification is a clump of dense lobes, each of which looks round on its own.
    """
    lobes = sum(c.diameter_mm >= t.DYSTROPHIC_MIN_MM for c in pieces)
    if lobes < t.POPCORN_MIN_LOBES or extent_mm < t.COARSE_MIN_MM:
        return list(classes)
    return [Morphology.COARSE if k == Morphology.ROUND else k for k in classes]


def _irregular_plate(
    classes: Sequence[Morphology], pieces: Sequence[Calcification]
) -> list[Morphology]:
    """One coarse piece with an irregular outline (solidity below ``PLATE_MAX_SOLIDITY``) is a
    dystrophic calcification, "coarse, irregular", rather than coarse or popcorn-like."""
    if len(pieces) != 1 or classes[0] != Morphology.COARSE:
        return list(classes)
    irregular = pieces[0].shape.solidity < t.PLATE_MAX_SOLIDITY
    return [Morphology.DYSTROPHIC] if irregular else list(classes)


def _whole(pieces: Sequence[Calcification]) -> Morphology:
    """The form of one macrocalcification the detector outlined as pieces under
    ``DYSTROPHIC_MIN_MM``: several pieces make an irregular outline, dystrophic once their
    equivalent diameter reaches ``DYSTROPHIC_MIN_MM``; else round."""
    if len(pieces) > 1 and equivalent_diameter_mm(pieces) >= t.DYSTROPHIC_MIN_MM:
        return Morphology.DYSTROPHIC
    return Morphology.ROUND


def _sediment(members: Sequence[Calcification]) -> bool:
    """At least ``TEACUP_MIN_SHARE`` of the main pieces are teacups (milk of calcium seen from
    the side, :func:`mammocalc._milk.is_teacup`)."""
    pieces = _main_pieces(members)
    cups = sum(is_teacup(c) for c in pieces)
    return bool(pieces) and cups >= t.TEACUP_MIN_SHARE * len(pieces)


def _main_pieces(members: Sequence[Calcification]) -> list[Calcification]:
    """The pieces of a macrocalcification that show its form: those of at least
    ``DYSTROPHIC_MIN_MM`` (maybe none); the small fragments around a coarse core say nothing of
    its shape."""
    return [c for c in members if c.diameter_mm >= t.DYSTROPHIC_MIN_MM]


def _call_confidence(weights: Sequence[float], kind: FindingKind) -> float:
    """Confidence of a call from its members' weights (see :func:`morphology_calls`).

    For a cluster, the ``CONFIDENT_COUNT`` (k) most certain members showing the form vote:
    ``(1 - prod(1 - w_i)) * m / k`` over those m <= k members, the chance that at least one of
    them shows it if they erred independently, scaled down while fewer than k show it (one
    member gives at most 1/k). Several members agreeing firm a call that no single one makes
    surely; the value never falls when a member is added. A member of weight 0 (too few pixels
    across to show a shape, :func:`shape_reliability`) does not count among the m. Other
    findings: the mean weight.
    """
    if kind != FindingKind.CLUSTER:
        return float(np.mean(weights))
    best = [w for w in sorted(weights, reverse=True)[: t.CONFIDENT_COUNT] if w > 0.0]
    doubt = float(np.prod([1.0 - w for w in best]))
    return (1.0 - doubt) * len(best) / t.CONFIDENT_COUNT


#: Calls scaled by :func:`_irregular_strength`, with the share ramp of each (none, full): a
#: group's fine pleomorphic or coarse heterogeneous impression needs more than a few members
#: (docs/triage.md).
_IMPRESSION_FORMS: dict[Morphology, tuple[float, float]] = {
    Morphology.FINE_PLEOMORPHIC: (t.IRREGULAR_SHARE_NONE, t.IRREGULAR_SHARE_FULL),
    Morphology.COARSE_HETEROGENEOUS: (t.COARSE_SHARE_NONE, t.COARSE_SHARE_FULL),
}


def _irregular_strength(
    classes: Sequence[Morphology], weight: Sequence[float], form: Morphology
) -> float:
    """How far the share of suspicious members supports a cluster's ``form`` call, in [0, 1].

    The share counts members of weight above 0 (those that can show a shape) whose class is
    suspicious (:data:`SUSPICIOUS_MORPHOLOGIES`); the strength ramps from 0 to 1 between the
    form's two shares in :data:`_IMPRESSION_FORMS`. Adding a suspicious member never lowers it;
    adding one of a form that is not suspicious may.
    """
    shown = [k for k, w in zip(classes, weight, strict=True) if w > 0.0]
    if not shown:
        return 0.0
    share = sum(k in SUSPICIOUS_MORPHOLOGIES for k in shown) / len(shown)
    none, full = _IMPRESSION_FORMS[form]
    return float(np.clip((share - none) / (full - none), 0.0, 1.0))


def _pleomorphism_confidence(
    members: Sequence[Calcification], classes: Sequence[Morphology], weight: Sequence[float]
) -> float:
    """Confidence that small, non-linear members vary enough in size to be fine pleomorphic.

    Size variation is the second-largest over the second-smallest diameter of the small
    members (one outlier at either end does not count); like the call confidence
    (:func:`_call_confidence`) it can only grow when calcifications are added.
    """
    small = [
        i
        for i, (c, k) in enumerate(zip(members, classes, strict=True))
        if k in (Morphology.PUNCTATE, Morphology.FINE_PLEOMORPHIC, Morphology.AMORPHOUS)
        or (k == Morphology.ROUND and c.diameter_mm < t.DYSTROPHIC_MIN_MM)
    ]
    if len(small) < t.PLEOMORPHIC_MIN_MEMBERS:
        return 0.0
    diameters = np.sort([members[i].diameter_mm for i in small])
    ratio = float(diameters[-2] / max(diameters[1], 1e-6))
    if ratio < t.PLEOMORPHIC_MIN_SIZE_RATIO:
        return 0.0
    strength = min(1.0, np.log(ratio) / (2.0 * np.log(t.PLEOMORPHIC_MIN_SIZE_RATIO)))
    return _call_confidence([weight[i] for i in small], FindingKind.CLUSTER) * float(strength)
