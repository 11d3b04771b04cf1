"""mini-MIAS: read the truth table (``Info.txt``) and score the pipeline on cluster-level FROC.

Truth rows are ``REF TISSUE CLASS SEVERITY X Y RADIUS``; ``CALC`` rows mark calcification
clusters. The origin is the bottom-left corner (row = 1023 - Y, col = X); pixels are 0.2 mm
(film digitised at 50 um, reduced). Rows marked ``*NOTE 3*`` have no coordinates: the
calcifications are spread through the image, so those images are left out of localisation.
A finding hits a cluster when its centre lies within max(radius, 5 mm) of the cluster centre
(issue 4); scoring is Chakraborty's (:mod:`mammocalc.evaluate.froc`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mammocalc.errors import DatasetError
from mammocalc.evaluate._common import (
    AnalyzeImage,
    default_analyzer,
    distance_px,
    froc_summary,
    malignancy_figures,
    version,
)
from mammocalc.evaluate.froc import Mark, froc, froc_bootstrap_ci
from mammocalc.models import ImageResult, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import FindingKind

MIAS_SPACING_MM = 0.2
MIAS_SIZE_PX = 1024
HIT_MIN_RADIUS_MM = 5.0
UNRELIABLE = frozenset({"mdb212", "mdb214"})  # centres fall on background (data/README.md)

_CLASSES = frozenset({"CALC", "CIRC", "SPIC", "MISC", "ARCH", "ASYM", "NORM"})
_TISSUES = frozenset({"F", "G", "D"})
_REF = re.compile(r"^mdb\d{3}$")

__all__ = [
    "MIAS_SPACING_MM",
    "UNRELIABLE",
    "MiasImage",
    "TruthCluster",
    "evaluate_mini_mias",
    "list_images",
    "parse_info",
    "patient_of",
    "score_mini_mias",
]


@dataclass(frozen=True)
class TruthCluster:
    """One ``CALC`` row with coordinates: a calcification cluster.

    ``centre_px`` is (row, col) in image pixels after the origin flip; ``radius_px`` in pixels.
    """

    id: str
    ref: str
    severity: str
    centre_px: tuple[float, float]
    radius_px: float
    line: int


@dataclass(frozen=True)
class MiasImage:
    """The truth of one image: its tissue, classes, clusters and whether calcifications spread."""

    ref: str
    tissue: str
    classes: tuple[str, ...]
    clusters: tuple[TruthCluster, ...]
    spread_calcifications: bool  # a NOTE 3 CALC row: no localisation possible


def patient_of(ref: str) -> int:
    """Patient number of an image: mdb(2k-1) and mdb(2k) are the two breasts of patient k."""
    return (int(ref[3:]) + 1) // 2


def parse_info(path: Path, *, size_px: int = MIAS_SIZE_PX) -> dict[str, MiasImage]:
    """Read a mini-MIAS ``Info.txt`` into the truth of each image.

    Lines that do not start with ``mdbNNN`` (the header and notes) are skipped. A data row may
    have 3 fields (``NORM``), 4 (no coordinates), 7 (with coordinates) or a ``*NOTE 3*`` marker.
    Every row's tissue and class are checked; severity and coordinates only on ``CALC`` rows,
    the only ones used, so that a quirk in a mass row does not stop a calcification evaluation.

    Parameters
    ----------
    path : Path
        The ``Info.txt`` file.
    size_px : int
        Image height in pixels, for the bottom-left origin flip (row = size_px - 1 - Y).

    Returns
    -------
    dict
        ``{ref: MiasImage}`` for every image the file lists.

    Raises
    ------
    DatasetError
        When a data row is malformed; the message names the file and the line number.
    """
    try:
        lines = path.read_text(encoding="latin-1").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the mini-MIAS truth table ({exc}).") from exc
    rows: dict[str, list[tuple[int, list[str]]]] = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if fields and _REF.match(fields[0]):
            rows.setdefault(fields[0], []).append((number, fields))
    if not rows:
        raise DatasetError(f"{path}: no 'mdbNNN' truth rows found; is this a mini-MIAS Info.txt?")
    return {ref: _image(ref, entries, path, size_px) for ref, entries in rows.items()}


def _image(ref: str, entries: list[tuple[int, list[str]]], path: Path, size_px: int) -> MiasImage:
    clusters: list[TruthCluster] = []
    classes: list[str] = []
    spread = False
    tissue = ""
    for number, fields in entries:
        tissue, cls, rest = _split_row(fields, path, number)
        classes.append(cls)
        if cls != "CALC":
            continue
        coordinates = _coordinates(rest[1:], path, number, size_px)
        if coordinates is None:
            spread = True
            continue
        x, y, radius = coordinates
        clusters.append(
            TruthCluster(
                id=f"{ref}#{len(clusters)}",
                ref=ref,
                severity=rest[0],
                centre_px=(float(size_px - 1 - y), float(x)),
                radius_px=float(radius),
                line=number,
            )
        )
    return MiasImage(ref, tissue, tuple(classes), tuple(clusters), spread)


def _split_row(fields: list[str], path: Path, number: int) -> tuple[str, str, list[str]]:
    where = f"{path}, line {number}"
    if len(fields) < 3:
        raise DatasetError(f"{where}: expected 'REF TISSUE CLASS ...', got {' '.join(fields)!r}.")
    _, tissue, cls, *rest = fields
    if tissue not in _TISSUES:
        raise DatasetError(f"{where}: tissue {tissue!r} is not one of F, G, D; fix the row.")
    if cls not in _CLASSES:
        raise DatasetError(f"{where}: class {cls!r} is not one of {', '.join(sorted(_CLASSES))}.")
    if cls != "CALC":
        return tissue, cls, rest  # only CALC rows are used: a quirk in a mass row cannot stop us
    if not rest or rest[0] not in ("B", "M"):
        raise DatasetError(f"{where}: a {cls} row needs severity B or M after the class.")
    return tissue, cls, rest


def _coordinates(
    values: list[str], path: Path, number: int, size_px: int
) -> tuple[int, int, int] | None:
    """X, Y, radius of a row, or None when it has none (``*NOTE 3*`` or nothing)."""
    if not values or "NOTE" in " ".join(values).upper():
        return None
    where = f"{path}, line {number}"
    if len(values) != 3 or not all(v.isdigit() for v in values):
        raise DatasetError(
            f"{where}: expected three whole numbers 'X Y RADIUS' or '*NOTE 3*', got "
            f"{' '.join(values)!r}."
        )
    x, y, radius = (int(v) for v in values)
    if not (0 <= x < size_px and 0 <= y < size_px):
        raise DatasetError(f"{where}: centre ({x}, {y}) lies outside the {size_px}-pixel image.")
    return x, y, radius


def load_mias_image(path: Path) -> Mammogram:
    """Read one mini-MIAS PGM with the dataset's facts: 0.2 mm pixels, digitised film."""
    from mammocalc.io import read

    mammogram = read(path, spacing_mm=MIAS_SPACING_MM)
    return dataclasses.replace(mammogram, is_film=True, spacing_assumed=False)


