"""Small, realistic hand-built reports and mammograms for the report tests (no detection code).

The other ``test_report_*`` modules import the builders from here; the tests at the bottom check
that the builders keep the invariants the pipeline keeps (a breast's category is its worst).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from mammocalc.models import (
    BreastAssessment,
    Calcification,
    Finding,
    Identifiers,
    ImageResult,
    Mammogram,
    MorphologyCall,
    Provenance,
    Report,
    Shape,
)
from mammocalc.vocabulary import (
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Morphology,
    View,
    worst,
)

SPACING_MM = 0.1
SHAPE_PX = (240, 180)


class Preset(NamedTuple):
    """One typical finding: kind, member diameters, morphology, distribution, probability with
    interval, and the reasons an assess stage would write."""

    kind: FindingKind
    diameters_mm: list[float]
    morphology: list[tuple[Morphology, float]]
    distribution: Distribution | None
    probability: tuple[float, tuple[float, float]]
    reasons: list[str]


PRESETS: dict[Category, Preset] = {
    Category.BENIGN: Preset(
        kind=FindingKind.MACROCALCIFICATION,
        diameters_mm=[2.4],
        morphology=[(Morphology.COARSE, 0.82)],
        distribution=None,
        probability=(0.004, (0.001, 0.012)),
        reasons=["single calcification 2.4 mm across: a benign macrocalcification"],
    ),
    Category.PROBABLY_BENIGN: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.5, 0.55, 0.6, 0.5, 0.52],
        morphology=[(Morphology.ROUND, 0.71), (Morphology.PUNCTATE, 0.22)],
        distribution=Distribution.GROUPED,
        probability=(0.015, (0.006, 0.031)),
        reasons=["5 round calcifications within 4 mm", "a single group at baseline"],
    ),
    Category.INCOMPLETE: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.2, 0.15, 0.2, 0.18],
        morphology=[(Morphology.AMORPHOUS, 0.41), (Morphology.PUNCTATE, 0.38)],
        distribution=Distribution.GROUPED,
        probability=(0.06, (0.01, 0.22)),
        reasons=["descriptor confidence 41% is too low to decide: magnification views first"],
    ),
    Category.SUSPICIOUS_LOW: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.3, 0.25, 0.35, 0.3, 0.28, 0.3],
        morphology=[(Morphology.AMORPHOUS, 0.66)],
        distribution=Distribution.GROUPED,
        probability=(0.07, (0.03, 0.14)),
        reasons=["6 amorphous calcifications within 5 mm"],
    ),
    Category.SUSPICIOUS_MODERATE: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.3, 0.2, 0.45, 0.25, 0.38, 0.22, 0.3, 0.41],
        morphology=[(Morphology.FINE_PLEOMORPHIC, 0.61), (Morphology.AMORPHOUS, 0.27)],
        distribution=Distribution.GROUPED,
        probability=(0.32, (0.18, 0.49)),
        reasons=["8 calcifications within 6 mm", "sizes vary 2.3-fold"],
    ),
    Category.SUSPICIOUS_HIGH: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.25, 0.2, 0.3, 0.22, 0.28, 0.2, 0.3],
        morphology=[(Morphology.FINE_PLEOMORPHIC, 0.7)],
        distribution=Distribution.LINEAR,
        probability=(0.71, (0.55, 0.84)),
        reasons=["7 calcifications within 9 mm", "arranged in a line"],
    ),
    Category.HIGHLY_SUGGESTIVE: Preset(
        kind=FindingKind.CLUSTER,
        diameters_mm=[0.2, 0.18, 0.22, 0.2, 0.25, 0.2, 0.19, 0.21, 0.2, 0.23],
        morphology=[(Morphology.FINE_LINEAR_BRANCHING, 0.86)],
        distribution=Distribution.SEGMENTAL,
        probability=(0.96, (0.9, 0.99)),
        reasons=["10 fine linear branching calcifications", "segmental, pointing to the nipple"],
    ),
}


def calcification(
    id: int, row: float, col: float, *, diameter_mm: float = 0.3, score: float = 0.9
) -> Calcification:
    """A round calcification at pixel (row, col) with an 8-point outline."""
    radius_px = max(0.6, diameter_mm / SPACING_MM / 2)
    outline = [
        (row + radius_px * math.sin(a), col + radius_px * math.cos(a))
        for a in np.linspace(0, 2 * math.pi, 8, endpoint=False)
    ]
    return Calcification(
        id=id,
        centroid_px=(row, col),
        centroid_mm=(row * SPACING_MM, col * SPACING_MM),
        outline_px=outline,
        area_mm2=math.pi * (diameter_mm / 2) ** 2,
        diameter_mm=diameter_mm,
        contrast=0.12,
        cnr=6.5,
        shape=Shape(
            circularity=0.88,
            elongation=1.1,
            solidity=0.95,
            length_mm=diameter_mm * 1.05,
            width_mm=diameter_mm * 0.95,
            orientation_deg=15.0,
        ),
        score=score,
    )


def finding(
    id: str,
    source: str,
    laterality: Laterality,
    view: View,
    members: Sequence[Calcification],
    category: Category,
) -> Finding:
    """A finding over ``members`` carrying ``category``'s preset descriptors and probability."""
    preset = PRESETS[category]
    rows = [c.centroid_px[0] for c in members]
    cols = [c.centroid_px[1] for c in members]
    pad = max(c.diameter_mm for c in members) / SPACING_MM / 2
    bbox = (
        int(min(rows) - pad),
        int(min(cols) - pad),
        math.ceil(max(rows) + pad),
        math.ceil(max(cols) + pad),
    )
    extent_mm = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) * SPACING_MM
    probability, interval = preset.probability
    return Finding(
        id=id,
        image=source,
        laterality=laterality,
        view=view,
        kind=preset.kind,
        calcification_ids=[c.id for c in members],
        centroid_px=(float(np.mean(rows)), float(np.mean(cols))),
        centroid_mm=(float(np.mean(rows)) * SPACING_MM, float(np.mean(cols)) * SPACING_MM),
        bbox_px=bbox,
        extent_mm=extent_mm,
        count=len(members),
        density_per_cm2=len(members) / max(0.01, (extent_mm / 10) ** 2),
        distribution=preset.distribution,
        detection_score=0.9,
        features={"size_cv": 0.31, "linearity": 0.4},
        morphology=[MorphologyCall(descriptor=d, confidence=c) for d, c in preset.morphology],
        malignancy_probability=probability,
        probability_interval=interval,
        category=category,
        management=category.management,
        reasons=list(preset.reasons),
    )


