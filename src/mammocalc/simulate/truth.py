"""The truth a simulated image carries: every calcification and every finding, in image coordinates.

``Truth`` is what ``write_simulated`` stores as ``<name>.truth.json`` and what tests and the
evaluation compare detections with. Coordinates are (row, col) in pixels of the final image
(after the laterality flip) and in mm from the top-left pixel centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mammocalc.models import Mammogram
from mammocalc.vocabulary import (
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Management,
    Morphology,
    View,
)

TRUTH_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TruthCalcification(_Model):
    """One simulated calcification as projected on one image."""

    id: int = Field(description="unique within the image")
    centroid_px: tuple[float, float] = Field(description="(row, col), calcium-weighted")
    centroid_mm: tuple[float, float] = Field(description="(row, col) in mm from the top-left")
    diameter_mm: float = Field(description="equivalent-circle diameter of the projected footprint")
    length_mm: float = Field(description="greatest projected dimension (mm)")
    width_mm: float = Field(description="least projected dimension across the length (mm)")
    area_mm2: float = Field(description="projected footprint area (mm^2)")
    thickness_mm: float = Field(description="largest calcium path length along the beam (mm)")
    morphology: Morphology
    visible: bool = Field(description="matched-filter CNR against quantum noise above threshold")
    cnr: float = Field(description="matched-filter contrast-to-noise ratio (quantum noise only)")
    contrast: float = Field(
        description="physical contrast 1 - I/I0 at the thickest point, with scatter, before blur"
    )
    outline_px: list[tuple[float, float]] = Field(
        default_factory=list, description="closed polygon (row, col) of the footprint"
    )
    finding_id: str | None = Field(default=None, description="finding this calcification is in")


class TruthFinding(_Model):
    """A group of calcifications (or one macrocalcification) with its intended assessment."""

    id: str
    kind: FindingKind
    morphology: list[Morphology]
    distribution: Distribution | None = None
    calcification_ids: list[int]
    centroid_px: tuple[float, float]
    centroid_mm: tuple[float, float]
    bbox_px: tuple[int, int, int, int] = Field(description="min_row, min_col, max_row, max_col")
    extent_mm: float = Field(description="greatest dimension of the members' footprints (mm)")
    count: int
    category: Category
    management: Management
    exam_finding: str = Field(
        description="id of the finding in the exam plan; the same on the CC and MLO views"
    )


class Truth(_Model):
    """Complete truth of one simulated image."""

    truth_version: str = TRUTH_VERSION
    simulator_version: str
    seed: int
    scene: str
    laterality: Laterality
    view: View
    density: str = Field(description="BI-RADS breast density a-d")
    spacing_mm: float
    shape_px: tuple[int, int]
    is_film: bool
    chest_wall: str = Field(description="image side of the chest wall, 'left' or 'right'")
    nipple_px: tuple[float, float]
    breast_area_cm2: float
    breast_mask_rle: list[int] = Field(
        description="row-major run lengths of the breast mask, starting with a run of False"
    )
    pectoral_mask_rle: list[int] = Field(default_factory=list, description="same, pectoral muscle")
    dose: dict[str, float] = Field(default_factory=dict, description="exposure parameters")
    calcifications: list[TruthCalcification]
    findings: list[TruthFinding]

    def visible_calcifications(self) -> list[TruthCalcification]:
        """The calcifications marked visible above the noise."""
        return [c for c in self.calcifications if c.visible]


@dataclass(frozen=True)
class SimulatedImage:
    """A simulated mammogram and its truth."""

    mammogram: Mammogram
    truth: Truth

    @property
    def name(self) -> str:
        """A file stem such as ``sim-00042-L-CC``."""
        return f"sim-{self.truth.seed:05d}-{self.truth.laterality.value}-{self.truth.view.value}"


def mask_to_rle(mask: np.ndarray) -> list[int]:
    """Row-major run lengths of a boolean mask, starting with a (possibly empty) False run.

    Parameters
    ----------
    mask : ndarray of bool, shape (rows, cols)

    Returns
    -------
    list of int
        Alternating False/True run lengths summing to ``mask.size``.

    Examples
    --------
    >>> mask_to_rle(np.array([[False, True], [True, True]]))
    [1, 3]
    """
    flat = np.ravel(mask).astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(edges).tolist()
    return runs if flat.size == 0 or flat[0] == 0 else [0, *runs]


def rle_to_mask(runs: list[int], shape_px: tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`mask_to_rle`; returns a boolean array of ``shape_px``."""
    values = np.arange(len(runs)) % 2 == 1
    return np.repeat(values, runs).reshape(shape_px)
