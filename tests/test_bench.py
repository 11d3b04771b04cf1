"""`bench --quick` on a small image: every figure present and plausible."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from rich.console import Console

from mammocalc.evaluate.bench import bench, machine_facts
from mammocalc.evaluate.tables import print_result
from mammocalc.models import Mammogram

pytest.importorskip("mammocalc.pipeline")


def small_image(seed: int, spacing_mm: float) -> SimpleNamespace:
    """A 600 x 480 'breast': a bright half-disc, noise and a few specks (module level: pickled)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:600, 0:480]
    breast = (rows - 300) ** 2 + cols**2 < 380**2
    pixels = np.where(breast, 0.45, 0.02) + rng.normal(0, 0.01, (600, 480))
    for r, c in [(290, 160), (296, 166), (300, 158)]:
        pixels[r - 1 : r + 2, c - 1 : c + 2] += 0.3
    mammogram = Mammogram(np.clip(pixels, 0, 1).astype(np.float32), spacing_mm)
    return SimpleNamespace(mammogram=mammogram)


def test_machine_facts() -> None:
    facts = machine_facts()
    assert facts["cpu_count"] >= 1 and facts["python"]


def test_bench_quick_reports_stages_memory_and_throughput() -> None:
    steps: list[str] = []
    result = bench(quick=True, simulate=small_image, on_step=steps.append)  # type: ignore[arg-type]
    json.dumps(result, allow_nan=False)
    assert result["dataset"] == "bench" and result["parameters"]["quick"] is True
    assert len(steps) == 2
    (image,) = result["images"]
    assert image["spacing_mm"] == 0.1 and image["shape_px"] == [600, 480]
    assert set(image["stage_seconds"]) >= {"breast", "detect", "group", "characterise", "assess"}
    assert all(v >= 0 for v in image["stage_seconds"].values())
    assert image["tracemalloc_peak_mb"]["detect"] >= 0
    assert image["max_rss_mb"] > 10 and image["simulator"]["seconds"] >= 0
    (run,) = result["throughput"]["0.1"]
    assert run["workers"] == 1 and run["images_per_hour"] > 0
    console = Console(record=True, width=120)
    print_result(result, console)
    assert "images per hour" in console.export_text()
