"""Outlining and measuring candidates (private to ``detect``).

Each candidate is outlined at half its peak contrast above the local background, holes filled;
its features (:data:`mammocalc._detect_score.CALC_FEATURES`) feed the false-positive model. Besides
signal-to-noise and shape, three structure measures separate calcifications from breast tissue:

* ``blobness``: ratio of the Hessian eigenvalues of the band response at the candidate's own scale
  (1 for a round blob, 0 for a line, negative for a saddle), as in Hessian blob detectors (HDoGReg,
  Marasinou et al. 2021; Frangi-type vesselness uses the same ratio the other way round);
* ``ring_ratio``: the strongest quarter of the band response on a circle of 2.5 scales around the
  candidate over its peak: about 0 or below for an isolated blob, high where a line or a junction
  of lines (vessels, Cooper's ligaments, tissue borders) continues through the candidate;
* ``edge_width_px``: contrast over the steepest-edge gradient at the outline (the width of a
  blurred step): about the imaging blur for a sharp-edged calcification, a good part of the
  diameter for a soft mm-scale lump of glandular tissue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import watershed

from mammocalc._detect_scale import Band
from mammocalc._detect_score import LogisticModel
from mammocalc._detect_shape import LUCENT_MIN_DROP, centre_drop, outline_of, shape_of
from mammocalc.models import Calcification, Shape

LOCAL_WINDOW_MM = 3.0  # half-width of the window whose clutter judges a candidate (local SNR)
SPLIT_PROMINENCE = 0.25  # a second maximum this far (x contrast) above its saddle is a neighbour
SPLIT_NOISE = 3.0  # ... and at least this many pixel-noise sigmas (noise does not split a blob)
_SPLIT_MIN_PX = 9  # smaller regions are never split
_EIGHT = np.ones((3, 3), bool)  # 8-connectivity
_RING_MAX_ELONGATION = 1.5  # a region this round and ...
_RING_MIN_FILL = 0.9  # ... this full of its moments' ellipse may be a ring (maxima join around)
NECK_FRACTION = 0.35  # lobes deeper than the neck between them by this share of the depth part
_NECK_MIN_PX = 20
RING_SCALES = 2.5  # radius, in band sigmas, of the circle that looks for lines through a candidate
RING_SAMPLES = 16
_RING_ANGLES = np.linspace(0.0, 2.0 * np.pi, RING_SAMPLES, endpoint=False)
_EDGE_GAUSS = float(np.sqrt(2.0 * np.pi))  # step blurred by sigma: max gradient C/(2.5 sigma)


@dataclass(frozen=True)
class Candidate:
    """A band maximum, in cropped-image pixels, with its :func:`band_features` once computed."""

    row: float
    col: float
    snr: float
    band: int
    features: dict[str, float] | None = None


@dataclass(frozen=True)
class Context:
    """What measuring needs from the detector's filtering, all on the cropped image."""

    bands: list[Band]
    image: np.ndarray
    fine: np.ndarray
    analysable: np.ndarray
    background_at: Callable[[np.ndarray, np.ndarray], np.ndarray]
    pixel_noise: tuple[np.ndarray, np.ndarray]
    spacing_mm: float
    max_diameter_mm: float
    offset: tuple[int, int]
    border_mm: np.ndarray  # depth inside ``analysable`` (mm), on a grid of ``border_step`` pixels
    border_step: int


def measure(
    candidates: list[Candidate], context: Context, scorer: LogisticModel
) -> list[tuple[Calcification, dict[str, float]]]:
    """Outline candidates strongest first; one inside an earlier outline is the same blob.

    Returns every outlined candidate with its score and its feature dict (ids 0).
    """
    taken = np.zeros(context.image.shape, bool)
    max_radius_px = int(np.ceil(context.max_diameter_mm / context.spacing_mm))
    found: list[tuple[Calcification, dict[str, float]]] = []
    for cand in candidates:
        r, c = int(round(cand.row)), int(round(cand.col))
        if taken[r, c]:
            continue
        band = context.bands[cand.band]
        sigma_px0 = band.sigma_px * 2**band.level
        blob = _outline(context, r, c, sigma_px0, max_radius_px)
        if blob is None:
            continue
        window, region, peak, bg = blob
        if not context.analysable[window][region].any():
            continue
        if taken[window][region].any() and taken[window][region].mean() > 0.3:
            continue
        taken[window] |= region
        found.append(_calcification(cand, window, region, peak, bg, context, scorer))
    return found


