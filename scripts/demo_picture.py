"""The README's picture: the demo's four overlays side by side (docs/images/demo-overlay.png).

Usage: ``.venv/bin/python scripts/demo_picture.py [--out docs/images/demo-overlay.png]``. Runs the
demo (``mammocalc demo``) into a temporary folder and joins its overlay PNGs, each scaled to the
same height, in the order R-MLO, L-MLO, R-CC, L-CC as a radiologist hangs them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from PIL import Image
from rich.console import Console

from mammocalc.batch import run_demo

HANGING = ("R-MLO", "L-MLO", "R-CC", "L-CC")
HEIGHT_PX = 700


def panel(overlays: list[Path], height_px: int = HEIGHT_PX) -> Image.Image:
    """The overlays scaled to ``height_px`` rows and joined left to right with a dark gap."""
    tiles = []
    for path in overlays:
        image = Image.open(path).convert("RGB")
        width = round(image.width * height_px / image.height)
        tiles.append(image.resize((width, height_px), Image.Resampling.LANCZOS))
    gap = 8
    out = Image.new("RGB", (sum(t.width for t in tiles) + gap * (len(tiles) - 1), height_px))
    col = 0
    for tile in tiles:
        out.paste(tile, (col, 0))
        col += tile.width + gap
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/demo-overlay.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        outcome = run_demo(Path(folder), console=Console(quiet=True))
        overlays = [p for p in outcome.outputs if p.name.endswith(".overlay.png")]
        ordered = [p for view in HANGING for p in overlays if f"-{view}." in p.name]
        panel(ordered).save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
