"""Skin markers: metal beads taped on the skin (nipple or scar markers), found at full resolution.

Private helper of :mod:`mammocalc.breast`. A metal bead is far denser than calcium: on a
processed mammogram it is a solid, perfectly round disc at the image's brightest level, and it
lies on the skin. A calcification of that size at the skin is a skin (dermal) calcification, whose
centre is lucent; one that saturates the whole of a round disc at least as wide as the lower end
of ``MARKER_DIAMETERS_MM`` is not expected. The breast stage lists each bead
(``BreastMasks.markers``) and :func:`mammocalc.detect.detect` drops what it finds on one. The
bead stays in the searched area: leaving it out there would change which other candidates the
detector's per-image budget outlines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage as ndi

from mammocalc.models import SkinMarker

#: Pixels within this much (of the [0, 1] range) of the breast's brightest value are at the
#: image's maximum: saturated or clipped.
MARKER_LEVEL_TOLERANCE = 0.002
#: Diameter range (mm) of the saturated disc of a marker bead. The lower end keeps clear of the
#: simulator's skin calcifications (at most 2 mm across; saturated discs of up to 1.81 mm on 920
#: development images), so smaller beads are not recognised.
MARKER_DIAMETERS_MM = (2.0, 6.0)
#: A bead's disc: axis ratio at most this, and at least this share of the ellipse with the
#: same second moments filled (a solid disc fills it; rings, crescents and clumps do not).
MARKER_MAX_AXIS_RATIO = 1.1
MARKER_MIN_FILL = 0.9
#: The disc's centre lies within this distance (mm) of the skin line.
MARKER_MAX_SKIN_MM = 6.0
#: A calcification centred within the marker's radius plus this margin (mm) is the marker (the
#: blurred edge of the bead, or a piece of its outline).
MARKER_MARGIN_MM = 0.5


def skin_markers(
    pixels: np.ndarray,
    breast: np.ndarray,
    near_skin: Callable[[int, int], bool],
    spacing_mm: float,
) -> tuple[SkinMarker, ...]:
    """Metal beads on the skin: solid round discs at the brightest level of the breast.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols), float in [0, 1]
        The mammogram, brighter is denser.
    breast : ndarray of bool, same shape
        The breast mask.
    near_skin : callable (row, col) -> bool
        Whether a pixel lies within ``MARKER_MAX_SKIN_MM`` of the skin line (asked only for
        the centres of bead-sized saturated discs).
    spacing_mm : float
        Pixel spacing (mm).

    Returns
    -------
    tuple of SkinMarker
        Centre (row, col pixels) and equivalent diameter (mm) of each marker's saturated disc.
    """
    top = float(np.max(pixels, where=breast, initial=-np.inf))
    saturated = pixels >= top - MARKER_LEVEL_TOLERANCE
    saturated &= breast
    low, high = (np.pi / 4 * (d / spacing_mm) ** 2 for d in MARKER_DIAMETERS_MM)
    if np.count_nonzero(saturated) < low:  # most images: no bead-sized saturated area
        return ()
    # label only the box holding the saturated pixels (a full-size label image is 4 bytes/pixel)
    rows_in, cols_in = np.flatnonzero(saturated.any(axis=1)), np.flatnonzero(saturated.any(axis=0))
    r0, c0 = int(rows_in[0]), int(cols_in[0])
    labels, count = ndi.label(saturated[r0 : rows_in[-1] + 1, c0 : cols_in[-1] + 1])
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    found: list[SkinMarker] = []
    for index, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None or not low <= sizes[index] <= high:
            continue
        rows, cols = np.nonzero(labels[box] == index)
        row, col = rows.mean() + box[0].start + r0, cols.mean() + box[1].start + c0
        if near_skin(int(round(row)), int(round(col))) and _is_disc(rows, cols):
            found.append(SkinMarker(float(row), float(col), _diameter_mm(rows.size, spacing_mm)))
    return tuple(found)


def on_marker(
    centre_px: tuple[float, float], markers: Sequence[SkinMarker], spacing_mm: float
) -> bool:
    """Whether a point (row, col pixels) lies on one of ``markers`` (their radius plus
    ``MARKER_MARGIN_MM``)."""
    return any(
        np.hypot(centre_px[0] - row, centre_px[1] - col) * spacing_mm
        <= diameter_mm / 2 + MARKER_MARGIN_MM
        for row, col, diameter_mm in markers
    )


def _is_disc(rows: np.ndarray, cols: np.ndarray) -> bool:
    """Whether pixels (row and column indices, shape (n,)) make a solid, nearly round disc."""
    covariance = np.cov(np.vstack([rows, cols]).astype(float)) + np.eye(2) / 12.0
    minor, major = np.sqrt(np.clip(np.linalg.eigvalsh(covariance), 1e-9, None))
    # a solid ellipse of semi-axes a, b has standard deviations a / 2 and b / 2
    fill = rows.size / (np.pi * (2.0 * major) * (2.0 * minor))
    return bool(major / minor <= MARKER_MAX_AXIS_RATIO and fill >= MARKER_MIN_FILL)


def _diameter_mm(area_px: int, spacing_mm: float) -> float:
    """Equivalent-circle diameter (mm) of ``area_px`` pixels."""
    return float(2.0 * np.sqrt(area_px / np.pi) * spacing_mm)
