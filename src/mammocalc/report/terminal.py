"""The terminal summary: the exam's category and management and a table of findings (rich)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from mammocalc.models import Finding, Report
from mammocalc.report._format import (
    DISCLAIMER,
    MANAGEMENT_SHORT,
    all_warnings,
    by_concern,
    category_label,
    morphology_text,
    percent,
    probability_text,
    side_label,
)
from mammocalc.vocabulary import Category

WIDE_COLUMNS = 110  # from this console width on, the table shows every column

CATEGORY_STYLE = {
    Category.NEGATIVE: "green",
    Category.BENIGN: "green",
    Category.PROBABLY_BENIGN: "yellow",
    Category.INCOMPLETE: "dark_orange",
    Category.SUSPICIOUS_LOW: "red",
    Category.SUSPICIOUS_MODERATE: "red",
    Category.SUSPICIOUS_HIGH: "bold red",
    Category.HIGHLY_SUGGESTIVE: "bold magenta",
}


def terminal_summary(
    report: Report, console: Console | None = None, *, max_rows: int | None = 20
) -> None:
    """Print the exam verdict, the findings table and the warnings to ``console``.

    Parameters
    ----------
    report : Report
    console : rich.console.Console, optional
        Defaults to a new ``Console()`` on standard output, which writes no colour codes when the
        output is not a terminal (rich's own detection; ``NO_COLOR`` is honoured too).
    max_rows : int or None, optional
        Most findings listed, most concerning first; the rest are counted by category. None
        lists all.
    """
    console = console if console is not None else Console()
    verdict = Text("Exam: ", style="bold")
    verdict.append(category_label(report.category), style=CATEGORY_STYLE[report.category])
    verdict.append(f" \u2014 {report.management.value}")
    console.print(verdict)
    for breast in report.breasts:
        console.print(
            f"  {side_label(breast.laterality)} breast: BI-RADS {breast.category.value}, "
            f"{breast.management.value}",
            highlight=False,
        )
    findings = by_concern(report.findings())
    shown = findings if max_rows is None else findings[:max_rows]
    console.print(_findings_table(shown, console.width))
    if len(shown) < len(findings):
        hidden = findings[len(shown) :]
        rest = Counter(f"BI-RADS {f.category.value if f.category else '-'}" for f in hidden)
        counts = ", ".join(f"{n} {name}" for name, n in sorted(rest.items()))
        console.print(
            f"... and {len(hidden)} more findings ({counts}); "
            "the JSON and HTML reports list them all.",
            highlight=False,
        )
    for warning in all_warnings(report):
        console.print(f"warning: {warning}", style="yellow", highlight=False)
    console.print(DISCLAIMER, style="dim", highlight=False)


def _findings_table(findings: list[Finding], width: int) -> Table | Text:
    """The findings in the order given; under 110 columns, the view, distribution, confidences
    and intervals are left out so that every row still fits."""
    if not findings:
        return Text("No calcification finding.")
    wide = width >= WIDE_COLUMNS
    table = Table(title="Findings, most concerning first", title_justify="left")
    columns: list[tuple[str, JustifyMethod]] = [("finding", "left")]
    columns += [("view", "left")] if wide else []
    columns += [("kind", "left"), ("n", "right"), ("mm", "right"), ("morphology", "left")]
    columns += [("malignancy", "right"), ("BI-RADS", "center"), ("next step", "left")]
    for header, justify in columns:
        table.add_column(header, justify=justify)
    for finding in findings:
        table.add_row(*_cells(finding, wide=wide))
    return table


def _cells(finding: Finding, *, wide: bool) -> list[str | Text]:
    category = finding.category
    kind = finding.kind.value
    if wide and finding.distribution is not None:
        kind += f", {finding.distribution.value}"
    calls = finding.morphology  # characterise's order: the descriptor it is described by first
    morphology = (
        morphology_text(calls, most=1)
        if wide
        else (calls[0].descriptor.value if calls else "\u2013")
    )
    cells: list[str | Text] = [Text(finding.id, no_wrap=True)]
    if wide:
        cells.append(
            f"{finding.laterality.value if finding.laterality else '?'} {finding.view.value}"
        )
    cells += [kind, str(finding.count), f"{finding.extent_mm:.1f}", morphology]
    if wide:
        cells.append(_probability(finding))
    elif finding.malignancy_probability is not None:
        cells.append(percent(finding.malignancy_probability))
    else:
        cells.append("\u2013")
    cells.append(Text(category.value, style=CATEGORY_STYLE[category]) if category else "\u2013")
    cells.append(MANAGEMENT_SHORT[finding.management] if finding.management else "\u2013")
    return cells


def _probability(finding: Finding) -> str:
    """'32% (18-49)': the interval in the same unit, without repeating '%'."""
    if finding.malignancy_probability is None or finding.probability_interval is None:
        return probability_text(finding)
    low, high = (percent(p).rstrip("%") for p in finding.probability_interval)
    return f"{percent(finding.malignancy_probability)} ({low}\u2013{high})"
