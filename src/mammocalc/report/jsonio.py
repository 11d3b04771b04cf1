"""The JSON report: deterministic bytes, atomic writes, exact round trip.

Named ``jsonio`` so that it does not shadow the standard library's ``json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pydantic import ValidationError

from mammocalc.errors import InputError, ParameterError
from mammocalc.models import Report
from mammocalc.report._atomic import write_bytes_atomic


def report_bytes(report: Report) -> bytes:
    """Serialise ``report`` to compact UTF-8 JSON with sorted keys and a final newline.

    The same report always gives the same bytes (keys sorted, floats in Python's shortest
    round-tripping form), so reports can be hashed or compared; ``jq .`` indents them for
    reading. Compact because calcification outlines dominate: indenting triples the size.

    Raises
    ------
    ParameterError
        When the report holds a NaN or infinite number, which JSON cannot carry.
    """
    data = report.model_dump(mode="json")
    bad = _first_non_finite(data, "report")
    if bad is not None:
        raise ParameterError(
            f"The report cannot be written as JSON because {bad} is not a finite number; "
            "the stage that produced it should give a finite value or leave the field out."
        )
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


def write_json(report: Report, path: Path) -> Path:
    """Write ``report`` to ``path`` as JSON, atomically (temporary name, then rename).

    Parameters
    ----------
    report : Report
    path : Path
        Target file; its folder must exist.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> write_json(report, Path("out/report.json"))  # doctest: +SKIP
    """
    return write_bytes_atomic(report_bytes(report), Path(path))


def read_json(path: Path) -> Report:
    """Read a report written by :func:`write_json`; ``read_json(write_json(r, p)) == r``.

    Raises
    ------
    InputError
        When the file cannot be read, is not JSON, or does not match the report schema.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"Cannot read the report {path}: {error}.") from error
    try:
        return Report.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise InputError(
            f"{path} is not a valid mammocalc report ({error.error_count()} problem(s), first at "
            f"{where}: {first['msg']}); write it with mammocalc.report.write_json."
        ) from error


def _first_non_finite(value: object, where: str) -> str | None:
    """Path of the first NaN or infinite float inside nested dicts and lists, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)  # type: ignore[assignment]
    else:
        return None
    for key, item in items:
        found = _first_non_finite(item, f"{where}.{key}")
        if found is not None:
            return found
    return None
