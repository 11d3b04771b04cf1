"""``read``: one file or array in, one checked :class:`~mammocalc.models.Mammogram` out.

Formats are recognised by their first bytes, not their names: DICOM (``DICM`` at byte 128, or a
``.dcm`` name), PNG, TIFF, PGM (P2/P5), NumPy ``.npy``; anything else Pillow opens is accepted too.

Precedence of metadata: the caller's ``spacing_mm``, ``laterality`` and ``view`` win; then the
DICOM header; then the file name (``names``); then ``settings.default_spacing_mm`` with
``spacing_assumed=True`` and a warning, None and ``View.UNKNOWN``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mammocalc.errors import InputError, ParameterError
from mammocalc.io import raster
from mammocalc.io._checks import check_content, scale_to_unit
from mammocalc.io.dicom import read_dicom
from mammocalc.io.formats import Format, read_head, sniff
from mammocalc.io.names import parse_name
from mammocalc.models import Identifiers, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import Laterality, View

ARRAY_SOURCE = "<array>"


def read(
    source: str | Path | np.ndarray,
    *,
    spacing_mm: float | None = None,
    settings: Settings | None = None,
    laterality: Laterality | str | None = None,
    view: View | str | None = None,
) -> Mammogram:
    """Read a mammogram from a file or an array.

    Parameters
    ----------
    source : str, Path or ndarray
        A DICOM, PNG (8/16 bit), TIFF, PGM (P2/P5) or ``.npy`` file; or an array of shape
        (rows, cols) in which brighter is denser.
    spacing_mm : float, optional
        Pixel spacing in mm; overrides the file's (a DICOM value that differs is noted).
    settings : Settings, optional
        ``default_spacing_mm`` and ``max_pixels`` are used.
    laterality : Laterality or str, optional
        ``"L"``, ``"R"``, ``"left"`` or ``"right"``; overrides the header and file name.
    view : View or str, optional
        e.g. ``"CC"``, ``"MLO"``; overrides the header and file name.

    Returns
    -------
    Mammogram
        float32 pixels in [0, 1], brighter = denser, in the file's orientation.

    Raises
    ------
    InputError
        Missing, unreadable, truncated or corrupt file; not a mammogram; empty, constant or
        over-sized image. The message is one sentence naming the file.
    ParameterError
        A bad ``spacing_mm``, ``laterality`` or ``view``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((64, 64), np.float32); image[20:40, 10:30] = 0.5
    >>> mammogram = read(image, spacing_mm=0.07, laterality="L", view="CC")
    >>> mammogram.pixels.shape, mammogram.spacing_mm, mammogram.spacing_assumed
    ((64, 64), 0.07, False)
    """
    settings = settings or Settings.model_validate({})
    chosen_spacing = _check_spacing(spacing_mm)
    chosen_laterality = _to_laterality(laterality)
    chosen_view = _to_view(view)
    if isinstance(source, np.ndarray):
        image = raster.from_array(source, ARRAY_SOURCE, max_pixels=settings.max_pixels)
        return _from_raster(
            image, ARRAY_SOURCE, chosen_spacing, chosen_laterality, chosen_view, None, settings
        )
    path = Path(source)
    name = str(source)
    kind = sniff(_head(path, name), path)
    if kind is Format.DICOM:
        return _from_dicom(path, name, chosen_spacing, chosen_laterality, chosen_view, settings)
    image = _read_raster(path, name, kind, settings.max_pixels)
    return _from_raster(image, name, chosen_spacing, chosen_laterality, chosen_view, path, settings)


def _head(path: Path, name: str) -> bytes:
    if not path.exists():
        raise InputError(f"{name}: no such file; check the path.")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not an image file; pass the files inside it.")
    try:
        head = read_head(path)
    except OSError as error:
        raise InputError(f"{name}: the file cannot be opened ({error.strerror}).") from error
    if not head:
        raise InputError(f"{name}: the file is empty (0 bytes); not an image.")
    return head


def _read_raster(path: Path, name: str, kind: Format, max_pixels: int) -> raster.RasterImage:
    if kind is Format.NPY:
        return raster.read_npy(path, name, max_pixels=max_pixels)
    if kind is Format.PGM:
        return raster.read_pgm(path, name, max_pixels=max_pixels)
    if kind is Format.TIFF:
        return raster.read_tiff(path, name, max_pixels=max_pixels)
    return raster.read_pillow(path, name, max_pixels=max_pixels)  # PNG, JPEG, BMP, ...


def _from_raster(
    image: raster.RasterImage,
    name: str,
    spacing_mm: float | None,
    laterality: Laterality | None,
    view: View | None,
    path: Path | None,
    settings: Settings,
) -> Mammogram:
    check_content(image.values, name)
    named = parse_name(path) if path is not None else None
    notes = list(image.warnings)
    assumed = spacing_mm is None
    if spacing_mm is None:
        spacing_mm = settings.default_spacing_mm
        notes.append(_assumed_spacing_note(name, spacing_mm))
    return Mammogram(
        pixels=scale_to_unit(image.values, image.low, image.high),
        spacing_mm=spacing_mm,
        laterality=laterality or (named.laterality if named else None),
        view=view or (named.view if named else View.UNKNOWN),
        identifiers=Identifiers(source=name),
        spacing_assumed=assumed,
        is_film=image.is_film,
        warnings=tuple(notes),
    )


def _from_dicom(
    path: Path,
    name: str,
    spacing_mm: float | None,
    laterality: Laterality | None,
    view: View | None,
    settings: Settings,
) -> Mammogram:
    image = read_dicom(path, name, max_pixels=settings.max_pixels)
    notes = list(image.warnings)
    header_mm = image.spacing.spacing_mm
    assumed = False
    if spacing_mm is not None:
        if header_mm is not None and not math.isclose(spacing_mm, header_mm, rel_tol=0.01):
            notes.append(
                f"{name}: pixel spacing {spacing_mm:g} mm given by the caller overrides "
                f"{header_mm:.4f} mm from {image.spacing.rule}."
            )
    elif header_mm is not None:
        spacing_mm = header_mm
    else:
        spacing_mm, assumed = settings.default_spacing_mm, True
        notes.append(_assumed_spacing_note(name, spacing_mm))
    named = parse_name(path)
    return Mammogram(
        pixels=image.pixels,
        spacing_mm=spacing_mm,
        laterality=laterality or image.laterality or named.laterality,
        view=view or (image.view if image.view is not View.UNKNOWN else named.view),
        identifiers=image.identifiers,
        spacing_assumed=assumed,
        is_film=image.is_film,
        warnings=tuple(notes),
    )


def _assumed_spacing_note(name: str, spacing_mm: float) -> str:
    return (
        f"{name}: no pixel spacing given; assumed {spacing_mm:.3f} mm. Pass --pixel-spacing MM "
        "(spacing_mm=) with the detector's value, as sizes in mm scale with it."
    )


def _check_spacing(spacing_mm: float | None) -> float | None:
    if spacing_mm is None:
        return None
    try:
        value = float(spacing_mm)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"spacing_mm={spacing_mm!r} is not a number; pass mm.") from error
    if not (math.isfinite(value) and 0 < value <= 5.0):
        raise ParameterError(
            f"spacing_mm={spacing_mm!r} is outside (0, 5] mm; mammograms use about 0.05-0.2 mm."
        )
    return value


def _to_laterality(value: Laterality | str | None) -> Laterality | None:
    if value is None or isinstance(value, Laterality):
        return value
    text = str(value).strip().upper()
    aliases = {"LEFT": "L", "RIGHT": "R"}
    try:
        return Laterality(aliases.get(text, text))
    except ValueError as error:
        raise ParameterError(f"laterality={value!r} is not one of L, R, left, right.") from error


def _to_view(value: View | str | None) -> View | None:
    if value is None or isinstance(value, View):
        return value
    try:
        return View(str(value).strip().upper())
    except ValueError as error:
        choices = ", ".join(v.value for v in View)
        raise ParameterError(f"view={value!r} is not one of {choices}.") from error
