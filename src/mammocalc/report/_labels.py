"""Finding boxes and their labels on the overlay, placed so that labels do not overlap.

The most concerning findings are labelled first and get the best places; a label that finds no
free place is shortened to the finding id and category, and a benign finding's label is left out
when even that does not fit (its box colour still gives the category).
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import ImageDraw, ImageFont

from mammocalc.models import Finding
from mammocalc.report._colours import CATEGORY_RGB, RGB
from mammocalc.report._format import by_concern

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in canvas pixels

__all__ = ["Font", "draw_findings"]


def draw_findings(
    draw: ImageDraw.ImageDraw,
    findings: Sequence[Finding],
    scale: float,
    font: Font,
    shape: tuple[int, int],
) -> None:
    """Box every finding in its category colour and label it ``id | category | kind``.

    ``scale`` maps original pixels to canvas pixels; ``shape`` is the canvas (height, width).
    """
    height, width = shape
    ordered = by_concern(findings)
    line = max(2, round(max(height, width) / 800))
    boxes = {f.id: _box(f, scale, shape) for f in ordered}
    for finding in reversed(ordered):  # suspicious boxes drawn last, on top
        draw.rectangle(boxes[finding.id], outline=CATEGORY_RGB[finding.category], width=line)
    taken: list[Rect] = []
    for finding in ordered:
        _label(draw, finding, boxes[finding.id], font, shape, taken)


def _box(finding: Finding, scale: float, shape: tuple[int, int]) -> Rect:
    height, width = shape
    min_row, min_col, max_row, max_col = finding.bbox_px
    pad = max(4.0, 0.006 * max(height, width))
    return (
        max(0.0, min_col * scale - pad),
        max(0.0, min_row * scale - pad),
        min(width - 1.0, (max_col + 1) * scale + pad),
        min(height - 1.0, (max_row + 1) * scale + pad),
    )


def _label(
    draw: ImageDraw.ImageDraw,
    finding: Finding,
    box: Rect,
    font: Font,
    shape: tuple[int, int],
    taken: list[Rect],
) -> None:
    category = finding.category.value if finding.category is not None else "-"
    texts = [f"{finding.id} | {category} | {finding.kind.value}", f"{finding.id} | {category}"]
    must_show = finding.category is None or finding.category.rank >= 2  # 3, 0, 4A and above
    for text in texts:
        for rect in _candidates(draw, text, box, font, shape):
            if not any(_overlap(rect, other) for other in taken):
                _draw_label(draw, text, rect, font, CATEGORY_RGB[finding.category])
                taken.append(rect)
                return
    if must_show:
        rect = _candidates(draw, texts[0], box, font, shape)[0]
        _draw_label(draw, texts[0], rect, font, CATEGORY_RGB[finding.category])
        taken.append(rect)


def _candidates(
    draw: ImageDraw.ImageDraw, text: str, box: Rect, font: Font, shape: tuple[int, int]
) -> list[Rect]:
    """Label rectangles above, below, right and left of ``box``, kept inside the canvas."""
    height, width = shape
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 4, bottom - top + 5
    x0, y0, x1, y1 = box
    spots = [
        (x0, y0 - h - 1),
        (x0, y1 + 1),
        (x1 - w, y0 - h - 1),
        (x1 - w, y1 + 1),
        (x1 + 2, y0),
        (x0 - w - 2, y0),
    ]
    rects = []
    for x, y in spots:
        x = min(max(0.0, x), max(0.0, width - w))
        y = min(max(0.0, y), max(0.0, height - h))
        rects.append((x, y, x + w, y + h))
    return rects


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_label(draw: ImageDraw.ImageDraw, text: str, rect: Rect, font: Font, colour: RGB) -> None:
    left, top, _, _ = draw.textbbox((0, 0), text, font=font)
    draw.rectangle(rect, fill=(0, 0, 0))
    draw.text((rect[0] + 2 - left, rect[1] + 2 - top), text, fill=colour, font=font)
