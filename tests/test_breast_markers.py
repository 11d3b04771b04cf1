"""Skin markers: metal beads are listed by the breast stage and never reported as calcifications."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mammocalc._breast_markers import MARKER_DIAMETERS_MM, on_marker, skin_markers
from mammocalc.breast import segment
from mammocalc.detect import detect
from mammocalc.models import Identifiers, Mammogram, SkinMarker
from mammocalc.pipeline import analyze_image
from mammocalc.simulate import simulate_image

NYU = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nyu-gmic-sample"
SPACING_MM = 0.1
SHAPE = (200, 200)


def ANYWHERE(row: int, col: int) -> bool:  # noqa: N802 (a constant predicate)
    """Every pixel counts as near the skin."""
    return True


def _scene(
    *, diameter_mm: float = 2.5, level: float = 1.0, ring: bool = False, axes: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Tissue at 0.4 with a bright object of ``diameter_mm`` centred at (60, 130); its value
    ``level``; hollow (a ring of 0.3 mm walls) or an ellipse of axis ratio ``axes``."""
    rng = np.random.default_rng(0)
    pixels = np.clip(0.4 + rng.normal(0, 0.01, SHAPE), 0, 0.6).astype(np.float32)
    rr, cc = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1]] * SPACING_MM
    radius = diameter_mm / 2
    r2 = ((rr - 6.0) * axes) ** 2 + (cc - 13.0) ** 2
    body = r2 <= radius**2
    if ring:
        body &= r2 >= (radius - 0.3) ** 2
    pixels[body] = level
    return pixels, np.ones(SHAPE, dtype=bool)


def test_a_saturated_round_bead_on_the_skin_is_a_marker() -> None:
    pixels, breast = _scene()
    (marker,) = skin_markers(pixels, breast, ANYWHERE, SPACING_MM)
    assert (marker.row, marker.col) == pytest.approx((60.0, 130.0), abs=0.5)
    assert marker.diameter_mm == pytest.approx(2.5, abs=0.15)


@pytest.mark.parametrize(
    ("why", "scene"),
    [
        ("smaller than a bead", {"diameter_mm": 0.9 * MARKER_DIAMETERS_MM[0]}),
        ("larger than a bead", {"diameter_mm": 1.1 * MARKER_DIAMETERS_MM[1]}),
        ("hollow: a rim or skin calcification", {"ring": True, "diameter_mm": 4.0}),
        ("elongated", {"axes": 1.5, "diameter_mm": 4.0}),
    ],
)
def test_other_bright_objects_are_not_markers(why: str, scene: dict[str, float]) -> None:
    pixels, breast = _scene(**scene)  # type: ignore[arg-type]
    assert skin_markers(pixels, breast, ANYWHERE, SPACING_MM) == (), why


def test_a_bead_below_the_brightest_level_or_away_from_the_skin_is_not_a_marker() -> None:
    pixels, breast = _scene(level=0.9)
    pixels[5:10, 5:10] = 1.0  # something brighter elsewhere: the disc is not saturated
    assert skin_markers(pixels, breast, ANYWHERE, SPACING_MM) == ()
    pixels, breast = _scene()
    assert skin_markers(pixels, breast, lambda row, col: False, SPACING_MM) == ()


def test_on_marker_reaches_the_bead_edge_plus_the_margin() -> None:
    markers = (SkinMarker(100.0, 100.0, 2.0),)
    assert on_marker((100.0, 114.0), markers, SPACING_MM)  # 1.4 mm: radius 1 + margin 0.5
    assert not on_marker((100.0, 116.0), markers, SPACING_MM)
    assert not on_marker((100.0, 100.0), (), SPACING_MM)


def _with_bead(mammogram: Mammogram, diameter_mm: float = 2.5) -> tuple[Mammogram, tuple[int, int]]:
    """The image with a saturated bead 3 mm inside its skin line, on the breast's widest row."""
    masks = segment(mammogram)
    row = int(masks.nipple_px[0])
    cols = np.flatnonzero(masks.breast[row])
    inward = 1 if masks.chest_wall == "right" else -1
    edge = cols.max() if masks.chest_wall == "left" else cols.min()
    col = int(edge + inward * 3.0 / mammogram.spacing_mm)
    rr, cc = np.ogrid[: mammogram.pixels.shape[0], : mammogram.pixels.shape[1]]
    disc = np.hypot(rr - row, cc - col) * mammogram.spacing_mm <= diameter_mm / 2
    pixels = mammogram.pixels.copy()
    pixels[disc] = max(1.0, float(pixels.max()))
    return Mammogram(pixels, mammogram.spacing_mm, view=mammogram.view), (row, col)


def test_a_bead_on_a_simulated_breast_is_listed_and_not_detected() -> None:
    plain = simulate_image(3, scene="normal", spacing_mm=0.2).mammogram
    mammogram, (row, col) = _with_bead(plain)
    masks = segment(mammogram)
    assert len(masks.markers) == 1
    assert (masks.markers[0].row, masks.markers[0].col) == pytest.approx((row, col), abs=1.0)
    unlisted = detect(mammogram, dataclasses.replace(masks, markers=()))
    assert any(on_marker(c.centroid_px, masks.markers, 0.2) for c in unlisted)
    found = detect(mammogram, masks)
    assert not any(on_marker(c.centroid_px, masks.markers, 0.2) for c in found)
    assert len(found) < len(unlisted)
    result = analyze_image(mammogram)
    assert any("skin marker" in w for w in result.warnings)
    assert not any(on_marker(f.centroid_px, masks.markers, 0.2) for f in result.findings)
    assert segment(plain).markers == ()


def test_nyu_nipple_markers_are_not_calcifications() -> None:
    if not NYU.is_dir():
        pytest.skip("the NYU sample exam is not in ../shared/data/nyu-gmic-sample")
    for path in sorted(NYU.glob("*.png")):
        pixels = np.asarray(Image.open(path), dtype=np.float32) / 4095.0
        mammogram = Mammogram(pixels, 0.1, identifiers=Identifiers(path.name))
        masks = segment(mammogram)
        assert len(masks.markers) == 1, path.name
        result = analyze_image(mammogram)
        assert not any(on_marker(f.centroid_px, masks.markers, 0.1) for f in result.findings)
