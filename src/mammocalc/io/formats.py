"""Which reader a file needs, from its first bytes (its name only as a last resort).

Order: a Part 10 DICOM preamble (``DICM`` at byte 128) wins, since a DICOM preamble may itself
look like a TIFF header; then the PNG, TIFF, PGM and NumPy signatures; then a ``.dcm``-like or
missing suffix means DICOM without a preamble; anything else goes to Pillow.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

HEAD_BYTES = 132
DICOM_SUFFIXES = (".dcm", ".dicom", ".dic", "")


class Format(StrEnum):
    """The readers of ``mammocalc.io``."""

    DICOM = "DICOM"
    NPY = "NumPy .npy"
    PGM = "PGM"
    TIFF = "TIFF"
    PILLOW = "Pillow (PNG, JPEG, BMP, ...)"


_SIGNATURES = (
    (b"\x93NUMPY", Format.NPY),
    (b"II*\x00", Format.TIFF),
    (b"MM\x00*", Format.TIFF),
    (b"II+\x00", Format.TIFF),
    (b"MM\x00+", Format.TIFF),
    (b"\x89PNG\r\n\x1a\n", Format.PILLOW),
)


def sniff(head: bytes, path: Path) -> Format:
    """The format of a file whose first ``HEAD_BYTES`` bytes are ``head``."""
    if head[128:132] == b"DICM":
        return Format.DICOM
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:2] in (b"P2", b"P5") and head[2:3].isspace():
        return Format.PGM
    if path.suffix.lower() in DICOM_SUFFIXES:
        return Format.DICOM
    return Format.PILLOW


def read_head(path: Path) -> bytes:
    """The first ``HEAD_BYTES`` bytes of a file (fewer if it is shorter)."""
    with path.open("rb") as stream:
        return stream.read(HEAD_BYTES)
