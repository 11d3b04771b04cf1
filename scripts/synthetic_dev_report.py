"""Development report of morphology and category on simulator images (for tuning the rules).

Simulates the images of ``mammocalc evaluate synthetic`` (same plan: seed, spacing, density,
scene, view), runs breast segmentation and detection once per image and caches the result
(pickles under ``--cache``), then re-runs group -> characterise -> assess on the cached
calcifications, so a change of the morphology or category rules is re-checked in seconds.

Prints, per matched truth finding: scene, spacing, intended morphology and category, the
finding's kind, morphology calls with confidences, category and probability, and its members'
measured size and shape; then the measured shapes of the detections that hit a truth
calcification, per truth morphology; then per-scene category agreement and morphology accuracy
and the totals, computed as :func:`mammocalc.evaluate.synthetic.summarise` does.

Tune on development seeds >= 5000 only: seeds 0-183 are the benchmark set of docs/benchmarks.md.

Usage::

    .venv/bin/python scripts/synthetic_dev_report.py --n 92 --seed 5000 [--members] [--shapes]
    .venv/bin/python scripts/synthetic_dev_report.py --n 92 --seed 5000 --summary-json /tmp/a.json
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mammocalc._morphology import classify_calcification
from mammocalc.assess import assess
from mammocalc.breast import segment
from mammocalc.characterise import characterise
from mammocalc.detect import detect
from mammocalc.evaluate.synthetic import (
    CALCIFICATION_HIT_MM,
    _matched_truth,
    _plan,
    lexicon_scenes,
    score_image,
    simulate_default,
    summarise,
)
from mammocalc.group import group
from mammocalc.models import Calcification, Finding, ImageResult
from mammocalc.pipeline import image_result
from mammocalc.settings import Settings

SPACINGS_MM = (0.07, 0.1)
DENSITIES = ("a", "b", "c", "d")
VIEWS = ("CC", "MLO")


def cached_detection(
    item: tuple[int, float, str, str, str], cache: Path, settings: Settings
) -> dict[str, Any]:
    """Simulated image, masks and detections of one plan item; computed once, then read."""
    seed, spacing_mm, density, scene, view = item
    path = cache / f"{seed}-{spacing_mm:g}-{density}-{scene}-{view}.pkl"
    if path.is_file():
        with path.open("rb") as f:
            return dict(pickle.load(f))
    simulated = simulate_default(seed, spacing_mm, density, scene, view)
    masks = segment(simulated.mammogram, settings=settings)
    calcifications = detect(simulated.mammogram, masks, settings=settings)
    data = {
        "mammogram": simulated.mammogram,
        "masks": masks,
        "calcifications": calcifications,
        "truth": simulated.truth,
    }
    with path.open("wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    return data


def analyse_cached(
    data: dict[str, Any], settings: Settings, grouped: Path | None = None
) -> ImageResult:
    """Group, characterise and assess cached detections as :func:`mammocalc.pipeline.analyze`.

    With ``grouped`` (a pickle path), the grouping stage's findings are read from it when it
    exists and written to it otherwise: rule changes are then compared on fixed groups while
    the grouping code changes.
    """
    mammogram = data["mammogram"]
    masks = data["masks"]
    calcifications: list[Calcification] = data["calcifications"]
    if grouped is not None and grouped.is_file():
        with grouped.open("rb") as f:
            findings = pickle.load(f)
    else:
        findings = group(calcifications, mammogram, masks, settings=settings)
        if grouped is not None:
            with grouped.open("wb") as f:
                pickle.dump(findings, f, protocol=pickle.HIGHEST_PROTOCOL)
    by_id = {c.id: c for c in calcifications}
    findings = [
        characterise(f, [by_id[i] for i in f.calcification_ids], mammogram, settings=settings)
        for f in findings
    ]
    result = image_result(mammogram, masks, calcifications, findings)
    images, _, _ = assess([result], settings=settings)
    return images[0]


def _member_row(c: Calcification, spacing_mm: float) -> str:
    s = c.shape
    return (
        f"      d={c.diameter_mm:5.2f} circ={s.circularity:4.2f} sol={s.solidity:4.2f} "
        f"elong={s.elongation:4.1f} w={s.width_mm:4.2f} len={s.length_mm:4.2f} "
        f"cnr={c.cnr:5.1f} lucent={int(c.lucent_centre)} "
        f"rule={classify_calcification(c, spacing_mm=spacing_mm).value}"
    )


def finding_lines(
    result: ImageResult, data: dict[str, Any], scene: str, members: bool
) -> list[str]:
    """One block per matched truth finding (the best-scoring finding on it, as the evaluation)."""
    truth = data["truth"]
    by_id = {c.id: c for c in result.calcifications}
    best: dict[str, tuple[float, Finding]] = {}
    for finding in result.findings:
        target = _matched_truth(finding, truth)
        if target is not None and finding.detection_score > best.get(target.id, (-1.0,))[0]:
            best[target.id] = (finding.detection_score, finding)
    lines = []
    for target in truth.findings:
        head = (
            f"{scene:22s} seed={truth.seed} sp={truth.spacing_mm:g} dens={truth.density} "
            f"truth={'/'.join(str(m) for m in target.morphology)} "
            f"dist={target.distribution} cat={target.category.value} n={target.count}"
        )
        if target.id not in best:
            lines.append(f"{head}\n    NOT FOUND")
            continue
        f = best[target.id][1]
        calls = ", ".join(f"{c.descriptor.value} {c.confidence:.2f}" for c in f.morphology)
        ok = "OK " if f.category == target.category else "BAD"
        lines.append(
            f"{head}\n    {ok} kind={f.kind.value} dist={f.distribution} n={f.count} "
            f"cat={f.category.value if f.category else None} "
            f"p={f.malignancy_probability or 0:.3f} calls=[{calls}]"
        )
        if members:
            for i in f.calcification_ids:
                lines.append(_member_row(by_id[i], truth.spacing_mm))
    return lines


def shape_rows(result: ImageResult, data: dict[str, Any]) -> list[tuple[str, float, Calcification]]:
    """(truth morphology, spacing, detection) for each detection hitting a visible truth one."""
    truth = data["truth"]
    rows = []
    calcs = truth.calcifications
    tolerance_px = CALCIFICATION_HIT_MM / truth.spacing_mm
    for c in result.calcifications:
        centre = np.array(c.centroid_px)
        best = None
        for k, tc in enumerate(calcs):
            distance = float(np.hypot(*(centre - tc.centroid_px)))
            if distance <= max(tolerance_px, tc.length_mm / truth.spacing_mm / 2) and (
                best is None or distance < best[0]
            ):
                best = (distance, k)
        if best is not None and calcs[best[1]].visible:
            rows.append((calcs[best[1]].morphology.value, truth.spacing_mm, c))
    return rows


def shape_table(rows: Sequence[tuple[str, float, Calcification]]) -> list[str]:
    """Quartiles of the measured shape of the detections per truth morphology and spacing."""
    grouped: dict[tuple[str, float], list[Calcification]] = defaultdict(list)
    for morphology, spacing, c in rows:
        grouped[(morphology, spacing)].append(c)
    lines = ["morphology             sp    n  quartiles (25/50/75) of measured shape"]
    for (morphology, spacing), cs in sorted(grouped.items()):
        cols = {
            "d": [c.diameter_mm for c in cs],
            "circ": [c.shape.circularity for c in cs],
            "sol": [c.shape.solidity for c in cs],
            "elong": [c.shape.elongation for c in cs],
            "w": [c.shape.width_mm for c in cs],
            "cnr": [c.cnr for c in cs],
        }
        text = " ".join(
            f"{k}=" + "/".join(f"{q:.2f}" for q in np.percentile(v, [25, 50, 75]))
            for k, v in cols.items()
        )
        lucent = np.mean([c.lucent_centre for c in cs])
        lines.append(f"{morphology:22s} {spacing:4g} {len(cs):4d}  {text} lucent={lucent:.2f}")
    return lines


def write_rows(path: Path, rows: Sequence[tuple[str, float, Calcification]]) -> None:
    """The shape rows as CSV: truth morphology, spacing and the detection's measures."""
    head = "morphology,spacing_mm,diameter_mm,diameter_px,circularity,solidity,elongation,"
    head += "width_mm,length_mm,cnr,lucent_centre"
    lines = [head]
    for morphology, spacing, c in rows:
        s = c.shape
        lines.append(
            f"{morphology},{spacing},{c.diameter_mm:.4f},{c.diameter_mm / spacing:.3f},"
            f"{s.circularity:.4f},{s.solidity:.4f},{s.elongation:.4f},{s.width_mm:.4f},"
            f"{s.length_mm:.4f},{c.cnr:.3f},{int(c.lucent_centre)}"
        )
    path.write_text("\n".join(lines) + "\n")


