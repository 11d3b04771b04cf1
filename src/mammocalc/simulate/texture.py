"""Fibroglandular tissue, vessels and ducts, as path lengths on the coarse grid.

The parenchyma is a mix of an isotropic power-law field (1/f^beta, beta ~ 3: Burgess 2001, Heine
& Velthuizen 2002 measured 2.5-3.5 on mammograms) and strands that converge on the nipple (ducts
and Cooper's ligaments), thresholded to the dense-area fraction of the BI-RADS density (a-d).
Vessels and ducts are branching tubes whose projected chord 2 sqrt(r^2 - d^2) is drawn with one
distance transform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from mammocalc.simulate.anatomy import AnatomyMaps, ViewLayout, grid_mm
from mammocalc.simulate.grid import low_pass

# Fraction of the glandular envelope that is dense, per BI-RADS density (5th ed. a-d:
# almost entirely fatty, scattered, heterogeneously dense, extremely dense).
DENSE_FRACTION = {"a": 0.08, "b": 0.28, "c": 0.55, "d": 0.85}
POWER_LAW_BETA = 3.0


def power_law_field(shape: tuple[int, int], beta: float, rng: np.random.Generator) -> np.ndarray:
    """A zero-mean, unit-variance random field with power spectrum ~ 1/f^beta (float32)."""
    white = rng.standard_normal(shape, dtype=np.float32)
    spectrum = np.fft.rfft2(white)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    f = np.sqrt(fy**2 + fx**2)
    f[0, 0] = 1.0
    spectrum *= f ** (-beta / 2.0)
    spectrum[0, 0] = 0.0
    field = np.fft.irfft2(spectrum, s=shape).astype(np.float32)
    return (field - field.mean()) / (field.std() + 1e-12)


def radial_strands(
    layout: ViewLayout, grid: np.ndarray, spacing_mm: float, rng: np.random.Generator
) -> np.ndarray:
    """Unit-variance strands converging on the nipple: noise smooth along rays, sharp across."""
    n_radius, n_angle = 256, 720
    max_radius = float(np.hypot(*layout.field_mm))
    noise = rng.standard_normal((n_radius, n_angle), dtype=np.float32)
    sigma_along = 5.0 / (max_radius / n_radius)  # ~5 mm along the ray
    noise = ndi.gaussian_filter(noise, (sigma_along, 1.2), mode=("nearest", "wrap"))
    rel_row = grid[0] - layout.nipple_mm[0]
    rel_col = layout.nipple_mm[1] - grid[1]
    radius = np.hypot(rel_row, rel_col) / max_radius * (n_radius - 1)
    angle = (np.arctan2(rel_row, rel_col) + np.pi) / (2 * np.pi) * n_angle
    field = ndi.map_coordinates(noise, [radius, angle], order=1, mode="nearest")
    return ((field - field.mean()) / (field.std() + 1e-12)).astype(np.float32)


def glandular_fraction(
    maps: AnatomyMaps,
    layout: ViewLayout,
    density: str,
    spacing_mm: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Fraction (0-1) of the tissue path that is fibroglandular, on the coarse grid (float32).

    A clustered lumpy background (Bochud et al. 1999): the breast is tiled by irregular lobules
    (warped Voronoi cells, ~5-8 mm) separated by fibrous septa (Cooper's ligaments). Each lobule
    is fatty or filled with glandular tissue according to a score (power-law field + strands
    towards the nipple + an envelope that keeps gland inside the subcutaneous fat layer, away
    from the retromammary fat and concentrated behind the nipple); the score threshold gives the
    dense-area fraction of the BI-RADS density. The filled tissue carries its own power-law grain.
    """
    shape = maps.breast.shape
    grid = grid_mm(shape, spacing_mm, layout.spacing_mm)
    field = 0.8 * power_law_field(shape, POWER_LAW_BETA, rng)
    field += 0.25 * radial_strands(layout, grid, spacing_mm, rng)
    subcutaneous = rng.uniform(4.0, 10.0)
    envelope = _sigmoid((maps.distance_mm - subcutaneous) / 2.5)
    envelope *= _sigmoid((grid[1] - layout.pectoral_col_mm(grid[0]) - 8.0) / 4.0)
    centre = np.hypot(
        (grid[0] - layout.nipple_mm[0]) / (0.6 * layout.depth_mm + 20.0),
        (grid[1] - 0.55 * layout.nipple_mm[1]) / (0.6 * layout.depth_mm),
    )
    envelope *= np.exp(-0.5 * centre**2).astype(np.float32)
    score = field + 2.0 * envelope
    inside = maps.breast & (envelope > 0.05)
    if not inside.any():
        return np.zeros(shape, np.float32)
    labels, septa = lobules(shape, spacing_mm, rng)
    n_cells = int(labels.max()) + 1
    counts = np.maximum(np.bincount(labels.ravel(), minlength=n_cells), 1)
    cell_score = (np.bincount(labels.ravel(), score.ravel(), n_cells) / counts).astype(np.float32)
    cell_score = cell_score + rng.normal(0.0, 0.25, n_cells).astype(np.float32)
    mixed = 0.45 * cell_score[labels] + 0.55 * score
    threshold = np.quantile(mixed[inside], 1.0 - DENSE_FRACTION[density])
    filled = ndi.gaussian_filter(_sigmoid((mixed - threshold) / 0.25), 0.3 / spacing_mm)
    grain = np.clip(1.0 + 0.3 * power_law_field(shape, 2.6, rng), 0.3, 1.5)
    fraction = rng.uniform(0.5, 0.65) * filled * grain
    fraction *= np.clip(envelope * 3.0, 0.0, 1.0)
    fraction = np.clip(fraction, 0.0, 1.0)
    # ligaments are faint beside the glands: a few per cent of a gland's attenuation
    fraction += rng.uniform(0.05, 0.1) * septa * (1.0 - fraction)
    return (0.03 + fraction).astype(np.float32) * maps.breast


