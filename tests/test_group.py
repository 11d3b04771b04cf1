"""Grouping rules on hand-placed calcifications: cluster rule, macro threshold, distributions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import ndimage as ndi

from mammocalc._group_features import principal_axis
from mammocalc._group_vessels import (
    fit_track,
    paired_walls,
    segments_along,
    straight_track,
    tram_track,
)
from mammocalc._reasons import describe_finding
from mammocalc.group import group
from mammocalc.models import (
    BreastMasks,
    Calcification,
    Finding,
    Identifiers,
    Mammogram,
    Shape,
)
from mammocalc.settings import Settings
from mammocalc.vocabulary import Distribution, FindingKind, Laterality, View

SPACING_MM = 0.1
SIZE_PX = 1000  # a 100 mm square image, all breast, nipple at the right edge's middle


def calc(
    i: int,
    row_mm: float,
    col_mm: float,
    diameter_mm: float = 0.3,
    *,
    elongation: float = 1.1,
    orientation_deg: float = 0.0,
) -> Calcification:
    length = diameter_mm * np.sqrt(elongation)
    centre_px = (row_mm / SPACING_MM, col_mm / SPACING_MM)
    return Calcification(
        id=i,
        centroid_px=centre_px,
        centroid_mm=(row_mm, col_mm),
        outline_px=[(centre_px[0] - 2, centre_px[1]), (centre_px[0] + 2, centre_px[1])],
        area_mm2=np.pi * diameter_mm**2 / 4,
        diameter_mm=diameter_mm,
        contrast=0.05,
        cnr=8.0,
        shape=Shape(
            circularity=0.9,
            elongation=elongation,
            solidity=0.95,
            length_mm=length,
            width_mm=length / elongation,
            orientation_deg=orientation_deg,
        ),
        score=0.9,
    )


def image() -> tuple[Mammogram, BreastMasks]:
    pixels = np.zeros((SIZE_PX, SIZE_PX), np.float32)
    breast = np.ones_like(pixels, bool)
    mammogram = Mammogram(
        pixels, SPACING_MM, Laterality.LEFT, View.CC, Identifiers(source="left-cc.png")
    )
    masks = BreastMasks(
        breast, ~breast, ~breast, breast, "left", (SIZE_PX / 2, SIZE_PX - 1.0), SPACING_MM
    )
    return mammogram, masks


def run(calcs: list[Calcification], **settings: object) -> list:
    """Group with every finding reported (these tests are about the grouping rules, not scores)."""
    values = {"finding_threshold": 0.0, **settings}
    return group(calcs, *image(), settings=Settings.model_validate(values))


def test_three_within_a_square_centimetre_is_a_grouped_cluster() -> None:
    calcs = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50), calc(4, 80, 20)]
    (finding,) = run(calcs)
    assert finding.kind is FindingKind.CLUSTER
    assert finding.distribution is Distribution.GROUPED
    assert finding.count == 3 and sorted(finding.calcification_ids) == [1, 2, 3]
    assert finding.id == "L-CC-1" and finding.image == "left-cc.png"
    assert finding.centroid_mm == pytest.approx((51.0, 50.67), abs=0.01)
    features = finding.features
    for key in ("n", "extent_mm", "density_per_cm2", "linearity", "branching", "size_ratio"):
        assert key in features
    assert features["score_share_conspicuous"] == 1.0  # every member scored 0.9
    faint = [c.model_copy(update={"score": 0.8}) if c.id == 1 else c for c in calcs]
    (cluster,) = run(faint)
    assert cluster.features["score_share_conspicuous"] == pytest.approx(2 / 3)
    assert features["distance_to_nipple_mm"] == pytest.approx(np.hypot(1.0, 49.23), abs=0.2)
    assert 0.0 <= finding.detection_score <= 1.0
    assert finding.morphology == [] and finding.category is None


def test_a_cluster_counts_the_conspicuous_calcifications_scattered_over_the_breast() -> None:
    """``scattered_in_breast``: microcalcifications in no finding, scored at least 0.9, counted
    when they spread over half the breast's span or more (a diffuse population); 0 when they
    lie in one area or are faint."""
    group_of = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50)]
    rows, cols = np.meshgrid(np.arange(8, 95, 12.0), np.arange(8, 95, 24.0), indexing="ij")
    points = np.column_stack([rows.ravel(), cols.ravel()])
    spread = [calc(10 + k, r, c) for k, (r, c) in enumerate(points)]
    spread = [c for c in spread if np.hypot(c.centroid_mm[0] - 51, c.centroid_mm[1] - 51) > 8]

    def scattered(others: list[Calcification]) -> float:
        (cluster,) = [f for f in run([*group_of, *others]) if f.kind is FindingKind.CLUSTER]
        return cluster.features["scattered_in_breast"]

    assert scattered(spread) == len(spread) >= 20
    assert scattered([]) == 0.0
    in_one_area = [calc(10 + k, 70 + 5.5 * (k % 4), 10 + 5.5 * (k // 4)) for k in range(24)]
    assert scattered(in_one_area) == 0.0  # 16.5 x 27.5 mm of a 100 mm breast: regional
    assert scattered([*in_one_area, calc(99, 5, 95)]) == 0.0  # one far speck spreads nothing
    faint = [c.model_copy(update={"score": 0.8}) for c in spread]
    assert scattered(faint) == 0.0


def test_a_cluster_counts_the_conspicuous_calcifications_within_20_mm() -> None:
    """``calcifications_nearby``: conspicuous microcalcifications outside the cluster within
    20 mm of its centre, loose or in another group; not far, faint or macro ones."""
    group_of = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50)]  # centre (51, 50.67)
    loose = [
        calc(10 + k, 51 + 12 * np.cos(a), 50 + 12 * np.sin(a)) for k, a in enumerate([0, 2, 4])
    ]
    other_group = [calc(20, 36, 50), calc(21, 37, 51), calc(22, 36, 52)]  # about 14.5 mm away
    far = [calc(30, 51, 80), calc(31, 80, 50)]
    faint = [calc(40, 60, 60).model_copy(update={"score": 0.8})]
    macro = [calc(50, 40, 40, 1.5)]
    findings = run([*group_of, *loose, *other_group, *far, *faint, *macro])
    (cluster,) = [f for f in findings if sorted(f.calcification_ids) == [1, 2, 3]]
    assert cluster.features["calcifications_nearby"] == 6.0
    (alone,) = [f for f in run(group_of) if f.kind is FindingKind.CLUSTER]
    assert alone.features["calcifications_nearby"] == 0.0
    # pieces of a vessel beside it are no scatter
    vessel = [  # two parallel walls 1.6 mm apart, about 12-16 mm from the group's centre
        calc(
            60 + i,
            38 + 1.6 * (i % 2) + 0.05 * i,
            42 + 1.2 * i,
            0.6,
            elongation=6.0,
            orientation_deg=90,
        )
        for i in range(13)
    ]
    with_vessel = run([*group_of, *vessel])
    assert any(f.kind is FindingKind.VASCULAR for f in with_vessel)
    (cluster,) = [f for f in with_vessel if sorted(f.calcification_ids) == [1, 2, 3]]
    assert cluster.features["calcifications_nearby"] == 0.0


@pytest.mark.parametrize("chest_wall", ["left", "right"])
def test_distance_to_skin_is_not_measured_to_the_chest_wall_cut(chest_wall: str) -> None:
    """A half-disc breast 5 mm in from the chest-wall edge of the image: a group 2 mm from that
    cut lies about 43 mm from the skin (the curved edge); one 2 mm inside the curve, 2 mm."""
    mammogram, _ = image()
    rows, cols = np.mgrid[0:SIZE_PX, 0:SIZE_PX] * SPACING_MM
    breast = (np.hypot(rows - 50, cols - 5) <= 45) & (cols >= 5)
    if chest_wall == "right":
        breast = breast[:, ::-1]
    masks = BreastMasks(breast, ~breast, ~breast, breast, chest_wall, (500, 500), SPACING_MM)

    def skin_mm(col_mm: float) -> float:
        col_mm = col_mm if chest_wall == "left" else 100 - col_mm
        calcs = [calc(1, 50, col_mm), calc(2, 51, col_mm + 0.5), calc(3, 49, col_mm + 0.5)]
        settings = Settings.model_validate({"finding_threshold": 0.0})
        (cluster,) = group(calcs, mammogram, masks, settings=settings)
        return cluster.features["distance_to_skin_mm"]

    assert skin_mm(7) == pytest.approx(43, abs=1.5)
    assert skin_mm(48) == pytest.approx(2, abs=1.0)


def test_with_no_skin_line_in_the_image_the_skin_is_at_least_at_its_edge() -> None:
    """A breast mask filling the image (a crop): the skin lies beyond the edges, so a group's
    distance to it is finite, at least its distance to the nearest edge (the models need a
    number, not infinity)."""
    (cluster,) = run([calc(1, 30, 20), calc(2, 31, 21), calc(3, 29, 21)])
    assert cluster.features["distance_to_skin_mm"] == pytest.approx(20.5, abs=1.0)


def test_two_calcifications_or_a_loose_chain_are_no_cluster() -> None:
    assert run([calc(1, 50, 50), calc(2, 51, 51)]) == []
    assert run([calc(1, 50, 50), calc(2, 50, 56), calc(3, 50, 62), calc(4, 50, 68)]) == []
    assert len(run([calc(1, 50, 50), calc(2, 51, 51)], cluster_min_count=2)) == 1


def test_macrocalcification_threshold() -> None:
    findings = run([calc(1, 30, 30, 1.2), calc(2, 70, 70, 0.8)])
    assert [f.kind for f in findings] == [FindingKind.MACROCALCIFICATION]
    assert findings[0].calcification_ids == [1]
    assert run([calc(1, 30, 30, 1.2)], macro_diameter_mm=1.5) == []


def test_two_overlapping_pieces_of_macro_size_together_are_one_macrocalcification() -> None:
    """A 1.2 mm plate outlined as two 0.8 mm pieces whose equivalent circles overlap is one
    macrocalcification; two such pieces 0.3 mm apart edge to edge, or overlapping but together
    under 1 mm, are nothing (two specks are no cluster)."""
    (plate,) = run([calc(1, 30, 30, 0.8), calc(2, 30, 30.7, 0.85)])
    assert plate.kind is FindingKind.MACROCALCIFICATION
    assert sorted(plate.calcification_ids) == [1, 2]
    assert run([calc(1, 30, 30, 0.8), calc(2, 30, 31.1, 0.8)]) == []
    assert run([calc(1, 30, 30, 0.6), calc(2, 30, 30.5, 0.6)]) == []


def test_touching_lobes_are_one_macrocalcification() -> None:
    """Lobes of a popcorn calcification (edges 0.3 mm apart) are one finding; far ones are not."""
    lobes = [calc(1, 30, 30, 1.5), calc(2, 30, 31.8, 1.5), calc(3, 31.6, 30.9, 1.4)]
    findings = run([*lobes, calc(4, 30, 40, 1.5)])
    assert sorted(f.count for f in findings) == [1, 3]
    assert {f.kind for f in findings} == {FindingKind.MACROCALCIFICATION}
    (popcorn,) = [f for f in findings if f.count == 3]
    assert sorted(popcorn.calcification_ids) == [1, 2, 3]


def _on_pixels(pixels: np.ndarray, calcs: list[Calcification]) -> list:
    mammogram, masks = image()
    mammogram = Mammogram(pixels, SPACING_MM, Laterality.LEFT, View.CC, mammogram.identifiers)
    return group(
        calcs, mammogram, masks, settings=Settings.model_validate({"finding_threshold": 0})
    )


def _speckled(level: float = 0.3) -> np.ndarray:
    return (level + 0.01 * np.random.default_rng(0).standard_normal((SIZE_PX, SIZE_PX))).astype(
        np.float32
    )


def test_pieces_in_the_bright_body_of_a_coarse_calcification_are_one_macrocalcification() -> None:
    """A coarse calcification wider than the detector's 2 mm background shows as a lobe and small
    rim pieces; they lie in one bright body and are one macrocalcification. Faint specks 7 mm
    away, below half its contrast, stay a cluster of their own."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    pixels[np.hypot(rows - 300, cols - 300) <= 35] = 1.0  # a 7 mm saturated core at (30, 30) mm
    for r, c in ((300, 370), (310, 380), (290, 382)):
        pixels[np.hypot(rows - r, cols - c) <= 2] += 0.1
    pieces = [calc(1, 30, 28.5, 2.4), calc(2, 27, 30, 0.2), calc(3, 33, 31, 0.2)]
    pieces.append(calc(4, 30, 33, 0.2))
    specks = [calc(5, 30, 37), calc(6, 31, 38), calc(7, 29, 38.2)]
    findings = _on_pixels(pixels, [*pieces, *specks])
    kinds = {f.kind: sorted(f.calcification_ids) for f in findings}
    assert kinds == {FindingKind.MACROCALCIFICATION: [1, 2, 3, 4], FindingKind.CLUSTER: [5, 6, 7]}


