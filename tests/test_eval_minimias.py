"""The mini-MIAS adapter on a tiny directory written by the test, with a fake analysis."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from _eval_fakes import finding, image_result
from mammocalc.errors import DatasetError
from mammocalc.evaluate.mini_mias import evaluate_mini_mias, parse_info, patient_of
from mammocalc.models import Identifiers, ImageResult, Mammogram

INFO = """\
              MAMMOGRAPHIC IMAGE ANALYSIS SOCIETY
1st column: MIAS database reference number.

mdb001 G CALC M 100 900 10
mdb001 G CALC B 600 600 40
mdb002 D CALC M *NOTE 3*
mdb003 F NORM
mdb004 F CIRC B 500 500 30
mdb212 G CALC B 687 882 3
"""

# truth centres after the flip row = 1023 - Y: mdb001 (123, 100) r 10 and (423, 600) r 40;
# mdb212 (141, 687) r 3 (tolerance max(3 px, 5 mm / 0.2 mm = 25 px))
FINDINGS = {
    "mdb001": [
        finding((130.0, 110.0), 0.9, probability=0.8),  # 12.2 px from (123, 100): hit M
        finding((423.0, 635.0), 0.6, probability=0.3),  # 35 px <= r 40: hit B
        finding((900.0, 900.0), 0.7),  # false positive
        finding((122.0, 101.0), 0.2),  # second mark on the M cluster: neither hit nor FP
    ],
    "mdb002": [finding((10.0, 10.0), 0.99)],  # NOTE 3 image: left out of localisation
    "mdb003": [finding((500.0, 500.0), 0.4)],  # false positive on a normal image
    "mdb004": [],
    "mdb212": [finding((141.0, 720.0), 0.5)],  # 33 px > 25 px: a miss plus a false positive
}


def _write_dir(root: Path, info: str = INFO) -> Path:
    (root / "Info.txt").write_text(info)
    rng = np.random.default_rng(0)
    for ref in FINDINGS:
        pixels = rng.integers(0, 256, (1024, 1024), dtype=np.uint8)
        Image.fromarray(pixels).save(root / f"{ref}.pgm")
    return root


def _load(path: Path) -> Mammogram:
    pixels = np.asarray(Image.open(path), dtype=np.float32) / 255.0
    return Mammogram(pixels, 0.2, identifiers=Identifiers(source=str(path)), is_film=True)


def _fake(mammogram: Mammogram) -> ImageResult:
    return image_result(FINDINGS[Path(mammogram.identifiers.source).stem])


def test_parse_flips_origin_and_keeps_note3(tmp_path: Path) -> None:
    truth = parse_info(_write_dir(tmp_path) / "Info.txt")
    assert set(truth) == {"mdb001", "mdb002", "mdb003", "mdb004", "mdb212"}
    first = truth["mdb001"].clusters
    assert [c.centre_px for c in first] == [(123.0, 100.0), (423.0, 600.0)]
    assert [c.severity for c in first] == ["M", "B"]
    assert truth["mdb002"].spread_calcifications and truth["mdb002"].clusters == ()
    assert truth["mdb003"].classes == ("NORM",) and truth["mdb004"].clusters == ()
    assert patient_of("mdb001") == patient_of("mdb002") == 1 and patient_of("mdb003") == 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("mdb005 G CALC B 12 x 3", "three whole numbers"),
        ("mdb005 G CALC B 12 13", "three whole numbers"),
        ("mdb005 Q NORM", "tissue"),
        ("mdb005 G BLOB B 1 2 3", "class"),
        ("mdb005 G", "REF TISSUE CLASS"),
        ("mdb005 G CALC 1 2 3", "severity"),
    ],
)
def test_malformed_line_names_the_line(tmp_path: Path, row: str, expected: str) -> None:
    info = tmp_path / "Info.txt"
    info.write_text(INFO + row + "\n")
    with pytest.raises(DatasetError, match=rf"line 10: .*{expected}"):
        parse_info(info)


def test_mass_rows_are_not_checked_beyond_their_class(tmp_path: Path) -> None:
    info = tmp_path / "Info.txt"
    info.write_text(INFO + "mdb005 G CIRC B 12 x\n")
    assert parse_info(info)["mdb005"].classes == ("CIRC",)


def test_evaluate_scores_cluster_froc(tmp_path: Path) -> None:
    seen: list[str] = []
    result = evaluate_mini_mias(
        _write_dir(tmp_path), analyze_image=_fake, load=_load, n_bootstrap=50, on_image=seen.append
    )
    json.dumps(result)  # the result is JSON-ready
    assert seen == sorted(FINDINGS)
    assert result["dataset"] == "mini-mias" and result["version"]
    # mdb002 (NOTE 3) left out: 4 images, truth clusters 2 (mdb001) + 1 (mdb212)
    assert result["n_images"] == 4 and result["n_images_left_out_note3"] == 1
    assert result["n_truth_clusters"] == 3
    # marks by score: .9 hit, .7 FP, .6 hit, .5 FP (mdb212), .4 FP, .2 duplicate
    # 0 FP: sensitivity 1/3; threshold .6 gives 2/3 at 1 FP of 4 images (0.25); never 3/3
    at = result["froc"]["sensitivity_at_fp"]
    assert at["0.1"] == pytest.approx(1 / 3)
    assert at["0.3"] == pytest.approx(2 / 3)
    assert at["0.5"] == pytest.approx(2 / 3)
    assert at["1"] == pytest.approx(2 / 3)
    low, high = result["froc"]["sensitivity_ci95"]["1"]
    assert 0.0 <= low <= 2 / 3 <= high <= 1.0
    # AUC over hit B/M clusters: M 0.8 vs B 0.3 -> 1.0
    assert result["auc"] == 1.0 and result["n_scored"] == 2
    assert result["brier"] == pytest.approx(((0.8 - 1) ** 2 + 0.3**2) / 2)
    # without mdb212 and mdb214: 3 images, 2 clusters, FP .7 and .4 -> 2/3 FP per image
    unreliable = result["excluding_unreliable"]
    assert unreliable["n_images"] == 3 and unreliable["n_truth_clusters"] == 2
    assert unreliable["froc"]["sensitivity_at_fp"]["0.3"] == pytest.approx(0.5)
    assert unreliable["froc"]["sensitivity_at_fp"]["1"] == pytest.approx(1.0)


def test_precomputed_results_and_limit(tmp_path: Path) -> None:
    def refuse(_: Mammogram) -> ImageResult:
        raise AssertionError("precomputed images must not be analysed again")

    directory = _write_dir(tmp_path)
    precomputed = {ref: image_result(f) for ref, f in FINDINGS.items()}
    result = evaluate_mini_mias(
        directory, analyze_image=refuse, load=_load, results=precomputed, n_bootstrap=0
    )
    assert result["parameters"]["n_precomputed"] == 5
    limited = evaluate_mini_mias(directory, analyze_image=_fake, load=_load, limit=1)
    assert limited["n_images"] == 1 and limited["n_truth_clusters"] == 2


def test_missing_info_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="Info.txt"):
        evaluate_mini_mias(tmp_path, analyze_image=_fake, load=_load)


def test_default_loader_reads_film_at_0_2_mm(tmp_path: Path) -> None:
    io = pytest.importorskip("mammocalc.io")
    if not hasattr(io, "read"):
        pytest.skip("mammocalc.io.read is not in the tree yet")
    from mammocalc.evaluate.mini_mias import load_mias_image

    mammogram = load_mias_image(_write_dir(tmp_path) / "mdb001.pgm")
    assert mammogram.is_film and mammogram.spacing_mm == 0.2
    assert mammogram.pixels.shape == (1024, 1024)


def test_outputs_table_json_and_plots(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from rich.console import Console

    from mammocalc.evaluate.cli import write_outputs
    from mammocalc.evaluate.plots import mark_panel

    result = evaluate_mini_mias(
        _write_dir(tmp_path), analyze_image=_fake, load=_load, n_bootstrap=20
    )
    console = Console(record=True, width=120)
    write_outputs(result, tmp_path / "out" / "r.json", tmp_path / "plots", console)
    assert "sensitivity at 1 FP/image" in console.export_text()
    assert json.loads((tmp_path / "out" / "r.json").read_text())["n_truth_clusters"] == 3
    names = {p.name for p in (tmp_path / "plots").iterdir()}
    assert names == {"mini-mias_froc.png", "mini-mias_roc.png", "mini-mias_reliability.png"}
    panel = mark_panel(
        result, lambda ref: _load(tmp_path / f"{ref}.pgm").pixels, tmp_path / "p.png"
    )
    assert panel is not None and panel.stat().st_size > 1000
