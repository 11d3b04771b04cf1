"""The report's JSON Schema, generated from :class:`mammocalc.models.Report`.

Run ``python -m mammocalc.report.schema docs/report.schema.json`` (``make schema``) after changing
the models; a test fails while the committed file differs from the generated one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mammocalc.report._atomic import write_bytes_atomic
from mammocalc.report._schema import SCHEMA_ID, report_schema, schema_bytes

__all__ = ["SCHEMA_ID", "main", "report_schema", "schema_bytes"]


def main(argv: list[str] | None = None) -> int:
    """Write the schema to the one path given on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m mammocalc.report.schema OUTPUT.json", file=sys.stderr)
        return 2
    path = write_bytes_atomic(schema_bytes(), Path(args[0]))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
