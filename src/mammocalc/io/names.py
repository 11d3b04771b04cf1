"""Laterality and view from a file name, for files whose headers do not carry them.

A stem is cut into tokens at every non-alphanumeric character and at every letter/digit boundary
(``0_L-CC`` -> ``0, L, CC``; ``RMLO2`` -> ``RMLO, 2``). A token is read as:

- laterality: ``L``, ``R``, ``LEFT``, ``RIGHT``;
- view: ``CC``, ``MLO``, ``ML``, ``LM``, ``XCCL``, ``XCCM``;
- both: a laterality glued to a view, ``LCC``, ``RMLO``, ``LEFTCC``, ``RIGHTMLO``.

Matching is case-insensitive and needs a whole token, so ``calcium`` or ``mlops`` match nothing.
The part of the stem before the first matched token is the exam key used by ``read_exams``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mammocalc.vocabulary import Laterality, View

_SIDES = {
    "L": Laterality.LEFT,
    "LEFT": Laterality.LEFT,
    "R": Laterality.RIGHT,
    "RIGHT": Laterality.RIGHT,
}
_VIEWS = {v.value: v for v in (View.CC, View.MLO, View.ML, View.LM, View.XCCL, View.XCCM)}
_GLUED = re.compile(r"^(LEFT|RIGHT|L|R)(XCCL|XCCM|MLO|CC|ML|LM)$")
_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+")


@dataclass(frozen=True)
class NameInfo:
    """What a file name says: laterality, view, and the exam key (stem before those tokens)."""

    laterality: Laterality | None
    view: View
    exam_key: str | None


def parse_name(path: str | Path) -> NameInfo:
    """Read laterality and view from a file name such as ``0_L-CC.png`` or ``RMLO.dcm``.

    Returns
    -------
    NameInfo
        ``exam_key`` is the stem before the first laterality or view token, stripped of
        separators (``"0"`` for ``0_L-CC.png``), or None when the name says neither.

    Examples
    --------
    >>> info = parse_name("0_L-CC.png")
    >>> (info.laterality, info.view, info.exam_key)
    (<Laterality.LEFT: 'L'>, <View.CC: 'CC'>, '0')
    """
    stem = Path(path).stem
    laterality: Laterality | None = None
    view = View.UNKNOWN
    first_start: int | None = None
    for match in _TOKEN.finditer(stem):
        token = match.group().upper()
        side_view = _read_token(token)
        if side_view is None:
            continue
        side, token_view = side_view
        laterality = laterality or side
        view = token_view if view is View.UNKNOWN else view
        if first_start is None:
            first_start = match.start()
    if first_start is None:
        return NameInfo(None, View.UNKNOWN, None)
    exam_key = stem[:first_start].strip(" _-.")
    return NameInfo(laterality, view, exam_key)


def _read_token(token: str) -> tuple[Laterality | None, View] | None:
    if token in _SIDES:
        return _SIDES[token], View.UNKNOWN
    if token in _VIEWS:
        return None, _VIEWS[token]
    glued = _GLUED.match(token)
    if glued:
        return _SIDES[glued.group(1)], _VIEWS[glued.group(2)]
    return None