def lobules(
    shape: tuple[int, int], spacing_mm: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Irregular cells (int labels) and the septa between them (0-1, ~0.3-0.8 mm wide).

    Voronoi cells of random seeds (one per 15-35 mm^2), their boundaries bent by a smooth random
    displacement (domain warping, ~2.5 mm) so that the septa curve like Cooper's ligaments.
    """
    area_mm2 = shape[0] * shape[1] * spacing_mm**2
    n = max(int(area_mm2 / rng.uniform(15.0, 35.0)), 2)
    markers = np.zeros(shape, np.int32)
    markers[rng.integers(0, shape[0], n), rng.integers(0, shape[1], n)] = np.arange(1, n + 1)
    _, (nearest_r, nearest_c) = ndi.distance_transform_edt(markers == 0, return_indices=True)
    cells = markers[nearest_r, nearest_c]
    rows = np.arange(shape[0])[:, None] + _wiggle(shape, spacing_mm, rng)
    cols = np.arange(shape[1])[None, :] + _wiggle(shape, spacing_mm, rng)
    rows = np.clip(np.rint(rows), 0, shape[0] - 1).astype(np.intp)
    cols = np.clip(np.rint(cols), 0, shape[1] - 1).astype(np.intp)
    labels = cells[rows, cols]
    edge = np.zeros(shape, bool)
    edge[1:] |= labels[1:] != labels[:-1]
    edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    distance_mm = ndi.distance_transform_edt(~edge) * spacing_mm
    width_mm = 0.12 + 0.25 * _sigmoid(1.5 * power_law_field(shape, 3.0, rng))
    septa = np.exp(-0.5 * (distance_mm / width_mm) ** 2).astype(np.float32)
    # only some septa show, with varying strength
    septa *= _sigmoid(2.0 * power_law_field(shape, 3.0, rng) - 0.5)
    return labels, septa


def _wiggle(shape: tuple[int, int], spacing_mm: float, rng: np.random.Generator) -> np.ndarray:
    """A displacement field (pixels): ~1.5 mm wiggles at 2-4 mm plus ~3 mm sways at ~15 mm."""
    out = np.zeros(shape, np.float32)
    for scale_mm, amplitude_mm in ((2.0, 1.5), (12.0, 3.0)):
        field = low_pass(rng.standard_normal(shape, dtype=np.float32), scale_mm / spacing_mm)
        out += field * (amplitude_mm / spacing_mm / (field.std() + 1e-12))
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


@dataclass(frozen=True)
class Tube:
    """A tube along a polyline: points (n, 2) as (row, col) mm and radius (mm) at each point."""

    points_mm: np.ndarray
    radius_mm: np.ndarray


def vessel_tree(layout: ViewLayout, rng: np.random.Generator, count: int) -> list[Tube]:
    """Branching vessels entering at the chest wall (or axilla) and running towards the nipple."""
    tubes: list[Tube] = []
    rows_mm = layout.edge_rows_mm[layout.edge_cols_mm > 10.0]
    if rows_mm.size == 0:
        return tubes
    for _ in range(count):
        start_row = rng.uniform(rows_mm.min() + 5.0, rows_mm.max() - 5.0)
        start = np.array([start_row, layout.pectoral_col_mm(np.array([start_row]))[0]])
        target = np.array(layout.nipple_mm) + rng.normal(0.0, 15.0, 2)
        radius = rng.uniform(0.5, 1.4)
        trunk = _walk(start, target, rng, 0.85 * layout.depth_mm, radius)
        tubes.append(trunk)
        for _ in range(rng.integers(1, 4)):
            at = rng.integers(len(trunk.points_mm) // 5, max(len(trunk.points_mm) - 2, 2))
            side = np.array(layout.nipple_mm) + rng.normal(0.0, 35.0, 2)
            tubes.append(
                _walk(
                    trunk.points_mm[at], side, rng, 0.4 * layout.depth_mm, 0.7 * trunk.radius_mm[at]
                )
            )
    return tubes


def duct_tree(layout: ViewLayout, rng: np.random.Generator, count: int) -> list[Tube]:
    """Lactiferous ducts: thin tubes from the nipple fanning back into the breast."""
    nipple = np.array(layout.nipple_mm)
    tubes = []
    for _ in range(count):
        target = nipple + np.array(
            [rng.normal(0.0, 30.0), -layout.depth_mm * rng.uniform(0.3, 0.6)]
        )
        tubes.append(_walk(nipple - [0.0, 3.0], target, rng, 0.5 * layout.depth_mm, 0.6))
    return tubes


def _walk(
    start: np.ndarray, target: np.ndarray, rng: np.random.Generator, length_mm: float, radius: float
) -> Tube:
    """A wandering path from ``start`` towards ``target`` in 1 mm steps, tapering to 40%."""
    steps = max(int(length_mm), 2)
    points = np.empty((steps, 2))
    point = start.astype(float)
    heading = np.arctan2(*(target - start))
    for i in range(steps):
        points[i] = point
        wanted = np.arctan2(*(target - point))
        heading += 0.15 * np.angle(np.exp(1j * (wanted - heading))) + rng.normal(0.0, 0.12)
        point = point + [np.sin(heading), np.cos(heading)]
    taper = np.linspace(1.0, 0.4, steps)
    return Tube(points_mm=points, radius_mm=radius * taper)


def tube_chords(
    tubes: list[Tube], shape: tuple[int, int], spacing_mm: float, fine_mm: float
) -> np.ndarray:
    """Projected path length (mm) through the tubes on a grid (float32), via one distance map."""
    radius_map = np.zeros(shape, np.float32)
    k = spacing_mm / fine_mm
    for tube in tubes:
        # dense resampling so the centre line is connected on the grid
        seg = np.linalg.norm(np.diff(tube.points_mm, axis=0), axis=1)
        n = max(int(seg.sum() / (0.5 * spacing_mm)), 2)
        t = np.linspace(0.0, len(tube.points_mm) - 1, n)
        rows = np.interp(t, np.arange(len(tube.points_mm)), tube.points_mm[:, 0])
        cols = np.interp(t, np.arange(len(tube.points_mm)), tube.points_mm[:, 1])
        radii = np.interp(t, np.arange(len(tube.points_mm)), tube.radius_mm)
        r = np.rint((rows / fine_mm + 0.5) / k - 0.5).astype(int)
        c = np.rint((cols / fine_mm + 0.5) / k - 0.5).astype(int)
        ok = (r >= 0) & (r < shape[0]) & (c >= 0) & (c < shape[1])
        np.maximum.at(radius_map, (r[ok], c[ok]), radii[ok].astype(np.float32))
    if not radius_map.any():
        return radius_map
    distance, (ir, ic) = ndi.distance_transform_edt(radius_map == 0, return_indices=True)
    radius = radius_map[ir, ic]
    d_mm = distance * spacing_mm
    return (2.0 * np.sqrt(np.clip(radius**2 - d_mm**2, 0.0, None))).astype(np.float32)
