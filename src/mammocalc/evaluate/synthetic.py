"""Synthetic evaluation: the pipeline on simulator images, scored against their complete truth.

Per calcification: a detection hits a visible truth calcification when its centre lies within
0.5 mm of the truth centre or inside the truth outline (issue 4); false positives are counted
per cm^2 of breast. Detections of calcifications the simulator marks invisible are neither hits
nor false positives. Per cluster: a finding hits a truth cluster when its centre lies within
max(extent / 2, 5 mm) of the truth centre (the mini-MIAS rule); false clusters per image. The
cluster FROC counts every truth cluster; a second one counts only the *visible* clusters, those
with at least ``CLUSTER_VISIBLE_MIN`` visible members (amorphous clusters are often below the noise
by design, docs/simulation.md), and, as for calcifications, a finding hitting an invisible cluster
is then neither a hit nor a false positive.
Descriptors and categories are compared on matched findings. The whole image is compared too:
its intended category is its worst truth finding's among the visible ones and those a finding
matched, its given one its worst finding's
(1 where there is none), as a breast's category is its worst finding's. Everything is broken down
by pixel spacing, breast density, view and scene.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree
from skimage.measure import points_in_poly

from mammocalc.evaluate._common import AnalyzeImage, default_analyzer, froc_summary, version
from mammocalc.evaluate.froc import Mark, froc
from mammocalc.evaluate.metrics import confusion_matrix, quadratic_weighted_kappa
from mammocalc.models import Finding, ImageResult
from mammocalc.settings import Settings
from mammocalc.vocabulary import Category, FindingKind, Management, worst

if TYPE_CHECKING:
    from mammocalc.simulate.truth import SimulatedImage, Truth, TruthFinding

CALCIFICATION_HIT_MM = 0.5
CLUSTER_HIT_MIN_MM = 5.0
#: A truth cluster is visible when at least this many of its members are (the simulator's
#: matched-filter CNR above 3): the CAD convention's smallest cluster, as the default
#: ``Settings.cluster_min_count``.
CLUSTER_VISIBLE_MIN = 3
CALCIFICATION_FP_PER_CM2: tuple[float, ...] = (0.1, 0.2, 0.4, 1.0, 2.0)
NONE_LABEL = "none"

Simulate = Callable[[int, float, str, str, str], "SimulatedImage"]
"""(seed, spacing_mm, density, scene, view) -> SimulatedImage."""

__all__ = [
    "ImageScore",
    "evaluate_synthetic",
    "lexicon_scenes",
    "score_image",
    "simulate_default",
    "summarise",
    "visible_clusters",
]


@dataclass
class ImageScore:
    """What one simulated image contributes to every figure (no pixels kept)."""

    seed: int
    spacing_mm: float
    density: str
    scene: str
    view: str
    breast_area_cm2: float
    calcification_marks: list[Mark] = field(default_factory=list)
    n_visible: int = 0
    cluster_marks: list[Mark] = field(default_factory=list)
    n_truth_clusters: int = 0
    visible_cluster_marks: list[Mark] = field(default_factory=list)
    n_visible_clusters: int = 0
    matched: list[dict[str, Any]] = field(default_factory=list)
    n_truth_findings: int = 0
    #: (intended, given) category of the whole image: its worst truth finding's among the
    #: visible ones and those a finding matched, and its worst finding's (findings without a
    #: category are left out); 1 (negative) where there is none
    image_category: tuple[str, str] = (Category.NEGATIVE.value, Category.NEGATIVE.value)


def simulate_default(
    seed: int, spacing_mm: float, density: str, scene: str, view: str
) -> SimulatedImage:
    """The product's simulator (left breasts, the simulator's default image size)."""
    from mammocalc.simulate import simulate_image

    return simulate_image(seed, spacing_mm=spacing_mm, density=density, scene=scene, view=view)


def lexicon_scenes() -> list[str]:
    """Every named simulator scene except the random mix: each lexicon class and distribution."""
    from mammocalc.simulate.scenes import SCENES

    return [name for name in SCENES if name != "random"]


def calcification_marks(result: ImageResult, truth: Truth) -> tuple[list[Mark], int]:
    """Marks (score, truth calcification id or None) of the detected calcifications.

    Returns
    -------
    marks : list of (score, id or None)
        Detections hitting an invisible truth calcification are left out.
    n_visible : int
        Visible truth calcifications (the FROC's lesions).
    """
    calcs = truth.calcifications
    tolerance_px = CALCIFICATION_HIT_MM / truth.spacing_mm
    if not calcs:
        return [(c.score, None) for c in result.calcifications], 0
    tree = cKDTree(np.array([c.centroid_px for c in calcs]))
    reach_px = max(tolerance_px, max(c.length_mm for c in calcs) / truth.spacing_mm)
    marks: list[Mark] = []
    for detection in result.calcifications:
        centre = np.array(detection.centroid_px)
        hits = []
        for k in tree.query_ball_point(centre, reach_px):
            distance = float(np.hypot(*(centre - calcs[k].centroid_px)))
            outline = calcs[k].outline_px
            inside = len(outline) >= 3 and bool(points_in_poly(centre[None], outline)[0])
            if distance <= tolerance_px or inside:
                hits.append((distance, k))
        if not hits:
            marks.append((detection.score, None))
            continue
        nearest = calcs[min(hits)[1]]
        if nearest.visible:
            marks.append((detection.score, f"{truth.seed}:{nearest.id}"))
    return marks, sum(c.visible for c in calcs)


def _matched_truth(
    finding: Finding, truth: Truth, among: Sequence[TruthFinding] | None = None
) -> TruthFinding | None:
    """The nearest truth finding (of ``among``, default all) whose hit radius reaches
    ``finding``, or None."""
    best: tuple[float, TruthFinding] | None = None
    for candidate in truth.findings if among is None else among:
        distance_mm = truth.spacing_mm * float(
            np.hypot(*np.subtract(finding.centroid_px, candidate.centroid_px))
        )
        if distance_mm <= max(candidate.extent_mm / 2, CLUSTER_HIT_MIN_MM) and (
            best is None or distance_mm < best[0]
        ):
            best = (distance_mm, candidate)
    return None if best is None else best[1]


def visible_clusters(truth: Truth) -> set[str]:
    """Ids of the truth clusters with at least ``CLUSTER_VISIBLE_MIN`` visible members."""
    shown = {c.id for c in truth.calcifications if c.visible}
    return {
        f.id
        for f in truth.findings
        if f.kind == FindingKind.CLUSTER
        and sum(i in shown for i in f.calcification_ids) >= CLUSTER_VISIBLE_MIN
    }


def score_image(result: ImageResult, truth: Truth) -> ImageScore:
    """Match one image's detections and findings to its truth (pure)."""
    score = ImageScore(
        truth.seed,
        truth.spacing_mm,
        truth.density,
        truth.scene,
        str(truth.view),
        truth.breast_area_cm2,
    )
    score.calcification_marks, score.n_visible = calcification_marks(result, truth)
    score.n_truth_clusters = sum(f.kind == FindingKind.CLUSTER for f in truth.findings)
    visible = visible_clusters(truth)
    score.n_visible_clusters = len(visible)
    shown = [f for f in truth.findings if f.kind != FindingKind.CLUSTER or f.id in visible]
    score.n_truth_findings = len(truth.findings)
    best: dict[str, tuple[float, Finding, TruthFinding]] = {}
    for finding in result.findings:
        score.visible_cluster_marks += _visible_mark(finding, truth, shown)
        target = _matched_truth(finding, truth)
        if target is None:
            score.cluster_marks.append((finding.detection_score, None))
            continue
        if target.kind == FindingKind.CLUSTER:
            score.cluster_marks.append((finding.detection_score, f"{truth.seed}:{target.id}"))
        if finding.detection_score > best.get(target.id, (-1.0,))[0]:
            best[target.id] = (finding.detection_score, finding, target)
    score.matched = [_pair(found, target) for _, found, target in best.values()]
    given = [f.category for f in result.findings if f.category is not None]
    meant = [*shown, *(target for _, _, target in best.values())]  # a found cluster counts
    score.image_category = (worst([f.category for f in meant]).value, worst(given).value)
    return score


def _visible_mark(finding: Finding, truth: Truth, shown: list[TruthFinding]) -> list[Mark]:
    """The finding's mark among the visible clusters (``shown``: every truth finding but the
    invisible clusters): a hit on the nearest visible cluster it reaches, a false positive when
    it reaches no truth finding at all, and nothing when it reaches only an invisible cluster or
    a finding that is no cluster."""
    target = _matched_truth(finding, truth, shown)
    if target is None:
        return [] if _matched_truth(finding, truth) else [(finding.detection_score, None)]
    if target.kind != FindingKind.CLUSTER:
        return []
    return [(finding.detection_score, f"{truth.seed}:{target.id}")]


def _pair(found: Finding, target: TruthFinding) -> dict[str, Any]:
    return {
        "truth_kind": str(target.kind),
        "truth_morphology": [str(m) for m in target.morphology],
        "predicted_morphology": str(found.morphology[0].descriptor)
        if found.morphology
        else NONE_LABEL,
        "truth_distribution": str(target.distribution or NONE_LABEL),
        "predicted_distribution": str(found.distribution or NONE_LABEL),
        "truth_category": str(target.category),
        "predicted_category": str(found.category or NONE_LABEL),
    }


def _accuracy(
    truth: Sequence[str], predicted: Sequence[str], correct: Sequence[bool]
) -> dict[str, Any]:
    labels = sorted(set(truth) | set(predicted))
    per_class = {
        label: float(np.mean([c for t, c in zip(truth, correct, strict=True) if t == label]))
        for label in sorted(set(truth))
    }
    return {
        "n_matched": len(truth),
        "micro_accuracy": float(np.mean(correct)) if correct else None,
        "macro_accuracy": float(np.mean(list(per_class.values()))) if per_class else None,
        "accuracy_by_class": per_class,
        "labels": labels,
        "confusion_matrix": confusion_matrix(truth, predicted, labels),
    }


def _category_block(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    order = [c.value for c in sorted(Category, key=lambda c: c.rank)]
    truth = [p["truth_category"] for p in pairs]
    predicted = [p["predicted_category"] for p in pairs]
    present = set(truth) | set(predicted)
    labels = [c for c in order if c in present] + ([NONE_LABEL] if NONE_LABEL in present else [])
    known = [(t, p) for t, p in zip(truth, predicted, strict=True) if p != NONE_LABEL]
    kappa = (
        quadratic_weighted_kappa([t for t, _ in known], [p for _, p in known], order)
        if known
        else float("nan")
    )
    return {
        "n_matched": len(pairs),
        "agreement": float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)]))
        if pairs
        else None,
        "kappa": kappa if np.isfinite(kappa) else None,
        "labels": labels,
        "confusion_matrix": confusion_matrix(truth, predicted, labels),
    }


