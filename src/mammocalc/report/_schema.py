"""The report's JSON Schema, generated from :class:`mammocalc.models.Report` (see ``schema``)."""

from __future__ import annotations

import json

from mammocalc.models import SCHEMA_VERSION, Report

SCHEMA_ID = f"urn:mammocalc:report-schema:{SCHEMA_VERSION}"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def report_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a report, with ``$id`` and ``version`` added.

    ``version`` equals ``Report.schema_version``'s default, so a report names the schema it
    follows.
    """
    schema: dict[str, object] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "version": SCHEMA_VERSION,
    }
    schema.update(Report.model_json_schema())
    return schema


def schema_bytes() -> bytes:
    """:func:`report_schema` as the exact bytes committed in ``docs/report.schema.json``."""
    text = json.dumps(report_schema(), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
