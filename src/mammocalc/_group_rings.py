"""A ring of thin arcs: a rim (eggshell) or suture loop the detector broke up (private to group).

A thin-walled ring (a rim or eggshell calcification, a calcified suture loop) is outlined by the
detector as a chain of short arcs, each a thin "linear" piece, and its body
(:mod:`mammocalc._group_bodies`) is no help: at half a piece's contrast the ring does not close,
so nothing encloses its lucent inside. Counted one by one, the arcs made a cluster of fine linear
branching calcifications of category 4C (simulator suture scenes outside the benchmark's seeds:
30034, 30080, 5035).

Here the pieces' outlines themselves decide: bridged by ``RING_BRIDGE_MM`` (the gaps between the
arcs of one ring), they enclose a lucent inside at least ``RING_MIN_HOLE_MM`` across and
``RING_MIN_HOLE_SHARE`` of the ring's area, and at least ``RING_MIN_ON_RING`` of the pieces lie in
the ring (on it, or across its inside: a strand, a knot), half of them arcs (``RING_MIN_ARCS``:
axis ratio ``RING_ARC_ELONGATION`` or more, or lucent-centred). A piece the detector saw as
lucent-centred (the whole ring outlined as one) counts by its wall only. The arcs keep a dense
clump of round specks, which can enclose a gap once bridged, a cluster. Specks of a cluster lie a
millimetre or more apart and enclose nothing at that bridge; a duct's casting runs along a line.
As for a body (:func:`mammocalc._group_bodies.split_in_two`), an inside split in two sizeable
parts is a loop of thread with a strand across it: a suture.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from mammocalc._group_bodies import Body, filled_outline, group_window, split_in_two
from mammocalc.models import Calcification

RING_BRIDGE_MM = 0.3  # arcs of one ring lie at most twice this apart, edge to edge
RING_MIN_PIECES = 4  # fewer pieces are no broken ring
RING_MIN_HOLE_MM = 1.0  # equivalent diameter of the enclosed lucent inside
RING_MIN_HOLE_SHARE = 0.15  # ... and its share of the ring's area (bridged outline and inside)
RING_MIN_ON_RING = 0.5  # share of the pieces in the ring (its outline or across its inside)
RING_MIN_ARCS = 0.5  # ... of which at least this share are arcs: axis ratio RING_ARC_ELONGATION
RING_ARC_ELONGATION = 2.0  # or more, or lucent-centred (a dense clump of round specks is no ring)


def ring_of_pieces(
    members: list[Calcification], shape: tuple[int, ...], spacing_mm: float
) -> tuple[Body, list[Calcification]] | None:
    """The ring the ``members`` form around a lucent inside, and the members off it; or None.

    Parameters
    ----------
    members : list of Calcification
        One linked group of an image's calcifications (outlines in image pixels).
    shape : tuple of int
        Image shape (rows, cols), to clip the working window.
    spacing_mm : float
        Pixel spacing (mm).

    Returns
    -------
    (Body, list of Calcification) or None
        The ring as a hollow :class:`Body` (``lucent``; ``strand`` when its inside is split in
        two) of the pieces in the ring, and the other members; None when the members enclose no
        such inside.
    """
    if len(members) < RING_MIN_PIECES:
        return None
    bridge_px = max(1, int(round(RING_BRIDGE_MM / spacing_mm)))
    box = group_window(members, shape, bridge_px + 2)
    size = (box[0].stop - box[0].start, box[1].stop - box[1].start)
    if min(size) <= 0:  # the outlines lie outside the image
        return None
    masks = [_wall(c, box, size, bridge_px) for c in members]
    bridged = ndi.binary_dilation(np.logical_or.reduce(masks), iterations=bridge_px)
    enclosed = np.asarray(ndi.binary_fill_holes(bridged))
    inside = enclosed & ~bridged
    labels, _ = ndi.label(enclosed)
    ring = np.isin(labels, np.unique(labels[inside]))  # the pieces' outline around the inside
    inside_px = int(np.count_nonzero(inside))
    if _diameter_mm(inside_px, spacing_mm) < RING_MIN_HOLE_MM:
        return None
    if inside_px < RING_MIN_HOLE_SHARE * np.count_nonzero(ring):
        return None
    on_ring = [c for c, m in zip(members, masks, strict=True) if (m & ring).any()]
    arcs = [c for c in on_ring if c.lucent_centre or c.shape.elongation >= RING_ARC_ELONGATION]
    if len(on_ring) < RING_MIN_ON_RING * len(members) or len(arcs) < RING_MIN_ARCS * len(on_ring):
        return None
    body = Body(
        members=on_ring,
        lucent=True,
        diameter_mm=_diameter_mm(int(np.count_nonzero(ring)), spacing_mm),
        strand=split_in_two(inside, spacing_mm),
    )
    taken = {id(c) for c in on_ring}
    return body, [c for c in members if id(c) not in taken]


def _diameter_mm(area_px: int, spacing_mm: float) -> float:
    """Equivalent-circle diameter (mm) of ``area_px`` pixels."""
    return 2.0 * float(np.sqrt(area_px / np.pi)) * spacing_mm


def _wall(
    calc: Calcification, box: tuple[slice, slice], size: tuple[int, int], wall_px: int
) -> np.ndarray:
    """A piece's filled outline in ``box``; only its rim, ``wall_px`` wide, when the detector
    saw its centre lucent (the whole ring outlined as one piece)."""
    mask = filled_outline(calc, box, size)
    if not calc.lucent_centre:
        return mask
    return mask & ~ndi.binary_erosion(mask, iterations=wall_px)
