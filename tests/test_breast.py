"""Breast stage tests: phantoms with known masks, the simulator, mini-MIAS and the NYU exam."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi

from mammocalc.breast import PECTORAL_MARGIN_MM, segment, skin_distance_mm
from mammocalc.errors import InputError
from mammocalc.models import BreastMasks, Identifiers, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import View

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MIAS = DATA / "mini-mias"
NYU = DATA / "nyu-gmic-sample"
SPACING_MM = 0.25
SHAPE = (800, 600)  # 200 x 150 mm


@dataclass(frozen=True)
class Phantom:
    """A synthetic mammogram (chest wall on the left, upright) and its true masks."""

    pixels: np.ndarray
    breast: np.ndarray
    pectoral: np.ndarray
    label: np.ndarray
    film_edge: np.ndarray
    nipple_px: tuple[float, float]


def make_phantom(view: View, seed: int = 0) -> Phantom:
    """A breast of fatty-to-dense texture with a dark periphery, a film label and film edges.

    The film: unexposed background 0.03 with noise, constant zero padding beyond the film's right
    edge, a bright film-edge strip, and a bright label box in the background.
    """
    rng = np.random.default_rng(seed)
    rows, cols = SHAPE
    rr, cc = np.mgrid[0:rows, 0:cols].astype(np.float64)
    centre_row = 0.6 * rows if view.is_lateral else 0.5 * rows
    breast = ((rr - centre_row) / (0.5 * rows)) ** 2 + (cc / (0.7 * cols)) ** 2 <= 1
    if view.is_lateral:  # the axilla reaches the top edge along the chest wall
        breast |= (rr < centre_row) & (cc < 0.4 * cols)
    depth_mm = ndi.distance_transform_edt(np.pad(breast, ((1, 1), (0, 0)))[1:-1]) * SPACING_MM
    texture = ndi.gaussian_filter(rng.normal(size=SHAPE), 12)
    tissue = 0.45 + 0.15 * texture / texture.std()
    pixels = 0.03 + (tissue - 0.03) * np.clip(0.3 + depth_mm / 15.0, 0, 1)
    pixels = np.where(breast, pixels, 0.03)
    pectoral = np.zeros(SHAPE, dtype=bool)
    if view.is_lateral:
        pectoral = breast & (rr / (0.5 * rows) + cc / (0.3 * cols) < 1)
        pixels = np.where(pectoral, 0.8, pixels)
    label = np.zeros(SHAPE, dtype=bool)
    label[40:120, int(0.8 * cols) : int(0.9 * cols)] = True
    pixels[label] = 0.92
    film_edge = np.zeros(SHAPE, dtype=bool)
    film_edge[:, int(0.93 * cols) : int(0.95 * cols)] = True
    pixels[film_edge] = 0.75
    pixels = pixels + rng.normal(0, 0.01, SHAPE)
    pixels[:, int(0.96 * cols) :] = 0.0  # digitiser padding
    return Phantom(
        pixels=np.clip(pixels, 0, 1).astype(np.float32),
        breast=breast,
        pectoral=pectoral,
        label=label,
        film_edge=film_edge,
        nipple_px=(centre_row, 0.7 * cols - 1),
    )


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * (a & b).sum() / max(1, a.sum() + b.sum()))


def orient(array: np.ndarray, flip_lr: bool, flip_ud: bool) -> np.ndarray:
    return array[:: -1 if flip_ud else 1, :: -1 if flip_lr else 1]


@pytest.mark.parametrize(
    ("view", "flip_lr", "flip_ud"),
    [
        (View.CC, False, False),
        (View.CC, True, False),
        (View.MLO, False, False),
        (View.MLO, True, False),
        (View.MLO, False, True),
        (View.MLO, True, True),
    ],
)
def test_phantom_masks_in_any_orientation(view: View, flip_lr: bool, flip_ud: bool) -> None:
    phantom = make_phantom(view)
    pixels = orient(phantom.pixels, flip_lr, flip_ud)
    masks = segment(Mammogram(np.ascontiguousarray(pixels), SPACING_MM, view=view, is_film=True))
    truth_breast = orient(phantom.breast, flip_lr, flip_ud)
    assert masks.breast.shape == SHAPE
    assert dice(masks.breast, truth_breast) > 0.97
    assert masks.chest_wall == ("right" if flip_lr else "left")
    assert not (masks.breast & orient(phantom.label, flip_lr, flip_ud)).any()
    assert not (masks.breast & orient(phantom.film_edge, flip_lr, flip_ud)).any()
    if view.is_lateral:
        assert dice(masks.pectoral, orient(phantom.pectoral, flip_lr, flip_ud)) > 0.85
    else:
        assert not masks.pectoral.any()
    true_row, true_col = phantom.nipple_px
    true_row = SHAPE[0] - 1 - true_row if flip_ud else true_row
    true_col = SHAPE[1] - 1 - true_col if flip_lr else true_col
    distance_mm = np.hypot(masks.nipple_px[0] - true_row, masks.nipple_px[1] - true_col)
    assert distance_mm * SPACING_MM < 10.0
    _check_mask_relations(masks, Settings())


def _check_mask_relations(masks: BreastMasks, settings: Settings) -> None:
    assert not (masks.skin & ~masks.breast).any()
    assert not (masks.analysable & ~masks.breast).any()
    assert not (masks.analysable & masks.pectoral).any()
    assert not (masks.analysable & masks.skin).any()
    assert masks.skin.any()
    # nothing within skin_band_mm of the skin line (less half a millimetre for the working grid)
    outline = masks.breast & ~ndi.binary_erosion(masks.breast, border_value=1)
    band_px = int((settings.skin_band_mm - 0.5) / masks.spacing_mm)
    near_skin = ndi.binary_dilation(outline & masks.skin, iterations=band_px)
    assert not (masks.analysable & near_skin).any()
    assert masks.analysable.sum() > 0.7 * (masks.breast & ~masks.pectoral).sum()
    # nor along the muscle's edge, whose bright step would read as calcifications
    if masks.pectoral.any():
        muscle_px = int((PECTORAL_MARGIN_MM - 0.5) / masks.spacing_mm)
        near_muscle = ndi.binary_dilation(masks.pectoral, iterations=muscle_px)
        assert not (masks.analysable & near_muscle).any()


def test_results_follow_the_image_when_it_is_flipped() -> None:
    pixels = make_phantom(View.MLO, seed=3).pixels
    upright = segment(Mammogram(pixels, SPACING_MM, view=View.MLO, is_film=True))
    mirrored = segment(
        Mammogram(np.ascontiguousarray(pixels[:, ::-1]), SPACING_MM, view=View.MLO, is_film=True)
    )
    assert dice(mirrored.breast[:, ::-1], upright.breast) > 0.995
    assert dice(mirrored.pectoral[:, ::-1], upright.pectoral) > 0.98
    assert abs(mirrored.nipple_px[1] - (SHAPE[1] - 1 - upright.nipple_px[1])) < 3


def test_digital_phantom_without_film_flag() -> None:
    phantom = make_phantom(View.CC, seed=5)
    pixels = np.where(phantom.label | phantom.film_edge, 0.0, phantom.pixels).astype(np.float32)
    masks = segment(Mammogram(pixels, SPACING_MM, view=View.CC))
    assert dice(masks.breast, phantom.breast) > 0.97
    assert masks.spacing_mm == SPACING_MM
    assert masks.breast_area_cm2 == pytest.approx(
        phantom.breast.sum() * SPACING_MM**2 / 100, rel=0.05
    )


@pytest.mark.parametrize("frame_px", [12, 40])
def test_collimator_frame_is_not_breast(frame_px: int) -> None:
    """Digital images can carry a white band where the collimator blocked the beam."""
    phantom = make_phantom(View.MLO, seed=6)
    pixels = np.where(phantom.label | phantom.film_edge, 0.03, phantom.pixels).astype(np.float32)
    pixels[:, int(0.96 * SHAPE[1]) :] = 0.03
    for edge in (np.s_[:frame_px], np.s_[-frame_px:], np.s_[:, -frame_px:]):
        pixels[edge] = 0.95
    masks = segment(Mammogram(pixels, SPACING_MM, view=View.MLO))
    truth = phantom.breast.copy()
    truth[:frame_px] = truth[-frame_px:] = False
    assert dice(masks.breast, truth) > 0.97
    assert not masks.breast[:frame_px].any() and not masks.breast[:, -frame_px:].any()
    assert masks.chest_wall == "left"


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros(SHAPE, dtype=np.float32),
        np.full(SHAPE, 0.5, dtype=np.float32),
        np.random.default_rng(1).random(SHAPE, dtype=np.float32),
        np.pad(np.full((100, 100), 0.6, dtype=np.float32), ((350, 350), (250, 250))),  # 6 cm^2
        np.ones((3, 3), dtype=np.float32),
    ],
    ids=["blank", "constant", "noise", "small-blob", "tiny-image"],
)
def test_no_breast_is_an_input_error(pixels: np.ndarray) -> None:
    mammogram = Mammogram(pixels, SPACING_MM, identifiers=Identifiers(source="scan.png"))
    with pytest.raises(InputError, match=r"^scan\.png: no breast found in the image; "):
        segment(mammogram)


@pytest.mark.parametrize(("view", "laterality", "film"), [("CC", "R", False), ("MLO", "L", True)])
def test_simulated_images_match_their_truth(view: str, laterality: str, film: bool) -> None:
    simulate = pytest.importorskip("mammocalc.simulate")
    from mammocalc.simulate.truth import rle_to_mask

    sim = simulate.simulate_image(
        11, view=view, laterality=laterality, film=film, spacing_mm=0.2, scene="random"
    )
    shape = sim.mammogram.pixels.shape
    masks = segment(sim.mammogram)
    assert dice(masks.breast, rle_to_mask(sim.truth.breast_mask_rle, shape)) > 0.97
    assert masks.chest_wall == ("left" if laterality == "L" else "right")
    if sim.truth.pectoral_mask_rle:
        truth_pectoral = rle_to_mask(sim.truth.pectoral_mask_rle, shape)
        assert dice(masks.pectoral, truth_pectoral) > 0.85
    else:
        assert not masks.pectoral.any()


@pytest.mark.parametrize("seed", range(1018, 1030))
def test_simulated_films_with_an_edge_strip_near_the_breast(seed: int) -> None:
    """A bright film edge a few mm from the skin line must not pass for the background's noise."""
    from mammocalc.simulate import simulate_image
    from mammocalc.simulate.truth import rle_to_mask

    sim = simulate_image(seed, view="MLO", film=True, spacing_mm=0.2, scene="normal")
    masks = segment(sim.mammogram)
    truth = rle_to_mask(sim.truth.breast_mask_rle, sim.mammogram.pixels.shape)
    assert dice(masks.breast, truth) > 0.95