def image_marks(
    result: ImageResult,
    clusters: Sequence[TruthCluster],
    *,
    kinds: frozenset[FindingKind] | None = None,
) -> list[tuple[Mark, Any]]:
    """Score the findings of one image against its truth clusters.

    Each finding of a counted kind hits the nearest cluster whose centre lies within
    max(radius, 5 mm) of the finding's centre, or no cluster (a false positive).

    Returns
    -------
    list of ((detection_score, cluster id or None), finding)
    """
    tolerance_min_px = HIT_MIN_RADIUS_MM / MIAS_SPACING_MM
    marks: list[tuple[Mark, Any]] = []
    for finding in result.findings:
        if kinds is not None and finding.kind not in kinds:
            continue
        reachable = [
            (distance_px(finding.centroid_px, c.centre_px), c.id)
            for c in clusters
            if distance_px(finding.centroid_px, c.centre_px) <= max(c.radius_px, tolerance_min_px)
        ]
        hit = min(reachable)[1] if reachable else None
        marks.append(((finding.detection_score, hit), finding))
    return marks


def score_mini_mias(
    truth: Mapping[str, MiasImage],
    results: Mapping[str, ImageResult],
    *,
    kinds: frozenset[FindingKind] | None = None,
    n_bootstrap: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """Cluster FROC and malignancy figures for analysed images (no I/O).

    Images with a ``*NOTE 3*`` row are left out (their findings cannot be judged). The AUC is
    that of the malignancy probability of the highest-scored finding hitting each B/M cluster,
    over the clusters found. The bootstrap (AUC and FROC sensitivity intervals) resamples
    patients.
    """
    refs = sorted(r for r in results if not truth[r].spread_calcifications)
    marks_per_image: list[list[Mark]] = []
    best: dict[str, tuple[float, float | None]] = {}  # cluster id -> (score, probability)
    images: list[dict[str, Any]] = []
    for ref in refs:
        scored = image_marks(results[ref], truth[ref].clusters, kinds=kinds)
        marks_per_image.append([mark for mark, _ in scored])
        for (score, hit), finding in scored:
            if hit is not None and score > best.get(str(hit), (-1.0, None))[0]:
                best[str(hit)] = (score, finding.malignancy_probability)
        images.append(_image_detail(ref, scored))
    clusters = [c for ref in refs for c in truth[ref].clusters]
    curve = froc(marks_per_image, len(clusters)) if clusters else None
    froc_block = froc_summary(curve)
    if curve is not None and n_bootstrap > 0:
        froc_block["sensitivity_ci95"] = froc_bootstrap_ci(
            marks_per_image,
            [len(truth[ref].clusters) for ref in refs],
            groups=[patient_of(ref) for ref in refs],
            n=n_bootstrap,
            seed=seed,
        )
    scored_clusters = [c for c in clusters if best.get(c.id, (0.0, None))[1] is not None]
    figures = malignancy_figures(
        [int(c.severity == "M") for c in scored_clusters],
        [float(best[c.id][1] or 0.0) for c in scored_clusters],
        [patient_of(c.ref) for c in scored_clusters],
        n_bootstrap=n_bootstrap,
        seed=seed,
    )
    return {
        "n_images": len(refs),
        "n_images_left_out_note3": sum(truth[r].spread_calcifications for r in results),
        "froc": froc_block,
        "n_truth_clusters": len(clusters),
        **figures,
        "clusters": [_cluster_detail(c, best.get(c.id)) for c in clusters],
        "images": images,
    }


def _image_detail(ref: str, scored: list[tuple[Mark, Any]]) -> dict[str, Any]:
    return {
        "ref": ref,
        "marks": [
            {
                "centroid_px": list(finding.centroid_px),
                "detection_score": score,
                "malignancy_probability": finding.malignancy_probability,
                "kind": str(finding.kind),
                "hit": hit,
            }
            for (score, hit), finding in scored
        ],
    }


def _cluster_detail(
    cluster: TruthCluster, best: tuple[float, float | None] | None
) -> dict[str, Any]:
    return {
        "id": cluster.id,
        "ref": cluster.ref,
        "severity": cluster.severity,
        "centre_px": list(cluster.centre_px),
        "radius_px": cluster.radius_px,
        "hit_score": None if best is None else best[0],
        "malignancy_probability": None if best is None else best[1],
    }


def list_images(directory: Path) -> tuple[dict[str, MiasImage], list[str]]:
    """The truth of a mini-MIAS folder and the sorted references of its images listed there.

    Raises
    ------
    DatasetError
        When ``Info.txt`` is missing or malformed, or no listed image is present.
    """
    info = Path(directory) / "Info.txt"
    if not info.is_file():
        raise DatasetError(f"{directory}: no Info.txt; give the mini-MIAS folder as distributed.")
    truth = parse_info(info)
    refs = sorted(p.stem for p in Path(directory).glob("mdb*.pgm") if p.stem in truth)
    if not refs:
        raise DatasetError(f"{directory}: no mdbNNN.pgm image listed in Info.txt was found.")
    return truth, refs


def evaluate_mini_mias(
    directory: Path,
    *,
    limit: int | None = None,
    settings: Settings | None = None,
    analyze_image: AnalyzeImage | None = None,
    load: Callable[[Path], Mammogram] = load_mias_image,
    results: Mapping[str, ImageResult] | None = None,
    kinds: frozenset[FindingKind] | None = None,
    n_bootstrap: int = 2000,
    seed: int = 0,
    on_image: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the pipeline on a mini-MIAS directory and return the JSON-ready figures.

    Parameters
    ----------
    directory : Path
        ``mdbNNN.pgm`` files (any subset) and ``Info.txt``.
    limit : int, optional
        Analyse only the first ``limit`` images (by name).
    settings : Settings, optional
        Pipeline parameters.
    analyze_image : callable, optional
        ``Mammogram -> ImageResult``; default the product's pipeline (tests inject a fake).
    load : callable
        ``Path -> Mammogram``; default :func:`load_mias_image`.
    results : mapping, optional
        Precomputed ``{ref: ImageResult}`` (e.g. out-of-fold results of a learned detector for
        cross-validated figures); images found there are not analysed again.
    kinds : frozenset of FindingKind, optional
        Count only findings of these kinds as marks (default: every reported finding).
    n_bootstrap, seed : int
        Bootstrap resamples (by patient) for the AUC interval, and their seed.
    on_image : callable, optional
        Called with each image reference after it is analysed (progress bars).

    Returns
    -------
    dict
        The keys of docs/evaluation.md: ``dataset``, ``n_images``, ``version``, ``parameters``,
        ``froc``, ``n_truth_clusters``, ``auc``, ``auc_ci95``, ``brier``, ``ece``,
        ``excluding_unreliable`` (same figures without mdb212 and mdb214), and per-image detail.
    """
    truth, refs = list_images(directory)
    refs = refs[:limit] if limit is not None else refs
    analyse = analyze_image or default_analyzer(settings)
    done: dict[str, ImageResult] = {}
    for ref in refs:
        if results is not None and ref in results:
            done[ref] = results[ref]
        else:
            done[ref] = analyse(load(Path(directory) / f"{ref}.pgm"))
        if on_image is not None:
            on_image(ref)
    everything = score_mini_mias(truth, done, kinds=kinds, n_bootstrap=n_bootstrap, seed=seed)
    reliable = {r: v for r, v in done.items() if r not in UNRELIABLE}
    without = score_mini_mias(truth, reliable, kinds=kinds, n_bootstrap=n_bootstrap, seed=seed)
    return {
        "dataset": "mini-mias",
        "version": version(),
        "parameters": {
            "directory": str(directory),
            "limit": limit,
            "spacing_mm": MIAS_SPACING_MM,
            "hit_rule": "finding centre within max(truth radius, 5 mm) of the truth centre",
            "score": "detection_score",
            "kinds": None if kinds is None else sorted(str(k) for k in kinds),
            "n_bootstrap": n_bootstrap,
            "seed": seed,
            "n_precomputed": sum(1 for r in refs if results is not None and r in results),
            "settings": (settings or Settings.model_validate({})).model_dump(mode="json"),
        },
        **everything,
        "excluding_unreliable": {
            k: v for k, v in without.items() if k not in ("images", "clusters")
        },
    }
