"""The compressed breast: outline, thickness fall-off, skin, nipple and pectoral muscle.

Everything is built in a canonical frame: chest wall on the left (column 0), nipple pointing to
increasing columns, rows top to bottom (lateral at the top on CC, superior at the top on MLO). The
right breast is mirrored at the very end (``scenes``/``image``), which gives the radiology display
convention (NYU sample, IHE Mammography profile): L-CC chest wall on the image's left, R-CC on its
right. Lengths are in mm; ``_px`` names are pixels of the final (fine) grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from mammocalc.vocabulary import View

# Edge sampling step along the rows for the outline tables (mm).
_ROW_STEP_MM = 0.25


@dataclass(frozen=True)
class BreastSpec:
    """Size and build of one breast, shared by its CC and MLO views (mm).

    ``depth_mm`` is nipple to chest wall on CC; the two half-widths are the lateral and medial
    extents from the nipple line on CC; ``falloff_mm`` is how far in from the skin the compressed
    thickness reaches its plateau ``thickness_mm``.
    """

    depth_mm: float
    half_width_lateral_mm: float
    half_width_medial_mm: float
    thickness_mm: float
    falloff_mm: float
    skin_mm: float
    squareness: float
    axilla_fraction: float


def draw_breast(rng: np.random.Generator) -> BreastSpec:
    """Draw a plausible breast: compressed thickness 35-70 mm, nipple depth 60-120 mm."""
    depth = float(rng.uniform(60.0, 120.0))
    thickness = float(np.clip(rng.normal(48.0 + 0.15 * (depth - 90.0), 7.0), 35.0, 70.0))
    return BreastSpec(
        depth_mm=depth,
        half_width_lateral_mm=float(rng.uniform(0.75, 1.0) * (40.0 + 0.55 * depth)),
        half_width_medial_mm=float(rng.uniform(0.75, 1.0) * (40.0 + 0.55 * depth)),
        thickness_mm=thickness,
        falloff_mm=float(rng.uniform(0.45, 0.8) * thickness),
        skin_mm=float(rng.uniform(1.2, 2.0)),
        squareness=float(rng.uniform(1.7, 2.4)),
        axilla_fraction=float(rng.uniform(0.35, 0.55)),
    )


def contralateral(breast: BreastSpec, rng: np.random.Generator) -> BreastSpec:
    """The other breast of the same woman: the same build within a few per cent."""

    def near(value: float, spread: float = 0.05) -> float:
        return float(value * rng.uniform(1.0 - spread, 1.0 + spread))

    return BreastSpec(
        depth_mm=near(breast.depth_mm),
        half_width_lateral_mm=near(breast.half_width_lateral_mm),
        half_width_medial_mm=near(breast.half_width_medial_mm),
        thickness_mm=near(breast.thickness_mm),
        falloff_mm=near(breast.falloff_mm),
        skin_mm=breast.skin_mm,
        squareness=near(breast.squareness, 0.03),
        axilla_fraction=near(breast.axilla_fraction),
    )


@dataclass(frozen=True)
class ViewLayout:
    """Where the breast lies in one view, canonical frame (chest wall at column 0).

    Attributes
    ----------
    view : View
    shape_px : (rows, cols) of the final image
    spacing_mm : float
    nipple_mm : (row, col) of the nipple tip in mm
    depth_mm : float
        Nipple line length on this view (mm).
    edge_rows_mm, edge_cols_mm : ndarray, shape (n,)
        Skin outline: for each row (mm) the column (mm) of the skin, 0 where no breast.
    pectoral_mm : (top_col_mm, side_row_mm) or None
        The pectoral muscle edge meets the top edge at ``top_col_mm`` and the chest wall (column
        0) at ``side_row_mm``; MLO only.
    """

    view: View
    shape_px: tuple[int, int]
    spacing_mm: float
    nipple_mm: tuple[float, float]
    depth_mm: float
    edge_rows_mm: np.ndarray
    edge_cols_mm: np.ndarray
    pectoral_mm: tuple[float, float] | None

    @property
    def field_mm(self) -> tuple[float, float]:
        """Image height and width in mm."""
        return self.shape_px[0] * self.spacing_mm, self.shape_px[1] * self.spacing_mm

    def skin_col_mm(self, rows_mm: np.ndarray) -> np.ndarray:
        """Column (mm) of the skin line at each row (mm); 0 where the row holds no breast."""
        return np.interp(rows_mm, self.edge_rows_mm, self.edge_cols_mm, left=0.0, right=0.0)

    def pectoral_col_mm(self, rows_mm: np.ndarray) -> np.ndarray:
        """Column (mm) of the pectoral muscle edge at each row; 0 below it and on CC."""
        if self.pectoral_mm is None:
            return np.zeros_like(np.asarray(rows_mm, dtype=float))
        top_col, side_row = self.pectoral_mm
        frac = np.clip(1.0 - np.asarray(rows_mm, dtype=float) / side_row, 0.0, 1.0)
        return top_col * frac**0.85  # slightly convex, as the muscle bulges into the breast

    def inside(self, row_mm: float, col_mm: float, margin_mm: float) -> bool:
        """True when (row, col) lies in the breast, ``margin_mm`` from skin, muscle and edges."""
        rows = np.array([row_mm - margin_mm, row_mm, row_mm + margin_mm])
        field_rows, field_cols = self.field_mm
        if not (margin_mm <= row_mm <= field_rows - margin_mm and col_mm <= field_cols):
            return False
        skin = self.skin_col_mm(rows).min()
        pect = self.pectoral_col_mm(rows).max()
        return bool(pect + margin_mm < col_mm < skin - margin_mm)


def _superellipse(u: np.ndarray, power: float) -> np.ndarray:
    return np.clip(1.0 - np.abs(u) ** power, 0.0, None) ** (1.0 / power)


def _wobble(rows_mm: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A smooth random relative perturbation of the outline (a few gentle undulations)."""
    out = np.zeros_like(rows_mm)
    for _ in range(3):
        wavelength = rng.uniform(40.0, 160.0)
        out += rng.uniform(0.3, 1.0) * np.sin(
            2 * np.pi * rows_mm / wavelength + rng.uniform(0, 6.3)
        )
    return 1.0 + amplitude * out / 3.0