def _read_mias(name: str) -> Mammogram:
    pixels = np.asarray(Image.open(MIAS / f"{name}.pgm"), dtype=np.float32) / 255.0
    return Mammogram(pixels, 0.2, view=View.MLO, identifiers=Identifiers(name), is_film=True)


def _mias_calcification_centres() -> dict[str, list[tuple[int, int]]]:
    """Cluster centres (row, col) of Info.txt; its origin is the bottom-left corner."""
    centres: dict[str, list[tuple[int, int]]] = {}
    pattern = re.compile(r"^(mdb\d{3})\s+\S+\s+CALC\s+[BM]\s+(\d+)\s+(\d+)\s+\d+")
    for line in (MIAS / "Info.txt").read_text().splitlines():
        match = pattern.match(line.strip())
        if match and (MIAS / f"{match[1]}.pgm").exists():
            centres.setdefault(match[1], []).append((1023 - int(match[3]), int(match[2])))
    return centres


def test_mini_mias_calcifications_lie_in_the_breast_and_labels_stay_out() -> None:
    if not (MIAS / "Info.txt").exists():
        pytest.skip("mini-MIAS is not in ../shared/data/mini-mias")
    centres = _mias_calcification_centres()
    assert len(centres) >= 5
    unreliable = {"mdb212", "mdb214"}  # centres fall on background as given (data README)
    for name, points in sorted(centres.items()):
        masks = segment(_read_mias(name))
        if name not in unreliable:
            for row, col in points:
                assert masks.breast[row, col], f"{name}: truth centre {(row, col)} outside breast"
        _check_film_clutter_excluded(name, masks)


