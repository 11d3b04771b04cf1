"""Patient letter: the seed text's messages, the right next step, grade 8 or below, no identity."""

from __future__ import annotations

import itertools

import pytest

from mammocalc.models import Report
from mammocalc.report import patient_letter
from mammocalc.report.readability import html_grade, html_text
from mammocalc.vocabulary import Category, Laterality, Management
from test_report_factory import make_report

# One finding category per exam management; each is placed in one breast or in both.
CATEGORY_FOR = {
    Management.ROUTINE_SCREENING: Category.BENIGN,
    Management.SHORT_INTERVAL_FOLLOW_UP: Category.PROBABLY_BENIGN,
    Management.MAGNIFICATION_VIEWS: Category.INCOMPLETE,
    Management.STEREOTACTIC_BIOPSY: Category.SUSPICIOUS_MODERATE,
}
NEXT_STEP_WORDS = {
    Management.ROUTINE_SCREENING: "mammogram each year",
    Management.SHORT_INTERVAL_FOLLOW_UP: "follow-up mammogram in 6 months",
    Management.MAGNIFICATION_VIEWS: "magnified views",
    Management.STEREOTACTIC_BIOPSY: "stereotactic core biopsy",
}
PLACEMENTS = {
    "left": (Laterality.LEFT,),
    "right": (Laterality.RIGHT,),
    "both": (Laterality.LEFT, Laterality.RIGHT),
}


def _variants() -> list[tuple[str, Report]]:
    variants = [("no finding", make_report({}))]
    for management, (name, sides) in itertools.product(CATEGORY_FOR, PLACEMENTS.items()):
        category = CATEGORY_FOR[management]
        variants.append((f"{management.name}/{name}", make_report({s: [category] for s in sides})))
    # two breasts with different next steps, and the highest suspicion category
    variants.append(
        (
            "mixed",
            make_report(
                {
                    Laterality.LEFT: [Category.SUSPICIOUS_HIGH, Category.BENIGN],
                    Laterality.RIGHT: [Category.PROBABLY_BENIGN],
                }
            ),
        )
    )
    for category in (Category.SUSPICIOUS_LOW, Category.SUSPICIOUS_HIGH):
        variants.append((category.value, make_report({Laterality.RIGHT: [category]})))
    variants.append(("5", make_report({Laterality.LEFT: [Category.HIGHLY_SUGGESTIVE]})))
    return variants


VARIANTS = _variants()


@pytest.mark.parametrize(("name", "report"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_letter_reads_at_grade_8_or_below(name: str, report: Report) -> None:
    grade = html_grade(patient_letter(report))
    assert grade <= 8.0, f"{name}: Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize(("name", "report"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_letter_says_the_next_step_of_the_exam(name: str, report: Report) -> None:
    text = html_text(patient_letter(report))
    assert NEXT_STEP_WORDS[report.management] in text
    assert "What happens next" in text


@pytest.mark.parametrize("management", list(CATEGORY_FOR))
def test_letter_explains_calcifications_as_the_seed_text_does(management: Management) -> None:
    report = make_report({Laterality.LEFT: [CATEGORY_FOR[management]]})
    text = html_text(patient_letter(report))
    assert "tiny deposits of calcium" in text
    assert "Most calcifications are not a sign of cancer" in text
    assert "The calcium you eat or take as medicine does not cause them" in text
    assert "your left breast" in text and "right breast" not in text
    if management is Management.STEREOTACTIC_BIOPSY:
        assert "most women who have them do not have cancer" in text
        assert "needle" in text and "mammogram machine" in text


def test_both_breasts_and_differing_steps_are_named() -> None:
    text = html_text(patient_letter(dict(VARIANTS)["mixed"]))
    assert "both breasts" in text
    assert "For your right breast" in text and "6 months" in text


def test_no_finding_letter_is_reassuring_and_short() -> None:
    text = html_text(patient_letter(make_report({})))
    assert "did not show any calcifications that need more tests" in text
    assert "biopsy" not in text


def test_letter_carries_no_identifiers() -> None:
    report = make_report({Laterality.LEFT: [Category.SUSPICIOUS_LOW]})
    letter = patient_letter(report)
    assert report.study_uid is not None and report.study_uid not in letter
    for image in report.images:
        assert image.source not in letter
    assert "Dear" not in letter


@pytest.mark.parametrize("category", [Category.SUSPICIOUS_HIGH, Category.HIGHLY_SUGGESTIVE])
def test_high_suspicion_letter_gives_no_false_reassurance(category: Category) -> None:
    text = html_text(patient_letter(make_report({Laterality.RIGHT: [category]})))
    # the general fact of the seed text stays, but nothing says that she is unlikely to have cancer
    assert "Most calcifications that are checked with a biopsy turn out not to be cancer" in text
    assert "in your right breast have a pattern that is" in text
    assert "does not mean that you have cancer" not in text
    assert "most women who have them do not have cancer" not in text
    assert "Most calcifications like these" not in text
    assert "Only a biopsy can tell" in text
    assert "stereotactic core biopsy" in text


def test_4c_letter_says_some_such_findings_are_not_cancer_and_5_does_not() -> None:
    text_4c = html_text(patient_letter(make_report({Laterality.RIGHT: [Category.SUSPICIOUS_HIGH]})))
    text_5 = html_text(patient_letter(make_report({Laterality.LEFT: [Category.HIGHLY_SUGGESTIVE]})))
    assert "some calcifications like these turn out not to be cancer" in text_4c
    assert "like these turn out not to be cancer" not in text_5
    assert "biopsy soon" in text_5


@pytest.mark.parametrize(
    ("category", "odds"),
    [
        (Category.PROBABLY_BENIGN, "fewer than 2 in 100 calcifications like these"),
        (Category.SUSPICIOUS_LOW, "More than 9 in 10 calcifications like these"),
        (Category.SUSPICIOUS_MODERATE, "Most calcifications like these turn out not to be cancer"),
    ],
)
def test_letter_gives_the_odds_of_the_category(category: Category, odds: str) -> None:
    """The odds follow the BI-RADS ranges: 3 <= 2%, 4A <= 10%, 4B <= 50% likely cancer."""
    text = html_text(patient_letter(make_report({Laterality.LEFT: [category]})))
    assert odds in text


@pytest.mark.parametrize(("name", "report"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_letter_that_asks_for_more_says_most_are_not_cancer(
    name: str, report: Report
) -> None:
    text = html_text(patient_letter(report))
    if report.management in (Management.STEREOTACTIC_BIOPSY, Management.MAGNIFICATION_VIEWS):
        assert (
            "most women who have them do not have cancer" in text
            or "Most calcifications that are checked with a biopsy turn out not to be cancer"
            in text
        ), name


def test_unknown_side_is_called_one_breast() -> None:
    report = make_report({Laterality.LEFT: [Category.PROBABLY_BENIGN]})
    breasts = [b.model_copy(update={"laterality": None}) for b in report.breasts]
    text = html_text(patient_letter(report.model_copy(update={"breasts": breasts})))
    assert "calcifications in one breast" in text and "left" not in text
    assert html_grade(patient_letter(report)) <= 8.0
