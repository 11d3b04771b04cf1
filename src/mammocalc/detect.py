"""Detection of individual calcifications.

The method follows the Hessian/difference-of-Gaussians family of published detectors (HDoGReg,
Marasinou et al. 2021, arXiv 2102.00754; the DoG candidate stage of the Chan-lab FFDM CAD):

1. Work only inside the bounding box of ``masks.analysable``.
2. Band-pass the image with a difference-of-Gaussians pyramid whose sigmas are set in millimetres
   from ``settings.min_diameter_mm`` to ``settings.max_diameter_mm`` (``_detect_scale``), so 50, 70,
   100 and 200 um images behave alike.
3. Noise-aware candidates: the noise of each band is measured as a function of the local mean signal
   (quantum noise and film grain depend on it) and a response is kept when it exceeds a few noise
   standard deviations *at its own background level*, on its best scale.
4. Each candidate is outlined at half its peak contrast above the local background (an opening
   removes calcifications from that background), holes filled; touching coarse calcifications stay
   one coarse blob with their true area.
5. False-positive reduction: a logistic model over band SNR, contrast-to-noise, size and shape gives
   the ``score`` (weights in ``mammocalc/weights/detect_calc.json``, trained by
   ``scripts/train_detector.py``); those below ``settings.detection_threshold`` are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from mammocalc._detect_scale import Band, band_sigmas_mm, build_bands
from mammocalc._detect_score import LogisticModel, calc_model
from mammocalc._detect_shape import has_lucent_centre, outline_of, shape_of
from mammocalc.errors import ParameterError
from mammocalc.models import BreastMasks, Calcification, Mammogram, Shape
from mammocalc.settings import Settings

CANDIDATE_SNR = 3.5  # band response / band noise at which a pixel can seed a candidate
MAX_CANDIDATES = 3000  # outlined per image, strongest first (bounds the run time on noisy films)
BACKGROUND_MM = 2.0  # size of the opening that removes calcifications from the local background


@dataclass(frozen=True)
class Candidate:
    """A band maximum, in cropped-image pixels."""

    row: float
    col: float
    snr: float
    band: int


def detect(
    mammogram: Mammogram, masks: BreastMasks, *, settings: Settings | None = None
) -> list[Calcification]:
    """Find calcifications inside ``masks.analysable``.

    Parameters
    ----------
    mammogram : Mammogram
        Pixels float32 in [0, 1], brighter = denser; ``spacing_mm`` sets every scale.
    masks : BreastMasks
        Breast stage output of the same shape; only ``analysable`` pixels are searched.
    settings : Settings, optional
        Uses ``min_diameter_mm``, ``max_diameter_mm`` and ``detection_threshold``.

    Returns
    -------
    list of Calcification
        Sorted by decreasing score, ids from 1; coordinates in original image pixels and mm.

    Examples
    --------
    >>> import numpy as np
    >>> from mammocalc.models import BreastMasks, Mammogram
    >>> pixels = np.full((200, 200), 0.4, np.float32)
    >>> full = np.ones((200, 200), bool)
    >>> masks = BreastMasks(full, ~full, ~full, full, "left", (100.0, 199.0), 0.1)
    >>> detect(Mammogram(pixels, 0.1), masks)
    []
    """
    settings = settings or Settings.model_validate({})
    _check(mammogram, masks, settings)
    box = _box(masks.analysable, margin_px=8)
    if box is None:
        return []
    spacing = mammogram.spacing_mm
    image = np.ascontiguousarray(mammogram.pixels[box], dtype=np.float32)
    analysable = masks.analysable[box]
    if float(image[analysable].max() - image[analysable].min()) <= 1e-6:
        return []
    background = _Background(image, spacing)
    sigmas = band_sigmas_mm(settings.min_diameter_mm, settings.max_diameter_mm, spacing)
    bands, fine = build_bands(image, background.at, analysable, spacing, sigmas)
    pixel_noise = _pixel_noise_curve(image, background, analysable)
    candidates = _candidates(bands, background, analysable)
    scorer = calc_model()
    offset = (box[0].start, box[1].start)
    calcs = _measure(
        candidates,
        bands,
        image,
        fine,
        analysable,
        background,
        pixel_noise,
        spacing,
        settings,
        scorer,
        offset,
    )
    calcs.sort(key=lambda c: -c.score)
    return [c.model_copy(update={"id": i}) for i, c in enumerate(calcs, start=1)]


def _check(mammogram: Mammogram, masks: BreastMasks, settings: Settings) -> None:
    if masks.analysable.shape != mammogram.pixels.shape:
        raise ParameterError(
            f"detect: masks.analysable has shape {masks.analysable.shape} but the image "
            f"{mammogram.identifiers.source} has {mammogram.pixels.shape}; segment this image."
        )
    if settings.min_diameter_mm >= settings.max_diameter_mm:
        raise ParameterError(
            f"detect: min_diameter_mm ({settings.min_diameter_mm}) must be below max_diameter_mm "
            f"({settings.max_diameter_mm}); fix the settings."
        )


def _box(mask: np.ndarray, *, margin_px: int) -> tuple[slice, slice] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(rows[0] - margin_px, 0), min(rows[-1] + margin_px + 1, mask.shape[0])
    c0, c1 = max(cols[0] - margin_px, 0), min(cols[-1] + margin_px + 1, mask.shape[1])
    return slice(int(r0), int(r1)), slice(int(c0), int(c1))


class _Background:
    """Local background: grey opening then smoothing on a binned copy (about 0.4 mm pixels).

    The opening removes bright structures smaller than ``BACKGROUND_MM``, so a calcification does
    not raise its own background.
    """

    def __init__(self, image: np.ndarray, spacing_mm: float) -> None:
        self.factor = max(1, int(round(0.4 / spacing_mm)))
        f = self.factor
        rows, cols = image.shape[0] // f * f, image.shape[1] // f * f
        if rows == 0 or cols == 0:
            small = np.array([[float(image.mean())]], np.float32)
        else:
            small = image[:rows, :cols].reshape(rows // f, f, cols // f, f).mean(axis=(1, 3))
        size = max(3, int(round(BACKGROUND_MM / (spacing_mm * f))) | 1)
        opened = ndi.grey_opening(small, size=(size, size))
        self.small = ndi.gaussian_filter(opened, size / 3.0).astype(np.float32)

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Background at float pixel positions (row, col) of the full-resolution crop."""
        f = self.factor
        coords = np.stack(
            [(np.asarray(rows) - (f - 1) / 2) / f, (np.asarray(cols) - (f - 1) / 2) / f]
        )
        return ndi.map_coordinates(self.small, coords, order=1, mode="nearest").astype(np.float32)


