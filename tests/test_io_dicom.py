"""DICOM reading: every transfer syntax, display steps, orientation, spacing, tags, bad files.

The DICOMs are built here with pydicom (compressed with its encoders, a Pillow JPEG, or the small
JPEG Lossless encoder below), so the suite needs no data files.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (
    JPEG2000,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
    generate_uid,
)

from mammocalc.errors import InputError
from mammocalc.io import dicom as dicom_module
from mammocalc.io import read
from mammocalc.io.dicom import read_dicom
from mammocalc.io.dicom_pixels import VOI_LUT_SEQUENCE, WINDOW
from mammocalc.settings import Settings
from mammocalc.vocabulary import Laterality, View

MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2"
MG_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.2.1"
STUDY_UID = generate_uid()


def phantom(rows: int = 48, cols: int = 40, bits: int = 12) -> np.ndarray:
    """A dense disc on a smooth background: stored values, brighter = denser (MONOCHROME2)."""
    rr, cc = np.mgrid[:rows, :cols]
    top = 2**bits - 1
    image = 0.2 * top + 0.3 * top * cc / cols
    image[(rr - rows / 2) ** 2 + (cc - cols / 3) ** 2 < (rows / 5) ** 2] = 0.9 * top
    return np.rint(image).astype(np.uint16 if bits > 8 else np.uint8)


def mg_dataset(pixels: np.ndarray, *, bits: int = 12, **tags: object) -> Dataset:
    """A minimal Digital Mammography For Presentation dataset holding ``pixels``."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = MG_FOR_PRESENTATION
    ds.SOPClassUID = MG_FOR_PRESENTATION
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID = STUDY_UID
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "DOE^JANE"
    ds.Modality = "MG"
    ds.ImagerPixelSpacing = [0.07, 0.07]
    ds.ImageLaterality = "L"
    ds.ViewPosition = "CC"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8 if pixels.dtype == np.uint8 else 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    for keyword, value in tags.items():
        setattr(ds, keyword, value)
    return ds


def save(ds: Dataset, path: Path, syntax: str | None = None) -> Path:
    """Write ``ds``, re-encoded with ``syntax`` when that is an uncompressed one."""
    if syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian):
        ds.file_meta.TransferSyntaxUID = syntax
    ds.save_as(path, enforce_file_format=True)
    return path


def encode_jpeg_lossless(image: np.ndarray, precision: int) -> bytes:
    """A minimal JPEG Lossless encoder (ITU T.81 process 14, selection value 1), one channel.

    Huffman table: the 17 difference categories SSSS = 0..16 each get a 5-bit code.
    """
    rows, cols = image.shape
    out = bytearray(b"\xff\xd8")
    out += b"\xff\xc3" + (11).to_bytes(2, "big") + bytes([precision])
    out += rows.to_bytes(2, "big") + cols.to_bytes(2, "big") + bytes([1, 1, 0x11, 0])
    counts = [0, 0, 0, 0, 17] + [0] * 11
    out += b"\xff\xc4" + (3 + 16 + 17).to_bytes(2, "big") + bytes([0x00])
    out += bytes(counts) + bytes(range(17))
    out += b"\xff\xda" + (8).to_bytes(2, "big") + bytes([1, 1, 0x00, 1, 0, 0])
    values = image.astype(np.int64)
    codes: list[str] = []
    for r in range(rows):
        for c in range(cols):
            if r == 0 and c == 0:
                prediction = 1 << (precision - 1)
            elif c > 0:
                prediction = values[r, c - 1]
            else:
                prediction = values[r - 1, c]
            diff = int(values[r, c] - prediction)
            category = abs(diff).bit_length()
            codes.append(format(category, "05b"))
            if 0 < category < 16:
                extra = diff if diff > 0 else diff - 1
                codes.append(format(extra & ((1 << category) - 1), f"0{category}b"))
    bits = "".join(codes)
    bits += "1" * (-len(bits) % 8)
    for i in range(0, len(bits), 8):
        out.append(int(bits[i : i + 8], 2))
        if out[-1] == 0xFF:
            out.append(0)  # byte stuffing
    return bytes(out + b"\xff\xd9")


