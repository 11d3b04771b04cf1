"""Train the descriptor malignancy model and write src/mammocalc/weights/risk_descriptor.json.

Command (from the repository root; a few seconds on one core)::

    .venv/bin/python scripts/train_risk_model.py \
        ../shared/data/cbis-ddsm/calc_case_description_train_set.csv \
        --out src/mammocalc/weights/risk_descriptor.json --n-bootstrap 200 --seed 0

Data: the 1,546 CBIS-DDSM training calcification descriptions (pathology MALIGNANT versus BENIGN
and BENIGN_WITHOUT_CALLBACK). Inputs are the calc type and calc distribution words only (never the
assessment or subtlety). The ridge penalty is chosen by patient-grouped cross-validated log loss;
Platt calibration is fitted on out-of-fold logits; the interval comes from a patient-bootstrap
ensemble of the coefficients. The script also prints the model's patient-grouped cross-validated
figures (the same as ``mammocalc evaluate cbis-ddsm``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from mammocalc import __version__
from mammocalc._risk_fit import fit_risk_model, out_of_fold_logits
from mammocalc.evaluate.cbis_ddsm import design, evaluate_cbis_ddsm, read_cbis_csv

L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


def _log_loss(y: np.ndarray, logit: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0.0, logit) - y * logit))


def choose_l2(x: np.ndarray, y: np.ndarray, groups: list[str], w: np.ndarray, seed: int) -> float:
    """The ridge penalty with the lowest patient-grouped out-of-fold log loss (3 fold seeds)."""
    losses = {}
    for l2 in L2_GRID:
        losses[l2] = np.mean(
            [
                _log_loss(y, out_of_fold_logits(x, y, groups, seed=s, l2=l2, weights=w))
                for s in range(seed, seed + 3)
            ]
        )
        print(f"l2={l2:<5} out-of-fold log loss {losses[l2]:.4f}", file=sys.stderr)
    return min(losses, key=lambda k: losses[k])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument(
        "--out", type=Path, default=Path("src/mammocalc/weights/risk_descriptor.json")
    )
    parser.add_argument("--n-bootstrap", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rows = read_cbis_csv(args.csv)
    x, y, groups, weights, _ = design(rows)
    l2 = choose_l2(x, y, groups, weights, args.seed)
    model = fit_risk_model(
        x, y, groups, l2=l2, weights=weights, n_bootstrap=args.n_bootstrap, seed=args.seed
    )
    figures = evaluate_cbis_ddsm(args.csv, n_bootstrap=1000, seed=args.seed, l2=l2)
    keep = ("auc", "auc_ci95", "brier", "ece", "assessment_auc", "kappa_vs_assessment")
    data = model.to_json()
    data["metadata"] = {
        "command": (
            "python scripts/train_risk_model.py "
            "../shared/data/cbis-ddsm/calc_case_description_train_set.csv "
            f"--out {args.out.as_posix()} --n-bootstrap {args.n_bootstrap} --seed {args.seed}"
        ),
        "data": f"{args.csv.name}: {len(rows)} rows, {len(set(groups))} patients, "
        f"{int(y.sum())} malignant",
        "l2": l2,
        "trained_with": f"mammocalc {__version__}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cross_validated_figures": {k: figures.get(k) for k in keep},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(args.out)
    print(json.dumps(data["metadata"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
