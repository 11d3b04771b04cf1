"""Train the per-calcification morphology classifier and write weights/morphology.json.

Command (from the repository root; about 15 minutes on one core)::

    .venv/bin/python scripts/train_morphology_model.py \
        --out src/mammocalc/weights/morphology.json --seeds 100-103 --cluster-seeds 104-109

Data: simulator images (``mammocalc.simulate``), one per morphology scene, pixel spacing (0.07
and 0.1 mm) and seed (``--seeds``; the micro-calcification scenes also ``--cluster-seeds``, as
they hold the classes the probability depends on), breast density cycling a-d. Seeds from 100 up
are kept apart from those ``mammocalc evaluate synthetic`` uses by default (0 up). Each image
goes through the product's own breast, detect and group stages; every detected calcification
that hits a visible truth calcification (centre within 0.5 mm of its centre or inside its
outline: the synthetic evaluation's rule, so that specks of texture beside a large calcification
are not labelled with its class) is a training row labelled with the truth's morphology
(vascular pieces included, so that a thin piece of a vessel wall is not taken for a fine linear
calcification). Model: multinomial logistic regression
on standardised size and shape measures (numpy and scipy's L-BFGS, scikit-learn's objective:
C times the class-balanced log loss plus half the squared coefficients);
exported as plain numbers and run in numpy by ``mammocalc._morphology``. Accuracy with each image
seed held out in turn is printed and written into the JSON, beside the accuracy of the size and
shape rules (``classify_calcification``, the fallback when no model is shipped) on the same rows;
both with the product's skin rule (a lucent-centred call within 3 mm of the skin is skin). Ship
the file only when the model beats the rules. ``--rows`` keeps the collected rows (npz) so that a
refit does not simulate again.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from skimage.measure import points_in_poly

from mammocalc import __version__
from mammocalc import _thresholds as t
from mammocalc._morphology import MEMBER_FEATURES, classify_calcification, member_features
from mammocalc.models import ImageResult
from mammocalc.pipeline import analyze_image
from mammocalc.simulate import simulate_image
from mammocalc.simulate.truth import TruthCalcification
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
    "vascular": Morphology.VASCULAR,
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
HIT_MM = 0.5  # a detection labels with the truth calcification it hits (evaluation's rule)


def _near_skin(result: ImageResult) -> dict[int, bool]:
    """Calcification id -> whether its finding lies within SKIN_MAX_DISTANCE_MM of the skin."""
    near: dict[int, bool] = {}
    for finding in result.findings:
        distance = finding.features.get("distance_to_skin_mm", np.inf)
        for i in finding.calcification_ids:
            near[i] = distance <= t.SKIN_MAX_DISTANCE_MM
    return near


def collect(
    seeds: list[int], cluster_seeds: list[int]
) -> tuple[np.ndarray, list[str], list[int], list[str], list[bool]]:
    """Rows of member features, their truth morphology, the image seed (for grouped CV), the
    rules' class and whether the calcification lies near the skin."""
    rows, labels, groups, rules, skin = [], [], [], [], []
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
        near = _near_skin(result)
        for calc in result.calcifications:
            j = _hit(calc.centroid_px, truth, sim.truth.spacing_mm)
            if j is not None:
                rows.append(member_features(calc, result.spacing_mm))
                labels.append(truth[j].morphology.value)
                groups.append(seed)
                skin.append(near.get(calc.id, False))
                rules.append(
                    classify_calcification(
                        calc, near_skin=skin[-1], spacing_mm=result.spacing_mm
                    ).value
                )
        print(f"{scene:22s} seed {seed} {spacing_mm} mm: {len(rows)} rows", file=sys.stderr)
    return np.asarray(rows), labels, groups, rules, skin


def _hit(
    centre_px: tuple[float, float], truth: list[TruthCalcification], spacing_mm: float
) -> int | None:
    """Index of the truth calcification this detection hits, by the synthetic evaluation's rule
    (centre within 0.5 mm of the truth centre or inside its outline), else None."""
    centre = np.asarray(centre_px, dtype=np.float64)
    best: tuple[float, int] | None = None
    for j, c in enumerate(truth):
        distance_px = float(np.hypot(*(centre - np.asarray(c.centroid_px))))
        outline = np.asarray(c.outline_px)
        inside = len(outline) >= 3 and bool(points_in_poly(centre[None], outline)[0])
        if (distance_px * spacing_mm <= HIT_MM or inside) and (
            best is None or distance_px < best[0]
        ):
            best = (distance_px, j)
    return None if best is None else best[1]


def balanced_accuracy(labels: list[str], predicted: list[str]) -> dict[str, float]:
    """Balanced (mean per-class) and plain accuracy."""
    y, p = np.asarray(labels), np.asarray(predicted)
    per_class = [float(np.mean(p[y == k] == k)) for k in np.unique(y)]
    return {"balanced": float(np.mean(per_class)), "plain": float(np.mean(p == y))}


@dataclass(frozen=True)
class Softmax:
    """A fitted multinomial logistic regression on standardised rows."""

    classes: list[str]
    coef: np.ndarray  # (k, f)
    intercept: np.ndarray  # (k,)

    def predict(self, x: np.ndarray) -> list[str]:
        """The most probable class of each row of ``x`` (n, f)."""
        best = np.argmax(x @ self.coef.T + self.intercept, axis=1)
        return [self.classes[i] for i in best]


