"""Train the per-calcification morphology classifier and write weights/morphology.json.

Command (from the repository root; about 10 minutes on one core)::

    .venv/bin/python scripts/train_morphology_model.py \
        --out src/mammocalc/weights/morphology.json --seeds 100-101 --cluster-seeds 102-104

Data: simulator images (``mammocalc.simulate``), one per morphology scene, pixel spacing (0.07
and 0.1 mm) and seed (``--seeds``; the micro-calcification scenes also ``--cluster-seeds``, as
they hold the classes the probability depends on), breast density cycling a-d. Seeds from 100 up
are kept apart from those ``mammocalc evaluate synthetic`` uses by default (0 up). Each image
goes through the product's own breast, detect and group stages; every detected calcification
that lies on a visible truth calcification (within max(0.5 mm, half its length)) is a training
row labelled with the truth's morphology. Vascular calcification is a finding-level pattern
recognised by ``group`` (parallel tracks) and is left out. Model: multinomial logistic regression
on standardised size and shape measures (scikit-learn, training only), balanced class weights;
exported as plain numbers and run in numpy by ``mammocalc._morphology``. Accuracy with each image
seed held out in turn is printed and written into the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from mammocalc import __version__
from mammocalc._morphology import MEMBER_FEATURES, member_features
from mammocalc.pipeline import analyze_image
from mammocalc.simulate import simulate_image
from mammocalc.vocabulary import Morphology

SCENES = {
    "punctate": Morphology.PUNCTATE,
    "round": Morphology.ROUND,
    "amorphous": Morphology.AMORPHOUS,
    "coarse-heterogeneous": Morphology.COARSE_HETEROGENEOUS,
    "fine-pleomorphic": Morphology.FINE_PLEOMORPHIC,
    "fine-linear-branching": Morphology.FINE_LINEAR_BRANCHING,
    "coarse-popcorn": Morphology.COARSE,
    "large-rod-like": Morphology.LARGE_ROD_LIKE,
    "rim": Morphology.RIM,
    "skin": Morphology.SKIN,
    "dystrophic": Morphology.DYSTROPHIC,
    "milk-of-calcium": Morphology.MILK_OF_CALCIUM,
    "suture": Morphology.SUTURE,
}
CLUSTER_SCENES = (
    "punctate",
    "round",
    "amorphous",
    "coarse-heterogeneous",
    "fine-pleomorphic",
    "fine-linear-branching",
)
SPACINGS_MM = (0.07, 0.1)
DENSITIES = ("a", "b", "c", "d")
LEFT_OUT = frozenset({Morphology.VASCULAR})


def collect(seeds: list[int], cluster_seeds: list[int]) -> tuple[np.ndarray, list[str], list[int]]:
    """Rows of member features, their truth morphology and the image seed (for grouped CV)."""
    rows, labels, groups = [], [], []
    plan = [(s, seed) for s in SCENES for seed in seeds]
    plan += [(s, seed) for s in CLUSTER_SCENES for seed in cluster_seeds]
    for k, (scene, seed, spacing_mm) in enumerate(
        (s, seed, sp) for s, seed in plan for sp in SPACINGS_MM
    ):
        sim = simulate_image(
            seed, scene=scene, spacing_mm=spacing_mm, density=DENSITIES[k % len(DENSITIES)]
        )
        result = analyze_image(sim.mammogram)
        truth = [c for c in sim.truth.calcifications if c.visible]
        if not truth:
            continue
        centres = np.asarray([c.centroid_mm for c in truth])
        reach = np.asarray([max(0.5, c.length_mm / 2) for c in truth])
        for calc in result.calcifications:
            distance = np.hypot(*(centres - np.asarray(calc.centroid_mm)).T)
            j = int(np.argmin(distance))
            if distance[j] <= reach[j] and truth[j].morphology not in LEFT_OUT:
                rows.append(member_features(calc, result.spacing_mm))
                labels.append(truth[j].morphology.value)
                groups.append(seed)
        print(f"{scene:22s} seed {seed} {spacing_mm} mm: {len(rows)} rows", file=sys.stderr)
    return np.asarray(rows), labels, groups


def fit(x: np.ndarray, labels: list[str], c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    return model.fit(x, labels)


def grouped_accuracy(x: np.ndarray, labels: list[str], groups: list[int], c: float) -> float:
    """Accuracy with each image seed held out in turn (balanced over classes)."""
    y = np.asarray(labels)
    g = np.asarray(groups)
    predicted = np.empty(len(y), dtype=object)
    for held in np.unique(g):
        train = g != held
        mean, scale = x[train].mean(axis=0), x[train].std(axis=0) + 1e-9
        model = fit((x[train] - mean) / scale, list(y[train]), c)
        predicted[~train] = model.predict((x[~train] - mean) / scale)
    per_class = [np.mean(predicted[y == k] == k) for k in np.unique(y)]
    return float(np.mean(per_class))


def _seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("src/mammocalc/weights/morphology.json"))
    parser.add_argument("--seeds", default="100-101", help="image seeds, e.g. 100-101")
    parser.add_argument("--cluster-seeds", default="102-104", help="extra micro-cluster seeds")
    parser.add_argument("--c", type=float, default=1.0, help="inverse ridge strength")
    args = parser.parse_args(argv)
    seeds, cluster_seeds = _seed_range(args.seeds), _seed_range(args.cluster_seeds)
    x, labels, groups = collect(seeds, cluster_seeds)
    accuracy = grouped_accuracy(x, labels, groups, args.c) if len(set(groups)) > 1 else None
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = fit((x - mean) / scale, labels, args.c)
    data = {
        "features": list(MEMBER_FEATURES),
        "classes": [str(k) for k in model.classes_],
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "metadata": {
            "command": "python scripts/train_morphology_model.py "
            f"--out {args.out.as_posix()} --seeds {args.seeds} "
            f"--cluster-seeds {args.cluster_seeds} --c {args.c}",
            "data": f"{len(labels)} detected calcifications on simulator images, "
            f"scenes {', '.join(SCENES)}, spacings {SPACINGS_MM} mm, seeds {args.seeds} "
            f"(micro-calcification scenes also {args.cluster_seeds})",
            "class_counts": {k: labels.count(k) for k in sorted(set(labels))},
            "balanced_accuracy_leave_one_seed_out": accuracy,
            "trained_with": f"mammocalc {__version__}",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(args.out)
    print(json.dumps(data["metadata"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
