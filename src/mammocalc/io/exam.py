"""Group images into exams, and read files exam by exam.

``group_exams`` takes either Mammograms already read (what a batch does after recording the files
that failed) or file paths (grouped from headers and names only, without decoding pixels):

- images with a Study Instance UID (0020,000D) are grouped by it;
- the others by folder and file-name stem prefix: the part of the stem before its laterality/view
  tokens (``0_L-CC.png`` and ``0_R-MLO.png`` -> exam ``0``; see ``names``);
- an image with neither (an array, ``scan.png``) is an exam of its own.

Order: exams in the order their first image was given; within an exam, right before left (unknown
last), then CC, MLO, ML, LM, XCCL, XCCM, SPOT, MAG, UNKNOWN, then by file name: the usual reading
order R-CC, R-MLO, L-CC, L-MLO.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, overload

import pydicom
from pydicom.errors import InvalidDicomError

from mammocalc.io.dicom_tags import laterality_from_header, view_from_header
from mammocalc.io.formats import Format, read_head, sniff
from mammocalc.io.names import parse_name
from mammocalc.io.reader import ARRAY_SOURCE, read
from mammocalc.models import Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import Laterality, View

_SIDE_ORDER = {Laterality.RIGHT: 0, Laterality.LEFT: 1, None: 2}
_VIEW_ORDER = {view: rank for rank, view in enumerate(View)}

_Item = TypeVar("_Item", Mammogram, Path)
_Order = tuple[int, int, str, int]  # laterality, view, file name, input position


@dataclass(frozen=True)
class _Facts:
    """What grouping needs to know about one image."""

    source: str
    study_uid: str | None
    laterality: Laterality | None
    view: View


@overload
def group_exams(items: Sequence[Mammogram]) -> list[list[Mammogram]]: ...
@overload
def group_exams(items: Sequence[str | Path]) -> list[list[Path]]: ...


def group_exams(
    items: Sequence[Mammogram] | Sequence[str | Path],
) -> list[list[Mammogram]] | list[list[Path]]:
    """Group Mammograms, or file paths, into exams (see the module notes).

    Parameters
    ----------
    items : sequence of Mammogram, or of str / Path
        Paths are grouped from their headers and names without decoding pixels; a missing or
        unreadable file is grouped by its name alone, and reading it reports the problem.

    Returns
    -------
    list of list of Mammogram, or of list of Path
        Exams in input order, each sorted R before L, then CC before MLO.
    """
    if all(isinstance(item, Mammogram) for item in items):
        mammograms = [item for item in items if isinstance(item, Mammogram)]
        return _group(mammograms, [_mammogram_facts(m) for m in mammograms])
    paths = [Path(item) for item in items if not isinstance(item, Mammogram)]
    if len(paths) != len(items):
        raise TypeError("group_exams takes Mammograms or paths, not a mixture of both")
    return _group(paths, [_file_facts(path) for path in paths])


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
        On the first file that cannot be read. To go on past bad files, read them one by one
        with :func:`~mammocalc.io.read` and group the Mammograms with :func:`group_exams`.
    """
    return group_exams([read(s, spacing_mm=spacing_mm, settings=settings) for s in sources])


def _group(items: Sequence[_Item], facts: Sequence[_Facts]) -> list[list[_Item]]:
    groups: dict[str, list[tuple[_Order, _Item]]] = {}
    for index, (item, fact) in enumerate(zip(items, facts, strict=True)):
        side, view = _SIDE_ORDER[fact.laterality], _VIEW_ORDER[fact.view]
        order: _Order = (side, view, Path(fact.source).name, index)
        groups.setdefault(_exam_key(fact, index), []).append((order, item))
    return [[item for _, item in sorted(group, key=lambda m: m[0])] for group in groups.values()]


def _exam_key(fact: _Facts, index: int) -> str:
    if fact.study_uid:
        return f"study:{fact.study_uid}"
    if fact.source != ARRAY_SOURCE:
        exam_key = parse_name(fact.source).exam_key
        if exam_key is not None:
            return f"name:{Path(fact.source).resolve().parent}/{exam_key}"
    return f"alone:{index}"


def _mammogram_facts(mammogram: Mammogram) -> _Facts:
    ids = mammogram.identifiers
    return _Facts(ids.source, ids.study_uid, mammogram.laterality, mammogram.view)


def _file_facts(path: Path) -> _Facts:
    """Facts from the DICOM header when there is one, else from the file name."""
    named = parse_name(path)
    by_name = _Facts(str(path), None, named.laterality, named.view)
    if not path.is_file() or sniff(read_head(path), path) is not Format.DICOM:
        return by_name
    try:
        with warnings.catch_warnings():  # read() reports header problems; grouping stays quiet
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, TypeError):
        return _Facts(str(path), None, None, View.UNKNOWN)  # alone: read() will say what is wrong
    view = view_from_header(ds)
    return _Facts(
        source=str(path),
        study_uid=str(ds.get("StudyInstanceUID", "") or "").strip() or None,
        laterality=laterality_from_header(ds) or named.laterality,
        view=view if view is not View.UNKNOWN else named.view,
    )
