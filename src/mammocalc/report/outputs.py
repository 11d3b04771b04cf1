"""Write every requested output of one exam into a folder, all or nothing."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path, PurePath

from mammocalc.errors import ParameterError
from mammocalc.models import Mammogram, Report
from mammocalc.report._atomic import write_bytes_atomic
from mammocalc.report.html import clinician_html
from mammocalc.report.jsonio import write_json
from mammocalc.report.overlay import overlay_png
from mammocalc.report.patient import patient_letter

FORMATS = ("json", "overlay", "html", "patient")


def write_outputs(
    report: Report,
    mammograms: Sequence[Mammogram],
    out_dir: Path,
    *,
    formats: Collection[str] = ("json", "overlay"),
    max_side_px: int = 2048,
) -> dict[str, Path]:
    """Write the report's files into ``out_dir``; on failure none of them is left behind.

    File names come from the image sources: ``<exam>.report.json``, ``<exam>.report.html``,
    ``<exam>.patient.html`` and ``<image>.overlay.png``, where ``<exam>`` is the stem of a single
    image, or the stems' common prefix, or the images' shared folder name, or ``exam`` (see
    :func:`exam_stem`), and ``<image>`` an image file's stem, prefixed with ``<exam>_`` when it
    does not start with it, so that exams written to one folder do not overwrite each other.
    Everything is first written in a hidden staging folder inside ``out_dir`` and then renamed
    into place.

    Parameters
    ----------
    report : Report
    mammograms : sequence of Mammogram
        The analysed images; needed for "overlay" and "html" (matched to ``report.images`` by
        ``identifiers.source``).
    out_dir : Path
        Created when missing.
    formats : collection of str, optional
        Any of "json", "overlay", "html" (clinician report with the overlays embedded) and
        "patient" (patient letter).
    max_side_px : int, optional
        Longest side of the overlay pictures.

    Returns
    -------
    dict of str to Path
        Keys "json", "html", "patient" and "overlay:<image source>" for the files written.

    Raises
    ------
    ParameterError
        For an unknown format, a report image without its mammogram, or an output folder that
        cannot be written (the operating system's reason is named).
    """
    wanted = set(formats)
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ParameterError(
            f"Unknown output format(s) {', '.join(unknown)}; choose among {', '.join(FORMATS)}."
        )
    out_dir = Path(out_dir)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".mammocalc-", dir=out_dir))
    except OSError as error:
        raise _unwritable(out_dir, error) from error
    moved: list[Path] = []
    try:
        staged = _write_staged(report, mammograms, staging, wanted, max_side_px)
        written: dict[str, Path] = {}
        for key, path in staged.items():
            if key.startswith("overlay:") and "overlay" not in wanted:
                continue  # made only to embed in the HTML report
            target = out_dir / path.name
            os.replace(path, target)
            moved.append(target)
            written[key] = target
        return written
    except BaseException as error:
        for target in moved:
            target.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _unwritable(out_dir, error) from error
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()


def _unwritable(out_dir: Path, error: OSError) -> ParameterError:
    reason = error.strerror or str(error)
    return ParameterError(
        f"Cannot write the report files to {out_dir}: {reason}; choose a writable output folder."
    )


def _write_staged(
    report: Report,
    mammograms: Sequence[Mammogram],
    staging: Path,
    wanted: set[str],
    max_side_px: int,
) -> dict[str, Path]:
    sources = [image.source for image in report.images]
    stems = image_stems(sources)
    exam = exam_stem(list(stems.values()), sources)
    staged: dict[str, Path] = {}
    if wanted & {"overlay", "html"}:
        by_source = {m.identifiers.source: m for m in mammograms}
        for image in report.images:
            if image.source not in by_source:
                raise ParameterError(
                    f"No mammogram was given for the report image {image.source}; pass the "
                    "Mammogram objects the report was computed from to draw its overlay."
                )
            stem = stems[image.source]
            if not stem.startswith(exam):  # keep exams in one folder apart
                stem = f"{exam}_{stem}"
            path = staging / f"{stem}.overlay.png"
            overlay_png(by_source[image.source], image, path, max_side_px=max_side_px)
            staged[f"overlay:{image.source}"] = path
    if "json" in wanted:
        staged["json"] = write_json(report, staging / f"{exam}.report.json")
    if "html" in wanted:
        overlays = {
            k.removeprefix("overlay:"): p for k, p in staged.items() if k.startswith("overlay:")
        }
        text = clinician_html(report, overlays)
        staged["html"] = write_bytes_atomic(text.encode("utf-8"), staging / f"{exam}.report.html")
    if "patient" in wanted:
        text = patient_letter(report)
        staged["patient"] = write_bytes_atomic(
            text.encode("utf-8"), staging / f"{exam}.patient.html"
        )
    return staged


def safe_stem(source: str) -> str:
    """A file-name-safe stem of an image source ('<array>' -> 'array')."""
    stem = PurePath(source.replace("\\", "/")).name
    stem = re.sub(r"(\.nii)?\.(gz|dcm|dicom|png|tiff?|pgm|npy)$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    return stem or "image"


def image_stems(sources: Sequence[str]) -> dict[str, str]:
    """Unique file stem per source; repeated stems get '-2', '-3', ..."""
    stems: dict[str, str] = {}
    used: set[str] = set()
    for source in sources:
        base = safe_stem(source)
        stem, n = base, 1
        while stem in used:
            n += 1
            stem = f"{base}-{n}"
        used.add(stem)
        stems[source] = stem
    return stems


def exam_stem(stems: Sequence[str], sources: Sequence[str] = ()) -> str:
    """A name for the exam's files.

    The single image's stem; else the stems' common prefix (3+ characters, separators trimmed);
    else the name of the folder all ``sources`` share; else 'exam'.
    """
    if len(stems) == 1:
        return stems[0]
    prefix = os.path.commonprefix(list(stems)).rstrip("._-")
    if len(prefix) >= 3:
        return prefix
    folders = {PurePath(source.replace("\\", "/")).parent.name for source in sources}
    if len(folders) == 1:
        folder = re.sub(r"[^A-Za-z0-9._-]+", "_", folders.pop()).strip("._-")
        if folder:
            return folder
    return "exam"
