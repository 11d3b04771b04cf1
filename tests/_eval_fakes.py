"""Small builders of ImageResult and Finding for the evaluation tests (no pipeline needed)."""

from __future__ import annotations

from mammocalc.models import Finding, ImageResult, MorphologyCall
from mammocalc.vocabulary import Category, Distribution, FindingKind, Morphology


def finding(
    centre_px: tuple[float, float],
    score: float,
    *,
    probability: float | None = 0.5,
    kind: FindingKind = FindingKind.CLUSTER,
    morphology: Morphology | None = None,
    distribution: Distribution | None = None,
    category: Category | None = None,
    ident: str = "f",
) -> Finding:
    return Finding(
        id=ident,
        image="fake",
        kind=kind,
        calcification_ids=[],
        centroid_px=centre_px,
        centroid_mm=(0.0, 0.0),
        bbox_px=(0, 0, 1, 1),
        extent_mm=1.0,
        count=0,
        density_per_cm2=0.0,
        distribution=distribution,
        detection_score=score,
        morphology=[]
        if morphology is None
        else [MorphologyCall(descriptor=morphology, confidence=0.9)],
        malignancy_probability=probability,
        category=category,
        management=None if category is None else category.management,
    )


def image_result(
    findings: list[Finding],
    *,
    shape_px: tuple[int, int] = (64, 64),
    spacing_mm: float = 0.2,
    breast_area_cm2: float = 1.0,
    calcifications: list | None = None,
) -> ImageResult:
    return ImageResult(
        source="fake",
        shape_px=shape_px,
        spacing_mm=spacing_mm,
        breast_area_cm2=breast_area_cm2,
        calcifications=calcifications or [],
        findings=findings,
    )