def _check_film_clutter_excluded(name: str, masks: BreastMasks) -> None:
    """One piece, clear of the nipple-side half of the film, no band along the top or bottom."""
    breast = masks.breast if masks.chest_wall == "left" else masks.breast[:, ::-1]
    assert ndi.label(breast)[1] == 1, name
    nipple_col = masks.nipple_px[1] if masks.chest_wall == "left" else 1023 - masks.nipple_px[1]
    reach = breast.shape[1] - np.argmax(breast[:, ::-1], axis=1)
    # labels and film edges sit beyond the nipple: no row reaches more than 1 cm past it
    assert reach[breast.any(axis=1)].max() <= nipple_col + 50, name
    assert not breast[:, -1].any(), name


@pytest.mark.parametrize("name", ["mdb002", "mdb005", "mdb006", "mdb058", "mdb149", "mdb234"])
def test_mini_mias_films_with_labels_borders_and_noisy_backgrounds(name: str) -> None:
    if not (MIAS / f"{name}.pgm").exists():
        pytest.skip(f"{name}.pgm is not in ../shared/data/mini-mias")
    masks = segment(_read_mias(name))
    _check_film_clutter_excluded(name, masks)
    assert 60 < masks.breast_area_cm2 < 300
    assert masks.pectoral.any()


