"""Reading mammograms: DICOM, PNG, TIFF, PGM, ``.npy`` and arrays, one image or whole exams.

Public API::

    read(source, *, spacing_mm=None, settings=None, laterality=None, view=None) -> Mammogram
    read_exams(sources, *, spacing_mm=None, settings=None) -> list[list[Mammogram]]
    group_exams(sources) -> list[list[Path]]      # grouping from headers and names only
    parse_name(path) -> NameInfo                  # laterality and view from a file name

Every problem with an input raises :class:`mammocalc.errors.InputError` with one sentence that
names the file. Modules: ``reader`` (format dispatch and metadata precedence), ``dicom``,
``dicom_tags`` and ``dicom_pixels`` (DICOM), ``raster`` and ``pgm`` (other files), ``names``,
``exam`` (grouping).
"""

from __future__ import annotations

from mammocalc.io.exam import group_exams, read_exams
from mammocalc.io.names import NameInfo, parse_name
from mammocalc.io.reader import read

__all__ = ["NameInfo", "group_exams", "parse_name", "read", "read_exams"]
