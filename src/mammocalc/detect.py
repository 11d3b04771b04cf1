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

import numpy as np
from scipy import ndimage as ndi

from mammocalc._detect_measure import Candidate, Context, measure
from mammocalc._detect_scale import Band, band_sigmas_mm, build_bands
from mammocalc._detect_score import LogisticModel, calc_model
from mammocalc.errors import ParameterError
from mammocalc.models import BreastMasks, Calcification, Mammogram
from mammocalc.settings import Settings

CANDIDATE_SNR = 3.0  # band response / band noise at which a pixel can seed a candidate
MAX_CANDIDATES = 3000  # outlined per image, strongest first (bounds the run time on noisy films)
BACKGROUND_MM = 2.0  # size of the opening that removes calcifications from the local background


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
    found = detect_candidates(mammogram, masks, settings=settings)
    kept = [c for c, _ in found if c.score >= settings.detection_threshold]
    return [c.model_copy(update={"id": i}) for i, c in enumerate(kept, start=1)]


def detect_candidates(
    mammogram: Mammogram,
    masks: BreastMasks,
    *,
    settings: Settings | None = None,
    scorer: LogisticModel | None = None,
) -> list[tuple[Calcification, dict[str, float]]]:
    """Every outlined candidate with its score and features, before the score threshold.

    The training script (``scripts/train_detector.py``) learns the score from these features;
    :func:`detect` keeps those scoring at least ``settings.detection_threshold``. ``scorer``
    replaces the shipped model (default :func:`mammocalc._detect_score.calc_model`).
    Sorted by decreasing score, ids from 1.
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
    step = max(1, int(round(0.5 / spacing)))
    context = Context(
        bands=bands,
        image=image,
        fine=fine,
        analysable=analysable,
        background_at=background.at,
        pixel_noise=_pixel_noise_curve(image, background, analysable),
        spacing_mm=spacing,
        max_diameter_mm=settings.max_diameter_mm,
        offset=(box[0].start, box[1].start),
        border_mm=ndi.distance_transform_edt(analysable[::step, ::step]) * spacing * step,
        border_step=step,
    )
    found = measure(_candidates(bands, background, analysable), context, scorer or calc_model())
    found.sort(key=lambda pair: -pair[0].score)
    return [(c.model_copy(update={"id": i}), f) for i, (c, f) in enumerate(found, start=1)]


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
