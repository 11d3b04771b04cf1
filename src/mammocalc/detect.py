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
   removes calcifications from that background), holes filled; a second clear maximum inside a
   region (touching coarse calcifications, members of a dense cluster) is cut off along the
   watershed or at a narrow neck, so that each is outlined on its own.
5. False-positive reduction as a two-stage cascade (trained by ``scripts/train_detector.py``,
   weights in ``mammocalc/weights/detect_calc.json``): a first logistic model over the band
   features alone (SNR, Hessian blobness, the ring test for lines and junctions) decides which
   candidates are worth outlining; the second, over those plus contrast-to-noise, size, shape and
   edge width, gives the ``score``; those below ``settings.detection_threshold`` are dropped.
   See docs/detection.md.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import ndimage as ndi

from mammocalc._breast_markers import on_marker
from mammocalc._detect_measure import Candidate, Context, band_features_all, measure
from mammocalc._detect_scale import Band, band_sigmas_mm, build_bands
from mammocalc._detect_score import LogisticModel, Prefilter, calc_model, prefilter
from mammocalc.errors import ParameterError
from mammocalc.models import BreastMasks, Calcification, Mammogram
from mammocalc.settings import Settings

CANDIDATE_SNR = 3.0  # band response / band noise at which a pixel can seed a candidate
MIN_CNR = 3.0  # outline contrast over pixel noise below which no candidate is kept, whatever its
# score (the simulator's true calcifications all exceed it; the model never saw white-noise specks)
MIN_SNR = 5.0  # band response over band noise (texture included) below which none is kept: the
# linear score cannot express this floor; chosen on the training simulator images, where it
# removes many more false calcifications than true ones (scripts/train_detector.py)
MAX_CANDIDATES = 8000  # band maxima kept per image, strongest first (bounds the run time)
MAX_OUTLINED = 600  # of those passing the prefilter, outlined per image (best prefilter score)
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
        Breast stage output of the same shape; only ``analysable`` pixels are searched, and
        what lies on a skin marker (``markers``) is dropped.
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
    kept = [
        c
        for c, f in found
        if c.score >= settings.detection_threshold
        and plausible(c, f)
        and not on_marker(c.centroid_px, masks.markers, mammogram.spacing_mm)
    ]
    return [c.model_copy(update={"id": i}) for i, c in enumerate(kept, start=1)]


def plausible(calcification: Calcification, features: dict[str, float]) -> bool:
    """The hard floors every kept calcification passes: ``MIN_CNR`` and ``MIN_SNR``."""
    return calcification.cnr >= MIN_CNR and features["snr"] >= MIN_SNR


def detect_candidates(
    mammogram: Mammogram,
    masks: BreastMasks,
    *,
    settings: Settings | None = None,
    scorer: LogisticModel | None = None,
    first_stage: Prefilter | None = None,
) -> list[tuple[Calcification, dict[str, float]]]:
    """Every outlined candidate with its score and features, before the score threshold.

    The training script (``scripts/train_detector.py``) learns the score from these features;
    :func:`detect` keeps those scoring at least ``settings.detection_threshold``. ``scorer``
    replaces the shipped second stage (default :func:`mammocalc._detect_score.calc_model`),
    ``first_stage`` the shipped prefilter (:func:`mammocalc._detect_score.prefilter`; without
    either, the ``MAX_OUTLINED`` candidates of highest SNR are outlined).
    Sorted by decreasing score, ids from 1.
    """
    found = _band_stage(mammogram, masks, settings or Settings.model_validate({}))
    if found is None:
        return []
    candidates, context = found
    stage = first_stage or prefilter()
    if stage is not None:
        scored = [(stage.model.score(c.features or {}), c) for c in candidates]
        scored = [pair for pair in scored if pair[0] >= stage.threshold]
        scored.sort(key=lambda pair: -pair[0])
        candidates = [c for _, c in scored[:MAX_OUTLINED]]
        candidates.sort(key=lambda c: -c.snr)
    else:
        candidates = candidates[:MAX_OUTLINED]
    measured = measure(candidates, context, scorer or calc_model())
    measured.sort(key=lambda pair: -pair[0].score)
    return [(c.model_copy(update={"id": i}), f) for i, (c, f) in enumerate(measured, start=1)]


def band_candidates(
    mammogram: Mammogram, masks: BreastMasks, *, settings: Settings | None = None
) -> list[tuple[tuple[float, float], dict[str, float]]]:
    """Every band maximum (the cascade's input) as ((row, col) original pixels, band features).

    For training the first stage (``scripts/train_detector.py``); strongest SNR first.
    """
    found = _band_stage(mammogram, masks, settings or Settings.model_validate({}))
    if found is None:
        return []
    candidates, context = found
    row0, col0 = context.offset
    return [((c.row + row0, c.col + col0), c.features or {}) for c in candidates]


def _band_stage(
    mammogram: Mammogram, masks: BreastMasks, settings: Settings
) -> tuple[list[Candidate], Context] | None:
    """Filter the analysable box into bands; its candidates with band features, or None."""
    _check(mammogram, masks, settings)
    box = _box(masks.analysable, margin_px=8)
    if box is None:
        return None
    spacing = mammogram.spacing_mm
    image = np.ascontiguousarray(mammogram.pixels[box], dtype=np.float32)
    analysable = masks.analysable[box]
    if float(image[analysable].max() - image[analysable].min()) <= 1e-6:
        return None
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
    candidates = _candidates(bands, background, analysable)
    features = band_features_all(candidates, context)
    return [replace(c, features=f) for c, f in zip(candidates, features, strict=True)], context


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
    """Local maxima of each band above ``CANDIDATE_SNR`` times its local noise, strongest first.

    At most ``MAX_CANDIDATES`` are kept (the run time of outlining bounds them).
    """
    found: list[Candidate] = []
    for index, band in enumerate(bands):
        scale = 2**band.level
        level_mask = mask if band.level == 0 else _bin_mask(mask, band.level)
        level_mask = level_mask[: band.response.shape[0], : band.response.shape[1]]
        # cheap superset: the smallest noise of the band; exact noise only at the maxima
        above = (band.response > CANDIDATE_SNR * float(band.noise_std.min())) & level_mask
        peaks = _local_maxima(band.response, above)
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


def _local_maxima(response: np.ndarray, above: np.ndarray) -> np.ndarray:
    """(row, col) of the 3 x 3 local maxima of ``response`` inside ``above``; shape (k, 2).

    Every maximum is a candidate, not only the strongest of a connected bright area: the specks
    of a dense cluster share one such area in the finer bands.
    """
    maxima = above & (response >= ndi.maximum_filter(response, size=3))
    return np.argwhere(maxima)


def _bin_mask(mask: np.ndarray, level: int) -> np.ndarray:
    f = 2**level
    rows, cols = mask.shape[0] // f * f, mask.shape[1] // f * f
    return np.asarray(mask[:rows, :cols].reshape(rows // f, f, cols // f, f).all(axis=(1, 3)))
