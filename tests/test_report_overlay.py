"""Overlay PNG: greyscale picture, outlines coloured by score, boxes by category, legend, size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mammocalc.errors import ParameterError
from mammocalc.models import ImageResult, Mammogram
from mammocalc.report import _labels, overlay_png
from mammocalc.report.overlay import CATEGORY_RGB, render_overlay, score_rgb
from mammocalc.vocabulary import Category, Laterality
from test_report_factory import make_report, tiny_mammogram


@pytest.fixture
def image() -> ImageResult:
    report = make_report({Laterality.LEFT: [Category.SUSPICIOUS_MODERATE, Category.BENIGN]})
    return next(i for i in report.images if i.laterality is Laterality.LEFT)


def _colour_count(picture: Image.Image, rgb: tuple[int, int, int]) -> int:
    array = np.asarray(picture.convert("RGB"))
    return int(np.all(array == np.array(rgb, dtype=np.uint8), axis=-1).sum())


def test_overlay_is_written_atomically_as_png(image: ImageResult, tmp_path: Path) -> None:
    path = overlay_png(tiny_mammogram(image), image, tmp_path / "o.png")
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.mode == "RGB"
        # a 240 x 180 image is enlarged to 720 x 540, with the legend strip below
        assert picture.width == 540 and picture.height > 720


def test_boxes_carry_category_colours_and_outlines_score_colours(image: ImageResult) -> None:
    picture = render_overlay(tiny_mammogram(image).pixels, image, max_side_px=2048)
    scale = 3  # enlarged threefold
    image_part = picture.crop((0, 0, picture.width, image.shape_px[0] * scale))
    for finding in image.findings:
        assert finding.category is not None
        min_row, min_col, max_row, max_col = finding.bbox_px
        box = image_part.crop(
            (min_col * scale - 15, min_row * scale - 15, max_col * scale + 15, max_row * scale + 15)
        )
        assert _colour_count(box, CATEGORY_RGB[finding.category]) > 40
    for calc in image.calcifications[:3]:
        row, col = (round(v * scale) for v in calc.centroid_px)
        around = image_part.crop((col - 12, row - 12, col + 13, row + 13))
        assert _colour_count(around, score_rgb(calc.score)) > 0


def test_greyscale_shows_the_image(image: ImageResult) -> None:
    mammogram = tiny_mammogram(image)
    picture = np.asarray(render_overlay(mammogram.pixels, image, max_side_px=2048))
    # away from the marks the picture is grey, and the breast brighter than the background
    corner, breast = picture[3, 3], picture[360, 500]
    assert corner[0] == corner[1] == corner[2]
    assert breast[0] == breast[1] == breast[2]
    assert breast[0] > corner[0] + 100


def test_large_images_are_downsampled(image: ImageResult, tmp_path: Path) -> None:
    big = tiny_mammogram(image)
    pixels = np.kron(big.pixels, np.ones((5, 5), dtype=np.float32))  # 1200 x 900
    factor = 5
    scaled = image.model_copy(
        update={
            "shape_px": pixels.shape,
            "findings": [
                f.model_copy(update={"bbox_px": tuple(v * factor for v in f.bbox_px)})
                for f in image.findings
            ],
        }
    )
    mammogram = Mammogram(pixels=pixels, spacing_mm=0.02, laterality=Laterality.LEFT)
    path = overlay_png(mammogram, scaled, tmp_path / "big.png", max_side_px=400)
    with Image.open(path) as picture:
        assert max(picture.size) <= 400
        assert picture.height > picture.width


def test_shape_mismatch_is_refused(image: ImageResult, tmp_path: Path) -> None:
    wrong = Mammogram(pixels=np.zeros((50, 40), dtype=np.float32), spacing_mm=0.1)
    with pytest.raises(ParameterError, match="shape"):
        overlay_png(wrong, image, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_constant_image_and_no_findings_still_render(tmp_path: Path) -> None:
    report = make_report({})
    image = report.images[0]
    flat = Mammogram(pixels=np.full(image.shape_px, 0.3, dtype=np.float32), spacing_mm=0.1)
    path = overlay_png(flat, image, tmp_path / "flat.png")
    with Image.open(path) as picture:
        assert picture.size[0] == 540


def test_crowded_findings_keep_the_suspicious_label(monkeypatch: pytest.MonkeyPatch) -> None:
    report = make_report({Laterality.LEFT: [Category.BENIGN] * 6 + [Category.SUSPICIOUS_HIGH]})
    image = next(i for i in report.images if i.laterality is Laterality.LEFT)
    # pile every finding onto the same spot so that the labels compete for room
    piled = [f.model_copy(update={"bbox_px": (60, 60, 70, 70)}) for f in image.findings]
    crowded = image.model_copy(update={"findings": piled})
    drawn: list[tuple[str, tuple[float, float, float, float]]] = []
    original = _labels._draw_label

    def recording(draw, text, rect, font, colour):  # type: ignore[no-untyped-def]
        drawn.append((text, rect))
        original(draw, text, rect, font, colour)

    monkeypatch.setattr(_labels, "_draw_label", recording)
    picture = render_overlay(tiny_mammogram(image).pixels, crowded, max_side_px=2048)
    top = picture.crop((0, 0, picture.width, 60 * 3))  # labels sit above the boxes
    assert _colour_count(top, CATEGORY_RGB[Category.SUSPICIOUS_HIGH]) > 20
    assert drawn[0][0] == "L-CC-7 | 4C | cluster"
    rects = [rect for _, rect in drawn]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_narrow_pictures_are_padded_for_the_legend(tmp_path: Path) -> None:
    report = make_report({Laterality.RIGHT: [Category.SUSPICIOUS_LOW]})
    image = next(i for i in report.images if i.laterality is Laterality.RIGHT)
    tall = np.repeat(tiny_mammogram(image).pixels, 8, axis=0)  # 1920 x 180
    stretched = image.model_copy(update={"shape_px": tall.shape})
    path = overlay_png(
        Mammogram(pixels=tall, spacing_mm=0.1), stretched, tmp_path / "t.png", max_side_px=600
    )
    with Image.open(path) as picture:
        assert picture.width == 360 and picture.height <= 600
        right = np.asarray(picture)[:400, 100:]  # the padding right of the 56 px wide image
        assert right.max() > 0  # the label of the 4A finding reaches into it
