"""Outlining and measuring candidates (private to ``detect``).

Each candidate is outlined at half its peak contrast above the local background, holes filled;
its features (:data:`mammocalc._detect_score.CALC_FEATURES`) feed the false-positive model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from mammocalc._detect_scale import Band
from mammocalc._detect_score import LogisticModel
from mammocalc._detect_shape import has_lucent_centre, outline_of, shape_of
from mammocalc.models import Calcification, Shape

LOCAL_WINDOW_MM = 3.0  # half-width of the window whose clutter judges a candidate (local SNR)


@dataclass(frozen=True)
class Candidate:
    """A band maximum, in cropped-image pixels."""

    row: float
    col: float
    snr: float
    band: int


@dataclass(frozen=True)
class Context:
    """What measuring needs from the detector's filtering, all on the cropped image."""

    bands: list[Band]
    image: np.ndarray
    fine: np.ndarray
    analysable: np.ndarray
    background_at: Callable[[np.ndarray, np.ndarray], np.ndarray]
    pixel_noise: tuple[np.ndarray, np.ndarray]
    spacing_mm: float
    max_diameter_mm: float
    offset: tuple[int, int]
    border_mm: np.ndarray  # depth inside ``analysable`` (mm), on a grid of ``border_step`` pixels
    border_step: int


def measure(
    candidates: list[Candidate], context: Context, scorer: LogisticModel
) -> list[tuple[Calcification, dict[str, float]]]:
    """Outline candidates strongest first; one inside an earlier outline is the same blob.

    Returns every outlined candidate with its score and its feature dict (ids 0).
    """
    taken = np.zeros(context.image.shape, bool)
    max_radius_px = int(np.ceil(context.max_diameter_mm / context.spacing_mm))
    found: list[tuple[Calcification, dict[str, float]]] = []
    for cand in candidates:
        r, c = int(round(cand.row)), int(round(cand.col))
        if taken[r, c]:
            continue
        band = context.bands[cand.band]
        sigma_px0 = band.sigma_px * 2**band.level
        blob = _outline(context.fine, context.background_at, r, c, sigma_px0, max_radius_px)
        if blob is None:
            continue
        window, region, peak, bg = blob
        if not context.analysable[window][region].any():
            continue
        if taken[window][region].any() and taken[window][region].mean() > 0.3:
            continue
        taken[window] |= region
        found.append(_calcification(cand, window, region, peak, bg, context, scorer))
    return found


def _outline(
    fine: np.ndarray,
    background_at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    row: int,
    col: int,
    sigma_px: float,
    max_radius_px: int,
) -> tuple[tuple[slice, slice], np.ndarray, float, float] | None:
    """Half-maximum region around the brightest pixel near (row, col); None if it is not a blob."""
    seek = max(1, int(round(sigma_px)))
    r0, c0 = max(row - seek, 0), max(col - seek, 0)
    patch = fine[r0 : row + seek + 1, c0 : col + seek + 1]
    pr, pc = np.unravel_index(int(np.argmax(patch)), patch.shape)
    row, col = r0 + int(pr), c0 + int(pc)
    peak = float(fine[row, col])
    bg = float(background_at(np.array([row], float), np.array([col], float))[0])
    if peak <= bg:
        return None
    level = bg + 0.5 * (peak - bg)
    radius = max(3, int(np.ceil(3 * sigma_px)) + 2)
    while True:
        window = (
            slice(max(row - radius, 0), min(row + radius + 1, fine.shape[0])),
            slice(max(col - radius, 0), min(col + radius + 1, fine.shape[1])),
        )
        labels, _ = ndi.label(fine[window] >= level)
        region = labels == labels[row - window[0].start, col - window[1].start]
        touches = region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any()
        if not touches:
            return window, np.asarray(ndi.binary_fill_holes(region)), peak, bg
        if radius >= max_radius_px:
            return None
        radius = min(2 * radius, max_radius_px)


