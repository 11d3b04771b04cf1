"""A small reader for Netpbm greyscale images: PGM P2 (plain text) and P5 (binary), 8 and 16 bit.

Pillow reads P5 but not every P2 variant, so both are parsed here from the Netpbm specification
(netpbm.sourceforge.net/doc/pgm.html): magic, width, height, maxval, separated by whitespace, with
``#`` comments; P5 samples are 1 byte when maxval < 256, else 2 bytes big-endian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammocalc.errors import InputError

_WHITESPACE = b" \t\r\n\v\f"


@dataclass(frozen=True)
class PgmHeader:
    """The four header fields of a PGM file and where its raster starts (bytes)."""

    magic: bytes
    cols: int
    rows: int
    maxval: int
    data_offset: int


def read_pgm_header(data: bytes, source: str) -> PgmHeader:
    """Parse a PGM header (``P2`` or ``P5``) without touching the raster.

    Raises
    ------
    InputError
        When the header is malformed or maxval is outside 1..65535.
    """
    magic = data[:2]
    if magic not in (b"P2", b"P5"):
        raise InputError(f"{source}: not a PGM file (magic {magic!r}, expected P2 or P5).")
    fields: list[int] = []
    pos = 2
    while len(fields) < 3:
        pos = _skip_space_and_comments(data, pos)
        end = pos
        while end < len(data) and data[end : end + 1].isdigit():
            end += 1
        if end == pos:
            raise InputError(f"{source}: the PGM header is malformed or truncated.")
        fields.append(int(data[pos:end]))
        pos = end
    cols, rows, maxval = fields
    if not 0 < maxval < 65536:
        raise InputError(f"{source}: PGM maxval {maxval} is outside 1..65535.")
    # exactly one whitespace character separates maxval from a binary raster
    return PgmHeader(magic, cols, rows, maxval, pos + 1)


def _skip_space_and_comments(data: bytes, pos: int) -> int:
    while pos < len(data):
        char = data[pos : pos + 1]
        if char == b"#":
            newline = data.find(b"\n", pos)
            pos = len(data) if newline < 0 else newline + 1
        elif char in _WHITESPACE:
            pos += 1
        else:
            break
    return pos


def decode_pgm(data: bytes, header: PgmHeader, source: str) -> np.ndarray:
    """Decode the raster of a PGM file whose header was read by :func:`read_pgm_header`.

    Returns
    -------
    ndarray, shape (rows, cols), uint8 (maxval < 256) or uint16
    """
    dtype = np.uint8 if header.maxval < 256 else np.uint16
    n_pixels = header.rows * header.cols
    if header.magic == b"P5":
        item_bytes = 1 if dtype == np.uint8 else 2
        raster = data[header.data_offset : header.data_offset + n_pixels * item_bytes]
        if len(raster) < n_pixels * item_bytes:
            raise InputError(
                f"{source}: the PGM file is truncated ({len(raster)} of "
                f"{n_pixels * item_bytes} raster bytes)."
            )
        values = np.frombuffer(raster, dtype=">u2" if item_bytes == 2 else np.uint8)
    else:
        text = b"\n".join(
            line.split(b"#")[0] for line in data[header.data_offset - 1 :].splitlines()
        )
        tokens = text.split()
        if len(tokens) < n_pixels:
            raise InputError(
                f"{source}: the PGM file is truncated ({len(tokens)} of {n_pixels} samples)."
            )
        try:
            values = np.array(tokens[:n_pixels], dtype=np.int64)
        except ValueError as error:
            raise InputError(f"{source}: the PGM raster holds a non-numeric sample.") from error
    if values.max(initial=0) > header.maxval:
        raise InputError(f"{source}: a PGM sample exceeds the declared maxval {header.maxval}.")
    return values.astype(dtype).reshape(header.rows, header.cols)