def fit(x: np.ndarray, labels: list[str], c: float) -> Softmax:
    """Class-balanced multinomial logistic regression, penalty 0.5 * |coef|^2 / c (not the
    intercept), by L-BFGS; the objective of scikit-learn's ``LogisticRegression(C=c,
    class_weight="balanced")``."""
    classes = sorted(set(labels))
    index = {k: i for i, k in enumerate(classes)}
    y = np.asarray([index[k] for k in labels])
    n, f = x.shape
    k = len(classes)
    counts = np.bincount(y, minlength=k)
    weight = (n / (k * counts))[y]
    onehot = np.eye(k)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, intercept = theta[: k * f].reshape(k, f), theta[k * f :]
        z = x @ coef.T + intercept
        z -= z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -c * float(np.sum(weight * np.sum(onehot * log_p, axis=1)))
        value += 0.5 * float(np.sum(coef**2))
        residual = c * weight[:, None] * (np.exp(log_p) - onehot)  # (n, k)
        grad_coef = residual.T @ x + coef
        return value, np.concatenate([grad_coef.ravel(), residual.sum(axis=0)])

    result = minimize(
        loss, np.zeros(k * f + k), jac=True, method="L-BFGS-B", options={"maxiter": 5000}
    )
    theta = result.x
    return Softmax(classes, theta[: k * f].reshape(k, f), theta[k * f :])


def held_out_predictions(
    x: np.ndarray, labels: list[str], groups: list[int], skin: list[bool], c: float
) -> list[str]:
    """Each row's class from a model fitted without its image seed (skin rule applied)."""
    y = np.asarray(labels)
    g = np.asarray(groups)
    predicted = np.empty(len(y), dtype=object)
    for held in np.unique(g):
        train = g != held
        mean, scale = x[train].mean(axis=0), _scale(x[train])
        model = fit((x[train] - mean) / scale, list(y[train]), c)
        predicted[~train] = model.predict((x[~train] - mean) / scale)
    rim, skin_word = Morphology.RIM.value, Morphology.SKIN.value
    return [
        skin_word if near and k == rim else str(k) for k, near in zip(predicted, skin, strict=True)
    ]


def _scale(x: np.ndarray) -> np.ndarray:
    """Standard deviation of each column, 1 where a column is constant (never divide by ~0)."""
    std = x.std(axis=0)
    return np.where(std > 1e-6, std, 1.0)


def _seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("src/mammocalc/weights/morphology.json"))
    parser.add_argument("--seeds", default="100-101", help="image seeds, e.g. 100-101")
    parser.add_argument("--cluster-seeds", default="102-104", help="extra micro-cluster seeds")
    parser.add_argument("--c", type=float, default=1.0, help="inverse ridge strength")
    parser.add_argument(
        "--rows", type=Path, help="npz of collected rows: read if it exists, else written"
    )
    args = parser.parse_args(argv)
    if args.rows is not None and args.rows.exists():
        saved = np.load(args.rows)
        x, labels, groups = saved["x"], list(saved["labels"]), [int(g) for g in saved["groups"]]
        rules, skin = list(saved["rules"]), [bool(v) for v in saved["skin"]]
    else:
        x, labels, groups, rules, skin = collect(
            _seed_range(args.seeds), _seed_range(args.cluster_seeds)
        )
        if args.rows is not None:
            np.savez(args.rows, x=x, labels=labels, groups=groups, rules=rules, skin=skin)
    predicted = (
        held_out_predictions(x, labels, groups, skin, args.c) if len(set(groups)) > 1 else None
    )
    held_out = None if predicted is None else balanced_accuracy(labels, predicted)
    by_rules = balanced_accuracy(labels, rules)
    rule_classes = sorted(set(rules) & set(labels))
    on_rule_classes = [i for i, k in enumerate(labels) if k in rule_classes]
    mean, scale = x.mean(axis=0), _scale(x)
    model = fit((x - mean) / scale, labels, args.c)
    command = (
        ".venv/bin/python scripts/train_morphology_model.py "
        f"--out {args.out.as_posix()} --seeds {args.seeds} "
        f"--cluster-seeds {args.cluster_seeds} --c {args.c}"
    )
    data = {
        "features": list(MEMBER_FEATURES),
        "classes": list(model.classes),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef.tolist(),
        "intercept": model.intercept.tolist(),
        "metadata": {
            "command": command,
            "data": f"{len(labels)} detected calcifications on simulator images, "
            f"scenes {', '.join(SCENES)}, spacings {SPACINGS_MM} mm, seeds {args.seeds} "
            f"(micro-calcification scenes also {args.cluster_seeds})",
            "class_counts": {k: labels.count(k) for k in sorted(set(labels))},
            "accuracy_leave_one_seed_out": held_out,
            "rules_accuracy_same_rows": by_rules,
            "rules_accuracy_on_classes_rules_can_give": {
                "classes": rule_classes,
                **balanced_accuracy(
                    [labels[i] for i in on_rule_classes], [rules[i] for i in on_rule_classes]
                ),
            },
            "trained_with": f"mammocalc {__version__}",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
    }
    if predicted is not None:
        data["metadata"]["model_accuracy_on_classes_rules_can_give"] = balanced_accuracy(
            [labels[i] for i in on_rule_classes], [predicted[i] for i in on_rule_classes]
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(args.out)
    print(json.dumps(data["metadata"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