def _boxed(piece: Calcification, rows: tuple[int, int], cols: tuple[int, int]) -> Calcification:
    """``piece`` outlined as the pixel box ``rows`` x ``cols``."""
    (r0, r1), (c0, c1) = rows, cols
    box = [
        (float(r0), float(c0)),
        (float(r0), float(c1)),
        (float(r1), float(c1)),
        (float(r1), float(c0)),
    ]
    return piece.model_copy(update={"outline_px": box})


@pytest.mark.parametrize(("elongation", "one_body"), [(5.0, True), (2.8, False)])
def test_a_large_rod_outlined_as_two_rods_and_small_pieces_is_one_macrocalcification(
    elongation: float, one_body: bool
) -> None:
    """An 11 x 1.5 mm saturated rod whose flat core the detector outlined as two rods and four
    small pieces: the rods seed one body, so it is one large rod-like macrocalcification, not a
    cluster of category 4C. Stubby thick pieces (elongation 2.8, a casting's branch points) are
    no rods and seed nothing: the pieces, which make up the whole body, stay a cluster."""
    pixels = _speckled()
    pixels[493:508, 400:511] = 1.0
    pixels = ndi.gaussian_filter(pixels, 1.0)
    length = 5.5
    diameter = length / np.sqrt(elongation)
    halves = [
        _boxed(
            calc(1, 50.0, 42.75, diameter, elongation=elongation, orientation_deg=90.0),
            (492, 508),
            (398, 456),
        ),
        _boxed(
            calc(2, 50.0, 48.25, diameter, elongation=elongation, orientation_deg=90.0),
            (492, 508),
            (455, 512),
        ),
    ]
    small = [
        _boxed(calc(3 + k, 50.0, 41.0 + 3.0 * k, 0.4), (497, 503), (407 + 30 * k, 413 + 30 * k))
        for k in range(4)
    ]
    findings = _on_pixels(pixels, halves + small)
    assert all(h.shape.width_mm >= 0.5 for h in halves)
    if one_body:
        (finding,) = findings
        assert finding.kind is FindingKind.MACROCALCIFICATION and finding.count == 6
    else:
        assert [f.kind for f in findings] == [FindingKind.CLUSTER]


