"""Run every benchmark and evaluation, then regenerate docs/benchmarks.md from their JSON output.

``make bench`` runs this script. Each step is the public command line, run as a subprocess, so
the command written into the document is exactly the one that produced its figures. Steps whose
data are absent from ../shared/data are skipped with a message; a failing step is reported with
its error, not hidden. Nothing in docs/benchmarks.md is typed by hand: every figure is read from
the JSON files written under bench-output/.

Usage: python scripts/make_bench.py [--quick] [--synthetic-n N] [--only STEP ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-output"
DOC = ROOT / "docs" / "benchmarks.md"
IMAGES = ROOT / "docs" / "images"
MAMMOCALC = Path(sys.executable).parent / "mammocalc"


@dataclass
class Step:
    """One command of the benchmark run and what became of it."""

    name: str
    args: list[str]
    json_path: Path
    needs: Path | None = None
    status: str = "not run"
    seconds: float = 0.0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def command(self) -> str:
        return "mammocalc " + " ".join(shlex.quote(_relative(a)) for a in self.args)


def _relative(arg: str) -> str:
    try:
        return str(Path(arg).resolve().relative_to(ROOT)) if "/" in arg else arg
    except ValueError:
        return "../" + str(Path(arg).resolve().relative_to(ROOT.parent)) if "/" in arg else arg


def plan(quick: bool, synthetic_n: int) -> list[Step]:
    """The steps, in order: bench, mini-MIAS, CBIS-DDSM, synthetic."""
    mias = DATA / "mini-mias"
    cbis = DATA / "cbis-ddsm" / "calc_case_description_train_set.csv"
    steps = [
        Step("bench", ["bench", "--json", str(OUT / "bench.json")], OUT / "bench.json"),
        Step(
            "mini-mias",
            ["evaluate", "mini-mias", str(mias), "--json", str(OUT / "mini-mias.json")]
            + ["--plots", str(IMAGES)],
            OUT / "mini-mias.json",
            needs=mias / "Info.txt",
        ),
        Step(
            "cbis-ddsm",
            ["evaluate", "cbis-ddsm", str(cbis), "--json", str(OUT / "cbis-ddsm.json")]
            + ["--plots", str(IMAGES)],
            OUT / "cbis-ddsm.json",
            needs=cbis,
        ),
        Step(
            "synthetic",
            ["evaluate", "synthetic", "--n", str(synthetic_n), "--seed", "0"]
            + ["--json", str(OUT / "synthetic.json"), "--plots", str(IMAGES)],
            OUT / "synthetic.json",
        ),
    ]
    if quick:
        steps[0].args.append("--quick")
        steps[1].args += ["--limit", "12", "--bootstrap", "200"]
        steps[2].args += ["--bootstrap", "200"]
    return steps


def run(step: Step, timeout_s: float) -> None:
    """Run one step's command, keeping its output in bench-output/<name>.log."""
    if step.needs is not None and not step.needs.exists():
        step.status = "skipped"
        step.message = f"{_relative(str(step.needs))} is absent"
        print(f"[{step.name}] skipped: {step.message}", flush=True)
        return
    print(f"[{step.name}] {step.command}", flush=True)
    started = time.perf_counter()
    with open(OUT / f"{step.name}.log", "w") as log:
        try:
            completed = subprocess.run(
                ["nice", str(MAMMOCALC), *step.args],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout_s,
                check=False,
            )
            code: int | None = completed.returncode
        except subprocess.TimeoutExpired:
            code = None
    step.seconds = time.perf_counter() - started
    if code == 0 and step.json_path.exists():
        step.status = "ran"
        step.result = json.loads(step.json_path.read_text())
    else:
        step.status = "failed"
        tail = (OUT / f"{step.name}.log").read_text().strip().splitlines()[-3:]
        reason = "timed out" if code is None else f"exit code {code}"
        step.message = f"{reason}: " + " / ".join(tail)
    print(f"[{step.name}] {step.status} in {step.seconds:.0f} s {step.message}", flush=True)


def mias_panel(step: Step) -> Path | None:
    """Worst false marks and misses on mini-MIAS, from the step's JSON (docs/images)."""
    if step.status != "ran":
        return None
    import numpy as np
    from PIL import Image

    from mammocalc.evaluate.mini_mias import UNRELIABLE
    from mammocalc.evaluate.plots import mark_panel

    def load(ref: str) -> np.ndarray:
        return np.asarray(Image.open(DATA / "mini-mias" / f"{ref}.pgm"))

    return mark_panel(step.result, load, IMAGES / "mini-mias_panel.png", skip=UNRELIABLE)