def _encapsulated(ds: Dataset, frame: bytes, syntax: str) -> Dataset:
    ds.PixelData = encapsulate([frame])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = syntax
    return ds


def build(syntax: str, pixels: np.ndarray) -> Dataset:
    """``pixels`` (12-bit, or 8-bit for JPEG Baseline) in a dataset encoded with ``syntax``."""
    bits = 8 if pixels.dtype == np.uint8 else 12
    ds = mg_dataset(pixels, bits=bits)
    if syntax == JPEGBaseline8Bit:
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=95)
        return _encapsulated(ds, buffer.getvalue(), syntax)
    if syntax in (JPEGLosslessSV1, JPEGLossless):  # selection value 1 is valid in both
        return _encapsulated(ds, encode_jpeg_lossless(pixels, 12), syntax)
    if syntax == JPEGLSNearLossless:
        ds.compress(syntax, jls_error=3)
    elif syntax == JPEG2000:
        ds.compress(syntax, j2k_psnr=[50])
    elif syntax in (RLELossless, JPEGLSLossless, JPEG2000Lossless):
        ds.compress(syntax)
    return ds


# (transfer syntax, largest allowed error in [0, 1] units against the uncompressed reading)
SYNTAXES = [
    (ImplicitVRLittleEndian, 0.0),
    (ExplicitVRLittleEndian, 0.0),
    (DeflatedExplicitVRLittleEndian, 0.0),
    (RLELossless, 0.0),
    (JPEGLossless, 0.0),
    (JPEGLosslessSV1, 0.0),
    (JPEGLSLossless, 0.0),
    (JPEGLSNearLossless, 3.5 / 4095),
    (JPEG2000Lossless, 0.0),
    (JPEG2000, 0.05),
]


@pytest.mark.parametrize(("syntax", "tolerance"), SYNTAXES, ids=[s.name for s, _ in SYNTAXES])
def test_every_transfer_syntax_gives_the_same_image(
    tmp_path: Path, syntax: pydicom.uid.UID, tolerance: float
) -> None:
    pixels = phantom()
    path = save(build(syntax, pixels), tmp_path / "image.dcm", syntax)
    assert pydicom.dcmread(path).file_meta.TransferSyntaxUID == syntax
    mammogram = read(path)
    assert mammogram.pixels.dtype == np.float32
    expected = pixels / 4095.0
    np.testing.assert_allclose(mammogram.pixels, expected, atol=tolerance + 1e-6)
    assert mammogram.spacing_mm == pytest.approx(0.07)
    assert not mammogram.spacing_assumed


def test_jpeg_baseline_8_bit(tmp_path: Path) -> None:
    pixels = phantom(bits=8)
    path = save(build(JPEGBaseline8Bit, pixels), tmp_path / "jpeg.dcm")
    mammogram = read(path)
    np.testing.assert_allclose(mammogram.pixels, pixels / 255.0, atol=0.06)
    disc = mammogram.pixels[24, 13]
    assert disc > mammogram.pixels[5, 5] + 0.4  # the dense disc stays bright


def test_monochrome1_and_monochrome2_give_the_same_densities(tmp_path: Path) -> None:
    pixels = phantom()
    mono2 = read(save(mg_dataset(pixels), tmp_path / "m2.dcm"))
    inverted = (4095 - pixels).astype(np.uint16)
    mono1 = read(
        save(mg_dataset(inverted, PhotometricInterpretation="MONOCHROME1"), tmp_path / "m1.dcm")
    )
    np.testing.assert_allclose(mono1.pixels, mono2.pixels, atol=1e-6)
    assert mono1.pixels[24, 13] > mono1.pixels[5, 5]  # brighter is denser


