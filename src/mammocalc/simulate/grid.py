"""Grid helpers: bilinear upsampling from the coarse anatomy grid, cheap low-pass, 3-tap blur.

A coarse grid of ``factor`` x the image spacing has its pixel j centred on image pixel
(j + 0.5) * factor - 0.5; every function here keeps that alignment.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi


def _interpolation(
    n_fine: int, n_coarse: int, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.clip((np.arange(n_fine) + 0.5) / factor - 0.5, 0.0, n_coarse - 1)
    i0 = np.floor(x).astype(np.intp)
    return i0, np.minimum(i0 + 1, n_coarse - 1), (x - i0).astype(np.float32)


def upsample(coarse: np.ndarray, shape: tuple[int, int], factor: float) -> np.ndarray:
    """Bilinear upsampling of a coarse map to ``shape`` (float32, C-contiguous).

    Rows are interpolated by gathering (the coarse map is small); columns, for an integer
    ``factor``, phase by phase from shifted slices, which avoids a full-size gather.
    """
    r0, r1, wr = _interpolation(shape[0], coarse.shape[0], factor)
    coarse = coarse.astype(np.float32, copy=False)
    narrow = coarse[r0] * (1 - wr)[:, None] + coarse[r1] * wr[:, None]
    k = int(round(factor))
    if k != factor or k * coarse.shape[1] < shape[1]:
        c0, c1, wc = _interpolation(shape[1], coarse.shape[1], factor)
        out = narrow[:, c0]
        out *= 1 - wc
        out += narrow[:, c1] * wc
        return out
    n = coarse.shape[1]
    padded = np.pad(narrow, ((0, 0), (1, 1)), mode="edge")
    out3 = np.empty((shape[0], n, k), np.float32)
    for q in range(k):
        offset = (q + 0.5) / k - 0.5  # position of phase q relative to coarse centre j
        start = 0 if offset < 0 else 1
        w = np.float32(offset + 1.0 if offset < 0 else offset)
        a, b = padded[:, start : start + n], padded[:, start + 1 : start + 1 + n]
        np.subtract(b, a, out=out3[:, :, q])
        out3[:, :, q] *= w
        out3[:, :, q] += a
    out = out3.reshape(shape[0], n * k)
    return out if out.shape[1] == shape[1] else np.ascontiguousarray(out[:, : shape[1]])


def low_pass(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian low-pass (float32); broad kernels run on a decimated grid (smooth output)."""
    step = max(1, int(sigma_px // 3))
    small = ndi.gaussian_filter(
        image[::step, ::step].astype(np.float32), sigma_px / step, mode="nearest"
    )
    return upsample(small, image.shape, step) if step > 1 else small


def three_tap(image: np.ndarray, w: float, axis: int) -> np.ndarray:
    """The filter [w, 1 - 2w, w] along ``axis`` (edge pixels keep their own weight)."""
    out = image * np.float32(1 - 2 * w)
    if axis == 0:
        out[1:] += np.float32(w) * image[:-1]
        out[:-1] += np.float32(w) * image[1:]
    else:
        out[:, 1:] += np.float32(w) * image[:, :-1]
        out[:, :-1] += np.float32(w) * image[:, 1:]
    return out