def test_nyu_exam_areas_and_chest_wall_sides() -> None:
    if not NYU.is_dir():
        pytest.skip("the NYU sample exam is not in ../shared/data/nyu-gmic-sample")
    sides = {}
    for path in sorted(NYU.glob("*.png")):
        laterality_view = path.stem.split("_")[-1]  # e.g. "L-CC"
        pixels = np.asarray(Image.open(path), dtype=np.float32) / 4095.0
        view = View(laterality_view.split("-")[1])
        masks = segment(Mammogram(pixels, 0.1, view=view, identifiers=Identifiers(path.name)))
        assert 50 < masks.breast_area_cm2 < 400, path.name
        assert masks.breast.mean() < 0.95
        sides[laterality_view] = masks.chest_wall
    assert len(sides) == 4
    assert sides["L-CC"] == sides["L-MLO"] != sides["R-CC"] == sides["R-MLO"]


def test_scanner_lines_leave_the_analysable_area() -> None:
    """A bright column and a dark row one pixel wide (digitiser dust, a dead detector line) are
    left out of the analysable area; the tissue beside them is not."""
    phantom = make_phantom(View.CC)
    pixels = phantom.pixels.copy()
    pixels[100:700, 200] += 0.08
    pixels[400, 50:400] -= 0.08
    masks = segment(Mammogram(pixels, SPACING_MM, view=View.CC, identifiers=Identifiers("l.png")))
    clean = segment(Mammogram(phantom.pixels, SPACING_MM, view=View.CC))
    assert not masks.analysable[300:600, 200].any()
    assert not masks.analysable[400, 100:350].any()
    lost = clean.analysable & ~masks.analysable
    assert lost[300:600, 200].all() and lost[400, 100:350].all()
    lost[:, 198:203] = False
    lost[398:403, :] = False
    assert lost.sum() < 0.005 * clean.analysable.sum()  # the line nudges the skin line a little


@pytest.mark.parametrize(("seed", "spacing_mm", "density"), [(3, 0.07, "d"), (4, 0.1, "a")])
def test_simulated_tissue_has_no_scanner_lines(seed: int, spacing_mm: float, density: str) -> None:
    from mammocalc._breast_lines import scanner_lines
    from mammocalc.simulate import simulate_image

    sim = simulate_image(seed, spacing_mm=spacing_mm, density=density, scene="vascular")
    masks = segment(sim.mammogram)
    assert not scanner_lines(sim.mammogram.pixels, masks.breast, spacing_mm).any()


def test_mini_mias_scanner_line_is_left_out() -> None:
    """mdb053 has a bright vertical digitiser line through the breast at column 669 (it was the
    detector's top-scored false mark on mini-MIAS)."""
    if not (MIAS / "mdb053.pgm").exists():
        pytest.skip("mdb053.pgm is not in ../shared/data/mini-mias")
    masks = segment(_read_mias("mdb053"))
    column = masks.breast[:, 669]
    assert column.sum() > 100
    assert not masks.analysable[:, 667:672].any()


def test_hard_edges_band_the_border_and_black_areas_only() -> None:
    """The image border and a black area (a film's cut edge) get a band as wide as the skin band;
    a single black pixel inside the breast (a dead pixel) does not."""
    from mammocalc._breast_lines import hard_edges

    pixels = np.full((200, 300), 0.4, np.float32)
    pixels[:, 250:] = 0.0  # unexposed film beyond a straight cut
    pixels[100, 100] = 0.0
    edge = hard_edges(pixels, band_mm=2.0, spacing_mm=0.2)  # 10 pixels
    assert edge[:, 240:].all() and edge[:10, :].all() and edge[:, :10].all()
    assert not edge[22:178, 22:235].any()  # at most about two 0.5 mm blocks wider than the band
    assert not edge[95:106, 95:106].any()


