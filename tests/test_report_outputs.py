"""write_outputs: names from the image sources, every format, nothing left behind on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammocalc.errors import ParameterError
from mammocalc.models import Mammogram, Report
from mammocalc.report import outputs as outputs_module
from mammocalc.report import read_json, write_outputs
from mammocalc.report.outputs import exam_stem, image_stems
from mammocalc.vocabulary import Category, Laterality
from test_report_factory import make_report, tiny_mammogram


@pytest.fixture
def exam() -> tuple[Report, list[Mammogram]]:
    report = make_report(
        {Laterality.LEFT: [Category.SUSPICIOUS_LOW], Laterality.RIGHT: [Category.BENIGN]}
    )
    return report, [tiny_mammogram(image) for image in report.images]


def test_all_formats_are_written(exam: tuple[Report, list[Mammogram]], tmp_path: Path) -> None:
    report, mammograms = exam
    out = tmp_path / "new" / "out"
    written = write_outputs(report, mammograms, out, formats=("json", "overlay", "html", "patient"))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "exam-0001.patient.html",
        "exam-0001.report.html",
        "exam-0001.report.json",
        "exam-0001_L-CC.overlay.png",
        "exam-0001_R-CC.overlay.png",
    ]
    assert set(written) == {
        "json",
        "html",
        "patient",
        *(f"overlay:{image.source}" for image in report.images),
    }
    assert read_json(written["json"]) == report
    assert written["html"].read_text().count("data:image/png;base64,") == 2


def test_default_formats_are_json_and_overlays(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path
) -> None:
    report, mammograms = exam
    written = write_outputs(report, mammograms, tmp_path)
    assert {p.suffix for p in written.values()} == {".json", ".png"}
    assert len(list(tmp_path.iterdir())) == 3


def test_html_alone_embeds_overlays_without_leaving_them(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path
) -> None:
    report, mammograms = exam
    written = write_outputs(report, mammograms, tmp_path, formats=["html"])
    assert list(written) == ["html"]
    assert [p.name for p in tmp_path.iterdir()] == ["exam-0001.report.html"]
    assert "data:image/png;base64," in written["html"].read_text()


def test_json_and_patient_need_no_mammograms(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path
) -> None:
    report, _ = exam
    written = write_outputs(report, [], tmp_path, formats=("json", "patient"))
    assert set(written) == {"json", "patient"}


def test_failure_late_in_the_run_leaves_nothing(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, mammograms = exam
    (tmp_path / "older.txt").write_text("kept")

    def broken(report: Report) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(outputs_module, "patient_letter", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(report, mammograms, tmp_path, formats=("json", "overlay", "patient"))
    assert [p.name for p in tmp_path.iterdir()] == ["older.txt"]


def test_missing_mammogram_and_unknown_format_are_refused(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path
) -> None:
    report, mammograms = exam
    with pytest.raises(ParameterError, match="No mammogram was given"):
        write_outputs(report, mammograms[:1], tmp_path / "a")
    with pytest.raises(ParameterError, match="pdf"):
        write_outputs(report, mammograms, tmp_path / "b", formats=("json", "pdf"))
    assert list(tmp_path.iterdir()) == []


def test_file_stems_are_safe_unique_and_shared() -> None:
    stems = image_stems(["/a/L-CC.dcm", "/b/L-CC.dcm", "<array>", "C:\\x\\R MLO.png"])
    assert list(stems.values()) == ["L-CC", "L-CC-2", "array", "R_MLO"]
    assert exam_stem(["case12_L_CC", "case12_R_CC"]) == "case12"
    assert exam_stem(["L-CC"]) == "L-CC"
    assert exam_stem(["L-CC", "R-CC"], ["/d/p7/L-CC.dcm", "/d/p7/R-CC.dcm"]) == "p7"
    assert exam_stem(["L-CC", "R-CC"], ["/d/p7/L-CC.dcm", "/d/p8/R-CC.dcm"]) == "exam"
    assert exam_stem(["L-CC", "R-CC"]) == "exam"


def test_unwritable_output_folder_is_a_clear_error(
    exam: tuple[Report, list[Mammogram]], tmp_path: Path
) -> None:
    report, mammograms = exam
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(ParameterError, match="Cannot write the report files to .*file.txt"):
        write_outputs(report, mammograms, blocker / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