def default_shape_px(
    breast: BreastSpec, view: View, spacing_mm: float, rng: np.random.Generator
) -> tuple[int, int]:
    """An image just large enough for the breast plus margins, like a cropped clinical image."""
    if view.is_lateral:
        rows_mm = 1.25 * max(breast.half_width_lateral_mm, breast.half_width_medial_mm) * 2.0
        cols_mm = breast.depth_mm * 1.08 + rng.uniform(12.0, 25.0)
    else:
        rows_mm = breast.half_width_lateral_mm + breast.half_width_medial_mm + rng.uniform(15, 35)
        cols_mm = breast.depth_mm + rng.uniform(15.0, 30.0)
    return int(round(rows_mm / spacing_mm)), int(round(cols_mm / spacing_mm))


def layout_view(
    breast: BreastSpec,
    view: View,
    shape_px: tuple[int, int],
    spacing_mm: float,
    rng: np.random.Generator,
) -> ViewLayout:
    """Place the breast of ``breast`` in a ``shape_px`` image for ``view`` (CC or MLO-like).

    The breast is scaled down (never up) so that it fits the field with margins.
    """
    field_rows, field_cols = shape_px[0] * spacing_mm, shape_px[1] * spacing_mm
    rows = np.arange(0.0, field_rows + _ROW_STEP_MM, _ROW_STEP_MM)
    power = breast.squareness
    if view.is_lateral:
        depth = breast.depth_mm * 1.05
        below = max(breast.half_width_medial_mm, breast.half_width_lateral_mm) * 0.95
        nipple_row = field_rows - below - rng.uniform(0.04, 0.12) * field_rows
        scale = min(1.0, (field_cols - 8.0) / depth, (field_rows - nipple_row - 4.0) / below)
        depth, below = depth * scale, below * scale
        above = nipple_row * 1.15
        u = (rows - nipple_row) / np.where(rows < nipple_row, above, below)
        a = breast.axilla_fraction
        shape = np.where(rows < nipple_row, a + (1 - a) * _superellipse(u, power), 0.0)
        shape = np.where(rows >= nipple_row, _superellipse(u, power), shape)
        pectoral = (depth * rng.uniform(0.3, 0.45), nipple_row * rng.uniform(0.55, 0.95))
    else:
        depth = breast.depth_mm
        lateral, medial = breast.half_width_lateral_mm, breast.half_width_medial_mm
        scale = min(1.0, (field_cols - 8.0) / depth, (field_rows - 8.0) / (lateral + medial))
        depth, lateral, medial = depth * scale, lateral * scale, medial * scale
        spare = field_rows - lateral - medial
        nipple_row = lateral + spare * rng.uniform(0.35, 0.65)
        u = (rows - nipple_row) / np.where(rows < nipple_row, lateral, medial)
        shape = _superellipse(u, power)
        pectoral = None
    cols = depth * shape * _wobble(rows, rng, 0.04)
    # the nipple in profile: a small bump on the outline
    nipple_radius, nipple_height = rng.uniform(4.0, 7.0), rng.uniform(2.0, 5.0)
    bump = np.clip(1.0 - ((rows - nipple_row) / nipple_radius) ** 2, 0.0, None) ** 0.5
    cols = np.minimum(cols + nipple_height * bump, field_cols - 2.0)
    tip = float(cols[np.argmin(np.abs(rows - nipple_row))])
    return ViewLayout(
        view=view,
        shape_px=shape_px,
        spacing_mm=spacing_mm,
        nipple_mm=(float(nipple_row), tip),
        depth_mm=float(depth),
        edge_rows_mm=rows,
        edge_cols_mm=cols,
        pectoral_mm=pectoral,
    )


