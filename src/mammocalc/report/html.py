"""The clinician report: one self-contained HTML page per exam that prints cleanly to PDF.

Sections (each an element with this id): ``summary``, ``breasts``, ``findings``, ``images``,
``warnings``, ``provenance``, ``disclaimer``. Overlay PNGs are embedded as base64 data URIs, so the
file can be mailed or archived alone. A lesion matched on CC and MLO is listed once, with a row
of evidence per view (:func:`lesions`).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path, PurePath

from mammocalc.errors import InputError
from mammocalc.models import BreastAssessment, Finding, ImageResult, Report
from mammocalc.report._css import CLINICIAN_CSS
from mammocalc.report._format import (
    DISCLAIMER,
    all_warnings,
    by_concern,
    category_label,
    distribution_text,
    morphology_text,
    probability_text,
    side_label,
)
from mammocalc.vocabulary import Category

SECTION_IDS = ("summary", "breasts", "findings", "images", "warnings", "provenance", "disclaimer")


def clinician_html(report: Report, overlays: Mapping[str, Path] | None = None) -> str:
    """Render ``report`` as a self-contained HTML page for the reading radiologist.

    Parameters
    ----------
    report : Report
    overlays : mapping of str to Path, optional
        Overlay PNG per image source (``ImageResult.source``), embedded as base64 images.

    Returns
    -------
    str
        A complete HTML5 document. Findings are ordered by concern (category, then malignancy
        probability); probabilities are percentages with their interval.

    Raises
    ------
    InputError
        When an overlay file cannot be read.
    """
    overlays = overlays or {}
    body = "\n".join(
        [
            _header(report),
            _breasts_section(report.breasts),
            _findings_section(report.findings()),
            _images_section(report.images, overlays),
            _warnings_section(report),
            _provenance_section(report),
            f'<footer id="disclaimer"><p>{escape(DISCLAIMER)}</p></footer>',
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Calcification report {escape(report.study_uid or '')}</title>\n"
        f"<style>{CLINICIAN_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _badge(category: Category | None) -> str:
    css = f"cat-{category.value}" if category is not None else "cat-none"
    text = category.value if category is not None else "\u2013"
    return f'<span class="badge {css}" title="{escape(category_label(category))}">{text}</span>'


def _list(items: Iterable[str], css: str = "reasons") -> str:
    entries = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f'<ul class="{css}">{entries}</ul>' if entries else '<span class="none">none</span>'


def _header(report: Report) -> str:
    study = escape(report.study_uid) if report.study_uid else "not given"
    views = ", ".join(
        f"{side_label(image.laterality)} {image.view.value}" for image in report.images
    )
    return f"""<header>
<h1>Breast calcification analysis</h1>
<p class="meta">Study {study} &middot; {len(report.images)} image(s): {escape(views)}</p>
<p class="disclaimer"><strong>Decision support only.</strong> {escape(DISCLAIMER)}</p>
</header>
<section id="summary">
<h2>Exam summary</h2>
<div class="verdict">{_badge(report.category)}
<div><strong>{escape(category_label(report.category))}</strong><br>
Recommended management: <strong>{escape(report.management.value)}</strong></div></div>
<p>{escape(report.summary)}</p>
</section>"""


def _breasts_section(breasts: list[BreastAssessment]) -> str:
    rows = "\n".join(
        f"<tr><td>{escape(side_label(b.laterality))}</td><td>{_badge(b.category)} "
        f"{escape(category_label(b.category))}</td><td>{escape(b.management.value)}</td>"
        f"<td>{escape(_id_list(b.finding_ids))}</td><td>{_list(b.reasons)}</td></tr>"
        for b in breasts
    )
    if not rows:
        rows = '<tr><td colspan="5" class="none">No breast was assessed.</td></tr>'
    return f"""<section id="breasts">
