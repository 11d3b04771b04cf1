"""``mammocalc simulate``: write synthetic mammograms and their truth (registered in cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mammocalc._progress import progress_bar
from mammocalc.errors import ParameterError
from mammocalc.simulate.generate import simulate_exam, simulate_image
from mammocalc.simulate.scenes import SCENES
from mammocalc.simulate.writers import FORMATS, write_simulated


def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write images and truth into.")],
    n: Annotated[int, typer.Option("--n", help="Number of images.")] = 1,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the first image (then +1 each).")
    ] = 0,
    spacing: Annotated[float, typer.Option("--spacing", help="Pixel spacing in mm.")] = 0.1,
    view: Annotated[str, typer.Option("--view", help="CC or MLO.")] = "CC",
    laterality: Annotated[str, typer.Option("--laterality", help="L or R.")] = "L",
    density: Annotated[str, typer.Option("--density", help="BI-RADS density a, b, c or d.")] = "b",
    scene: Annotated[str, typer.Option("--scene", help=f"One of: {', '.join(SCENES)}.")] = "random",
    format: Annotated[str, typer.Option("--format", help="Comma-separated: dcm, png.")] = "dcm,png",
    film: Annotated[bool, typer.Option("--film", help="Digitised film (200 um, 8 bits).")] = False,
    exam: Annotated[
        bool, typer.Option("--exam", help="N four-view exams (L/R CC and MLO) instead of images.")
    ] = False,
    dose_ugy: Annotated[
        float, typer.Option("--dose-ugy", help="Air kerma at the detector (uGy): sets the noise.")
    ] = 80.0,
    bits: Annotated[int, typer.Option("--bits", help="Bits stored: 12 or 14 (digital).")] = 12,
    motion_mm: Annotated[
        float, typer.Option("--motion-mm", help="Patient motion: smear length, 0-3 mm.")
    ] = 0.0,
    motion_deg: Annotated[
        float, typer.Option("--motion-deg", help="Motion direction (degrees, 0 = along rows).")
    ] = 0.0,
) -> None:
    """Simulate N mammograms with complete calcification truth (<name>.truth.json beside each).

    With ``--exam`` each of the N items is a four-view exam sharing one Study Instance UID;
    ``--view`` and ``--laterality`` are then ignored.
    """
    if n < 1:
        raise ParameterError(f"--n must be at least 1, got {n}.")
    formats = tuple(f.strip() for f in format.split(",") if f.strip())
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ParameterError(
            f"--format {format!r} is not valid; use a comma-separated subset of dcm,png."
        )
    # --spacing keeps its digital default unless given; film defaults to 200 um like mini-MIAS
    spacing_mm = 0.2 if film and spacing == 0.1 else spacing
    written = 0
    with progress_bar(Console()) as progress:
        task = progress.add_task("simulating", total=n)
        for i in range(n):
            sims = (
                simulate_exam(
                    seed + i,
                    spacing_mm=spacing_mm,
                    density=density,
                    scene=scene,
                    film=film,
                    detector_kerma_ugy=dose_ugy,
                    bits_stored=bits,
                    motion_mm=motion_mm,
                    motion_deg=motion_deg,
                )
                if exam
                else [
                    simulate_image(
                        seed + i,
                        spacing_mm=spacing_mm,
                        view=view,
                        laterality=laterality,
                        density=density,
                        scene=scene,
                        film=film,
                        detector_kerma_ugy=dose_ugy,
                        bits_stored=bits,
                        motion_mm=motion_mm,
                        motion_deg=motion_deg,
                    )
                ]
            )
            for sim in sims:
                write_simulated(sim, out, formats=formats)
            written += len(sims)
            progress.advance(task)
    typer.echo(f"wrote {written} simulated image(s) to {out}")
