"""Coarse calcifications seen as one bright body (private to ``group``).

The detector judges each calcification against a background opened at
``mammocalc.detect.BACKGROUND_MM`` (2 mm), so a coarse (popcorn), rim or dystrophic calcification
larger than that shows as a few lobes and small pieces along its edge around a flat, often
saturated core: pieces that, counted one by one, would make a "cluster". Here the image itself
decides. The **body** of a seed piece is the region connected to it above ``BODY_FRACTION`` of its
contrast over the surrounding tissue (the same half-maximum rule the detector outlines with); the
seeds are the group's macro pieces and its brightest piece. A body is a calcification when

* its edge is sharp (``edge_width`` at most ``BODY_MAX_EDGE_MM``: calcium edges are as sharp as
  the imaging blur, a lump of glandular tissue fades over a millimetre or more), and
* it is thick: the largest circle inside it is at least ``macro_diameter_mm`` across (fine
  linear calcifications casting a duct also join into one sharp body, but a thin one);

then every piece whose centre lies in it (or within ``_BODY_REACH_MM``) is part of the one
macrocalcification.

A separate calcification rarely joins a body by this rule: it would have to reach half the coarse
one's contrast and touch it, or lie within ``_BODY_REACH_MM`` of its edge. The body must also be
calcium about as bright as its seed (a seed's specks on a dense mass are brighter than the mass)
and, for a small seed, lie mostly beyond the pieces (a clump of specks is not a body) unless its
centre is lucent against its edge (``has_lucent_centre``: a rim calcification the detector saw as
thin arcs). A body
that reaches the edge of its search window even at a ``MAX_MARGIN_MM`` margin (a bright tissue
band, not a calcification) absorbs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage.draw import polygon as fill_polygon

from mammocalc._detect_measure import edge_width
from mammocalc._detect_shape import centre_drop, has_lucent_centre
from mammocalc._group_features import is_rod
from mammocalc._thresholds import ROD_MIN_WIDTH_MM
from mammocalc.models import Calcification

BODY_FRACTION = 0.5  # a body is the region above this share of the seed's contrast
BODY_MAX_EDGE_MM = 0.35  # ... and a calcification when its edge is at most this wide
BODY_MIN_LEVEL = 0.85  # ... and as bright as the seed: median beyond the pieces, share of contrast
BODY_MIN_LEVEL_HOLLOW = 0.6  # ... a ring (rim, eggshell) less so; a mass under specks is solid
BODY_MIN_OUTSIDE = 0.5  # a small seed's body must lie mostly beyond the pieces' outlines
SEARCH_MARGIN_MM = 3.0  # window margin around the group; its pixels outside pieces are background
MAX_MARGIN_MM = 12.0  # a body still reaching the window's edge at this margin is tissue
_SEED_MAX_ELONGATION = 2.5  # tubular pieces (vessel segments) are no macro seed (see _is_seed)
_PIECE_MARGIN_MM = 0.5  # pixels this close to a piece are not background
_BODY_REACH_MM = 0.3  # pieces on the body's edge (rim pieces) belong to it
_ALONE_GROWTH = 2.0  # a lone small piece whose body is this many times wider is a macro's piece
#: A body's centre this share of its contrast below its ring (``centre_drop``) is lucent: a rim
#: calcification. On simulator images outside the benchmark's seeds, rim bodies (walls
#: 0.05-0.15 mm, saturated rings) reached 0.15-0.6 (0.3 in 6 of 8 images), solid coarse bodies
#: 0.15 or less; popcorn clumps with gaps between lobes reached 0.65, but the edge test of
#: ``has_lucent_centre`` already calls those hollow.
RING_MIN_DROP = 0.3
#: A ring whose inside lies this share of its contrast or less above the surrounding tissue is an
#: open loop: a calcified suture (a thread has no front and back wall) or a thin eggshell around
#: fat; a thicker shell projects its walls over its inside. On simulator rim and suture scenes
#: outside the benchmark's seeds (5000-5091, 6000-6275), suture loops lay at -0.17-0.07, rim
#: shells at 0.16-0.47 but one thin-walled 9 mm rim at 0.08; among 7000-7183 one rim in dense
#: tissue lay at -0.06. So the loop only adds "suture" as a second word after rim.
LOOP_MAX_INSIDE = 0.12
_LOOP_MIN_INSIDE_PX = 6  # fewer hole pixels than this: no inside to judge
#: A ring whose inside is split in two by a strand above half its contrast (the second largest
#: part at least ``STRAND_MIN_SHARE`` of the largest and ``STRAND_MIN_HOLE_MM2`` in area) is a
#: loop of thread with its knot or free end across it: a suture (BI-RADS: "linear or tubular,
#: knots frequently visible"). An eggshell has one clear inside. On simulator scenes outside the
#: benchmark's seeds (5000-5091, 7000-7183), all 11 suture rings had a second part of 0.14-0.9 of
#: the first (0.8 mm^2 or more); the 12 rims at most 0.07; a popcorn clump (no ring) 0.23 of a
#: 0.6 mm^2 gap. Requiring an open loop as well (``LOOP_MAX_INSIDE``, against a calcified septum
#: in an oil cyst, which no development rim showed) cost a suture on seeds 9000-9183 (3 of 8
#: read suture first instead of 4), as the strand's blur raises a small loop's inside level.
STRAND_MIN_SHARE = 0.1
STRAND_MIN_HOLE_MM2 = 0.25


@dataclass(frozen=True)
class Body:
    """One macrocalcification seen as a bright body: its pieces and what the body shows."""

    members: list[Calcification]
    lucent: bool  # a lucent centre: rim or eggshell (dermal when near the skin)
    diameter_mm: float  # equivalent diameter of the (hole-filled) body
    loop: bool = False  # a ring whose inside is tissue (``LOOP_MAX_INSIDE``): maybe a suture
    strand: bool = False  # a ring whose inside a strand splits in two: a knotted suture


def coarse_bodies(
    members: list[Calcification], pixels: np.ndarray, spacing_mm: float, macro_diameter_mm: float
) -> tuple[list[Body], list[Calcification]]:
    """Split a linked group into macrocalcification bodies and the remaining calcifications.

    Parameters
    ----------
    members : list of Calcification
        One linked group of an image's calcifications.
    pixels : ndarray, shape (rows, cols), float32
        The mammogram, brighter = denser.
    spacing_mm : float
        Pixel spacing (mm).
    macro_diameter_mm : float
        Equivalent diameter (mm) of a macro piece, and the least thickness of a body.

    Returns
    -------
    bodies : list of Body
        Each holds a macro piece with what lies in its body, or the pieces of a large
        sharp-edged body (a single small piece when its body is ``_ALONE_GROWTH`` times wider:
        all the detector kept of a large coarse calcification), or a lone macro piece whose
        body is a ring (a rim calcification among specks is not one of their cluster; alone,
        its body tells a rim, an open loop and a knotted suture apart). Other lone macro pieces,
        and groups made only of macro pieces, are left to the caller.
    rest : list of Calcification
        The members in no body, input order kept.
    """
    macro = [k for k, c in enumerate(members) if _is_seed(c, macro_diameter_mm)]
    if not members or len(macro) == len(members) > 1:
        return [], members
    brightest = int(np.argmax([c.contrast for c in members]))
    owner = np.arange(len(members))  # union-find over members
    lucent: set[int] = set()  # seeds whose body has a lucent centre
    loops: set[int] = set()  # ... and whose inside is the surrounding tissue
    strands: set[int] = set()  # ... or whose inside a strand crosses
    size_mm: dict[int, float] = {}  # accepted seed -> equivalent diameter of its body
    for k in dict.fromkeys([*macro, brightest]):
        found = _body(members, k, pixels, spacing_mm, k in macro)
        if found is None:
            continue
        body, window, ring, inside_level, crossed = found
        diameter_mm = 2.0 * float(np.sqrt(np.count_nonzero(body) / np.pi)) * spacing_mm
        thickness_mm = 2.0 * float(ndi.distance_transform_edt(body).max()) * spacing_mm
        if thickness_mm < macro_diameter_mm:  # a thin body: a casting, or not calcium
            continue
        reach = ndi.binary_dilation(
            body, iterations=max(1, int(round(_BODY_REACH_MM / spacing_mm)))
        )
        inside = [j for j, c in enumerate(members) if _at(reach, window, c.centroid_px)]
        grown = diameter_mm >= _ALONE_GROWTH * members[k].diameter_mm
        if k not in macro and len(inside) < 2 and not grown:
            continue
        for j in inside:
            owner[_root(owner, j)] = _root(owner, k)
        size_mm[k] = diameter_mm
        if ring:
            lucent.add(k)
            if inside_level <= LOOP_MAX_INSIDE:
                loops.add(k)
            if crossed:
                strands.add(k)
    roots = np.array([_root(owner, j) for j in range(len(members))])
    bodies = [
        Body(
            members=[members[j] for j in np.flatnonzero(roots == root)],
            lucent=any(roots[k] == root for k in lucent),
            diameter_mm=max((v for k, v in size_mm.items() if roots[k] == root), default=0.0),
            loop=any(roots[k] == root for k in loops),
            strand=any(roots[k] == root for k in strands),
        )
        for root in np.unique(roots)
        if np.count_nonzero(roots == root) > 1
        or any(roots[k] == root and (k not in macro or k in lucent) for k in size_mm)
    ]
    taken = {id(c) for body in bodies for c in body.members}
    return bodies, [c for c in members if id(c) not in taken]


def _at(mask: np.ndarray, window: tuple[slice, slice], point: tuple[float, float]) -> bool:
    r, c = int(round(point[0])) - window[0].start, int(round(point[1])) - window[1].start
    return bool(0 <= r < mask.shape[0] and 0 <= c < mask.shape[1] and mask[r, c])


def _is_seed(calc: Calcification, macro_diameter_mm: float) -> bool:
    """A macro piece that is not a tube (a vessel wall's segment), or a thick rod.

    A rod (``_group_features.is_rod``) at least ``ROD_MIN_WIDTH_MM`` wide is a large rod-like
    calcification, whose flat core the detector may outline as a rod or two and small pieces
    (simulator seed 9070: two rods and four pieces of one 11 mm rod made a "cluster" of category
    4C). Its body must still be ``macro_diameter_mm`` thick, so in practice rods of about 1 mm
    and more seed one. Vessel walls are thinner; a casting's thick branch points measure short
    and stubby (seed 13021: 1.1 x 3.1 mm, axis ratio 2.8), not as rods.
    """
    return calc.diameter_mm >= macro_diameter_mm and (
        calc.shape.elongation < _SEED_MAX_ELONGATION
        or (is_rod(calc) and calc.shape.width_mm >= ROD_MIN_WIDTH_MM)
    )


def _root(owner: np.ndarray, k: int) -> int:
    while owner[k] != k:
        owner[k] = owner[owner[k]]
        k = int(owner[k])
    return k


def group_window(
    members: list[Calcification], shape: tuple[int, ...], margin_px: float
) -> tuple[slice, slice]:
    points = np.array([p for c in members for p in (c.outline_px or [c.centroid_px])], float)
    low = np.maximum(np.floor(points.min(axis=0) - margin_px), 0).astype(int)
    high = np.minimum(np.ceil(points.max(axis=0) + margin_px) + 1, shape[:2]).astype(int)
    return slice(int(low[0]), int(high[0])), slice(int(low[1]), int(high[1]))


def filled_outline(
    calc: Calcification, window: tuple[slice, slice], shape: tuple[int, ...]
) -> np.ndarray:
    """The calcification's outline filled, in window pixels (its centre pixel at least)."""
    mask = np.zeros(shape[:2], bool)
    outline = np.array(calc.outline_px or [calc.centroid_px], float)
    rows, cols = outline[:, 0] - window[0].start, outline[:, 1] - window[1].start
    if len(outline) >= 3:
        rr, cc = fill_polygon(rows, cols, shape=mask.shape)
        mask[rr, cc] = True
    r = int(np.clip(round(calc.centroid_px[0]) - window[0].start, 0, mask.shape[0] - 1))
    c = int(np.clip(round(calc.centroid_px[1]) - window[1].start, 0, mask.shape[1] - 1))
    mask[r, c] = True
    return mask


def _background(image: np.ndarray, masks: list[np.ndarray], margin_px: float) -> float:
    """Median of the window's pixels away from every piece (the surrounding tissue)."""
    pieces = np.logical_or.reduce(masks)
    away = ~ndi.binary_dilation(pieces, iterations=max(1, int(round(margin_px))))
    return float(np.median(image[away] if away.any() else image))


def _body(
    members: list[Calcification], seed: int, pixels: np.ndarray, spacing_mm: float, macro: bool
) -> tuple[np.ndarray, tuple[slice, slice], bool, float, bool] | None:
    """Region connected to piece ``seed`` above half its contrast (holes filled), its window,
    whether it is a ring, the level of its inside, and whether a strand splits its inside
    (:func:`_split_inside`; only for a ring).

    A ring has a centre lucent against its edge
    (:func:`mammocalc._detect_shape.has_lucent_centre`, which also lowers the brightness the
    body must have) or ``RING_MIN_DROP`` below the ring
    (:func:`mammocalc._detect_shape.centre_drop`). The inside level is :func:`_inside_level`
    (NaN when the body has no hole).

    The window grows (``SEARCH_MARGIN_MM`` around the group, doubled up to ``MAX_MARGIN_MM``)
    until the region stays inside it; a region that never does is tissue, and so is one whose
    edge is soft: None is returned for both. The body must be calcium about as bright as the seed
    (:func:`_level`: ``BODY_MIN_LEVEL`` of its contrast, ``BODY_MIN_LEVEL_HOLLOW`` when hollow by
    the edge test); ``macro`` says whether the seed is a macro piece. A body that is mostly its
    pieces is kept only around a macro seed or when hollow by the edge test: a closed ring of
    thin arcs around a lucent centre is a rim calcification broken up by the detector, not a
    clump of specks.
    """
    margin_mm = SEARCH_MARGIN_MM
    while margin_mm <= MAX_MARGIN_MM:
        window = group_window(members, pixels.shape, margin_mm / spacing_mm)
        image = pixels[window].astype(np.float32)
        if image.size == 0:  # the pieces lie outside ``pixels``
            return None
        masks = [filled_outline(c, window, image.shape) for c in members]
        background = _background(image, masks, _PIECE_MARGIN_MM / spacing_mm)
        peak = float(np.percentile(image[masks[seed]], 90))
        if peak <= background:
            return None
        labels, _ = ndi.label(image >= background + BODY_FRACTION * (peak - background))
        ids = np.unique(labels[masks[seed] & (labels > 0)])
        if ids.size == 0:
            return None
        above = np.isin(labels, ids)
        body = np.asarray(ndi.binary_fill_holes(above))
        if not (body[0].any() or body[-1].any() or body[:, 0].any() or body[:, -1].any()):
            smooth = ndi.gaussian_filter(image, 1.0)
            hollow = has_lucent_centre(smooth, body, peak - background)
            level = _level(image, above, masks, background) / (peak - background)
            if level < (BODY_MIN_LEVEL_HOLLOW if hollow else BODY_MIN_LEVEL) or (
                np.isnan(level) and not (macro or hollow)
            ):
                return None
            sharp = edge_width(smooth, body, peak - background, spacing_mm) <= BODY_MAX_EDGE_MM
            ring = hollow or centre_drop(smooth, body, peak - background) >= RING_MIN_DROP
            inside = _inside_level(smooth, body, above, background, peak - background, spacing_mm)
            crossed = ring and _split_inside(body, above, spacing_mm)
            return (body, window, ring, inside, crossed) if sharp else None
        margin_mm *= 2
    return None


def _inside_level(
    smooth: np.ndarray,
    body: np.ndarray,
    above: np.ndarray,
    background: float,
    contrast: float,
    spacing_mm: float,
) -> float:
    """Median of a body's hole (its filled region beyond ``_BODY_REACH_MM`` of the part above
    half contrast) over the background, as a share of ``contrast``; NaN without a hole.

    A shell (rim, eggshell, skin) projects its front and back walls over its inside, which stays
    well above the tissue around it; a loop of thread (suture) does not.
    """
    reach = max(1, int(round(_BODY_REACH_MM / spacing_mm)))
    hole = body & ~ndi.binary_dilation(above, iterations=reach)
    if np.count_nonzero(hole) < _LOOP_MIN_INSIDE_PX:
        return float("nan")
    return (float(np.median(smooth[hole])) - background) / contrast


def _split_inside(body: np.ndarray, above: np.ndarray, spacing_mm: float) -> bool:
    """Whether the inside of a body (its filled region less the part above half contrast) falls
    into two sizeable parts: a strand across a ring (:func:`split_in_two`)."""
    return split_in_two(body & ~above, spacing_mm)


def split_in_two(inside: np.ndarray, spacing_mm: float) -> bool:
    """Whether the pixels of ``inside`` (bool, any shape) form two sizeable parts: the second
    largest at least ``STRAND_MIN_SHARE`` of the largest and ``STRAND_MIN_HOLE_MM2`` in area."""
    labels, count = ndi.label(inside)
    if count < 2:
        return False
    first, second = np.sort(np.bincount(labels.ravel())[1:])[::-1][:2]
    second_mm2 = float(second) * spacing_mm**2
    return bool(second >= STRAND_MIN_SHARE * first and second_mm2 >= STRAND_MIN_HOLE_MM2)


def _level(
    image: np.ndarray, above: np.ndarray, masks: list[np.ndarray], background: float
) -> float:
    """Median of the body beyond the pieces' outlines over the background; NaN when less than
    ``BODY_MIN_OUTSIDE`` of the body lies beyond them (the body is mostly the pieces).

    A coarse core is as bright as its lobes, a rim's ring nearly so; specks on a dense (even
    sharp-edged) mass are brighter than the mass. A body that is mostly the pieces is a clump of
    specks unless its seed is a macro piece (touching lobes) or it is hollow (see :func:`_body`).
    """
    outside = above & ~np.logical_or.reduce(masks)
    if np.count_nonzero(outside) < BODY_MIN_OUTSIDE * np.count_nonzero(above):
        return float("nan")
    return float(np.median(image[outside])) - background
