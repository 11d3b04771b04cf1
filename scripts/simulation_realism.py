"""Synthetic beside real: picture panel and statistics for docs/simulation.md.

Usage: ``.venv/bin/python scripts/simulation_realism.py`` (reads ../shared/data, writes
docs/images/sim_panel.png, prints the markdown table that docs/simulation.md quotes), and
``--benchmark`` to time one 70 um 3328 x 4096 image (wall and CPU time, peak memory).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from mammocalc.simulate import simulate_image
from mammocalc.simulate.truth import rle_to_mask

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
MIAS_CALC = ["mdb211", "mdb213", "mdb218", "mdb222", "mdb227"]  # CALC rows present in this half


def in_breast(pixels: np.ndarray) -> np.ndarray:
    """Largest bright component (crude breast mask for the real images), eroded 3 mm-ish."""
    mask = pixels > np.percentile(pixels, 30) * 0.5 + 0.05
    labels, n = ndi.label(mask)
    if n == 0:
        return mask
    largest = labels == (np.argmax(np.bincount(labels.ravel())[1:]) + 1)
    return ndi.binary_erosion(largest, iterations=8)


def nps_slope(pixels: np.ndarray, mask: np.ndarray, spacing_mm: float) -> float:
    """Power-law exponent beta of the in-breast power spectrum, 0.05-0.5 cycles/mm."""
    side = int(min(40.0 / spacing_mm, 256))
    rows, cols = np.nonzero(ndi.binary_erosion(mask, iterations=side // 2 + 1))
    if rows.size == 0:
        return float("nan")
    rng = np.random.default_rng(0)
    spectra = []
    for i in rng.choice(rows.size, size=min(12, rows.size), replace=False):
        r, c = rows[i] - side // 2, cols[i] - side // 2
        roi = pixels[r : r + side, c : c + side].astype(float)
        roi = roi - roi.mean()
        roi *= np.hanning(side)[:, None] * np.hanning(side)[None, :]
        spectra.append(np.abs(np.fft.fftshift(np.fft.fft2(roi))) ** 2)
    power = np.mean(spectra, axis=0)
    f = np.fft.fftshift(np.fft.fftfreq(side, spacing_mm))
    radius = np.hypot(f[:, None], f[None, :])
    band = (radius > 0.05) & (radius < 0.5)
    slope = np.polyfit(np.log(radius[band]), np.log(power[band]), 1)[0]
    return float(-slope)


def stats(name: str, pixels: np.ndarray, mask: np.ndarray, spacing: float, contrast: str) -> str:
    values = pixels[mask]
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return (
        f"| {name} | {spacing:g} | {p5:.2f} / {p50:.2f} / {p95:.2f} | "
        f"{nps_slope(pixels, mask, spacing):.2f} | {contrast} |"
    )


def mias_contrast(pixels: np.ndarray, x: int, y: int, radius: int) -> float:
    """Brightest 1% minus median inside a marked CALC cluster, in [0, 1] units."""
    row, col = 1023 - y, x
    rr, cc = np.ogrid[:1024, :1024]
    disc = np.hypot(rr - row, cc - col) < max(radius, 8)
    return float(np.percentile(pixels[disc], 99) - np.median(pixels[disc]))


def sim_contrast(pixels: np.ndarray, outline: list[tuple[float, float]]) -> float:
    r, c = (int(round(v)) for v in np.mean(outline, axis=0))
    peak = pixels[r - 1 : r + 2, c - 1 : c + 2].max()
    ring = pixels[r - 8 : r + 9, c - 8 : c + 9]
    return float(peak - np.median(ring))


def main() -> None:
    rows, panel = [], []
    sim = simulate_image(7, scene="suspicious-cluster", density="b", spacing_mm=0.1)
    film = simulate_image(7, scene="suspicious-cluster", density="b", film=True)
    for label, s in (("synthetic digital CC, 0.1 mm", sim), ("synthetic film CC, 0.2 mm", film)):
        mask = ndi.binary_erosion(
            rle_to_mask(s.truth.breast_mask_rle, s.truth.shape_px), iterations=8
        )
        visible = [c for c in s.truth.calcifications if c.visible]
        contrast = np.median([sim_contrast(s.mammogram.pixels, c.outline_px) for c in visible])
        rows.append(
            stats(label, s.mammogram.pixels, mask, s.mammogram.spacing_mm, f"{contrast:.2f}")
        )
        panel.append(s.mammogram.pixels)
    nyu = DATA / "nyu-gmic-sample" / "0_L-CC.png"
    if nyu.exists():
        pixels = np.asarray(Image.open(nyu), dtype=np.float32) / 4095.0
        rows.append(stats("NYU L-CC (spacing assumed 0.1)", pixels, in_breast(pixels), 0.1, "n/a"))
        panel.insert(1, pixels)
    info = DATA / "mini-mias" / "Info.txt"
    if info.exists():
        marks = {
            p[0]: p
            for p in (line.split() for line in info.read_text().splitlines())
            if len(p) == 7 and p[2] == "CALC"
        }
        contrasts, first = [], None
        for ref in MIAS_CALC:
            path = DATA / "mini-mias" / f"{ref}.pgm"
            if ref in marks and path.exists():
                pixels = np.asarray(Image.open(path), dtype=np.float32) / 255.0
                x, y, radius = (int(v) for v in marks[ref][4:7])
                contrasts.append(mias_contrast(pixels, x, y, radius))
                first = first if first is not None else pixels
        if first is not None:
            rows.append(
                stats(
                    "mini-MIAS CALC images",
                    first,
                    in_breast(first),
                    0.2,
                    f"{np.median(contrasts):.2f}",
                )
            )
            panel.append(first)
    print("| image | spacing (mm) | in-breast grey p5 / p50 / p95 | NPS beta | calc. contrast |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    save_panel(panel, ROOT / "docs" / "images" / "sim_panel.png")
    calcification_gallery(ROOT / "docs" / "images" / "sim_calcifications.png")


def save_panel(images: list[np.ndarray], path: Path, height: int = 360) -> None:
    tiles = []
    for pixels in images:
        im = Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8))
        tiles.append(im.resize((max(1, int(im.width * height / im.height)), height), Image.LANCZOS))
    canvas = Image.new("L", (sum(t.width for t in tiles) + 8 * len(tiles), height), 255)
    x = 0
    for tile in tiles:
        canvas.paste(tile, (x, 0))
        x += tile.width + 8
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, optimize=True)


def calcification_gallery(path: Path, side_mm: float = 8.0, spacing_mm: float = 0.07) -> None:
    """One 8 mm crop per lexicon morphology (its own scene), 2 rows, each crop's own window."""
    names = [
        "punctate", "round", "amorphous", "coarse-heterogeneous", "fine-pleomorphic",
        "fine-linear-branching", "coarse-popcorn", "large-rod-like", "rim", "skin",
        "dystrophic", "milk-of-calcium", "vascular", "suture",
    ]  # fmt: skip
    half = int(side_mm / spacing_mm / 2)
    tiles = []
    for i, name in enumerate(names):
        sim = simulate_image(100 + i, scene=name, spacing_mm=spacing_mm, view="MLO", density="b")
        first = sim.truth.findings[0]
        members = [c for c in sim.truth.calcifications if c.finding_id == first.exam_finding]
        r, c = (int(round(v)) for v in members[0].centroid_px)
        pixels = np.pad(sim.mammogram.pixels, half)[r : r + 2 * half, c : c + 2 * half]
        low, high = np.percentile(pixels, [1, 99.8])
        tiles.append(np.clip((pixels - low) / (high - low + 1e-6), 0, 1))
    rows = [np.hstack(tiles[:7]), np.hstack(tiles[7:])]
    image = Image.fromarray((np.vstack(rows) * 255).astype(np.uint8))
    image.save(path, optimize=True)
    print("gallery:", ", ".join(names))


def benchmark() -> None:
    simulate_image(0, spacing_mm=0.2, shape_px=(300, 200))
    for seed in (1, 2, 3):
        wall, cpu = time.perf_counter(), time.process_time()
        simulate_image(seed, scene="suspicious-cluster", spacing_mm=0.07, shape_px=(4096, 3328))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"seed {seed}: wall {wall:.2f} s, cpu {cpu:.2f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    benchmark() if "--benchmark" in sys.argv else main()