def candidate_features(
    cand: Candidate, context: Context, cnr: float, diameter_mm: float, shape: Shape
) -> dict[str, float]:
    """The named features the calcification model may read (``_detect_score.CALC_FEATURES``).

    ``snr``: best band response over that band's noise at this background level; ``snr_fine``:
    the same in the finest band (calcifications have sharp edges, tissue does not);
    ``local_snr``: best band response over the clutter (robust std) of that band within
    ``LOCAL_WINDOW_MM``, low in busy tissue; ``border_mm``: depth inside the analysable area
    (skin folds, the pectoral edge and film borders crowd false candidates near it).
    """
    band = context.bands[cand.band]
    background = context.background_at(np.array([cand.row]), np.array([cand.col]))
    first = context.bands[0]
    fine_noise = float(first.noise_at(background)[0])
    half = max(4, int(round(LOCAL_WINDOW_MM / (context.spacing_mm * 2**band.level))))
    peak, clutter = _band_value_and_clutter(band, cand.row, cand.col, half)
    return {
        "snr": cand.snr,
        "snr_fine": _band_value_and_clutter(first, cand.row, cand.col, 0)[0] / fine_noise,
        "local_snr": peak / max(clutter, 1e-6),
        "cnr": cnr,
        "diameter_mm": diameter_mm,
        "scale_mm": float(band.sigma_px * 2**band.level * context.spacing_mm),
        "circularity": shape.circularity,
        "elongation": shape.elongation,
        "solidity": shape.solidity,
        "border_mm": float(
            context.border_mm[
                min(int(cand.row) // context.border_step, context.border_mm.shape[0] - 1),
                min(int(cand.col) // context.border_step, context.border_mm.shape[1] - 1),
            ]
        ),
    }


def _band_value_and_clutter(band: Band, row: float, col: float, half: int) -> tuple[float, float]:
    """Band response at a crop position and the robust std of the band within ``half`` pixels."""
    scale = 2**band.level
    r = min(int(row) // scale, band.response.shape[0] - 1)
    c = min(int(col) // scale, band.response.shape[1] - 1)
    if half == 0:
        return float(band.response[r, c]), 0.0
    window = band.response[max(r - half, 0) : r + half + 1, max(c - half, 0) : c + half + 1]
    clutter = 1.4826 * float(np.median(np.abs(window - np.median(window))))
    return float(band.response[r, c]), clutter


def _calcification(
    cand: Candidate,
    window: tuple[slice, slice],
    region: np.ndarray,
    peak: float,
    bg: float,
    context: Context,
    scorer: LogisticModel,
) -> tuple[Calcification, dict[str, float]]:
    spacing_mm, offset = context.spacing_mm, context.offset
    rows, cols = np.nonzero(region)
    top, left = window[0].start, window[1].start
    centroid = (float(rows.mean()) + top + offset[0], float(cols.mean()) + left + offset[1])
    area_mm2 = float(rows.size) * spacing_mm**2
    contrast = peak - bg
    noise = float(np.interp(bg, context.pixel_noise[0], context.pixel_noise[1]))
    shape = shape_of(region, spacing_mm)
    diameter_mm = float(2.0 * np.sqrt(area_mm2 / np.pi))
    features = candidate_features(cand, context, contrast / noise, diameter_mm, shape)
    outline = [(r + top + offset[0], c + left + offset[1]) for r, c in outline_of(region)]
    calc = Calcification(
        id=0,
        centroid_px=centroid,
        centroid_mm=(centroid[0] * spacing_mm, centroid[1] * spacing_mm),
        outline_px=outline,
        area_mm2=area_mm2,
        diameter_mm=diameter_mm,
        contrast=float(contrast),
        cnr=float(contrast / noise),
        shape=shape,
        score=scorer.score(features),
        lucent_centre=has_lucent_centre(context.image[window], region, contrast),
    )
    return calc, features
