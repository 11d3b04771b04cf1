"""Command line: a thin shell over :func:`mammocalc.pipeline.analyze` and the tools around it.

Domain errors (:class:`mammocalc.errors.MammocalcError`) are mapped to exit codes here and only
here: 2 for bad input or arguments, printed as one sentence without a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from mammocalc.errors import MammocalcError, ParameterError
from mammocalc.settings import Settings

EXIT_BAD_INPUT = 2

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="mammocalc",
    help="Find, describe and triage breast calcifications on mammograms. "
    "Research and decision support; not a diagnostic device.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a MammocalcError into one line on stderr and exit code 2."""
    try:
        yield
    except MammocalcError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that domain errors exit cleanly (signature kept for typer)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return command(*args, **kwargs)

    return wrapper


def _formats(value: str) -> list[str]:
    allowed = {"json", "overlay", "html", "patient"}
    formats = [v.strip() for v in value.split(",") if v.strip()]
    unknown = sorted(set(formats) - allowed)
    if unknown:
        raise typer.BadParameter(
            f"unknown report format(s) {', '.join(unknown)}; "
            f"choose from {', '.join(sorted(allowed))}"
        )
    return formats


@app.command()
def analyze(
    paths: Annotated[
        list[Path], typer.Argument(help="Mammogram files (DICOM, PNG, TIFF, PGM, .npy).")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the report and overlays.")] = Path(
        "mammocalc-output"
    ),
    pixel_spacing: Annotated[
        float | None,
        typer.Option("--pixel-spacing", help="Pixel spacing in mm for files without one."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the JSON report(s) to standard output.")
    ] = False,
    report: Annotated[
        str, typer.Option(help="Outputs to write: any of json,overlay,html,patient.")
    ] = "json,overlay",
    max_pixels: Annotated[
        int | None,
        typer.Option(
            "--max-pixels",
            help="Refuse larger images (decompression-bomb guard; default 80 million, "
            "or MAMMOCALC_MAX_PIXELS).",
        ),
    ] = None,
    operating_point: Annotated[
        str | None,
        typer.Option(
            "--operating-point",
            help="Threshold set: screening (default: few false marks) or research (every "
            "candidate group above the hard floors, ranked by its detection score).",
        ),
    ] = None,
) -> None:
    """Analyse mammograms: files of one study are read as one exam.

    Every setting can also come from a ``MAMMOCALC_<NAME>`` environment variable (see
    ``mammocalc.settings.Settings``).
    """
    from mammocalc.batch import analyze_files

    formats = _formats(report)
    console = Console(stderr=json_out)
    with user_errors():
        settings = Settings.from_env(max_pixels=max_pixels, operating_point=operating_point)
        if "patient" in formats and settings.below_screening():
            raise ParameterError(
                "--report patient: the patient letter is written only at the screening "
                "thresholds; drop 'patient' or use --operating-point screening."
            )
        outcome = analyze_files(
            paths,
            out_dir=out,
            spacing_mm=pixel_spacing,
            formats=formats,
            console=console,
            settings=settings,
        )
    if json_out:
        for written in outcome.reports:
            sys.stdout.write(written.read_text() + "\n")
    if outcome.failures:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's report and overlays.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run the whole job on the built-in synthetic four-view exam."""
    from mammocalc.batch import run_demo

    with user_errors():
        run_demo(out, console=Console())


def _register_tools() -> None:
    from mammocalc.evaluate.cli import bench_command, evaluate_app
    from mammocalc.simulate.cli import simulate_command

    app.command("simulate")(guarded(simulate_command))
    app.command("bench")(guarded(bench_command))
    for info in evaluate_app.registered_commands:
        if info.callback is not None:
            info.callback = guarded(info.callback)
    app.add_typer(evaluate_app, name="evaluate")


_register_tools()


def main() -> None:
    """Entry point of the ``mammocalc`` command."""
    app()
