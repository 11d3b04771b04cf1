"""Measured evidence of one group of calcifications (private to ``group``).

Every number here is geometry or photometry of the members; none is a judgement. ``group`` and the
characterise stage read the resulting dict (keys listed in :data:`FEATURE_KEYS`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import ConvexHull, QhullError
from scipy.spatial.distance import pdist, squareform

from mammocalc._thresholds import ROD_MIN_ELONGATION, ROD_MIN_LENGTH_MM
from mammocalc.models import Calcification

#: A calcification scored at least this is conspicuous: on development simulator images, the
#: clusters that hit a truth cluster had a median of 80% such members (10th percentile 45%),
#: false clusters (tissue and noise specks near the threshold) 0% at the 90th percentile.
CONSPICUOUS_SCORE = 0.9


def is_rod(calc: Calcification) -> bool:
    """At least ``ROD_MIN_LENGTH_MM`` long and ``ROD_MIN_ELONGATION`` elongated: a rod (a large
    rod-like calcification when thick, a vessel segment when thin)."""
    return calc.shape.length_mm >= ROD_MIN_LENGTH_MM and calc.shape.elongation >= ROD_MIN_ELONGATION


FEATURE_KEYS = (
    "n",
    "extent_mm",
    "area_cm2",
    "density_per_cm2",
    "diameter_mean_mm",
    "diameter_max_mm",
    "diameter_cv",
    "size_ratio",
    "circularity_mean",
    "circularity_cv",
    "elongation_mean",
    "linearity",
    "alignment",
    "branching",
    "contrast_mean",
    "cnr_mean",
    "score_mean",
    "score_max",
    "score_top3",
    "score_share_conspicuous",
    "lucent_fraction",
    "distance_to_skin_mm",
    "distance_to_nipple_mm",
)

_BUFFER_MM = 0.5  # a cluster's area is the hull of its member centres grown by this margin


def centres_mm(members: list[Calcification]) -> np.ndarray:
    """Member centroids, shape (n, 2), (row, col) in mm."""
    return np.array([c.centroid_mm for c in members], float).reshape(-1, 2)


def equivalent_diameter_mm(pieces: Sequence[Calcification]) -> float:
    """Diameter (mm) of the circle whose area is the pieces' equivalent-circle areas summed."""
    return float(np.sqrt(sum(c.diameter_mm**2 for c in pieces)))


def extent_mm(members: list[Calcification]) -> float:
    """Greatest dimension: farthest member centres plus the mean member size (mm)."""
    if len(members) == 1:
        return float(max(members[0].shape.length_mm, members[0].diameter_mm))
    span = float(pdist(centres_mm(members)).max())
    return span + float(np.mean([c.diameter_mm for c in members]))


def area_cm2(points_mm: np.ndarray) -> float:
    """Area of the convex hull of ``points_mm`` (shape (n, 2)) grown by 0.5 mm, in cm^2."""
    hull_area, hull_perimeter = 0.0, 0.0
    if len(points_mm) >= 3:
        try:
            hull = ConvexHull(points_mm)
            hull_area, hull_perimeter = float(hull.volume), float(hull.area)
        except QhullError:
            hull_area = 0.0
    if hull_perimeter == 0.0 and len(points_mm) >= 2:
        hull_perimeter = 2.0 * float(pdist(points_mm).max())
    return (hull_area + hull_perimeter * _BUFFER_MM + np.pi * _BUFFER_MM**2) / 100.0


def principal_axis(points_mm: np.ndarray) -> tuple[float, np.ndarray]:
    """Linearity ``1 - lambda_2 / lambda_1`` of the centres (0 round, 1 a line) and unit axis."""
    if len(points_mm) < 2:
        return 0.0, np.array([1.0, 0.0])
    eigvals, eigvecs = np.linalg.eigh(np.cov(points_mm.T))
    if eigvals[1] <= 1e-12:
        return 0.0, np.array([1.0, 0.0])
    return float(1.0 - max(eigvals[0], 0.0) / eigvals[1]), eigvecs[:, 1]


def alignment(members: list[Calcification], axis: np.ndarray) -> float:
    """Length-weighted mean |cos| between member long axes and ``axis`` (1 = all along it)."""
    angles = np.radians([c.shape.orientation_deg for c in members])
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    weights = np.array([c.shape.length_mm * (1.0 - 1.0 / c.shape.elongation) for c in members])
    cosines = np.abs(directions @ axis)
    if weights.sum() <= 1e-9:
        return float(cosines.mean())
    return float(np.average(cosines, weights=weights))


def branching(points_mm: np.ndarray, link_mm: float) -> float:
    """Share of minimum-spanning-tree nodes with three or more short links (0 none, 1 all).

    Normalised by the most branch nodes a tree of n nodes can have, (n - 2) / 2.
    """
    n = len(points_mm)
    if n < 4:
        return 0.0
    tree = minimum_spanning_tree(squareform(pdist(points_mm))).toarray()
    edges = (tree > 0) & (tree <= link_mm)
    degree = edges.sum(axis=0) + edges.sum(axis=1)
    return float(min(1.0, (degree >= 3).sum() / ((n - 2) / 2.0)))


def _cv(values: np.ndarray) -> float:
    mean = float(values.mean())
    return float(values.std() / mean) if mean > 0 else 0.0


def group_features(
    members: list[Calcification],
    *,
    link_mm: float,
    distance_to_skin_mm: float,
    distance_to_nipple_mm: float,
) -> dict[str, float]:
    """The evidence dict of one group (keys :data:`FEATURE_KEYS`)."""
    points = centres_mm(members)
    diameters = np.array([c.diameter_mm for c in members])
    circularity = np.array([c.shape.circularity for c in members])
    linearity, axis = principal_axis(points)
    area = area_cm2(points)
    return {
        "n": float(len(members)),
        "extent_mm": extent_mm(members),
        "area_cm2": area,
        "density_per_cm2": len(members) / area,
        "diameter_mean_mm": float(diameters.mean()),
        "diameter_max_mm": float(diameters.max()),
        "diameter_cv": _cv(diameters),
        "size_ratio": float(diameters.max() / max(diameters.min(), 1e-6)),
        "circularity_mean": float(circularity.mean()),
        "circularity_cv": _cv(circularity),
        "elongation_mean": float(np.mean([c.shape.elongation for c in members])),
        "linearity": linearity,
        "alignment": alignment(members, axis),
        "branching": branching(points, link_mm),
        "contrast_mean": float(np.mean([c.contrast for c in members])),
        "cnr_mean": float(np.mean([c.cnr for c in members])),
        "score_mean": float(np.mean([c.score for c in members])),
        "score_max": float(np.max([c.score for c in members])),
        "score_top3": float(np.mean(sorted(c.score for c in members)[-3:])),
        "score_share_conspicuous": float(np.mean([c.score >= CONSPICUOUS_SCORE for c in members])),
        "lucent_fraction": float(np.mean([c.lucent_centre for c in members])),
        "distance_to_skin_mm": distance_to_skin_mm,
        "distance_to_nipple_mm": distance_to_nipple_mm,
    }
