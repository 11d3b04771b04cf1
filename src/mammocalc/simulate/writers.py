"""Write a simulated image as DICOM (MG, For Presentation) and 16-bit PNG, plus its truth JSON.

Every file is written to a temporary name in the target folder and then renamed, so a reader
never sees a half-written file.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian

from mammocalc import __version__
from mammocalc.errors import ParameterError
from mammocalc.simulate.truth import SimulatedImage, Truth

DIGITAL_MAMMOGRAPHY_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2"
FORMATS = ("dcm", "png")
# View Code Sequence (CID 4014), SNOMED CT codes
_VIEW_CODES = {"CC": ("399162004", "cranio-caudal"), "MLO": ("399368009", "medio-lateral oblique")}
# Patient Orientation (0020,0020) of the display convention: (row direction, column direction)
_ORIENTATION = {
    ("L", "CC"): "A\\R",
    ("R", "CC"): "P\\L",
    ("L", "MLO"): "A\\F",
    ("R", "MLO"): "P\\F",
}


def write_simulated(
    sim: SimulatedImage, out_dir: Path | str, *, formats: Iterable[str] = FORMATS
) -> list[Path]:
    """Write ``sim`` into ``out_dir`` as ``<name>.dcm``/``<name>.png`` and ``<name>.truth.json``.

    Returns the paths written, the truth file last.
    """
    formats = tuple(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ParameterError(f"formats {unknown} are unknown; choose from {', '.join(FORMATS)}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stored = stored_values(sim)
    written = []
    if "dcm" in formats:
        dataset = to_dicom(sim, stored)
        written.append(
            _atomic(out / f"{sim.name}.dcm", lambda p: dataset.save_as(p, enforce_file_format=True))
        )
    if "png" in formats:
        written.append(
            _atomic(
                out / f"{sim.name}.png", lambda p: Image.fromarray(stored).save(p, format="PNG")
            )
        )
    truth_json = sim.truth.model_dump_json(indent=1)
    written.append(_atomic(out / f"{sim.name}.truth.json", lambda p: p.write_text(truth_json)))
    return written


def read_truth(path: Path | str) -> Truth:
    """Read a ``.truth.json`` written by :func:`write_simulated`."""
    return Truth.model_validate_json(Path(path).read_text())


def bits_stored(sim: SimulatedImage) -> int:
    """Stored bit depth of the image (8 for film, else the detector's 12 or 14)."""
    return int(sim.truth.dose.get("bits_stored", 12))


def stored_values(sim: SimulatedImage) -> np.ndarray:
    """The pixels as stored integers (uint16) over ``bits_stored`` bits."""
    levels = 2 ** bits_stored(sim) - 1
    return np.rint(sim.mammogram.pixels * levels).astype(np.uint16)


def to_dicom(sim: SimulatedImage, stored: np.ndarray) -> Dataset:
    """A Digital Mammography X-Ray Image (For Presentation) dataset for ``sim``."""
    mg, truth = sim.mammogram, sim.truth
    ids = mg.identifiers
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(DIGITAL_MAMMOGRAPHY_FOR_PRESENTATION)
    meta.MediaStorageSOPInstanceUID = UID(ids.sop_uid or "")
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = DIGITAL_MAMMOGRAPHY_FOR_PRESENTATION
    ds.SOPInstanceUID = ids.sop_uid
    ds.StudyInstanceUID = ids.study_uid
    ds.SeriesInstanceUID = ids.series_uid
    ds.PatientName = "SYNTHETIC^PHANTOM"
    ds.PatientID = f"SIM-{truth.seed:05d}"
    ds.PatientSex = "F"
    ds.PatientIdentityRemoved = "YES"
    today = datetime.date(2000, 1, 1).strftime("%Y%m%d")  # fixed: files are reproducible
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = today
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "000000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.SeriesNumber = 1 if truth.laterality.value == "L" else 2
    ds.InstanceNumber = 1 if truth.view.value == "CC" else 2
    ds.Modality = "MG"
    ds.Manufacturer = "mammocalc simulator (synthetic)"
    ds.SoftwareVersions = __version__
    ds.StudyDescription = f"SYNTHETIC mammogram, scene {truth.scene}"
    ds.SeriesDescription = f"{truth.laterality.value} {truth.view.value}"
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.ImageType = ["DERIVED" if mg.is_film else "ORIGINAL", "PRIMARY"]
    ds.BurnedInAnnotation = "YES" if mg.is_film else "NO"
    ds.BodyPartExamined = "BREAST"
    ds.ImageLaterality = truth.laterality.value
    ds.Laterality = truth.laterality.value
    ds.ViewPosition = truth.view.value
    ds.PatientOrientation = _ORIENTATION[(truth.laterality.value, truth.view.value)].split("\\")
    code_value, meaning = _VIEW_CODES[truth.view.value]
    view_code = Dataset()
    view_code.CodeValue = code_value
    view_code.CodingSchemeDesignator = "SCT"
    view_code.CodeMeaning = meaning
    view_code.ViewModifierCodeSequence = Sequence([])
    ds.ViewCodeSequence = Sequence([view_code])
    spacing = f"{mg.spacing_mm:.6g}"
    ds.ImagerPixelSpacing = [spacing, spacing]
    ds.PixelSpacing = [spacing, spacing]
    ds.PixelSpacingCalibrationType = "GEOMETRY"
    ds.DetectorType = "FILM" if mg.is_film else "DIRECT"
    ds.KVP = "28"
    ds.AnodeTargetMaterial = "TUNGSTEN"
    ds.FilterMaterial = "RHODIUM"
    ds.BodyPartThickness = f"{truth.dose.get('compressed_thickness_mm', 50.0):.0f}"
    bits = bits_stored(sim)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = stored.shape
    ds.BitsAllocated = 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.RescaleIntercept = "0"
    ds.RescaleSlope = "1"
    ds.RescaleType = "US"
    ds.WindowCenter = str(2 ** (bits - 1))
    ds.WindowWidth = str(2**bits)
    ds.VOILUTFunction = "LINEAR"
    ds.PixelData = stored.astype("<u2").tobytes()
    return ds


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
