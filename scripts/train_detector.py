"""Train the detector's false-positive cascade and report cross-validated cluster FROC.

Reproduce the shipped weights (about 20 minutes on one core; ``--cache FILE`` keeps the collected
candidates so that a refit takes two minutes)::

    .venv/bin/python scripts/train_detector.py --mias ../shared/data/mini-mias --n-sim 50 \
        --out src/mammocalc/weights

Models (logistic regressions, exported as JSON and evaluated in numpy by ``mammocalc``):

* the **prefilter** (first stage, stored in ``detect_calc.json`` under ``"prefilter"``), over
  ``_detect_score.PREFILTER_FEATURES`` of every band maximum of the *simulator* images only (exact
  labels; so it is independent of the mini-MIAS folds). Its threshold keeps
  ``--prefilter-recall`` of the true candidates.
* ``detect_calc.json``, second stage, over ``_detect_score.CALC_FEATURES`` of the outlined
  candidates that pass the prefilter. Labels: simulator truth (a candidate within
  max(0.5 mm, half its length) of a visible truth calcification is positive, else negative),
  mini-MIAS candidates of images without any calcification row as negatives, and mini-MIAS
  candidates inside a truth cluster circle as weak positives (weight ``WEAK_WEIGHT``; the circles
  mark clusters, not calcifications).
* ``detect_cluster.json``, finding level, over ``CLUSTER_FEATURES`` of the groups that
  :func:`mammocalc.group.group` forms from the calcifications kept at the operating point and at
  a few lower thresholds. Label: the group hits a truth cluster (centre within max(r, 5 mm) of the
  truth centre; issue 4).
* ``detect_macro.json``, finding level, over ``MACRO_FEATURES`` of the macrocalcification and
  vascular findings formed the same way. Label: the finding hits what a reader marked: on
  mini-MIAS a truth cluster circle (the database marks only the abnormality, so an incidental
  speck is negative), on the simulator any truth finding.

Operating points, chosen on the training data only (never on held-back data) and written to the
metadata (``Settings`` holds the defaults): ``detection_threshold`` is the calcification score at
which the training simulator images have ``--calc-fp-per-cm2`` false calcifications per cm^2 of
breast (candidates failing :func:`mammocalc.detect.plausible` never count); ``finding_threshold``
the finding score at which ``--n-threshold-sim`` further simulator images (the seeds after the
training ones, never trained on) have ``--finding-fp-per-image`` false findings per image; and
``finding_threshold_film`` the finding score at which the out-of-fold mini-MIAS findings of the
cross-validation have ``--film-finding-fp-per-image`` false marks per image.

Cross-validation: mini-MIAS patients (mdb(2k-1) and mdb(2k) together) in ``--folds`` folds; the
second stage and the cluster model are refitted without the test fold, then the test fold is
scored. Images with a NOTE 3 row are left out of localisation, mdb212 and mdb214 out of training
(their centres fall on background). The regressions are fitted here by Newton's method in numpy
(no extra dependency).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import pickle
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mammocalc._detect_score import (
    CALC_FEATURES,
    PREFILTER_FEATURES,
    LogisticModel,
    Prefilter,
)
from mammocalc._group_score import (
    CLUSTER_FEATURES,
    CLUSTER_LOG_FEATURES,
    DEFAULT_CLUSTER_MODEL,
    MACRO_FEATURES,
    MACRO_LOG_FEATURES,
)
from mammocalc.breast import segment
from mammocalc.detect import band_candidates, detect_candidates, plausible
from mammocalc.errors import MammocalcError
from mammocalc.evaluate.froc import froc
from mammocalc.evaluate.mini_mias import UNRELIABLE, load_mias_image, parse_info, patient_of
from mammocalc.group import group
from mammocalc.models import BreastMasks, Calcification, Finding, Mammogram
from mammocalc.settings import Settings

CALC_LOG_FEATURES = frozenset(
    {"snr", "snr_fine", "local_snr", "cnr", "diameter_mm", "scale_mm", "edge_width_px"}
    | {"spacing_mm"}
)
PREFILTER_LOG_FEATURES = frozenset({"snr", "snr_fine", "scale_mm"})
# signal-over-noise measures: their weights are kept >= 0 so that a clearer calcification never
# scores lower (fitted freely, collinear SNR and CNR took opposite signs)
EVIDENCE_FEATURES = frozenset({"snr", "snr_fine", "local_snr", "cnr"})
# which features are held non-negative in this run (--monotone-evidence sets EVIDENCE_FEATURES)
MONOTONE: list[frozenset[str]] = [frozenset()]
HIT_MIN_RADIUS_MM = 5.0
SIM_HIT_MM = 0.5
CLUSTER_ROW_OFFSETS = (0.0, 0.1, 0.2, 0.3)  # calcification thresholds below the operating point
WEAK_POSITIVE = 2  # label of a mini-MIAS candidate inside a truth cluster circle
WEAK_WEIGHT = 3.0  # its weight in the calcification model (film calcifications are few)
SIM_SPACINGS_MM = (0.05, 0.07, 0.1, 0.1, 0.2)  # 0.2 mm images are film


@dataclass
class Case:
    """One training image: its outlined candidates, and what is true on it."""

    name: str
    patient: int  # fold key; simulator images get negative numbers (always in training)
    mammogram: Mammogram
    masks: BreastMasks
    candidates: list[tuple[Calcification, dict[str, float]]]
    calc_labels: np.ndarray  # 1 true, 2 weak (in a mini-MIAS circle), 0 false, -1 unknown
    clusters: list[tuple[str, tuple[float, float], float]] = field(default_factory=list)
    marked: list[tuple[str, tuple[float, float], float]] = field(default_factory=list)  # any kind
    breast_cm2: float = 0.0
    localise: bool = True  # counted in the FROC


def sim_plan(n: int, seed: int) -> Iterator[tuple[int, Any]]:
    """Simulator images over spacings 0.07/0.1/0.2 (film) and every scene, densities at random."""
    from mammocalc.simulate.generate import simulate_image
    from mammocalc.simulate.scenes import SCENES

    scenes = sorted(SCENES)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        spacing = SIM_SPACINGS_MM[i % len(SIM_SPACINGS_MM)]
        yield (
            i,
            simulate_image(
                seed + i,
                spacing_mm=spacing,
                film=spacing == 0.2,
                density="abcd"[int(rng.integers(4))],
                scene=scenes[(i // len(SIM_SPACINGS_MM) + i) % len(scenes)],
                view=("CC", "MLO")[i % 2],
            ),
        )


def _segment(sim: Any, settings: Settings) -> BreastMasks | None:
    """Breast masks of a simulated image, or None (said) when the breast stage refuses it."""
    try:
        return segment(sim.mammogram, settings=settings)
    except MammocalcError as error:
        print(f"  {sim.mammogram.identifiers.source}: skipped ({error})", flush=True)
        return None


def _sim_labels(points_px: list[tuple[float, float]], sim: Any) -> np.ndarray:
    """1 for a point within max(0.5 mm, half the length) of a visible truth calcification."""
    return (_sim_match(points_px, sim) >= 0).astype(int)


def _sim_match(points_px: list[tuple[float, float]], sim: Any) -> np.ndarray:
    """Index of the visible truth calcification each point hits (nearest), else -1; shape (n,)."""
    spacing = sim.mammogram.spacing_mm
    visible = [t for t in sim.truth.calcifications if t.visible]
    match = np.full(len(points_px), -1)
    if not visible or not points_px:
        return match
    centres = np.array([t.centroid_px for t in visible])
    reach = np.array([max(SIM_HIT_MM, t.length_mm / 2) / spacing for t in visible])
    points = np.asarray(points_px, float)
    distance = np.hypot(*(points[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    hit = distance <= reach[None, :]
    nearest = np.argmin(np.where(hit, distance, np.inf), axis=1)
    return np.where(hit.any(axis=1), nearest, -1)


def train_prefilter(n: int, seed: int, recall: float, settings: Settings) -> Prefilter:
    """First stage from every band maximum of ``n`` simulator images (pass 1)."""
    rows: list[dict[str, float]] = []
    matches: list[np.ndarray] = []
    for i, sim in sim_plan(n, seed):
        masks = _segment(sim, settings)
        if masks is None:
            continue
        found = band_candidates(sim.mammogram, masks, settings=settings)
        rows += [f for _, f in found]
        # truth indices made unique across images
        match = _sim_match([p for p, _ in found], sim)
        matches.append(np.where(match >= 0, match + 100_000 * i, -1))
        print(f"  prefilter sim {i}: {len(found)} maxima, {(match >= 0).sum()} true", flush=True)
    match = np.concatenate(matches)
    y = (match >= 0).astype(int)
    model = fit_logistic(
        rows, y, PREFILTER_FEATURES, PREFILTER_LOG_FEATURES, c=1.0, non_negative=MONOTONE[0]
    )
    scores = np.array([model.score(r) for r in rows])
    # each truth calcification keeps its best candidate: threshold on the per-truth maxima
    best: dict[int, float] = {}
    for truth_id, score in zip(match[y == 1], scores[y == 1], strict=True):
        best[int(truth_id)] = max(best.get(int(truth_id), 0.0), float(score))
    threshold = float(np.quantile(np.array(list(best.values())), 1.0 - recall))
    kept = float((scores >= threshold).mean())
    print(f"prefilter: threshold {threshold:.4f} keeps {kept:.1%} of {y.size} maxima", flush=True)
    return Prefilter(model, threshold)


def sim_cases(n: int, seed: int, first: Prefilter, settings: Settings) -> list[Case]:
    """Outlined candidates of the simulator images with exact labels (pass 2)."""
    cases = []
    for i, sim in sim_plan(n, seed):
        spacing = sim.mammogram.spacing_mm
        masks = _segment(sim, settings)
        if masks is None:
            continue
        candidates = detect_candidates(sim.mammogram, masks, settings=settings, first_stage=first)
        labels = _sim_labels([c.centroid_px for c, _ in candidates], sim)
        marked = [
            (f.id, f.centroid_px, max(f.extent_mm / 2, HIT_MIN_RADIUS_MM) / spacing, f.kind.value)
            for f in sim.truth.findings
        ]
        clusters = [(name, at, r) for name, at, r, kind in marked if kind == "cluster"]
        breast_cm2 = float(masks.analysable.sum()) * spacing**2 / 100.0
        cases.append(
            Case(
                f"sim{i}",
                -1 - i,
                *_for_grouping(sim.mammogram, masks),
                candidates,
                labels,
                clusters,
                [(name, at, r) for name, at, r, _ in marked],
                breast_cm2,
            )
        )
        print(
            f"  sim {i}: {spacing} mm {sim.truth.scene}: {len(candidates)} candidates, "
            f"{labels.sum()} true",
            flush=True,
        )
    return cases


def mias_cases(directory: Path, first: Prefilter, settings: Settings) -> list[Case]:
    """Outlined candidates of every mini-MIAS image with negatives and truth clusters."""
    truth = parse_info(directory / "Info.txt")
    cases = []
    for path in sorted(directory.glob("mdb*.pgm")):
        ref = path.stem
        image = truth[ref]
        mammogram = load_mias_image(path)
        try:
            masks = segment(mammogram, settings=settings)
        except MammocalcError as error:
            print(f"{ref}: skipped ({error})")
            continue
        candidates = detect_candidates(mammogram, masks, settings=settings, first_stage=first)
        labels = np.full(len(candidates), 0 if "CALC" not in image.classes else -1)
        clusters = [(c.id, c.centre_px, c.radius_px) for c in image.clusters]
        if ref not in UNRELIABLE:
            for i, (calc, _) in enumerate(candidates):
                if any(_distance(calc.centroid_px, c) <= r for _, c, r in clusters):
                    labels[i] = WEAK_POSITIVE
        breast_cm2 = float(masks.analysable.sum()) * mammogram.spacing_mm**2 / 100.0
        cases.append(
            Case(
                ref,
                patient_of(ref),
                *_for_grouping(mammogram, masks),
                candidates,
                labels,
                clusters,
                clusters,
                breast_cm2,
                localise=not image.spread_calcifications,
            )
        )
    print(f"  mini-MIAS: {len(cases)} images", flush=True)
    return cases


def _for_grouping(mammogram: Mammogram, masks: BreastMasks) -> tuple[Mammogram, BreastMasks]:
    """What grouping needs of an image (its pixels, for macrocalcification bodies; one mask)."""
    breast = masks.breast
    return (
        mammogram,
        BreastMasks(
            breast, breast, breast, breast, masks.chest_wall, masks.nipple_px, masks.spacing_mm
        ),
    )


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def fit_logistic(
    rows: list[dict[str, float]],
    labels: np.ndarray,
    names: tuple[str, ...],
    log_features: frozenset[str],
    *,
    c: float = 0.3,
    sample_weight: np.ndarray | None = None,
    non_negative: frozenset[str] = frozenset(),
) -> LogisticModel:
    """Standardised L2 logistic regression, balanced classes, exported as a LogisticModel.

    Features in ``non_negative`` (measures of evidence: more signal over noise must never lower
    the score) keep weights >= 0: while one is fitted negative, the most negative is held at 0
    and the rest refitted (an active-set solution of the constrained fit).
    """
    blank = LogisticModel(
        names, np.zeros(len(names)), np.zeros(len(names)), np.ones(len(names)), 0.0, log_features
    )
    x = np.array([blank.vector(r) for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    free = np.ones(len(names), bool)
    constrained = np.array([n in non_negative for n in names])
    while True:
        fitted, bias = newton_logistic(
            ((x - mean) / scale)[:, free],
            np.asarray(labels, float),
            c=c,
            sample_weight=sample_weight,
        )
        weights = np.zeros(len(names))
        weights[free] = fitted
        wrong = np.flatnonzero(constrained & free & (weights < 0))
        if wrong.size == 0:
            return LogisticModel(names, weights, mean, scale, bias, log_features)
        free[wrong[np.argmin(weights[wrong])]] = False


def newton_logistic(
    x: np.ndarray,
    y: np.ndarray,
    *,
    c: float,
    sample_weight: np.ndarray | None = None,
    iterations: int = 50,
) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression with balanced class weights (as scikit-learn's ``C``).

    ``x`` shape (n, k) standardised, ``y`` shape (n,) in {0, 1}. Minimises
    ``sum_i w_i logloss_i + |beta|^2 / (2 c)`` (intercept not penalised), ``w_i = n / (2 n_class)``.
    ``sample_weight`` (shape (n,)) multiplies those class weights. Returns (weights (k,), bias).
    """
    n, k = x.shape
    positives = max(float(y.sum()), 1.0)
    sample_w = np.where(y > 0.5, n / (2.0 * positives), n / (2.0 * max(n - positives, 1.0)))
    if sample_weight is not None:
        sample_w = sample_w * sample_weight
    design = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(k + 1)
    penalty = np.full(k + 1, 1.0 / c)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (sample_w * (p - y)) + penalty * beta
        hessian = (design * (sample_w * p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[:k].copy(), float(beta[k])


def train_calc_model(cases: list[Case]) -> LogisticModel:
    """Second stage over the labelled outlined candidates of ``cases``."""
    rows, labels, weights = [], [], []
    for case in cases:
        for (_, features), label in zip(case.candidates, case.calc_labels, strict=True):
            if label >= 0:
                rows.append(features)
                labels.append(min(int(label), 1))
                weights.append(WEAK_WEIGHT if label == WEAK_POSITIVE else 1.0)
    return fit_logistic(
        rows,
        np.array(labels),
        CALC_FEATURES,
        CALC_LOG_FEATURES,
        sample_weight=np.array(weights),
        non_negative=MONOTONE[0],
    )


def calc_operating_point(cases: list[Case], model: LogisticModel, fp_per_cm2: float) -> float:
    """Lowest score threshold at which the simulator ``cases`` have <= ``fp_per_cm2`` false ones.

    Candidates failing :func:`mammocalc.detect.plausible` are never kept, so they do not count.
    """
    sims = [c for c in cases if c.patient < 0]
    negatives = np.array(
        [
            model.score(f)
            for case in sims
            for (calc, f), label in zip(case.candidates, case.calc_labels, strict=True)
            if label == 0 and plausible(calc, f)
        ]
    )
    area_cm2 = sum(c.breast_cm2 for c in sims)
    allowed = int(np.floor(fp_per_cm2 * area_cm2))
    if negatives.size <= allowed:
        return 0.05
    # just above the first negative that would exceed the allowance (detect keeps score >= t)
    return float(np.nextafter(np.sort(negatives)[::-1][allowed], np.inf))


def round_up(value: float) -> float:
    """``value`` rounded up to 2 decimals, so that rounding never admits more false marks."""
    return math.ceil(value * 100.0 - 1e-9) / 100.0


def finding_operating_point(
    sim: list[Case],
    calc_model: LogisticModel,
    cluster_model: LogisticModel,
    macro_model: LogisticModel | None,
    settings: Settings,
    fp_per_image: float,
) -> float:
    """Lowest finding score at which the simulator images have <= ``fp_per_image`` false findings.

    A false finding is a cluster mark that hits no truth cluster, or a macrocalcification or
    vascular finding on an image whose truth has no finding at all (a normal scene).
    """
    false = []
    for case in sim:
        normal = not case.clusters and not case.calc_labels.any()
        for finding in findings_of(case, calc_model, settings):
            wrong = is_cluster_mark(finding) and finding_hits(finding, case) is None
            if wrong or (normal and not is_cluster_mark(finding)):
                false.append(mark_score(finding, cluster_model, macro_model))
    return lowest_score_admitting(false, int(np.floor(fp_per_image * len(sim))))


def lowest_score_admitting(false_scores: list[float], allowed: int) -> float:
    """Lowest threshold at which at most ``allowed`` of the false marks' scores reach it."""
    if len(false_scores) <= allowed:
        return 0.0
    return float(np.nextafter(np.sort(false_scores)[::-1][allowed], 1.0))


def findings_of(case: Case, calc_model: LogisticModel, settings: Settings) -> list[Finding]:
    """Rescore the case's candidates with ``calc_model``, threshold, and group them."""
    kept = []
    for calc, features in case.candidates:
        score = calc_model.score(features)
        if score >= settings.detection_threshold and plausible(calc, features):
            kept.append(calc.model_copy(update={"score": score}))
    kept.sort(key=lambda c: -c.score)
    kept = [c.model_copy(update={"id": i}) for i, c in enumerate(kept, start=1)]
    # every finding: the marks are scored (and thresholded) by the caller's models, not the shipped
    every = settings.model_copy(update={"finding_threshold": 0.0, "finding_threshold_film": 0.0})
    return group(kept, case.mammogram, case.masks, settings=every)


def finding_hits(finding: Finding, case: Case, *, any_kind: bool = False) -> str | None:
    """The truth cluster ``finding`` hits (nearest within max(r, 5 mm)), or None.

    ``any_kind``: any marked truth finding (``case.marked``), not only clusters.
    """
    spacing = case.mammogram.spacing_mm
    reach = [
        (_distance(finding.centroid_px, centre), name)
        for name, centre, radius in (case.marked if any_kind else case.clusters)
        if _distance(finding.centroid_px, centre) <= max(radius, HIT_MIN_RADIUS_MM / spacing)
    ]
    return min(reach)[1] if reach else None


def is_cluster_mark(finding: Finding) -> bool:
    """Clusters and scattered groups: the findings the cluster model scores."""
    return finding.kind.value in ("cluster", "scattered")


def cluster_rows(
    cases: list[Case], calc_model: LogisticModel, settings: Settings, *, clusters: bool = True
) -> list[tuple[Case, Finding, str | None]]:
    """Every cluster mark of ``cases`` with the truth cluster it hits.

    ``clusters=False``: the other findings (macrocalcifications, vascular) with the marked truth
    finding of any kind they hit.

    The groups are formed at the operating point and at ``CLUSTER_ROW_OFFSETS`` below it (more,
    and fainter, groups of both kinds: at the operating point alone there are too few to learn
    from).
    """
    out = []
    for offset in CLUSTER_ROW_OFFSETS:
        threshold = max(settings.detection_threshold - offset, 0.0)
        at = settings.model_copy(update={"detection_threshold": threshold})
        for case in cases:
            for finding in findings_of(case, calc_model, at):
                if is_cluster_mark(finding) == clusters:
                    hit = finding_hits(finding, case, any_kind=not clusters)
                    out.append((case, finding, hit))
    return out


def train_cluster_model(rows: list[tuple[Case, Finding, str | None]]) -> LogisticModel:
    """Finding-level model: does a cluster mark hit a truth cluster."""
    features = [f.features for _, f, _ in rows]
    labels = np.array([hit is not None for _, _, hit in rows], int)
    print(f"  cluster model: {labels.sum()} true of {labels.size} groups", flush=True)
    if labels.min(initial=1) == labels.max(initial=0):
        return DEFAULT_CLUSTER_MODEL
    return fit_logistic(features, labels, CLUSTER_FEATURES, CLUSTER_LOG_FEATURES, c=0.1)


def train_macro_model(rows: list[tuple[Case, Finding, str | None]]) -> LogisticModel | None:
    """Finding-level model of the other kinds: does the finding hit a marked truth finding."""
    features = [f.features for _, f, _ in rows]
    labels = np.array([hit is not None for _, _, hit in rows], int)
    print(f"  macro model: {labels.sum()} true of {labels.size} findings", flush=True)
    if labels.min(initial=1) == labels.max(initial=0):
        return None
    return fit_logistic(features, labels, MACRO_FEATURES, MACRO_LOG_FEATURES, c=0.1)


def mark_score(
    finding: Finding, cluster_model: LogisticModel, macro_model: LogisticModel | None
) -> float:
    """The finding's detection score under the given models (as ``_group_score`` computes it)."""
    if is_cluster_mark(finding):
        return cluster_model.score(finding.features)
    if macro_model is None:
        return float(finding.features["score_mean"])
    return macro_model.score(finding.features)


def cross_validate(
    mias: list[Case],
    sim: list[Case],
    folds: int,
    settings: Settings,
    fp_per_cm2: float,
    film_fp_per_image: float,
) -> dict[str, Any]:
    """Patient-fold FROC on mini-MIAS, second stage, its threshold and cluster model refitted
    per fold (the threshold from that fold's model at ``fp_per_cm2`` on the simulator images),
    and the film finding threshold from the out-of-fold scores (:func:`film_operating_point`).

    Two mark sets: cluster marks only (clusters and scattered groups), and every finding
    (macrocalcifications and vascular findings too, as ``mammocalc evaluate mini-mias`` counts).
    """
    patients = sorted({c.patient for c in mias})
    fold_of = {p: i % folds for i, p in enumerate(patients)}
    clusters_only: dict[str, list[tuple[float, str | None]]] = {}
    every: dict[str, list[tuple[float, str | None]]] = {}
    for k in range(folds):
        train = [c for c in mias if fold_of[c.patient] != k and c.name not in UNRELIABLE]
        test = [c for c in mias if fold_of[c.patient] == k]
        calc_model = train_calc_model(train + sim)
        threshold = round_up(calc_operating_point(train + sim, calc_model, fp_per_cm2))
        fold_settings = settings.model_copy(update={"detection_threshold": threshold})
        cluster_model = train_cluster_model(cluster_rows(train + sim, calc_model, fold_settings))
        macro_model = train_macro_model(
            cluster_rows(train + sim, calc_model, fold_settings, clusters=False)
        )
        for case in test:
            findings = findings_of(case, calc_model, fold_settings)
            marks = [
                (mark_score(f, cluster_model, macro_model), finding_hits(f, case), f)
                for f in findings
            ]
            every[case.name] = [(s, h) for s, h, _ in marks]
            clusters_only[case.name] = [(s, h) for s, h, f in marks if is_cluster_mark(f)]
        print(f"  fold {k + 1}/{folds} done", flush=True)
    return {
        "film_finding_threshold": film_operating_point(mias, every, film_fp_per_image),
        "film_fp_per_image_target": film_fp_per_image,
        "cluster_marks": {
            "all": _froc(mias, clusters_only, exclude=frozenset()),
            "excluding_mdb212_mdb214": _froc(mias, clusters_only, exclude=UNRELIABLE),
        },
        "every_finding": {
            "all": _froc(mias, every, exclude=frozenset()),
            "excluding_mdb212_mdb214": _froc(mias, every, exclude=UNRELIABLE),
        },
    }


def film_operating_point(
    mias: list[Case], marks: dict[str, list[tuple[float, str | None]]], fp_per_image: float
) -> float:
    """Lowest finding score at which the out-of-fold mini-MIAS marks (every finding) have at most
    ``fp_per_image`` false marks per image (reliable images only).

    Film scores run lower than the simulator's: at the digital threshold no true mini-MIAS
    cluster is reported at all. Out-of-fold scores are what a new film image would get.
    """
    scored = [c for c in mias if c.localise and c.name not in UNRELIABLE]
    false = [s for c in scored for s, hit in marks[c.name] if hit is None]
    return lowest_score_admitting(false, int(np.floor(fp_per_image * len(scored))))


def _froc(
    cases: list[Case], marks: dict[str, list[tuple[float, str | None]]], exclude: frozenset[str]
) -> dict[str, Any]:
    scored = [c for c in cases if c.localise and c.name not in exclude]
    curve = froc([marks[c.name] for c in scored], sum(len(c.clusters) for c in scored))
    full = curve.to_dict()
    return {
        "sensitivity_at_fp": full["sensitivity_at_fp"],
        "n_images": len(scored),
        "n_truth_clusters": sum(len(c.clusters) for c in scored),
    }


def held_out_cases(args: argparse.Namespace, first: Prefilter, settings: Settings) -> list[Case]:
    """``--n-threshold-sim`` simulator images after the training seeds, named ``held{i}``.

    The finding threshold is chosen on them: on the training images the models' false findings
    are fewer than on any new image (the first threshold, chosen in-sample at 0.3 false findings
    per image, gave 0.7 per image on new normal scenes).
    """
    if args.n_threshold_sim <= 0:
        return []
    cases = sim_cases(args.n_threshold_sim, args.seed + args.n_sim, first, settings)
    return [replace(c, name=f"held{i}", patient=-(10**6) - i) for i, c in enumerate(cases)]


def sim_summary(sim: list[Case], calc_model: LogisticModel, threshold: float) -> dict[str, Any]:
    """In-sample calcification sensitivity and false positives per cm^2 on the simulator cases."""
    true_kept = true_all = false_kept = 0
    for case in sim:
        for (calc, f), label in zip(case.candidates, case.calc_labels, strict=True):
            kept = calc_model.score(f) >= threshold and plausible(calc, f)
            true_all += int(label == 1)
            true_kept += int(label == 1 and kept)
            false_kept += int(label == 0 and kept)
    area = sum(c.breast_cm2 for c in sim)
    return {
        "true_candidates_kept": true_kept / max(true_all, 1),
        "false_per_cm2": false_kept / max(area, 1e-9),
        "note": "in-sample, per outlined candidate (not per truth calcification)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mias", type=Path, required=True, help="mini-MIAS folder (Info.txt)")
    parser.add_argument("--n-sim", type=int, default=50, help="simulator images")
    parser.add_argument("--seed", type=int, default=1000, help="first simulator seed")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--prefilter-recall", type=float, default=0.99)
    parser.add_argument("--calc-fp-per-cm2", type=float, default=0.1)
    parser.add_argument("--finding-fp-per-image", type=float, default=0.3)
    parser.add_argument(
        "--film-finding-fp-per-image",
        type=float,
        default=1.0,
        help="false marks per mini-MIAS image (out of fold) that set finding_threshold_film",
    )
    parser.add_argument(
        "--n-threshold-sim",
        type=int,
        default=30,
        help="simulator images never trained on that choose finding_threshold (0: training ones)",
    )
    parser.add_argument("--cache", type=Path, default=None, help="pickle of pass 1 and 2 results")
    parser.add_argument(
        "--monotone-evidence",
        action="store_true",
        help="keep the SNR/CNR weights >= 0 (not shipped: more false clusters on the simulator)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the JSON models here")
    args = parser.parse_args()
    if args.monotone_evidence:
        MONOTONE[0] = EVIDENCE_FEATURES
    settings = Settings.model_validate({})
    started = time.time()
    cached = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.is_file() else ()
    if cached:
        first, mias, sim = cached[:3]
    else:
        first = train_prefilter(args.n_sim, args.seed, args.prefilter_recall, settings)
        sim = sim_cases(args.n_sim, args.seed, first, settings)
        mias = mias_cases(args.mias, first, settings)
    held_key = (args.seed + args.n_sim, args.n_threshold_sim)
    fresh = len(cached) > 4 and cached[4] == held_key
    held = cached[3] if fresh else held_out_cases(args, first, settings)
    if args.cache is not None and not fresh:
        args.cache.write_bytes(pickle.dumps((first, mias, sim, held, held_key)))
    if not held:
        print("finding_threshold is chosen on the training images (no held-out images)")
    print(f"candidates collected in {time.time() - started:.0f} s", flush=True)

    train = [c for c in mias if c.name not in UNRELIABLE] + sim
    calc_model = train_calc_model(train)
    threshold = calc_operating_point(train, calc_model, args.calc_fp_per_cm2)
    print(f"detection_threshold {threshold:.3f} (sim {sim_summary(sim, calc_model, threshold)})")
    operating = settings.model_copy(update={"detection_threshold": round_up(threshold)})
    report = cross_validate(
        mias, sim, args.folds, operating, args.calc_fp_per_cm2, args.film_finding_fp_per_image
    )
    print(json.dumps(report, indent=1), flush=True)
    cluster_model = train_cluster_model(cluster_rows(train, calc_model, operating))
    macro_model = train_macro_model(cluster_rows(train, calc_model, operating, clusters=False))
    finding_threshold = finding_operating_point(
        held or sim, calc_model, cluster_model, macro_model, operating, args.finding_fp_per_image
    )
    print(f"finding_threshold {finding_threshold:.3f}", flush=True)
    metadata = {
        "command": "python " + " ".join(sys.argv),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "data": {
            "mini_mias_images": len(mias),
            "mini_mias_training": "all but mdb212, mdb214",
            "simulator_images": len(sim),
            "simulator_seeds": [args.seed, args.seed + args.n_sim - 1],
            "simulator_spacings_mm": list(SIM_SPACINGS_MM),
            "threshold_simulator_images": len(held),
            "threshold_simulator_seeds": [
                args.seed + args.n_sim,
                args.seed + args.n_sim + args.n_threshold_sim - 1,
            ]
            if held
            else None,
        },
        "detection_threshold": round_up(threshold),
        "calc_fp_per_cm2_target": args.calc_fp_per_cm2,
        "finding_threshold": round_up(finding_threshold),
        "finding_threshold_film": round_up(report["film_finding_threshold"]),
        "finding_fp_per_image_target": args.finding_fp_per_image,
        "simulator_in_sample": sim_summary(sim, calc_model, round_up(threshold)),
        "cross_validation": {"folds": args.folds, "by": "patient", **report},
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        calc = {
            **calc_model.to_dict(),
            "prefilter": {**first.model.to_dict(), "threshold": first.threshold},
            "metadata": metadata,
        }
        (args.out / "detect_calc.json").write_text(json.dumps(calc, indent=1) + "\n")
        cluster = {**cluster_model.to_dict(), "metadata": metadata}
        (args.out / "detect_cluster.json").write_text(json.dumps(cluster, indent=1) + "\n")
        macro_path = args.out / "detect_macro.json"
        if macro_model is not None:
            macro = {**macro_model.to_dict(), "metadata": metadata}
            macro_path.write_text(json.dumps(macro, indent=1) + "\n")
        elif macro_path.exists():  # no model this time: member scores are used, not a stale file
            macro_path.unlink()
        written = ", ".join(p.name for p in sorted(args.out.glob("detect_*.json")))
        print(f"wrote {written} in {args.out}")
    print(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
