"""The imaging chain: attenuation, scatter, exposure, quantum and electronic noise, blur, display.

A monoenergetic approximation at 20 keV, the mean energy of a 28-30 kVp W/Rh spectrum (reference
section 7). Linear attenuation coefficients (1/cm) at 20 keV:

=================  =======  ==========================================================
adipose            0.456    Johns & Yaffe 1987, Phys Med Biol 32:675
fibroglandular     0.802    Johns & Yaffe 1987
skin               0.80     taken equal to glandular tissue (Hammerstein et al. 1979)
muscle, blood      0.85     close to water (0.81) at this energy
calcification      13.0     hydroxyapatite, mu/rho ~ 7.2 cm^2/g (NIST XCOM by the mixture
                            rule, approx.) at an effective density of 1.8 g/cm^3 (reference
                            section 7: 1.5-2.0 g/cm^3)
=================  =======  ==========================================================

Scatter-to-primary ratio with an antiscatter grid ~ 0.1 + 0.005 * thickness_mm (0.35 at 50 mm,
in the range Boone et al. 2000 report). The exposure is set as an automatic exposure control
would: the air kerma at the detector under the breast's plateau is ``detector_kerma_ugy``. At
20 keV one uGy of air kerma is 5,791 photons/mm^2 (fluence = K / (E * mu_en/rho_air), mu_en/rho =
0.539 cm^2/g). Electronic noise: 5,200 electrons rms (VICTRE) / ~400 electrons per absorbed
20 keV photon in a-Se = 13 photons rms per pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from mammocalc.simulate.anatomy import AnatomyMaps
from mammocalc.simulate.grid import low_pass, three_tap

MU_PER_CM = {
    "adipose": 0.456,
    "glandular": 0.802,
    "skin": 0.80,
    "muscle": 0.85,
    "blood": 0.85,
    "calcium": 13.0,
}
PHOTONS_PER_MM2_PER_UGY = 5791.0


@dataclass(frozen=True)
class Detector:
    """Exposure and detector parameters (defaults: an a-Se FFDM at a screening dose)."""

    detector_kerma_ugy: float = 80.0
    absorption: float = 0.95
    electronic_noise_photons: float = 13.0
    blur_mm: float = 0.04
    bits_stored: int = 12
    equalisation: float = 0.85
    mid_compression: float = 0.45
    detail_gain: float = 1.8
    gamma: float = 2.0
    motion_mm: float = 0.0  # patient motion during the exposure: blur length (mm) ...
    motion_deg: float = 0.0  # ... along this direction (degrees from the rows' axis, as Shape)


FILM_DETECTOR = Detector(
    detail_gain=1.0,
    detector_kerma_ugy=80.0,
    absorption=0.3,
    electronic_noise_photons=0.0,
    blur_mm=0.12,
    bits_stored=8,
)


def line_integral(maps: AnatomyMaps, glandular: np.ndarray, tubes_mm: np.ndarray) -> np.ndarray:
    """Total attenuation mu * t (dimensionless) on the coarse grid, float32."""
    soft = np.clip(maps.thickness_mm - maps.skin_mm - maps.muscle_mm, 0.0, None)
    mu_soft = glandular * MU_PER_CM["glandular"] + (1.0 - glandular) * MU_PER_CM["adipose"]
    tubes = np.minimum(tubes_mm, soft)
    total = (
        mu_soft * (soft - tubes)
        + MU_PER_CM["blood"] * tubes
        + MU_PER_CM["skin"] * maps.skin_mm
        + MU_PER_CM["muscle"] * maps.muscle_mm
    )
    return (total / 10.0).astype(np.float32)


def signal_with_scatter(
    attenuation: np.ndarray, maps: AnatomyMaps, spacing_mm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Detected signal (primary + scatter, open field = 1) and its primary fraction, coarse grid.

    Scatter is the primary times the local scatter-to-primary ratio, spread by a ~12 mm Gaussian
    (computed on a 4x coarser grid, which is plenty for so broad a kernel).
    """
    primary = np.exp(-attenuation)
    spr = np.where(maps.breast, 0.1 + 0.005 * maps.thickness_mm, 0.0).astype(np.float32)
    source = primary * spr
    small = source[::4, ::4]
    spread = ndi.gaussian_filter(small, 12.0 / (4 * spacing_mm), mode="nearest")
    scatter = ndi.zoom(
        spread, (source.shape[0] / small.shape[0], source.shape[1] / small.shape[1]), order=1
    )
    scatter = scatter[: source.shape[0], : source.shape[1]]
    total = primary + scatter
    return total.astype(np.float32), (primary / total).astype(np.float32)


def photons_per_pixel(
    signal: np.ndarray, plateau: np.ndarray, spacing_mm: float, detector: Detector
) -> float:
    """Absorbed photons per fine pixel in the open field, set by automatic exposure control."""
    under = float(np.median(signal[plateau])) if plateau.any() else 1.0
    at_plateau = detector.detector_kerma_ugy * PHOTONS_PER_MM2_PER_UGY * spacing_mm**2
    return at_plateau * detector.absorption / under


def log_noise_sigma(
    signal: np.ndarray, open_field_photons: float, detector: Detector
) -> np.ndarray:
    """Standard deviation of -log(signal) per pixel from quantum plus electronic noise."""
    quanta = np.maximum(signal * open_field_photons, 1.0)
    return (np.sqrt(quanta + detector.electronic_noise_photons**2) / quanta).astype(np.float32)


