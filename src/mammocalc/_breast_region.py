"""The breast region on a downsampled image: foreground threshold, then the breast component.

Private helpers of :mod:`mammocalc.breast`. Everything here works on the working copy (about
0.5 mm per pixel) and knows nothing of files; lengths in mm use the ``spacing_mm`` of that copy.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

# Opening radius that cuts letters, thin film-edge strips and the narrow bridges that join a label
# to the breast, but keeps the breast's outline (mm).
OPEN_RADIUS_MM = 1.5
# The threshold sits this fraction of the way from the background level up to the tissue level:
# low enough to keep the thin, dark periphery of the compressed breast (film and digital).
THRESHOLD_FRACTION = 0.06
# The background peak is looked for in this lowest fraction of the intensity range: a breast that
# fills the film leaves few background pixels, fewer than some tissue levels.
BACKGROUND_WINDOW = 0.2
# Straight bands along the top or bottom edge that run across the film (exposed film borders,
# scanner strips) are cut: rows within BAND_MAX_THICKNESS_MM of the edge whose foreground reaches
# BAND_MIN_OVERHANG_MM further from the chest wall than the rows just inside them.
BAND_MAX_THICKNESS_MM = 25.0
BAND_MIN_OVERHANG_MM = 15.0
# Film labels, markers and edge strips: bright blobs (above this fraction of the way from background
# to the brightest pixels), box-like, small or narrow, and bordered by background on much of their
# outline.
LABEL_LEVEL_FRACTION = 0.5
LABEL_MAX_AREA_CM2 = 12.0
STRIP_MAX_WIDTH_MM = 8.0
LABEL_MIN_EXTENT = 0.75
LABEL_MIN_BACKGROUND_BORDER = 0.35
LABEL_MAX_RING_FRACTION = 0.3
LABEL_MARGIN_MM = 2.0


# Collimator frames: bright edge rows or columns, up to FRAME_MAX_MM from the edge, where at
# least FRAME_MIN_FLAT_SHARE of the pixels lie within FRAME_TOLERANCE of the line's median.
FRAME_MAX_MM = 30.0
FRAME_TOLERANCE = 0.03
FRAME_MIN_FLAT_SHARE = 0.95


def downsample(pixels: np.ndarray, factor: int) -> np.ndarray:
    """Block-mean downsampling by an integer factor.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols)
    factor : int
        Block size in pixels (>= 1). Trailing rows and columns that do not fill a block are dropped.

    Returns
    -------
    ndarray, shape (rows // factor, cols // factor), float32
    """
    if factor == 1:
        return pixels.astype(np.float32, copy=False)
    rows, cols = (pixels.shape[0] // factor) * factor, (pixels.shape[1] // factor) * factor
    blocks = pixels[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def upsample(mask: np.ndarray, factor: int, shape: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour upsampling of a downsampled array back to ``shape`` (edge-padded)."""
    big = mask if factor == 1 else np.repeat(np.repeat(mask, factor, axis=0), factor, axis=1)
    pad_rows, pad_cols = shape[0] - big.shape[0], shape[1] - big.shape[1]
    if pad_rows or pad_cols:
        big = np.pad(big, ((0, pad_rows), (0, pad_cols)), mode="edge")
    return big


def edge_frames(small: np.ndarray, spacing_mm: float) -> np.ndarray:
    """Bright uniform frames along the image edges (collimator shadows).

    Digital mammograms can carry a white band where the collimator blocked the beam; such a
    band is brighter than most tissue and flat along its whole length, which no breast is.

    Parameters
    ----------
    small : ndarray, shape (rows, cols), float
        Working copy.
    spacing_mm : float
        Its pixel spacing (mm); frames up to ``FRAME_MAX_MM`` thick are looked for.

    Returns
    -------
    ndarray of bool, same shape: the frame rows and columns.
    """
    bright = float(np.percentile(small, 75))
    depth = max(1, int(FRAME_MAX_MM / spacing_mm))
    frame = np.zeros(small.shape, dtype=bool)
    for lines, marks in ((small, frame), (small.T, frame.T)):  # rows, then columns
        n_lines = lines.shape[0]
        for order in (
            range(min(depth, n_lines)),
            range(n_lines - 1, max(-1, n_lines - 1 - depth), -1),
        ):
            for index in order:
                level = float(np.median(lines[index]))
                flat = np.mean(np.abs(lines[index] - level) <= FRAME_TOLERANCE)
                if level < bright or flat < FRAME_MIN_FLAT_SHARE:
                    break
                marks[index] = True
    return frame


def disc(radius_px: float) -> np.ndarray:
    """Boolean disc structuring element of the given radius (at least 1 pixel)."""
    r = max(1, int(round(radius_px)))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return np.asarray(yy**2 + xx**2 <= r * r + 0.5)


def background_levels(smooth: np.ndarray, *, padding: np.ndarray | None = None) -> list[float]:
    """Candidate background levels, most likely first; empty for a constant image.

    Parameters
    ----------
    smooth : ndarray, shape (rows, cols), float
        Smoothed working copy.
    padding : ndarray of bool, same shape, optional
        The constant padding around digitised film. The film's own unexposed background is
        often brighter than the padding; its histogram peak, found without the padding, is then
        the first candidate, and the peak over all pixels the second (see ``background_fits``).

    Returns
    -------
    list of float
        The lowest histogram peak (air, padding or unexposed film), per candidate.
    """
    lo, hi = np.percentile(smooth, [0.5, 99.5])
    if hi - lo <= 1e-6:
        return []
    levels = [_background_peak(smooth, lo, hi)]
    if padding is not None and (~padding).sum() > 0.1 * smooth.size:
        film_level = _background_peak(smooth[~padding], lo, hi)
        if film_level > levels[0]:
            levels.insert(0, film_level)
    return levels


def foreground_threshold(smooth: np.ndarray, background: float) -> tuple[float, float]:
    """Tissue level (median above an Otsu split) and the threshold, ``THRESHOLD_FRACTION`` of
    the way from the background level up to it."""
    lo, hi = np.percentile(smooth, [0.5, 99.5])
    counts, edges = np.histogram(smooth, bins=128, range=(float(lo), float(hi)))
    split = _otsu(counts, (edges[:-1] + edges[1:]) / 2)
    above = smooth[smooth > split]
    tissue = float(np.median(above)) if above.size else float(hi)
    return tissue, background + THRESHOLD_FRACTION * (tissue - background)


def background_fits(
    smooth: np.ndarray, breast: np.ndarray, background: float, threshold: float, spacing_mm: float
) -> bool:
    """Whether the breast's surroundings (2-10 mm outside it) are not darker than ``background``.

    A background level set too high (a dark fatty breast on film whose unexposed background
    is as black as the padding) leaves part of the breast, darker than that level, outside.
    """
    distance_mm = ndi.distance_transform_edt(~breast) * spacing_mm
    ring = smooth[(distance_mm > 2.0) & (distance_mm < 10.0)]
    if ring.size == 0:
        return True
    return float(np.median(ring)) >= background - 0.5 * (threshold - background)


def _background_peak(values: np.ndarray, lo: float, hi: float) -> float:
    """The most common value in the lowest ``BACKGROUND_WINDOW`` of the range [lo, hi]."""
    top = lo + BACKGROUND_WINDOW * (hi - lo)
    counts, edges = np.histogram(values, bins=26, range=(float(lo), float(top)))
    peak = int(np.argmax(counts))
    return float((edges[peak] + edges[peak + 1]) / 2)


def film_padding(small: np.ndarray, spacing_mm: float) -> np.ndarray:
    """The constant padding around digitised film: large areas at exactly the minimum value."""
    at_min = small <= small.min() + 1e-6
    opened = ndi.binary_opening(at_min, structure=disc(2.0 / spacing_mm))
    return np.asarray(ndi.binary_dilation(opened, structure=disc(2.0 / spacing_mm)))


def _otsu(counts: np.ndarray, centres: np.ndarray) -> float:
    weights = counts.astype(np.float64)
    w0 = np.cumsum(weights)
    w1 = w0[-1] - w0
    m0 = np.cumsum(weights * centres)
    mean0 = m0 / np.maximum(w0, 1e-12)
    mean1 = (m0[-1] - m0) / np.maximum(w1, 1e-12)
    between = w0 * w1 * (mean0 - mean1) ** 2
    return float(centres[int(np.argmax(between))])


def label_mask(
    small: np.ndarray, smooth: np.ndarray, threshold: float, background: float, spacing_mm: float
) -> np.ndarray:
    """Film labels, markers and edge strips: bright box-like blobs, small or narrow, on background.

    Parameters
    ----------
    small, smooth : ndarray, shape (rows, cols), float
        The working copy and its smoothed version.
    threshold, background : float
        Foreground threshold and background level of ``smooth``.
    spacing_mm : float
        Pixel spacing of the working copy (mm).

    Returns
    -------
    ndarray of bool, same shape: the labels, grown by ``LABEL_MARGIN_MM``.
    """
    brightest = float(np.percentile(smooth, 99.9))
    bright = smooth > background + LABEL_LEVEL_FRACTION * (brightest - background)
    # detach labels from thin bright film-edge lines they often touch
    bright = ndi.binary_opening(bright, structure=disc(OPEN_RADIUS_MM / spacing_mm))
    labels, _ = ndi.label(bright)
    found = np.zeros(small.shape, dtype=bool)
    inner, outer = disc(1.0 / spacing_mm), disc(LABEL_MARGIN_MM / spacing_mm + 2)
    reach = outer.shape[0]
    for index, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        blob_px = int((labels[box] == index).sum())
        area_cm2 = blob_px * spacing_mm**2 / 100.0
        extent = blob_px / float(np.prod([s.stop - s.start for s in box]))
        width_mm = min(s.stop - s.start for s in box) * spacing_mm
        strip = width_mm <= STRIP_MAX_WIDTH_MM  # a film-edge or scanner strip, however long
        if (area_cm2 > LABEL_MAX_AREA_CM2 and not strip) or extent < LABEL_MIN_EXTENT:
            continue
        grown = tuple(slice(max(0, s.start - reach), s.stop + reach) for s in box)
        blob = labels[grown] == index
        # the unsmoothed copy a little way outside the blob: background for a label on film
        ring = ndi.binary_dilation(blob, structure=outer) & ~ndi.binary_dilation(blob, inner)
        if ring.any() and _is_label_edge(small[grown], blob, ring, threshold, background):
            found[grown] |= ndi.binary_dilation(blob, structure=outer)
    return found


def _is_label_edge(
    small: np.ndarray, blob: np.ndarray, ring: np.ndarray, threshold: float, background: float
) -> bool:
    """A label's outline is a step: background, or a much darker film, just outside it."""
    outside = small[ring]
    if (outside <= threshold).mean() >= LABEL_MIN_BACKGROUND_BORDER:
        return True
    inside_level = float(np.median(small[blob])) - background
    return float(np.median(outside)) - background <= LABEL_MAX_RING_FRACTION * inside_level


def breast_component(foreground: np.ndarray, spacing_mm: float) -> np.ndarray:
    """The breast: the largest foreground component after an opening, holes filled.

    Parameters
    ----------
    foreground : ndarray of bool, shape (rows, cols)
        Pixels above the background threshold on the working copy.
    spacing_mm : float
        Pixel spacing of the working copy (mm).

    Returns
    -------
    ndarray of bool, same shape; all False when there is no foreground.
    """
    opened = ndi.binary_opening(foreground, structure=disc(OPEN_RADIUS_MM / spacing_mm))
    labels, count = ndi.label(opened)
    if count == 0:
        return np.zeros_like(foreground)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    breast = labels == int(np.argmax(sizes))
    # Recover the outline the opening rounded off, but only where it touches the component.
    breast = ndi.binary_dilation(breast, structure=disc(OPEN_RADIUS_MM / spacing_mm)) & foreground
    return np.asarray(ndi.binary_fill_holes(breast))


def remove_edge_bands(breast: np.ndarray, spacing_mm: float) -> np.ndarray:
    """Cut straight bands along the top and bottom edges that span the film (film borders).

    Works on a mask normalised so the chest wall is on the left. A band is a run of rows next to
    the top or bottom edge, at most ``BAND_MAX_THICKNESS_MM`` thick, whose breast pixels reach
    much further from the chest wall than the rows just inside it.
    """
    out = breast.copy()
    max_rows = max(2, int(BAND_MAX_THICKNESS_MM / spacing_mm))
    extent = _row_extent(breast)
    for rows in (np.arange(breast.shape[0]), np.arange(breast.shape[0])[::-1]):
        edge_rows = rows[:max_rows]
        inner = extent[rows[max_rows : 2 * max_rows]]
        if inner.size == 0:
            continue
        inner_reach = float(np.median(inner))
        wide = extent[edge_rows] > inner_reach + BAND_MIN_OVERHANG_MM / spacing_mm
        if wide[0]:
            band_end = int(np.argmin(wide)) if not wide.all() else wide.size
            out[edge_rows[:band_end]] = False
    return out


def _row_extent(mask: np.ndarray) -> np.ndarray:
    """Per row, the index of the last True pixel plus one (0 for an empty row)."""
    any_row = mask.any(axis=1)
    last = mask.shape[1] - np.argmax(mask[:, ::-1], axis=1)
    return np.where(any_row, last, 0)