def _outline(
    context: Context, row: int, col: int, sigma_px: float, max_radius_px: int
) -> tuple[tuple[slice, slice], np.ndarray, float, float] | None:
    """Half-maximum region around the brightest pixel near (row, col); None if it is not a blob.

    Neighbours that share the half-maximum region (calcifications of a dense cluster, touching
    coarse ones) are cut off along the watershed between their maxima (:func:`_own_basin`).
    """
    fine, background_at = context.fine, context.background_at
    seek = max(1, int(round(sigma_px)))
    r0, c0 = max(row - seek, 0), max(col - seek, 0)
    patch = fine[r0 : row + seek + 1, c0 : col + seek + 1]
    pr, pc = np.unravel_index(int(np.argmax(patch)), patch.shape)
    row, col = r0 + int(pr), c0 + int(pc)
    peak = float(fine[row, col])
    bg = float(background_at(np.array([row], float), np.array([col], float))[0])
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
        centre = (row - window[0].start, col - window[1].start)
        region = labels == labels[centre]
        if region.sum() >= _SPLIT_MIN_PX:
            noise = float(np.interp(bg, context.pixel_noise[0], context.pixel_noise[1]))
            prominence = max(SPLIT_PROMINENCE * (peak - bg), SPLIT_NOISE * noise)
            region = _own_basin(fine[window], region, centre, prominence, ring_aware=True)
        touches = region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any()
        if not touches:
            region = np.asarray(ndi.binary_fill_holes(region))
            if region.sum() >= _NECK_MIN_PX:
                region = _split_at_necks(region, centre)
            return window, region, peak, bg
        if radius >= max_radius_px:
            return None
        radius = min(2 * radius, max_radius_px)


def _own_basin(
    values: np.ndarray,
    region: np.ndarray,
    centre: tuple[int, int],
    prominence: float,
    *,
    ring_aware: bool = False,
) -> np.ndarray:
    """The part of ``region`` that drains to the maximum at ``centre`` (watershed of ``values``).

    A second local maximum splits the region when it stands at least ``prominence`` above the
    lowest value on the straight path to ``centre`` (a cheap saddle). With ``ring_aware`` (the
    outline of a calcification, not the neck split of its distance map), in a compact region
    (:func:`_compact`: a ring, whose straight paths cross its lucent centre) it must also have
    no path inside ``region`` (8-connected) that joins it to ``centre`` without falling that
    far: a ring's maxima are joined around its wall, and splitting them cut skin and rim
    calcifications into arcs. With no such maximum the region is returned unchanged. Shapes: all
    (rows, cols).
    """
    top = float(values[centre])
    floor = float(values[region].min())
    inside = np.where(region, values, floor)
    maxima = region & (inside >= ndi.maximum_filter(inside, size=3))
    maxima &= inside >= floor + prominence
    maxima[centre] = False
    rows, cols = np.nonzero(maxima)
    if rows.size == 0:
        return region
    keep = [(centre[0], centre[1])]
    t = np.linspace(0.0, 1.0, 12)
    compact: bool | None = None
    for r, c in zip(rows, cols, strict=True):
        path_r = np.rint(centre[0] + t * (r - centre[0])).astype(int)
        path_c = np.rint(centre[1] + t * (c - centre[1])).astype(int)
        level = min(float(inside[r, c]), top) - prominence
        if float(inside[path_r, path_c].min()) > level:
            continue
        if ring_aware:
            compact = _compact(region) if compact is None else compact
            if compact and _joined(region & (inside > level), (int(r), int(c)), centre):
                continue  # joined around the wall of a ring
        keep.append((int(r), int(c)))
    if len(keep) == 1:
        return region
    markers = np.zeros(region.shape, np.int32)
    for k, (row, col) in enumerate(keep, start=1):
        markers[row, col] = k
    basins = watershed(-inside, markers, mask=region)
    return np.asarray(basins == 1)


