"""Readers for raster files (PNG, TIFF, PGM, other Pillow formats), ``.npy`` files and arrays.

Each reader returns a :class:`RasterImage`: the grey values as stored plus the value range that maps
to [0, 1]. The range is the encoding's, not the image's, so two images of one detector stay
comparable:

- 8-bit data: 0-255. PGM: 0-maxval, as its header declares.
- 16-bit containers (PNG, TIFF, ``uint16`` arrays) often hold 10-, 12- or 14-bit detector data
  (the NYU sample PNGs hold 0-4095). The depth is inferred as the smallest of 10, 12, 14, 16 bits
  that holds the image's maximum, and a warning says so when it is less than 16.
- floats already in [0, 1] are kept; other floats and negative integers are scaled by the image's
  own minimum and maximum, with a warning.

Digitised film (``is_film``): a greyscale *file* stored with 8 bits (PGM, PNG, TIFF, ...). Public
film databases (mini-MIAS, DDSM conversions) ship 8-bit greyscale, while full-field digital
mammograms keep 10-16 bits; arrays and ``.npy`` files are never taken as film.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image, UnidentifiedImageError

from mammocalc.errors import InputError
from mammocalc.io._checks import brief, check_grey_shape, check_pixel_count, to_grey
from mammocalc.io.pgm import decode_pgm, read_pgm_header

_CONTAINER_DEPTHS = (10, 12, 14, 16)


@dataclass(frozen=True)
class RasterImage:
    """Grey values as stored and the range that maps them to [0, 1].

    Attributes
    ----------
    values : ndarray, shape (rows, cols)
        Greyscale values in the file's own units (any numeric dtype).
    low, high : float
        Encoding range: ``low`` maps to 0 and ``high`` to 1.
    is_film : bool
    warnings : tuple of str
    """

    values: np.ndarray
    low: float
    high: float
    is_film: bool = False
    warnings: tuple[str, ...] = ()


def from_array(array: np.ndarray, source: str, *, max_pixels: int) -> RasterImage:
    """Take a 2-D array (or an RGB(A) array, converted to grey) as an image.

    Parameters
    ----------
    array : ndarray, shape (rows, cols) or (rows, cols, 3 | 4)
        Any numeric or boolean dtype; brighter must mean denser.
    source : str
        Name used in messages.
    max_pixels : int
        Larger arrays are refused.
    """
    array = np.asarray(array)
    if array.ndim >= 2:
        check_pixel_count(array.shape[0], array.shape[1], max_pixels, source)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise InputError(f"{source}: array dtype {array.dtype} is not numeric; pass grey levels.")
    if np.iscomplexobj(array):
        raise InputError(f"{source}: array dtype {array.dtype} is complex; pass real grey levels.")
    grey, notes = to_grey(array, source)
    check_grey_shape(grey, source)
    return _with_range(grey, source, notes, is_film=False)


def read_npy(path: Path, source: str, *, max_pixels: int) -> RasterImage:
    """Read a NumPy ``.npy`` file (no pickles) as :func:`from_array` would take the array."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise InputError(f"{source}: not a readable .npy array ({brief(error)}).") from error
    if mapped.ndim >= 2:
        check_pixel_count(mapped.shape[0], mapped.shape[1], max_pixels, source)
    return from_array(np.array(mapped), source, max_pixels=max_pixels)


def read_pgm(path: Path, source: str, *, max_pixels: int) -> RasterImage:
    """Read a PGM P2 or P5 file (8 or 16 bit) with the project's own parser."""
    data = path.read_bytes()
    header = read_pgm_header(data, source)
    check_pixel_count(header.rows, header.cols, max_pixels, source)
    values = decode_pgm(data, header, source)
    return RasterImage(values, 0.0, float(header.maxval), is_film=header.maxval < 256)