# ----------------------------------------------------------------------------- rendering


def f(value: Any, digits: int = 3) -> str:
    """A figure as written in the document; missing figures are an en dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list) and len(value) == 2:
        return f"[{f(value[0], digits)}, {f(value[1], digits)}]"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(f(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _step_header(step: Step) -> list[str]:
    lines = [f"Command: `{step.command}`", ""]
    if step.status != "ran":
        return lines + [f"**{step.status}**: {step.message}", ""]
    when = step.message or f"ran in {step.seconds:.0f} s"
    return lines + [f"{when[0].upper()}{when[1:]}. JSON: `{_relative(str(step.json_path))}`.", ""]


def _images(names: Sequence[str]) -> list[str]:
    return [f"![{n}](images/{n})" for n in names if (IMAGES / n).exists()] + [""]


def render_bench(step: Step) -> list[str]:
    lines = ["## Speed and memory (`mammocalc bench`)", "", *_step_header(step)]
    if step.status != "ran":
        return lines
    result = step.result
    lines += [f"Memory: {result['parameters']['memory']}.", ""]
    images = result["images"]
    header = ["stage"] + [
        f"{i['spacing_mm']:g} mm {i['shape_px'][0]}x{i['shape_px'][1]}: s" for i in images
    ]
    header += [f"{i['spacing_mm']:g} mm: traced peak MB" for i in images]
    stages = list(images[0]["stage_seconds"]) if images else []
    rows: list[list[Any]] = [
        [s]
        + [f(i["stage_seconds"].get(s), 2) for i in images]
        + [f(i["tracemalloc_peak_mb"].get(s), 0) for i in images]
        for s in stages
    ]
    rows.append(
        ["all stages"]
        + [f(i["total_seconds"], 2) for i in images]
        + [f(i["tracemalloc_peak_mb"].get("analyze_image (all stages)"), 0) for i in images]
    )
    lines += table(header, rows)
    lines += table(
        [
            "image",
            "megapixels",
            "findings",
            "process max RSS MB",
            "simulator s",
            "simulator max RSS MB",
        ],
        [
            [
                f"{i['spacing_mm']:g} mm",
                i["megapixels"],
                i["n_findings"],
                f(i["max_rss_mb"], 0),
                f(i["simulator"]["seconds"], 2),
                f(i["simulator"]["max_rss_mb"], 0),
            ]
            for i in images
        ],
    )
    lines += table(
        ["spacing mm", "workers", "images", "wall s", "images per hour"],
        [
            [
                spacing,
                r["workers"],
                r["n_images"],
                f(r["wall_seconds"], 1),
                f(r["images_per_hour"], 0),
            ]
            for spacing, runs in result["throughput"].items()
            for r in runs
        ],
    )
    lines += [
        "Targets: analysis <= 3 s per 70 um full-field image on one core (issue 5); simulator "
        "<= 2 s and <= 1 GB for the 70 um image (issue 2).",
        "",
    ]
    return lines


def _with_interval(value: Any, interval: Any) -> str:
    return f(value) if not interval else f"{f(value)} {f(interval, 2)}"


def _mias_row(label: str, block: dict[str, Any]) -> list[Any]:
    at = block["froc"]["sensitivity_at_fp"]
    ci = block["froc"].get("sensitivity_ci95", {})
    return [
        label,
        block["n_images"],
        block["n_truth_clusters"],
        *(_with_interval(at[k], ci.get(k)) for k in ("0.1", "0.3", "0.5", "1", "2")),
        block["froc"].get("mean_sensitivity"),
        block["auc"],
        block["auc_ci95"],
        block["n_scored"],
        block["brier"],
        block["ece"],
    ]


def render_mias(step: Step) -> list[str]:
    lines = ["## mini-MIAS: calcification clusters on digitised film", "", *_step_header(step)]
    if step.status != "ran":
        return lines
    result = step.result
    lines += [
        "Cluster-level FROC (Chakraborty): a finding hits a truth cluster when its centre lies "
        "within max(radius, 5 mm) of the truth centre; every other finding is a false positive. "
        "Images with a NOTE 3 row (no coordinates) are left out: "
        f"{result['n_images_left_out_note3']}. AUC: malignancy probability of the finding "
        "hitting each B/M cluster (clusters found only). Intervals: 95% bootstrap over patients. "
        "Mean: the mean of the five sensitivities (CPM).",
        "",
    ]
    header = [
        "images",
        "n",
        "clusters",
        "sens @0.1 FP/img",
        "@0.3",
        "@0.5",
        "@1",
        "@2",
        "mean",
        "AUC",
        "AUC 95% CI",
        "clusters scored",
        "Brier",
        "ECE",
    ]
    lines += table(
        header,
        [
            _mias_row("all", result),
            _mias_row("without mdb212, mdb214", result["excluding_unreliable"]),
        ],
    )
    lines += _mias_cross_validation()
    lines += ["Targets (issue 5): sensitivity >= 0.75 at <= 1 FP/image and >= 0.60 at <= 0.3.", ""]
    lines += _images(["mini-mias_froc.png", "mini-mias_roc.png", "mini-mias_reliability.png"])
    if (IMAGES / "mini-mias_panel.png").exists():
        lines += [
            "Highest-scored false marks (top row) and missed clusters (bottom row, truth circle; "
            "malignant first; mdb212 and mdb214 not shown):",
            "",
        ]
        lines += _images(["mini-mias_panel.png"])
    return lines


def _mias_cross_validation() -> list[str]:
    """The patient-fold figures the detector's training run wrote into the shipped weights."""
    path = ROOT / "src" / "mammocalc" / "weights" / "detect_cluster.json"
    if not path.exists():
        return ["No learned detector is shipped: the figures above are the untrained defaults.", ""]
    meta = json.loads(path.read_text()).get("metadata", {})
    folds = meta.get("cross_validation", {})
    if not folds:
        return []
    lines = [
        "The shipped detector was trained on these images (all but mdb212, mdb214), so the table "
        "above is in-sample. The honest figure is the patient-fold cross-validation of the "
        f"training run (`{meta.get('command', '?')}`, {meta.get('date', '?')}, "
        f"{folds.get('folds', '?')} folds by patient, both models refitted per fold):",
        "",
    ]
    header = ["marks", "images", "n", "clusters", "@0.1", "@0.3", "@0.5", "@1", "@2"]
    rows = []
    for marks, sets in folds.items():
        if not isinstance(sets, dict):
            continue
        for name, figures in sets.items():
            sens = figures.get("sensitivity_at_fp", {})
            rows.append(
                [marks.replace("_", " "), name.replace("_", " "), figures.get("n_images")]
                + [figures.get("n_truth_clusters")]
                + [f(sens.get(k), 3) for k in ("0.1", "0.3", "0.5", "1", "2")]
            )
    return lines + table(header, rows)