def test_small_pieces_on_the_edge_of_a_large_sharp_body_are_one_macrocalcification() -> None:
    """A 5 mm rim calcification the detector only outlines in small pieces along its edge."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    pixels[np.hypot(rows - 500, cols - 500) <= 25] = 0.9
    edge = [
        calc(i, 50 + 2.3 * np.sin(a), 50 + 2.3 * np.cos(a), 0.3) for i, a in enumerate([0, 2, 4])
    ]
    (finding,) = _on_pixels(pixels, edge)
    assert finding.kind is FindingKind.MACROCALCIFICATION and finding.count == 3


def test_a_hollow_body_is_marked_lucent_and_a_lone_piece_of_a_large_body_is_a_macro() -> None:
    """A 5 mm eggshell ring (rim calcification) carries ``lucent_centre``; a single 0.4 mm piece
    that is all the detector kept of a 4 mm coarse body is a macrocalcification of that size."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    radius = np.hypot(rows - 500, cols - 500)
    pixels[(radius <= 25) & (radius >= 17)] = 0.9
    pixels[radius < 17] = 0.45
    edge = [
        calc(i, 50 + 2.1 * np.sin(a), 50 + 2.1 * np.cos(a), 0.3) for i, a in enumerate([0, 2, 4])
    ]
    (ring,) = _on_pixels(pixels, edge)
    assert ring.kind is FindingKind.MACROCALCIFICATION and ring.features["lucent_centre"] == 1.0
    pixels = _speckled()
    pixels[np.hypot(rows - 300, cols - 300) <= 20] = 0.9
    (lone,) = _on_pixels(pixels, [calc(1, 30, 31.5, 0.4)])
    assert lone.kind is FindingKind.MACROCALCIFICATION and lone.features["lucent_centre"] == 0.0
    assert lone.features["body_diameter_mm"] == pytest.approx(4.0, abs=0.3)
    assert lone.extent_mm >= 3.7


def _arc_piece(
    i: int, start: float, stop: float, inner_px: float, outer_px: float
) -> Calcification:
    """A piece outlined along the ring sector ``start``-``stop`` (radians) around (500, 500) px."""
    angles = np.linspace(start, stop, 6)
    outline = [(500 + outer_px * np.sin(a), 500 + outer_px * np.cos(a)) for a in angles]
    outline += [(500 + inner_px * np.sin(a), 500 + inner_px * np.cos(a)) for a in angles[::-1]]
    middle = (start + stop) / 2
    piece = calc(i, 50 + 2.2 * np.sin(middle), 50 + 2.2 * np.cos(middle), 0.5, elongation=2.0)
    return piece.model_copy(update={"outline_px": [(float(r), float(c)) for r, c in outline]})


