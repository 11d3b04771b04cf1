"""The patient letter: what was seen, what it usually means, what happens next.

Plain language in the spirit of MedlinePlus "Breast calcifications" (../shared/seed), at a reading
level of grade 8 or below (Flesch-Kincaid, measured in tests for every variant with
:mod:`mammocalc.report.readability`). It never names the patient.
"""

from __future__ import annotations

from html import escape

from mammocalc.models import BreastAssessment, Report
from mammocalc.report._css import PATIENT_CSS
from mammocalc.report._format import SIDE_NAMES
from mammocalc.vocabulary import Category, Management

WHAT_THEY_ARE = (
    "Calcifications are tiny deposits of calcium in the breast. "
    "They are very common. On a mammogram they look like small white spots."
)

WHAT_THEY_MEAN = (
    "Most calcifications are not a sign of cancer. They can come from calcium in blood vessels, "
    "an old infection, a lump or cyst that is not cancer, or an injury to the breast. "
    "The calcium you eat or take as medicine does not cause them."
)

MOST_ARE_NOT_CANCER = (
    "Even when calcifications need a closer look, most women who have them do not have cancer."
)
# For 4C and 5 (reference section 2: more than 50% and at least 95% likely to be cancer) the
# general fact is still true and still said, but not as comfort for this woman's calcifications.
MOST_BIOPSIES_ARE_NOT_CANCER = (
    "Most calcifications that are checked with a biopsy turn out not to be cancer."
)
HIGH_SUSPICION_MEANING: dict[Category, str] = {
    # 4C: 5% to 50% of such findings are benign, so "some", not "most"
    Category.SUSPICIOUS_HIGH: (
        "The calcifications in {where} have a pattern that is more worrying than most, so the "
        "biopsy is important. "
        "Even so, some calcifications like these turn out not to be cancer. "
        "Only a biopsy can tell what they are."
    ),
    # 5: at least 95% are cancer; say so plainly and say what helps
    Category.HIGHLY_SUGGESTIVE: (
        "The calcifications in {where} have a pattern that is usually a sign of cancer, so it "
        "is important to have the biopsy soon. Only a biopsy can tell for sure. Your doctor and "
        "the breast care team will help you with each step."
    ),
}

# How the calcifications in one breast look, by that breast's category; the odds follow the
# BI-RADS likelihood ranges of reference section 2 (3: at most 2%, 4A: at most 10%, 4B: at most
# 50% likely to be cancer).
_NEEDS_BIOPSY = (
    "some calcifications have a shape or pattern that needs to be checked with a biopsy."
)
BREAST_FINDING: dict[Category, str] = {
    Category.BENIGN: "the calcifications look benign. Benign means they are not cancer.",
    Category.PROBABLY_BENIGN: (
        "the calcifications are probably benign. This means they are very likely not cancer: "
        "fewer than 2 in 100 calcifications like these turn out to be cancer. "
        "We want to make sure they do not change."
    ),
    Category.INCOMPLETE: (
        "we need a closer look at the calcifications before we can say what they are."
    ),
    Category.SUSPICIOUS_LOW: (
        f"{_NEEDS_BIOPSY} This does not mean that you have cancer. More than 9 in 10 "
        "calcifications like these turn out not to be cancer."
    ),
    Category.SUSPICIOUS_MODERATE: (
        f"{_NEEDS_BIOPSY} This does not mean that you have cancer. Most calcifications like "
        "these turn out not to be cancer."
    ),
    Category.SUSPICIOUS_HIGH: _NEEDS_BIOPSY,
    Category.HIGHLY_SUGGESTIVE: (
        "some calcifications have a shape or pattern that must be checked with a biopsy soon."
    ),
}
HIGH_SUSPICION = frozenset(HIGH_SUSPICION_MEANING)

NEXT_STEP: dict[Management, list[str]] = {
    Management.ROUTINE_SCREENING: [
        "You do not need any more tests now.",
        "Keep having a mammogram each year, or as often as your doctor advises.",
    ],
    Management.SHORT_INTERVAL_FOLLOW_UP: [
        "We suggest a follow-up mammogram in 6 months.",
        "It will show if the calcifications stay the same. Calcifications that do not change "
        "over time are almost always benign.",
        "If they stay the same, you may have more checks after 1 and 2 years.",
    ],
    Management.MAGNIFICATION_VIEWS: [
        "We suggest a few more mammogram pictures of this area, called magnified views.",
        "They are taken like a normal mammogram, but they zoom in on a small part of the breast. "
        "This lets the doctor see the size and shape of the calcifications much better.",
        "After that, the doctor will tell you if you need any other tests.",
    ],
    Management.STEREOTACTIC_BIOPSY: [
        "We suggest a test called a stereotactic core biopsy.",
        "It is a needle biopsy. A mammogram machine helps the doctor guide a thin needle to the "
        "calcifications. The doctor takes a few tiny samples of breast tissue. You get medicine "
        "to numb the skin first, and you are awake the whole time.",
        "A lab then looks at the samples. This shows if the calcifications are benign (not "
        "cancer) or cancer.",
    ],
}