def render_cbis(step: Step) -> list[str]:
    lines = [
        "## CBIS-DDSM: descriptors to malignancy probability and category",
        "",
        *_step_header(step),
    ]
    if step.status != "ran":
        return lines
    r = step.result
    keys = [
        "n_rows",
        "n_patients",
        "n_lesions",
        "auc",
        "auc_ci95",
        "brier",
        "ece",
        "kappa_vs_assessment",
        "assessment_auc",
    ]
    lines += table(["figure", "value"], [[k, r.get(k)] for k in keys if k in r])
    if r.get("cross_validation"):
        lines += [f"Cross-validation: {r['cross_validation'].get('method')}", ""]
    if r.get("unknown_values"):
        lines += [
            "Values not in the lexicon (reported, not dropped): "
            f"`{json.dumps(r['unknown_values'])}`",
            "",
        ]
    confusion = r.get("confusion")
    if confusion:
        lines += [
            f"Confusion matrix, rows: {confusion['rows']}; columns: {confusion['columns']}.",
            "",
        ]
        lines += table(
            ["", *confusion["labels"]],
            [
                [label, *row]
                for label, row in zip(confusion["labels"], confusion["matrix"], strict=True)
            ],
        )
    lines += ["Targets (issue 6): AUC >= 0.80 on the held-back test split; ECE <= 0.05.", ""]
    return lines + _images(["cbis-ddsm_roc.png", "cbis-ddsm_reliability.png"])


def _synthetic_row(label: str, b: dict[str, Any]) -> list[Any]:
    calc = b["calcification_froc"]["sensitivity_at_fp"]
    cluster = b["froc"]["sensitivity_at_fp"]
    shown = b.get("visible_cluster_froc", {}).get("sensitivity_at_fp", {})
    return [
        label,
        b["n_images"],
        b["n_truth_calcifications"],
        calc.get("0.4"),
        calc.get("1"),
        b["n_truth_clusters"],
        cluster.get("0.1"),
        cluster.get("1"),
        b.get("n_visible_clusters"),
        shown.get("0.1"),
        b["morphology"]["micro_accuracy"],
        b["morphology"]["macro_accuracy"],
        b["distribution"]["micro_accuracy"],
        b["category"]["agreement"],
        b["category"]["kappa"],
    ]


