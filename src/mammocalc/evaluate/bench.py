"""Benchmarks: time and peak memory per pipeline stage, throughput, simulator speed, machine facts.

Every measurement runs in a fresh ``spawn`` subprocess so that one does not inherit another's
memory. Two memory figures are given, and named:

* ``tracemalloc_peak_mb``: peak of memory allocated through Python's allocator and numpy (numpy
  reports its buffers to :mod:`tracemalloc`) during one stage, measured in a separate run from the
  timings because tracing slows Python code;
* ``max_rss_mb``: the process's peak resident set (``resource.getrusage``), interpreter and
  imports included, i.e. what the operating system must provide.

Per-image times are taken after the process has simulated and analysed one small image, so that
imports and model-file loading (once per process) are not counted. Throughput (images per hour)
is measured with 1 and 2 worker processes on images already written as ``.npy`` files, after
the workers have imported the package, so it is the steady state of a batch job. Every measured
process runs with one BLAS/OpenMP thread, so "1 worker" means one core.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mammocalc.evaluate._common import version
from mammocalc.models import Mammogram

if TYPE_CHECKING:
    from mammocalc.simulate.truth import SimulatedImage

SimulateFn = Callable[[int, float], "SimulatedImage"]
"""(seed, spacing_mm) -> SimulatedImage; must be a module-level function (it is pickled)."""

__all__ = ["bench", "machine_facts", "simulate_full_field"]

_MB = 1024.0 * 1024.0


FULL_FIELD_MM = (286.72, 232.96)
"""Detector field (rows, cols) in mm: 4096 x 3328 pixels of 70 um, a 24 x 29 cm full-field DR."""


def simulate_full_field(seed: int, spacing_mm: float) -> SimulatedImage:
    """A full-field simulated mammogram (the whole detector, not a crop) at ``spacing_mm``."""
    from mammocalc.simulate import simulate_image

    shape_px = (round(FULL_FIELD_MM[0] / spacing_mm), round(FULL_FIELD_MM[1] / spacing_mm))
    return simulate_image(seed, spacing_mm=spacing_mm, shape_px=shape_px, scene="random")


def machine_facts() -> dict[str, Any]:
    """Cores, memory, CPU model, operating system and library versions of this machine."""
    facts: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "memory_gb": None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    total_kb = _proc_field("/proc/meminfo", "MemTotal")
    if total_kb:
        facts["memory_gb"] = round(int(total_kb.split()[0]) / 1024**2, 1)
    return facts


def _proc_field(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    scale = 1.0 if platform.system() == "Darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / _MB


@contextmanager
def _traced(peaks: dict[str, float], stage: str) -> Iterator[None]:
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    try:
        yield
    finally:
        peaks[stage] = round((tracemalloc.get_traced_memory()[1] - before) / _MB, 1)


def _stage_peaks(mammogram: Mammogram) -> dict[str, float]:
    """Peak traced memory of each stage, run one by one as :func:`analyze_image` runs them."""
    from mammocalc.assess import assess
    from mammocalc.breast import segment
    from mammocalc.characterise import characterise
    from mammocalc.detect import detect
    from mammocalc.group import group
    from mammocalc.pipeline import analyze_image
    from mammocalc.settings import Settings

    settings = Settings.model_validate({})
    peaks: dict[str, float] = {}
    tracemalloc.start()
    try:
        with _traced(peaks, "breast"):
            masks = segment(mammogram, settings=settings)
        with _traced(peaks, "detect"):
            calcifications = detect(mammogram, masks, settings=settings)
        with _traced(peaks, "group"):
            findings = group(calcifications, mammogram, masks, settings=settings)
        with _traced(peaks, "characterise"):
            by_id = {c.id: c for c in calcifications}
            for f in findings:
                characterise(
                    f, [by_id[i] for i in f.calcification_ids], mammogram, settings=settings
                )
        del masks, calcifications, findings
        result = analyze_image(mammogram, settings=settings)
        with _traced(peaks, "assess"):
            assess([result], settings=settings)
        with _traced(peaks, "analyze_image (all stages)"):
            analyze_image(mammogram, settings=settings)
    finally:
        tracemalloc.stop()
    return peaks


def _measure_image(simulate: SimulateFn, seed: int, spacing_mm: float) -> dict[str, Any]:
    """In a fresh process: simulator time and RSS, stage times, stage memory peaks.

    A small image is simulated and analysed first, so that one-time costs (imports, model files)
    are not counted in the per-image times.
    """
    from mammocalc.assess import assess
    from mammocalc.pipeline import analyze_image
    from mammocalc.simulate import simulate_image

    warm = simulate_image(seed, spacing_mm=0.4, scene="grouped")
    analyze_image(warm.mammogram)
    rss_start_mb = _max_rss_mb()
    start = time.perf_counter()
    simulated = simulate(seed, spacing_mm)
    simulate_s = time.perf_counter() - start
    rss_after_simulate_mb = _max_rss_mb()
    mammogram = simulated.mammogram
    timings: dict[str, float] = {}
    start = time.perf_counter()
    result = analyze_image(mammogram, timings=timings)
    stage = time.perf_counter()
    assess([result])
    timings["assess"] = time.perf_counter() - stage
    total_s = time.perf_counter() - start
    rss_after_analyse_mb = _max_rss_mb()
    return {
        "spacing_mm": spacing_mm,
        "shape_px": list(mammogram.pixels.shape),
        "megapixels": round(mammogram.pixels.size / 1e6, 2),
        "n_calcifications": len(result.calcifications),
        "n_findings": len(result.findings),
        "simulator": {
            "seconds": round(simulate_s, 3),
            "max_rss_mb": round(rss_after_simulate_mb, 1),
            "max_rss_before_mb": round(rss_start_mb, 1),
        },
        "stage_seconds": {k: round(v, 3) for k, v in timings.items()},
        "total_seconds": round(total_s, 3),
        "max_rss_mb": round(rss_after_analyse_mb, 1),
        "tracemalloc_peak_mb": _stage_peaks(mammogram),
    }


def _warm(_: int) -> int:
    import mammocalc.pipeline  # noqa: F401  (import cost is not part of the throughput)

    time.sleep(0.5)  # keep this worker busy so that every worker of the pool starts and warms
    return os.getpid()


def _analyse_file(path: str, spacing_mm: float) -> float:
    from mammocalc.pipeline import analyze

    start = time.perf_counter()
    analyze(Mammogram(np.load(path), spacing_mm))
    return time.perf_counter() - start


def _throughput(paths: Sequence[Path], spacing_mm: float, workers: int) -> dict[str, float | int]:
    context = multiprocessing.get_context("spawn")
    with _one_thread_per_process(), ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(_warm, range(workers)))
        start = time.perf_counter()
        seconds = list(pool.map(_analyse_file, [str(p) for p in paths], [spacing_mm] * len(paths)))
        wall_s = time.perf_counter() - start
    return {
        "workers": workers,
        "n_images": len(paths),
        "wall_seconds": round(wall_s, 2),
        "mean_seconds_per_image": round(float(np.mean(seconds)), 3),
        "images_per_hour": round(len(paths) * 3600.0 / wall_s, 1),
    }


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _one_thread_per_process() -> Iterator[None]:
    """Processes spawned inside use one thread each (BLAS, OpenMP): one core per worker."""
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    context = multiprocessing.get_context("spawn")
    with _one_thread_per_process(), ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def bench(
    *,
    quick: bool = False,
    seed: int = 0,
    spacings_mm: Sequence[float] = (0.07, 0.1),
    workers: Sequence[int] = (1, 2),
    images_per_worker: int = 2,
    simulate: SimulateFn = simulate_full_field,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure the pipeline on simulated full-field images.

    Parameters
    ----------
    quick : bool
        One spacing (the coarsest), one worker, one image per worker: a smoke run.
    seed : int
        Simulator seed of the first image.
    spacings_mm : sequence of float
        Pixel spacings measured (0.07 mm is a ~3328 x 4096 full-field image).
    workers : sequence of int
        Worker-process counts for the throughput figure.
    images_per_worker : int
        Images each worker analyses in the throughput run.
    simulate : callable
        Module-level ``(seed, spacing_mm) -> SimulatedImage`` (tests give a small one).
    on_step : callable, optional
        Called with a short description before each measurement (progress).

    Returns
    -------
    dict
        ``dataset`` ("bench"), ``version``, ``parameters``, ``machine``, ``images`` (one entry per
        spacing: shape, simulator seconds and RSS, stage seconds, stage memory peaks) and
        ``throughput`` (per spacing, per worker count: images per hour).
    """
    if quick:
        spacings_mm, workers, images_per_worker = (max(spacings_mm),), (1,), 1
    notify = on_step or (lambda _: None)
    images = []
    for spacing_mm in spacings_mm:
        notify(f"stages and memory at {spacing_mm:g} mm")
        images.append(_in_fresh_process(_measure_image, simulate, seed, spacing_mm))
    throughput: dict[str, list[dict[str, float | int]]] = {}
    with tempfile.TemporaryDirectory(prefix="mammocalc-bench-") as folder:
        for spacing_mm in spacings_mm:
            paths = _write_images(
                simulate, seed, spacing_mm, max(workers) * images_per_worker, folder
            )
            throughput[f"{spacing_mm:g}"] = []
            for count in workers:
                notify(f"throughput at {spacing_mm:g} mm with {count} worker(s)")
                chosen = paths[: count * images_per_worker]
                throughput[f"{spacing_mm:g}"].append(_throughput(chosen, spacing_mm, count))
    return {
        "dataset": "bench",
        "version": version(),
        "parameters": {
            "quick": quick,
            "seed": seed,
            "spacings_mm": list(spacings_mm),
            "workers": list(workers),
            "images_per_worker": images_per_worker,
            "threads_per_process": 1,
            "memory": "tracemalloc_peak_mb: traced Python+numpy allocations per stage (separate "
            "run); max_rss_mb: getrusage peak resident set of a fresh spawn subprocess; "
            "times are taken after a warm-up on a small image (imports and model files loaded)",
        },
        "machine": machine_facts(),
        "images": images,
        "throughput": throughput,
    }


def _write_images(
    simulate: SimulateFn, seed: int, spacing_mm: float, count: int, folder: str
) -> list[Path]:
    paths = []
    for k in range(count):
        path = Path(folder) / f"bench-{spacing_mm:g}-{k}.npy"
        np.save(path, simulate(seed + k, spacing_mm).mammogram.pixels)
        paths.append(path)
    return paths
