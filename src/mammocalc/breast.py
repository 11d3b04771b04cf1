"""The breast stage: breast region, skin line, pectoral muscle, and the area worth analysing.

Works on a block-averaged working copy of about ``WORKING_SPACING_MM`` per pixel, so a 3328 x 4096
image costs about as much as a 1024 x 1024 one, then brings the masks back to the original grid.
Steps, on the working copy:

1. Foreground: smoothed intensity above a level a small fraction of the way from the background
   (air, padding, unexposed film) to the tissue.
2. Breast: the largest foreground component after a small opening, so labels, letters, markers and
   thin film-edge strips fall away; holes filled; straight bands along the top or bottom edge that
   span the film (film borders) cut off.
3. Orientation: the chest wall is the side where the breast is fullest; the copy is flipped so the
   chest wall is on the left, and tried both ways up for the pectoral muscle.
4. Pectoral muscle (MLO, ML, LM, and unknown views when the evidence is strong): see
   :mod:`mammocalc._breast_pectoral`.
5. Skin line: the breast outline, except where it is cut by the image edge or the chest wall; the
   skin band and the analysable area come from the distance to it.
6. Scanner lines: straight one- or two-pixel row or column lines (digitiser dust, a detector's
   defective line) are found at full resolution and left out of the analysable area
   (:mod:`mammocalc._breast_lines`); on film, so is a band about as wide as the skin band along
   hard edges (the image border, exact black such as a film's cut edge).
7. Skin markers: metal beads on the skin (solid round discs at the image's brightest level) are
   listed, and the detector drops what it finds on them (:mod:`mammocalc._breast_markers`).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from mammocalc._breast_lines import hard_edges, scanner_lines, straight_edges
from mammocalc._breast_markers import MARKER_MAX_SKIN_MM, skin_markers
from mammocalc._breast_pectoral import fit_pectoral
from mammocalc._breast_region import (
    background_fits,
    background_levels,
    breast_component,
    downsample,
    edge_frames,
    film_padding,
    foreground_threshold,
    label_mask,
    remove_edge_bands,
    upsample,
)
from mammocalc.errors import InputError
from mammocalc.models import BreastMasks, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import View

WORKING_SPACING_MM = 0.5
# Smallest breast accepted (cm^2); a compressed breast on any view is far larger. A breast must
# also leave some background, and stand out from it by MIN_SEPARATION times the background's
# spread (smoothed): about 30 or more on film and digital images, under 3 on noise.
MIN_BREAST_AREA_CM2 = 10.0
MAX_BREAST_FRACTION = 0.98
MIN_SEPARATION = 5.0
# Thickness of the skin band reported as ``skin`` (mm); skin is about 0.5-2 mm thick.
SKIN_THICKNESS_MM = 1.5
# Smoothing of the working copy before thresholding (mm).
SMOOTH_MM = 1.0
# Pectoral contrast (fraction of tissue contrast) needed to accept a muscle; on a view of unknown
# type the breast must also look lateral (see _looks_lateral).
PECTORAL_MIN_CONTRAST = 0.04
LATERAL_MIN_END_WIDTH = 0.3
CC_VIEWS = (View.CC, View.XCCL, View.XCCM)
# How much stronger a muscle at the bottom must look than one at the top to call the image
# upside down: the inframammary fold can mimic a muscle at the bottom, so unless the nipple is in
# the upper half (on upright MLO views it lies at 45-75 % of the breast's height, median 62 % on
# mini-MIAS), the bottom needs much stronger evidence.
UPSIDE_DOWN_ODDS = {True: 1.0, False: 3.0}
# Band along the muscle's edge left out of the analysable area (mm): the edge is a long bright
# step that a calcification detector would fire on, and the fitted line can be off by 1-2 mm.
PECTORAL_MARGIN_MM = 3.0
# Fraction of the breast's height, at each end, not searched for the nipple.
NIPPLE_END_MARGIN = 0.15


def segment(mammogram: Mammogram, *, settings: Settings | None = None) -> BreastMasks:
    """Find the breast, its skin line and pectoral muscle, and the area to analyse.

    Parameters
    ----------
    mammogram : Mammogram
        Pixels in [0, 1], brighter is denser, in any orientation and either laterality.
    settings : Settings, optional
        Uses ``skin_band_mm`` (band inside the skin line left out of ``analysable``).

    Returns
    -------
    BreastMasks
        Boolean masks of the image's shape (``breast``, ``pectoral``, ``skin``, ``analysable``),
        the chest-wall side ``"left"`` or ``"right"``, the nipple estimate ``(row, col)`` in
        pixels, the image's spacing and the skin markers (``markers``: metal beads, see
        :mod:`mammocalc._breast_markers`).

    Raises
    ------
    InputError
        When the image holds no breast (blank, constant or noise, or a region under 10 cm^2).

    Examples
    --------
    >>> from mammocalc.breast import segment  # doctest: +SKIP
    >>> masks = segment(mammogram)  # doctest: +SKIP
    >>> masks.chest_wall, round(masks.breast_area_cm2)  # doctest: +SKIP
    ('left', 142)
    """
    settings = settings or Settings.model_validate({})
    rows_mm, cols_mm = mammogram.shape_mm
    if rows_mm * cols_mm / 100.0 < MIN_BREAST_AREA_CM2:
        raise _no_breast(mammogram, f"cannot fit in an image of {rows_mm * cols_mm / 100:.1f} cm^2")
    factor = max(1, int(np.ceil(WORKING_SPACING_MM / mammogram.spacing_mm - 1e-6)))
    spacing_mm = mammogram.spacing_mm * factor
    small = downsample(mammogram.pixels, factor)
    frame = edge_frames(small, spacing_mm)
    if frame.any():  # collimator shadows become background
        small = np.where(frame, np.percentile(small, 1), small).astype(np.float32)
    smooth = ndi.gaussian_filter(small, SMOOTH_MM / spacing_mm)
    breast, background, tissue = _breast_region(small, smooth, frame, spacing_mm, mammogram)
    chest_left = _chest_wall_is_left(breast)
    # from here on the working copy has the chest wall on the left
    cols = slice(None) if chest_left else slice(None, None, -1)
    breast, smooth = remove_edge_bands(breast[:, cols], spacing_mm), smooth[:, cols]
    _check_breast(breast, smooth, spacing_mm, mammogram)

    nipple_row, nipple_col = _nipple(breast)
    scale = tissue - background
    pectoral = _pectoral(
        smooth, breast, spacing_mm, scale, mammogram.view, (nipple_row, nipple_col)
    )
    skin_distance_mm = _skin_distance_mm(breast, spacing_mm)
    skin = breast & (skin_distance_mm <= SKIN_THICKNESS_MM)
    near_muscle = _near(pectoral, PECTORAL_MARGIN_MM / spacing_mm)
    analysable = breast & ~near_muscle & (skin_distance_mm > settings.skin_band_mm)

    near_skin = breast & (skin_distance_mm <= MARKER_MAX_SKIN_MM)
    # one upsampling for the five masks, packed as bits
    packed = np.zeros(breast.shape, dtype=np.uint8)
    for i, mask in enumerate((breast, pectoral, skin, analysable, near_skin)):
        packed |= mask.astype(np.uint8) << i
    full = upsample(packed[:, cols], factor, mammogram.pixels.shape)
    if not chest_left:
        nipple_col = breast.shape[1] - 1 - nipple_col
    breast_full = (full & 1).astype(bool)
    lines = scanner_lines(mammogram.pixels, breast_full, mammogram.spacing_mm)
    lines |= straight_edges(
        mammogram.pixels,
        settings.skin_band_mm,
        mammogram.spacing_mm,
        chest_wall="left" if chest_left else "right",
    )
    if mammogram.is_film:
        lines |= hard_edges(mammogram.pixels, settings.skin_band_mm, mammogram.spacing_mm)
    markers = skin_markers(
        mammogram.pixels,
        breast_full,
        lambda row, col: bool(full[row, col] & 16),
        mammogram.spacing_mm,
    )
    return BreastMasks(
        breast=breast_full,
        pectoral=(full & 2).astype(bool),
        skin=(full & 4).astype(bool),
        analysable=(full & 8).astype(bool) & ~lines,
        chest_wall="left" if chest_left else "right",
        nipple_px=((nipple_row + 0.5) * factor - 0.5, (nipple_col + 0.5) * factor - 0.5),
        spacing_mm=mammogram.spacing_mm,
        markers=markers,
    )


def _near(mask: np.ndarray, distance_px: float) -> np.ndarray:
    """``mask`` grown by ``distance_px`` pixels (Euclidean); empty stays empty."""
    if not mask.any():
        return mask
    return np.asarray(ndi.distance_transform_edt(~mask) <= distance_px)


def _breast_region(
    small: np.ndarray,
    smooth: np.ndarray,
    frame: np.ndarray,
    spacing_mm: float,
    mammogram: Mammogram,
) -> tuple[np.ndarray, float, float]:
    """Breast mask on the working copy, with the background and tissue levels used for it.

    On film the unexposed background may be brighter than the digitiser's padding or as dark;
    each candidate background level is tried until the breast's surroundings agree with it.
    """
    padding = film_padding(small, spacing_mm) if mammogram.is_film else None
    levels = background_levels(smooth, padding=padding)
    if not levels:
        raise _no_breast(mammogram, "does not exist: the image is constant")
    for background in levels:
        tissue, threshold = foreground_threshold(smooth, background)
        foreground = (smooth > threshold) & ~frame
        foreground &= ~label_mask(small, smooth, threshold, background, spacing_mm)
        breast = breast_component(foreground, spacing_mm)
        if background_fits(smooth, breast, background, threshold, spacing_mm):
            break
    return breast, background, tissue


def _chest_wall_is_left(breast: np.ndarray) -> bool:
    """The chest wall is on the side where the breast is fullest (the nipple side tapers)."""
    cols = np.flatnonzero(breast.any(axis=0))
    if cols.size == 0:
        return True
    mid = (cols[0] + cols[-1]) / 2
    column_mass = breast.sum(axis=0)
    positions = np.arange(breast.shape[1])
    return bool(column_mass[positions < mid].sum() >= column_mass[positions > mid].sum())


def _check_breast(
    breast: np.ndarray, smooth: np.ndarray, spacing_mm: float, mammogram: Mammogram
) -> None:
    """Raise InputError unless the breast is big enough and stands out from a background."""
    area_cm2 = float(breast.sum()) * spacing_mm**2 / 100.0
    image_cm2 = breast.size * spacing_mm**2 / 100.0
    if area_cm2 < MIN_BREAST_AREA_CM2 or area_cm2 > MAX_BREAST_FRACTION * image_cm2:
        raise _no_breast(mammogram, f"covers {area_cm2:.1f} of {image_cm2:.1f} cm^2")
    # the background just outside the skin line (film borders and labels lie further out)
    distance_mm = ndi.distance_transform_edt(~breast) * spacing_mm
    outside = smooth[(distance_mm > 2.0) & (distance_mm < 10.0)]
    if outside.size == 0:
        return
    # the spread below the median: film edges or labels near the breast only lift the upper tail
    level = float(np.median(outside))
    spread = level - float(np.percentile(outside, 16))
    separation = (float(np.median(smooth[breast])) - level) / max(spread, 1e-4)
    if separation < MIN_SEPARATION:
        raise _no_breast(
            mammogram, f"differs from it by only {separation:.1f} times the background's noise"
        )


def _no_breast(mammogram: Mammogram, found: str) -> InputError:
    return InputError(
        f"{mammogram.identifiers.source}: no breast found in the image; the region that stands "
        f"out from the background {found} (a breast needs at least {MIN_BREAST_AREA_CM2:.0f} "
        "cm^2 and some background around it), so check that this is a mammogram, that brighter "
        "means denser, and that the pixel spacing is right."
    )


def _pectoral(
    smooth: np.ndarray,
    breast: np.ndarray,
    spacing_mm: float,
    scale: float,
    view: View,
    nipple: tuple[float, float],
) -> np.ndarray:
    """The muscle on the normalised copy, tried with the muscle at the top and at the bottom."""
    if view in CC_VIEWS or not (view.is_lateral or view is View.UNKNOWN):
        return np.zeros_like(breast)
    rows = np.flatnonzero(breast.any(axis=1))
    nipple_high = nipple[0] < (rows[0] + rows[-1]) / 2
    upright = fit_pectoral(smooth, breast, spacing_mm, scale)
    flipped = fit_pectoral(smooth[::-1], breast[::-1], spacing_mm, scale)
    upside_down = flipped.contrast > UPSIDE_DOWN_ODDS[nipple_high] * upright.contrast
    fit = flipped if upside_down else upright
    if fit.contrast < PECTORAL_MIN_CONTRAST:
        return np.zeros_like(breast)
    if view is View.UNKNOWN and not _looks_lateral(breast[::-1] if upside_down else breast, nipple):
        return np.zeros_like(breast)
    order = slice(None, None, -1) if upside_down else slice(None)
    return fit.mask(breast[order])[order]


def _looks_lateral(breast: np.ndarray, nipple: tuple[float, float]) -> bool:
    """An MLO-like outline: broad at the top, where the axilla runs off the image or film edge.

    On a CC view the outline is rounded at both ends (or, cropped, cut narrow); on MLO views the
    breast's first rows span at least a third of its depth (mini-MIAS: 95 % of images; simulator
    MLO views about 0.75; the NYU CC views 0.08 and 0.22).
    """
    rows = np.flatnonzero(breast.any(axis=1))
    first_col = np.argmax(breast, axis=1)[rows]
    depth = nipple[1] - float(first_col.min())
    end_width = float(breast[rows[0] : rows[0] + 3].sum(axis=1).max())
    return end_width >= LATERAL_MIN_END_WIDTH * max(depth, 1.0)


def skin_distance_mm(breast: np.ndarray, spacing_mm: float, chest_wall: str) -> np.ndarray:
    """Distance (mm) from each breast pixel to the skin line; cuts are not skin.

    Parameters
    ----------
    breast : ndarray of bool, shape (rows, cols)
        Breast mask, in the image's orientation.
    spacing_mm : float
        Pixel spacing of ``breast`` (mm).
    chest_wall : str
        ``"left"`` or ``"right"``: the image side of the chest wall (``BreastMasks.chest_wall``).

    Returns
    -------
    ndarray of float, shape (rows, cols)
        Distance in mm for breast pixels, 0 for background away from the chest wall (background
        between the chest-wall edge of the image and the breast counts as breast there). The
        image edges and the breast's edge along the chest wall are cuts through the breast, not
        its skin, so distances are not measured to them; with no skin line in the image at all
        (a mask filling it) every distance is infinite.

    Raises
    ------
    ValueError
        When ``chest_wall`` is neither ``"left"`` nor ``"right"``.

    Examples
    --------
    >>> import numpy as np
    >>> breast = np.zeros((5, 8), bool)
    >>> breast[:, :6] = True  # chest wall on the left, skin line after column 5
    >>> skin_distance_mm(breast, 1.0, "left")[2].tolist()
    [6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0]
    """
    if chest_wall not in ("left", "right"):
        raise ValueError(f"chest_wall must be 'left' or 'right', not {chest_wall!r}")
    cols = slice(None) if chest_wall == "left" else slice(None, None, -1)
    return _skin_distance_mm(breast[:, cols], spacing_mm)[:, cols]


def _skin_distance_mm(breast: np.ndarray, spacing_mm: float) -> np.ndarray:
    """Distance (mm) from each pixel to the skin line, on a copy with the chest wall on the left.

    The image edges and the chest-wall edge of the breast are cuts, not skin: the mask is extended
    across them before the distance transform.
    """
    extended = breast.copy()
    first_col = np.argmax(breast, axis=1)
    has = breast.any(axis=1)
    if has.any():
        wall = np.percentile(first_col[has], 10)
        at_wall = has & (first_col <= wall + max(2, 3.0 / spacing_mm))
        cols = np.arange(breast.shape[1])[None, :]
        extended |= at_wall[:, None] & (cols < first_col[:, None])
    if extended.all():  # no skin line in the image
        return np.full(breast.shape, np.inf)
    extended = np.pad(extended, 1, constant_values=True)
    distance = ndi.distance_transform_edt(extended)[1:-1, 1:-1]
    return np.asarray(distance * spacing_mm)


def _nipple(breast: np.ndarray) -> tuple[float, float]:
    """The skin-line point farthest from the chest wall (copy with the chest wall on the left).

    Rows near the ends of the breast are left out: on MLO views the axilla or the abdomen, cut by
    the image edge, can reach further than the nipple.
    """
    rows = np.flatnonzero(breast.any(axis=1))
    margin = int(NIPPLE_END_MARGIN * (rows[-1] - rows[0]))
    middle = np.arange(rows[0] + margin, rows[-1] - margin + 1)
    reach = breast.shape[1] - 1 - np.argmax(breast[middle, ::-1], axis=1)
    reach = np.where(breast[middle].any(axis=1), reach, -1)
    far = middle[reach >= reach.max() - 1]
    row = int(np.median(far))
    return float(row), float(reach[row - middle[0]])
