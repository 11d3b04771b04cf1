"""Overlay PNG: the mammogram in greyscale with calcifications outlined and findings boxed.

Calcification outlines are thin and coloured by detection score (blue for low, cyan for high);
finding boxes are coloured by BI-RADS category and labelled ``id | category | kind``. A legend strip
below the image explains the colours, so nothing is drawn over the breast except the marks.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mammocalc.errors import ParameterError
from mammocalc.models import Calcification, ImageResult, Mammogram
from mammocalc.report._atomic import write_bytes_atomic
from mammocalc.report._colours import CATEGORY_RGB, RGB
from mammocalc.report._format import side_label
from mammocalc.report._labels import Font, draw_findings
from mammocalc.vocabulary import Category

MIN_SIDE_PX = 512  # small images are enlarged so that labels and the legend stay legible
FONT_MIN_PX, FONT_MAX_PX = 12, 26
LEGEND_MIN_WIDTH_PX = 360  # a narrow image is padded on the right so that the legend stays legible
OUTLINE_GAP_PX = 1.5  # outlines are drawn this far outside the calcification's edge
SCORE_LOW_RGB: RGB = (60, 90, 255)
SCORE_HIGH_RGB: RGB = (0, 255, 255)
LEGEND_ENTRIES: list[tuple[str, RGB]] = [
    ("BI-RADS 2 benign", CATEGORY_RGB[Category.BENIGN]),
    ("3 probably benign", CATEGORY_RGB[Category.PROBABLY_BENIGN]),
    ("0 magnification views", CATEGORY_RGB[Category.INCOMPLETE]),
    ("4A-4C suspicious", CATEGORY_RGB[Category.SUSPICIOUS_LOW]),
    ("5 highly suggestive", CATEGORY_RGB[Category.HIGHLY_SUGGESTIVE]),
    ("not assessed", CATEGORY_RGB[None]),
]


def overlay_png(
    mammogram: Mammogram, image: ImageResult, path: Path, *, max_side_px: int = 2048
) -> Path:
    """Draw ``image``'s calcifications and findings on ``mammogram`` and write a PNG atomically.

    Parameters
    ----------
    mammogram : Mammogram
        The analysed image; ``pixels`` shape (rows, cols) must equal ``image.shape_px``.
    image : ImageResult
        Calcifications (outlines in original pixel coordinates) and findings of that image.
    path : Path
        Output PNG; its folder must exist.
    max_side_px : int, optional
        Longest side of the written picture, legend included; larger images are downsampled by
        area averaging, images under 512 px enlarged.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ParameterError
        When the pixel shape and ``image.shape_px`` differ, or ``max_side_px`` is below 256.
    """
    if max_side_px < 256:
        raise ParameterError(
            f"max_side_px must be at least 256 for a legible overlay, got {max_side_px}."
        )
    if tuple(mammogram.pixels.shape) != tuple(image.shape_px):
        raise ParameterError(
            f"The mammogram for {image.source} has shape {mammogram.pixels.shape} but its result "
            f"says {tuple(image.shape_px)}; pass the Mammogram the result was computed from."
        )
    picture = render_overlay(mammogram.pixels, image, max_side_px=max_side_px)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)  # level 6 is 2x slower, no smaller
    return write_bytes_atomic(buffer.getvalue(), Path(path))


def render_overlay(pixels: np.ndarray, image: ImageResult, *, max_side_px: int) -> Image.Image:
    """The overlay as an RGB PIL image (see :func:`overlay_png`); no I/O."""
    rows, cols = pixels.shape
    scale = _scale(rows, cols, max_side_px, legend_px=0)
    font = _font(min(FONT_MAX_PX, max(FONT_MIN_PX, round(min(rows, cols) * scale / 45))))
    legend_min_px = min(LEGEND_MIN_WIDTH_PX, max_side_px)
    legend = _legend(image, font, width_px=max(legend_min_px, round(cols * scale)))
    for _ in range(3):  # a narrower image wraps the legend onto more lines: settle both
        scale = _scale(rows, cols, max_side_px, legend_px=legend.height)
        legend = _legend(image, font, width_px=max(legend_min_px, round(cols * scale)))
        if rows * scale + legend.height <= max_side_px:
            break
    width, height = max(1, round(cols * scale)), max(1, round(rows * scale))
    # resize first (area average in float), then window: cheaper on full-field images
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.NEAREST
    resized = Image.fromarray(np.asarray(pixels, dtype=np.float32), mode="F").resize(
        (width, height), resample=resample
    )
    base = Image.fromarray(display_uint8(np.asarray(resized)), mode="L").convert("RGB")
    canvas = Image.new("RGB", (legend.width, height + legend.height), (0, 0, 0))
    canvas.paste(base, (0, 0))
    canvas.paste(legend, (0, height))
    draw = ImageDraw.Draw(canvas)
    for calcification in image.calcifications:
        _draw_calcification(draw, calcification, scale, image.spacing_mm)
    # labels may use the padding right of a narrow image, never the legend strip
    draw_findings(draw, image.findings, scale, font, (height, legend.width))
    return canvas


def display_uint8(pixels: np.ndarray) -> np.ndarray:
    """Window ``pixels`` (any real dtype) to uint8 between its 0.5th and 99.8th percentiles."""
    sample = np.asarray(
        pixels[:: max(1, pixels.shape[0] // 512), :: max(1, pixels.shape[1] // 512)]
    )
    low, high = np.percentile(sample, [0.5, 99.8])
    if not high > low:
        low, high = float(np.min(pixels)), float(np.max(pixels))
    span = high - low if high > low else 1.0
    scaled = (np.asarray(pixels, dtype=np.float32) - low) * (255.0 / span)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def score_rgb(score: float) -> RGB:
    """Outline colour of a calcification with detection ``score`` in [0, 1]."""
    t = min(1.0, max(0.0, score))
    (r0, g0, b0), (r1, g1, b1) = SCORE_LOW_RGB, SCORE_HIGH_RGB
    return (round(r0 + (r1 - r0) * t), round(g0 + (g1 - g0) * t), round(b0 + (b1 - b0) * t))


def _scale(rows: int, cols: int, max_side_px: int, *, legend_px: int) -> float:
    longest = max(rows, cols)
    scale = 1.0
    if longest < MIN_SIDE_PX:
        scale = float(math.ceil(MIN_SIDE_PX / longest))
    if longest * scale > max_side_px:
        scale = max_side_px / longest
    if rows * scale + legend_px > max_side_px:
        scale = max(1e-3, (max_side_px - legend_px) / rows)
    return scale


def _to_canvas(point_px: tuple[float, float], scale: float) -> tuple[float, float]:
    """(row, col) original pixel centre -> (x, y) canvas coordinates."""
    row, col = point_px
    return ((col + 0.5) * scale - 0.5, (row + 0.5) * scale - 0.5)


def _draw_calcification(
    draw: ImageDraw.ImageDraw, calcification: Calcification, scale: float, spacing_mm: float
) -> None:
    colour = score_rgb(calcification.score)
    cx, cy = _to_canvas(calcification.centroid_px, scale)
    points = [_to_canvas(p, scale) for p in calcification.outline_px]
    if len(points) >= 3:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if max(max(xs) - min(xs), max(ys) - min(ys)) >= 4:
            draw.polygon([_push_out(p, (cx, cy), OUTLINE_GAP_PX) for p in points], outline=colour)
            return
    # too small to outline at this scale: a small ring marks it instead
    radius = max(3.0, calcification.diameter_mm / spacing_mm * scale / 2 + OUTLINE_GAP_PX)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=colour, width=1)


def _push_out(
    point: tuple[float, float], centre: tuple[float, float], gap: float
) -> tuple[float, float]:
    """Move ``point`` ``gap`` canvas pixels away from ``centre``, so the line leaves the
    calcification itself visible."""
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return point
    return (point[0] + gap * dx / length, point[1] + gap * dy / length)


def _legend(image: ImageResult, font: Font, *, width_px: int) -> Image.Image:
    """A strip of swatches, the score ramp and the image facts, wrapped to ``width_px``."""
    items: list[tuple[str, RGB | None]] = list(LEGEND_ENTRIES)
    items.append(("calcification score 0 to 1", None))
    view = image.view.value
    spacing = f"{image.spacing_mm:.3f} mm/px" + (" (assumed)" if image.spacing_assumed else "")
    items.append((f"{side_label(image.laterality)} {view}, {spacing}; not for diagnosis", None))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    size = int(font.size) if isinstance(font, ImageFont.FreeTypeFont) else 12
    swatch, gap = size, size
    placed: list[tuple[int, int, str, RGB | None, int]] = []
    x = y = gap // 2
    for index, (text, colour) in enumerate(items):
        text_w = int(probe.textlength(text, font=font))
        item_w = swatch * 3 if index == len(LEGEND_ENTRIES) else swatch if colour else 0
        item_w += (gap // 2 if item_w else 0) + text_w
        if x > gap // 2 and x + item_w > width_px - gap // 2:
            x, y = gap // 2, y + size + gap // 2
        placed.append((x, y, text, colour, index))
        x += item_w + gap
    strip = Image.new("RGB", (width_px, y + size + gap), (20, 20, 20))
    draw = ImageDraw.Draw(strip)
    for x, y, text, colour, index in placed:
        if index == len(LEGEND_ENTRIES):  # the score ramp
            for step in range(swatch * 3):
                draw.line(
                    (x + step, y, x + step, y + swatch), fill=score_rgb(step / (swatch * 3 - 1))
                )
            x += swatch * 3 + gap // 2
        elif colour is not None:
            draw.rectangle(
                (x, y, x + swatch, y + swatch), outline=colour, width=max(2, swatch // 6)
            )
            x += swatch + gap // 2
        draw.text((x, y + swatch // 2), text, fill=(235, 235, 235), font=font, anchor="lm")
    return strip


def _font(size_px: int) -> Font:
    return ImageFont.load_default(size=size_px)
