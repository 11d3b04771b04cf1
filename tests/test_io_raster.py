"""Reading PNG, TIFF, PGM, .npy files and arrays; spacing, film flag, names and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from mammocalc.errors import InputError, ParameterError
from mammocalc.io import read
from mammocalc.settings import Settings
from mammocalc.vocabulary import Laterality, View

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def ramp(rows: int = 24, cols: int = 32, top: int = 255, dtype: type = np.uint8) -> np.ndarray:
    """A left-to-right ramp from 0 to ``top`` (not constant, exactly known)."""
    values = np.rint(np.linspace(0, top, cols))[None, :].repeat(rows, axis=0)
    return values.astype(dtype)


def write_pgm(path: Path, image: np.ndarray, *, plain: bool, maxval: int | None = None) -> Path:
    rows, cols = image.shape
    maxval = maxval or (255 if image.dtype == np.uint8 else 65535)
    header = f"{'P2' if plain else 'P5'}\n# made by a test\n{cols} {rows}\n{maxval}\n".encode()
    if plain:
        body = "\n".join(" ".join(str(v) for v in row) for row in image).encode() + b"\n"
    else:
        body = image.astype(">u2" if maxval > 255 else np.uint8).tobytes()
    path.write_bytes(header + body)
    return path


def test_png_8_bit_is_film_scaled_by_255(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    Image.fromarray(ramp()).save(path)
    mammogram = read(path, spacing_mm=0.2)
    np.testing.assert_allclose(mammogram.pixels, ramp() / 255.0, atol=1e-6)
    assert mammogram.is_film
    assert mammogram.spacing_mm == 0.2 and not mammogram.spacing_assumed
    assert mammogram.warnings == ()


def test_png_16_bit_holding_12_bit_data_is_scaled_by_4095(tmp_path: Path) -> None:
    image = ramp(top=4095, dtype=np.uint16)
    path = tmp_path / "0_L-CC.png"
    Image.fromarray(image).save(path)
    mammogram = read(path)
    np.testing.assert_allclose(mammogram.pixels, image / 4095.0, atol=1e-6)
    assert not mammogram.is_film
    assert (mammogram.laterality, mammogram.view) == (Laterality.LEFT, View.CC)
    assert any("scaled as 12-bit data (0-4095)" in w for w in mammogram.warnings)


def test_png_16_bit_full_range_and_assumed_spacing(tmp_path: Path) -> None:
    image = ramp(top=65535, dtype=np.uint16)
    path = tmp_path / "full.png"
    Image.fromarray(image).save(path)
    mammogram = read(path, settings=Settings(default_spacing_mm=0.1))
    np.testing.assert_allclose(mammogram.pixels, image / 65535.0, atol=1e-6)
    assert mammogram.spacing_assumed and mammogram.spacing_mm == 0.1
    assert mammogram.warnings == (
        f"{path}: no pixel spacing given; assumed 0.100 mm. Pass --pixel-spacing MM (spacing_mm=)"
        " with the detector's value, as sizes in mm scale with it.",
    )


def test_colour_png_becomes_grey_with_a_warning(tmp_path: Path) -> None:
    grey = ramp()
    rgb = np.stack([grey, grey // 2, grey], axis=-1)
    path = tmp_path / "colour.png"
    Image.fromarray(rgb).save(path)
    mammogram = read(path, spacing_mm=0.1)
    expected = (0.299 * grey + 0.587 * (grey // 2) + 0.114 * grey) / 255.0
    np.testing.assert_allclose(mammogram.pixels, expected, atol=0.5 / 255 + 1e-6)
    assert any("colour image converted to greyscale" in w for w in mammogram.warnings)
    same = tmp_path / "grey_as_rgb.png"
    Image.fromarray(np.stack([grey] * 3, axis=-1)).save(same)
    assert read(same, spacing_mm=0.1).warnings == ()


def test_tiff_16_bit_and_float(tmp_path: Path) -> None:
    image = ramp(top=16383, dtype=np.uint16)
    tifffile.imwrite(tmp_path / "RMLO.tif", image)
    mammogram = read(tmp_path / "RMLO.tif", spacing_mm=0.05)
    np.testing.assert_allclose(mammogram.pixels, image / 16383.0, atol=1e-6)
    assert (mammogram.laterality, mammogram.view) == (Laterality.RIGHT, View.MLO)
    assert not mammogram.is_film
    floats = (ramp() / 255.0).astype(np.float32)
    tifffile.imwrite(tmp_path / "float.tiff", floats)
    np.testing.assert_allclose(read(tmp_path / "float.tiff").pixels, floats, atol=1e-7)


@pytest.mark.parametrize("plain", [True, False], ids=["P2", "P5"])
@pytest.mark.parametrize("bits", [8, 16])
def test_pgm_plain_and_binary(tmp_path: Path, plain: bool, bits: int) -> None:
    top = 255 if bits == 8 else 1023
    image = ramp(top=top, dtype=np.uint8 if bits == 8 else np.uint16)
    maxval = 255 if bits == 8 else 1023
    path = write_pgm(tmp_path / "left_cc.pgm", image, plain=plain, maxval=maxval)
    mammogram = read(path)
    np.testing.assert_allclose(mammogram.pixels, image / maxval, atol=1e-6)
    assert mammogram.is_film == (bits == 8)
    assert (mammogram.laterality, mammogram.view) == (Laterality.LEFT, View.CC)
    assert mammogram.spacing_assumed


def test_npy_and_arrays(tmp_path: Path) -> None:
    floats = (ramp() / 255.0).astype(np.float32)
    np.save(tmp_path / "image.npy", floats)
    from_file = read(tmp_path / "image.npy", spacing_mm=0.1)
    np.testing.assert_array_equal(from_file.pixels, floats)
    assert not from_file.is_film
    array = read(floats, spacing_mm=0.07, laterality="R", view="MLO")
    assert array.identifiers.source == "<array>"
    assert (array.laterality, array.view, array.spacing_mm) == (Laterality.RIGHT, View.MLO, 0.07)
    wide = read(np.linspace(-5.0, 5.0, 64).reshape(8, 8), spacing_mm=0.1)
    assert wide.pixels.min() == 0.0 and wide.pixels.max() == 1.0
    assert any("scaled by the image's range" in w for w in wide.warnings)
    wide_ints = read(ramp(top=100_000, dtype=np.int64), spacing_mm=0.1)
    assert wide_ints.pixels.max() == 1.0
    twelve_bit = read(ramp(top=4095, dtype=np.uint16), spacing_mm=0.1)
    assert twelve_bit.pixels.max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spacing_mm": -0.1}, "spacing_mm=-0.1 is outside"),
        ({"spacing_mm": "wide"}, "is not a number"),
        ({"laterality": "middle"}, "laterality='middle' is not one of"),
        ({"view": "TOP"}, "view='TOP' is not one of"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        read(ramp(), **kwargs)  # type: ignore[arg-type]


# ---- bad input ----


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere.png: no such file; check the path\."):
        read(tmp_path / "nowhere.png")
    with pytest.raises(InputError, match="is a directory"):
        read(tmp_path)


def test_not_an_image_empty_and_truncated_files(tmp_path: Path) -> None:
    text = tmp_path / "report.png"
    text.write_text("patient letter, not a picture\n")
    with pytest.raises(InputError, match=r"report.png: not a readable image \(expected DICOM"):
        read(text)
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty.tif: the file is empty \(0 bytes\)"):
        read(empty)
    whole = tmp_path / "whole.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)).save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[:200])
    with pytest.raises(InputError, match="cut.png: the image file is corrupt or truncated"):
        read(cut)
    pgm = tmp_path / "short.pgm"
    pgm.write_bytes(b"P5\n10 10\n255\n" + bytes(50))
    with pytest.raises(InputError, match=r"short.pgm: the PGM file is truncated \(50 of 100"):
        read(pgm)
    broken_npy = tmp_path / "broken.npy"
    broken_npy.write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(InputError, match="broken.npy: not a readable .npy array"):
        read(broken_npy)


def test_constant_and_zero_pixel_images(tmp_path: Path) -> None:
    flat = tmp_path / "flat.png"
    Image.fromarray(np.full((20, 20), 1234, np.uint16)).save(flat)
    with pytest.raises(
        InputError,
        match=r"flat.png: the image is constant \(all pixels 1234\); no breast to analyse\.",
    ):
        read(flat)
    np.save(tmp_path / "none.npy", np.zeros((0, 30), np.float32))
    with pytest.raises(InputError, match=r"none.npy: the image is empty \(0 x 30 pixels\)"):
        read(tmp_path / "none.npy")
    with pytest.raises(InputError, match="<array>: the image has shape"):
        read(np.zeros((3, 4, 5, 6)))
    with pytest.raises(InputError, match="<array>: the image holds NaN"):
        read(np.array([[0.0, np.nan], [1.0, 0.5]]))


def test_size_limit_before_decoding_and_pillow_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.png"
    Image.fromarray(ramp(100, 100)).save(path)
    with pytest.raises(InputError, match="big.png: the image has 100 x 100 = 10,000 pixels"):
        read(path, settings=Settings(max_pixels=5000))
    pgm = write_pgm(tmp_path / "big.pgm", ramp(100, 100), plain=False)
    with pytest.raises(InputError, match="more than the limit of 5,000"):
        read(pgm, settings=Settings(max_pixels=5000))
    with pytest.raises(InputError, match="more than the limit"):
        read(np.ones((100, 100)), settings=Settings(max_pixels=5000))
    # Pillow's own guard, which fires while opening, is mapped too
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(InputError, match="big.png: the image is too large to decode safely"):
        read(path)


def test_nyu_sample_exam() -> None:
    folder = SHARED_DATA / "nyu-gmic-sample"
    if not folder.is_dir():
        pytest.skip(f"NYU sample exam not found at {folder}")
    mammogram = read(folder / "0_R-MLO.png")
    assert (mammogram.laterality, mammogram.view) == (Laterality.RIGHT, View.MLO)
    assert mammogram.pixels.dtype == np.float32 and mammogram.pixels.max() == pytest.approx(1.0)
    assert mammogram.spacing_assumed and not mammogram.is_film
    assert any("scaled as 12-bit" in w for w in mammogram.warnings)


def test_mini_mias_image_is_film() -> None:
    path = SHARED_DATA / "mini-mias" / "mdb001.pgm"
    if not path.is_file():
        pytest.skip(f"mini-MIAS image not found at {path}")
    mammogram = read(path, spacing_mm=0.2)
    assert mammogram.pixels.shape == (1024, 1024)
    assert mammogram.is_film and mammogram.laterality is None