def image_result(
    laterality: Laterality, categories: Sequence[Category], *, view: View = View.CC
) -> ImageResult:
    """One image of ``laterality`` holding one finding per category, placed apart."""
    source = f"/data/exam-0001/{laterality.value}-{view.value}.dcm"
    calcifications: list[Calcification] = []
    findings: list[Finding] = []
    for index, category in enumerate(categories):
        diameters = PRESETS[category].diameters_mm
        centre_row, centre_col = 30 + 45 * (index // 2), 50 + 80 * (index % 2)
        members = []
        for k, diameter in enumerate(diameters):
            angle = 2.4 * k
            offset = 3.0 + 2.0 * k**0.5
            members.append(
                calcification(
                    len(calcifications) + k + 1,
                    centre_row + offset * math.sin(angle),
                    centre_col + offset * math.cos(angle),
                    diameter_mm=diameter,
                    score=0.55 + 0.04 * k,
                )
            )
        calcifications += members
        finding_id = f"{laterality.value}-{view.value}-{index + 1}"
        findings.append(finding(finding_id, source, laterality, view, members, category))
    return ImageResult(
        source=source,
        sop_uid=None,
        laterality=laterality,
        view=view,
        shape_px=SHAPE_PX,
        spacing_mm=SPACING_MM,
        breast_area_cm2=2.6,
        calcifications=calcifications,
        findings=findings,
        timings_s={"detect": 0.12},
    )


def make_report(
    categories: Mapping[Laterality, Sequence[Category]] | None = None,
    *,
    warnings: Sequence[str] = (),
) -> Report:
    """A two-image exam (right and left CC) with findings of the given categories per side."""
    categories = categories or {}
    images = [image_result(side, categories.get(side, [])) for side in Laterality]
    breasts = []
    for image in images:
        worst_finding = max(
            image.findings, key=lambda f: f.category.rank if f.category else -1, default=None
        )
        category = worst([f.category for f in image.findings if f.category is not None])
        breasts.append(
            BreastAssessment(
                laterality=image.laterality,
                category=category,
                management=category.management,
                finding_ids=[f.id for f in image.findings],
                reasons=list(worst_finding.reasons) if worst_finding else ["no calcification"],
            )
        )
    exam = worst([b.category for b in breasts])
    return Report(
        study_uid="1.2.826.0.1.3680043.8.498.1",
        images=images,
        breasts=breasts,
        category=exam,
        management=exam.management,
        summary=f"Exam BI-RADS {exam.value}: {exam.management.value}.",
        patient_summary="Your mammogram showed calcifications.",
        warnings=list(warnings),
        provenance=Provenance(
            version="0.1.0",
            parameters={"macro_diameter_mm": 1.0, "cluster_min_count": 3, "profile": "default"},
            timings_s={"total": 0.5},
        ),
    )


def tiny_mammogram(image: ImageResult) -> Mammogram:
    """A small synthetic mammogram matching ``image``: a breast with bright dots at its members."""
    rows, cols = image.shape_px
    rr, cc = np.mgrid[0:rows, 0:cols].astype(np.float32)
    chest_col = 0 if image.laterality is Laterality.RIGHT else cols - 1
    inside = ((rr - rows / 2) / (rows * 0.48)) ** 2 + ((cc - chest_col) / (cols * 0.9)) ** 2 < 1
    pixels = np.where(inside, 0.45, 0.02).astype(np.float32)
    pixels += 0.03 * np.sin(rr / 7.0) * np.cos(cc / 9.0) * inside
    for calc in image.calcifications:
        r, c = calc.centroid_px
        radius = calc.diameter_mm / image.spacing_mm / 2
        pixels[(rr - r) ** 2 + (cc - c) ** 2 <= max(radius, 0.8) ** 2] = 0.95
    return Mammogram(
        pixels=pixels,
        spacing_mm=image.spacing_mm,
        laterality=image.laterality,
        view=image.view,
        identifiers=Identifiers(source=image.source),
    )


def test_breast_category_is_its_worst_finding() -> None:
    report = make_report(
        {
            Laterality.LEFT: [Category.BENIGN, Category.SUSPICIOUS_MODERATE],
            Laterality.RIGHT: [Category.PROBABLY_BENIGN],
        }
    )
    by_side = {b.laterality: b for b in report.breasts}
    assert by_side[Laterality.LEFT].category is Category.SUSPICIOUS_MODERATE
    assert by_side[Laterality.RIGHT].category is Category.PROBABLY_BENIGN
    assert report.category is Category.SUSPICIOUS_MODERATE
    assert len(report.findings()) == 3


def test_findings_lie_inside_the_tiny_image() -> None:
    report = make_report({Laterality.LEFT: list(PRESETS)})
    for image in report.images:
        for f in image.findings:
            assert 0 <= f.bbox_px[0] < f.bbox_px[2] <= SHAPE_PX[0]
            assert 0 <= f.bbox_px[1] < f.bbox_px[3] <= SHAPE_PX[1]
        assert tiny_mammogram(image).pixels.shape == SHAPE_PX