def test_a_ring_the_detector_saw_as_thin_arcs_is_one_rim_macrocalcification() -> None:
    """A 5 mm eggshell whose saturated wall the detector outlined as eight thin arcs: the body is
    all pieces (a clump of specks would be too), but it is a ring around a lucent centre, so it is
    one hollow macrocalcification, not a cluster (which would read as suspicious). Pieces making
    up a solid disc between them are still a clump of specks."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    radius = np.hypot(rows - 500, cols - 500)
    wall = (radius <= 25) & (radius >= 19)
    pixels[wall] = 1.0
    pixels[radius < 19] = 0.5  # the two walls seen face on: less calcium than the ring
    pixels = ndi.gaussian_filter(pixels, 1.0)
    step = 2 * np.pi / 8
    arcs = [_arc_piece(i, i * step, (i + 0.9) * step, 18, 26) for i in range(8)]
    (finding,) = _on_pixels(pixels, arcs)
    assert finding.kind is FindingKind.MACROCALCIFICATION and finding.count == 8
    assert finding.features["lucent_centre"] == 1.0
    assert finding.features["open_loop"] == 0.0  # the walls seen face on: a shell
    # eight small pieces that make up a solid disc between them are a clump, not a ring
    pixels = _speckled()
    pixels[radius <= 25] = 1.0
    wedges = [_arc_piece(i, i * step, (i + 1) * step, 0, 27) for i in range(8)]
    (finding,) = _on_pixels(ndi.gaussian_filter(pixels, 1.0), wedges)
    assert finding.kind is FindingKind.CLUSTER


def test_a_saturated_eggshell_around_a_macro_piece_is_a_rim() -> None:
    """A 5 mm shell whose ring saturates: its blurred edge is as bright as its centre (the edge
    test misses it), but its centre lies well below the ring (``centre_drop``): lucent."""
    rows, cols = np.indices((SIZE_PX, SIZE_PX))
    radius = np.hypot(rows - 500, cols - 500)
    outer = 2 * np.sqrt(np.clip(25.0**2 - radius**2, 0, None))
    shell = outer - 2 * np.sqrt(np.clip(23.0**2 - radius**2, 0, None))
    pixels = _speckled() + np.minimum(0.7, 0.08 * shell).astype(np.float32)
    pixels = ndi.gaussian_filter(pixels, 1.5)
    pieces = [calc(1, 50, 47.6, 1.2), calc(2, 52.3, 50, 0.3), calc(3, 47.7, 50, 0.3)]
    (finding,) = _on_pixels(pixels, pieces)
    assert finding.kind is FindingKind.MACROCALCIFICATION
    assert finding.features["lucent_centre"] == 1.0
    assert finding.features["open_loop"] == 0.0


def test_a_whole_ring_among_faint_specks_is_its_own_rim_macrocalcification() -> None:
    """A 5 mm shell the detector outlined whole (one 5 mm piece) with three faint specks within
    the linking distance: the ring is a hollow macrocalcification of its own, not a member of a
    cluster whose specks would describe it (as a dystrophic rim in the simulator was). The specks
    stay a cluster."""
    rows, cols = np.indices((SIZE_PX, SIZE_PX))
    radius = np.hypot(rows - 500, cols - 500)
    outer = 2 * np.sqrt(np.clip(25.0**2 - radius**2, 0, None))
    shell = outer - 2 * np.sqrt(np.clip(23.0**2 - radius**2, 0, None))
    pixels = ndi.gaussian_filter(_speckled() + np.minimum(0.7, 0.08 * shell), 1.5)
    specks = [calc(2, 50, 54.0, 0.2), calc(3, 51, 54.5, 0.2), calc(4, 49, 55.0, 0.2)]
    for speck in specks:
        r, c = (int(v) for v in speck.centroid_px)
        pixels[r - 1 : r + 2, c - 1 : c + 2] += 0.05
    ring = calc(1, 50, 50, 5.0).model_copy(update={"contrast": 0.7})
    findings = _on_pixels(pixels.astype(np.float32), [ring, *specks])
    (macro,) = [f for f in findings if f.kind is FindingKind.MACROCALCIFICATION]
    assert macro.calcification_ids == [1] and macro.features["lucent_centre"] == 1.0
    (cluster,) = [f for f in findings if f is not macro]
    assert cluster.kind is FindingKind.CLUSTER and sorted(cluster.calcification_ids) == [2, 3, 4]
    # alone, the ring is still seen as a body, so its inside can be judged (rim, loop, strand)
    (alone,) = _on_pixels(pixels.astype(np.float32), [ring])
    assert alone.kind is FindingKind.MACROCALCIFICATION and alone.features["lucent_centre"] == 1.0
    assert "strand_across" in alone.features and "open_loop" in alone.features


def test_a_loop_of_thread_whose_inside_is_tissue_is_an_open_loop() -> None:
    """A calcified suture: a 0.6 mm thick loop 5 mm across with tissue inside it. A thread has no
    front and back wall, so its inside lies at the tissue's level, not above it like a shell's:
    an open loop (``open_loop``), which characterise calls a suture."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    radius = np.hypot(rows - 500, cols - 500)
    pixels[(radius <= 25) & (radius >= 19)] = 1.0
    pixels = ndi.gaussian_filter(pixels, 1.0)
    step = 2 * np.pi / 8
    arcs = [_arc_piece(i, i * step, (i + 0.9) * step, 18, 26) for i in range(8)]
    (finding,) = _on_pixels(pixels, arcs)
    assert finding.kind is FindingKind.MACROCALCIFICATION
    assert finding.features["lucent_centre"] == 1.0
    assert finding.features["open_loop"] == 1.0
    assert finding.features["strand_across"] == 0.0  # one clear inside: no knot across it


def test_a_loop_crossed_by_its_thread_is_a_knotted_suture() -> None:
    """A 5 mm loop of 0.6 mm thread whose free end runs across it, off centre (a knot): the
    strand splits the inside in two sizeable parts (``strand_across``). A faint line across a
    shell's inside (below half its contrast) or a speck inside it does not."""
    rows, cols = np.indices((SIZE_PX, SIZE_PX))
    radius = np.hypot(rows - 500, cols - 500)
    step = 2 * np.pi / 8
    arcs = [_arc_piece(i, i * step, (i + 0.9) * step, 18, 26) for i in range(8)]

    def loop_with(inside: np.ndarray, level: float) -> Finding:
        pixels = _speckled()
        pixels[(radius <= 25) & (radius >= 19)] = 1.0
        pixels[inside & (radius < 19)] = level
        (finding,) = _on_pixels(ndi.gaussian_filter(pixels, 1.0), arcs)
        assert finding.kind is FindingKind.MACROCALCIFICATION
        return finding

    strand = np.abs(rows - 493) <= 3  # 0.7 mm wide, 0.7 mm above the centre
    assert loop_with(strand, 1.0).features["strand_across"] == 1.0
    assert loop_with(strand, 0.3).features["strand_across"] == 0.0  # faint: not calcium
    speck = np.hypot(rows - 500, cols - 500) <= 3
    assert loop_with(speck, 1.0).features["strand_across"] == 0.0
    septum = np.abs(rows - 494) <= 1  # 0.3 mm wide, near the centre
    assert loop_with(septum, 1.0).features["strand_across"] == 1.0
    edge = np.abs(rows - 486) <= 1  # a bar near the wall: a sliver of the inside
    assert loop_with(edge, 1.0).features["strand_across"] == 0.0


def _bar_piece(i: int, row_px: float, col0_px: float, col1_px: float) -> Calcification:
    """A piece outlined as a 0.4 mm bar along row ``row_px`` from ``col0_px`` to ``col1_px``."""
    outline = [(row_px - 2, col0_px), (row_px - 2, col1_px), (row_px + 2, col1_px)]
    outline.append((row_px + 2, col0_px))
    middle = (col0_px + col1_px) / 2
    piece = calc(i, row_px * SPACING_MM, middle * SPACING_MM, 0.4, elongation=3.0)
    return piece.model_copy(update={"outline_px": outline})


