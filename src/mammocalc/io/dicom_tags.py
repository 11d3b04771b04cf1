"""What a mammography DICOM header says: spacing, laterality, view, film origin, identifiers.

Pure functions of a :class:`pydicom.Dataset`; no pixel data is touched.

Spacing follows PS3.3 for the DX family (sections 10.7.1.1 and C.8.11.4, the Pixel Spacing
description of the DX Detector module):

1. Pixel Spacing (0028,0030) when the image was calibrated, i.e. Pixel Spacing Calibration Type
   (0028,0A02) is present, or Pixel Spacing differs from Imager Pixel Spacing (0018,1164);
2. else Imager Pixel Spacing (0018,1164), measured at the detector, divided by Estimated
   Radiographic Magnification Factor (0018,1114) where present (the object-plane spacing; this
   matters for magnification views, ERMF ~1.5-2);
3. else Pixel Spacing (0028,0030) as given (calibration unknown);
4. else Nominal Scanned Pixel Spacing (0018,2010) (digitised film, secondary capture);
5. else none: the caller's spacing or the default, with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydicom import Dataset

from mammocalc.errors import InputError
from mammocalc.io.names import parse_name
from mammocalc.models import Identifiers
from mammocalc.vocabulary import Laterality, View

# PS3.16 CID 4014 "View for Mammography": SNOMED-RT (SRT) and SNOMED CT (SCT) codes
_VIEW_CODES = {
    "R-10242": View.CC, "399162004": View.CC,
    "R-10226": View.MLO, "399368009": View.MLO,
    "R-10224": View.ML, "399260004": View.ML,
    "R-10228": View.LM, "399352003": View.LM,
    "R-1024A": View.XCCL, "399099002": View.XCCL,
    "R-1024B": View.XCCM, "399192003": View.XCCM,
}  # fmt: skip
_VIEW_MEANINGS = {
    "craniocaudal": View.CC,
    "mediolateraloblique": View.MLO,
    "mediolateral": View.ML,
    "lateromedial": View.LM,
    "craniocaudalexaggeratedlaterally": View.XCCL,
    "craniocaudalexaggeratedmedially": View.XCCM,
}
_RELATIVE_TOLERANCE = 0.01
# Secondary Capture Image Storage and its multi-frame variants (PS3.4 Annex B)
_SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"


@dataclass(frozen=True)
class DicomSpacing:
    """The spacing a header gives, the rule that gave it, and any soft problems."""

    spacing_mm: float | None
    rule: str
    warnings: tuple[str, ...] = ()


def spacing_from_header(ds: Dataset, source: str) -> DicomSpacing:
    """Pixel spacing in mm per pixel by the precedence in the module notes.

    Non-square pixels (row and column spacing differing by more than 1 %) give their geometric
    mean and a warning, since the pipeline assumes square pixels.
    """
    imager = _pair(ds, "ImagerPixelSpacing")
    pixel = _pair(ds, "PixelSpacing")
    calibration = str(ds.get("PixelSpacingCalibrationType", "") or "").strip()
    magnification = _positive(ds.get("EstimatedRadiographicMagnificationFactor"))
    if pixel and (calibration or (imager and not _close(pixel, imager))):
        how = f"calibration type {calibration}" if calibration else "differs from (0018,1164)"
        return _square(pixel, f"Pixel Spacing (0028,0030), calibrated ({how})", source)
    if imager and magnification:
        corrected = (imager[0] / magnification, imager[1] / magnification)
        rule = (
            f"Imager Pixel Spacing (0018,1164) / Estimated Radiographic Magnification Factor "
            f"(0018,1114) {magnification:g}"
        )
        return _square(corrected, rule, source)
    if imager:
        return _square(imager, "Imager Pixel Spacing (0018,1164), at the detector", source)
    if pixel:
        return _square(pixel, "Pixel Spacing (0028,0030), calibration unknown", source)
    scanned = _pair(ds, "NominalScannedPixelSpacing")
    if scanned:
        return _square(scanned, "Nominal Scanned Pixel Spacing (0018,2010)", source)
    return DicomSpacing(None, "none in the header")


def _pair(ds: Dataset, keyword: str) -> tuple[float, float] | None:
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    try:
        numbers = [float(v) for v in value] if hasattr(value, "__len__") else [float(value)]
    except (TypeError, ValueError):
        return None
    if len(numbers) == 1:
        numbers = numbers * 2
    if len(numbers) != 2 or not all(math.isfinite(v) and v > 0 for v in numbers):
        return None
    return numbers[0], numbers[1]


def _positive(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-4) for x, y in zip(a, b, strict=True))


def _square(pair: tuple[float, float], rule: str, source: str) -> DicomSpacing:
    row_mm, col_mm = pair
    if abs(row_mm - col_mm) <= _RELATIVE_TOLERANCE * max(row_mm, col_mm):
        return DicomSpacing(row_mm, rule)
    mean_mm = math.sqrt(row_mm * col_mm)
    note = (
        f"{source}: pixels are not square ({row_mm:g} x {col_mm:g} mm); using their geometric "
        f"mean {mean_mm:.4f} mm."
    )
    return DicomSpacing(mean_mm, rule, (note,))


def laterality_from_header(ds: Dataset) -> Laterality | None:
    """Image Laterality (0020,0062), then Laterality (0020,0060); ``B`` or ``U`` give None."""
    for keyword in ("ImageLaterality", "Laterality"):
        value = str(ds.get(keyword, "") or "").strip().upper()
        if value in ("L", "R"):
            return Laterality(value)
    return None


def view_from_header(ds: Dataset) -> View:
    """View Position (0018,5101), then View Code Sequence (0054,0220) code or meaning."""
    position = str(ds.get("ViewPosition", "") or "").strip().upper()
    if position in View.__members__ and position != "UNKNOWN":
        return View(position)
    for item in ds.get("ViewCodeSequence", []) or []:
        code = str(item.get("CodeValue", "") or "").strip()
        if code in _VIEW_CODES:
            return _VIEW_CODES[code]
        meaning = "".join(ch for ch in str(item.get("CodeMeaning", "")).lower() if ch.isalpha())
        if meaning in _VIEW_MEANINGS:
            return _VIEW_MEANINGS[meaning]
    # some devices write e.g. "RCC" or "L MLO" in View Position
    return parse_name(position).view if position else View.UNKNOWN


def is_digitised_film(ds: Dataset) -> bool:
    """True for Conversion Type (0008,0064) DF (digitised film), or a Secondary Capture SOP class.

    A mammogram stored as Secondary Capture (CBIS-DDSM, other scanned-film archives) was made
    from film, since digital mammography units write the Digital Mammography X-Ray classes.
    """
    if str(ds.get("ConversionType", "") or "").strip().upper() == "DF":
        return True
    return str(ds.get("SOPClassUID", "") or "").startswith(_SECONDARY_CAPTURE_PREFIX)


def identifiers_from_header(ds: Dataset, source: str) -> Identifiers:
    """Study, series and SOP instance UIDs (never the patient's name or ID)."""

    def uid(keyword: str) -> str | None:
        value = str(ds.get(keyword, "") or "").strip()
        return value or None

    return Identifiers(
        source=source,
        study_uid=uid("StudyInstanceUID"),
        series_uid=uid("SeriesInstanceUID"),
        sop_uid=uid("SOPInstanceUID"),
    )


def check_modality(ds: Dataset, source: str) -> None:
    """Accept MG, or DX with Body Part Examined (0018,0015) BREAST; refuse everything else.

    Raises
    ------
    InputError
    """
    modality = str(ds.get("Modality", "") or "").strip().upper()
    body_part = str(ds.get("BodyPartExamined", "") or "").strip().upper()
    if modality == "MG" or (modality == "DX" and body_part == "BREAST"):
        return
    if not modality:
        raise InputError(
            f"{source}: the DICOM file records no Modality (0008,0060), so it cannot be taken "
            "as a mammogram; expected MG."
        )
    detail = f" of body part {body_part}" if modality == "DX" else ""
    raise InputError(
        f"{source}: modality {modality}{detail} is not a mammogram; mammocalc reads MG images "
        "(or DX with Body Part Examined BREAST)."
    )
