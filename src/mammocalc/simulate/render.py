"""Render one calcification shape on the image grid, with its measured truth geometry.

The shape is evaluated on a supersampled grid (about 25 um or finer), averaged down to the image
pixels, and measured on the fine grid: footprint (thickness above 10% of its peak), area,
equivalent diameter, length and width from second moments, outline polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from scipy.spatial import ConvexHull
from skimage.measure import approximate_polygon, find_contours

from mammocalc.simulate.calcifications import Shape, reach_mm, thickness_mm

_FOOTPRINT_LEVEL = 0.1
_TRUTH_STEP_MM = 0.025
_MAX_FINE_SIDE = 900


@dataclass(frozen=True)
class RenderedCalcification:
    """A calcification's calcium path on image pixels, and its geometry.

    ``thickness_mm`` is a (h, w) patch of pixel-averaged calcium path length whose top-left pixel
    is ``origin_px`` in the image; coordinates are (row, col) image pixels.
    """

    origin_px: tuple[int, int]
    thickness_mm: np.ndarray
    centroid_px: tuple[float, float]
    area_mm2: float
    diameter_mm: float
    length_mm: float
    width_mm: float
    max_thickness_mm: float
    outline_px: list[tuple[float, float]]


def render(
    shape: Shape, centre_px: tuple[float, float], spacing_mm: float
) -> RenderedCalcification:
    """Render ``shape`` centred at ``centre_px`` (row, col) on a grid of ``spacing_mm`` pixels.

    Examples
    --------
    >>> from mammocalc.simulate.calcifications import Blob
    >>> r = render((Blob((0.0, 0.0), 0.25, 0.25, 0.5, 0.0),), (10.0, 10.0), 0.1)
    >>> round(r.diameter_mm, 1)
    0.5
    """
    half = int(np.ceil(reach_mm(shape) / spacing_mm)) + 2
    side = 2 * half + 1
    sub = max(2, int(np.ceil(spacing_mm / _TRUTH_STEP_MM)))
    sub = max(1, min(sub, _MAX_FINE_SIDE // side))
    r0 = int(np.rint(centre_px[0])) - half
    c0 = int(np.rint(centre_px[1])) - half
    offsets = (np.arange(side * sub) + 0.5) / sub - 0.5
    dy = (r0 + offsets - centre_px[0]) * spacing_mm
    dx = (c0 + offsets - centre_px[1]) * spacing_mm
    fine = thickness_mm(shape, dy[:, None], dx[None, :])
    patch = fine.reshape(side, sub, side, sub).mean(axis=(1, 3)).astype(np.float32)
    peak = float(fine.max())
    footprint = fine > _FOOTPRINT_LEVEL * peak if peak > 0 else np.zeros_like(fine, bool)
    step_mm = spacing_mm / sub
    area_mm2 = float(footprint.sum()) * step_mm**2
    rows, cols = np.nonzero(footprint)
    weights = fine[rows, cols]
    to_px_r = r0 + (rows + 0.5) / sub - 0.5
    to_px_c = c0 + (cols + 0.5) / sub - 0.5
    if weights.sum() > 0:
        centroid = (
            float(np.average(to_px_r, weights=weights)),
            float(np.average(to_px_c, weights=weights)),
        )
    else:
        centroid = (float(centre_px[0]), float(centre_px[1]))
    length_mm, width_mm = _axes_mm(rows, cols, step_mm)
    return RenderedCalcification(
        origin_px=(r0, c0),
        thickness_mm=patch,
        centroid_px=centroid,
        area_mm2=area_mm2,
        diameter_mm=float(2.0 * np.sqrt(area_mm2 / np.pi)),
        length_mm=length_mm,
        width_mm=width_mm,
        max_thickness_mm=peak,
        outline_px=_outline(footprint, sub, (r0, c0)),
    )


def _axes_mm(rows: np.ndarray, cols: np.ndarray, step_mm: float) -> tuple[float, float]:
    """Full major and minor axis lengths (mm) of the footprint's equivalent ellipse."""
    if rows.size < 2:
        return step_mm, step_mm
    cov = np.cov(np.vstack([rows, cols]).astype(float)) + np.eye(2) / 12.0
    low, high = np.linalg.eigvalsh(cov)
    return float(4.0 * np.sqrt(high) * step_mm), float(4.0 * np.sqrt(max(low, 0.0)) * step_mm)


def _outline(footprint: np.ndarray, sub: int, origin: tuple[int, int]) -> list[tuple[float, float]]:
    """Closed outline of the footprint, simplified, in image pixel coordinates.

    The contour of the footprint when it is in one piece; the convex hull of its pieces when it
    is not (vascular tracks, popcorn lumps), so the outline always encloses the whole calcification.
    """
    if not footprint.any():
        return []
    contours = find_contours(np.pad(footprint, 1).astype(np.float32), 0.5)
    if ndi.label(footprint)[1] > 1:
        points = np.vstack(contours) - 1.0
        contour = points[ConvexHull(points).vertices]
        contour = np.vstack([contour, contour[:1]])
    else:
        contour = max(contours, key=len) - 1.0
    contour = approximate_polygon(contour, tolerance=0.25 * sub)
    rows = origin[0] + (contour[:, 0] + 0.5) / sub - 0.5
    cols = origin[1] + (contour[:, 1] + 0.5) / sub - 0.5
    return [(round(float(r), 2), round(float(c), 2)) for r, c in zip(rows, cols, strict=True)]
