"""CBIS-DDSM adapter: out-of-fold figures on tiny CSVs, unknown words, malformed lines."""

from __future__ import annotations

from pathlib import Path

import pytest

import mammocalc.evaluate.cbis_ddsm as cbis
from mammocalc.errors import DatasetError
from mammocalc.evaluate.cbis_ddsm import evaluate_cbis_ddsm, read_cbis_csv

HEADER = (
    "patient_id,breast density,left or right breast,image view,abnormality id,abnormality type,"
    "calc type,calc distribution,assessment,pathology,subtlety,image file path,"
    "cropped image file path,ROI mask file path"
)
REAL_CSV = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "cbis-ddsm"
    / "calc_case_description_train_set.csv"
)

# (calc type, calc distribution, assessment, pathology), two views per lesion
_LESIONS = [
    ("FINE_LINEAR_BRANCHING", "LINEAR", "5", "MALIGNANT"),
    ("PLEOMORPHIC", "SEGMENTAL", "4", "MALIGNANT"),
    ("PLEOMORPHIC", "CLUSTERED", "4", "MALIGNANT"),
    ("PLEOMORPHIC-FINE_LINEAR_BRANCHING", "CLUSTERED-LINEAR", "4", "MALIGNANT"),
    ("AMORPHOUS", "CLUSTERED", "4", "BENIGN"),
    ("PUNCTATE", "CLUSTERED", "3", "BENIGN"),
    ("LUCENT_CENTER", "N/A", "2", "BENIGN_WITHOUT_CALLBACK"),
    ("VASCULAR", "N/A", "2", "BENIGN_WITHOUT_CALLBACK"),
    ("ROUND_AND_REGULAR-EGGSHELL", "DIFFUSELY_SCATTERED", "2", "BENIGN_WITHOUT_CALLBACK"),
    ("WOBBLY_STAR", "CLUSTERED", "0", "BENIGN"),
    ("PLEOMORPHIC", "SPIRAL", "4", "MALIGNANT"),
    ("PUNCTATE-AMORPHOUS", "REGIONAL", "4", "BENIGN"),
]


def write_csv(path: Path, extra: str = "", repeats: int = 2) -> Path:
    lines = [HEADER]
    for r in range(repeats):
        for i, (calc, dist, assessment, pathology) in enumerate(_LESIONS):
            patient = f"P_{r:02d}{i:03d}"
            for view in ("CC", "MLO"):
                lines.append(
                    f"{patient},2,LEFT,{view},1,calcification,{calc},{dist},{assessment},"
                    f"{pathology},3,a/000000.dcm,b/000001.dcm,c/000000.dcm"
                )
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def test_tiny_csv_gives_every_contract_key(tmp_path: Path) -> None:
    result = evaluate_cbis_ddsm(write_csv(tmp_path / "calc.csv"), n_bootstrap=50, seed=0)
    for key in (
        "dataset",
        "n_rows",
        "version",
        "auc",
        "auc_ci95",
        "brier",
        "ece",
        "reliability",
        "kappa_vs_assessment",
        "confusion",
        "assessment_auc",
        "unknown_values",
        "cross_validated",
        "cross_validation",
    ):
        assert key in result, key
    assert result["dataset"] == "cbis-ddsm"
    assert result["n_rows"] == 2 * 2 * len(_LESIONS)
    assert result["cross_validated"] is True
    assert result["cross_validation"]["grouped_by"] == "patient_id"
    assert 0.0 <= result["auc"] <= 1.0
    low, high = result["auc_ci95"]
    assert low <= high
    assert 0.0 <= result["ece"] <= 1.0
    matrix = result["confusion"]["matrix"]
    assert sum(map(sum, matrix)) == result["n_rows"]
    assert result["assessment_auc"] > 0.8  # the toy assessments rank the toy pathology well


def test_unknown_words_are_counted_not_dropped(tmp_path: Path) -> None:
    result = evaluate_cbis_ddsm(write_csv(tmp_path / "calc.csv"), n_bootstrap=0)
    assert result["unknown_values"]["calc type"] == {"WOBBLY_STAR": 4}
    assert result["unknown_values"]["calc distribution"] == {"SPIRAL": 4}


def test_rows_are_scored_only_by_models_that_never_saw_their_patient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[set[str]] = []
    fit = cbis.fit_risk_model

    def recording_fit(x, y, groups, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(set(groups))
        model = fit(x, y, groups, **kwargs)
        object.__setattr__(model, "metadata", {"fold": len(seen) - 1})
        return model

    scored: list[tuple[str, int]] = []
    score = cbis.row_finding

    def recording_score(row, described, model):  # type: ignore[no-untyped-def]
        scored.append((row.patient_id, model.metadata["fold"]))
        return score(row, described, model)

    monkeypatch.setattr(cbis, "fit_risk_model", recording_fit)
    monkeypatch.setattr(cbis, "row_finding", recording_score)
    result = evaluate_cbis_ddsm(write_csv(tmp_path / "calc.csv"), n_bootstrap=0, n_folds=4)
    assert len(seen) == 4
    assert len(scored) == result["n_rows"]
    assert all(patient not in seen[fold] for patient, fold in scored)


def test_malformed_line_names_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "calc.csv", extra="P_9,2,LEFT,CC,1,calcification,PUNCTATE\n")
    expected_line = 1 + 2 * 2 * len(_LESIONS) + 1
    with pytest.raises(DatasetError, match=rf"line {expected_line}: expected 14"):
        read_cbis_csv(path)


def test_bad_pathology_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "calc.csv"
    path.write_text(HEADER + "\nP_1,2,LEFT,CC,1,calcification,PUNCTATE,CLUSTERED,3,MAYBE,3,a,b,c\n")
    with pytest.raises(DatasetError, match=r"line 2: pathology 'MAYBE'"):
        evaluate_cbis_ddsm(path, n_bootstrap=0)


def test_missing_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "calc.csv"
    path.write_text("patient_id,pathology\nP_1,BENIGN\n")
    with pytest.raises(DatasetError, match="missing column"):
        read_cbis_csv(path)


def test_real_training_descriptions_reach_the_reported_figures() -> None:
    if not REAL_CSV.exists():
        pytest.skip("CBIS-DDSM training CSV not found at ../shared/data/cbis-ddsm")
    result = evaluate_cbis_ddsm(REAL_CSV, n_bootstrap=100, seed=0)
    assert result["n_rows"] == 1546
    assert result["auc"] >= 0.79
    assert result["ece"] <= 0.06
    assert result["unknown_values"] == {"calc type": {}, "calc distribution": {}}
    assert 0.74 <= result["assessment_auc"] <= 0.82