def _image_category_lines(r: dict[str, Any]) -> list[str]:
    """Whole-image categories (worst finding against worst visible or found truth finding), by
    spacing."""
    if "image_category" not in r:
        return []
    groups = [("all", r), *((f"spacing {k} mm", b) for k, b in r["by_spacing"].items())]
    header = [
        "images",
        "n",
        "category agreement",
        "kappa",
        "benign images (1-3)",
        "sent to biopsy",
        "suspicious images (4A-5)",
        "not sent to biopsy",
    ]
    keys = (
        "n_images",
        "agreement",
        "kappa",
        "n_benign_images",
        "benign_sent_to_biopsy",
        "n_suspicious_images",
        "suspicious_not_sent_to_biopsy",
    )
    rows = [[label, *(b["image_category"][k] for k in keys)] for label, b in groups]
    block = r["image_category"]
    lines = [
        "Whole images, as a breast is assessed: the worst finding's category against the worst "
        "truth finding's among the visible ones and those a finding found (1 where there is none; "
        "category 0 counts neither as biopsy nor as screening):",
        "",
        *table(header, rows),
        "Image category confusion matrix (rows: intended, columns: mammocalc):",
        "",
    ]
    return lines + table(
        ["", *block["labels"]],
        [
            [label, *row]
            for label, row in zip(block["labels"], block["confusion_matrix"], strict=True)
        ],
    )


def render_synthetic(step: Step) -> list[str]:
    lines = ["## Synthetic: simulator images with complete truth", "", *_step_header(step)]
    if step.status != "ran":
        return lines
    r = step.result
    lines += [
        "Calcification hit: " + r["parameters"]["calcification_hit"] + " (FP per cm^2 of breast). "
        "Cluster hit: "
        + r["parameters"]["cluster_hit"]
        + ". Visible clusters: those with at least 3 members above the simulator's visibility "
        "threshold (matched-filter CNR 3; amorphous members are often below it by design); a "
        "finding on an invisible cluster is then neither hit nor false positive. "
        "Descriptors and categories are compared on matched findings.",
        "",
    ]
    header = [
        "group",
        "images",
        "calcs",
        "calc sens @0.4 FP/cm2",
        "@1 FP/cm2",
        "clusters",
        "cluster sens @0.1 FP/img",
        "@1 FP/img",
        "visible clusters",
        "visible @0.1 FP/img",
        "morphology micro",
        "macro",
        "distribution",
        "category agreement",
        "category kappa",
    ]
    rows = [_synthetic_row("all", r)]
    rows += [_synthetic_row(f"spacing {k} mm", b) for k, b in r["by_spacing"].items()]
    rows += [_synthetic_row(f"density {k}", b) for k, b in r["by_density"].items()]
    rows += [_synthetic_row(f"view {k}", b) for k, b in r.get("by_view", {}).items()]
    rows += [_synthetic_row(f"scene {k}", b) for k, b in r.get("by_scene", {}).items()]
    lines += table(header, rows)
    for key in ("morphology", "distribution", "category"):
        block = r[key]
        if block["labels"]:
            lines += [
                f"{key.capitalize()} confusion matrix (rows: intended, columns: mammocalc):",
                "",
            ]
            lines += table(
                ["", *block["labels"]],
                [
                    [label, *row]
                    for label, row in zip(block["labels"], block["confusion_matrix"], strict=True)
                ],
            )
    lines += _image_category_lines(r)
    lines += [
        "Targets: calcifications >= 0.90 at <= 0.4 FP/cm^2 and clusters >= 0.98 at <= 0.1 FP/image "
        "(issue 5); morphology accuracy >= 0.85 and category agreement >= 0.90 (issue 6).",
        "",
    ]
    return lines + _images(["synthetic_froc.png", "synthetic_froc_calc.png"])


def _git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = (
        " (with uncommitted changes)"
        if git("status", "--porcelain", "--untracked-files=no")
        else ""
    )
    return git("rev-parse", "--short", "HEAD") + dirty


def _status(value: Any, goal: float, *, at_most: bool = False) -> str:
    """ "met" or "not met" for a measured ``value`` against ``goal`` (">=" unless ``at_most``)."""
    if value is None:
        return "not measured"
    return "met" if (value <= goal if at_most else value >= goal) else "not met"


