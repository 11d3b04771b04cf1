"""The one flow: read -> breast -> detect -> group -> characterise -> assess -> report.

:func:`analyze` runs it on one exam and returns a :class:`~mammocalc.models.Report`; the CLI, the
evaluation harness and the benchmarks call it (or :func:`analyze_image` for one image) and nothing
else. Each stage is a pure function in its own module (see docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from mammocalc import __version__
from mammocalc.assess import assess
from mammocalc.breast import segment
from mammocalc.characterise import characterise
from mammocalc.detect import detect
from mammocalc.group import group
from mammocalc.io import read
from mammocalc.models import (
    BreastMasks,
    Calcification,
    Finding,
    ImageResult,
    Mammogram,
    Provenance,
    Report,
)
from mammocalc.settings import Settings
from mammocalc.summary import clinician_summary, patient_summary

Source = str | Path | np.ndarray | Mammogram
ImageCallback = Callable[[Mammogram, ImageResult], None]


@contextmanager
def _timed(timings: MutableMapping[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def analyze_image(
    mammogram: Mammogram,
    *,
    settings: Settings | None = None,
    timings: MutableMapping[str, float] | None = None,
) -> ImageResult:
    """Run breast, detect, group and characterise on one image.

    Parameters
    ----------
    mammogram : Mammogram
        The image, as returned by :func:`mammocalc.io.read`.
    settings : Settings, optional
        Parameters (defaults: ``Settings()``).
    timings : dict, optional
        Filled with seconds per stage ("breast", "detect", "group", "characterise").

    Returns
    -------
    ImageResult
        Calcifications and characterised findings (no category yet: see :func:`analyze`).
    """
    settings = settings or Settings()
    stage_s: dict[str, float] = {}
    with _timed(stage_s, "breast"):
        masks = segment(mammogram, settings=settings)
    with _timed(stage_s, "detect"):
        calcifications = detect(mammogram, masks, settings=settings)
    with _timed(stage_s, "group"):
        findings = group(calcifications, mammogram, masks, settings=settings)
    with _timed(stage_s, "characterise"):
        by_id = {c.id: c for c in calcifications}
        findings = [
            characterise(f, [by_id[i] for i in f.calcification_ids], mammogram, settings=settings)
            for f in findings
        ]
    if timings is not None:
        timings.update(stage_s)
    return image_result(mammogram, masks, calcifications, findings, timings_s=stage_s)


def image_result(
    mammogram: Mammogram,
    masks: BreastMasks,
    calcifications: list[Calcification],
    findings: list[Finding],
    *,
    timings_s: Mapping[str, float] | None = None,
) -> ImageResult:
    """The ImageResult of one image from its stages' outputs (no category yet)."""
    return ImageResult(
        source=mammogram.identifiers.source,
        sop_uid=mammogram.identifiers.sop_uid,
        laterality=mammogram.laterality,
        view=mammogram.view,
        shape_px=(int(mammogram.pixels.shape[0]), int(mammogram.pixels.shape[1])),
        spacing_mm=mammogram.spacing_mm,
        spacing_assumed=mammogram.spacing_assumed,
        breast_area_cm2=masks.breast_area_cm2,
        calcifications=calcifications,
        findings=findings,
        warnings=[*mammogram.warnings, *_marker_notes(mammogram, masks)],
        timings_s={k: round(v, 4) for k, v in (timings_s or {}).items()},
    )


def _marker_notes(mammogram: Mammogram, masks: BreastMasks) -> list[str]:
    """One note per skin marker the breast stage found (calcifications on it are dropped)."""
    return [
        f"{mammogram.identifiers.source}: a skin marker (solid round {diameter_mm:.1f} mm disc at "
        f"the image's brightest level, pixel row {row:.0f}, column {col:.0f}); calcifications "
        "found on it are not reported: a metal bead such as a nipple marker."
        for row, col, diameter_mm in masks.markers
    ]


def load(
    source: Source,
    *,
    spacing_mm: float | None = None,
    settings: Settings | None = None,
    film: bool | None = None,
) -> Mammogram:
    """Return ``source`` as a Mammogram, reading it when it is a path or an array."""
    mammogram = (
        source
        if isinstance(source, Mammogram)
        else read(source, spacing_mm=spacing_mm, settings=settings)
    )
    if film is not None and film != mammogram.is_film:
        mammogram = dataclasses.replace(mammogram, is_film=film)
    return mammogram


def analyze(
    sources: Source | Sequence[Source],
    *,
    spacing_mm: float | None = None,
    settings: Settings | None = None,
    film: bool | None = None,
    on_image: ImageCallback | None = None,
) -> Report:
    """Analyse one exam: every image, then the per-finding, per-breast and exam assessment.

    Parameters
    ----------
    sources : path, array, Mammogram, or a sequence of them
        The images of ONE exam (use :func:`mammocalc.io.read_exams` to split several exams).
    spacing_mm : float, optional
        Pixel spacing for inputs that do not carry one (PNG, TIFF, PGM, arrays).
    settings : Settings, optional
        Parameters (defaults: ``Settings()``).
    film : bool, optional
        Force the digitised-film handling on or off (default: as the reader decided).
    on_image : callable, optional
        Called as ``on_image(mammogram, image_result)`` after each image (progress, overlays).

    Returns
    -------
    Report
        Findings with category, management and reasons; breasts; exam category and management.

    Raises
    ------
    mammocalc.errors.InputError
        When a source cannot be read or holds no breast; the message names the file.

    Examples
    --------
    >>> from mammocalc.simulate import simulate_image
    >>> report = analyze(simulate_image(0, scene="normal").mammogram)  # doctest: +SKIP
    >>> report.category.value  # doctest: +SKIP
    '1'
    """
    settings = settings or Settings()
    items = [sources] if isinstance(sources, str | Path | np.ndarray | Mammogram) else sources
    started = time.perf_counter()
    mammograms = [load(s, spacing_mm=spacing_mm, settings=settings, film=film) for s in items]
    results: list[ImageResult] = []
    for mammogram in mammograms:
        result = analyze_image(mammogram, settings=settings)
        results.append(result)
        if on_image is not None:
            on_image(mammogram, result)
    stage_s: dict[str, float] = {}
    with _timed(stage_s, "assess"):
        images, breasts, category = assess(results, settings=settings)
    warnings = sorted({w for image in images for w in image.warnings})
    if settings.below_screening():
        warnings.append(
            f"Thresholds below the screening default (operating point "
            f"{settings.operating_point}): fainter candidates are reported, with many more "
            "false marks; not for clinical use."
        )
    return Report(
        study_uid=_study_uid(mammograms),
        images=images,
        breasts=breasts,
        category=category,
        management=category.management,
        summary=clinician_summary(images, breasts, category),
        patient_summary=patient_summary(breasts, category),
        warnings=warnings,
        provenance=Provenance(
            version=__version__,
            parameters=settings.model_dump(mode="json"),
            timings_s={
                "total": round(time.perf_counter() - started, 4),
                "assess": round(stage_s["assess"], 4),
            },
        ),
    )


def _study_uid(mammograms: Sequence[Mammogram]) -> str | None:
    uids = {m.identifiers.study_uid for m in mammograms}
    return uids.pop() if len(uids) == 1 else None
