"""Named scenes: which findings a simulated breast holds, with their intended BI-RADS assessment.

A scene draws a list of :class:`Recipe` (morphology, distribution, count, category); ``plan``
turns recipes into calcifications placed in the breast. Positions are view-independent: a
finding's anchor is (fraction of the nipple-to-chest-wall depth, position across the breast on CC,
on MLO), and its members are offsets in mm (posterior, lateral, superior) around the anchor, so a
finding appears on both views of its breast at the same distance from the nipple.

Intended categories follow the reference (section 5 PPVs, BI-RADS 5th ed. ranges of section 2):
fine-linear branching 70-86% (4C; 5 in a linear or segmental distribution), fine pleomorphic
29-53% (4B; 4C linear or segmental), coarse heterogeneous 13-20% (4B), amorphous 5-15% (4A
grouped or regional, 4B linear or segmental, 2 diffuse), a single group of round or punctate
calcifications 3 (section 2), punctate in a linear or segmental distribution 4A; every typically
benign morphology, and round or punctate scattered (regional, diffuse), 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mammocalc.vocabulary import Category, Distribution, FindingKind, Morphology

M = Morphology
D = Distribution


@dataclass(frozen=True)
class Recipe:
    """One finding to place: what it is, how many members, how spread, its intended category."""

    morphology: Morphology
    distribution: Distribution | None
    count: int
    kind: FindingKind
    category: Category
    bilateral: bool = False


@dataclass(frozen=True)
class Scene:
    """A named scene: its defining morphology/distribution (for sweeps) and its recipe drawer."""

    name: str
    description: str
    draw: Callable[[np.random.Generator], list[Recipe]]
    morphology: Morphology | None = None
    distribution: Distribution | None = None


def intended_category(morphology: Morphology, distribution: Distribution | None) -> Category:
    """The category a radiologist would give this morphology in this distribution (see module)."""
    ductal = distribution in (D.LINEAR, D.SEGMENTAL)
    if morphology == M.FINE_LINEAR_BRANCHING:
        return Category.HIGHLY_SUGGESTIVE if ductal else Category.SUSPICIOUS_HIGH
    if morphology == M.FINE_PLEOMORPHIC:
        return Category.SUSPICIOUS_HIGH if ductal else Category.SUSPICIOUS_MODERATE
    if morphology == M.COARSE_HETEROGENEOUS:
        return (
            Category.SUSPICIOUS_LOW if distribution == D.DIFFUSE else Category.SUSPICIOUS_MODERATE
        )
    if morphology == M.AMORPHOUS:
        if distribution == D.DIFFUSE:
            return Category.BENIGN
        return Category.SUSPICIOUS_MODERATE if ductal else Category.SUSPICIOUS_LOW
    if morphology in (M.ROUND, M.PUNCTATE):
        if ductal:
            return Category.SUSPICIOUS_LOW
        return Category.PROBABLY_BENIGN if distribution == D.GROUPED else Category.BENIGN
    return Category.BENIGN


_KIND = {
    M.COARSE: FindingKind.MACROCALCIFICATION,
    M.RIM: FindingKind.MACROCALCIFICATION,
    M.DYSTROPHIC: FindingKind.MACROCALCIFICATION,
    M.SUTURE: FindingKind.MACROCALCIFICATION,
    M.VASCULAR: FindingKind.VASCULAR,
}


def recipe(
    morphology: Morphology,
    distribution: Distribution | None,
    count: int,
    *,
    bilateral: bool = False,
) -> Recipe:
    """A recipe with the kind and category that follow from morphology and distribution."""
    kind = _KIND.get(morphology)
    if kind is None:
        scattered = distribution in (D.REGIONAL, D.DIFFUSE)
        kind = FindingKind.SCATTERED if scattered else FindingKind.CLUSTER
    return Recipe(
        morphology,
        distribution,
        count,
        kind,
        intended_category(morphology, distribution),
        bilateral,
    )


# Members per distribution: grouped >= 5 within 1 cm (reference section 4); clusters of 10-50
# in the FDA cluster simulations (section 7).
_COUNTS = {
    D.GROUPED: (5, 16),
    D.LINEAR: (6, 16),
    D.SEGMENTAL: (15, 40),
    D.REGIONAL: (15, 35),
    D.DIFFUSE: (25, 60),
}


def _n(rng: np.random.Generator, distribution: Distribution) -> int:
    low, high = _COUNTS[distribution]
    return int(rng.integers(low, high + 1))


def _suspicious_cluster(rng: np.random.Generator) -> list[Recipe]:
    morphology = M.FINE_PLEOMORPHIC if rng.random() < 0.6 else M.FINE_LINEAR_BRANCHING
    return [recipe(morphology, D.GROUPED, int(rng.integers(8, 21)))]


def _single(
    morphology: Morphology, distribution: Distribution | None, low: int, high: int
) -> Callable[[np.random.Generator], list[Recipe]]:
    def draw(rng: np.random.Generator) -> list[Recipe]:
        return [
            recipe(
                morphology,
                distribution,
                int(rng.integers(low, high + 1)),
                bilateral=distribution == D.DIFFUSE,
            )
        ]

    return draw


# Each morphology in its typical presentation (for per-class sweeps).
_TYPICAL: dict[Morphology, tuple[Distribution | None, int, int]] = {
    M.PUNCTATE: (D.GROUPED, 5, 12),
    M.ROUND: (D.GROUPED, 5, 10),
    M.AMORPHOUS: (D.GROUPED, 8, 20),
    M.COARSE_HETEROGENEOUS: (D.GROUPED, 6, 14),
    M.FINE_PLEOMORPHIC: (D.GROUPED, 8, 20),
    M.FINE_LINEAR_BRANCHING: (D.LINEAR, 6, 14),
    M.COARSE: (None, 1, 1),
    M.LARGE_ROD_LIKE: (D.REGIONAL, 3, 8),
    M.RIM: (None, 1, 1),
    M.SKIN: (D.GROUPED, 4, 10),
    M.DYSTROPHIC: (None, 1, 1),
    M.MILK_OF_CALCIUM: (D.GROUPED, 4, 10),
    M.SUTURE: (None, 1, 1),
    M.VASCULAR: (None, 1, 1),
}

# Morphologies that present in each distribution (for per-distribution sweeps).
_BY_DISTRIBUTION = {
    D.GROUPED: [
        M.PUNCTATE,
        M.ROUND,
        M.AMORPHOUS,
        M.COARSE_HETEROGENEOUS,
        M.FINE_PLEOMORPHIC,
        M.FINE_LINEAR_BRANCHING,
    ],
    D.LINEAR: [M.FINE_LINEAR_BRANCHING, M.FINE_PLEOMORPHIC, M.AMORPHOUS, M.PUNCTATE],
    D.SEGMENTAL: [M.FINE_LINEAR_BRANCHING, M.FINE_PLEOMORPHIC, M.AMORPHOUS],
    D.REGIONAL: [M.PUNCTATE, M.ROUND, M.AMORPHOUS, M.COARSE_HETEROGENEOUS],
    D.DIFFUSE: [M.PUNCTATE, M.ROUND, M.AMORPHOUS],
}


def _by_distribution(distribution: Distribution) -> Callable[[np.random.Generator], list[Recipe]]:
    def draw(rng: np.random.Generator) -> list[Recipe]:
        morphology = _BY_DISTRIBUTION[distribution][
            int(rng.integers(len(_BY_DISTRIBUTION[distribution])))
        ]
        return [
            recipe(
                morphology, distribution, _n(rng, distribution), bilateral=distribution == D.DIFFUSE
            )
        ]

    return draw


def _random(rng: np.random.Generator) -> list[Recipe]:
    """A screening-like mix: often nothing, sometimes benign findings or a suspicious one."""
    recipes: list[Recipe] = []
    if rng.random() < 0.35:
        recipes.append(recipe(M.VASCULAR, None, 1))
    if rng.random() < 0.3:
        benign = [M.COARSE, M.RIM, M.DYSTROPHIC, M.LARGE_ROD_LIKE, M.SKIN, M.MILK_OF_CALCIUM]
        morphology = benign[int(rng.integers(len(benign)))]
        dist, low, high = _TYPICAL[morphology]
        recipes.append(recipe(morphology, dist, int(rng.integers(low, high + 1))))
    if rng.random() < 0.3:
        recipes += _by_distribution(D.GROUPED)(rng)
    if rng.random() < 0.15:
        other = [D.LINEAR, D.SEGMENTAL, D.REGIONAL, D.DIFFUSE][int(rng.integers(4))]
        recipes += _by_distribution(other)(rng)
    return recipes


def _slug(morphology: Morphology) -> str:
    names = {
        M.COARSE: "coarse-popcorn",
        M.FINE_LINEAR_BRANCHING: "fine-linear-branching",
    }
    return names.get(morphology, morphology.value.replace(" ", "-"))


def _build_scenes() -> dict[str, Scene]:
    scenes = {
        "normal": Scene("normal", "no calcifications", lambda rng: []),
        "suspicious-cluster": Scene(
            "suspicious-cluster",
            "a grouped cluster of fine pleomorphic or fine-linear branching calcifications (4B/4C)",
            _suspicious_cluster,
            distribution=D.GROUPED,
        ),
        "benign-macro": Scene(
            "benign-macro",
            "one coarse or popcorn-like macrocalcification (2)",
            _single(M.COARSE, None, 1, 1),
            morphology=M.COARSE,
        ),
        "probably-benign-group": Scene(
            "probably-benign-group",
            "a single group of round or punctate calcifications (3)",
            lambda rng: [
                recipe(
                    M.ROUND if rng.random() < 0.5 else M.PUNCTATE,
                    D.GROUPED,
                    int(rng.integers(5, 13)),
                )
            ],
            distribution=D.GROUPED,
        ),
        "vascular": Scene(
            "vascular",
            "vascular calcifications along an artery (2)",
            _single(M.VASCULAR, None, 1, 1),
            morphology=M.VASCULAR,
        ),
    }
    for morphology, (distribution, low, high) in _TYPICAL.items():
        name = _slug(morphology)
        if name not in scenes:
            scenes[name] = Scene(
                name,
                f"{morphology.value} calcifications ({distribution or 'single'})",
                _single(morphology, distribution, low, high),
                morphology=morphology,
            )
    for distribution in Distribution:
        scenes[distribution.value] = Scene(
            distribution.value,
            f"calcifications in a {distribution.value} distribution",
            _by_distribution(distribution),
            distribution=distribution,
        )
    scenes["random"] = Scene("random", "a screening-like random mix of findings", _random)
    return scenes


SCENES: dict[str, Scene] = _build_scenes()


@dataclass(frozen=True)
class CalcPlan:
    """One calcification in breast coordinates (view independent).

    ``anchor`` is (depth fraction from the nipple 0-1, position across on CC -1..1, on MLO -1..1);
    ``offset_mm`` is (posterior, lateral, superior) in mm from the anchor; ``direction`` a unit
    vector in the same axes (local duct or vessel direction).
    """

    id: int
    morphology: Morphology
    anchor: tuple[float, float, float]
    offset_mm: tuple[float, float, float]
    direction: tuple[float, float, float]
    seed: int
    finding_id: str


@dataclass(frozen=True)
class FindingPlan:
    """A finding as planned: its recipe and member ids."""

    id: str
    recipe: Recipe
    calcification_ids: list[int] = field(default_factory=list)


def draw_anchor(rng: np.random.Generator, margin: float = 0.2) -> tuple[float, float, float]:
    """A position in the breast: depth fraction, across-position on CC and on MLO (correlated)."""
    depth = rng.uniform(margin, 0.85)
    across_cc = rng.uniform(-0.8, 0.8)
    across_mlo = float(np.clip(0.6 * across_cc + 0.5 * rng.uniform(-0.8, 0.8), -0.85, 0.85))
    return float(depth), float(across_cc), across_mlo


def _unit(v: np.ndarray) -> tuple[float, float, float]:
    v = v / (np.linalg.norm(v) + 1e-12)
    return float(v[0]), float(v[1]), float(v[2])


def member_offsets(
    distribution: Distribution | None, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Member offsets (count, 3) mm and directions (count, 3) for a distribution.

    Axes are (posterior, lateral, superior). Grouped: within a ball of 3-7 mm radius (<= 2 cm
    across). Linear: along a gently curving line 8-25 mm. Segmental: along a branching duct tree
    fanning away from the nipple over 25-50 mm (a wedge pointing at the nipple). Regional: in a
    25-45 mm ellipsoid. Diffuse members are anchored separately (zero offsets here).
    """
    duct = _unit(np.array([1.0, rng.normal(0, 0.3), rng.normal(0, 0.3)]))
    directions = np.tile(duct, (count, 1))
    if distribution is None or distribution == D.DIFFUSE or count == 1:
        return np.zeros((count, 3)), directions
    if distribution == D.GROUPED:
        radius = rng.uniform(3.0, 7.0)
        points = rng.normal(0.0, 1.0, (count, 3))
        points *= (rng.uniform(0, 1, count) ** (1 / 3) / np.linalg.norm(points, axis=1))[:, None]
        return points * radius, directions
    if distribution == D.REGIONAL:
        size = rng.uniform(12.0, 22.0, 3)
        points = rng.uniform(-1.0, 1.0, (count, 3)) * size
        return points, directions
    if distribution == D.LINEAR:
        length = rng.uniform(8.0, 25.0)
        return _along_path(np.zeros(3), np.array(duct), length, count, rng)
    return _segmental(np.array(duct), count, rng)