def test_thin_arcs_around_a_lucent_inside_are_one_ring_without_a_bright_body() -> None:
    """A suture loop or thin eggshell the detector broke into short arcs, too faint for a body
    at half a piece's contrast (flat pixels here): the arcs' outlines enclose a lucent inside, so
    they are one hollow macrocalcification, not a cluster of fine linear pieces (category 4C on
    simulator sutures). With pieces along a chord across it, the inside splits in two: a knot."""
    step = 2 * np.pi / 10
    arcs = [_arc_piece(i, i * step, (i + 0.9) * step, 20, 24) for i in range(10)]
    (ring,) = _on_pixels(_speckled(), arcs)
    assert ring.kind is FindingKind.MACROCALCIFICATION
    assert ring.features["lucent_centre"] == 1.0 and ring.features["strand_across"] == 0.0
    chord = [_bar_piece(20 + i, 496, 478 + 15 * i, 490 + 15 * i) for i in range(3)]
    (knotted,) = _on_pixels(_speckled(), [*arcs, *chord])
    assert knotted.kind is FindingKind.MACROCALCIFICATION
    assert sorted(knotted.calcification_ids) == list(range(10)) + [20, 21, 22]
    assert knotted.features["strand_across"] == 1.0


def test_a_ring_outlined_as_one_lucent_piece_counts_by_its_wall() -> None:
    """The detector may outline a whole thin ring as one lucent-centred piece: filled, its outline
    would hide the inside; by its wall it encloses it, and pieces of thread across it split it."""
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    outline = [(500 + 24 * np.sin(a), 500 + 24 * np.cos(a)) for a in angles]
    loop = calc(1, 50.0, 50.0, 4.8).model_copy(
        update={"outline_px": [(float(r), float(c)) for r, c in outline], "lucent_centre": True}
    )
    chord = [_bar_piece(20 + i, 496, 478 + 15 * i, 490 + 15 * i) for i in range(3)]
    (ring,) = _on_pixels(_speckled(), [loop, *chord])
    assert ring.kind is FindingKind.MACROCALCIFICATION
    assert sorted(ring.calcification_ids) == [1, 20, 21, 22]
    assert ring.features["lucent_centre"] == 1.0 and ring.features["strand_across"] == 1.0


def _disc_piece(i: int, row_px: float, col_px: float, radius_px: float) -> Calcification:
    """A round piece outlined as a disc of ``radius_px`` around (``row_px``, ``col_px``)."""
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    outline = [(row_px + radius_px * np.sin(a), col_px + radius_px * np.cos(a)) for a in angles]
    piece = calc(i, row_px * SPACING_MM, col_px * SPACING_MM, 2 * radius_px * SPACING_MM)
    return piece.model_copy(update={"outline_px": [(float(r), float(c)) for r, c in outline]})


def test_a_dense_clump_of_round_specks_around_a_gap_is_no_ring() -> None:
    """Sixteen round 0.4 mm specks 0.2 mm apart around a 3 mm circle enclose a 2 mm gap once
    bridged, but none is an arc: a very dense cluster, which must not turn into a benign rim."""
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    specks = [
        _disc_piece(i, 500 + 15 * np.sin(a), 500 + 15 * np.cos(a), 2.0)
        for i, a in enumerate(angles)
    ]
    (found,) = _on_pixels(_speckled(), specks)
    assert found.kind is FindingKind.CLUSTER


def test_specks_around_a_circle_or_arcs_around_no_inside_are_no_ring() -> None:
    """Specks a millimetre apart around a circle enclose nothing at the 0.3 mm bridge, and arcs
    around barely any inside (0.6 mm across, less once bridged) are a clump: both stay clusters."""
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    specks = [calc(i, 50 + 2.2 * np.sin(a), 50 + 2.2 * np.cos(a)) for i, a in enumerate(angles)]
    (found,) = _on_pixels(_speckled(), specks)
    assert found.kind is FindingKind.CLUSTER
    step = 2 * np.pi / 6
    small = [_arc_piece(i, i * step, (i + 0.9) * step, 3, 7) for i in range(6)]
    (clump,) = _on_pixels(_speckled(), small)
    assert clump.kind is FindingKind.CLUSTER


def test_a_thin_bright_casting_stays_a_cluster() -> None:
    """Fine linear calcifications casting a duct join into one sharp body, but a thin one: they
    must never become a benign macrocalcification."""
    pixels = _speckled()
    pixels[500:503, 395:495] = 0.9  # 0.3 mm wide, 10 mm long
    pixels[470:500, 460:463] = 0.9  # a branch
    pieces = [calc(i, 50.1, 40.5 + 1.8 * i, 0.5, elongation=3.0) for i in range(5)]
    (finding,) = _on_pixels(pixels, [*pieces, calc(9, 48.5, 46.1, 0.4)])
    assert finding.kind is FindingKind.CLUSTER


def test_a_bright_tissue_band_is_no_calcification_body() -> None:
    """A region above half the seed's contrast that runs out of the search window is tissue."""
    pixels = _speckled()
    pixels[280:320, :] = 1.0  # a band crossing the whole image
    calcs = [calc(1, 30, 28.5, 1.2), calc(2, 29, 31), calc(3, 31, 32), calc(4, 30, 33)]
    (finding,) = _on_pixels(pixels, calcs)
    assert finding.kind is FindingKind.CLUSTER and finding.count == 4


def test_macro_inside_a_micro_cluster_belongs_to_it() -> None:
    calcs = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50), calc(4, 51, 51, 1.3)]
    (finding,) = run(calcs)
    assert finding.kind is FindingKind.CLUSTER and finding.count == 4


def test_linear_regional_and_diffuse_distributions() -> None:
    line = [calc(i, 50 + 0.05 * i, 40 + 1.5 * i) for i in range(1, 9)]
    (linear,) = run(line)
    assert linear.distribution is Distribution.LINEAR and linear.features["linearity"] > 0.9

    rng = np.random.default_rng(0)
    points = rng.uniform(0, 28, (90, 2)) + 30
    (regional,) = run([calc(i, r, c) for i, (r, c) in enumerate(points, 1)])
    assert regional.distribution is Distribution.REGIONAL
    assert regional.extent_mm > 20

    points = rng.uniform(5, 95, (300, 2))
    findings = run([calc(i, r, c) for i, (r, c) in enumerate(points, 1)])
    assert findings[0].distribution is Distribution.DIFFUSE
    assert findings[0].kind is FindingKind.SCATTERED


