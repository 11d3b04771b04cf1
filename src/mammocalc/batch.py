"""Running the pipeline over files: exams, progress, per-file failures, outputs on disk.

A batch records each failure (one sentence naming the file) and goes on with the other files;
outputs are written atomically by :mod:`mammocalc.report`, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from mammocalc._progress import progress_bar
from mammocalc.errors import InputError
from mammocalc.io import group_exams, read
from mammocalc.models import Mammogram, Report
from mammocalc.pipeline import analyze
from mammocalc.report import terminal_summary, write_outputs
from mammocalc.settings import Settings


@dataclass
class BatchOutcome:
    """What a batch produced: JSON report paths, every output path, and failed files."""

    reports: list[Path] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _read_all(
    paths: Sequence[Path], spacing_mm: float | None, settings: Settings, console: Console
) -> tuple[list[Mammogram], list[str]]:
    mammograms: list[Mammogram] = []
    failures: list[str] = []
    with progress_bar(console) as progress:
        task = progress.add_task("reading", total=len(paths))
        for path in paths:
            try:
                mammograms.append(read(path, spacing_mm=spacing_mm, settings=settings))
            except InputError as exc:
                failures.append(str(exc))
                console.print(f"[red]skipped:[/] {exc}", soft_wrap=True)
            progress.advance(task)
    return mammograms, failures


def analyze_files(
    paths: Sequence[Path],
    *,
    out_dir: Path,
    spacing_mm: float | None = None,
    settings: Settings | None = None,
    formats: Collection[str] = ("json", "overlay"),
    console: Console | None = None,
) -> BatchOutcome:
    """Read ``paths``, split them into exams, analyse each exam and write its outputs.

    Files that cannot be read or hold no breast are recorded in ``failures``; the others complete.
    """
    settings = settings or Settings()
    console = console or Console(stderr=True)
    mammograms, failures = _read_all(paths, spacing_mm, settings, console)
    outcome = BatchOutcome(failures=failures)
    exams = group_exams(mammograms)
    with progress_bar(console) as progress:
        task = progress.add_task("analysing", total=len(mammograms))
        for exam in exams:
            try:
                report = analyze(
                    exam, settings=settings, on_image=lambda m, r: progress.advance(task)
                )
            except InputError as exc:
                outcome.failures.append(str(exc))
                console.print(f"[red]failed:[/] {exc}", soft_wrap=True)
                continue
            _write(report, exam, out_dir, formats, outcome)
            terminal_summary(report, console=console)
    return outcome


def _write(
    report: Report,
    exam: Sequence[Mammogram],
    out_dir: Path,
    formats: Collection[str],
    outcome: BatchOutcome,
) -> None:
    written = write_outputs(report, exam, out_dir, formats=formats)
    outcome.outputs.extend(written.values())
    if "json" in written:
        outcome.reports.append(written["json"])


def run_demo(out_dir: Path, *, console: Console | None = None) -> BatchOutcome:
    """Analyse the built-in synthetic four-view exam; write every report format to ``out_dir``."""
    from mammocalc.simulate import demo_exam

    console = console or Console()
    console.print("Simulating the built-in four-view exam (synthetic, fixed seed)...")
    exam = [sim.mammogram for sim in demo_exam()]
    outcome = BatchOutcome()
    report = analyze(exam)
    _write(report, exam, out_dir, ("json", "overlay", "html", "patient"), outcome)
    terminal_summary(report, console=console)
    console.print(f"\nReport and overlays written to [bold]{out_dir}[/]:")
    for path in outcome.outputs:
        console.print(f"  {path}")
    return outcome
