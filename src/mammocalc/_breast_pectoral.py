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
# Per-row refinement: search window either side of the line (mm).
REFINE_WINDOW_MM = 12.0
# The refined boundary may move this many pixels inwards or outwards from one row to the next
# (the muscle narrows downwards), and is pulled towards the fitted line by PULL (in units of the
# image's intensity range) at the edge of the search window.
STEP_IN, STEP_OUT = 3, 1
PULL = 0.02


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
    """Follow the steepest drop near the line, row by row, as one smooth path (dynamic programming).

    The path's column may move by ``-STEP_IN..STEP_OUT`` pixels from one row to the next and is
    gently pulled towards the fitted line; the muscle ends where the path meets the chest wall.
    """
    n_rows, n_cols = breast.shape
    probe = max(1, int(round(PROBE_MM / spacing_mm)))
    window = REFINE_WINDOW_MM / spacing_mm
    rows = np.arange(top, min(n_rows, int(wall_row + window)))
    line_col = chest_col + (top_col - chest_col) * (1 - (rows - top) / max(wall_row - top, 1))
    padded = np.pad(smooth, ((0, 0), (probe, probe)), mode="edge")
    drop = (padded[rows, :n_cols] - padded[rows, 2 * probe :]) / max(float(np.ptp(smooth)), 1e-6)
    cols = np.arange(n_cols)[None, :]
    wall = chest_col + probe  # a muscle narrower than this is the chest-wall edge itself
    gain = np.where(breast[rows], drop, -1.0) - PULL * np.abs(cols - line_col[:, None]) / window
    gain = np.where(np.abs(cols - line_col[:, None]) <= window, gain, -np.inf)
    gain[:, : int(np.ceil(wall))] = 0.0  # "no muscle in this row"
    path = _best_path(gain)
    # the muscle ends at the first row where the path meets the chest wall
    ended = np.cumsum(path <= wall) > 0
    boundary = np.zeros(n_rows)
    boundary[rows] = np.where(ended, 0.0, path)
    return boundary


def _best_path(gain: np.ndarray) -> np.ndarray:
    """Column per row maximising the total gain, moving ``-STEP_IN..STEP_OUT`` columns a row.

    Viterbi over columns: the best total reaching column c of row r comes from the best of the
    columns ``c - STEP_OUT .. c + STEP_IN`` of row r - 1 (a running maximum), then backtracking.
    """
    n_rows, n_cols = gain.shape
    size = STEP_IN + STEP_OUT + 1
    origin = STEP_OUT - size // 2  # window [c - STEP_OUT, c + STEP_IN] in scipy's convention
    totals = np.empty_like(gain)
    totals[0] = gain[0]
    for r in range(1, n_rows):
        reach = ndi.maximum_filter1d(
            totals[r - 1], size, origin=origin, mode="constant", cval=-np.inf
        )
        totals[r] = reach + gain[r]
    path = np.zeros(n_rows, dtype=np.int64)
    path[-1] = int(np.argmax(totals[-1]))
    for r in range(n_rows - 1, 0, -1):
        lo, hi = max(0, path[r] - STEP_OUT), min(n_cols, path[r] + STEP_IN + 1)
        path[r - 1] = lo + int(np.argmax(totals[r - 1, lo:hi]))
    return path.astype(np.float64)
