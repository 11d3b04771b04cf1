"""The data objects that flow between pipeline stages.

``Mammogram`` holds pixels and is a frozen dataclass; everything downstream of detection is a
pydantic model, so the JSON report and its schema (``docs/report.schema.json``) come from these
classes. Coordinates are (row, column), in millimetres from the top-left pixel centre unless the
name ends in ``_px``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mammocalc.vocabulary import (
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Management,
    Morphology,
    View,
)

SCHEMA_VERSION = "1.1"  # 1.1: findings carry distribution_confidence and _alternative


@dataclass(frozen=True)
class Identifiers:
    """Where an image came from. Never holds a patient name."""

    source: str = "<array>"
    study_uid: str | None = None
    series_uid: str | None = None
    sop_uid: str | None = None


@dataclass(frozen=True)
class Mammogram:
    """One mammographic image, ready for analysis.

    Attributes
    ----------
    pixels : ndarray, shape (rows, cols), float32
        Brighter is denser (MONOCHROME2 sense), scaled to [0, 1] over the stored bit depth.
    spacing_mm : float
        Pixel spacing in mm per pixel, in the breast (object) plane where the header allows:
        calibrated Pixel Spacing, else Imager Pixel Spacing divided by the Estimated Radiographic
        Magnification Factor (see ``mammocalc.io.dicom``). Square pixels.
    laterality, view : Laterality or None, View
    spacing_assumed : bool
        True when ``spacing_mm`` was not given by the file or the caller.
    is_film : bool
        True for digitised film (mini-MIAS-like); the breast stage then also removes labels.
    warnings : tuple of str
        Soft problems found while reading, carried into the report.
    """

    pixels: np.ndarray
    spacing_mm: float
    laterality: Laterality | None = None
    view: View = View.UNKNOWN
    identifiers: Identifiers = field(default_factory=Identifiers)
    spacing_assumed: bool = False
    is_film: bool = False
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.pixels.ndim != 2:
            raise ValueError(f"Mammogram pixels must be 2-D, got shape {self.pixels.shape}")
        if not (self.spacing_mm > 0):
            raise ValueError(f"spacing_mm must be positive, got {self.spacing_mm}")

    @property
    def shape_mm(self) -> tuple[float, float]:
        """Image height and width in mm."""
        rows, cols = self.pixels.shape
        return rows * self.spacing_mm, cols * self.spacing_mm


class SkinMarker(NamedTuple):
    """A metal bead on the skin (nipple or scar marker) found by the breast stage."""

    row: float
    col: float
    diameter_mm: float


@dataclass(frozen=True)
class BreastMasks:
    """Output of the breast stage, all boolean arrays of the image's shape.

    ``breast`` excludes background, labels, lead (orientation) markers and film edges;
    ``pectoral`` is the pectoral muscle (empty on CC); ``analysable`` = breast minus pectoral
    minus a skin band. ``chest_wall`` is the image side the chest wall is on ("left" or
    "right"); ``nipple_px`` the nipple estimate (row, col); ``spacing_mm`` the image's pixel
    spacing; ``markers`` the skin markers (metal beads, which stay in ``breast`` and
    ``analysable``; :func:`mammocalc.detect.detect` drops what it finds on them).
    """

    breast: np.ndarray
    pectoral: np.ndarray
    skin: np.ndarray
    analysable: np.ndarray
    chest_wall: str
    nipple_px: tuple[float, float]
    spacing_mm: float
    markers: tuple[SkinMarker, ...] = ()

    @property
    def breast_area_cm2(self) -> float:
        """Area of the breast mask in cm^2."""
        return float(self.breast.sum()) * self.spacing_mm**2 / 100.0


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Shape(_Model):
    """Shape measures of one calcification (dimensionless unless named)."""

    circularity: float = Field(description="4*pi*area/perimeter^2, 1 for a disc")
    elongation: float = Field(description="major/minor axis length, >= 1")
    solidity: float = Field(description="area / convex hull area, <= 1")
    length_mm: float = Field(description="major axis length (mm)")
    width_mm: float = Field(description="minor axis length (mm)")
    orientation_deg: float = Field(description="major axis angle from the row axis (degrees)")


class Calcification(_Model):
    """One detected calcification (or candidate) on one image."""

    id: int
    centroid_px: tuple[float, float] = Field(description="(row, col) in original image pixels")
    centroid_mm: tuple[float, float] = Field(description="(row, col) in mm from the top-left")
    outline_px: list[tuple[float, float]] = Field(
        default_factory=list, description="closed polygon (row, col), original image pixels"
    )
    area_mm2: float
    diameter_mm: float = Field(description="equivalent-circle diameter (mm)")
    contrast: float = Field(description="peak minus local background, in [0, 1] pixel units")
    cnr: float = Field(description="contrast divided by the local noise standard deviation")
    shape: Shape
    score: float = Field(ge=0.0, le=1.0, description="probability this is a real calcification")
    lucent_centre: bool = Field(default=False, description="rim-like: darker centre than ring")


class MorphologyCall(_Model):
    """One morphology descriptor with the confidence the characterise stage gives it."""

    descriptor: Morphology
    confidence: float = Field(ge=0.0, le=1.0)


class Finding(_Model):
    """A group of calcifications reported together, or one macrocalcification (possibly in
    touching pieces)."""

    id: str = Field(description="unique within a report, e.g. 'L-CC-3'")
    image: str = Field(description="source of the image the finding is on")
    laterality: Laterality | None = None
    view: View = View.UNKNOWN
    kind: FindingKind
    calcification_ids: list[int]
    centroid_px: tuple[float, float]
    centroid_mm: tuple[float, float]
    bbox_px: tuple[int, int, int, int] = Field(description="min_row, min_col, max_row, max_col")
    extent_mm: float = Field(description="greatest dimension (mm)")
    count: int
    density_per_cm2: float
    distribution: Distribution | None = None
    distribution_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="how stable the distribution call is when any one calcification is missing "
        "(group stage; None when the kind fixes it, as for a vascular track)",
    )
    distribution_alternative: Distribution | None = Field(
        default=None,
        description="the distribution most often called instead when one calcification is missing",
    )
    detection_score: float = Field(ge=0.0, le=1.0, description="probability the finding is real")
    features: dict[str, float] = Field(default_factory=dict, description="measured evidence")
    morphology: list[MorphologyCall] = Field(default_factory=list)
    malignancy_probability: float | None = Field(default=None, ge=0.0, le=1.0)
    probability_interval: tuple[float, float] | None = None
    category: Category | None = None
    management: Management | None = None
    reasons: list[str] = Field(default_factory=list)
    matched_finding: str | None = Field(
        default=None, description="id of the same finding on the other view of the breast"
    )

    @model_validator(mode="after")
    def _check(self) -> Finding:
        if self.count != len(self.calcification_ids):
            raise ValueError(f"count {self.count} != {len(self.calcification_ids)} members")
        if self.category is not None and self.management is None:
            raise ValueError("a finding with a category must carry its management")
        return self


class ImageResult(_Model):
    """Everything found on one image."""

    source: str
    sop_uid: str | None = None
    laterality: Laterality | None = None
    view: View = View.UNKNOWN
    shape_px: tuple[int, int]
    spacing_mm: float
    spacing_assumed: bool = False
    breast_area_cm2: float
    calcifications: list[Calcification]
    findings: list[Finding]
    warnings: list[str] = Field(default_factory=list)
    timings_s: dict[str, float] = Field(default_factory=dict)


class BreastAssessment(_Model):
    """The assessment of one breast: its worst finding decides."""

    laterality: Laterality | None
    category: Category
    management: Management
    finding_ids: list[str]
    reasons: list[str]


class Provenance(_Model):
    """How the report was made."""

    software: str = "mammocalc"
    version: str
    parameters: dict[str, object]
    timings_s: dict[str, float] = Field(default_factory=dict)


class Report(_Model):
    """The result of analysing one exam (one or more images)."""

    schema_version: str = SCHEMA_VERSION
    study_uid: str | None = None
    images: list[ImageResult]
    breasts: list[BreastAssessment]
    category: Category
    management: Management
    summary: str = Field(description="one-paragraph clinician summary")
    patient_summary: str = Field(description="plain-language summary for the patient")
    warnings: list[str] = Field(default_factory=list)
    provenance: Provenance

    def findings(self) -> list[Finding]:
        """All findings of all images, in image order."""
        return [f for image in self.images for f in image.findings]
