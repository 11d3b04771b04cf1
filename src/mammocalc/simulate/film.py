"""Digitised screen-film: characteristic curve, grain, 8-bit scan, labels, markers and film edge.

Mimics mini-MIAS-like images (200 um, 8 bits, reduced from 50 um scans): the exposure passes a
sigmoid H&D curve (gradient 4, base + fog 0.2, maximum density 3.6, Haus & Yaffe 2000 for typical
mammographic film), grain adds density noise, and the digitiser maps optical density linearly to
8-bit brightness (dense tissue = low density = bright). Labels, an orientation marker and an
unexposed film margin are burned in outside the breast, as on real digitised films.
"""

from __future__ import annotations

import numpy as np

_BASE_FOG_OD = 0.2
_MAX_OD = 3.6
_GRADIENT = 4.0
_PLATEAU_OD = 1.2


def characteristic_curve(log_signal: np.ndarray, plateau_log_signal: float) -> np.ndarray:
    """Optical density for -ln(relative exposure); the breast plateau lands at ~1.2 OD."""
    log10_exposure = -(log_signal - plateau_log_signal) / np.log(10.0)
    span = _MAX_OD - _BASE_FOG_OD
    k = 4.0 * _GRADIENT / span
    centre = np.log((span / (_PLATEAU_OD - _BASE_FOG_OD)) - 1.0) / k
    return (_BASE_FOG_OD + span / (1.0 + np.exp(-k * (log10_exposure - centre)))).astype(np.float32)


def digitise(
    log_signal: np.ndarray, plateau_log_signal: float, rng: np.random.Generator
) -> np.ndarray:
    """Film density with grain, scanned to brightness in [0, 1] (float32, not yet quantised)."""
    density = characteristic_curve(log_signal, plateau_log_signal)
    density += rng.standard_normal(density.shape, dtype=np.float32) * (0.012 * np.sqrt(density))
    return np.clip((_MAX_OD - density) / (_MAX_OD - _BASE_FOG_OD + 0.3), 0.0, 1.0).astype(
        np.float32
    )


def burn_in_film_marks(
    pixels: np.ndarray,
    breast: np.ndarray,
    spacing_mm: float,
    laterality: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Add a film label, an orientation letter and the unexposed film margin, outside the breast.

    Works in the canonical frame (chest wall at column 0); returns the mask of everything added.
    """
    rows, cols = pixels.shape
    marks = np.zeros(pixels.shape, bool)
    # unexposed margin of the film (held in the cassette) then the scanner's dark surround
    edge = int(rng.uniform(3.0, 8.0) / spacing_mm)
    surround = int(rng.uniform(2.0, 6.0) / spacing_mm)
    start = cols - edge - surround
    pixels[:, start : cols - surround] = rng.uniform(0.75, 0.9)
    pixels[:, cols - surround :] = rng.uniform(0.0, 0.05)
    marks[:, start:] = True
    free = ~np.any(breast, axis=0)
    free_cols = np.flatnonzero(free[: max(start - 1, 0)])
    if free_cols.size < int(20 / spacing_mm):
        return marks
    left = int(free_cols[0]) + int(3 / spacing_mm)
    # label: a bright rectangle with dark "text" strokes
    height, width = int(12 / spacing_mm), int(min(30 / spacing_mm, start - left - 2))
    top = int(rng.uniform(0.05, 0.15) * rows) if rng.random() < 0.5 else int(0.8 * rows)
    if width > 4 and height > 4 and top + height < rows:
        label = np.full((height, width), 0.92, np.float32)
        for line in range(3):
            r = int((0.2 + 0.25 * line) * height)
            strokes = rng.random(width) < 0.55
            label[r : r + max(1, height // 10), strokes] = 0.35
        pixels[top : top + height, left : left + width] = label
        marks[top : top + height, left : left + width] = True
    # orientation letter: a blocky L or R
    size = int(8 / spacing_mm)
    r0 = int(0.45 * rows)
    if r0 + size < rows and left + size < start and size > 3:
        glyph = _letter(laterality, size)
        if laterality == "R":  # the right breast's image is mirrored afterwards
            glyph = glyph[:, ::-1]
        region = pixels[r0 : r0 + size, left : left + size]
        region[glyph] = 0.97
        marks[r0 : r0 + size, left : left + size] |= glyph
    return marks


def _letter(laterality: str, size: int) -> np.ndarray:
    glyph = np.zeros((size, size), bool)
    stroke = max(1, size // 5)
    glyph[:, :stroke] = True
    if laterality == "L":
        glyph[-stroke:, :] = True
    else:
        glyph[:stroke, : size - stroke] = True
        glyph[: size // 2, size - 2 * stroke : size - stroke] = True
        glyph[size // 2 - stroke // 2 : size // 2 + stroke // 2 + 1, : size - stroke] = True
        for i in range(size // 2, size):
            j = stroke + (i - size // 2) * (size - 2 * stroke) // max(size // 2, 1)
            glyph[i, j : j + stroke] = True
    return glyph