_BIOPSY = frozenset(c.value for c in Category if c.management is Management.STEREOTACTIC_BIOPSY)
_SCREENING_OR_FOLLOW_UP = frozenset(
    {Category.NEGATIVE.value, Category.BENIGN.value, Category.PROBABLY_BENIGN.value}
)


def _image_category_block(scores: Sequence[ImageScore]) -> dict[str, Any]:
    """Whole-image categories: agreement and confusion as for findings, and the two errors of
    the pathway: an image meant for screening or follow-up (1, 2, 3) sent to biopsy (4A-5), and
    an image meant for biopsy given screening or follow-up (category 0, magnification views,
    is neither)."""
    pairs = [
        {"truth_category": intended, "predicted_category": given}
        for intended, given in (s.image_category for s in scores)
    ]
    block = _category_block(pairs)
    block["n_images"] = block.pop("n_matched")
    benign = [p for p in pairs if p["truth_category"] in _SCREENING_OR_FOLLOW_UP]
    suspicious = [p for p in pairs if p["truth_category"] in _BIOPSY]
    block["n_benign_images"] = len(benign)
    block["benign_sent_to_biopsy"] = (
        float(np.mean([p["predicted_category"] in _BIOPSY for p in benign])) if benign else None
    )
    block["n_suspicious_images"] = len(suspicious)
    block["suspicious_not_sent_to_biopsy"] = (
        float(np.mean([p["predicted_category"] in _SCREENING_OR_FOLLOW_UP for p in suspicious]))
        if suspicious
        else None
    )
    return block