def _joined(mask: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Pixels ``a`` and ``b`` lie in one 8-connected component of boolean ``mask``."""
    labels, _ = ndi.label(mask, structure=_EIGHT)
    return bool(labels[a] != 0 and labels[a] == labels[b])


def _compact(region: np.ndarray) -> bool:
    """The region (holes filled) is round and full, as a ring is and a line or a bent fragment
    is not: axis ratio at most ``_RING_MAX_ELONGATION`` and at least ``_RING_MIN_FILL`` of the
    ellipse with its second moments covered (cheap: moments only)."""
    rows, cols = np.nonzero(ndi.binary_fill_holes(region))
    if rows.size < 3:
        return False
    small, large = np.linalg.eigvalsh(np.cov(np.vstack([rows, cols]).astype(np.float64)))
    if small <= 0:
        return False
    fill = rows.size / (4.0 * np.pi * np.sqrt(small * large))
    return bool(large <= _RING_MAX_ELONGATION**2 * small and fill >= _RING_MIN_FILL)


def band_features(cand: Candidate, context: Context) -> dict[str, float]:
    """The features read from the band responses alone (cheap: the cascade's first stage).

    ``snr``: best band response over that band's noise at this background level; ``snr_fine``:
    the same in the finest band (calcifications have sharp edges, tissue does not); ``scale_mm``:
    the band's inner sigma; ``blobness`` and ``ring_ratio`` (:func:`structure_at`) tell blobs from
    lines and junctions; ``border_mm``: depth inside the analysable area (skin folds, the pectoral
    edge and film borders crowd false candidates near it). Keys: ``PREFILTER_FEATURES``.
    """
    return band_features_all([cand], context)[0]


def band_features_all(candidates: list[Candidate], context: Context) -> list[dict[str, float]]:
    """:func:`band_features` of many candidates at once (vectorised per band; same values)."""
    if not candidates:
        return []
    rows = np.array([c.row for c in candidates])
    cols = np.array([c.col for c in candidates])
    which = np.array([c.band for c in candidates])
    first = context.bands[0]
    fine_noise = first.noise_at(context.background_at(rows, cols)).astype(np.float64)
    r0 = np.minimum(rows.astype(int), first.response.shape[0] - 1)
    c0 = np.minimum(cols.astype(int), first.response.shape[1] - 1)
    snr_fine = first.response[r0, c0] / fine_noise
    step = context.border_step
    border = context.border_mm[
        np.minimum(rows.astype(int) // step, context.border_mm.shape[0] - 1),
        np.minimum(cols.astype(int) // step, context.border_mm.shape[1] - 1),
    ]
    blobness = np.empty(rows.size)
    ring_ratio = np.empty(rows.size)
    scale_mm = np.empty(rows.size)
    for index in np.unique(which):
        band = context.bands[int(index)]
        pick = which == index
        blobness[pick], ring_ratio[pick] = _structure_many(band, rows[pick], cols[pick])
        scale_mm[pick] = band.sigma_px * 2**band.level * context.spacing_mm
    return [
        {
            "snr": cand.snr,
            "snr_fine": float(snr_fine[i]),
            "scale_mm": float(scale_mm[i]),
            "blobness": float(blobness[i]),
            "ring_ratio": float(ring_ratio[i]),
            "border_mm": float(border[i]),
        }
        for i, cand in enumerate(candidates)
    ]


def _structure_many(
    band: Band, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`structure_at` for arrays of crop positions (shape (n,)) on one band."""
    scale = 2**band.level
    response = band.response
    height, width = response.shape
    r = np.minimum(rows.astype(int) // scale, height - 1)
    c = np.minimum(cols.astype(int) // scale, width - 1)
    peak = response[r, c].astype(np.float64)
    step = max(1, int(round(band.sigma_px)))
    inside = (r - step >= 0) & (r + step < height) & (c - step >= 0) & (c + step < width)
    rm, rp = np.clip(r - step, 0, height - 1), np.clip(r + step, 0, height - 1)
    cm, cp = np.clip(c - step, 0, width - 1), np.clip(c + step, 0, width - 1)
    d_rr = response[rm, c] + response[rp, c] - 2 * peak
    d_cc = response[r, cm] + response[r, cp] - 2 * peak
    d_rc = 0.25 * (response[rm, cm] + response[rp, cp] - response[rm, cp] - response[rp, cm])
    mean = 0.5 * (d_rr + d_cc)
    root = np.sqrt((0.5 * (d_rr - d_cc)) ** 2 + d_rc**2)
    low, high = mean - root, mean + root
    with np.errstate(divide="ignore", invalid="ignore"):
        blobness = np.where(low < 0, np.clip(high / np.where(low < 0, low, -1.0), -1.0, 1.0), -1.0)
    blobness = np.where(inside & (peak > 0), blobness, -1.0)
    radius = max(2.0, RING_SCALES * band.sigma_px)
    ring_rows = r[:, None] + radius * np.sin(_RING_ANGLES)[None, :]
    ring_cols = c[:, None] + radius * np.cos(_RING_ANGLES)[None, :]
    ring = ndi.map_coordinates(
        response, np.stack([ring_rows.ravel(), ring_cols.ravel()]), order=1, mode="nearest"
    ).reshape(r.size, RING_SAMPLES)
    top = np.sort(ring, axis=1)[:, -RING_SAMPLES // 4 :].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ring_ratio = np.where(peak > 0, np.clip(top / np.where(peak > 0, peak, 1.0), -1, 2), 2.0)
    return blobness, ring_ratio


def _split_at_necks(region: np.ndarray, centre: tuple[int, int]) -> np.ndarray:
    """The lobe of ``region`` holding ``centre`` when the region is lobes joined by narrow necks.

    Touching round calcifications overlap in projection and share one half-maximum outline with
    no intensity saddle between them; the distance to the outline has one maximum per lobe and a
    low neck between them (the classic distance-transform watershed). A lobe is separate when its
    depth exceeds the neck's by ``NECK_FRACTION`` of the deepest point (and at least 1.5 px).
    """
    depth = ndi.distance_transform_edt(region)
    deepest = float(depth.max())
    if deepest < 2.0:
        return region
    rows, cols = np.indices(region.shape)
    pull = depth - 0.5 * np.hypot(rows - centre[0], cols - centre[1])
    seed = np.unravel_index(int(np.argmax(np.where(region, pull, -np.inf))), region.shape)
    own = _own_basin(depth, region, (int(seed[0]), int(seed[1])), max(1.5, NECK_FRACTION * deepest))
    return own if own[centre] else region


def candidate_features(
    cand: Candidate,
    context: Context,
    cnr: float,
    diameter_mm: float,
    shape: Shape,
    edge_width_mm: float,
) -> dict[str, float]:
    """The named features the calcification model may read (``_detect_score.CALC_FEATURES``).

    Those of :func:`band_features`, plus ``local_snr`` (best band response over the clutter, robust
    std, of that band within ``LOCAL_WINDOW_MM``: low in busy tissue), the outline's contrast to
    noise ``cnr``, ``diameter_mm``, shape, ``spacing_mm``, and ``edge_width_mm`` (also in pixels,
    ``edge_width_px``, the unit in which blur compares across spacings; :func:`edge_width`: sharp
    calcifications against soft tissue lumps).
    """
    band = context.bands[cand.band]
    half = max(4, int(round(LOCAL_WINDOW_MM / (context.spacing_mm * 2**band.level))))
    peak, clutter = _band_value_and_clutter(band, cand.row, cand.col, half)
    return {
        **(cand.features or band_features(cand, context)),
        "local_snr": peak / max(clutter, 1e-6),
        "cnr": cnr,
        "diameter_mm": diameter_mm,
        "circularity": shape.circularity,
        "elongation": shape.elongation,
        "solidity": shape.solidity,
        "edge_width_mm": edge_width_mm,
        "edge_width_px": edge_width_mm / context.spacing_mm,
        "spacing_mm": context.spacing_mm,
    }


def structure_at(band: Band, row: float, col: float) -> tuple[float, float]:
    """Blobness and ring ratio of ``band`` at a crop position (row, col) in original pixels.

    Returns
    -------
    blobness : float
        ``lambda_small / lambda_large`` of the Hessian of the band response (finite differences
        one band sigma apart), both eigenvalues of a bright blob being negative: 1 round blob,
        0 line, below 0 saddle; clipped to [-1, 1]. -1 when the response is not a maximum.
    ring_ratio : float
        Mean of the top quarter of the response sampled on a circle of ``RING_SCALES`` sigmas
        (at least 2 band pixels) over the response at the centre; clipped to [-1, 2].
    """
    blobness, ring_ratio = _structure_many(band, np.array([row]), np.array([col]))
    return float(blobness[0]), float(ring_ratio[0])


def edge_width(values: np.ndarray, region: np.ndarray, contrast: float, spacing_mm: float) -> float:
    """Width (mm) of the candidate's edge: ``contrast / (sqrt(2 pi) * mean gradient at outline)``.

    ``values`` (the smoothed image over the candidate's window) and ``region`` (its outline mask)
    have the same shape. The gradient is averaged over the pixels within one pixel of the outline,
    on both sides. A step blurred by a Gaussian of sigma ``b`` gives ``b``; a Gaussian lump of
    sigma ``s`` gives about ``0.7 s``. Clipped to [0.01, 5] mm.
    """
    grad_r, grad_c = np.gradient(values.astype(np.float64))
    rim = ndi.binary_dilation(region) & ~ndi.binary_erosion(region)
    gradient = float(np.hypot(grad_r, grad_c)[rim].mean()) if rim.any() else 0.0
    if gradient <= 0 or contrast <= 0:
        return 5.0
    return float(np.clip(contrast / (_EDGE_GAUSS * gradient) * spacing_mm, 0.01, 5.0))


def _band_value_and_clutter(band: Band, row: float, col: float, half: int) -> tuple[float, float]:
    """Band response at a crop position and the robust std of the band within ``half`` pixels."""
    scale = 2**band.level
    r = min(int(row) // scale, band.response.shape[0] - 1)
    c = min(int(col) // scale, band.response.shape[1] - 1)
    if half == 0:
        return float(band.response[r, c]), 0.0
    window = band.response[max(r - half, 0) : r + half + 1, max(c - half, 0) : c + half + 1]
    clutter = 1.4826 * float(np.median(np.abs(window - np.median(window))))
    return float(band.response[r, c]), clutter


def _calcification(
    cand: Candidate,
    window: tuple[slice, slice],
    region: np.ndarray,
    peak: float,
    bg: float,
    context: Context,
    scorer: LogisticModel,
) -> tuple[Calcification, dict[str, float]]:
    spacing_mm, offset = context.spacing_mm, context.offset
    rows, cols = np.nonzero(region)
    top, left = window[0].start, window[1].start
    centroid = (float(rows.mean()) + top + offset[0], float(cols.mean()) + left + offset[1])
    area_mm2 = float(rows.size) * spacing_mm**2
    contrast = peak - bg
    noise = float(np.interp(bg, context.pixel_noise[0], context.pixel_noise[1]))
    shape = shape_of(region, spacing_mm)
    diameter_mm = float(2.0 * np.sqrt(area_mm2 / np.pi))
    width_mm = edge_width(context.fine[window], region, contrast, spacing_mm)
    features = candidate_features(cand, context, contrast / noise, diameter_mm, shape, width_mm)
    outline = [(r + top + offset[0], c + left + offset[1]) for r, c in outline_of(region)]
    calc = Calcification(
        id=0,
        centroid_px=centroid,
        centroid_mm=(centroid[0] * spacing_mm, centroid[1] * spacing_mm),
        outline_px=outline,
        area_mm2=area_mm2,
        diameter_mm=diameter_mm,
        contrast=float(contrast),
        cnr=float(contrast / noise),
        shape=shape,
        score=scorer.score(features),
        lucent_centre=centre_drop(context.image[window], region, contrast) >= LUCENT_MIN_DROP,
    )
    return calc, features