def test_pixel_intensity_relationship_sign_orients_the_image(tmp_path: Path) -> None:
    pixels = phantom()
    consistent = read(
        save(
            mg_dataset(pixels, PixelIntensityRelationship="LOG", PixelIntensityRelationshipSign=-1),
            tmp_path / "a.dcm",
        )
    )
    assert consistent.pixels[24, 13] > consistent.pixels[5, 5]
    assert consistent.warnings == ()
    # a sign of +1 says lower stored values are denser: it is followed, with a warning
    contradicting = read(
        save(
            mg_dataset(pixels, PixelIntensityRelationship="LOG", PixelIntensityRelationshipSign=1),
            tmp_path / "b.dcm",
        )
    )
    np.testing.assert_allclose(contradicting.pixels, 1 - consistent.pixels, atol=1e-6)
    assert any("contradicts Photometric Interpretation" in w for w in contradicting.warnings)


def test_for_processing_linear_data_is_log_transformed_and_dense_is_bright(tmp_path: Path) -> None:
    rows, cols = 32, 32
    intensity = np.full((rows, cols), 12000, np.uint16)  # unattenuated beam
    intensity[8:24, 8:24] = 3000  # tissue absorbs: less intensity
    intensity[14:18, 14:18] = 600  # a calcification absorbs more
    ds = mg_dataset(
        intensity,
        bits=14,
        SOPClassUID=MG_FOR_PROCESSING,
        PresentationIntentType="FOR PROCESSING",
        PhotometricInterpretation="MONOCHROME1",
        PixelIntensityRelationship="LIN",
        PixelIntensityRelationshipSign=1,
    )
    image = read_dicom(save(ds, tmp_path / "raw.dcm"), "raw.dcm", max_pixels=10**6)
    assert image.voi is None
    background, tissue, calcification = (
        image.pixels[2, 2],
        image.pixels[10, 10],
        image.pixels[16, 16],
    )
    assert background < tissue < calcification
    # log domain: equal intensity ratios give equal steps (12000/3000 = 4, 3000/600 = 5)
    assert (calcification - tissue) == pytest.approx(
        (tissue - background) * np.log(5) / np.log(4), rel=0.02
    )


def test_window_is_applied_and_named(tmp_path: Path) -> None:
    pixels = phantom()
    ds = mg_dataset(pixels, WindowCenter=2000, WindowWidth=1000)
    image = read_dicom(save(ds, tmp_path / "w.dcm"), "w.dcm", max_pixels=10**6)
    assert image.voi == WINDOW
    below, inside, above = pixels < 1400, (pixels > 1600) & (pixels < 2400), pixels > 2600
    assert np.all(image.pixels[below] == 0.0)
    assert np.all(image.pixels[above] == 1.0)
    expected = (pixels[inside] - 1500.0) / 1000.0
    np.testing.assert_allclose(image.pixels[inside], expected, atol=0.002)


def test_voi_lut_sequence_is_preferred_to_the_window(tmp_path: Path) -> None:
    pixels = phantom()
    item = Dataset()
    item.LUTDescriptor = [4096, 0, 16]
    item.LUTData = [min(4095, 2 * v) for v in range(4096)]  # doubles, saturating at 2048
    item["LUTData"].VR = "US"
    ds = mg_dataset(pixels, VOILUTSequence=Sequence([item]), WindowCenter=100, WindowWidth=10)
    image = read_dicom(save(ds, tmp_path / "lut.dcm"), "lut.dcm", max_pixels=10**6)
    assert image.voi == VOI_LUT_SEQUENCE
    expected = np.minimum(4095, 2 * pixels.astype(float)) / 4095
    np.testing.assert_allclose(image.pixels, expected, atol=1e-6)


def test_rescale_is_applied_before_scaling(tmp_path: Path) -> None:
    pixels = phantom()
    ds = mg_dataset(pixels, RescaleSlope=2.0, RescaleIntercept=-100.0)
    mammogram = read(save(ds, tmp_path / "r.dcm"))
    # the range scales with the values, so a linear rescale leaves the densities unchanged
    np.testing.assert_allclose(mammogram.pixels, pixels / 4095.0, atol=1e-6)


