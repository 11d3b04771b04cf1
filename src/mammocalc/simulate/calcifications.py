"""Calcification shapes per BI-RADS morphology, as projected calcium thickness (mm).

Each shape is a union of small primitives (projected ellipsoids, tubes, shells, angular plates,
haze, a sedimented crescent) whose thickness along the beam is evaluated on a local grid in mm
relative to the calcification's centre, with rows (dy) and columns (dx). Sizes follow the
reference (``../shared/reference/calcifications.md`` section 3):

=====================  ==============================================================
punctate               round, < 0.5 mm
round                  round, 0.5-1 mm
amorphous              tiny and hazy, 0.08-0.2 mm, faint
coarse heterogeneous   irregular, conspicuous, 0.5-1 mm
fine pleomorphic       varying size and shape, < 0.5 mm, angular
fine linear branching  thin (< 0.5 mm wide), linear, may branch, along the duct
coarse / popcorn       > 2-3 mm clump of dense lumps
large rod-like         0.5-1.5 mm wide, 3-12 mm long, along the duct, may be lucent-centred
rim                    thin shell (0.05-0.15 mm) around a lucent centre, 1.5-10 mm
skin                   small (0.5-2 mm) lucent-centred ring
dystrophic             coarse, irregular, > 1 mm, plate-like with lucent gaps
milk of calcium        smudgy disc on CC, crescent / teacup on MLO
vascular               two parallel broken tracks along a vessel
suture                 a knotted loop of thin tube
=====================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from skimage.measure import points_in_poly

from mammocalc.vocabulary import Morphology, View


class Primitive(Protocol):
    """A shape part: projected calcium thickness (mm) on a grid of offsets (mm)."""

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray: ...

    def reach_mm(self) -> float: ...


@dataclass(frozen=True)
class Blob:
    """A projected ellipsoid: semi-axes ``along`` x ``across`` (mm), ``depth_mm`` at its centre."""

    centre: tuple[float, float]
    along: float
    across: float
    depth_mm: float
    angle: float

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        u, v = _rotate(dy - self.centre[0], dx - self.centre[1], self.angle)
        q = (u / self.along) ** 2 + (v / self.across) ** 2
        return self.depth_mm * np.sqrt(np.clip(1.0 - q, 0.0, None))

    def reach_mm(self) -> float:
        return float(np.hypot(*self.centre) + max(self.along, self.across))


@dataclass(frozen=True)
class Shell:
    """A hollow ellipsoid (rim, eggshell, skin): outer semi-axes and wall thickness (mm).

    ``sweep`` (rad) below 2 pi keeps only the part of the shell within ``sweep / 2`` of the
    ``angle`` direction (as seen from the centre): an arc, a broken piece of shell.
    """

    centre: tuple[float, float]
    along: float
    across: float
    wall_mm: float
    angle: float
    sweep: float = 2 * np.pi

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        outer = Blob(
            self.centre, self.along, self.across, 2 * min(self.along, self.across), self.angle
        )
        inner_a, inner_b = self.along - self.wall_mm, self.across - self.wall_mm
        inner = Blob(self.centre, inner_a, inner_b, 2 * min(inner_a, inner_b), self.angle)
        shell = outer.thickness(dy, dx) - inner.thickness(dy, dx)
        if self.sweep >= 2 * np.pi:
            return shell
        u, v = _rotate(dy - self.centre[0], dx - self.centre[1], self.angle)
        return np.where(np.abs(np.arctan2(v, u)) <= self.sweep / 2, shell, 0.0)

    def reach_mm(self) -> float:
        return float(np.hypot(*self.centre) + max(self.along, self.across))


@dataclass(frozen=True)
class Tube:
    """A solid (or hollow, ``lumen`` > 0) cylinder from ``start`` to ``end`` (mm) of ``radius``."""

    start: tuple[float, float]
    end: tuple[float, float]
    radius: float
    lumen: float = 0.0

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        p0, p1 = np.array(self.start), np.array(self.end)
        seg = p1 - p0
        length2 = float(seg @ seg) or 1e-12
        t = np.clip(((dy - p0[0]) * seg[0] + (dx - p0[1]) * seg[1]) / length2, 0.0, 1.0)
        d2 = (dy - p0[0] - t * seg[0]) ** 2 + (dx - p0[1] - t * seg[1]) ** 2
        chord = 2.0 * np.sqrt(np.clip(self.radius**2 - d2, 0.0, None))
        if self.lumen > 0:
            chord -= 2.0 * np.sqrt(np.clip(self.lumen**2 - d2, 0.0, None))
        return chord

    def reach_mm(self) -> float:
        return float(max(np.hypot(*self.start), np.hypot(*self.end)) + self.radius)


@dataclass(frozen=True)
class Plate:
    """An angular fragment: a polygon (vertices (n, 2) mm as dy, dx) of uniform thickness."""

    vertices: tuple[tuple[float, float], ...]
    depth_mm: float

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        dy, dx = np.broadcast_arrays(dy, dx)
        points = np.column_stack([dy.ravel(), dx.ravel()])
        inside = points_in_poly(points, np.array(self.vertices)).reshape(dy.shape)
        return self.depth_mm * inside

    def reach_mm(self) -> float:
        return float(np.max(np.hypot(*np.array(self.vertices).T)))


@dataclass(frozen=True)
class Haze:
    """A faint Gaussian smudge of calcium: ``sigma_mm`` and ``depth_mm`` at the centre."""

    centre: tuple[float, float]
    sigma_mm: float
    depth_mm: float

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        r2 = (dy - self.centre[0]) ** 2 + (dx - self.centre[1]) ** 2
        out = self.depth_mm * np.exp(-0.5 * r2 / self.sigma_mm**2)
        return np.where(r2 < 9 * self.sigma_mm**2, out, 0.0)

    def reach_mm(self) -> float:
        return float(np.hypot(*self.centre) + 3 * self.sigma_mm)


@dataclass(frozen=True)
class Crescent:
    """Sediment in a cyst seen from the side: a sphere's lower cap below ``level`` x radius.

    ``density`` is the calcium fraction of the sediment (milk of calcium is a suspension).
    """

    centre: tuple[float, float]
    radius: float
    level: float
    density: float = 0.25

    def thickness(self, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
        y, x = dy - self.centre[0], dx - self.centre[1]
        chord = 2.0 * np.sqrt(np.clip(self.radius**2 - x**2 - y**2, 0.0, None))
        return np.where(y > self.level * self.radius, self.density * chord, 0.0)

    def reach_mm(self) -> float:
        return float(np.hypot(*self.centre) + self.radius)


Shape = tuple[Primitive, ...]


def thickness_mm(shape: Shape, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Calcium path length (mm) of a shape: the union (maximum) of its primitives."""
    out = np.zeros(np.broadcast(dy, dx).shape)
    for part in shape:
        out = np.maximum(out, part.thickness(dy, dx))
    return out


