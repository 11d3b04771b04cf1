"""PNG plots of evaluation results: FROC, ROC, reliability diagram, and a mini-MIAS mark panel.

Each function reads the JSON-ready dict an evaluator returns (docs/evaluation.md), so plots can
be redrawn from a saved ``--json`` file. matplotlib (the ``eval`` extra) is imported on use, with
the Agg backend, so the core package does not need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_froc", "plot_reliability", "plot_roc", "write_plots", "mark_panel"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_froc(curves: Mapping[str, Mapping[str, Any]], path: Path, *, fp_unit: str) -> Path:
    """Step FROC curves (sensitivity against false positives per ``fp_unit``).

    Parameters
    ----------
    curves : mapping of label -> ``froc`` block (with ``points``)
    path : Path
        PNG file to write.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    highest = 0.0
    for label, block in curves.items():
        points = block.get("points")
        if not points:
            continue
        end = f"; ends at {points['fp_rate'][-1]:.1f} FP, {points['sensitivity'][-1]:.2f}"
        (line,) = ax.plot(
            points["fp_rate"], points["sensitivity"], drawstyle="steps-post", label=label + end
        )
        at = block.get("sensitivity_at_fp", {})
        rates = [float(k) for k, v in at.items() if v is not None]
        ax.plot(rates, [at[k] for k in at if at[k] is not None], "o", ms=3, color=line.get_color())
        highest = max(highest, max(points["fp_rate"]))
    ax.set_xlabel(f"false positives per {fp_unit} (dots: the reported operating points)")
    ax.set_ylabel("sensitivity")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, min(max(2.5, highest * 1.05), 10.0))  # the clinically useful range
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, plt, path)


def plot_roc(roc: Mapping[str, Any], path: Path, *, title: str) -> Path:
    """ROC curve from ``{"fpr": [...], "tpr": [...]}`` with the chance diagonal."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=120)
    ax.plot(roc["fpr"], roc["tpr"], lw=2)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.grid(alpha=0.3)
    return _save(fig, plt, path)


def plot_reliability(curve: Mapping[str, Any], path: Path, *, title: str) -> Path:
    """Reliability diagram: observed rate against mean probability, marker area by count."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=120)
    counts = np.asarray(curve["count"], dtype=float)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.plot(curve["mean_predicted"], curve["fraction_positive"], marker="o", lw=1)
    ax.scatter(
        curve["mean_predicted"], curve["fraction_positive"], s=20 + 200 * counts / counts.max()
    )
    ax.set(xlabel="predicted probability", ylabel="observed fraction", title=title)
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.grid(alpha=0.3)
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_plots(result: Mapping[str, Any], directory: Path) -> list[Path]:
    """Every plot the result has data for, as ``<dataset>_<kind>.png`` in ``directory``."""
    name = str(result.get("dataset", "evaluation"))
    written: list[Path] = []
    curves = {"all images": result.get("froc", {})}
    if "excluding_unreliable" in result:
        curves["without mdb212, mdb214"] = result["excluding_unreliable"].get("froc", {})
    if any(block.get("points") for block in curves.values()):
        written.append(plot_froc(curves, directory / f"{name}_froc.png", fp_unit="image"))
    calc = result.get("calcification_froc", {})
    if calc.get("points"):
        written.append(
            plot_froc({"calcifications": calc}, directory / f"{name}_froc_calc.png", fp_unit="cm2")
        )
    if result.get("roc"):
        title = f"{name}: AUC {result['auc']:.3f}" if result.get("auc") is not None else name
        written.append(plot_roc(result["roc"], directory / f"{name}_roc.png", title=title))
    if result.get("reliability"):
        written.append(
            plot_reliability(
                result["reliability"], directory / f"{name}_reliability.png", title=name
            )
        )
    return written


def mark_panel(
    result: Mapping[str, Any],
    load_pixels: Callable[[str], np.ndarray],
    path: Path,
    *,
    n_each: int = 8,
    half_px: int = 64,
    skip: frozenset[str] = frozenset(),
) -> Path | None:
    """A panel of the highest-scored false marks and the missed truth clusters (mini-MIAS).

    Parameters
    ----------
    result : mapping
        The dict of :func:`mammocalc.evaluate.mini_mias.evaluate_mini_mias`.
    load_pixels : callable
        ``ref -> pixels`` (2-D array) of an image.
    path : Path
        PNG to write.
    n_each : int
        Number of false marks and of misses shown.
    half_px : int
        Half-size of each crop in pixels.
    skip : frozenset of str
        Images whose misses are not shown (e.g. mdb212 and mdb214, whose truth is off).

    Returns
    -------
    Path or None
        None when there is nothing to show.
    """
    false_marks = sorted(
        (
            (m["detection_score"], image["ref"], m["centroid_px"], None)
            for image in result.get("images", [])
            for m in image["marks"]
            if m["hit"] is None
        ),
        key=lambda t: -t[0],
    )[:n_each]
    misses = sorted(
        (
            (None, c["ref"], c["centre_px"], c["radius_px"], c["severity"])
            for c in result.get("clusters", [])
            if c["hit_score"] is None and c["ref"] not in skip
        ),
        key=lambda t: t[4] != "M",  # malignant misses first
    )[:n_each]
    tiles = [("false mark", t) for t in false_marks] + [("miss", t[:4]) for t in misses]
    if not tiles:
        return None
    plt = _pyplot()
    cols = max(len(false_marks), len(misses), 1)
    fig, axes = plt.subplots(2, cols, figsize=(2 * cols, 4.4), dpi=110, squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for row, kind in enumerate(("false mark", "miss")):
        for col, (_, (score, ref, centre, radius)) in enumerate(t for t in tiles if t[0] == kind):
            _tile(axes[row][col], load_pixels(ref), centre, radius, half_px)
            label = f"{ref} s={score:.2f}" if score is not None else f"{ref} missed"
            axes[row][col].set_title(label, fontsize=7)
    return _save(fig, plt, path)


def _tile(
    ax: Any, pixels: np.ndarray, centre: list[float], radius: float | None, half: int
) -> None:
    """Show a (2 half) square crop centred on ``centre``, padded with 0 beyond the image."""
    row, col = (int(round(v)) for v in centre)
    padded = np.pad(pixels, half)
    crop = padded[row : row + 2 * half, col : col + 2 * half]
    ax.imshow(crop, cmap="gray")
    from matplotlib.patches import Circle

    ring = radius if radius is not None else 10.0
    ax.add_patch(Circle((half, half), ring, fill=False, color="red", lw=0.8))