def summarise(scores: Sequence[ImageScore]) -> dict[str, Any]:
    """All figures over a set of scored images (pure)."""
    n_visible = sum(s.n_visible for s in scores)
    area_cm2 = sum(s.breast_area_cm2 for s in scores)
    calc_curve = (
        froc(
            [s.calcification_marks for s in scores],
            n_visible,
            fp_denominator=area_cm2,
            fp_unit="cm2",
        )
        if n_visible and area_cm2 > 0
        else None
    )
    n_clusters = sum(s.n_truth_clusters for s in scores)
    cluster_curve = froc([s.cluster_marks for s in scores], n_clusters) if n_clusters else None
    n_shown = sum(s.n_visible_clusters for s in scores)
    shown_curve = froc([s.visible_cluster_marks for s in scores], n_shown) if n_shown else None
    pairs = [p for s in scores for p in s.matched]
    calc_block = froc_summary(calc_curve)
    if calc_curve is not None:
        calc_block["sensitivity_at_fp"] = calc_curve.sensitivity_at_fp(CALCIFICATION_FP_PER_CM2)
        calc_block["mean_sensitivity"] = calc_curve.mean_sensitivity(CALCIFICATION_FP_PER_CM2)
    return {
        "n_images": len(scores),
        "froc": froc_summary(cluster_curve),
        "n_truth_clusters": n_clusters,
        "visible_cluster_froc": froc_summary(shown_curve),
        "n_visible_clusters": n_shown,
        "calcification_froc": calc_block,
        "n_truth_calcifications": n_visible,
        "breast_area_cm2": area_cm2,
        "n_truth_findings": sum(s.n_truth_findings for s in scores),
        "finding_sensitivity": len(pairs) / max(1, sum(s.n_truth_findings for s in scores)),
        "morphology": _accuracy(
            [p["truth_morphology"][0] if p["truth_morphology"] else NONE_LABEL for p in pairs],
            [p["predicted_morphology"] for p in pairs],
            [p["predicted_morphology"] in p["truth_morphology"] for p in pairs],
        ),
        "distribution": _accuracy(
            [p["truth_distribution"] for p in pairs],
            [p["predicted_distribution"] for p in pairs],
            [p["truth_distribution"] == p["predicted_distribution"] for p in pairs],
        ),
        "category": _category_block(pairs),
        "image_category": _image_category_block(scores),
    }


