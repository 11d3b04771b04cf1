"""Terminal summary: exam verdict, findings table by concern, no colour codes off a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from mammocalc.models import MorphologyCall, Report
from mammocalc.report import terminal_summary
from mammocalc.report._format import distribution_text, morphology_text
from mammocalc.vocabulary import Category, Distribution, Laterality, Morphology
from test_report_factory import make_report


@pytest.fixture
def report() -> Report:
    return make_report(
        {
            Laterality.LEFT: [Category.BENIGN, Category.SUSPICIOUS_MODERATE],
            Laterality.RIGHT: [Category.PROBABLY_BENIGN],
        },
        warnings=["pixel spacing assumed 0.1 mm"],
    )


def _render(report: Report, *, width: int, terminal: bool = False) -> str:
    buffer = io.StringIO()
    if terminal:
        console = Console(file=buffer, width=width, force_terminal=True, color_system="standard")
    else:  # rich's defaults, as the CLI makes them: colour only on a terminal
        console = Console(file=buffer, width=width)
    terminal_summary(report, console=console)
    return buffer.getvalue()


@pytest.mark.parametrize("width", [80, 140])
def test_summary_names_exam_verdict_and_findings_in_order(report: Report, width: int) -> None:
    text = _render(report, width=width)
    assert "BI-RADS 4B" in text and "stereotactic core biopsy" in text
    assert text.index("L-CC-2") < text.index("R-CC-1") < text.index("L-CC-1")  # 4B, 3, 2
    assert "32%" in text and "warning: pixel spacing assumed 0.1 mm" in text
    assert "not a diagnostic device" in text
    assert all(len(line) <= width for line in text.splitlines())


def test_wide_summary_shows_interval_and_distribution(report: Report) -> None:
    text = _render(report, width=140)
    assert "32% (18\u201349)" in text and "cluster, grouped" in text


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the variables that make rich colour a pipe (a CI may set them)."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("plain_env")
def test_no_colour_without_a_terminal(report: Report) -> None:
    assert "\x1b[" not in _render(report, width=120)
    assert "\x1b[" in _render(report, width=120, terminal=True)


@pytest.mark.usefixtures("plain_env")
def test_default_console_writes_plain_text_to_a_pipe(
    report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal_summary(report)
    out = capsys.readouterr().out
    assert "BI-RADS 4B" in out and "\x1b[" not in out


def test_exam_without_findings(report: Report) -> None:
    text = _render(make_report({}), width=100)
    assert "BI-RADS 1 (negative)" in text and "No calcification finding." in text


def test_long_lists_are_cut_with_a_count_of_the_rest() -> None:
    report = make_report(
        {Laterality.LEFT: [Category.BENIGN] * 3 + [Category.SUSPICIOUS_HIGH, Category.BENIGN]}
    )
    buffer = io.StringIO()
    terminal_summary(report, Console(file=buffer, width=120), max_rows=2)
    text = buffer.getvalue()
    assert "L-CC-4" in text  # the suspicious finding is listed first
    assert "... and 3 more findings (3 BI-RADS 2)" in text


def test_image_warnings_already_in_the_report_are_printed_once() -> None:
    base = make_report({})
    note = f"{base.images[0].source}: spacing assumed 0.1 mm"
    image = base.images[0].model_copy(update={"warnings": [note, "low contrast"]})
    report = base.model_copy(update={"images": [image, *base.images[1:]], "warnings": [note]})
    text = _render(report, width=200)
    assert text.count("spacing assumed 0.1 mm") == 1
    assert f"warning: {base.images[0].source}: low contrast" in text


def test_findings_are_named_by_their_leading_descriptor_not_the_most_confident() -> None:
    """Characterise leads with the form a finding is described by (a firm suspicious one before
    a more confident benign one); the summary and the report tables keep that order, as the
    reasons do, instead of naming 'punctate' first for a group rated 4B for its fine
    pleomorphic calcifications."""
    calls = [
        MorphologyCall(descriptor=Morphology.FINE_PLEOMORPHIC, confidence=0.67),
        MorphologyCall(descriptor=Morphology.PUNCTATE, confidence=1.0),
    ]
    assert morphology_text(calls) == "fine pleomorphic (67%), punctate (100%)"
    assert morphology_text(calls, most=1) == "fine pleomorphic (67%), +1 more"
    report = make_report({Laterality.LEFT: [Category.SUSPICIOUS_MODERATE]})
    image = next(i for i in report.images if i.findings)
    finding = image.findings[0].model_copy(update={"morphology": calls})
    image = image.model_copy(update={"findings": [finding]})
    report = report.model_copy(
        update={"images": [image if i.laterality == image.laterality else i for i in report.images]}
    )
    narrow = _render(report, width=80)  # one descriptor, wrapped in its column
    assert "pleomorph" in narrow and "punctate" not in narrow
    assert "fine pleomorphic (67%), +1 more" in _render(report, width=140)


def test_distribution_is_shown_with_its_confidence_and_alternative(report: Report) -> None:
    """'regional (50%; or grouped)': the call, how stable it is, and the other reading."""
    finding = next(f for f in report.findings() if f.distribution is not None)
    plain = finding.model_copy(
        update={"distribution_confidence": None, "distribution_alternative": None}
    )
    assert distribution_text(plain) == plain.distribution.value
    weighed = finding.model_copy(
        update={
            "distribution": Distribution.REGIONAL,
            "distribution_confidence": 0.5,
            "distribution_alternative": Distribution.GROUPED,
        }
    )
    assert distribution_text(weighed) == "regional (50%; or grouped)"
    assert distribution_text(finding.model_copy(update={"distribution": None})) == "\u2013"