@pytest.mark.parametrize(
    ("tags", "spacing_mm", "rule"),
    [
        ({}, 0.07, "Imager Pixel Spacing (0018,1164), at the detector"),
        ({"EstimatedRadiographicMagnificationFactor": 1.75}, 0.04, "Magnification Factor"),
        (
            {"PixelSpacing": [0.065, 0.065], "PixelSpacingCalibrationType": "GEOMETRY"},
            0.065,
            "calibration type GEOMETRY",
        ),
        ({"PixelSpacing": [0.06, 0.06]}, 0.06, "differs from (0018,1164)"),
        # Pixel Spacing equal to Imager Pixel Spacing is not a calibration: ERMF still applies
        (
            {"PixelSpacing": [0.07, 0.07], "EstimatedRadiographicMagnificationFactor": 1.4},
            0.05,
            "Magnification Factor",
        ),
    ],
)
def test_spacing_follows_the_standard(
    tmp_path: Path, tags: dict[str, object], spacing_mm: float, rule: str
) -> None:
    path = save(mg_dataset(phantom(), **tags), tmp_path / "s.dcm")
    image = read_dicom(path, "s.dcm", max_pixels=10**6)
    assert image.spacing.spacing_mm == pytest.approx(spacing_mm)
    assert rule in image.spacing.rule
    assert read(path).spacing_mm == pytest.approx(spacing_mm)


def test_spacing_from_pixel_spacing_alone_or_none(tmp_path: Path) -> None:
    ds = mg_dataset(phantom(), PixelSpacing=[0.1, 0.1])
    del ds.ImagerPixelSpacing
    assert read(save(ds, tmp_path / "ps.dcm")).spacing_mm == pytest.approx(0.1)
    del ds.PixelSpacing
    mammogram = read(save(ds, tmp_path / "none.dcm"), settings=Settings(default_spacing_mm=0.085))
    assert mammogram.spacing_assumed
    assert mammogram.spacing_mm == pytest.approx(0.085)
    assert any("no pixel spacing given; assumed 0.085 mm" in w for w in mammogram.warnings)


def test_non_square_pixels_and_caller_override_are_noted(tmp_path: Path) -> None:
    path = save(mg_dataset(phantom(), ImagerPixelSpacing=[0.05, 0.1]), tmp_path / "ns.dcm")
    mammogram = read(path)
    assert mammogram.spacing_mm == pytest.approx(np.sqrt(0.005))
    assert any("not square" in w for w in mammogram.warnings)
    overridden = read(save(mg_dataset(phantom()), tmp_path / "o.dcm"), spacing_mm=0.1)
    assert overridden.spacing_mm == 0.1 and not overridden.spacing_assumed
    assert any("overrides 0.0700 mm" in w for w in overridden.warnings)


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "SCT", meaning
    return item


def test_laterality_and_view_from_tags(tmp_path: Path) -> None:
    ds = mg_dataset(phantom(), ImageLaterality="R", Laterality="L", ViewPosition="MLO")
    mammogram = read(save(ds, tmp_path / "LCC.dcm"))  # tags win over the file name
    assert (mammogram.laterality, mammogram.view) == (Laterality.RIGHT, View.MLO)
    del ds.ImageLaterality, ds.ViewPosition
    ds.ViewCodeSequence = Sequence([_code("999", "cranio-caudal")])
    fallback = read(save(ds, tmp_path / "plain.dcm"))
    assert (fallback.laterality, fallback.view) == (Laterality.LEFT, View.CC)
    ds.ViewCodeSequence = Sequence([_code("399368009", "whatever")])
    assert read(save(ds, tmp_path / "code.dcm")).view is View.MLO
    del ds.Laterality, ds.ViewCodeSequence
    by_name = read(save(ds, tmp_path / "case7_RMLO.dcm"))
    assert (by_name.laterality, by_name.view) == (Laterality.RIGHT, View.MLO)
    caller = read(tmp_path / "case7_RMLO.dcm", laterality="left", view="cc")
    assert (caller.laterality, caller.view) == (Laterality.LEFT, View.CC)