# Short form of a step, for a second breast whose next step differs from the exam's.
OTHER_STEP: dict[Management, str] = {
    Management.SHORT_INTERVAL_FOLLOW_UP: "a follow-up mammogram in 6 months",
    Management.MAGNIFICATION_VIEWS: "magnified views",
    Management.STEREOTACTIC_BIOPSY: "a biopsy",
}

CLOSING = (
    "If you have questions, please call your doctor or the breast clinic. They can tell you "
    "what these results mean for you."
)
MADE_BY = (
    "This letter was made with the help of a computer program. A doctor who reads mammograms "
    "must check these results."
)


def patient_letter(report: Report) -> str:
    """A plain-language HTML letter explaining ``report`` to the patient.

    Says what was seen (calcifications are tiny calcium deposits), what it usually means (most are
    not cancer, even most suspicious ones; dietary calcium does not cause them) and what happens
    next for the exam's management. Each breast's text gives the odds its category stands for
    (reference section 2). For BI-RADS 4C and 5, where cancer is more likely than not, the
    letter still says that most calcifications checked with a biopsy are not cancer, then says
    plainly that hers are more worrying than most (4C: some like them are not cancer; 5:
    usually a sign of cancer) and that only a biopsy can tell. Breasts are named by side; the
    patient is not named.

    Parameters
    ----------
    report : Report

    Returns
    -------
    str
        A complete HTML5 document at Flesch-Kincaid grade 8 or below.
    """
    affected = [b for b in report.breasts if b.finding_ids and b.category != Category.NEGATIVE]
    paragraphs = [
        "<h1>Your mammogram results</h1>",
        "<p>This letter explains the results of your recent mammogram. A mammogram is an X-ray "
        "picture of the breast.</p>",
        "<h2>What we saw</h2>",
        *[f"<p>{escape(text)}</p>" for text in _what_we_saw(affected)],
    ]
    if affected:
        paragraphs += ["<h2>What this usually means</h2>", f"<p>{escape(WHAT_THEY_MEAN)}</p>"]
        needs_look = report.management in (
            Management.STEREOTACTIC_BIOPSY,
            Management.MAGNIFICATION_VIEWS,
        )
        paragraphs += [f"<p>{escape(text)}</p>" for text in _meaning(affected, needs_look)]
    steps = NEXT_STEP[report.management] + _other_steps(affected, report.management)
    paragraphs += [
        "<h2>What happens next</h2>",
        '<div class="next">' + "".join(f"<p>{escape(s)}</p>" for s in steps) + "</div>",
        f"<p>{escape(CLOSING)}</p>",
        f"<footer><p>{escape(MADE_BY)}</p></footer>",
    ]
    body = "\n".join(paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Your mammogram results</title>\n<style>{PATIENT_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _meaning(affected: list[BreastAssessment], needs_look: bool) -> list[str]:
    """What the worst breast's category usually means, beyond what all calcifications mean."""
    breast = max(affected, key=lambda b: b.category.rank)
    if breast.category in HIGH_SUSPICION:
        specific = HIGH_SUSPICION_MEANING[breast.category].format(where=_where(breast))
        return [MOST_BIOPSIES_ARE_NOT_CANCER, specific]
    return [MOST_ARE_NOT_CANCER] if needs_look else []


def _where(breast: BreastAssessment) -> str:
    return f"your {SIDE_NAMES[breast.laterality]} breast" if breast.laterality else "one breast"


def _what_we_saw(affected: list[BreastAssessment]) -> list[str]:
    if not affected:
        return ["Your mammogram did not show any calcifications that need more tests."]
    sides = {b.laterality for b in affected}
    place = "both breasts" if len(sides) > 1 else _where(affected[0])
    texts = [f"Your mammogram showed calcifications in {place}.", WHAT_THEY_ARE]
    for breast in affected:
        texts.append(f"In {_where(breast)}, {BREAST_FINDING[breast.category]}")
    return texts


def _other_steps(affected: list[BreastAssessment], exam_step: Management) -> list[str]:
    return [
        f"For {_where(b)}, your doctor will also talk with you about {OTHER_STEP[b.management]}."
        for b in affected
        if b.management != exam_step and b.management in OTHER_STEP
    ]