def _plan(
    n: int,
    seed: int,
    spacings_mm: Sequence[float],
    densities: Sequence[str],
    scenes: Sequence[str],
    views: Sequence[str],
) -> list[tuple[int, float, str, str, str]]:
    k = len(spacings_mm)
    return [
        (
            seed + i,
            spacings_mm[i % k],
            densities[(i // k) % len(densities)],
            scenes[(i // k) % len(scenes)],
            views[(i // k // len(scenes)) % len(views)],  # a new view for each pass of scenes
        )
        for i in range(n)
    ]


def evaluate_synthetic(
    n: int,
    *,
    seed: int = 0,
    spacings_mm: Sequence[float] = (0.07, 0.1),
    densities: Sequence[str] = ("a", "b", "c", "d"),
    scenes: Sequence[str] | None = None,
    views: Sequence[str] = ("CC", "MLO"),
    settings: Settings | None = None,
    analyze_image: AnalyzeImage | None = None,
    simulate: Simulate | None = None,
    on_image: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Simulate ``n`` images, analyse each and score it against its truth.

    Parameters
    ----------
    n : int
        Number of images; image i has seed ``seed + i``, spacing ``spacings_mm[i % k]``;
        density and scene cycle through ``densities`` and ``scenes`` every k images, so each is
        seen at every spacing, and the view changes after each full pass over the scenes.
    seed : int
        First simulator seed.
    spacings_mm : sequence of float
        Pixel spacings (mm).
    densities : sequence of str
        BI-RADS densities a-d passed to the simulator.
    scenes : sequence of str, optional
        Simulator scenes to cycle through (default :func:`lexicon_scenes`: every lexicon class).
    views : sequence of str
        Views, one per pass over the scenes.
    settings : Settings, optional
        Pipeline parameters.
    analyze_image, simulate : callable, optional
        Injected for tests; defaults are the product's pipeline and simulator.
    on_image : callable, optional
        Called with the seed after each image (progress bars).

    Returns
    -------
    dict
        ``dataset``, ``n_images``, ``version``, ``parameters``, the figures of :func:`summarise`
        over all images, ``by_spacing``, ``by_density``, ``by_scene`` and ``by_view`` (the
        same figures per group), and
        ``auc``/``auc_ci95``/``brier``/``ece`` as null (the simulator has no pathology).
    """
    analyse = analyze_image or default_analyzer(settings)
    make = simulate or simulate_default
    scenes = list(scenes) if scenes else lexicon_scenes()
    scores: list[ImageScore] = []
    plan = _plan(n, seed, spacings_mm, densities, scenes, views)
    for image_seed, spacing_mm, density, scene, view in plan:
        simulated = make(image_seed, spacing_mm, density, scene, view)
        scores.append(score_image(analyse(simulated.mammogram), simulated.truth))
        if on_image is not None:
            on_image(image_seed)
    return {
        "dataset": "synthetic",
        "version": version(),
        "parameters": {
            "n": n,
            "seed": seed,
            "spacings_mm": list(spacings_mm),
            "densities": list(densities),
            "scenes": scenes,
            "views": list(views),
            "calcification_hit": "centre within 0.5 mm of the truth centre or inside its outline",
            "cluster_hit": "finding centre within max(extent / 2, 5 mm) of the truth centre",
            "settings": (settings or Settings.model_validate({})).model_dump(mode="json"),
        },
        **summarise(scores),
        "auc": None,
        "auc_ci95": None,
        "brier": None,
        "ece": None,
        "by_spacing": _by(scores, lambda s: f"{s.spacing_mm:g}"),
        "by_density": _by(scores, lambda s: s.density),
        "by_scene": _by(scores, lambda s: s.scene),
        "by_view": _by(scores, lambda s: s.view),
    }


def _by(scores: Sequence[ImageScore], key: Callable[[ImageScore], str]) -> dict[str, Any]:
    groups: dict[str, list[ImageScore]] = {}
    for s in scores:
        groups.setdefault(key(s), []).append(s)
    return {name: _without_points(summarise(members)) for name, members in sorted(groups.items())}


def _without_points(block: dict[str, Any]) -> dict[str, Any]:
    """Group figures keep the summary of each curve, not all its points (the JSON stays small)."""
    for key in ("froc", "calcification_froc", "visible_cluster_froc"):
        block[key].pop("points", None)
    return block