def test_vascular_tram_track_of_aligned_tubular_segments() -> None:
    """Two parallel walls 1.6 mm apart: a calcified artery."""
    walls = [
        calc(
            i, 40 + 1.6 * (i % 2) + 0.05 * i, 20 + 1.2 * i, 0.6, elongation=6.0, orientation_deg=90
        )
        for i in range(1, 14)
    ]
    (finding,) = run(walls)
    assert finding.kind is FindingKind.VASCULAR
    rod = calc(1, 40, 40, 1.2, elongation=8.0, orientation_deg=45.0)
    assert [f.kind for f in run([rod])] == [FindingKind.VASCULAR]  # 0.42 mm wide: a vessel
    thick = calc(1, 40, 40, 2.4, elongation=8.0, orientation_deg=45.0)
    assert [f.kind for f in run([thick])] == [FindingKind.MACROCALCIFICATION]


def _bent(row_mm: float, col_mm: float) -> tuple[float, float, float]:
    """A point on a track bending by 6 mm over 16 mm (centre row, col, local direction deg)."""
    t = (col_mm - 28.0) / 8.0
    return row_mm + 6.0 * t**2, col_mm, float(np.degrees(np.arctan2(12.0 * t / 8.0, 1.0)))


def test_a_bent_artery_is_still_a_tram_track() -> None:
    """Two walls 1.4 mm apart along a vessel that bends (centres 0.82 linear, below a straight
    line's 0.9). Against the straight principal axis most segments run askew and the walls blur;
    against the fitted curve all 14 run along it in two walls: vascular. One bent track of the
    same segments is still a casting, never vascular."""
    walls = []
    for i in range(14):
        row, col, direction = _bent(40.0 + 1.4 * (i % 2), 20.0 + 1.2 * i)
        walls.append(calc(i + 1, row, col, 0.5, elongation=5.0, orientation_deg=90.0 - direction))
    points = np.array([c.centroid_mm for c in walls])
    _, axis = principal_axis(points)
    straight, curved = straight_track(points, axis), fit_track(points, axis)
    assert not tram_track(segments_along(walls, straight), straight)
    assert len(segments_along(walls, curved)) == 14
    assert tram_track(segments_along(walls, curved), curved)
    (finding,) = run(walls)
    assert finding.kind is FindingKind.VASCULAR
    one = [c for c in walls if c.id % 2 == 1]
    assert all(f.kind is not FindingKind.VASCULAR for f in run(one))


def _winding(offsets_mm: list[float], start: int = 1) -> list[Calcification]:
    """Segments about 1.1 mm long, every 1.2 mm along a track winding 2.5 mm either way over
    24 mm (1.5 turns), one line of them at each signed distance in ``offsets_mm`` from the
    centre line."""
    segments = []
    for k, col in enumerate(np.arange(20.0, 44.0, 1.2)):
        phase = 2 * np.pi * (col - 20.0) / 16.0
        row, slope = 50.0 + 2.5 * np.sin(phase), 2.5 * 2 * np.pi / 16.0 * np.cos(phase)
        normal = np.array([1.0, -slope]) / np.hypot(1.0, slope)  # (row, col)
        degrees = float(np.degrees(np.arctan2(1.0, slope)))  # from the row axis
        for j, offset in enumerate(offsets_mm):
            r, c = np.array([row, col]) + offset * normal
            i = start + k * len(offsets_mm) + j
            segments.append(calc(i, r, c, 0.5, elongation=5.0, orientation_deg=degrees))
    return segments


def _paired(members: list[Calcification]) -> bool:
    """:func:`paired_walls` on the members' own principal axis and span, as ``is_vascular``."""
    points = np.array([c.centroid_mm for c in members])
    _, axis = principal_axis(points)
    span_mm = float(np.ptp(points @ axis)) + max(c.shape.length_mm for c in members)
    return paired_walls(members, axis, span_mm)


@pytest.mark.parametrize("lumen_mm", [2.0, 2.8])
def test_a_winding_artery_is_vascular_by_its_locally_paired_walls(lumen_mm: float) -> None:
    """A winding artery (walls 2 or 2.8 mm apart: breast arteries reach about 3 mm) that no
    quadratic centre line follows: each wall segment still has a parallel partner a lumen away
    on one side, so it is vascular. One wall of it is a casting's track; three parallel tracks
    0.9 mm apart are no vessel (the middle one has neighbours on both sides); nor are two
    tracks whose distance keeps changing."""
    walls = _winding([-lumen_mm / 2, lumen_mm / 2])
    points = np.array([c.centroid_mm for c in walls])
    _, axis = principal_axis(points)
    for track in (straight_track(points, axis), fit_track(points, axis)):
        assert not tram_track(segments_along(walls, track), track)
    assert _paired(walls)
    (finding,) = run(walls)
    assert finding.kind is FindingKind.VASCULAR
    assert not _paired(walls[::2])
    assert all(f.kind is not FindingKind.VASCULAR for f in run(walls[::2]))
    assert not _paired(_winding([-0.9, 0.0, 0.9]))
    narrow, wide = _winding([-1.0, 0.2]), _winding([-1.0, 1.4], start=100)
    uneven = [c for k in range(0, len(walls), 2) for c in (narrow if k % 4 else wide)[k : k + 2]]
    assert not _paired(uneven)


def test_a_few_paired_fine_linear_pieces_among_specks_are_no_vessel() -> None:
    """Two dozen specks in a 12 mm line with four fine linear pieces lying side by side in two
    pairs 1 mm apart: the pieces pair like walls, but they are few and short against the track,
    so the group stays a suspicious cluster; adding them must never make it benign."""
    specks = [calc(i, 50.0 + 0.1 * (i % 3), 20.0 + 0.5 * i, 0.3) for i in range(1, 25)]
    pieces = [
        calc(30 + k, 50.0 + row, 24.0 + col, 0.4, elongation=5.0, orientation_deg=90.0)
        for k, (row, col) in enumerate([(-0.5, 0.0), (0.5, 0.0), (-0.5, 6.0), (0.5, 6.0)])
    ]
    assert not _paired(specks + pieces)
    assert [f.kind for f in run(specks + pieces)] == [FindingKind.CLUSTER]


