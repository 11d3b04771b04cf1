"""Group files into exams, and read them exam by exam.

Grouping (``group_exams``), from headers and names only, so that a bad file costs one image:

- DICOM files by Study Instance UID (0020,000D); a DICOM without one is an exam of its own.
- Other files by folder and file-name stem prefix: the part of the stem before its laterality/view
  tokens (``0_L-CC.png`` and ``0_R-MLO.png`` -> exam ``0``; see ``names``). Files whose names carry
  no laterality or view are each an exam of their own.

Order: exams in the order their first file was given; within an exam, right before left (unknown
last), then CC, MLO, ML, LM, XCCL, XCCM, SPOT, MAG, UNKNOWN, then by file name. This is the usual
reading order R-CC, R-MLO, L-CC, L-MLO.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from mammocalc.io.dicom_tags import laterality_from_header, view_from_header
from mammocalc.io.formats import Format, read_head, sniff
from mammocalc.io.names import parse_name
from mammocalc.io.reader import read
from mammocalc.models import Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import Laterality, View

_SIDE_ORDER = {Laterality.RIGHT: 0, Laterality.LEFT: 1, None: 2}
_VIEW_ORDER = {view: rank for rank, view in enumerate(View)}

_SortKey = tuple[int, int, str]


def group_exams(sources: Sequence[str | Path]) -> list[list[Path]]:
    """Group file paths into exams without decoding any pixels (see the module notes).

    Unreadable or missing files are kept, each as an exam of its own, so that reading them
    reports the problem for that file alone.

    Returns
    -------
    list of list of Path
        Exams in input order, each sorted R before L, then CC before MLO.
    """
    groups: dict[tuple[str, str], list[tuple[_SortKey, Path]]] = {}
    for index, source in enumerate(sources):
        path = Path(source)
        key, sort_key = _exam_key(path, index)
        groups.setdefault(key, []).append((sort_key, path))
    return [[path for _, path in sorted(members)] for members in groups.values()]


def read_exams(
    sources: Sequence[str | Path],
    *,
    spacing_mm: float | None = None,
    settings: Settings | None = None,
) -> list[list[Mammogram]]:
    """Read files and group them into exams (see the module notes for grouping and order).

    Parameters
    ----------
    sources : sequence of str or Path
    spacing_mm : float, optional
        Pixel spacing for files that do not carry one (and override for those that do).
    settings : Settings, optional

    Returns
    -------
    list of list of Mammogram

    Raises
    ------
    InputError
        On the first file that cannot be read. To go on past bad files, read the paths of
        :func:`group_exams` one by one with :func:`~mammocalc.io.read`.
    """
    return [
        [read(path, spacing_mm=spacing_mm, settings=settings) for path in exam]
        for exam in group_exams(sources)
    ]


def _exam_key(path: Path, index: int) -> tuple[tuple[str, str], _SortKey]:
    """(group key, order within the group) for one file."""
    alone = ("alone", f"{index}:{path}")
    if not path.is_file():
        return alone, (2, len(View), path.name)
    if sniff(read_head(path), path) is Format.DICOM:
        return _dicom_key(path, alone)
    named = parse_name(path)
    sort_key = (_SIDE_ORDER[named.laterality], _VIEW_ORDER[named.view], path.name)
    if named.exam_key is None:
        return alone, sort_key
    return ("name", f"{path.resolve().parent}/{named.exam_key}"), sort_key


def _dicom_key(path: Path, alone: tuple[str, str]) -> tuple[tuple[str, str], _SortKey]:
    try:
        with warnings.catch_warnings():  # read() reports header problems; grouping stays quiet
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, TypeError):
        return alone, (2, len(View), path.name)  # read() will say what is wrong
    side = laterality_from_header(ds) or parse_name(path).laterality
    view = view_from_header(ds)
    if view is View.UNKNOWN:
        view = parse_name(path).view
    sort_key = (_SIDE_ORDER[side], _VIEW_ORDER[view], path.name)
    study = str(ds.get("StudyInstanceUID", "") or "").strip()
    return (("study", study) if study else alone), sort_key
