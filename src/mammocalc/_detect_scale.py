"""Scale space and signal-dependent noise for the calcification detector (private to ``detect``).

A difference-of-Gaussians (DoG) pyramid: each octave of blob sizes is filtered at the coarsest
resolution that still samples it (the image is binned 2 x 2 per level), so a 70 um full-field image
costs about three full-resolution Gaussian passes. The noise of every DoG band is measured as a
function of the local mean signal (quantum noise grows with the signal; film grain with density), so
a band response is judged against the noise expected where it lies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

_SCALE_RATIO = 2.0  # sigma ratio between the two Gaussians of a DoG band
_TRUNCATE = 3.0  # Gaussian kernels cut at 3 sigma (speed; the tail changes the band by < 1 %)
_N_NOISE_BINS = 16
_NOISE_SAMPLES = 120_000
_BLOB_SIGMA_PER_DIAMETER = 1.0 / (2.0 * np.sqrt(2.0))  # DoG sigma matched to a disc of diameter d


@dataclass(frozen=True)
class Band:
    """One DoG band on one pyramid level.

    Attributes
    ----------
    level : int
        Pyramid level; pixels are ``2**level`` original pixels wide.
    sigma_px : float
        Inner Gaussian sigma in level pixels (outer is ``_SCALE_RATIO`` times larger).
    response : ndarray, shape (rows_l, cols_l), float32
        DoG response ``G(sigma) - G(2 sigma)`` in pixel-value units.
    noise_mean : ndarray, shape (n_bins,)
        Local mean values (the background) at which the noise was measured.
    noise_std : ndarray, shape (n_bins,)
        Robust standard deviation of ``response`` at those means.
    """

    level: int
    sigma_px: float
    response: np.ndarray
    noise_mean: np.ndarray
    noise_std: np.ndarray

    def noise_at(self, mean: np.ndarray) -> np.ndarray:
        """Band noise standard deviation at local mean values ``mean`` (any shape)."""
        return np.interp(mean, self.noise_mean, self.noise_std).astype(np.float32)


def bin2(image: np.ndarray) -> np.ndarray:
    """Average 2 x 2 blocks (odd last row/column dropped). Shape (r, c) -> (r // 2, c // 2)."""
    rows, cols = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    view = image[:rows, :cols]
    return (
        0.25 * (view[0::2, 0::2] + view[1::2, 0::2] + view[0::2, 1::2] + view[1::2, 1::2])
    ).astype(np.float32)


def band_sigmas_mm(
    min_diameter_mm: float, max_diameter_mm: float, spacing_mm: float
) -> list[float]:
    """Inner DoG sigmas (mm) covering blob diameters ``min_diameter_mm`` to ``max_diameter_mm``.

    The smallest sigma is at least half a pixel: finer bands would only see noise.
    """
    sigma = max(min_diameter_mm * _BLOB_SIGMA_PER_DIAMETER, 0.5 * spacing_mm)
    top = max(max_diameter_mm * _BLOB_SIGMA_PER_DIAMETER, sigma)
    sigmas = [sigma]
    while sigmas[-1] * _SCALE_RATIO <= top * 1.001:
        sigmas.append(sigmas[-1] * _SCALE_RATIO)
    return sigmas


BackgroundAt = Callable[[np.ndarray, np.ndarray], np.ndarray]


def build_bands(
    image: np.ndarray,
    background_at: BackgroundAt,
    sample_mask: np.ndarray,
    spacing_mm: float,
    sigmas_mm: list[float],
    *,
    seed: int = 0,
) -> tuple[list[Band], np.ndarray]:
    """Filter ``image`` into DoG bands; a band of sigma >= 2 px runs on a 2 x 2 binned level.

    Parameters
    ----------
    image : ndarray, shape (rows, cols), float32
        The (cropped) mammogram, brighter = denser.
    background_at : callable
        ``background_at(rows, cols)`` gives the local mean signal (the noise model's variable) at
        float pixel positions of ``image``.
    sample_mask : ndarray of bool, shape (rows, cols)
        Pixels whose statistics define the noise (inside the breast).
    spacing_mm : float
        Pixel spacing of ``image``.
    sigmas_mm : list of float
        Inner sigmas of the bands, each twice the previous (see :func:`band_sigmas_mm`).

    Returns
    -------
    bands : list of Band, in the order of ``sigmas_mm``.
    fine : ndarray, shape (rows, cols), float32
        ``image`` smoothed by the first band's inner Gaussian (at least 0.5 px), for outlining.
    """
    rng = np.random.default_rng(seed)
    by_level: dict[int, list[float]] = {}
    for sigma_mm in sigmas_mm:
        sigma_px = sigma_mm / spacing_mm
        level = max(0, int(np.floor(np.log2(max(sigma_px, 1e-9)))))
        by_level.setdefault(level, []).append(sigma_px / 2**level)
    bands: list[Band] = []
    fine: np.ndarray | None = None
    level_image, level_mask = image, sample_mask
    for level in range(max(by_level) + 1):
        if level > 0:
            level_image = bin2(level_image)
            level_mask = bin2(level_mask.astype(np.float32)) > 0.99
            if min(level_image.shape) < 8:
                break
        if level not in by_level:
            continue
        sample = _sample_indices(level_mask, rng)
        rows, cols = np.unravel_index(sample, level_mask.shape)
        half = (2**level - 1) / 2.0
        sample_bg = background_at(rows * 2.0**level + half, cols * 2.0**level + half)
        level_bands, smooth0 = _bands_on_level(
            level_image, sample_bg, sample, level, by_level[level]
        )
        bands += level_bands
        if level == 0:
            fine = smooth0
    if fine is None:
        fine = ndi.gaussian_filter(image, 0.5, truncate=_TRUNCATE)
    return bands, fine


def _bands_on_level(
    image: np.ndarray, sample_bg: np.ndarray, sample: np.ndarray, level: int, sigmas_px: list[float]
) -> tuple[list[Band], np.ndarray]:
    smooth = [ndi.gaussian_filter(image, sigmas_px[0], truncate=_TRUNCATE)]
    for previous, sigma in zip(
        sigmas_px, sigmas_px[1:] + [sigmas_px[-1] * _SCALE_RATIO], strict=True
    ):
        # G(sigma) = G(sqrt(sigma^2 - previous^2)) applied to G(previous): smaller kernels
        extra = float(np.sqrt(sigma**2 - previous**2))
        smooth.append(ndi.gaussian_filter(smooth[-1], extra, truncate=_TRUNCATE))
    bands = []
    for i, sigma in enumerate(sigmas_px):
        response = smooth[i] - smooth[i + 1]
        mean, std = _noise_curve(response.ravel()[sample], sample_bg)
        bands.append(Band(level, sigma, response, mean, std))
    return bands, smooth[0]


def _sample_indices(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    flat = np.flatnonzero(mask)
    if flat.size == 0:
        flat = np.arange(mask.size)
    if flat.size > _NOISE_SAMPLES:
        flat = rng.choice(flat, _NOISE_SAMPLES, replace=False)
    return flat


def _noise_curve(response: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust std (1.4826 MAD) of ``response`` in quantile bins of ``mean``; monotone-smoothed."""
    edges = np.unique(np.quantile(mean, np.linspace(0, 1, _N_NOISE_BINS + 1)))
    if edges.size < 2:
        std = 1.4826 * np.median(np.abs(response - np.median(response)))
        return np.array([float(mean.min()) if mean.size else 0.0]), np.array([max(std, 1e-6)])
    which = np.clip(np.searchsorted(edges, mean, side="right") - 1, 0, edges.size - 2)
    centres, stds = [], []
    for b in range(edges.size - 1):
        values = response[which == b]
        if values.size < 50:
            continue
        stds.append(1.4826 * np.median(np.abs(values - np.median(values))))
        centres.append(float(np.median(mean[which == b])))
    if not stds:
        stds, centres = [1.4826 * float(np.median(np.abs(response)))], [float(np.median(mean))]
    floor = max(1e-6, 0.25 * float(np.median(stds)))
    return np.asarray(centres, dtype=np.float64), np.maximum(np.asarray(stds), floor)