def correlated_noise(
    shape: tuple[int, int], sigma_px: float, rng: np.random.Generator
) -> np.ndarray:
    """White unit-variance Gaussian noise blurred by the detector (three-tap, separable).

    The taps [w, 1-2w, w] with w = sigma^2 / 2 (at most 0.25) have the variance of a Gaussian of
    ``sigma_px``.
    """
    w = float(min(sigma_px**2 / 2.0, 0.25))
    white = rng.standard_normal(shape, dtype=np.float32)
    return three_tap(three_tap(white, w, 0), w, 1)


def noise_kernel_norm(sigma_px: float) -> float:
    """Standard deviation of :func:`correlated_noise` per pixel (< 1 after the blur)."""
    w = min(sigma_px**2 / 2.0, 0.25)
    return float(2 * w**2 + (1 - 2 * w) ** 2)


def calcium_log_signal(thickness_mm: np.ndarray, primary_fraction: float) -> np.ndarray:
    """Rise of -log(signal) caused by a calcium path (mm), scatter from the tissue included."""
    extra = MU_PER_CM["calcium"] - MU_PER_CM["glandular"]
    transmitted = np.exp(-extra * thickness_mm / 10.0)
    return (-np.log1p(-primary_fraction * (1.0 - transmitted))).astype(np.float32)


def physical_contrast(max_thickness_mm: float, primary_fraction: float) -> float:
    """1 - I/I0 at the thickest point of a calcification, scatter included."""
    extra = MU_PER_CM["calcium"] - MU_PER_CM["glandular"]
    return float(primary_fraction * (1.0 - np.exp(-extra * max_thickness_mm / 10.0)))


def matched_filter_cnr(delta: np.ndarray, sigma: float, blur_px: float) -> float:
    """CNR of a non-prewhitening matched filter for signal ``delta`` in the blurred noise.

    ``delta`` is the blurred signal on image pixels; ``sigma`` the white-noise standard deviation
    before the detector blur. CNR = sum(s^2) / (sigma * ||K s||) with K the three-tap blur.
    """
    energy = float(np.sum(delta.astype(np.float64) ** 2))
    if energy == 0 or sigma <= 0:
        return 0.0
    w = min(blur_px**2 / 2.0, 0.25)
    k = np.array([w, 1 - 2 * w, w])
    ks = ndi.correlate1d(
        ndi.correlate1d(delta.astype(np.float64), k, axis=0, mode="constant"),
        k,
        axis=1,
        mode="constant",
    )
    return energy / (sigma * float(np.sqrt(np.sum(ks**2))))


def presentation(
    log_signal: np.ndarray, breast: np.ndarray, spacing_mm: float, detector: Detector
) -> tuple[np.ndarray, np.ndarray]:
    """Thickness equalisation, window and gamma of -log(signal) (coarse). Returns (map, slope).

    Subtracts ``equalisation`` x a 15 mm low-pass of the breast's -log(signal) (normalised
    convolution inside the breast), so that the thin periphery stays readable, and compresses
    structures larger than ~4 mm, as clinical "for presentation" processing does; then the
    window maps the breast's 1st percentile to 0.12 and its 99.9th to 0.95 before a display
    gamma. ``slope`` is the local gain from -log(signal) to display units (for noise and
    calcifications added at full resolution).
    """
    weight = low_pass(breast.astype(np.float32), 15.0 / spacing_mm)
    smooth = low_pass(np.where(breast, log_signal, 0.0), 15.0 / spacing_mm)
    smooth = smooth / np.maximum(weight, 1e-3)
    inside = log_signal[breast] if breast.any() else log_signal.ravel()
    reference = float(np.percentile(inside, 5))
    offset = (
        detector.equalisation * np.clip(smooth - reference, 0.0, None) * np.clip(weight * 2, 0, 1)
    )
    equalised = np.where(breast, log_signal - offset, log_signal)
    # multi-scale contrast compression: structures larger than a few mm lose part of their contrast
    mid = low_pass(equalised, 4.0 / spacing_mm)
    inside_mean = float(mid[breast].mean()) if breast.any() else 0.0
    equalised = np.where(
        breast, equalised - detector.mid_compression * (mid - inside_mean), equalised
    )
    values = equalised[breast] if breast.any() else equalised.ravel()
    floor, top = (float(v) for v in np.percentile(values, [1.0, 99.9]))
    # the breast's 1st percentile shows at 0.12 and its 99.9th at 0.95; the open field clips to 0
    high = top + (top - floor) * 0.05 / 0.83
    low = floor - (top - floor) * 0.12 / 0.83
    linear = np.clip((equalised - low) / (high - low), 0.0, None)
    # soft knee above 0.85: the brightest tissue keeps its texture instead of clipping
    knee = 0.85
    over = np.maximum(linear - knee, 0.0) / (1.0 - knee)
    windowed = np.where(linear > knee, knee + (1.0 - knee) * np.tanh(over), linear)
    knee_slope = np.where(linear > knee, 1.0 / np.cosh(over) ** 2, 1.0)
    # display gamma: fat darker, dense tissue kept bright; ``slope`` = d(display)/d(-log signal)
    shown = windowed**detector.gamma
    slope = detector.gamma * np.maximum(windowed, 0.05) ** (detector.gamma - 1.0) * knee_slope
    slope /= high - low
    return shown.astype(np.float32), slope.astype(np.float32)


def quantise(pixels: np.ndarray, bits: int) -> np.ndarray:
    """Clip to [0, 1] and round to ``bits`` bits; returns float32 on the [0, 1] scale."""
    levels = float(2**bits - 1)
    return (np.rint(np.clip(pixels, 0.0, 1.0) * levels) / levels).astype(np.float32)
