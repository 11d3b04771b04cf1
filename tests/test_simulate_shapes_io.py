"""Per-class size and shape statistics of simulated calcifications; DICOM, PNG, truth and CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
import typer
from PIL import Image
from skimage.morphology import convex_hull_image
from typer.testing import CliRunner

from mammocalc.errors import ParameterError
from mammocalc.simulate import read_truth, simulate_image, write_simulated
from mammocalc.simulate.calcifications import Shell, draw_shape, thickness_mm
from mammocalc.simulate.cli import simulate_command
from mammocalc.simulate.render import RenderedCalcification, render
from mammocalc.vocabulary import Morphology, View

M = Morphology


def _sample(
    morphology: Morphology, n: int = 30, view: View = View.CC
) -> list[RenderedCalcification]:
    rng = np.random.default_rng(0)
    return [render(draw_shape(morphology, rng, 0.3, view), (50.0, 50.0), 0.05) for _ in range(n)]


def _median(items: list[RenderedCalcification], what: str) -> float:
    return float(np.median([getattr(r, what) for r in items]))


def test_micro_sizes_follow_the_lexicon() -> None:
    punctate, round_ = _sample(M.PUNCTATE), _sample(M.ROUND)
    assert max(r.diameter_mm for r in punctate) < 0.5
    assert min(r.diameter_mm for r in round_) >= 0.45 and max(r.diameter_mm for r in round_) <= 1.05
    amorphous = _sample(M.AMORPHOUS)
    assert max(r.diameter_mm for r in amorphous) <= 0.25
    assert _median(amorphous, "max_thickness_mm") < _median(punctate, "max_thickness_mm")
    pleomorphic = _sample(M.FINE_PLEOMORPHIC)
    assert max(r.length_mm for r in pleomorphic) < 0.6
    # pleomorphic: varying size and shape, more than punctate
    spread = np.std([r.diameter_mm for r in pleomorphic]) / _median(pleomorphic, "diameter_mm")
    assert spread > np.std([r.diameter_mm for r in punctate]) / _median(punctate, "diameter_mm")
    coarse_het = _sample(M.COARSE_HETEROGENEOUS)
    assert 0.3 <= _median(coarse_het, "diameter_mm") <= 1.0


def test_linear_classes_are_long_and_thin() -> None:
    linear = _sample(M.FINE_LINEAR_BRANCHING)
    assert np.median([r.length_mm / r.width_mm for r in linear]) > 3.0
    assert _median(linear, "width_mm") < 0.5
    rods = _sample(M.LARGE_ROD_LIKE)
    assert _median(rods, "length_mm") >= 3.0 and 0.4 <= _median(rods, "width_mm") <= 1.6


def test_benign_macro_classes() -> None:
    assert min(r.diameter_mm for r in _sample(M.COARSE)) > 2.0
    assert min(r.diameter_mm for r in _sample(M.DYSTROPHIC)) > 1.0
    for morphology in (M.RIM, M.SKIN):  # lucent centre: thinner in the middle than at the rim
        rng = np.random.default_rng(1)
        for _ in range(10):
            shape = draw_shape(morphology, rng, 0.0, View.CC)
            centre = float(thickness_mm(shape, np.array(0.0), np.array(0.0)))
            ring = max(
                float(thickness_mm(shape, np.array(0.0), np.array(x)))
                for x in np.linspace(0, 5, 200)
            )
            assert centre < 0.7 * ring


def test_dystrophic_is_an_irregular_broken_plate_not_a_closed_eggshell() -> None:
    """Lexicon: coarse, irregular, > 1 mm. Plates and a piece of shell: the outline's solidity
    is well below a closed shell's (a whole eggshell would be a rim calcification)."""
    rng = np.random.default_rng(2)
    grid = np.arange(-6.0, 6.0, 0.05)
    dy, dx = np.meshgrid(grid, grid, indexing="ij")
    solidity = []
    for _ in range(20):
        thickness = thickness_mm(draw_shape(M.DYSTROPHIC, rng, 0.3, View.CC), dy, dx)
        mask = thickness > 0.1 * thickness.max()
        solidity.append(mask.sum() / convex_hull_image(mask).sum())
    assert float(np.median(solidity)) < 0.9
    half = Shell((0.0, 0.0), 2.0, 2.0, 0.2, 0.0, np.pi)  # the half towards +rows
    assert float(thickness_mm((half,), np.array(1.9), np.array(0.0))) > 0.0
    assert float(thickness_mm((half,), np.array(-1.9), np.array(0.0))) == 0.0