def test_one_track_of_thin_segments_is_not_vascular() -> None:
    """Fine linear calcifications casting a duct also line up as thin aligned segments, but in one
    track: a suspicious linear cluster, never "vascular, benign"."""
    track = [
        calc(i, 40 + 0.1 * i, 20 + 2.0 * i, 0.6, elongation=6.0, orientation_deg=90.0)
        for i in range(1, 10)
    ]
    (finding,) = run(track)
    assert finding.kind is FindingKind.CLUSTER
    assert finding.distribution is Distribution.LINEAR
    # a casting's pieces scatter up to 1 mm about its line, with no lumen-wide gap between walls
    scatter = np.random.default_rng(3).uniform(-0.5, 0.5, 12)
    track = [
        calc(i, 40 + d, 20 + 1.1 * i, 0.6, elongation=5.0, orientation_deg=90.0)
        for i, d in enumerate(scatter, start=1)
    ]
    assert [f.kind for f in run(track)] == [FindingKind.CLUSTER]


@pytest.mark.parametrize(
    "beside",
    [
        [calc(20 + i, 41.0, 24 + 2.5 * i, 0.25) for i in range(3)],  # round specks 1 mm aside
        [  # a short parallel branch of the casting 1.2 mm aside
            calc(20 + i, 41.2, 26 + 1.5 * i, 0.5, elongation=5.0, orientation_deg=90.0)
            for i in range(3)
        ],
    ],
)
def test_a_casting_with_specks_or_a_short_branch_beside_it_is_no_tram_track(
    beside: list[Calcification],
) -> None:
    main = [
        calc(i, 40, 20 + 1.5 * i, 0.5, elongation=5.0, orientation_deg=90.0) for i in range(1, 10)
    ]
    assert [f.kind for f in run(main + beside)] == [FindingKind.CLUSTER]


def test_specks_on_a_sharp_dense_mass_stay_a_cluster() -> None:
    """Specks brighter than the circumscribed mass they sit on: the mass is no calcium body."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    distance = np.hypot(rows - 500, cols - 500)
    pixels += (0.1 * np.clip(1 - (distance / 30) ** 2, 0, 1) ** 0.1).astype(np.float32)
    offsets = [(0, 0), (10, 5), (-8, 12), (5, -15), (-12, -6), (15, 15)]
    for dr, dc in offsets:
        pixels[np.hypot(rows - 500 - dr, cols - 500 - dc) <= 1.5] += 0.06
    pixels = ndi.gaussian_filter(pixels, 1.5)
    specks = [
        calc(i, (500 + dr) * SPACING_MM, (500 + dc) * SPACING_MM, 0.3, elongation=1.6)
        for i, (dr, dc) in enumerate(offsets, start=1)
    ]
    (finding,) = _on_pixels(pixels, specks)
    assert finding.kind is FindingKind.CLUSTER and finding.count == 6


def test_a_tight_clump_of_specks_stays_a_cluster() -> None:
    """Nearly touching 0.3 mm specks join at half maximum into one sharp, 1.5 mm thick body; it
    is mostly the specks themselves, so they stay a cluster."""
    pixels = _speckled()
    rows, cols = np.indices(pixels.shape)
    specks = []
    for k, (dr, dc) in enumerate(np.ndindex(5, 4), start=1):
        r, c = 480 + 3.5 * dr, 490 + 3.5 * dc
        pixels[np.hypot(rows - r, cols - c) <= 1.5] += 0.2
        specks.append(calc(k, r * SPACING_MM, c * SPACING_MM, 0.3, elongation=1.6))
    pixels = ndi.gaussian_filter(pixels, 1.0)
    (finding,) = _on_pixels(pixels, specks)
    assert finding.kind is FindingKind.CLUSTER and finding.count == 20


def test_ids_count_from_one_by_score() -> None:
    a = [calc(i, 20 + (i % 2), 20 + i) for i in range(1, 6)]
    b = [calc(i, 70 + (i % 2), 70 + i) for i in range(6, 9)]
    findings = run(a + b)
    assert [f.id for f in findings] == ["L-CC-1", "L-CC-2"]
    assert findings[0].detection_score >= findings[1].detection_score
    assert sum(f.count for f in findings) == 8
    assert run([]) == []


def test_macro_findings_are_scored_by_their_own_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Macrocalcification and vascular findings use ``detect_macro.json`` when shipped (a larger,
    brighter lone calcification scores higher under the shipped model), else their members'
    mean score."""
    from mammocalc import _group_score
    from mammocalc._detect_score import LogisticModel

    features = {name: 1.0 for name in _group_score.MACRO_FEATURES} | {"score_mean": 0.9}
    shipped = _group_score.macro_model()
    if shipped is not None:
        small = features | {"diameter_max_mm": 1.0, "cnr_mean": 8.0}
        large = features | {"diameter_max_mm": 3.0, "cnr_mean": 20.0}
        kind = FindingKind.MACROCALCIFICATION
        assert _group_score.detection_score(kind, large) > _group_score.detection_score(kind, small)
    monkeypatch.setattr(_group_score, "macro_model", lambda: None)
    assert _group_score.detection_score(FindingKind.VASCULAR, features) == pytest.approx(0.9)
    model = LogisticModel(
        names=("n",),
        weights=np.array([1.0]),
        mean=np.array([0.0]),
        scale=np.array([1.0]),
        bias=0.0,
        log_features=frozenset(),
    )
    monkeypatch.setattr(_group_score, "macro_model", lambda: model)
    expected = 1.0 / (1.0 + np.exp(-1.0))
    got = _group_score.detection_score(FindingKind.MACROCALCIFICATION, features)
    assert got == pytest.approx(expected)


def test_few_specks_in_a_row_are_grouped_not_linear() -> None:
    """Three or four specks fall on a "line" by chance (half of all random triples reach PCA
    linearity 0.9): BI-RADS linear needs at least five members, linearity 0.95 while they are
    fewer than eight, 0.9 from eight."""
    three = [calc(1, 50.0, 40.0), calc(2, 50.3, 42.0), calc(3, 50.1, 44.0)]
    four = [calc(i, 50.0 + dy, 40.0 + 1.5 * i) for i, dy in enumerate([0, 0.3, 0.1, 0.2], 1)]
    for row in (three, four):
        (finding,) = run(row)
        assert finding.features["linearity"] > 0.95
        assert finding.distribution is Distribution.GROUPED
    # five members, somewhat in a row (linearity between 0.9 and 0.95): grouped
    five = [calc(i, 50.0 + dy, 40.0 + 1.5 * i) for i, dy in enumerate([0, 1, -0.5, 1, 0], 1)]
    (finding,) = run(five)
    assert 0.9 < finding.features["linearity"] < 0.95
    assert finding.distribution is Distribution.GROUPED
    # eight members as loosely in a row (linearity between 0.9 and 0.95): a line
    scatter = [0, 1.5, -1, 1.5, 0, -1, 1.5, -0.5]
    eight = [calc(i, 50.0 + dy, 40.0 + 1.5 * i) for i, dy in enumerate(scatter, 1)]
    (finding,) = run(eight)
    assert 0.9 <= finding.features["linearity"] < 0.95
    assert finding.distribution is Distribution.LINEAR