<h2>Assessment by breast</h2>
<table><thead><tr><th>Breast</th><th>Category</th><th>Management</th><th>Findings</th>
<th>Reasons</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</section>"""


def _id_list(ids: list[str], most: int = 6) -> str:
    """'L-CC-1, L-CC-2' or, for long lists, the first ``most`` ids and how many more."""
    if not ids:
        return "none"
    if len(ids) <= most:
        return ", ".join(ids)
    return f"{len(ids)}: {', '.join(ids[:most])} and {len(ids) - most} more"


def lesions(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Findings grouped into lesions, most concerning first.

    A finding matched on the other view of its breast (``matched_finding``, set by
    :func:`mammocalc.assess.assess`) joins its partner, so a lesion seen on CC and MLO is
    reported once with both views' evidence; the more concerning view leads.
    """
    ordered = by_concern(findings)
    by_id = {f.id: f for f in ordered}
    groups: list[list[Finding]] = []
    placed: set[str] = set()
    for finding in ordered:
        if finding.id in placed:
            continue
        group = [finding]
        partner = by_id.get(finding.matched_finding or "")
        if partner is not None and partner.id not in placed:
            group.append(partner)
        placed.update(f.id for f in group)
        groups.append(group)
    return groups


def _where_cell(finding: Finding) -> str:
    where = f"{side_label(finding.laterality)} {finding.view.value}"
    name = PurePath(finding.image.replace(chr(92), "/")).name
    return (
        f'<td>{escape(where)}<br><small title="{escape(finding.image)}">{escape(name)}</small></td>'
    )


def _evidence_cells(finding: Finding) -> str:
    """The cells after the id: one view's evidence, probability, category and management."""
    management = finding.management.value if finding.management is not None else "\u2013"
    return (
        f"{_where_cell(finding)}"
        f'<td>{escape(finding.kind.value)}</td><td class="num">{finding.count}</td>'
        f'<td class="num">{finding.extent_mm:.1f} mm</td>'
        f"<td>{escape(distribution_text(finding))}</td>"
        f"<td>{escape(morphology_text(finding.morphology))}</td>"
        f'<td class="num">{escape(probability_text(finding))}</td>'
        f"<td>{_badge(finding.category)}</td><td>{escape(management)}</td>"
    )


def _lesion_id_cell(group: list[Finding]) -> str:
    lead = group[0]
    if len(group) == 1:
        matched = (
            f"<br><small>also on {escape(lead.matched_finding)}</small>"
            if lead.matched_finding
            else ""
        )
        return f"<td>{escape(lead.id)}{matched}</td>"
    other = group[1]
    return (
        f'<td rowspan="2">{escape(lead.id)}<br><small>= {escape(other.id)}: one lesion, '
        f"{escape(lead.view.value)} and {escape(other.view.value)} views</small></td>"
    )


def _lesion_rows(group: list[Finding]) -> str:
    """One lesion: a data row per view (CC and MLO when matched), then the reasons of each."""
    rows = [f"<tr>{_lesion_id_cell(group)}{_evidence_cells(group[0])}</tr>"]
    rows += [f"<tr>{_evidence_cells(f)}</tr>" for f in group[1:]]
    if len(group) == 1:
        why = f"<strong>Reasons:</strong> {_list(group[0].reasons, css='reasons inline')}"
    else:
        why = "<br>".join(
            f"<strong>Reasons, {escape(side_label(f.laterality))} {escape(f.view.value)}:"
            f"</strong> {_list(f.reasons, css='reasons inline')}"
            for f in group
        )
    css = "finding lesion" if len(group) > 1 else "finding"
    return (
        f'<tbody class="{css}">{"".join(rows)}'
        f'<tr class="why"><td colspan="10">{why}</td></tr></tbody>'
    )


def _findings_section(findings: list[Finding]) -> str:
    groups = lesions(findings)
    concerning = [g for g in groups if not _is_benign(g[0])]
    benign = [g for g in groups if _is_benign(g[0])]
    rows = "\n".join(_lesion_rows(g) for g in concerning)
    if not rows:
        text = "No finding above BI-RADS 2." if benign else "No calcification finding was reported."
        rows = f'<tbody><tr><td colspan="10" class="none">{text}</td></tr></tbody>'
    return f"""<section id="findings">
<h2>Findings, most concerning first</h2>
<p class="note">A lesion matched on the CC and MLO views of a breast is listed once, with a row
for each view.</p>
<table class="findings"><thead><tr><th>Finding</th><th>Image</th><th>Kind</th><th>Count</th>
<th>Extent</th><th>Distribution</th><th>Morphology (confidence)</th>
<th>Malignancy probability (interval)</th><th>Category</th><th>Management</th>
</tr></thead>
{rows}
</table>
{_benign_table(benign)}
</section>"""


def _is_benign(finding: Finding) -> bool:
    return finding.category in (Category.NEGATIVE, Category.BENIGN)


