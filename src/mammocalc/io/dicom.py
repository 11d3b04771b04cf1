"""Read one mammography DICOM file: header checks, decoding, densities and metadata.

Transfer syntaxes are decoded by pydicom 3 and its plugins: implicit/explicit little endian,
deflated, big endian and RLE Lossless natively; JPEG Baseline, Extended and Lossless and JPEG-LS by
pylibjpeg-libjpeg (or pyjpegls); JPEG 2000 by pylibjpeg-openjpeg. A missing plugin, a truncated
file or pixels that do not decode each raise :class:`~mammocalc.errors.InputError`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pydicom
from pydicom import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import get_decoder
from pydicom.uid import UID

from mammocalc.errors import InputError
from mammocalc.io._checks import brief, check_content, check_pixel_count, to_grey
from mammocalc.io.dicom_pixels import to_densities
from mammocalc.io.dicom_tags import (
    DicomSpacing,
    check_modality,
    identifiers_from_header,
    is_digitised_film,
    laterality_from_header,
    spacing_from_header,
    view_from_header,
)
from mammocalc.models import Identifiers
from mammocalc.vocabulary import Laterality, View

# the packages that decode each compressed family (pydicom decodes the others itself)
_DECODER_PACKAGES = {
    "JPEG 2000": "pylibjpeg and pylibjpeg-openjpeg",
    "JPEG-LS": "pylibjpeg and pylibjpeg-libjpeg (or pyjpegls)",
    "JPEG": "pylibjpeg and pylibjpeg-libjpeg (or pillow for JPEG Baseline)",
    "RLE": "pylibjpeg-rle",
}


@dataclass(frozen=True)
class DicomImage:
    """One decoded DICOM mammogram before it becomes a :class:`~mammocalc.models.Mammogram`.

    Attributes
    ----------
    pixels : ndarray, shape (rows, cols), float32
        Densities in [0, 1], brighter = denser.
    spacing : DicomSpacing
    laterality, view : from the header
    identifiers : Identifiers
    is_film : bool
        Conversion Type (0008,0064) DF.
    voi : str or None
        Which VOI step was applied (see ``dicom_pixels``).
    warnings : tuple of str
    """

    pixels: np.ndarray
    spacing: DicomSpacing
    laterality: Laterality | None
    view: View
    identifiers: Identifiers
    is_film: bool
    voi: str | None
    warnings: tuple[str, ...] = ()


def read_header(path: Path, source: str) -> Dataset:
    """Read a DICOM header and its (still encoded) pixel data, refusing what is not DICOM.

    Raises
    ------
    InputError
        Not DICOM, truncated header, or no Pixel Data.
    """
    try:
        ds = pydicom.dcmread(path, force=True)
    except InvalidDicomError as error:
        raise InputError(f"{source}: not a readable DICOM file ({brief(error)}).") from error
    except (EOFError, OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{source}: the DICOM file is truncated or corrupt ({brief(error)})."
        ) from error
    if "PixelData" not in ds:
        if "SOPClassUID" not in ds and "Modality" not in ds:
            if getattr(ds, "preamble", None) is not None:  # a DICM file, cut or mangled
                raise InputError(
                    f"{source}: the DICOM file is truncated or corrupt (no image header found)."
                )
            raise InputError(
                f"{source}: not a readable DICOM file (no DICOM header found), nor a PNG, TIFF, "
                "PGM or .npy image."
            )
        check_modality(ds, source)
        raise InputError(f"{source}: the DICOM file holds no Pixel Data (7FE0,0010).")
    return ds


def read_dicom(path: Path, source: str, *, max_pixels: int) -> DicomImage:
    """Read and check one mammography DICOM file.

    Parameters
    ----------
    path : Path
    source : str
        Name used in messages.
    max_pixels : int
        Rows x Columns above this are refused before decoding.

    Raises
    ------
    InputError
        For every problem in the module notes.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = _read_dicom(path, source, max_pixels=max_pixels)
    return _with_library_notes(image, caught, source)


def _with_library_notes(
    image: DicomImage, caught: list[warnings.WarningMessage], source: str
) -> DicomImage:
    """Fold pydicom's warnings (odd header values, ...) into one note instead of many."""
    messages = list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    if not messages:
        return image
    first = messages[0] if len(messages[0]) <= 120 else messages[0][:117] + "..."
    note = (
        f"{source}: pydicom reported {len(messages)} irregularities while reading (first: {first})."
    )
    return replace(image, warnings=(*image.warnings, note))


def _read_dicom(path: Path, source: str, *, max_pixels: int) -> DicomImage:
    ds = read_header(path, source)
    check_modality(ds, source)
    check_pixel_count(
        int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0), max_pixels, source
    )
    stored, notes = _decode_first_frame(ds, source)
    grey, grey_notes = to_grey(stored, source)
    notes += grey_notes
    check_content(grey, source)
    density_notes: tuple[str, ...] = ()
    densities_voi: str | None = None
    if grey_notes:  # colour was converted: display LUTs of a greyscale image no longer apply
        pixels = ((grey - grey.min()) / (grey.max() - grey.min())).astype(np.float32)
    else:
        densities = to_densities(grey, ds, source)
        pixels, densities_voi, density_notes = densities.pixels, densities.voi, densities.warnings
    spacing = spacing_from_header(ds, source)
    return DicomImage(
        pixels=pixels,
        spacing=spacing,
        laterality=laterality_from_header(ds),
        view=view_from_header(ds),
        identifiers=identifiers_from_header(ds, source),
        is_film=is_digitised_film(ds),
        voi=densities_voi,
        warnings=(*notes, *density_notes, *spacing.warnings),
    )


def _decode_first_frame(ds: Dataset, source: str) -> tuple[np.ndarray, list[str]]:
    """Decode the first frame, naming the package to install when no decoder is available."""
    syntax = _transfer_syntax(ds, source)
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError as error:
        raise InputError(
            f"{source}: transfer syntax {syntax.name} ({syntax}) cannot be decoded by pydicom; "
            "convert the file to an uncompressed or JPEG-family syntax."
        ) from error
    if not decoder.is_available:
        raise InputError(
            f"{source}: no decoder is installed for {syntax.name}; install "
            f"{_packages_for(syntax)} (pip install 'mammocalc' brings them)."
        )
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    notes = []
    if frames > 1:
        notes.append(f"{source}: {frames} frames; only the first is analysed.")
    try:
        ds.pixel_array_options(index=0)
        stored = np.asarray(ds.pixel_array)
    except (
        ValueError,
        RuntimeError,
        OSError,
        EOFError,
        KeyError,
        AttributeError,
        TypeError,
        IndexError,
    ) as error:
        raise InputError(
            f"{source}: the pixel data cannot be decoded, the file is truncated or corrupt "
            f"({brief(error)})."
        ) from error
    return stored, notes


def _transfer_syntax(ds: Dataset, source: str) -> UID:
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if syntax is not None:
        return UID(str(syntax))
    # a file without a meta header: pydicom worked out the encoding while reading, and needs it
    # written down to decode the pixels
    implicit, little = ds.original_encoding
    if little is False:
        syntax = pydicom.uid.ExplicitVRBigEndian
    elif implicit:
        syntax = pydicom.uid.ImplicitVRLittleEndian
    else:
        syntax = pydicom.uid.ExplicitVRLittleEndian
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    return syntax


def _packages_for(syntax: UID) -> str:
    name = syntax.name
    for family, packages in _DECODER_PACKAGES.items():
        if family in name:
            return packages
    return "pylibjpeg with its libjpeg, openjpeg and rle plugins"
