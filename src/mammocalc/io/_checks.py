"""Checks and conversions shared by every reader: size guard, content checks, scaling to [0, 1].

Each failure raises :class:`~mammocalc.errors.InputError` with one sentence that names the source.
"""

from __future__ import annotations

import numpy as np

from mammocalc.errors import InputError

# ITU-R BT.601 luma weights, the usual grey conversion of an RGB picture.
_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def check_pixel_count(rows: int, cols: int, max_pixels: int, source: str) -> None:
    """Refuse an image before decoding when its header announces more than ``max_pixels``.

    Raises
    ------
    InputError
        When ``rows * cols`` exceeds ``max_pixels`` (a decompression-bomb guard) or is zero.
    """
    n_pixels = int(rows) * int(cols)
    if n_pixels > max_pixels:
        raise InputError(
            f"{source}: the image has {rows} x {cols} = {n_pixels:,} pixels, more than the "
            f"limit of {max_pixels:,}; raise it (--max-pixels or MAMMOCALC_MAX_PIXELS) "
            "if the file is trusted."
        )
    if n_pixels == 0:
        raise InputError(
            f"{source}: the image is empty ({rows} x {cols} pixels); no breast to analyse."
        )


def check_content(values: np.ndarray, source: str) -> None:
    """Refuse an empty or constant image, quoting its value in the file's own units.

    Parameters
    ----------
    values : ndarray, shape (rows, cols)
        The image as stored (any numeric dtype), before scaling.
    """
    if values.size == 0:
        rows, cols = (values.shape + (0, 0))[:2]
        raise InputError(
            f"{source}: the image is empty ({rows} x {cols} pixels); no breast to analyse."
        )
    if not np.isfinite(values).all():
        raise InputError(
            f"{source}: the image holds NaN or infinite values; pass finite intensities."
        )
    low, high = values.min(), values.max()
    if low == high:
        raise InputError(
            f"{source}: the image is constant (all pixels {_format_value(low)}); "
            "no breast to analyse."
        )


def brief(error: BaseException, limit: int = 160) -> str:
    """A third-party error as a short one-line clause for our own messages."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_value(value: object) -> str:
    if isinstance(value, np.integer | int | np.bool_):
        return str(int(value))
    return f"{float(value):g}"  # type: ignore[arg-type]


def to_grey(values: np.ndarray, source: str) -> tuple[np.ndarray, list[str]]:
    """Convert a colour image (rows, cols, 3 or 4) to grey; warn when the colours differ.

    A picture whose three channels are equal is a grey image saved as RGB: its first channel is
    returned without a warning. An alpha channel is dropped.

    Returns
    -------
    grey : ndarray, shape (rows, cols)
        Of the input's dtype (integer luma values are rounded).
    warnings : list of str
    """
    if values.ndim == 2:
        return values, []
    if values.ndim != 3 or values.shape[2] not in (1, 2, 3, 4):
        raise InputError(
            f"{source}: the image has shape {values.shape}; expected a 2-D greyscale image."
        )
    if values.shape[2] in (1, 2):  # grey, or grey + alpha
        return values[:, :, 0], []
    rgb = values[:, :, :3]
    if np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 0], rgb[:, :, 2]):
        return rgb[:, :, 0], []
    grey = rgb.astype(np.float64) @ _LUMA_WEIGHTS
    if np.issubdtype(values.dtype, np.integer):  # keep the dtype, and so the encoding's range
        grey = np.rint(grey).astype(values.dtype)
    return grey, [f"{source}: colour image converted to greyscale (ITU-R BT.601 luma)."]


def check_grey_shape(values: np.ndarray, source: str) -> None:
    """Refuse arrays that are not 2-D after colour conversion (volumes, vectors)."""
    if values.ndim != 2:
        raise InputError(
            f"{source}: the image has shape {values.shape}; expected a 2-D greyscale image."
        )


def scale_to_unit(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map ``[low, high]`` linearly onto ``[0, 1]`` as float32, clipping outside values.

    Parameters
    ----------
    values : ndarray, shape (rows, cols)
    low, high : float
        The value range of the encoding (not of this image), with ``high > low``.
    """
    scaled = values.astype(np.float32)  # float32 holds 16-bit values exactly, at half the memory
    scaled -= np.float32(low)
    scaled *= np.float32(1.0 / (high - low))
    return np.clip(scaled, 0.0, 1.0, out=scaled)