def wilson_interval(proportion: float | None, n: int | None, z: float = 1.96) -> list[float] | None:
    """95% Wilson score interval of a ``proportion`` observed over ``n`` cases.

    Parameters
    ----------
    proportion : float or None
        The observed share of successes, in [0, 1].
    n : int or None
        The number of cases it was observed over.
    z : float
        Normal quantile of the interval (1.96: 95%).

    Returns
    -------
    list of float or None
        [low, high], clipped to [0, 1]; None when ``proportion`` or ``n`` is missing or ``n`` is 0.

    Examples
    --------
    >>> [round(v, 3) for v in wilson_interval(0.5, 100)]
    [0.404, 0.596]
    """
    if proportion is None or not n:
        return None
    centre = (proportion + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n))
    return [max(0.0, centre - half), min(1.0, centre + half)]


def _row(
    issue: str,
    target: str,
    value: Any,
    goal: float,
    *,
    at_most: bool = False,
    unit: str = "",
    interval: list[float] | None = None,
) -> list[Any]:
    """One target row: issue, target, goal, measured figure, its 95% ``interval`` (an en dash
    when there is none), status (seconds: ``unit`` "s")."""
    digits = 2 if unit == "s" else 3
    return [
        issue,
        target,
        f"{'<=' if at_most else '>='} " + (f"{goal:g} {unit}" if unit else f"{goal:.2f}"),
        f(value, digits),
        f(interval, digits),
        _status(value, goal, at_most=at_most),
    ]


