"""File-name parsing and grouping files into exams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.uid import generate_uid

from mammocalc.errors import InputError
from mammocalc.io import group_exams, parse_name, read, read_exams
from mammocalc.vocabulary import Laterality, View
from test_io_dicom import mg_dataset, phantom, save

L, R = Laterality.LEFT, Laterality.RIGHT


@pytest.mark.parametrize(
    ("name", "laterality", "view", "exam_key"),
    [
        ("0_L-CC.png", L, View.CC, "0"),
        ("R_MLO.tif", R, View.MLO, ""),
        ("LCC.pgm", L, View.CC, ""),
        ("left_cc.png", L, View.CC, ""),
        ("RMLO.dcm", R, View.MLO, ""),
        ("patient12_RMLO2.png", R, View.MLO, "patient12"),
        ("case 3 RIGHT XCCL.tif", R, View.XCCL, "case 3"),
        ("mdb001.pgm", None, View.UNKNOWN, None),
        ("calcium_mlops.png", None, View.UNKNOWN, None),
    ],
)
def test_parse_name(
    name: str, laterality: Laterality | None, view: View, exam_key: str | None
) -> None:
    info = parse_name(name)
    assert (info.laterality, info.view, info.exam_key) == (laterality, view, exam_key)


def _png(path: Path) -> Path:
    image = np.zeros((16, 16), np.uint16)
    image[4:12, 2:9] = 3000
    Image.fromarray(image).save(path)
    return path


def test_non_dicom_files_group_by_stem_prefix(tmp_path: Path) -> None:
    names = ["0_L-CC.png", "1_L-CC.png", "0_R-MLO.png", "0_L-MLO.png", "scan.png", "0_R-CC.png"]
    paths = [_png(tmp_path / n) for n in names]
    groups = group_exams(paths)
    assert [[p.name for p in g] for g in groups] == [
        ["0_R-CC.png", "0_R-MLO.png", "0_L-CC.png", "0_L-MLO.png"],
        ["1_L-CC.png"],
        ["scan.png"],
    ]
    exams = read_exams(paths, spacing_mm=0.1)
    assert [[(m.laterality, m.view) for m in exam] for exam in exams][0] == [
        (R, View.CC),
        (R, View.MLO),
        (L, View.CC),
        (L, View.MLO),
    ]
    assert all(not m.spacing_assumed for exam in exams for m in exam)


def test_same_stem_in_different_folders_are_different_exams(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [_png(tmp_path / "a" / "0_L-CC.png"), _png(tmp_path / "b" / "0_R-CC.png")]
    assert len(group_exams(paths)) == 2


def test_dicoms_group_by_study_uid(tmp_path: Path) -> None:
    first, second = generate_uid(), generate_uid()
    specs = [
        ("a.dcm", first, "L", "MLO"),
        ("b.dcm", second, "R", "CC"),
        ("c.dcm", first, "R", "MLO"),
        ("d.dcm", first, "L", "CC"),
        ("e.dcm", first, "R", "CC"),
    ]
    paths = [
        save(
            mg_dataset(phantom(), StudyInstanceUID=study, ImageLaterality=side, ViewPosition=view),
            tmp_path / name,
        )
        for name, study, side, view in specs
    ]
    exams = read_exams(paths)
    assert [len(exam) for exam in exams] == [4, 1]
    assert {m.identifiers.study_uid for m in exams[0]} == {first}
    assert [(m.laterality, m.view) for m in exams[0]] == [
        (R, View.CC),
        (R, View.MLO),
        (L, View.CC),
        (L, View.MLO),
    ]
    assert exams[1][0].identifiers.study_uid == second


def test_a_bad_file_is_its_own_group_and_read_exams_names_it(tmp_path: Path) -> None:
    good = [_png(tmp_path / "0_L-CC.png"), _png(tmp_path / "0_R-CC.png")]
    bad = tmp_path / "0_L-MLO.png"
    bad.write_text("not a picture")
    missing = tmp_path / "gone.dcm"
    groups = group_exams([*good, missing])
    assert [len(g) for g in groups] == [2, 1]
    # a batch reads files one by one, records failures, then groups what it read
    mammograms = [read(path, spacing_mm=0.1) for path in good]
    assert group_exams(list(reversed(mammograms))) == [[mammograms[1], mammograms[0]]]
    with pytest.raises(TypeError, match="not a mixture"):
        group_exams([mammograms[0], good[0]])  # type: ignore[list-item]
    with pytest.raises(InputError, match="0_L-MLO.png: not a readable image"):
        read_exams([*good, bad])
    with pytest.raises(InputError, match="gone.dcm: no such file"):
        read_exams([missing])