def _along_path(
    start: np.ndarray, direction: np.ndarray, length: float, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    t = np.sort(rng.uniform(0.0, length, count)) - length / 2
    bend = rng.normal(0.0, 0.02, 3)
    points = (
        start + t[:, None] * direction + (t**2)[:, None] * bend + rng.normal(0, 0.3, (count, 3))
    )
    tangent = direction + 2 * t[:, None] * bend
    return points, tangent / np.linalg.norm(tangent, axis=1, keepdims=True)


def _segmental(
    duct: np.ndarray, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points along 3-5 branches diverging posteriorly from an apex (the end nearest the nipple)."""
    length = rng.uniform(25.0, 50.0)
    apex = -0.5 * length * duct
    points, directions = [], []
    for members in np.array_split(np.arange(count), int(rng.integers(3, 6))):
        branch = duct + rng.normal(0.0, 0.35, 3) * np.array([0.0, 1.0, 1.0])
        branch /= np.linalg.norm(branch)
        branch_mm = length * rng.uniform(0.6, 1.0)
        p, d = _along_path(apex + 0.5 * branch_mm * branch, branch, branch_mm, len(members), rng)
        points.append(p)
        directions.append(d)
    return np.vstack(points), np.vstack(directions)


def plan_findings(
    recipes: list[Recipe], rng: np.random.Generator, prefix: str = "F"
) -> tuple[list[FindingPlan], list[CalcPlan]]:
    """Place the members of each recipe; ids are 1.. in order, finding ids ``{prefix}1..``."""
    findings: list[FindingPlan] = []
    calcs: list[CalcPlan] = []
    for index, item in enumerate(recipes, start=1):
        finding_id = f"{prefix}{index}"
        offsets, directions = member_offsets(item.distribution, item.count, rng)
        anchor = draw_anchor(rng, margin=0.25 if item.distribution == D.SEGMENTAL else 0.15)
        if item.morphology == M.SKIN:  # in the skin: at the edge of the projected breast
            side = 1.0 if rng.random() < 0.5 else -1.0
            anchor = (anchor[0], 0.97 * side, 0.97 * side)
        ids = []
        for offset, direction in zip(offsets, directions, strict=True):
            member_anchor = draw_anchor(rng, 0.1) if item.distribution == D.DIFFUSE else anchor
            calc_id = len(calcs) + 1
            calcs.append(
                CalcPlan(
                    id=calc_id,
                    morphology=item.morphology,
                    anchor=member_anchor,
                    offset_mm=(float(offset[0]), float(offset[1]), float(offset[2])),
                    direction=_unit(direction),
                    seed=int(rng.integers(2**31)),
                    finding_id=finding_id,
                )
            )
            ids.append(calc_id)
        findings.append(FindingPlan(finding_id, item, ids))
    return findings, calcs