def scene_table(by_scene: dict[str, list[dict[str, Any]]]) -> tuple[list[str], dict[str, Any]]:
    """Per-scene category agreement and morphology accuracy of matched findings."""
    lines = ["scene                   matched  category  morphology"]
    out: dict[str, Any] = {}
    for scene, pairs in sorted(by_scene.items()):
        if not pairs:
            lines.append(f"{scene:22s}  none detected")
            out[scene] = None
            continue
        cat = float(np.mean([p["truth_category"] == p["predicted_category"] for p in pairs]))
        mor = float(np.mean([p["predicted_morphology"] in p["truth_morphology"] for p in pairs]))
        lines.append(f"{scene:22s} {len(pairs):7d}  {cat:8.2f}  {mor:10.2f}")
        out[scene] = {"n": len(pairs), "category": cat, "morphology": mor}
    return lines, out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=92)
    parser.add_argument("--seed", type=int, default=5000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/mammocalc-dev-cache"))
    parser.add_argument("--scene", action="append", help="only these scenes (repeatable)")
    parser.add_argument(
        "--group-cache", type=Path, help="folder of cached grouping results (fixed groups)"
    )
    parser.add_argument("--members", action="store_true", help="list each finding's members")
    parser.add_argument("--shapes", action="store_true", help="measured shapes per truth class")
    parser.add_argument("--no-findings", action="store_true", help="skip the per-finding blocks")
    parser.add_argument("--summary-json", type=Path, help="write per-scene and total figures")
    parser.add_argument("--rows-csv", type=Path, help="write the --shapes rows (one per hit)")
    args = parser.parse_args(argv)
    if args.seed < 5000:
        print("warning: seeds below 5000 include the benchmark set (0-183)", file=sys.stderr)
    args.cache.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    plan = _plan(args.n, args.seed, SPACINGS_MM, DENSITIES, lexicon_scenes(), VIEWS)
    scores = []
    by_scene: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows: list[tuple[str, float, Calcification]] = []
    matched: list[dict[str, Any]] = []
    for item in plan:
        scene = item[3]
        if args.scene and scene not in args.scene:
            continue
        data = cached_detection(item, args.cache, settings)
        grouped = None
        if args.group_cache is not None:
            args.group_cache.mkdir(parents=True, exist_ok=True)
            grouped = args.group_cache / f"{item[0]}-{item[1]:g}.pkl"
        result = analyse_cached(data, settings, grouped)
        score = score_image(result, data["truth"])
        scores.append(score)
        by_scene[scene].extend(score.matched)
        matched.extend(
            {"seed": item[0], "scene": scene, "spacing_mm": item[1], **pair}
            for pair in score.matched
        )
        if not args.no_findings:
            print("\n".join(finding_lines(result, data, scene, args.members)))
        if args.shapes or args.rows_csv:
            rows.extend(shape_rows(result, data))
    if args.shapes:
        print("\n".join(shape_table(rows)))
    if args.rows_csv:
        write_rows(args.rows_csv, rows)
    lines, per_scene = scene_table(by_scene)
    print("\n".join(lines))
    totals = summarise(scores)
    morphology = totals["morphology"]["micro_accuracy"]
    category = totals["category"]["agreement"]
    print(
        f"TOTAL images={len(scores)} matched={totals['category']['n_matched']} "
        f"morphology={morphology} category={category}"
    )
    print("category confusion (rows truth):", totals["category"]["labels"])
    for label, row in zip(
        totals["category"]["labels"], totals["category"]["confusion_matrix"], strict=True
    ):
        print(f"  {label:>4s} {row}")
    if args.summary_json:
        args.summary_json.write_text(
            json.dumps(
                {
                    "morphology": morphology,
                    "category": category,
                    "scenes": per_scene,
                    "findings": matched,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
