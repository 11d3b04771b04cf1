"""CBIS-DDSM calcification descriptions: descriptors -> probability and category, against pathology.

Each row's calc type and calc distribution are mapped onto the lexicon
(:mod:`mammocalc.lexicon`) and given to the characterisation code
(:func:`mammocalc.characterise.descriptor_risk`, :func:`mammocalc.assess.categorise`). Every figure
is out-of-fold by patient: the rows are split into patient-grouped folds, the whole model
(ridge logistic regression and its out-of-fold Platt calibration) is refitted on the other folds,
and only then are the fold's rows scored. The radiologists' assessment column and subtlety are
never model inputs; the assessment is only the human anchor the category is compared with.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mammocalc._risk import FEATURE_NAMES, RiskModel, descriptor_vector
from mammocalc._risk_fit import DEFAULT_L2, fit_risk_model, group_folds
from mammocalc.assess import categorise
from mammocalc.characterise import descriptor_risk
from mammocalc.errors import DatasetError
from mammocalc.evaluate._common import finite_or_none, malignancy_figures, version
from mammocalc.evaluate.metrics import (
    bootstrap_ci,
    confusion_matrix,
    quadratic_weighted_kappa,
    roc_auc,
)
from mammocalc.lexicon import split_distribution, split_morphology
from mammocalc.models import Finding, MorphologyCall
from mammocalc.vocabulary import Category, Distribution, FindingKind, Morphology

REQUIRED_COLUMNS = (
    "patient_id",
    "left or right breast",
    "abnormality id",
    "calc type",
    "calc distribution",
    "assessment",
    "pathology",
)
PATHOLOGIES = frozenset({"MALIGNANT", "BENIGN", "BENIGN_WITHOUT_CALLBACK"})
ASSESSMENT_LABELS = ("0", "1", "2", "3", "4", "5")
"""Categories compared with the assessment column: 4A, 4B and 4C count as 4."""

# when a row gives two distributions, the finding carries the more concerning one
_DISTRIBUTION_CONCERN = (
    Distribution.SEGMENTAL,
    Distribution.LINEAR,
    Distribution.REGIONAL,
    Distribution.GROUPED,
    Distribution.DIFFUSE,
)


@dataclass(frozen=True)
class CbisRow:
    """One calcification abnormality on one view, as the case-description CSV gives it."""

    line: int
    patient_id: str
    side: str
    abnormality_id: str
    calc_type: str
    calc_distribution: str
    assessment: str
    pathology: str

    @property
    def malignant(self) -> bool:
        """True when the pathology is MALIGNANT."""
        return self.pathology == "MALIGNANT"

    @property
    def lesion(self) -> tuple[str, str, str]:
        """The lesion this row shows (its CC and MLO rows share it)."""
        return (self.patient_id, self.side, self.abnormality_id)


def read_cbis_csv(path: Path) -> list[CbisRow]:
    """Read a CBIS-DDSM calcification case-description CSV.

    Raises
    ------
    DatasetError
        When a column is missing or a line is malformed (the message names the line).
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DatasetError(
            f"{path}: cannot be read ({exc.strerror}); give a CBIS-DDSM CSV."
        ) from exc
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise DatasetError(
                f"{path}, line 1: missing column(s) {', '.join(missing)}; "
                "expected the CBIS-DDSM calcification case-description header."
            )
        index = {name: header.index(name) for name in REQUIRED_COLUMNS}
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append(_parse_line(path, reader.line_num, cells, len(header), index))
    return rows


def _parse_line(
    path: Path, line: int, cells: list[str], n_columns: int, index: dict[str, int]
) -> CbisRow:
    if len(cells) != n_columns:
        raise DatasetError(
            f"{path}, line {line}: expected {n_columns} comma-separated fields, found "
            f"{len(cells)}; fix or remove the line."
        )
    value = {name: cells[i].strip() for name, i in index.items()}
    if value["pathology"] not in PATHOLOGIES:
        raise DatasetError(
            f"{path}, line {line}: pathology {value['pathology']!r} is not one of "
            f"{', '.join(sorted(PATHOLOGIES))}; fix or remove the line."
        )
    if value["assessment"] not in ASSESSMENT_LABELS and value["assessment"] != "6":
        raise DatasetError(
            f"{path}, line {line}: assessment {value['assessment']!r} is not a BI-RADS "
            "category 0-6; fix or remove the line."
        )
    if not value["patient_id"]:
        raise DatasetError(f"{path}, line {line}: patient_id is empty; fix or remove the line.")
    return CbisRow(
        line=line,
        patient_id=value["patient_id"],
        side=value["left or right breast"],
        abnormality_id=value["abnormality id"],
        calc_type=value["calc type"],
        calc_distribution=value["calc distribution"],
        assessment=value["assessment"],
        pathology=value["pathology"],
    )