def test_identifiers_and_no_patient_name(tmp_path: Path) -> None:
    ds = mg_dataset(phantom())
    mammogram = read(save(ds, tmp_path / "id.dcm"))
    assert mammogram.identifiers.study_uid == ds.StudyInstanceUID
    assert mammogram.identifiers.series_uid == ds.SeriesInstanceUID
    assert mammogram.identifiers.sop_uid == ds.SOPInstanceUID
    assert mammogram.identifiers.source.endswith("id.dcm")
    assert "DOE" not in repr(mammogram.identifiers) + repr(mammogram.warnings)


def test_dx_breast_digitised_film_multiframe_and_colour(tmp_path: Path) -> None:
    pixels = phantom()
    dx = read(
        save(
            mg_dataset(pixels, Modality="DX", BodyPartExamined="BREAST", ConversionType="DF"),
            tmp_path / "dx.dcm",
        )
    )
    assert dx.is_film
    secondary = mg_dataset(pixels, SOPClassUID="1.2.840.10008.5.1.4.1.1.7")
    assert read(save(secondary, tmp_path / "sc.dcm")).is_film
    assert not read(save(mg_dataset(pixels), tmp_path / "ffdm.dcm")).is_film
    frames = np.stack([pixels, 4095 - pixels])
    multi = mg_dataset(frames[0], NumberOfFrames=2)
    multi.PixelData = frames.tobytes()
    first = read(save(multi, tmp_path / "multi.dcm"))
    np.testing.assert_allclose(first.pixels, pixels / 4095, atol=1e-6)
    assert any("2 frames; only the first" in w for w in first.warnings)
    rgb = np.stack([pixels // 16, pixels // 32, pixels // 16], axis=-1).astype(np.uint8)
    colour = mg_dataset(
        pixels,
        bits=8,
        SamplesPerPixel=3,
        PhotometricInterpretation="RGB",
        PlanarConfiguration=0,
        BitsAllocated=8,
    )
    colour.PixelData = rgb.tobytes()
    grey = read(save(colour, tmp_path / "rgb.dcm"))
    assert grey.pixels.shape == pixels.shape
    assert grey.pixels[24, 13] > grey.pixels[5, 5]
    assert any("converted to greyscale" in w for w in grey.warnings)


# ---- bad input: one sentence naming the file, InputError every time ----


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"Modality": "CT"}, "modality CT is not a mammogram"),
        ({"Modality": "DX", "BodyPartExamined": "CHEST"}, "modality DX of body part CHEST"),
        ({"Modality": ""}, "records no Modality"),
    ],
)
def test_other_modalities_are_refused(tmp_path: Path, tags: dict[str, str], message: str) -> None:
    path = save(mg_dataset(phantom(), **tags), tmp_path / "other.dcm")
    with pytest.raises(InputError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(str(path))


def test_truncated_and_corrupt_dicom(tmp_path: Path) -> None:
    whole = save(mg_dataset(phantom()), tmp_path / "whole.dcm").read_bytes()
    truncated = tmp_path / "truncated.dcm"
    truncated.write_bytes(whole[: len(whole) - 1000])
    with pytest.raises(InputError, match="truncated.dcm: .*(truncated|corrupt)"):
        read(truncated)
    header_only = tmp_path / "header_cut.dcm"
    header_only.write_bytes(whole[:300])
    with pytest.raises(InputError, match="header_cut.dcm: "):
        read(header_only)
    garbage = tmp_path / "garbage.dcm"
    garbage.write_bytes(b"\x00" * 128 + b"DICM" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="garbage.dcm: "):
        read(garbage)
    text = tmp_path / "notes.dcm"
    text.write_text("this is not a DICOM file\n")
    with pytest.raises(InputError, match="notes.dcm: not a readable DICOM file"):
        read(text)


def test_corrupt_compressed_stream(tmp_path: Path) -> None:
    ds = build(JPEG2000Lossless, phantom())
    frame = pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1)
    data = next(frame)
    ds.PixelData = encapsulate([data[: len(data) // 2]])
    with pytest.raises(InputError, match="broken.dcm: the pixel data cannot be decoded") as caught:
        read(save(ds, tmp_path / "broken.dcm"))
    assert "\n" not in str(caught.value)


def test_constant_and_empty_dicom(tmp_path: Path) -> None:
    flat = np.full((16, 16), 1234, np.uint16)
    with pytest.raises(InputError, match=r"flat.dcm: the image is constant \(all pixels 1234\)"):
        read(save(mg_dataset(flat), tmp_path / "flat.dcm"))
    empty = mg_dataset(phantom())
    empty.Rows = 0
    with pytest.raises(InputError, match="empty.dcm: the image is empty"):
        read(save(empty, tmp_path / "empty.dcm"))


def test_size_limit_is_checked_before_decoding(tmp_path: Path) -> None:
    bomb = mg_dataset(phantom())
    bomb.Rows, bomb.Columns = 60000, 60000  # the pixel data would not even decode
    with pytest.raises(InputError, match="bomb.dcm: the image has 60000 x 60000 = 3,600,000,000"):
        read(save(bomb, tmp_path / "bomb.dcm"))
    small_limit = Settings(max_pixels=1000)
    with pytest.raises(InputError, match="more than the limit of 1,000"):
        read(save(mg_dataset(phantom()), tmp_path / "ok.dcm"), settings=small_limit)


def test_missing_decoder_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(build(JPEG2000Lossless, phantom()), tmp_path / "j2k.dcm")
    unavailable = SimpleNamespace(is_available=False, missing_dependencies=["openjpeg"])
    monkeypatch.setattr(dicom_module, "get_decoder", lambda syntax: unavailable)
    with pytest.raises(
        InputError, match="j2k.dcm: no decoder .* install pylibjpeg and pylibjpeg-openjpeg"
    ):
        read(path)


def test_no_pixel_data(tmp_path: Path) -> None:
    ds = mg_dataset(phantom())
    del ds.PixelData
    with pytest.raises(InputError, match="nopixels.dcm: the DICOM file holds no Pixel Data"):
        read(save(ds, tmp_path / "nopixels.dcm"))


def test_pydicom_warnings_become_one_note(tmp_path: Path) -> None:
    ds = mg_dataset(phantom())
    with pytest.warns(UserWarning, match="Invalid value for VR UI"):
        ds.StudyInstanceUID = "1.2.3.abc"
    mammogram = read(save(ds, tmp_path / "odd.dcm"))  # -W error would fail on a leaked warning
    notes = [w for w in mammogram.warnings if "pydicom reported" in w]
    assert len(notes) == 1 and "Invalid value for VR UI" in notes[0]


def test_pixel_padding_is_background_even_in_monochrome1(tmp_path: Path) -> None:
    stored = (4095 - phantom()).astype(np.uint16)  # MONOCHROME1: low stored values are dense
    stored[:, :5] = 0  # padding outside the detector area
    ds = mg_dataset(stored, PhotometricInterpretation="MONOCHROME1")
    ds.add_new(0x00280120, "US", 0)  # Pixel Padding Value
    mammogram = read(save(ds, tmp_path / "padded.dcm"))
    assert np.all(mammogram.pixels[:, :5] == 0.0)
    assert mammogram.pixels[24, 13] > mammogram.pixels[5, 20] > 0.0


def test_jpeg_extended_12_bit_from_pydicoms_sample(tmp_path: Path) -> None:
    sample = Path(pydicom.__file__).parent / "data" / "test_files" / "JPGExtended.dcm"
    if not sample.is_file():
        pytest.skip(f"pydicom's JPEG Extended sample is not installed at {sample}")
    ds = pydicom.dcmread(sample)
    ds.Modality = "MG"  # an NM image: relabelled so that only decoding is tested
    mammogram = read(save(ds, tmp_path / "extended.dcm"), spacing_mm=0.1)
    assert mammogram.pixels.shape == (1024, 256)
    assert 0.0 <= mammogram.pixels.min() < mammogram.pixels.max() <= 1.0
