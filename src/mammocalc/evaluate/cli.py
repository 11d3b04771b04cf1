"""The ``mammocalc evaluate ...`` and ``mammocalc bench`` commands: thin shells over the evaluators.

Each command runs one evaluator, prints a rich table, and writes ``--json FILE`` (the contract of
docs/evaluation.md) and ``--plots DIR`` (PNG). The top-level CLI registers ``evaluate_app`` and
``bench_command`` and maps :class:`mammocalc.errors.MammocalcError` to exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from mammocalc._progress import progress_bar
from mammocalc.errors import ParameterError
from mammocalc.evaluate.tables import print_result
from mammocalc.settings import OPERATING_POINTS, Settings

__all__ = ["bench_command", "evaluate_app", "write_outputs"]

evaluate_app = typer.Typer(
    name="evaluate",
    help="Score the product on public data or simulator truth (FROC, ROC, calibration).",
    no_args_is_help=True,
    add_completion=False,
)

JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Write every figure to this JSON file.")
]
PlotsOption = Annotated[
    Path | None, typer.Option("--plots", help="Write FROC, ROC and reliability PNGs here.")
]
BootstrapOption = Annotated[
    int, typer.Option("--bootstrap", help="Bootstrap resamples for the 95% intervals.")
]
OperatingPointOption = Annotated[
    str,
    typer.Option(
        "--operating-point",
        help="Threshold set the pipeline runs at: screening (the product's default) or research.",
    ),
]


def _settings(operating_point: str) -> Settings:
    """Default settings at ``operating_point`` (environment variables are not read, so that a
    benchmark is the product's default unless asked otherwise)."""
    try:
        return Settings.model_validate({"operating_point": operating_point})
    except ValidationError:
        raise ParameterError(
            f"--operating-point {operating_point!r}: choose one of {', '.join(OPERATING_POINTS)}."
        ) from None


def write_outputs(
    result: dict[str, Any], json_path: Path | None, plots_dir: Path | None, console: Console
) -> None:
    """Print the table, then write the JSON file and the plots when asked."""
    print_result(result, console)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=1, allow_nan=False) + "\n")
        console.print(f"JSON written to {json_path}")
    if plots_dir is not None:
        from mammocalc.evaluate.plots import write_plots

        for path in write_plots(result, plots_dir):
            console.print(f"plot written to {path}")


@evaluate_app.command("mini-mias")
def mini_mias_command(
    directory: Annotated[Path, typer.Argument(help="Folder with mdbNNN.pgm files and Info.txt.")],
    json_path: JsonOption = None,
    plots: PlotsOption = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Analyse only the first N images.")
    ] = None,
    bootstrap: BootstrapOption = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    operating_point: OperatingPointOption = "screening",
) -> None:
    """Cluster-level FROC and malignancy AUC on mini-MIAS (with and without mdb212, mdb214)."""
    from mammocalc.evaluate.mini_mias import evaluate_mini_mias, list_images

    console = Console()
    total = len(list_images(directory)[1])
    with progress_bar(console) as progress:
        task = progress.add_task("mini-MIAS", total=min(total, limit or total))
        result = evaluate_mini_mias(
            directory,
            limit=limit,
            settings=_settings(operating_point),
            n_bootstrap=bootstrap,
            seed=seed,
            on_image=lambda ref: progress.update(task, advance=1, description=ref),
        )
    write_outputs(result, json_path, plots, console)


@evaluate_app.command("cbis-ddsm")
def cbis_ddsm_command(
    csv: Annotated[Path, typer.Argument(help="CBIS-DDSM calcification case-description CSV.")],
    json_path: JsonOption = None,
    plots: PlotsOption = None,
    bootstrap: BootstrapOption = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
) -> None:
    """Malignancy AUC, calibration and agreement with the radiologists' assessment."""
    from mammocalc.evaluate.cbis_ddsm import evaluate_cbis_ddsm

    console = Console()
    result = evaluate_cbis_ddsm(csv, n_bootstrap=bootstrap, seed=seed)
    write_outputs(result, json_path, plots, console)


@evaluate_app.command("synthetic")
def synthetic_command(
    n: Annotated[int, typer.Option("--n", min=1, help="Number of simulated images.")] = 8,
    seed: Annotated[int, typer.Option(help="Seed of the first simulated image.")] = 0,
    spacing: Annotated[
        list[float] | None,
        typer.Option(help="Pixel spacing(s) in mm (repeat the option); default 0.07 and 0.1."),
    ] = None,
    scene: Annotated[
        list[str] | None,
        typer.Option(help="Simulator scene(s) to cycle through (repeat); default every scene."),
    ] = None,
    json_path: JsonOption = None,
    plots: PlotsOption = None,
    operating_point: OperatingPointOption = "screening",
) -> None:
    """FROC per calcification and per cluster, descriptor and category agreement on simulations."""
    from mammocalc.evaluate.synthetic import evaluate_synthetic

    console = Console()
    with progress_bar(console) as progress:
        task = progress.add_task("synthetic", total=n)
        result = evaluate_synthetic(
            n,
            seed=seed,
            spacings_mm=tuple(spacing) if spacing else (0.07, 0.1),
            scenes=scene,
            settings=_settings(operating_point),
            on_image=lambda s: progress.update(task, advance=1, description=f"seed {s}"),
        )
    write_outputs(result, json_path, plots, console)


def bench_command(
    json_path: JsonOption = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="One small run: 100 um only, one worker.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the simulated images.")] = 0,
) -> None:
    """Time and peak memory per stage, images per hour, simulator speed, machine facts."""
    from mammocalc.evaluate.bench import bench

    console = Console()
    with console.status("benchmarking") as status:
        result = bench(quick=quick, seed=seed, on_step=lambda text: status.update(text))
    write_outputs(result, json_path, None, console)