@dataclass(frozen=True)
class AnatomyMaps:
    """Path lengths through the breast on a (coarse) grid, all float32 arrays in mm.

    ``breast`` is the projected breast (bool); ``distance_mm`` the distance to the skin line
    (the chest-wall edge excluded); ``thickness_mm`` the total tissue path; ``skin_mm`` the part of
    it in the skin; ``muscle_mm`` the part in the pectoral muscle.
    """

    breast: np.ndarray
    distance_mm: np.ndarray
    thickness_mm: np.ndarray
    skin_mm: np.ndarray
    muscle_mm: np.ndarray


def grid_mm(shape: tuple[int, int], spacing_mm: float, fine_spacing_mm: float) -> np.ndarray:
    """Row and column positions (mm, fine-image frame) of the centres of a grid's pixels.

    A grid of ``spacing_mm`` = k * ``fine_spacing_mm`` covers the fine image with its pixel j
    centred on fine pixel (j + 0.5) * k - 0.5.
    """
    k = spacing_mm / fine_spacing_mm
    rows = ((np.arange(shape[0]) + 0.5) * k - 0.5) * fine_spacing_mm
    cols = ((np.arange(shape[1]) + 0.5) * k - 0.5) * fine_spacing_mm
    return np.stack(np.broadcast_arrays(rows[:, None], cols[None, :]))


def anatomy_maps(
    breast: BreastSpec, layout: ViewLayout, shape: tuple[int, int], spacing_mm: float
) -> AnatomyMaps:
    """Path lengths through breast, skin and muscle on a grid of ``shape`` at ``spacing_mm``.

    The compressed breast's edge is modelled as a half-ellipse: thickness
    T * sqrt(1 - (1 - d / L)^2) at distance d < L from the skin line (L = ``falloff_mm``).
    """
    rows_mm, cols_mm = grid_mm(shape, spacing_mm, layout.spacing_mm)
    skin_col = layout.skin_col_mm(rows_mm[:, 0])
    breast_mask = cols_mm < skin_col[:, None]
    # distance to the skin: the chest wall edge (and the top edge on MLO) are not skin
    pad = 64
    padded = np.pad(breast_mask, ((pad, 0), (pad, 0)), mode="edge")
    if not layout.view.is_lateral:
        padded[:pad] = False
    distance = ndi.distance_transform_edt(padded)[pad:, pad:].astype(np.float32) * spacing_mm
    thickness = _profile(distance, breast.thickness_mm, breast.falloff_mm)
    inner = _profile(
        np.maximum(distance - breast.skin_mm, 0.0),
        breast.thickness_mm - 2 * breast.skin_mm,
        breast.falloff_mm - breast.skin_mm,
    )
    inner = np.where(distance > breast.skin_mm, inner, 0.0)
    muscle = np.zeros_like(thickness)
    if layout.pectoral_mm is not None:
        pect_col = layout.pectoral_col_mm(rows_mm[:, 0])[:, None]
        depth_in = np.clip((pect_col - cols_mm) / (0.5 * layout.pectoral_mm[0]), 0.0, 1.0)
        muscle = np.where(cols_mm < pect_col, inner * (0.25 + 0.45 * depth_in), 0.0)
    return AnatomyMaps(
        breast=breast_mask,
        distance_mm=distance,
        thickness_mm=thickness.astype(np.float32),
        skin_mm=(thickness - inner).astype(np.float32),
        muscle_mm=muscle.astype(np.float32),
    )


def _profile(distance_mm: np.ndarray, plateau_mm: float, falloff_mm: float) -> np.ndarray:
    x = np.clip(distance_mm / falloff_mm, 0.0, 1.0)
    return (plateau_mm * np.sqrt(np.clip(1.0 - (1.0 - x) ** 2, 0.0, None))).astype(np.float32)