@dataclass(frozen=True)
class Descriptors:
    """A row's descriptors on the lexicon, and the words that could not be mapped."""

    morphology: list[Morphology]
    distributions: list[Distribution]
    unknown_morphology: list[str]
    unknown_distribution: list[str]


def row_descriptors(row: CbisRow) -> Descriptors:
    """Map a row's calc type and calc distribution onto the lexicon, keeping unknown words."""
    morphology, unknown_m = split_morphology(row.calc_type)
    distributions, unknown_d = split_distribution(row.calc_distribution)
    return Descriptors(morphology, distributions, unknown_m, unknown_d)


def design(
    rows: Sequence[CbisRow],
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, list[Descriptors]]:
    """The model's inputs from CSV rows.

    Returns
    -------
    x : ndarray, shape (n, len(FEATURE_NAMES))
    y : ndarray, shape (n,), 1 for malignant
    groups : list of str, patient of each row
    weights : ndarray, shape (n,), 1 / (rows of the same lesion), so each lesion counts once
    descriptors : list of Descriptors
    """
    described = [row_descriptors(r) for r in rows]
    x = np.asarray([descriptor_vector(d.morphology, d.distributions) for d in described])
    x = x.reshape(len(rows), len(FEATURE_NAMES))
    y = np.asarray([int(r.malignant) for r in rows])
    per_lesion = Counter(r.lesion for r in rows)
    weights = np.asarray([1.0 / per_lesion[r.lesion] for r in rows])
    return x, y, [r.patient_id for r in rows], weights, described


def row_finding(row: CbisRow, described: Descriptors, model: RiskModel) -> Finding:
    """The finding the characterisation code makes of a row: descriptors, probability, category."""
    risk = descriptor_risk(described.morphology, described.distributions, model=model)
    distribution = next((d for d in _DISTRIBUTION_CONCERN if d in described.distributions), None)
    finding = Finding(
        id=f"line-{row.line}",
        image=f"{row.patient_id}-{row.side}",
        kind=FindingKind.CLUSTER,
        calcification_ids=[],
        centroid_px=(0.0, 0.0),
        centroid_mm=(0.0, 0.0),
        bbox_px=(0, 0, 0, 0),
        extent_mm=0.0,
        count=0,
        density_per_cm2=0.0,
        distribution=distribution,
        detection_score=1.0,
        morphology=[MorphologyCall(descriptor=m, confidence=1.0) for m in described.morphology],
        malignancy_probability=risk.probability,
        probability_interval=risk.interval,
    )
    category, reasons = categorise(finding)
    return finding.model_copy(
        update={"category": category, "management": category.management, "reasons": reasons}
    )


def _assessment_group(category: Category) -> str:
    return "4" if category.value.startswith("4") else category.value


def _unknown_counts(described: Sequence[Descriptors]) -> dict[str, dict[str, int]]:
    return {
        "calc type": dict(Counter(w for d in described for w in d.unknown_morphology)),
        "calc distribution": dict(Counter(w for d in described for w in d.unknown_distribution)),
    }