def reach_mm(shape: Shape) -> float:
    """Radius (mm) around the centre that contains the whole shape."""
    return max(part.reach_mm() for part in shape)


def _xy(point: np.ndarray | tuple[float, ...]) -> tuple[float, float]:
    return float(point[0]), float(point[1])


def _vertices(polygon: np.ndarray) -> tuple[tuple[float, float], ...]:
    return tuple(_xy(v) for v in polygon)


def _rotate(dy: np.ndarray, dx: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    c, s = np.cos(angle), np.sin(angle)
    return dy * c + dx * s, -dy * s + dx * c


def _polygon(rng: np.random.Generator, radius: float, n: int, jag: float) -> np.ndarray:
    """A random star-shaped polygon of mean ``radius`` with ``n`` vertices (angular fragments)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = radius * rng.uniform(1.0 - jag, 1.0 + jag, n)
    return np.column_stack([radii * np.sin(angles), radii * np.cos(angles)])


def draw_shape(morphology: Morphology, rng: np.random.Generator, angle: float, view: View) -> Shape:
    """Draw one calcification of ``morphology``; ``angle`` (rad) is the local duct direction."""
    return _DRAWERS[morphology](rng, angle, view)


def _punctate(rng: np.random.Generator, angle: float, view: View) -> Shape:
    d = rng.uniform(0.15, 0.45)
    e = rng.uniform(1.0, 1.3)
    return (Blob((0.0, 0.0), d / 2 * e**0.5, d / 2 / e**0.5, d, rng.uniform(0, np.pi)),)


def _round(rng: np.random.Generator, angle: float, view: View) -> Shape:
    d = rng.uniform(0.5, 1.0)
    e = rng.uniform(1.0, 1.2)
    return (Blob((0.0, 0.0), d / 2 * e**0.5, d / 2 / e**0.5, d, rng.uniform(0, np.pi)),)


def _amorphous(rng: np.random.Generator, angle: float, view: View) -> Shape:
    d = rng.uniform(0.08, 0.2)
    return (Haze((0.0, 0.0), d / 4.3, rng.uniform(0.3, 0.6) * d),)


def _coarse_heterogeneous(rng: np.random.Generator, angle: float, view: View) -> Shape:
    size = rng.uniform(0.5, 1.0)
    parts: list[Primitive] = []
    for _ in range(rng.integers(3, 7)):
        centre = _xy(rng.uniform(-0.3, 0.3, 2) * size)
        r = rng.uniform(0.15, 0.3) * size
        parts.append(
            Blob(
                centre,
                r * rng.uniform(1, 1.6),
                r,
                rng.uniform(0.5, 1.0) * size,
                rng.uniform(0, np.pi),
            )
        )
    return tuple(parts)


def _fine_pleomorphic(rng: np.random.Generator, angle: float, view: View) -> Shape:
    size = rng.uniform(0.12, 0.48)
    kind = rng.integers(3)
    depth = rng.uniform(0.5, 0.9) * size
    if kind == 0:  # angular fragment
        return (Plate(_vertices(_polygon(rng, size / 2, int(rng.integers(4, 7)), 0.45)), depth),)
    if kind == 1:  # elongated, irregular
        e = rng.uniform(1.6, 3.0)
        return (Blob((0.0, 0.0), size / 2, size / 2 / e, depth, angle + rng.normal(0, 0.4)),)
    offset = size / 4 * np.array([np.sin(angle), np.cos(angle)])
    return (
        Blob(_xy(offset), size / 3, size / 4, depth, rng.uniform(0, np.pi)),
        Blob(_xy(-offset), size / 4, size / 5, depth * 0.8, rng.uniform(0, np.pi)),
    )


def _fine_linear_branching(rng: np.random.Generator, angle: float, view: View) -> Shape:
    width = rng.uniform(0.1, 0.35)
    length = rng.uniform(0.6, 3.0)
    parts: list[Primitive] = []
    point = -0.5 * length * np.array([np.sin(angle), np.cos(angle)])
    pieces = int(rng.integers(2, 5))
    ends: list[tuple[float, float]] = []
    for _ in range(pieces):
        heading = angle + rng.normal(0, 0.15)
        nxt = point + length / pieces * np.array([np.sin(heading), np.cos(heading)])
        parts.append(Tube(_xy(point), _xy(nxt), width / 2 * rng.uniform(0.8, 1.2)))
        ends.append(_xy(nxt))
        point = nxt
    if rng.random() < 0.45:  # a branch, as in a casting of a branching duct
        start = np.array(ends[int(rng.integers(len(ends)))])
        heading = angle + rng.choice([-1, 1]) * rng.uniform(0.4, 0.8)
        end = start + rng.uniform(0.3, 0.5) * length * np.array([np.sin(heading), np.cos(heading)])
        parts.append(Tube(_xy(start), _xy(end), width / 2 * 0.8))
    return tuple(parts)


def _coarse_popcorn(rng: np.random.Generator, angle: float, view: View) -> Shape:
    size = rng.uniform(3.0, 10.0)
    parts: list[Primitive] = []
    for _ in range(rng.integers(6, 16)):
        centre = _xy(rng.normal(0.0, 0.22, 2) * size)
        r = rng.uniform(0.08, 0.22) * size
        parts.append(
            Blob(
                centre,
                r * rng.uniform(1, 1.5),
                r,
                2 * r * rng.uniform(0.25, 0.5),  # coarse calcium in a fibroadenoma, not solid
                rng.uniform(0, np.pi),
            )
        )
    return tuple(parts)


def _large_rod_like(rng: np.random.Generator, angle: float, view: View) -> Shape:
    width = rng.uniform(0.5, 1.5)
    length = rng.uniform(3.0, 12.0)
    half = 0.5 * length * np.array([np.sin(angle), np.cos(angle)])
    lumen = width / 2 * rng.uniform(0.4, 0.7) if rng.random() < 0.3 else 0.0
    return (Tube(_xy(-half), _xy(half), width / 2, lumen),)


def _rim(rng: np.random.Generator, angle: float, view: View) -> Shape:
    d = rng.uniform(1.5, 10.0)
    e = rng.uniform(1.0, 1.25)
    wall = rng.uniform(0.05, 0.15)
    return (Shell((0.0, 0.0), d / 2 * e**0.5, d / 2 / e**0.5, wall, rng.uniform(0, np.pi)),)


def _skin(rng: np.random.Generator, angle: float, view: View) -> Shape:
    d = rng.uniform(0.5, 2.0)
    wall = rng.uniform(0.12, 0.25) * d
    return (Shell((0.0, 0.0), d / 2, d / 2 * rng.uniform(0.8, 1.0), wall, rng.uniform(0, np.pi)),)


def _dystrophic(rng: np.random.Generator, angle: float, view: View) -> Shape:
    size = rng.uniform(1.5, 6.0)
    parts: list[Primitive] = []
    for _ in range(rng.integers(2, 5)):
        poly = _polygon(rng, size * rng.uniform(0.15, 0.3), int(rng.integers(5, 9)), 0.5)
        poly += rng.uniform(-0.25, 0.25, 2) * size
        parts.append(Plate(_vertices(poly), rng.uniform(0.2, 0.8)))
    # a broken piece of shell, not a whole one: a closed eggshell is a rim calcification
    sweep = rng.uniform(0.5, 1.2) * np.pi
    arc = Shell((0.0, 0.0), size / 2, size / 2 * 0.8, rng.uniform(0.15, 0.35), angle, sweep)
    return (*parts, arc)


def _milk_of_calcium(rng: np.random.Generator, angle: float, view: View) -> Shape:
    radius = rng.uniform(0.8, 2.5)
    if view.is_lateral:  # sediment at the bottom of the cyst: a crescent, "teacup"
        return (Crescent((0.0, 0.0), radius, rng.uniform(0.1, 0.5), rng.uniform(0.15, 0.35)),)
    return (Haze((0.0, 0.0), radius / 2.0, rng.uniform(0.05, 0.15) * radius),)


def _suture(rng: np.random.Generator, angle: float, view: View) -> Shape:
    radius = rng.uniform(1.0, 2.5)
    width = rng.uniform(0.25, 0.5)
    n = 10
    phi = np.linspace(0, 2 * np.pi, n + 1)
    ring = np.column_stack([radius * np.sin(phi), radius * 1.3 * np.cos(phi)])
    parts: list[Primitive] = [Tube(_xy(ring[i]), _xy(ring[i + 1]), width / 2) for i in range(n)]
    tail = ring[0] + 2.5 * radius * np.array([np.sin(angle), np.cos(angle)])
    parts.append(Tube(_xy(ring[0]), _xy(tail), width / 2))
    return tuple(parts)


def vascular_tracks(
    path_mm: np.ndarray, vessel_radius_mm: float, rng: np.random.Generator
) -> Shape:
    """Tram-track calcium along a vessel wall: broken lines at +-radius of a centre line.

    ``path_mm`` is an (n, 2) array of (dy, dx) points relative to the calcification centre.
    """
    parts: list[Primitive] = []
    width = rng.uniform(0.15, 0.4)
    steps = np.diff(path_mm, axis=0)
    normals = np.column_stack([-steps[:, 1], steps[:, 0]])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True) + 1e-12
    for side in (-1.0, 1.0):
        keep = rng.random(len(steps)) < rng.uniform(0.5, 0.9)
        for i in np.flatnonzero(keep):
            a = path_mm[i] + side * vessel_radius_mm * normals[i]
            b = path_mm[i + 1] + side * vessel_radius_mm * normals[i]
            parts.append(Tube(_xy(a), _xy(b), width / 2))
    if not parts:
        parts.append(Tube(_xy(path_mm[0]), _xy(path_mm[-1]), width / 2))
    return tuple(parts)


def _vascular_alone(rng: np.random.Generator, angle: float, view: View) -> Shape:
    length = rng.uniform(5.0, 20.0)
    t = np.linspace(-0.5, 0.5, int(length) + 2)[:, None] * length
    path = t * np.array([np.sin(angle), np.cos(angle)]) + rng.normal(0, 0.2, (len(t), 2))
    return vascular_tracks(path, rng.uniform(0.6, 1.2), rng)


_DRAWERS = {
    Morphology.PUNCTATE: _punctate,
    Morphology.ROUND: _round,
    Morphology.AMORPHOUS: _amorphous,
    Morphology.COARSE_HETEROGENEOUS: _coarse_heterogeneous,
    Morphology.FINE_PLEOMORPHIC: _fine_pleomorphic,
    Morphology.FINE_LINEAR_BRANCHING: _fine_linear_branching,
    Morphology.COARSE: _coarse_popcorn,
    Morphology.LARGE_ROD_LIKE: _large_rod_like,
    Morphology.RIM: _rim,
    Morphology.SKIN: _skin,
    Morphology.DYSTROPHIC: _dystrophic,
    Morphology.MILK_OF_CALCIUM: _milk_of_calcium,
    Morphology.SUTURE: _suture,
    Morphology.VASCULAR: _vascular_alone,
}
