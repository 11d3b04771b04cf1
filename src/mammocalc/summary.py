"""One-paragraph summaries carried in the report: one for the clinician, one for the patient.

The full clinician report and patient letter are in :mod:`mammocalc.report`; these short texts
travel inside the JSON so that any consumer has them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mammocalc.models import BreastAssessment, ImageResult
from mammocalc.vocabulary import Category, Laterality, Management

_SIDE = {Laterality.LEFT: "left", Laterality.RIGHT: "right", None: "unknown-side"}

# Plain words for each next step, after the seed text (MedlinePlus "Breast calcifications").
PLAIN_NEXT_STEP: dict[Management, str] = {
    Management.ROUTINE_SCREENING: "No extra tests are needed. Keep having a mammogram each year.",
    Management.SHORT_INTERVAL_FOLLOW_UP: (
        "The spots look slightly unusual but are very likely not a problem. "
        "A follow-up mammogram in 6 months will check that they stay the same."
    ),
    Management.MAGNIFICATION_VIEWS: (
        "The doctor needs a closer look. You will be asked back for magnified mammogram views."
    ),
    Management.STEREOTACTIC_BIOPSY: (
        "Some spots have a shape or grouping that needs checking. A small needle biopsy, guided "
        "by a mammogram machine, will take a tiny sample. Most spots like these are not cancer."
    ),
}


def clinician_summary(
    images: Sequence[ImageResult], breasts: Sequence[BreastAssessment], category: Category
) -> str:
    """Return one paragraph: images read, findings per breast, exam category and management.

    Examples
    --------
    >>> clinician_summary([], [], Category.NEGATIVE)
    '0 images analysed. Exam: BI-RADS 1, routine annual screening mammogram.'
    """
    parts = [f"{len(images)} image{'s' if len(images) != 1 else ''} analysed."]
    for breast in breasts:
        n = len(breast.finding_ids)
        parts.append(
            f"{_SIDE[breast.laterality].capitalize()} breast: {n} finding{'s' if n != 1 else ''},"
            f" BI-RADS {breast.category.value}."
        )
    parts.append(f"Exam: BI-RADS {category.value}, {category.management.value}.")
    return " ".join(parts)


def patient_summary(breasts: Sequence[BreastAssessment], category: Category) -> str:
    """Return a short plain-language summary for the patient.

    Examples
    --------
    >>> patient_summary([], Category.NEGATIVE).split(".")[0]
    'No calcifications that need attention were found'
    """
    if category in (Category.NEGATIVE, Category.BENIGN):
        seen = (
            "No calcifications that need attention were found"
            if category is Category.NEGATIVE
            else "Calcifications were seen. They look benign, which means not cancer"
        )
    else:
        sides = [_SIDE[b.laterality] for b in breasts if b.category is category]
        where = f" in your {' and '.join(sides)} breast" if sides else ""
        seen = f"Calcifications, tiny deposits of calcium, were seen{where}"
    return f"{seen}. {PLAIN_NEXT_STEP[category.management]}"
