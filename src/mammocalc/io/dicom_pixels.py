"""From stored DICOM pixel values to densities in [0, 1], one PS3.3 step at a time.

1. Modality LUT (0028,3000) or Rescale Slope/Intercept (0028,1053)/(0028,1052):
   :func:`pydicom.pixels.apply_modality_lut`.
2. VOI: VOI LUT Sequence (0028,3010) when present, else the first Window Center/Width
   (0028,1050)/(0028,1051) with VOI LUT Function (0028,1056): :func:`pydicom.pixels.apply_voi_lut`.
   Images without either (usual for For Processing) keep the modality values.
3. Scaling to [0, 1] over the range the encoding can reach (not the image's own minimum and
   maximum): the VOI output range, else the modality output of the Bits Stored range.
4. Orientation, so that brighter is denser: Pixel Intensity Relationship Sign (0028,1041) when
   present (+1: lower stored values mean less X-ray intensity, i.e. denser; -1: the opposite),
   flipped by a negative rescale slope; else Photometric Interpretation (MONOCHROME1 is inverted).
5. Pixel Intensity Relationship (0028,1040) LIN without a VOI step (raw For Processing data):
   values proportional to X-ray intensity are log-transformed, since attenuation (density) is
   linear in -log(intensity).
6. Pixel Padding Value (0028,0120) (and Range Limit (0028,0121)) pixels are set to 0, background,
   whatever the orientation (a MONOCHROME1 padding of 0 would otherwise become the densest value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom import Dataset
from pydicom.pixels import apply_modality_lut, apply_voi_lut

from mammocalc.io._checks import scale_to_unit

VOI_LUT_SEQUENCE = "VOI LUT Sequence (0028,3010)"
WINDOW = "Window Center/Width (0028,1050)/(0028,1051)"
_HUGE = 1e30  # beyond any window edge, to read a window's output limits


@dataclass(frozen=True)
class Densities:
    """Pixels in [0, 1] (brighter = denser), the VOI step used, and soft problems.

    Attributes
    ----------
    pixels : ndarray, shape (rows, cols), float32
    voi : str or None
        ``VOI_LUT_SEQUENCE``, ``WINDOW`` or None when no VOI step was applied.
    warnings : tuple of str
    """

    pixels: np.ndarray
    voi: str | None
    warnings: tuple[str, ...] = ()


def to_densities(stored: np.ndarray, ds: Dataset, source: str) -> Densities:
    """Apply the modality LUT, VOI, scaling and orientation steps of the module notes.

    Parameters
    ----------
    stored : ndarray, shape (rows, cols)
        Decoded stored values of one greyscale frame.
    ds : Dataset
        The image's header (Modality LUT, VOI LUT and DX Image modules).
    source : str
        Name used in warnings.
    """
    low_stored, high_stored = _stored_range(ds, stored)
    limits = np.array([low_stored, high_stored], dtype=np.int64)
    values = np.asarray(apply_modality_lut(stored, ds))
    modality_limits = np.asarray(apply_modality_lut(limits, ds), dtype=np.float64)
    low, high = float(modality_limits.min()), float(modality_limits.max())
    voi = _voi_kind(ds)
    if voi == VOI_LUT_SEQUENCE:
        values = apply_voi_lut(np.rint(values).astype(np.int64), ds, index=0, prefer_lut=True)
        entries, first_mapped = ds.VOILUTSequence[0].LUTDescriptor[:2]
        inputs = np.arange(first_mapped, first_mapped + (entries or 2**16), dtype=np.int64)
        table = apply_voi_lut(inputs, ds, index=0, prefer_lut=True)  # every LUT output value
        low, high = float(table.min()), float(table.max())
    elif voi == WINDOW:
        values = apply_voi_lut(values.astype(np.float64), ds, index=0, prefer_lut=False)
        edges = apply_voi_lut(np.array([-_HUGE, _HUGE]), ds, index=0, prefer_lut=False)
        low, high = float(np.min(edges)), float(np.max(edges))
    if high <= low:
        high = low + 1.0
    unit = scale_to_unit(np.asarray(values), low, high)
    dense_is_high, notes = _dense_is_high(ds, source)
    relationship = str(ds.get("PixelIntensityRelationship", "") or "").strip().upper()
    if relationship == "LIN" and voi is None:
        intensity = 1.0 - unit if dense_is_high else unit
        levels = max(high - low, 1.0)
        density = 1.0 - np.log1p(intensity * levels) / np.log1p(levels)
    else:
        density = unit if dense_is_high else 1.0 - unit
    padding = _padding_mask(stored, ds)
    if padding is not None:
        density[padding] = 0.0
    return Densities(density.astype(np.float32), voi, tuple(notes))


def _padding_mask(stored: np.ndarray, ds: Dataset) -> np.ndarray | None:
    """Pixels outside the imaged area: Pixel Padding Value (0028,0120), up to Pixel Padding
    Range Limit (0028,0121) when present. They become background (0), never dense."""
    value = ds.get("PixelPaddingValue")
    if value is None:
        return None
    limit = ds.get("PixelPaddingRangeLimit")
    if limit is None:
        return stored == int(value)
    low, high = sorted((int(value), int(limit)))
    return (stored >= low) & (stored <= high)


def _stored_range(ds: Dataset, stored: np.ndarray) -> tuple[int, int]:
    bits = int(ds.get("BitsStored", 0) or 0) or 8 * stored.dtype.itemsize
    if int(ds.get("PixelRepresentation", 0) or 0) == 1:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def _voi_kind(ds: Dataset) -> str | None:
    sequence = ds.get("VOILUTSequence")
    if sequence and "LUTDescriptor" in sequence[0] and "LUTData" in sequence[0]:
        return VOI_LUT_SEQUENCE
    if ds.get("WindowCenter") is not None and ds.get("WindowWidth") is not None:
        return WINDOW
    return None


def _dense_is_high(ds: Dataset, source: str) -> tuple[bool, list[str]]:
    """Whether larger output values mean denser tissue (see step 4 of the module notes)."""
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    display_dense_high = photometric != "MONOCHROME1"
    sign = ds.get("PixelIntensityRelationshipSign")
    if sign is None or int(sign) not in (-1, 1):
        return display_dense_high, []
    slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
    physics_dense_high = (int(sign) == -1) != (slope < 0)
    if physics_dense_high == display_dense_high:
        return physics_dense_high, []
    note = (
        f"{source}: Pixel Intensity Relationship Sign {int(sign):+d} contradicts Photometric "
        f"Interpretation {photometric}; followed the sign, so check the image is not inverted."
    )
    return physics_dense_high, [note]
