"""End-to-end command-line runs: demo, analyze, bad input (issue 3 items 8 and 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from mammocalc.cli import app
from mammocalc.simulate import simulate_image

runner = CliRunner()


def _png16(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray((np.clip(pixels, 0, 1) * 65535).astype(np.uint16)).save(path)
    return path


@pytest.fixture(scope="module")
def cluster_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = simulate_image(3, spacing_mm=0.1, scene="suspicious-cluster", laterality="L", view="CC")
    return _png16(tmp_path_factory.mktemp("img") / "L-CC.png", sim.mammogram.pixels)


def test_demo_writes_every_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    files = {p.suffix for p in (tmp_path / "demo").iterdir()}
    assert {".json", ".png", ".html"} <= files
    report = json.loads(next((tmp_path / "demo").glob("*.json")).read_text())
    categories = {f["category"] for im in report["images"] for f in im["findings"]}
    # the demo holds a suspicious cluster, a macrocalcification, a round group and vessels
    assert categories & {"4A", "4B", "4C", "5"}, categories
    assert "2" in categories
    assert report["category"] in {"4A", "4B", "4C", "5"}
    # right breast: the popcorn calcification (2) and the single round group (3)
    kinds = {
        (f["kind"], f["category"])
        for im in report["images"]
        for f in im["findings"]
        if f["laterality"] == "R"
    }
    assert ("macrocalcification", "2") in kinds and ("cluster", "3") in kinds, kinds
    assert "BI-RADS" in result.output


def test_demo_right_breast_is_probably_benign(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    report = json.loads(next((tmp_path / "demo").glob("*.json")).read_text())
    assert result.exit_code == 0
    assert {b["laterality"]: b["category"] for b in report["breasts"]}["R"] == "3"


def test_analyze_png_states_assumed_spacing(cluster_png: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cluster_png), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["images"][0]["spacing_assumed"] is True
    assert any("spacing" in w for w in report["warnings"])
    assert (tmp_path / "L-CC.png").exists() or list(tmp_path.glob("*overlay*.png"))


def test_analyze_with_spacing_has_no_spacing_warning(cluster_png: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["analyze", str(cluster_png), "--out", str(tmp_path), "--pixel-spacing", "0.1"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert report["images"][0]["spacing_mm"] == pytest.approx(0.1)
    assert not any("spacing" in w for w in report["warnings"])


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.png", b"this is not an image", "notes.png"),
        ("empty.dcm", b"", "empty.dcm"),
        ("truncated.dcm", b"\x00" * 128 + b"DICM\x02\x00", "truncated.dcm"),
    ],
)
def test_bad_file_one_sentence_exit_2_no_output(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_constant_image_is_refused(tmp_path: Path) -> None:
    flat = _png16(tmp_path / "flat.png", np.full((300, 200), 0.5))
    result = runner.invoke(app, ["analyze", str(flat), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "flat.png" in result.output


def test_good_files_complete_when_one_is_bad(cluster_png: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["analyze", str(bad), str(cluster_png), "--out", str(out), "--pixel-spacing", "0.1"]
    )
    assert result.exit_code == 2
    assert "broken.png" in result.output
    assert len(list(out.glob("*.json"))) == 1


def test_unknown_report_format_is_refused(cluster_png: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cluster_png), "--report", "json,pdf"])
    assert result.exit_code != 0
    assert "pdf" in result.output


def _other_modality_dicom(path: Path) -> Path:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "CT"
    ds.Rows, ds.Columns = 64, 64
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.full((64, 64), 900, np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def test_other_modality_no_breast_and_bomb_are_refused_cleanly(
    cluster_png: Path, tmp_path: Path
) -> None:
    """Issue 3 item 10: each bad file gets one sentence naming it; the run exits non-zero."""
    noise = np.random.default_rng(0).random((400, 300))
    cases = [
        (_other_modality_dicom(tmp_path / "head.dcm"), [], "modality CT"),
        (_png16(tmp_path / "noise.png", noise), ["--pixel-spacing", "0.1"], "no breast"),
        (cluster_png, ["--pixel-spacing", "0.1", "--max-pixels", "100000"], "pixels"),
    ]
    for path, options, words in cases:
        out = tmp_path / f"out-{path.stem}"
        result = runner.invoke(app, ["analyze", str(path), "--out", str(out), *options])
        assert result.exit_code == 2, result.output
        assert path.name in result.output and words in result.output, result.output
        assert "Traceback" not in result.output
        assert not out.exists() or not any(out.iterdir())


def test_invalid_environment_setting_is_one_sentence(
    cluster_png: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAMMOCALC_MAX_PIXELS", "-5")
    result = runner.invoke(app, ["analyze", str(cluster_png)])
    assert result.exit_code == 2
    assert "MAMMOCALC_MAX_PIXELS" in result.output and "Traceback" not in result.output


def test_research_operating_point_lowers_thresholds_and_is_recorded(
    cluster_png: Path, tmp_path: Path
) -> None:
    def run(*extra: str) -> dict[str, Any]:
        out = tmp_path / (extra[-1] if extra else "default")
        args = ["analyze", str(cluster_png), "--out", str(out), "--report", "json", *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        report: dict[str, Any] = json.loads(next(out.glob("*.json")).read_text())
        return report

    screening, research = run(), run("--operating-point", "research")
    used = research["provenance"]["parameters"]
    assert used["operating_point"] == "research"
    assert used["finding_threshold"] == 0.0 and used["detection_threshold"] == 0.5
    assert screening["provenance"]["parameters"]["operating_point"] == "screening"
    assert any("below the screening default" in w for w in research["warnings"])
    assert not any("screening default" in w for w in screening["warnings"])

    def count(report: dict[str, Any], key: str) -> int:
        return sum(len(image[key]) for image in report["images"])

    assert count(research, "calcifications") > count(screening, "calcifications")
    assert count(research, "findings") >= count(screening, "findings") >= 1


def test_no_patient_letter_below_the_screening_thresholds(
    cluster_png: Path, tmp_path: Path
) -> None:
    args = ["analyze", str(cluster_png), "--out", str(tmp_path), "--report", "json,patient"]
    result = runner.invoke(app, [*args, "--operating-point", "research"])
    assert result.exit_code == 2 and "patient letter" in result.output
    assert not any(tmp_path.iterdir())


def test_unknown_operating_point_is_one_sentence(cluster_png: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cluster_png), "--operating-point", "fast"])
    assert result.exit_code == 2
    assert "operating" in result.output.lower() and "Traceback" not in result.output
