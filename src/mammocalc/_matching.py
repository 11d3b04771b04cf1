"""Matching the same finding on the CC and MLO views of one breast.

A lesion lies at about the same distance from the nipple on both views (the nipple is the one
landmark both projections share), is of the same kind, and shows a similar number of
calcifications and the same leading descriptor. Pairs are taken greedily, best first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mammocalc import _thresholds as t
from mammocalc.models import Finding
from mammocalc.vocabulary import Morphology, View

CRANIOCAUDAL_VIEWS = frozenset({View.CC, View.XCCL, View.XCCM})
LATERAL_VIEWS = frozenset({View.MLO, View.ML, View.LM})

_DESCRIPTOR_MISMATCH_MM = 5.0
"""Cost added, in mm of nipple distance, when the two leading descriptors differ."""


def match_cost(a: Finding, b: Finding) -> float | None:
    """Dissimilarity of two findings in mm, or None when they cannot be the same lesion."""
    if a.kind != b.kind:
        return None
    da = a.features.get("distance_to_nipple_mm")
    db = b.features.get("distance_to_nipple_mm")
    if da is None or db is None or not (np.isfinite(da) and np.isfinite(db)):
        return None
    difference_mm = abs(da - db)
    if difference_mm > t.MATCH_MAX_NIPPLE_DIFFERENCE_MM:
        return None
    if abs(np.log2(max(a.count, 1) / max(b.count, 1))) > t.MATCH_MAX_LOG2_COUNT_RATIO:
        return None
    lead_a, lead_b = _shape_lead(a), _shape_lead(b)
    return float(difference_mm + (_DESCRIPTOR_MISMATCH_MM if lead_a != lead_b else 0.0))


def _shape_lead(finding: Finding) -> Morphology | None:
    """The leading descriptor from the finding's form: a skin call put first by place alone
    (``skin_by_place``) is passed over, as the distance to the skin line differs between views."""
    calls = finding.morphology
    if finding.features.get("skin_by_place", 0.0) >= 0.5:
        calls = calls[1:]
    return calls[0].descriptor if calls else None


def match_views(
    craniocaudal: Sequence[Finding], lateral: Sequence[Finding]
) -> list[tuple[str, str]]:
    """Pairs (CC finding id, MLO finding id) of the same lesion, each finding in one pair at most.

    Parameters
    ----------
    craniocaudal, lateral : sequence of Finding
        The findings of one breast on its CC-type and MLO-type views.
    """
    candidates = []
    for a in craniocaudal:
        for b in lateral:
            cost = match_cost(a, b)
            if cost is not None:
                candidates.append((cost, a.id, b.id))
    pairs: list[tuple[str, str]] = []
    used: set[str] = set()
    for _, id_a, id_b in sorted(candidates):
        if id_a not in used and id_b not in used:
            pairs.append((id_a, id_b))
            used.update((id_a, id_b))
    return pairs
