"""The pectoral muscle, on a working copy with the chest wall on the left and the muscle at the top.

Private helper of :mod:`mammocalc.breast`. The muscle is the bright triangle in the chest-wall
corner of MLO views. Method: the straight line from the top edge to the chest-wall edge across
which the intensity drops most (a brute-force search; straight-line initialisation as in Kwok et
al., IEEE TMI 2004), then a per-row refinement of that line towards the steepest nearby drop,
smoothed and kept monotone so the muscle stays one piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

# Distance either side of a candidate boundary at which inside and outside are compared (mm).
PROBE_MM = 3.0
# Candidate lines: top intercept up to this fraction of the breast width from the chest wall,
# chest-wall intercept between these fractions of the breast height.
MAX_TOP_FRACTION = 0.75
CHEST_WALL_FRACTIONS = (0.12, 0.95)
# Per-row refinement: search window either side of the line (mm) and the smoothing length (mm).
REFINE_WINDOW_MM = 12.0
SMOOTH_MM = 10.0


@dataclass(frozen=True)
class PectoralFit:
    """A pectoral candidate on the normalised working copy.

    ``boundary_col[r]`` is, for row r, the column up to which the muscle extends (0 where none);
    ``contrast`` is the mean intensity drop across the fitted line, as a fraction of the tissue
    contrast of the image (tissue level minus background level).
    """

    boundary_col: np.ndarray
    contrast: float

    def mask(self, breast: np.ndarray) -> np.ndarray:
        """The muscle as a boolean mask inside ``breast``."""
        cols = np.arange(breast.shape[1])[None, :]
        return breast & (cols < self.boundary_col[:, None])


def fit_pectoral(
    smooth: np.ndarray, breast: np.ndarray, spacing_mm: float, scale: float
) -> PectoralFit:
    """Fit the pectoral boundary in the top-left corner of the breast.

    Parameters
    ----------
    smooth : ndarray, shape (rows, cols), float
        Smoothed working copy, chest wall on the left.
    breast : ndarray of bool, same shape
        The breast mask on that copy.
    spacing_mm : float
        Pixel spacing of the working copy (mm).
    scale : float
        Tissue contrast of the image (tissue level minus background level), for normalising.

    Returns
    -------
    PectoralFit
        ``contrast`` is 0 and the boundary empty when no candidate line fits inside the breast.
    """
    empty = PectoralFit(np.zeros(breast.shape[0]), 0.0)
    rows_any = np.flatnonzero(breast.any(axis=1))
    if rows_any.size < 10:
        return empty
    top, bottom = int(rows_any[0]), int(rows_any[-1])
    first_col = np.argmax(breast, axis=1)
    chest_col = float(np.median(first_col[top : top + max(3, (bottom - top) // 2)]))
    top_width = float(breast[top : top + 3].sum(axis=1).max())
    height = bottom - top
    line = _best_line(smooth, breast, top, chest_col, top_width, height, spacing_mm)
    if line is None:
        return empty
    top_col, wall_row, drop = line
    boundary = _refine(smooth, breast, top, chest_col, top_col, wall_row, spacing_mm)
    return PectoralFit(boundary, drop / max(scale, 1e-6))


def _best_line(
    smooth: np.ndarray,
    breast: np.ndarray,
    top: int,
    chest_col: float,
    top_width: float,
    height: int,
    spacing_mm: float,
) -> tuple[float, float, float] | None:
    """Search lines (top, chest_col + a) -> (top + b, chest_col); return (col_a, row_b, drop)."""
    probe = PROBE_MM / spacing_mm
    a_values = np.linspace(probe * 2, max(probe * 2.5, MAX_TOP_FRACTION * top_width), 28)
    low, high = CHEST_WALL_FRACTIONS
    b_values = np.linspace(low * height, high * height, 28)
    a, b = (g.ravel() for g in np.meshgrid(a_values, b_values))
    t = np.linspace(0.1, 0.9, 24)
    # points on each line, shape (lines, samples)
    rows = top + np.outer(b, t)
    cols = chest_col + np.outer(a, 1 - t)
    norm = np.hypot(a, b)
    n_row, n_col = (a / norm)[:, None], (b / norm)[:, None]
    inside = _sample(smooth, rows - probe * n_row, cols - probe * n_col)
    outside = _sample(smooth, rows + probe * n_row, cols + probe * n_col)
    valid = _sample(breast.astype(np.float32), rows + probe * n_row, cols + probe * n_col) > 0.5
    drop = np.where(valid, inside - outside, 0.0).sum(axis=1) / t.size
    best = int(np.argmax(drop))
    if drop[best] <= 0:
        return None
    return float(chest_col + a[best]), float(top + b[best]), float(drop[best])


def _sample(image: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    coords = np.stack([rows.ravel(), cols.ravel()])
    values = ndi.map_coordinates(image, coords, order=1, mode="nearest")
    return values.reshape(rows.shape)


def _refine(
    smooth: np.ndarray,
    breast: np.ndarray,
    top: int,
    chest_col: float,
    top_col: float,
    wall_row: float,
    spacing_mm: float,
) -> np.ndarray:
    """Move the line, row by row, to the steepest nearby drop; smooth; keep it monotone."""
    n_rows, n_cols = breast.shape
    probe = max(1, int(round(PROBE_MM / spacing_mm)))
    window = REFINE_WINDOW_MM / spacing_mm
    boundary = np.zeros(n_rows)
    last = min(n_rows, int(wall_row + window))
    rows = np.arange(top, last)
    line_col = chest_col + (top_col - chest_col) * (1 - (rows - top) / max(wall_row - top, 1))
    padded = np.pad(smooth, ((0, 0), (probe, probe)), mode="edge")
    drop = padded[:, :n_cols] - padded[:, 2 * probe :]
    found = np.empty(rows.size)
    cols = np.arange(n_cols)
    for i, (r, c) in enumerate(zip(rows, line_col, strict=True)):
        near = np.abs(cols - c) <= window
        # prefer the line itself when drops are alike: a gentle pull towards it
        score = drop[r] - 0.3 * drop[r].std() * np.abs(cols - c) / window
        score = np.where(near & breast[r], score, -np.inf)
        found[i] = float(np.argmax(score)) if np.isfinite(score).any() else c
    size = max(3, int(SMOOTH_MM / spacing_mm))
    found = ndi.median_filter(found, size=size, mode="nearest")
    found = ndi.uniform_filter1d(found, size=size, mode="nearest")
    found = np.minimum.accumulate(np.maximum(found, chest_col))
    # a muscle narrower than the probe is the chest-wall edge itself, not muscle
    boundary[rows] = np.where(found > chest_col + 2 * probe, found, 0.0)
    return boundary
