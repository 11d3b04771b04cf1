"""Rich tables of evaluation results, read from the JSON-ready dicts (no computation here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["fmt", "print_result"]


def fmt(value: Any, digits: int = 3) -> str:
    """A figure for a table: floats rounded, intervals bracketed, missing as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"[{fmt(value[0], digits)}, {fmt(value[1], digits)}]"
    return str(value)


def _froc_rows(block: Mapping[str, Any], unit: str) -> list[tuple[str, str]]:
    at = block.get("froc", {}).get("sensitivity_at_fp", {})
    ci = block.get("froc", {}).get("sensitivity_ci95", {})
    return [
        (f"sensitivity at {k} FP/{unit}", fmt(v) + (f" {fmt(ci[k], 2)}" if ci.get(k) else ""))
        for k, v in at.items()
    ]


def _detection_column(block: Mapping[str, Any]) -> dict[str, str]:
    rows: dict[str, str] = {}
    for key, label in (("n_images", "images"), ("n_rows", "rows"), ("n_patients", "patients")):
        if key in block:
            rows[label] = fmt(block[key])
    if "froc" in block:
        rows["truth clusters"] = fmt(block.get("n_truth_clusters"))
        rows.update(_froc_rows(block, "image"))
    for key in ("auc", "auc_ci95", "n_scored", "brier", "ece"):
        if block.get(key) is not None or "n_scored" in block:
            rows[key] = fmt(block.get(key))
    for key in ("kappa_vs_assessment", "assessment_auc"):
        if key in block:
            rows[key] = fmt(block[key])
    return rows


def print_result(result: Mapping[str, Any], console: Console) -> None:
    """Print the headline figures of any evaluator's result (and bench) as tables."""
    name = str(result.get("dataset", "evaluation"))
    if name == "bench":
        _print_bench(result, console)
        return
    columns = {"all": _detection_column(result)}
    if "excluding_unreliable" in result:
        columns["without mdb212/214"] = _detection_column(result["excluding_unreliable"])
    table = Table(title=f"{name} (mammocalc {result.get('version')})")
    table.add_column("figure")
    for label in columns:
        table.add_column(label, justify="right")
    for key in columns["all"]:
        table.add_row(key, *(column.get(key, "") for column in columns.values()))
    console.print(table)
    if name == "synthetic":
        _print_synthetic(result, console)


def _synthetic_row(block: Mapping[str, Any]) -> list[str]:
    calc = block["calcification_froc"].get("sensitivity_at_fp", {})
    cluster = block["froc"].get("sensitivity_at_fp", {})
    return [
        fmt(block["n_images"]),
        fmt(calc.get("0.4")),
        fmt(cluster.get("0.1")),
        fmt(block["morphology"]["micro_accuracy"]),
        fmt(block["morphology"]["macro_accuracy"]),
        fmt(block["distribution"]["micro_accuracy"]),
        fmt(block["category"]["agreement"]),
    ]


def _print_synthetic(result: Mapping[str, Any], console: Console) -> None:
    table = Table(
        title="synthetic by group: sensitivity of calcifications at 0.4 FP/cm2 and of clusters at "
        "0.1 FP/image; accuracy of morphology (micro, macro), distribution; category agreement"
    )
    for header in (
        "group",
        "n",
        "calc@0.4/cm2",
        "clust@0.1/img",
        "morph",
        "morph macro",
        "distrib",
        "category",
    ):
        table.add_column(header, justify="right")
    table.add_row("all", *_synthetic_row(result))
    for axis in ("by_spacing", "by_density", "by_view", "by_scene"):
        for label, block in result.get(axis, {}).items():
            table.add_row(f"{axis[3:]}={label}", *_synthetic_row(block))
    console.print(table)


def _print_bench(result: Mapping[str, Any], console: Console) -> None:
    machine = result["machine"]
    console.print(
        f"machine: {machine['cpu_model']}, {machine['cpus_usable']} usable cores, "
        f"{machine['memory_gb']} GB"
    )
    stages = Table(title="seconds (peak traced MB) per stage")
    stages.add_column("stage")
    for image in result["images"]:
        stages.add_column(f"{image['spacing_mm']:g} mm {image['shape_px']}", justify="right")
    names = list(result["images"][0]["stage_seconds"]) if result["images"] else []
    for stage in names:
        stages.add_row(
            stage,
            *(
                f"{fmt(i['stage_seconds'].get(stage), 2)} "
                f"({fmt(i['tracemalloc_peak_mb'].get(stage), 0)})"
                for i in result["images"]
            ),
        )
    stages.add_row("total", *(fmt(i["total_seconds"], 2) for i in result["images"]))
    stages.add_row("max RSS MB", *(fmt(i["max_rss_mb"], 0) for i in result["images"]))
    stages.add_row("simulator s", *(fmt(i["simulator"]["seconds"], 2) for i in result["images"]))
    stages.add_row(
        "simulator max RSS MB", *(fmt(i["simulator"]["max_rss_mb"], 0) for i in result["images"])
    )
    console.print(stages)
    rate = Table(title="throughput")
    for header in ("spacing mm", "workers", "images", "images per hour"):
        rate.add_column(header, justify="right")
    for spacing, runs in result["throughput"].items():
        for run in runs:
            rate.add_row(
                spacing, fmt(run["workers"]), fmt(run["n_images"]), fmt(run["images_per_hour"], 0)
            )
    console.print(rate)
