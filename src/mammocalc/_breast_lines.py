"""Straight scanner lines (private to ``breast``).

Film digitisers leave perfectly straight one- or two-pixel lines along whole rows or columns (a
dusty sensor element, a scratch on the platen; several mini-MIAS films show them, bright or dark),
and a digital detector's defective row or column looks the same. Inside the breast a bright line
is an "elongated calcification" with a high score; so lines are found and left out of the
analysable area.

A line pixel is a thin ridge across the scan direction: brighter (or darker) than both pixels
``RIDGE_OFFSET_PX`` to either side. Averaged along the line over blocks of ``BLOCK_MM``, tissue
(never that straight for that long) averages out while a scanner line keeps its contrast; a run of
at least ``MIN_LENGTH_MM`` whose mean ridge exceeds ``MIN_SIGMAS`` times its spread over the
breast is a line (mini-MIAS: lines in about two thirds of the films, none on the simulator or the
NYU sample's tissue). The widths are in pixels on purpose: the artefact is one sensor element
wide, whatever the pixel size.

Hard edges are the other full-resolution artefact of digitised film: the image border, and exact
black (a film's cut edge, the digitiser's padding) that the working-resolution breast mask runs a
few pixels into. A film's cut edge often carries a bright one-pixel line, and the band-pass
filters ring along any such step; so a band about as wide as the skin band along them is left
out as well (:func:`hard_edges`; film only: a digital detector's breast meets the image border at
the chest wall, where tissue must stay analysable, and its background may be exact black right
up to the skin line, which the skin band already covers).

On any image, a *straight* boundary between exact black and tissue (along one row or column for
at least ``STRAIGHT_EDGE_MIN_MM``) is a crop or padding edge, never a skin line (a breast's
outline stays on one pixel row for a few millimetres at most): the tissue beside it is cut, not
skin, so the breast mask gives it no skin band, and the band-pass filters ring along the step.
The NYU sample's right MLO view is padded with black above a straight cut through the axillary
tissue, and specks along it made a 28-calcification "cluster" rated 4C. A band as wide as the
skin band beside such edges is left out (:func:`straight_edges`), except along the chest wall
(tissue cut by the image there stays analysable, padded or not). A crop that is tilted, jagged
or blurred by compression is not on one pixel row and escapes the rule.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

RIDGE_OFFSET_PX = 2  # the ridge is judged against the pixels this far to either side
BLOCK_MM = 5.0  # the ridge is averaged along the line over blocks of this length
SAMPLE_MM = 0.2  # ... sampled every this far along it
MIN_LENGTH_MM = 20.0  # a line runs at least this far inside the breast
MIN_SIGMAS = 6.0  # mean ridge above this many of its standard deviations over the breast
MASK_HALF_WIDTH_PX = 2  # pixels either side of a line left out of the analysable area
BLACK_LEVEL = 0.005  # pixels at or below this are unexposed film or padding, never tissue
EDGE_BLOCK_MM = 0.5  # hard edges are found on blocks of about this size
STRAIGHT_EDGE_MIN_MM = 20.0  # a black/tissue boundary this long on one row or column is a crop


def hard_edges(pixels: np.ndarray, band_mm: float, spacing_mm: float) -> np.ndarray:
    """Pixels within about ``band_mm`` of the image border or of an exactly black area.

    Judged on blocks of about ``EDGE_BLOCK_MM``: a block is black when all its pixels are (a dead
    pixel inside the breast is not an edge), and the band is grown by whole blocks plus one (a
    partly black block is not black), so it is ``band_mm`` to about two blocks wider (cheap on
    14-megapixel images). Images smaller than one block are all band.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols), float32
        The mammogram, values in [0, 1].
    band_mm : float
        Width of the band (the skin band's width: an edge is judged as the skin line is).
    spacing_mm : float
        Pixel spacing (mm).

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True in the band.
    """
    block = max(1, int(round(EDGE_BLOCK_MM / spacing_mm)))
    rows, cols = pixels.shape
    if rows < block or cols < block:
        return np.ones((rows, cols), bool)
    whole = (rows // block * block, cols // block * block)  # the remainder is in the border band
    black = pixels[: whole[0], : whole[1]] <= BLACK_LEVEL
    blocks = black.reshape(whole[0] // block, block, -1, block).all(axis=(1, 3))
    reach = int(np.ceil(band_mm / (block * spacing_mm))) + 1
    edge = ndi.maximum_filter(blocks, 2 * reach + 1, mode="constant", cval=True)
    edge = np.pad(edge, ((0, 1), (0, 1)), constant_values=True)
    return np.asarray(
        edge[np.minimum(np.arange(rows) // block, edge.shape[0] - 1)][
            :, np.minimum(np.arange(cols) // block, edge.shape[1] - 1)
        ]
    )


def straight_edges(
    pixels: np.ndarray, band_mm: float, spacing_mm: float, *, chest_wall: str | None = None
) -> np.ndarray:
    """Pixels within ``band_mm`` beside a straight black/tissue boundary (a crop or padding edge).

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols), float32
        The mammogram, values in [0, 1]; exact black is at most ``BLACK_LEVEL``.
    band_mm : float
        Width of the band on each side (the skin band's width).
    spacing_mm : float
        Pixel spacing (mm).
    chest_wall : {"left", "right"}, optional
        The image side the chest wall is on. A column edge with black on that side is the chest
        wall cut by the image (padded beyond it), where tissue must stay analysable: skipped.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True within ``band_mm`` on either side of every run of at least ``STRAIGHT_EDGE_MIN_MM``
        along one row or column where black meets tissue.
    """
    band = np.zeros(pixels.shape, bool)
    if band_mm <= 0:
        return band
    black = pixels <= BLACK_LEVEL
    min_run = max(2, int(round(STRAIGHT_EDGE_MIN_MM / spacing_mm)))
    width = max(1, int(np.ceil(band_mm / spacing_mm)))
    across_rows = black[:-1] != black[1:]  # black on one side of the line under row r
    across_cols = np.ascontiguousarray((black[:, :-1] != black[:, 1:]).T)  # ... right of col c
    for edge, out in ((across_rows, band), (across_cols, band.T)):  # band.T: marks land in band
        for line, start, stop in _runs(edge, min_run):
            if out is not band and chest_wall is not None:
                black_left = bool(black[start, line])  # black in column ``line``, tissue after
                if black_left == (chest_wall == "left"):
                    continue
            # both sides: the working-resolution breast mask runs a few pixels into the black
            out[max(line + 1 - width, 0) : line + 1 + width, start:stop] = True
    return band


def _runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, stop) of every run of True along a row of ``mask`` at least ``min_length``."""
    rows = np.flatnonzero(mask.sum(axis=1) >= min_length)  # only rows that can hold a run
    if rows.size == 0:
        return []
    padded = np.pad(mask[rows].astype(np.int8), ((0, 0), (1, 1)))
    change = np.diff(padded, axis=1)
    index, starts = np.nonzero(change == 1)
    _, stops = np.nonzero(change == -1)  # row-major order: pairs with the starts
    rows = rows[index]
    keep = stops - starts >= min_length
    return list(zip(rows[keep].tolist(), starts[keep].tolist(), stops[keep].tolist(), strict=True))


def scanner_lines(pixels: np.ndarray, breast: np.ndarray, spacing_mm: float) -> np.ndarray:
    """Pixels on straight row or column lines inside the breast (and ``MASK_HALF_WIDTH_PX`` around).

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols), float32
        The mammogram, values in [0, 1].
    breast : ndarray of bool, shape (rows, cols)
        The breast mask; lines are looked for inside its bounding box.
    spacing_mm : float
        Pixel spacing (mm).

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True on the lines found (usually none).
    """
    found = np.zeros(breast.shape, bool)
    rows, cols = np.nonzero(breast)
    if rows.size == 0:
        return found
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    image = np.asarray(pixels[box], dtype=np.float32)
    inside = breast[box]
    for axis in (0, 1):  # axis 1: ridges across columns, i.e. vertical lines
        found[box] |= _lines_across(image, inside, axis, spacing_mm)
    return found


def _lines_across(
    image: np.ndarray, inside: np.ndarray, axis: int, spacing_mm: float
) -> np.ndarray:
    """Lines that run perpendicular to ``axis`` (a ridge profile along ``axis``)."""
    k = RIDGE_OFFSET_PX
    lines = np.zeros(image.shape, bool)  # full resolution, returned
    along = 1 - axis
    step = max(1, int(round(SAMPLE_MM / spacing_mm)))  # a line is continuous: sample along it
    sampled = [slice(None)] * 2
    sampled[along] = slice(None, None, step)
    image, inside = image[tuple(sampled)], inside[tuple(sampled)]
    block = max(2, int(round(BLOCK_MM / (spacing_mm * step))))
    if image.shape[axis] <= 2 * k + 1 or image.shape[along] < 2 * block:
        return lines
    centre, before, after = [slice(None)] * 2, [slice(None)] * 2, [slice(None)] * 2
    centre[axis], before[axis], after[axis] = slice(k, -k), slice(0, -2 * k), slice(2 * k, None)
    a = image[tuple(centre)] - image[tuple(before)]
    b = image[tuple(centre)] - image[tuple(after)]
    ridge = np.maximum(np.minimum(a, b), 0) + np.minimum(np.maximum(a, b), 0)
    means, core = (
        _block_means(ridge, along, block),
        _block_means(inside[tuple(centre)], along, block),
    )
    core = core > 0.5
    spread = float(means[core].std()) if core.sum() > 1 else 0.0
    if spread <= 0:
        return lines
    strong = (np.abs(means) > MIN_SIGMAS * spread) & core
    keep = _longest_runs(strong) * block * step >= MIN_LENGTH_MM / spacing_mm
    part = np.moveaxis(lines[tuple(centre)], along, 0)  # a view: marking it marks ``lines``
    for index in np.flatnonzero(keep):
        hits = np.flatnonzero(strong[:, index])
        start, stop = max((hits[0] - 1) * block * step, 0), (hits[-1] + 2) * block * step
        part[start:stop, max(index - MASK_HALF_WIDTH_PX, 0) : index + MASK_HALF_WIDTH_PX + 1] = True
    return lines


def _block_means(values: np.ndarray, along: int, block: int) -> np.ndarray:
    """Means over consecutive blocks of ``block`` pixels along ``along``: shape (blocks, lines)."""
    v = np.moveaxis(values, along, 0)
    n = v.shape[0] // block
    return np.asarray(v[: n * block].reshape(n, block, -1).mean(axis=1, dtype=np.float32))


def _longest_runs(mask: np.ndarray) -> np.ndarray:
    """Length of the longest run of True down each column of ``mask`` (blocks, lines)."""
    run = np.zeros(mask.shape[1], np.int32)
    best = np.zeros(mask.shape[1], np.int32)
    for row in mask:
        run = (run + 1) * row
        np.maximum(best, run, out=best)
    return best