def test_milk_of_calcium_is_a_crescent_on_mlo_and_a_smudge_on_cc() -> None:
    mlo = _sample(M.MILK_OF_CALCIUM, 10, View.MLO)
    cc = _sample(M.MILK_OF_CALCIUM, 10, View.CC)
    # sediment sits at the bottom of the cyst: the footprint's centroid is below the cyst centre
    assert all(r.centroid_px[0] > 50.0 + 2 for r in mlo)
    assert all(abs(r.centroid_px[0] - 50.0) < 1.0 for r in cc)
    assert _median(cc, "max_thickness_mm") < _median(mlo, "max_thickness_mm")


def test_write_and_reread_dicom_png_truth(tmp_path: Path) -> None:
    sim = simulate_image(
        2, scene="benign-macro", view="MLO", laterality="R", spacing_mm=0.2, shape_px=(400, 300)
    )
    paths = write_simulated(sim, tmp_path)
    assert [p.suffix for p in paths] == [".dcm", ".png", ".json"]
    assert not list(tmp_path.glob(".*")), "temporary files must be renamed away"
    ds = pydicom.dcmread(paths[0])
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.1.2"
    assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
    assert str(ds.PatientName) == "SYNTHETIC^PHANTOM" and ds.Modality == "MG"
    assert ds.ImageLaterality == "R" and ds.ViewPosition == "MLO"
    assert ds.ViewCodeSequence[0].CodeMeaning == "medio-lateral oblique"
    assert (
        [float(v) for v in ds.PixelSpacing]
        == [0.2, 0.2]
        == [float(v) for v in ds.ImagerPixelSpacing]
    )
    assert (
        ds.PhotometricInterpretation == "MONOCHROME2"
        and ds.BitsAllocated == 16
        and ds.BitsStored == 12
    )
    assert ds.PresentationIntentType == "FOR PRESENTATION"
    assert ds.SOPInstanceUID == sim.mammogram.identifiers.sop_uid
    stored = np.rint(sim.mammogram.pixels * 4095).astype(np.uint16)
    np.testing.assert_array_equal(ds.pixel_array, stored)
    png = np.array(Image.open(paths[1]))
    np.testing.assert_array_equal(png, stored)
    assert read_truth(paths[2]) == sim.truth


def test_cli_writes_files_and_rejects_bad_arguments(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(simulate_command)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "--out",
            str(tmp_path),
            "--n",
            "2",
            "--spacing",
            "0.3",
            "--scene",
            "normal",
            "--format",
            "png",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.png"))) == 2 and len(list(tmp_path.glob("*.truth.json"))) == 2
    bad = runner.invoke(app, ["--out", str(tmp_path), "--density", "z"])
    assert isinstance(bad.exception, ParameterError) and "density" in str(bad.exception)
    bad = runner.invoke(app, ["--out", str(tmp_path), "--format", "jpg"])
    assert isinstance(bad.exception, ParameterError) and "format" in str(bad.exception)


@pytest.mark.parametrize("bad", [0, -3])
def test_cli_rejects_bad_n(tmp_path: Path, bad: int) -> None:
    with pytest.raises(ParameterError, match="--n"):
        simulate_command(tmp_path, n=bad)


def test_cli_exam_dose_and_bits(tmp_path: Path) -> None:
    """--exam writes four views of one study; --dose-ugy and --bits reach the DICOM."""
    import pydicom

    app = typer.Typer()
    app.command()(simulate_command)
    options = ["--out", str(tmp_path), "--exam", "--spacing", "0.3", "--scene", "normal"]
    result = CliRunner().invoke(app, [*options, "--format", "dcm", "--bits", "14"])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.dcm"))
    datasets = [pydicom.dcmread(f) for f in files]
    assert len(files) == 4 and len({ds.StudyInstanceUID for ds in datasets}) == 1
    assert {(ds.ImageLaterality, ds.ViewPosition) for ds in datasets} == {
        ("L", "CC"),
        ("L", "MLO"),
        ("R", "CC"),
        ("R", "MLO"),
    }
    assert all(ds.BitsStored == 14 for ds in datasets)
    bad = CliRunner().invoke(app, [*options, "--dose-ugy", "1"])
    assert isinstance(bad.exception, ParameterError) and "ugy" in str(bad.exception).lower()
    bad = CliRunner().invoke(app, [*options, "--motion-mm", "4"])
    assert isinstance(bad.exception, ParameterError) and "motion_mm" in str(bad.exception)