def test_three_or_four_fine_linear_pieces_along_their_line_are_linear() -> None:
    """Pieces of a casting carry a direction: three or four thin rods lying along the line of
    their centres are linear; the same rods lying across it, or round specks there, are grouped."""

    def pieces(n: int, orientation_deg: float, elongation: float = 4.0) -> list[Calcification]:
        rows = [0, 0.3, 0.1, 0.2][:n]
        return [
            calc(
                i, 50.0 + dy, 40.0 + 1.5 * i, elongation=elongation, orientation_deg=orientation_deg
            )
            for i, dy in enumerate(rows, 1)
        ]

    for n in (3, 4):
        (along,) = run(pieces(n, 90.0))  # long axes along the columns, as the row of centres
        assert along.features["alignment"] > 0.95
        assert along.distribution is Distribution.LINEAR
        (across,) = run(pieces(n, 0.0))
        assert across.features["alignment"] < 0.5
        assert across.distribution is Distribution.GROUPED
        (specks,) = run(pieces(n, 90.0, elongation=1.1))
        assert specks.distribution is Distribution.GROUPED
    (two,) = run([*pieces(2, 90.0), calc(9, 50.0, 43.0)])  # two rods and a speck: too few rods
    assert two.distribution is Distribution.GROUPED
    # three rods along the columns whose centres are not in a line (a wide triangle)
    staggered = [
        calc(i, row, col, elongation=4.0, orientation_deg=90.0)
        for i, (row, col) in enumerate([(50.0, 40.0), (51.5, 41.5), (50.0, 43.0)], 1)
    ]
    (wide,) = run(staggered)
    assert wide.features["alignment"] > 0.95 and wide.features["linearity"] < 0.95
    assert wide.distribution is Distribution.GROUPED


def test_film_images_use_the_film_finding_threshold() -> None:
    """Film scores run lower than digital ones: each has its own finding threshold."""
    calcs = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50)]
    mammogram, masks = image()
    settings = Settings.model_validate({"finding_threshold": 1.0, "finding_threshold_film": 0.0})
    assert group(calcs, mammogram, masks, settings=settings) == []
    film = dataclasses.replace(mammogram, is_film=True)
    (finding,) = group(calcs, film, masks, settings=settings)
    assert finding.kind is FindingKind.CLUSTER


def test_distribution_confidence_is_how_the_call_survives_a_missing_member() -> None:
    """Five specks in a line are only just linear (four are never a line): the call without any
    one of them is grouped, so linear has confidence 1/6 with grouped as its alternative. Twelve
    in a line, and a group of five, keep their call without any one member."""
    (five,) = run([calc(i, 50 + 0.05 * i, 40 + 1.5 * i) for i in range(1, 6)])
    assert five.distribution is Distribution.LINEAR
    assert five.distribution_confidence == pytest.approx(1 / 6)
    assert five.distribution_alternative is Distribution.GROUPED
    (twelve,) = run([calc(i, 50 + 0.05 * i, 40 + 1.5 * i) for i in range(1, 13)])
    assert twelve.distribution is Distribution.LINEAR
    assert twelve.distribution_confidence == 1.0 and twelve.distribution_alternative is None
    spots = [(50, 50), (51, 52), (52, 50), (50.5, 51), (51.5, 49)]
    (grouped,) = run([calc(i, r, c) for i, (r, c) in enumerate(spots, 1)])
    assert grouped.distribution is Distribution.GROUPED
    assert grouped.distribution_confidence == 1.0 and grouped.distribution_alternative is None


def _ring(first_id: int, centre: tuple[float, float], radius_mm: float, n: int) -> list:
    """``n`` lone specks on a circle, too far apart to link (no finding of their own)."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return [
        calc(first_id + k, centre[0] + radius_mm * np.cos(a), centre[1] + radius_mm * np.sin(a))
        for k, a in enumerate(angles)
    ]


def test_a_group_among_a_scatter_is_read_with_it() -> None:
    """A small group with 6 or more conspicuous calcifications within 20 mm around it is likely
    a piece of a larger distribution. Read with a scatter around it (24 mm across, no line, no
    wedge) it is regional: the group keeps its call, with regional as the alternative and a
    doubtful confidence (at most 0.1). Read with neighbours that line up with it, it is a piece
    of a line and takes that reading, with grouped as the alternative. With 5 around it stays
    as it is. A line among a scatter stays a line, with regional as the alternative."""
    group_of = [calc(1, 50, 50), calc(2, 51, 52), calc(3, 52, 50)]
    centre = (51.0, 50.67)
    (among,) = [f for f in run([*group_of, *_ring(10, centre, 12, 8)]) if f.count == 3]
    assert among.features["calcifications_nearby"] == 8.0
    assert among.features["read_with_neighbours"] == 1.0
    assert among.distribution is Distribution.GROUPED
    assert among.distribution_alternative is Distribution.REGIONAL
    assert among.distribution_confidence is not None and among.distribution_confidence <= 0.1
    assert any(
        "with the 8 calcifications around it: regional" in r for r in describe_finding(among)
    )
    duct = [calc(20 + k, 51.0, 50.67 + d) for k, d in enumerate([-19, -13, -7, 7, 13, 19])]
    (piece,) = [f for f in run([*group_of, *duct]) if f.count == 3]
    assert piece.distribution is Distribution.LINEAR
    assert piece.distribution_alternative is Distribution.GROUPED
    assert piece.distribution_confidence is not None and piece.distribution_confidence <= 0.5
    assert any("the group alone: grouped" in r for r in describe_finding(piece))
    (few,) = [f for f in run([*group_of, *_ring(10, centre, 12, 5)]) if f.count == 3]
    assert few.distribution is Distribution.GROUPED and few.distribution_alternative is None
    assert few.features["read_with_neighbours"] == 0.0
    line = [calc(i, 50.0, 40 + 1.5 * i) for i in range(1, 9)]
    (lined,) = [f for f in run([*line, *_ring(20, (50.0, 46.75), 14, 8)]) if f.count == 8]
    assert lined.distribution is Distribution.LINEAR
    assert lined.distribution_alternative is Distribution.REGIONAL
    assert lined.distribution_confidence == 0.1
    assert lined.features["read_with_neighbours"] == 1.0
    assert any("around it: regional" in r for r in describe_finding(lined))
