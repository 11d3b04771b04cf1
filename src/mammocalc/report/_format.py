"""Wording and number formats shared by the clinician, patient and terminal reports."""

from __future__ import annotations

from collections.abc import Iterable

from mammocalc.models import Finding, MorphologyCall, Report
from mammocalc.vocabulary import Category, Laterality, Management

CATEGORY_NAMES = {
    Category.INCOMPLETE: "incomplete: needs additional imaging",
    Category.NEGATIVE: "negative",
    Category.BENIGN: "benign",
    Category.PROBABLY_BENIGN: "probably benign",
    Category.SUSPICIOUS_LOW: "low suspicion for malignancy",
    Category.SUSPICIOUS_MODERATE: "moderate suspicion for malignancy",
    Category.SUSPICIOUS_HIGH: "high suspicion for malignancy",
    Category.HIGHLY_SUGGESTIVE: "highly suggestive of malignancy",
}

MANAGEMENT_SHORT = {
    Management.ROUTINE_SCREENING: "routine screening",
    Management.SHORT_INTERVAL_FOLLOW_UP: "6-month follow-up",
    Management.MAGNIFICATION_VIEWS: "magnification views",
    Management.STEREOTACTIC_BIOPSY: "stereotactic biopsy",
}

SIDE_NAMES = {Laterality.LEFT: "left", Laterality.RIGHT: "right"}

DISCLAIMER = (
    "Research and decision-support software, not a diagnostic device: every finding and "
    "category must be reviewed by a qualified breast radiologist."
)


def category_label(category: Category | None) -> str:
    """'BI-RADS 4B (moderate suspicion for malignancy)', or 'not assessed' for None."""
    if category is None:
        return "not assessed"
    return f"BI-RADS {category.value} ({CATEGORY_NAMES[category]})"


def side_label(laterality: Laterality | None) -> str:
    """'left', 'right' or 'unknown side'."""
    return SIDE_NAMES[laterality] if laterality is not None else "unknown side"


def percent(probability: float) -> str:
    """A probability as a percentage, with one decimal below 10% where BI-RADS 3 and 4A differ.

    >>> percent(0.015), percent(0.37), percent(0.0002)
    ('1.5%', '37%', '<0.1%')
    """
    value = 100.0 * probability
    if 0.0 < value < 0.1:
        return "<0.1%"
    if value < 10.0:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def probability_text(finding: Finding) -> str:
    """'37% (22%-54%)', '37%' without an interval, or an en dash when there is no probability."""
    if finding.malignancy_probability is None:
        return "\u2013"
    text = percent(finding.malignancy_probability)
    if finding.probability_interval is not None:
        low, high = finding.probability_interval
        text += f" ({percent(low)}\u2013{percent(high)})"
    return text


def morphology_text(calls: Iterable[MorphologyCall], *, most: int | None = None) -> str:
    """'fine pleomorphic (72%), punctate (90%)': in the characterise stage's order, en dash when
    none.

    That order leads with the descriptor the finding is described by (a dermal cluster's skin, a
    firm suspicious form, else the most confident; :func:`mammocalc._morphology.morphology_calls`),
    as the reasons do: re-sorting by confidence named "punctate" first for a group rated 4B for
    its fine pleomorphic calcifications. With ``most``, only that many descriptors are named and
    the rest counted ('+1 more').
    """
    ordered = list(calls)
    if not ordered:
        return "\u2013"
    shown = ordered if most is None else ordered[:most]
    text = ", ".join(f"{c.descriptor.value} ({c.confidence * 100:.0f}%)" for c in shown)
    if len(ordered) > len(shown):
        text += f", +{len(ordered) - len(shown)} more"
    return text


def distribution_text(finding: Finding) -> str:
    """The distribution descriptor with its confidence, and the alternative reading when there is
    one.

    Parameters
    ----------
    finding : Finding

    Returns
    -------
    str
        E.g. 'regional (50%; or grouped)', 'grouped (100%)', 'linear' (no confidence known), or
        an en dash when the finding has no distribution.
    """
    if finding.distribution is None:
        return "\u2013"
    text = finding.distribution.value
    notes = []
    if finding.distribution_confidence is not None:
        notes.append(f"{finding.distribution_confidence * 100:.0f}%")
    if finding.distribution_alternative is not None:
        notes.append(f"or {finding.distribution_alternative.value}")
    return f"{text} ({'; '.join(notes)})" if notes else text


def concern_key(finding: Finding) -> tuple[int, float, str]:
    """Sort key putting the finding of most concern first.

    Category rank (BI-RADS order of concern, 0 between 3 and 4A), then malignancy probability, then
    id for a stable order. Findings without a category come last.
    """
    rank = finding.category.rank if finding.category is not None else -1
    probability = finding.malignancy_probability or 0.0
    return (-rank, -probability, finding.id)


def by_concern(findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered by concern, most concerning first (see :func:`concern_key`)."""
    return sorted(findings, key=concern_key)


def all_warnings(report: Report) -> list[str]:
    """The report's warnings, then each image's warnings not already among them, without repeats.

    An image warning is prefixed with its source unless it already names it.
    """
    seen = set(report.warnings)
    result = list(dict.fromkeys(report.warnings))
    for image in report.images:
        for warning in image.warnings:
            text = warning if image.source in warning else f"{image.source}: {warning}"
            if warning not in seen and text not in seen:
                seen.update((warning, text))
                result.append(text)
    return result
