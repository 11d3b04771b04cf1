"""The whole flow on simulator images with known truth: each pathway row gives its category."""

from __future__ import annotations

import pytest

from mammocalc.models import Report
from mammocalc.pipeline import analyze
from mammocalc.simulate import simulate_image
from mammocalc.vocabulary import Category, Management

SUSPICIOUS = {
    Category.SUSPICIOUS_LOW,
    Category.SUSPICIOUS_MODERATE,
    Category.SUSPICIOUS_HIGH,
    Category.HIGHLY_SUGGESTIVE,
}


def _analyse(scene: str, seed: int = 11) -> Report:
    sim = simulate_image(seed, spacing_mm=0.1, scene=scene, density="b")
    return analyze(sim.mammogram)


@pytest.mark.parametrize(
    ("scene", "expected", "management"),
    [
        ("normal", {Category.NEGATIVE}, Management.ROUTINE_SCREENING),
        ("benign-macro", {Category.BENIGN}, Management.ROUTINE_SCREENING),
        ("vascular", {Category.BENIGN}, Management.ROUTINE_SCREENING),
        ("probably-benign-group", {Category.PROBABLY_BENIGN}, Management.SHORT_INTERVAL_FOLLOW_UP),
        ("suspicious-cluster", SUSPICIOUS, Management.STEREOTACTIC_BIOPSY),
    ],
)
def test_pathway_rows(scene: str, expected: set[Category], management: Management) -> None:
    report = _analyse(scene)
    assert report.category in expected, [(f.kind, f.category, f.reasons) for f in report.findings()]
    assert report.management is management


def test_report_is_deterministic_apart_from_timings() -> None:
    first = _analyse("suspicious-cluster").model_dump(exclude={"provenance"})
    second = _analyse("suspicious-cluster").model_dump(exclude={"provenance"})
    for report in (first, second):
        for image in report["images"]:
            image.pop("timings_s")
    assert first == second


def test_findings_have_reasons_and_evidence() -> None:
    report = _analyse("suspicious-cluster")
    clusters = [f for f in report.findings() if f.category in SUSPICIOUS]
    assert clusters
    for finding in clusters:
        assert finding.reasons
        assert finding.malignancy_probability is not None
        assert finding.count >= 3
