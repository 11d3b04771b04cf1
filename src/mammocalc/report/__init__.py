"""Reports of an analysed exam: JSON (with its schema), overlay PNG, clinician HTML, patient
letter and terminal summary.

Everything here reads a :class:`~mammocalc.models.Report` and writes or prints it; nothing here
changes a finding. Files are written atomically (temporary name, then rename).
"""

from __future__ import annotations

from mammocalc.report._schema import report_schema
from mammocalc.report.html import clinician_html
from mammocalc.report.jsonio import read_json, write_json
from mammocalc.report.outputs import write_outputs
from mammocalc.report.overlay import overlay_png
from mammocalc.report.patient import patient_letter
from mammocalc.report.terminal import terminal_summary

__all__ = [
    "clinician_html",
    "overlay_png",
    "patient_letter",
    "read_json",
    "report_schema",
    "terminal_summary",
    "write_json",
    "write_outputs",
]
