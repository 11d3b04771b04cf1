"""Clinician HTML: every section present, findings by concern, percentages, self-contained."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mammocalc.errors import InputError
from mammocalc.models import Report
from mammocalc.report import clinician_html, overlay_png
from mammocalc.report.html import SECTION_IDS
from mammocalc.vocabulary import Category, Laterality, View
from test_report_factory import make_report, tiny_mammogram

VOID = {"meta", "img", "br", "link", "hr", "input"}


class _Checker(HTMLParser):
    """Collects ids and checks that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.fixture
def report() -> Report:
    return make_report(
        {
            Laterality.LEFT: [Category.BENIGN, Category.SUSPICIOUS_MODERATE],
            Laterality.RIGHT: [Category.PROBABLY_BENIGN, Category.HIGHLY_SUGGESTIVE],
        },
        warnings=["pixel spacing assumed 0.1 mm"],
    )


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker


def test_every_section_is_present_and_markup_balanced(report: Report) -> None:
    checker = _parse(clinician_html(report))
    assert set(SECTION_IDS) <= set(checker.ids)
    assert checker.errors == [] and checker.stack == []


def test_findings_are_ordered_by_concern(report: Report) -> None:
    html = clinician_html(report)
    table = html[html.index('id="findings"') : html.index('id="images"')]
    ids = re.findall(r"<tr><td>([LR]-CC-\d)", table)
    by_id = {f.id: f for f in report.findings()}
    ranks = [by_id[i].category.rank for i in ids]  # type: ignore[union-attr]
    assert len(ids) == 4 and ranks == sorted(ranks, reverse=True)
    assert by_id[ids[0]].category is Category.HIGHLY_SUGGESTIVE


def test_probabilities_intervals_morphology_and_reasons_are_shown(report: Report) -> None:
    html = clinician_html(report)
    assert "32% (18%\u201349%)" in html
    assert "1.5% (0.6%\u20133.1%)" in html
    assert "fine pleomorphic (61%)" in html
    assert "<li>sizes vary 2.3-fold</li>" in html
    assert "stereotactic core biopsy" in html and "follow-up mammogram in 6 months" in html
    assert "pixel spacing assumed 0.1 mm" in html
    assert "not a diagnostic device" in html


def test_overlays_are_embedded_and_nothing_is_fetched(report: Report, tmp_path: Path) -> None:
    overlays = {
        image.source: overlay_png(tiny_mammogram(image), image, tmp_path / f"{i}.png")
        for i, image in enumerate(report.images)
    }
    html = clinician_html(report, overlays)
    assert html.count('src="data:image/png;base64,iVBOR') == 2
    assert not re.search(r'(src|href)="(https?:|//|file:)', html)


def test_print_css_keeps_rows_and_figures_whole(report: Report) -> None:
    html = clinician_html(report)
    assert "@media print" in html and "@page" in html
    rule = re.search(r"@media print \{.*?\n\s*([^{}]*)\{ break-inside: avoid", html, re.S)
    assert rule is not None
    selectors = {s.strip() for s in rule.group(1).split(",")}
    assert {"tr", "tbody.finding", "figure"} <= selectors
    assert "thead { display: table-header-group; }" in html


def test_text_from_the_report_is_escaped(report: Report) -> None:
    image = report.images[0]
    finding = image.findings[0].model_copy(update={"reasons": ["<script>alert(1)</script>"]})
    changed = image.model_copy(update={"findings": [finding, *image.findings[1:]]})
    html = clinician_html(report.model_copy(update={"images": [changed, *report.images[1:]]}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_empty_exam_renders_every_section() -> None:
    html = clinician_html(make_report({}))
    assert set(SECTION_IDS) <= set(_parse(html).ids)
    assert "No calcification finding was reported." in html


def test_missing_overlay_file_is_a_clear_error(report: Report, tmp_path: Path) -> None:
    missing = tmp_path / "gone.png"
    with pytest.raises(InputError, match="gone.png"):
        clinician_html(report, {report.images[0].source: missing})


def _with_mlo_twin(report: Report) -> Report:
    """The report with the left CC image repeated as left MLO, each finding matched to its twin."""
    cc = next(im for im in report.images if im.laterality is Laterality.LEFT)
    twin_id = {f.id: f.id.replace("-CC-", "-MLO-") for f in cc.findings}
    mlo_findings = [
        f.model_copy(
            update={
                "id": twin_id[f.id],
                "view": View.MLO,
                "image": cc.source.replace("CC", "MLO"),
                "count": f.count + 1,
                "matched_finding": f.id,
                "reasons": [*f.reasons, f"also seen on the CC view as {f.id}"],
            }
        )
        for f in cc.findings
    ]
    cc_findings = [f.model_copy(update={"matched_finding": twin_id[f.id]}) for f in cc.findings]
    mlo = cc.model_copy(
        update={
            "view": View.MLO,
            "source": cc.source.replace("CC", "MLO"),
            "findings": mlo_findings,
        }
    )
    cc = cc.model_copy(update={"findings": cc_findings})
    others = [im for im in report.images if im.laterality is not Laterality.LEFT]
    return report.model_copy(update={"images": [*others, cc, mlo]})


def test_matched_cc_mlo_finding_is_reported_once_with_both_views(report: Report) -> None:
    html = clinician_html(_with_mlo_twin(report))
    checker = _parse(html)
    assert checker.errors == [] and checker.stack == []
    findings = html[html.index('id="findings"') : html.index('id="images"')]
    # the 4B lesion: one entry (one tbody) holding the CC and the MLO evidence
    lesions = re.findall(r'<tbody class="finding lesion">(.*?)</tbody>', findings, re.S)
    assert len(lesions) == 1
    lesion = lesions[0]
    assert "L-CC-2" in lesion and "L-MLO-2" in lesion and "one lesion" in lesion
    assert "left CC" in lesion and "left MLO" in lesion
    assert lesion.count("32% (18%\u201349%)") == 2  # each view's probability and interval
    assert "Reasons, left CC:" in lesion and "Reasons, left MLO:" in lesion
    # neither view of the lesion gets an entry of its own
    assert not re.search(r"<tr><td>L-(CC|MLO)-2", findings)
    # the matched benign pair is counted once in the benign table
    assert "Benign findings (BI-RADS 2): 1 (1 macrocalcification)" in findings
    assert findings.count('rowspan="2">L-') == 2


def test_print_css_keeps_a_lesion_with_both_views_together(report: Report) -> None:
    html = clinician_html(_with_mlo_twin(report))
    assert '<tbody class="finding lesion">' in html
    print_css = html[html.index("@media print") :]
    assert "tbody.finding" in print_css.split("break-inside: avoid")[0]