def _target_rows(results: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """One row per numeric target of issues 2, 5 and 6: what, goal, measured, status."""
    rows: list[list[Any]] = []
    for i in results.get("bench", {}).get("images", []):
        if abs(i["spacing_mm"] - 0.07) < 1e-9:
            rows.append(
                _row(
                    "5",
                    "analysis, 70 um full-field image, all stages",
                    i["total_seconds"],
                    3.0,
                    at_most=True,
                    unit="s",
                )
            )
            rows.append(
                _row(
                    "2",
                    "simulator, 70 um image",
                    i["simulator"]["seconds"],
                    2.0,
                    at_most=True,
                    unit="s",
                )
            )
    mias = results.get("mini-mias")
    if mias:
        cv = _mias_cv_figures()
        for fp, goal in (("1", 0.75), ("0.3", 0.60)):
            at = f"mini-MIAS clusters @{fp} FP/image"
            value = mias["froc"]["sensitivity_at_fp"].get(fp)
            n = mias.get("n_truth_clusters")
            rows.append(
                _row("5", f"{at}, in-sample", value, goal, interval=wilson_interval(value, n))
            )
            if cv:
                interval = wilson_interval(cv.get(fp), n)
                rows.append(
                    _row("5", f"{at}, patient-fold CV", cv.get(fp), goal, interval=interval)
                )
    cbis = results.get("cbis-ddsm")
    if cbis:
        rows.append(
            _row(
                "6",
                "CBIS-DDSM AUC, patient-grouped CV on the training split (the target is on "
                "the held-back test split)",
                cbis.get("auc"),
                0.80,
                interval=cbis.get("auc_ci95"),
            )
        )
        rows.append(
            _row(
                "6",
                "CBIS-DDSM expected calibration error, same CV",
                cbis.get("ece"),
                0.05,
                at_most=True,
            )
        )
    for spacing, b in results.get("synthetic", {}).get("by_spacing", {}).items():
        um = f"{float(spacing) * 1000:.0f} um"
        figures = [
            (
                "5",
                f"synthetic calcifications @0.4 FP/cm^2, {um}",
                b["calcification_froc"]["sensitivity_at_fp"].get("0.4"),
                b.get("n_truth_calcifications"),
                0.90,
            ),
            (
                "5",
                f"synthetic clusters @0.1 FP/image, {um}",
                b["froc"]["sensitivity_at_fp"].get("0.1"),
                b.get("n_truth_clusters"),
                0.98,
            ),
            (
                "6",
                f"synthetic morphology accuracy, {um}",
                b["morphology"]["micro_accuracy"],
                b["morphology"].get("n_matched"),
                0.85,
            ),
            (
                "6",
                f"synthetic category agreement, {um}",
                b["category"]["agreement"],
                b["category"].get("n_matched"),
                0.90,
            ),
        ]
        rows += [
            _row(issue, what, value, goal, interval=wilson_interval(value, n))
            for issue, what, value, n, goal in figures
        ]
    return rows


def _mias_cv_figures() -> dict[str, Any]:
    """Sensitivities of the shipped detector's patient-fold cross-validation (every finding a
    mark, all images), as the training run wrote them into the weights; {} when absent."""
    path = ROOT / "src" / "mammocalc" / "weights" / "detect_cluster.json"
    if not path.exists():
        return {}
    folds = json.loads(path.read_text()).get("metadata", {}).get("cross_validation", {})
    return dict(folds.get("every_finding", {}).get("all", {}).get("sensitivity_at_fp", {}))


def render_targets(steps: Sequence[Step]) -> list[str]:
    """The issues' numeric targets against this run's figures, one table."""
    rows = _target_rows({s.name: s.result for s in steps if s.status == "ran"})
    if not rows:
        return []
    lines = [
        "## Targets at a glance",
        "",
        "Figures from the sections below (the mini-MIAS cross-validation from the shipped "
        "detector's training run). The held-back halves of the public sets, on which the project "
        "is also scored, are not measured here. The status compares the measured figure with the "
        "goal. Interval: the CBIS-DDSM AUC's patient bootstrap; for the proportions, the 95% "
        "Wilson interval over the cases counted (matched findings, truth calcifications or "
        "clusters). Cases in one image are not independent, so the true uncertainty is somewhat "
        "wider; an interval that spans the goal means this run cannot tell whether it is met.",
        "",
    ]
    return lines + table(["issue", "target", "goal", "measured", "95% interval", "status"], rows)


def render(steps: Sequence[Step], started: dt.datetime, commit: str | None = None) -> str:
    """The benchmarks page; ``commit`` is the label taken when the run started (the run itself
    rewrites docs/images, which would otherwise read as uncommitted changes)."""
    from mammocalc import __version__
    from mammocalc.evaluate.bench import machine_facts

    m = machine_facts()
    renderers: dict[str, Callable[[Step], list[str]]] = {
        "bench": render_bench,
        "mini-mias": render_mias,
        "cbis-ddsm": render_cbis,
        "synthetic": render_synthetic,
    }
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (scripts/make_bench.py). Do not edit by hand. -->",
        "",
        f"Generated {started:%Y-%m-%d %H:%M} UTC by `make bench` (`python scripts/make_bench.py"
        f"{' --quick' if any('--quick' in s.args for s in steps) else ''}`), "
        f"mammocalc {__version__}, commit {commit or _git_commit()}.",
        "",
        f"Machine: {m['cpu_model']}; {m['cpus_usable']} usable of {m['cpu_count']} cores; "
        f"{m['memory_gb']} GB memory; {m['platform']}; Python {m['python']}, numpy {m['numpy']}. "
        "The machine is shared with other work, so times are upper bounds.",
        "",
        "Data: `../shared/data` (part of each public set; the project is also scored on the "
        "other part). "
        "The JSON contract of every result is in [evaluation.md](evaluation.md).",
        "",
    ]
    lines += table(
        ["step", "status", "seconds"], [[s.name, s.status, f(s.seconds, 0)] for s in steps]
    )
    lines += render_targets(steps)
    for step in steps:
        lines += renderers[step.name](step)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run of every step")
    parser.add_argument(
        "--synthetic-n",
        type=int,
        default=184,
        help="simulated images (184: every scene four times per spacing; 92 gave about 37 "
        "matched findings per spacing, too few to tell 0.85 from 0.90)",
    )
    parser.add_argument("--only", nargs="*", help="run only these steps (others are re-read)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per step")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    commit = _git_commit()
    steps = plan(args.quick, 4 if args.quick else args.synthetic_n)
    for step in steps:
        if args.only and step.name not in args.only:
            _reuse(step)
            continue
        run(step, args.timeout)
    mias_panel(steps[1])
    DOC.write_text(render(steps, started, commit))
    print(f"wrote {_relative(str(DOC))}")
    return 0 if all(s.status in ("ran", "skipped") for s in steps) else 1


def _reuse(step: Step) -> None:
    """Keep a step's earlier result (from its JSON file) when only other steps are re-run."""
    if step.json_path.exists():
        written = dt.datetime.fromtimestamp(step.json_path.stat().st_mtime, dt.UTC)
        step.status = "ran"
        step.message = f"figures of an earlier run of this command ({written:%Y-%m-%d %H:%M} UTC)"
        step.result = json.loads(step.json_path.read_text())


if __name__ == "__main__":
    sys.exit(main())