def evaluate_cbis_ddsm(
    csv_path: Path,
    *,
    n_bootstrap: int = 2000,
    seed: int = 0,
    n_folds: int = 5,
    l2: float = DEFAULT_L2,
) -> dict[str, Any]:
    """Patient-grouped cross-validated malignancy and category figures on a CBIS-DDSM CSV.

    Parameters
    ----------
    csv_path : Path
        CSV in the CBIS-DDSM calcification case-description format.
    n_bootstrap : int
        Patient-bootstrap resamples for the AUC intervals.
    seed : int
        Seed of the fold assignment and the bootstrap.
    n_folds : int
        Outer folds (fewer when there are fewer patients).

    Returns
    -------
    dict
        JSON-ready; keys documented in docs/evaluation.md (``dataset``, ``n_rows``, ``auc``,
        ``auc_ci95``, ``brier``, ``ece``, ``reliability``, ``kappa_vs_assessment``,
        ``confusion``, ``assessment_auc``, ``unknown_values``, ``cross_validated``, ...).
    """
    rows = read_cbis_csv(csv_path)
    if not rows:
        raise DatasetError(f"{csv_path}: has a header but no rows; give a CBIS-DDSM CSV with data.")
    x, y, groups, weights, described = design(rows)
    folds = group_folds(groups, max(2, min(n_folds, len(set(groups)))), seed)
    findings: list[Finding | None] = [None] * len(rows)
    for k in np.unique(folds):
        train = folds != k
        model = fit_risk_model(
            x[train],
            y[train],
            [g for g, keep in zip(groups, train, strict=True) if keep],
            l2=l2,
            weights=weights[train],
            n_folds=n_folds,
            n_bootstrap=0,
            seed=seed,
        )
        for i in np.flatnonzero(~train):
            findings[i] = row_finding(rows[i], described[i], model)
    scored = [f for f in findings if f is not None]
    p = [float(f.malignancy_probability or 0.0) for f in scored]
    result: dict[str, Any] = {
        "dataset": "cbis-ddsm",
        "version": version(),
        "n_rows": len(rows),
        "n_patients": len(set(groups)),
        "n_lesions": len({r.lesion for r in rows}),
        "cross_validated": True,
        "cross_validation": {
            "method": "patient-grouped k-fold; the ridge logistic regression and its Platt "
            "calibration (itself fitted on inner out-of-fold logits) are refitted on the other "
            "folds before a fold's rows are scored",
            "n_folds": int(len(np.unique(folds))),
            "grouped_by": "patient_id",
            "seed": seed,
            "l2": l2,
        },
        "parameters": {"n_bootstrap": n_bootstrap, "seed": seed, "n_folds": n_folds, "l2": l2},
        "unknown_values": _unknown_counts(described),
    }
    result.update(malignancy_figures(list(y), p, groups, n_bootstrap=n_bootstrap, seed=seed))
    result.update(_assessment_figures(rows, scored, y, groups, n_bootstrap=n_bootstrap, seed=seed))
    return result


def _assessment_figures(
    rows: Sequence[CbisRow],
    findings: Sequence[Finding],
    y: np.ndarray,
    groups: Sequence[str],
    *,
    n_bootstrap: int,
    seed: int,
) -> dict[str, Any]:
    """Category against the radiologists' assessment, and the assessment's own AUC."""
    ours = [_assessment_group(f.category or Category.INCOMPLETE) for f in findings]
    theirs = [r.assessment if r.assessment in ASSESSMENT_LABELS else "5" for r in rows]
    # the assessment as a score: its number (as usually reported), and ranked by concern with
    # 0 between 3 and 4A (Category.rank), which treats "incomplete" as more worrying than 3
    number = [float(r.assessment) for r in rows]
    concern = [float(Category(a if a != "4" else "4A").rank) for a in theirs]
    figures: dict[str, Any] = {
        "category_counts": dict(Counter(f.category.value for f in findings if f.category)),
        "kappa_vs_assessment": finite_or_none(
            quadratic_weighted_kappa(theirs, ours, ASSESSMENT_LABELS)
        ),
        "confusion": {
            "rows": "radiologists' assessment",
            "columns": "mammocalc category (4A, 4B, 4C counted as 4)",
            "labels": list(ASSESSMENT_LABELS),
            "matrix": confusion_matrix(theirs, ours, ASSESSMENT_LABELS),
        },
        "assessment_auc": None,
        "assessment_auc_ci95": None,
        "assessment_auc_concern_order": None,
    }
    if 0 < y.sum() < len(y):
        figures["assessment_auc"] = roc_auc(y, number)
        figures["assessment_auc_concern_order"] = roc_auc(y, concern)
        if n_bootstrap > 0 and len(set(groups)) >= 2:
            low, high = bootstrap_ci(y, number, roc_auc, groups=groups, n=n_bootstrap, seed=seed)
            figures["assessment_auc_ci95"] = [low, high]
    return figures