def _benign_row(finding: Finding, id_cell: str) -> str:
    return (
        f"<tr>{id_cell}<td>{escape(side_label(finding.laterality))} "
        f"{escape(finding.view.value)}</td><td>{escape(finding.kind.value)}</td>"
        f'<td class="num">{finding.count}</td><td class="num">{finding.extent_mm:.1f} mm</td>'
        f"<td>{escape(morphology_text(finding.morphology))}</td><td>{_badge(finding.category)}</td>"
        f"<td>{escape('; '.join(finding.reasons))}</td></tr>"
    )


def _benign_table(groups: list[list[Finding]]) -> str:
    """Benign lesions in one compact line per view: they need no action, but stay on record."""
    if not groups:
        return ""
    kinds = Counter(g[0].kind.value for g in groups)
    tally = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    rows = "\n".join(
        "".join(
            _benign_row(f, _lesion_id_cell(group) if i == 0 else "") for i, f in enumerate(group)
        )
        for group in groups
    )
    return f"""<h3>Benign findings (BI-RADS 2): {len(groups)} ({escape(tally)})</h3>
<table class="findings benign"><thead><tr><th>Finding</th><th>Image</th><th>Kind</th>
<th>Count</th><th>Extent</th><th>Morphology (confidence)</th><th>Category</th><th>Reasons</th>
</tr></thead>
<tbody>
{rows}
</tbody></table>"""


def _image_row(image: ImageResult) -> str:
    spacing = f"{image.spacing_mm:.3f} mm" + (" (assumed)" if image.spacing_assumed else "")
    rows, cols = image.shape_px
    return (
        f"<tr><td>{escape(image.source)}</td><td>{escape(side_label(image.laterality))} "
        f'{escape(image.view.value)}</td><td class="num">{rows} &times; {cols}</td>'
        f'<td class="num">{escape(spacing)}</td>'
        f'<td class="num">{image.breast_area_cm2:.0f} cm&sup2;</td>'
        f'<td class="num">{len(image.calcifications)}</td>'
        f'<td class="num">{len(image.findings)}</td></tr>'
    )


def _figure(image: ImageResult, path: Path) -> str:
    try:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except OSError as error:
        raise InputError(
            f"Cannot embed the overlay {path} for {image.source}: {error.strerror}; "
            "write the overlays first or leave them out."
        ) from error
    caption = f"{side_label(image.laterality)} {image.view.value} \u2013 {image.source}"
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="Overlay of {escape(caption)}">'
        f"<figcaption>{escape(caption)}: {len(image.calcifications)} calcifications, "
        f"{len(image.findings)} findings</figcaption></figure>"
    )


def _images_section(images: list[ImageResult], overlays: Mapping[str, Path]) -> str:
    rows = "\n".join(_image_row(image) for image in images)
    figures = "\n".join(
        _figure(image, overlays[image.source]) for image in images if image.source in overlays
    )
    if not figures:
        figures = '<p class="none">No overlay images were included.</p>'
    return f"""<section id="images">
<h2>Images</h2>
<table><thead><tr><th>Source</th><th>View</th><th>Pixels</th><th>Spacing</th>
<th>Breast area</th><th>Calcifications</th><th>Findings</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<div class="figures">
{figures}
</div>
</section>"""


def _warnings_section(report: Report) -> str:
    warnings = all_warnings(report)
    body = _list(warnings, css="warnings") if warnings else '<p class="none">None.</p>'
    return f'<section id="warnings">\n<h2>Warnings</h2>\n{body}\n</section>'


def _provenance_section(report: Report) -> str:
    provenance = report.provenance
    parameters = "\n".join(
        f"<tr><td>{escape(name)}</td><td>{escape(json.dumps(value, default=str))}</td></tr>"
        for name, value in sorted(provenance.parameters.items())
    )
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in provenance.timings_s.items())
    return f"""<section id="provenance">
<h2>Provenance</h2>
<p>{escape(provenance.software)} {escape(provenance.version)}, report schema
{escape(report.schema_version)}.{(" Timings: " + escape(timings) + ".") if timings else ""}</p>
<table><thead><tr><th>Parameter</th><th>Value</th></tr></thead>
<tbody>
{parameters or '<tr><td colspan="2" class="none">none recorded</td></tr>'}
</tbody></table>
</section>"""