def test_straight_black_edges_are_banded_and_curved_skin_lines_not() -> None:
    """Exact black above tissue along one row for 25 mm (padding over a cropped view) gets a band
    as wide as the skin band on both sides; a round breast outline against black, a short
    straight stretch and a dead pixel get none."""
    from mammocalc._breast_lines import straight_edges

    rows, cols = np.indices((400, 600))
    pixels = np.full((400, 600), 0.4, np.float32)
    outside = np.hypot(rows - 200, cols - 600) > 400
    pixels[outside] = 0.0  # background beyond a round outline
    pixels[:40, 300:] = 0.0  # padding: its lower edge runs 300 pixels (30 mm) along row 39
    pixels[300:320, 450:520] = 0.0  # a black notch 7 mm wide: too short to be a crop
    pixels[150, 450] = 0.0  # a dead pixel
    pixels[250:260, 320:470] = 0.0  # a straight black bar 15 mm long: short of 20 mm
    band = straight_edges(pixels, band_mm=2.0, spacing_mm=0.1)  # 20 pixels
    assert band[20:60, 300:].all() and not band[60:280, 300:].any()
    assert not (band & outside).any() and not (band & (rows > 60) & (cols < 290)).any()
    assert not band[280:340, 440:530].any() and not band[140:160, 440:460].any()
    # the same along a column; but not where the black lies on the chest wall's side (a padded
    # image cut at the chest wall keeps its tissue analysable)
    assert (straight_edges(pixels.T, 2.0, 0.1, chest_wall="right") == band.T).all()
    assert not straight_edges(pixels.T, 2.0, 0.1, chest_wall="left").any()
    assert not straight_edges(pixels, 0.0, 0.1).any()


def test_nyu_padding_edge_is_left_out() -> None:
    """The NYU sample's right MLO view is padded with black above a straight cut through its
    axillary tissue; specks along that cut made a 28-calcification cluster (4C) until 2026-12-07.
    The cut's band is not analysable; tissue 5 mm below it is."""
    path = NYU / "0_R-MLO.png"
    if not path.exists():
        pytest.skip("the NYU sample exam is not in ../shared/data/nyu-gmic-sample")
    pixels = np.asarray(Image.open(path), dtype=np.float32) / 4095.0
    masks = segment(Mammogram(pixels, 0.1, view=View.MLO, identifiers=Identifiers(path.name)))
    assert (pixels[:10, 600:800] == 0).all() and (pixels[12, 600:800] > 0).all()
    assert not masks.analysable[:30, 600:800].any()
    assert masks.analysable[70:80, 600:800].any()


def test_mini_mias_film_edge_line_is_left_out() -> None:
    """mdb037's breast is cut by the film's straight edge, which carries a bright one-pixel line
    (column 712) with black beyond it: its top-scored false mark. The edge and a band inside it
    are left out of the analysable area; the tissue 5 mm inside is not."""
    if not (MIAS / "mdb037.pgm").exists():
        pytest.skip("mdb037.pgm is not in ../shared/data/mini-mias")
    mammogram = _read_mias("mdb037")
    masks = segment(mammogram)
    assert (mammogram.pixels[850:900, 714:720] == 0).all()
    assert not masks.analysable[850:900, 704:720].any()
    assert masks.analysable[850:900, 680:690].all()


def test_hard_edges_only_on_film() -> None:
    """A digital image whose background is exact black, with the breast against the chest-wall
    border, keeps the analysable area up to that border and only the skin band at the skin line;
    the same pixels read as film lose a band along both."""
    phantom = make_phantom(View.CC)
    pixels = np.where(phantom.breast, phantom.pixels, 0.0).astype(np.float32)
    digital = segment(Mammogram(pixels, SPACING_MM, view=View.CC))
    film = segment(Mammogram(pixels, SPACING_MM, view=View.CC, is_film=True))
    middle = SHAPE[0] // 2
    assert digital.analysable[middle, 0] and not film.analysable[middle, 0]
    assert film.analysable.sum() < digital.analysable.sum()
    assert not (film.analysable & ~digital.analysable).any()


def test_skin_distance_is_measured_to_the_skin_line_only() -> None:
    """Cuts are not skin: the chest-wall side and the image edges; mirrored for a chest wall on
    the right; no skin line at all gives infinite distances; an empty mask, zeros."""
    breast = np.zeros((40, 60), bool)
    breast[:, :30] = True  # chest wall on the left, skin line after column 29, 1 mm pixels
    left = skin_distance_mm(breast, 1.0, "left")
    assert left[20, 0] == pytest.approx(30.0)  # at the chest-wall cut, 30 mm from the skin
    assert left[0, 10] == pytest.approx(20.0)  # at the image's top edge: a cut, not skin
    assert left[20, 29] == pytest.approx(1.0)
    right = skin_distance_mm(breast[:, ::-1], 1.0, "right")
    np.testing.assert_allclose(right, left[:, ::-1])
    assert np.isinf(skin_distance_mm(np.ones((10, 10), bool), 1.0, "left")).all()
    assert not skin_distance_mm(np.zeros((10, 10), bool), 1.0, "left").any()
    with pytest.raises(ValueError, match="chest_wall"):
        skin_distance_mm(breast, 1.0, "top")