def _pixel_noise_curve(
    image: np.ndarray, background: _Background, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel noise std as a function of local mean, from differences of horizontal neighbours."""
    rng = np.random.default_rng(1)
    rows, cols = np.nonzero(mask[:, :-1])
    if rows.size == 0:
        return np.array([0.0]), np.array([1e-3])
    pick = rng.choice(rows.size, min(rows.size, 60_000), replace=False)
    rows, cols = rows[pick], cols[pick]
    diffs = (image[rows, cols + 1] - image[rows, cols]) / np.sqrt(2.0)
    means = background.at(rows.astype(float), cols.astype(float))
    order = np.argsort(means)
    chunks = np.array_split(order, 12)
    centres = np.array([np.median(means[c]) for c in chunks if c.size])
    stds = np.array([1.4826 * np.median(np.abs(diffs[c])) for c in chunks if c.size])
    return centres, np.maximum(stds, 1e-4)


def _candidates(bands: list[Band], background: _Background, mask: np.ndarray) -> list[Candidate]:
    """Local maxima of each band above ``CANDIDATE_SNR`` times its local noise, strongest first."""
    found: list[Candidate] = []
    for index, band in enumerate(bands):
        scale = 2**band.level
        level_mask = mask if band.level == 0 else _bin_mask(mask, band.level)
        level_mask = level_mask[: band.response.shape[0], : band.response.shape[1]]
        # cheap superset: the smallest noise of the band; exact noise only at the maxima
        above = (band.response > CANDIDATE_SNR * float(band.noise_std.min())) & level_mask
        peaks = _component_peaks(band.response, above)
        if peaks.size == 0:
            continue
        rows0 = peaks[:, 0] * scale + (scale - 1) / 2
        cols0 = peaks[:, 1] * scale + (scale - 1) / 2
        values = band.response[peaks[:, 0].astype(int), peaks[:, 1].astype(int)]
        snr = values / band.noise_at(background.at(rows0, cols0))
        keep = snr >= CANDIDATE_SNR
        found += [
            Candidate(float(r), float(c), float(s), index)
            for r, c, s in zip(rows0[keep], cols0[keep], snr[keep], strict=True)
        ]
    found.sort(key=lambda c: -c.snr)
    return found[:MAX_CANDIDATES]


def _component_peaks(response: np.ndarray, above: np.ndarray) -> np.ndarray:
    """(row, col) of the largest ``response`` in each connected component of ``above``; (k, 2)."""
    labels, n = ndi.label(above)
    if n == 0:
        return np.zeros((0, 2), int)
    flat = np.flatnonzero(above)
    which = labels.ravel()[flat]
    order = np.lexsort((-response.ravel()[flat], which))
    first = order[np.r_[True, which[order][1:] != which[order][:-1]]]
    return np.stack(np.unravel_index(flat[first], above.shape), axis=1)


def _bin_mask(mask: np.ndarray, level: int) -> np.ndarray:
    f = 2**level
    rows, cols = mask.shape[0] // f * f, mask.shape[1] // f * f
    return np.asarray(mask[:rows, :cols].reshape(rows // f, f, cols // f, f).all(axis=(1, 3)))


def _measure(
    candidates: list[Candidate],
    bands: list[Band],
    image: np.ndarray,
    fine: np.ndarray,
    analysable: np.ndarray,
    background: _Background,
    pixel_noise: tuple[np.ndarray, np.ndarray],
    spacing_mm: float,
    settings: Settings,
    scorer: LogisticModel,
    offset: tuple[int, int],
) -> list[Calcification]:
    """Outline candidates strongest first; one inside an earlier outline is the same blob."""
    taken = np.zeros(image.shape, bool)
    max_radius_px = int(np.ceil(settings.max_diameter_mm / spacing_mm))
    calcs: list[Calcification] = []
    for cand in candidates:
        r, c = int(round(cand.row)), int(round(cand.col))
        if taken[r, c]:
            continue
        band = bands[cand.band]
        sigma_px0 = band.sigma_px * 2**band.level
        blob = _outline(fine, background, r, c, sigma_px0, max_radius_px)
        if blob is None:
            continue
        window, region, peak, bg = blob
        if not analysable[window][region].any():
            continue
        if taken[window][region].any() and taken[window][region].mean() > 0.3:
            continue
        taken[window] |= region
        calc = _calcification(
            cand, window, region, image, peak, bg, pixel_noise, spacing_mm, scorer, offset
        )
        if calc.score >= settings.detection_threshold:
            calcs.append(calc)
    return calcs


def _outline(
    fine: np.ndarray,
    background: _Background,
    row: int,
    col: int,
    sigma_px: float,
    max_radius_px: int,
) -> tuple[tuple[slice, slice], np.ndarray, float, float] | None:
    """Half-maximum region around the brightest pixel near (row, col); None if it is not a blob."""
    seek = max(1, int(round(sigma_px)))
    r0, c0 = max(row - seek, 0), max(col - seek, 0)
    patch = fine[r0 : row + seek + 1, c0 : col + seek + 1]
    pr, pc = np.unravel_index(int(np.argmax(patch)), patch.shape)
    row, col = r0 + int(pr), c0 + int(pc)
    peak = float(fine[row, col])
    bg = float(background.at(np.array([row], float), np.array([col], float))[0])
    if peak <= bg:
        return None
    level = bg + 0.5 * (peak - bg)
    radius = max(3, int(np.ceil(3 * sigma_px)) + 2)
    while True:
        window = (
            slice(max(row - radius, 0), min(row + radius + 1, fine.shape[0])),
            slice(max(col - radius, 0), min(col + radius + 1, fine.shape[1])),
        )
        labels, _ = ndi.label(fine[window] >= level)
        region = labels == labels[row - window[0].start, col - window[1].start]
        touches = region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any()
        if not touches:
            return window, np.asarray(ndi.binary_fill_holes(region)), peak, bg
        if radius >= max_radius_px:
            return None
        radius = min(2 * radius, max_radius_px)


def candidate_features(
    snr: float, cnr: float, diameter_mm: float, shape: Shape
) -> dict[str, float]:
    """The named features the calcification model reads (``_detect_score.CALC_FEATURES``)."""
    return {
        "snr": snr,
        "cnr": cnr,
        "diameter_mm": diameter_mm,
        "circularity": shape.circularity,
        "elongation": shape.elongation,
        "solidity": shape.solidity,
    }


def _calcification(
    cand: Candidate,
    window: tuple[slice, slice],
    region: np.ndarray,
    image: np.ndarray,
    peak: float,
    bg: float,
    pixel_noise: tuple[np.ndarray, np.ndarray],
    spacing_mm: float,
    scorer: LogisticModel,
    offset: tuple[int, int],
) -> Calcification:
    rows, cols = np.nonzero(region)
    top, left = window[0].start, window[1].start
    centroid = (float(rows.mean()) + top + offset[0], float(cols.mean()) + left + offset[1])
    area_mm2 = float(rows.size) * spacing_mm**2
    contrast = peak - bg
    noise = float(np.interp(bg, pixel_noise[0], pixel_noise[1]))
    shape = shape_of(region, spacing_mm)
    diameter_mm = float(2.0 * np.sqrt(area_mm2 / np.pi))
    features = candidate_features(cand.snr, contrast / noise, diameter_mm, shape)
    score = scorer.score(features)
    outline = [(r + top + offset[0], c + left + offset[1]) for r, c in outline_of(region)]
    return Calcification(
        id=0,
        centroid_px=centroid,
        centroid_mm=(centroid[0] * spacing_mm, centroid[1] * spacing_mm),
        outline_px=outline,
        area_mm2=area_mm2,
        diameter_mm=diameter_mm,
        contrast=float(contrast),
        cnr=float(contrast / noise),
        shape=shape,
        score=score,
        lucent_centre=has_lucent_centre(image[window], region, contrast),
    )
