"""Plain-word reasons built from a finding's measurements ("14 calcifications within 6 mm")."""

from __future__ import annotations

from mammocalc import _thresholds as t
from mammocalc.models import Finding
from mammocalc.vocabulary import Distribution, FindingKind

_DISTRIBUTION_WORDS = {
    Distribution.GROUPED: "in a small group",
    Distribution.LINEAR: "arranged in a line",
    Distribution.SEGMENTAL: "in a segment pointing towards the nipple",
    Distribution.REGIONAL: "spread over a region more than 2 cm across",
    Distribution.DIFFUSE: "scattered through the breast",
}
_BRANCHING_WORDS_FROM = 0.5
"""Branching score (0-1) from which the reason says the line branches."""

_RANGE_WORDS = {
    "3": f"up to {t.P_CATEGORY_3_MAX:.0%}",
    "4A": f"over {t.P_CATEGORY_3_MAX:.0%} up to {t.P_CATEGORY_4A_MAX:.0%}",
    "4B": f"over {t.P_CATEGORY_4A_MAX:.0%} up to {t.P_CATEGORY_4B_MAX:.0%}",
    "4C": f"over {t.P_CATEGORY_4B_MAX:.0%}, below {t.P_CATEGORY_5_MIN:.0%}",
    "5": f"{t.P_CATEGORY_5_MIN:.0%} or more",
}


def _mm(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def describe_finding(finding: Finding) -> list[str]:
    """What was measured, in plain words; one short clause per fact."""
    f = finding.features
    reasons: list[str] = []
    macro = finding.kind == FindingKind.MACROCALCIFICATION
    if macro and finding.count > 1:
        reasons.append(
            f"one calcification in {finding.count} pieces, {_mm(finding.extent_mm)} mm across"
        )
    elif macro:
        size = f.get("body_diameter_mm", f.get("diameter_max_mm", finding.extent_mm))
        reasons.append(f"one calcification {_mm(size)} mm across")
    elif finding.count > 0:
        reasons.append(f"{finding.count} calcifications within {_mm(finding.extent_mm)} mm")
    ratio = f.get("size_ratio")
    if ratio is not None and finding.count > 1 and not macro:
        reasons.append(f"sizes vary {ratio:.1f}-fold")
    if finding.distribution is not None:
        words = _DISTRIBUTION_WORDS[finding.distribution]
        if f.get("branching", 0.0) >= _BRANCHING_WORDS_FROM:
            words += ", with branches"
        reasons.append(words + _distribution_doubt(finding))
    if finding.density_per_cm2 > 0 and finding.count > 1 and not macro:
        reasons.append(f"{finding.density_per_cm2:.0f} per cm^2")
    if finding.morphology:
        calls = ", ".join(
            f"{c.descriptor.value} ({c.confidence:.2f})" for c in finding.morphology[:3]
        )
        reasons.append(f"morphology: {calls}")
    if f.get("skin_by_place", 0.0) >= 0.5:  # characterise put skin first by place alone
        skin_mm = f.get("distance_to_skin_mm", float("nan"))
        reasons.append(f"{_mm(skin_mm)} mm from the skin line, where skin calcifications lie")
    return reasons


def _distribution_doubt(finding: Finding) -> str:
    """The other reading of the distribution and the call's confidence, in brackets ('' when the
    call stands alone): with many conspicuous calcifications around a group, which of the two
    readings came from them."""
    alternative = finding.distribution_alternative
    if alternative is None:
        return ""
    nearby = finding.features.get("calcifications_nearby", 0.0)
    if finding.features.get("read_with_neighbours", 0.0) < 0.5:
        text = f"or {alternative.value}"
    elif alternative == Distribution.GROUPED:  # the group took its neighbours' reading
        text = f"read with the {nearby:.0f} calcifications around it; the group alone: grouped"
    else:
        text = f"with the {nearby:.0f} calcifications around it: {alternative.value}"
    confidence = finding.distribution_confidence
    return f" ({text}" + ("" if confidence is None else f"; confidence {confidence:.2f}") + ")"


def probability_reason(finding: Finding) -> str:
    """The probability, its interval and the BI-RADS range it falls in."""
    p = finding.malignancy_probability or 0.0
    text = f"estimated chance of cancer {p:.0%}"
    if finding.probability_interval is not None:
        low, high = finding.probability_interval
        text += f" (90% interval {low:.0%}-{high:.0%})"
    from mammocalc.assess import category_from_probability  # the one place that maps ranges

    category = category_from_probability(p)
    return f"{text}: BI-RADS {category.value} range ({_RANGE_WORDS[category.value]})"