def read_tiff(path: Path, source: str, *, max_pixels: int) -> RasterImage:
    """Read the first page of a TIFF file with tifffile."""
    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages.first
            shape = page.shape
            if len(shape) >= 2:
                check_pixel_count(shape[0], shape[1], max_pixels, source)
            array = page.asarray()
    except (tifffile.TiffFileError, ValueError, OSError, IndexError) as error:
        raise InputError(
            f"{source}: the TIFF file is corrupt or truncated ({brief(error)})."
        ) from error
    grey, notes = to_grey(np.squeeze(array) if array.ndim > 3 else array, source)
    check_grey_shape(grey, source)
    film = grey.dtype == np.uint8 and not notes and array.ndim == 2
    return _with_range(grey, source, notes, is_film=film)


def read_pillow(path: Path, source: str, *, max_pixels: int) -> RasterImage:
    """Read PNG (8/16 bit) and other formats Pillow knows, checking the size before decoding."""
    try:
        with warnings.catch_warnings():
            # our own max_pixels is the limit; Pillow's softer warning would only be noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                cols, rows = image.size
                check_pixel_count(rows, cols, max_pixels, source)
                image.load()
                array = _pillow_to_array(image)
    except Image.DecompressionBombError as error:
        raise InputError(
            f"{source}: the image is too large to decode safely (Pillow: {brief(error)})."
        ) from error
    except UnidentifiedImageError as error:
        raise InputError(
            f"{source}: not a readable image (expected DICOM, PNG, TIFF, PGM or .npy)."
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise InputError(
            f"{source}: the image file is corrupt or truncated ({brief(error)})."
        ) from error
    grey, notes = to_grey(array, source)
    film = array.ndim == 2 and array.dtype == np.uint8
    return _with_range(grey, source, notes, is_film=film)


def _pillow_to_array(image: Image.Image) -> np.ndarray:
    if image.mode in ("P", "PA", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGB")
    elif image.mode == "1":
        image = image.convert("L")
    return np.asarray(image)


def _with_range(grey: np.ndarray, source: str, notes: list[str], *, is_film: bool) -> RasterImage:
    """Attach the encoding range to grey values (see the module notes)."""
    if grey.dtype == np.bool_:
        return RasterImage(grey.astype(np.uint8), 0.0, 1.0, is_film, tuple(notes))
    if grey.dtype == np.uint8:
        return RasterImage(grey, 0.0, 255.0, is_film, tuple(notes))
    if np.issubdtype(grey.dtype, np.integer) and grey.size and grey.min() >= 0:
        container_bits = 8 * grey.dtype.itemsize
        peak = int(grey.max())
        bits = next((b for b in _CONTAINER_DEPTHS if peak < 2**b), None)
        if bits is None:  # wider than 16 bits: no standard detector depth to scale by
            notes.append(f"{source}: values span 0 to {peak}; scaled by the image's range.")
            return RasterImage(grey, float(grey.min()), float(peak), is_film, tuple(notes))
        if bits < container_bits and container_bits == 16:
            notes.append(
                f"{source}: 16-bit image with values up to {peak}; scaled as {bits}-bit data "
                f"(0-{2**bits - 1})."
            )
        return RasterImage(grey, 0.0, float(2**bits - 1), is_film, tuple(notes))
    if np.issubdtype(grey.dtype, np.floating) and grey.size and np.isfinite(grey).all():
        low, high = float(grey.min()), float(grey.max())
        if low >= 0.0 and high <= 1.0:
            return RasterImage(grey, 0.0, 1.0, is_film, tuple(notes))
        notes.append(f"{source}: values span {low:g} to {high:g}; scaled by the image's range.")
        return RasterImage(grey, low, high, is_film, tuple(notes))
    if grey.size and np.issubdtype(grey.dtype, np.integer):
        low, high = float(grey.min()), float(grey.max())
        notes.append(f"{source}: values span {low:g} to {high:g}; scaled by the image's range.")
        return RasterImage(grey, low, high, is_film, tuple(notes))
    return RasterImage(grey, 0.0, 1.0, is_film, tuple(notes))
