"""Vascular calcification: tubular segments in two parallel walls along a vessel (private to
``group``).

The lexicon describes vascular calcification as parallel tracks ("tram tracks") along a tubular
structure. One aligned track of thin segments is also how fine linear (casting) calcifications
follow a duct, the most suspicious form, so only the vessel's second wall tells them apart and it
is required. Vessels bend: the track is a quadratic centre line fitted through the members'
centres (across = a + b t + c t^2 along the principal axis), and each segment's offset and
direction are taken against that curve. The curve through all centres can close the gap between
walls that are broken unevenly (one wall's segments mostly at one end), so a group is a tram
track when it is one against the straight principal axis or against the curve. A long artery
winds more than a quadratic follows; its walls are still paired locally: most segments have a
parallel partner a lumen away, on one side, and the lumen keeps its width (:func:`paired_walls`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammocalc._group_features import principal_axis
from mammocalc.models import Calcification

VASCULAR_MIN_EXTENT_MM = 6.0  # a vessel track is at least this long
#: The members' centres must be at least this linear (PCA ``1 - lambda_2 / lambda_1``). A bent
#: artery's track reached 0.82-0.89 on simulator images (seeds 5000-5091, 7000-7183), under the
#: 0.9 of a straight line; the curved centre line follows it.
TRACK_MIN_LINEARITY = 0.75
WALL_GAP_MM = (0.6, 3.0)  # the two walls of a calcified artery (up to about 3 mm across) (mm)
WALL_CONTRAST = 2.0  # ... a gap this many times the scatter within one wall
WALL_MIN_SHARE = 0.3  # each wall holds at least this share of the track's tubular segments
WALL_MIN_REACH = 0.5  # ... and runs along at least this share of the track
COVERED_MIN_SHARE = 0.4  # tubular segments cover at least this share of the track's length
#: A tubular segment: elongated and at least this long. The broken walls of simulator arteries
#: come as segments of 0.35-1.9 mm; at 1 mm, 5 of 16 counted in one artery and it was read as a
#: fine linear cluster (category 5).
SEGMENT_MIN_LENGTH_MM = 0.5
SEGMENT_MIN_ELONGATION = 2.5
ALONG_MIN_COSINE = 0.85  # a segment runs along the track within about 30 degrees
#: Locally paired walls (:func:`paired_walls`). Two segments are partners when they run within
#: this angle of each other, side by side (their along-offset within half their summed lengths)
#: and a lumen apart (``WALL_GAP_MM``, measured across the first one).
PAIR_MAX_ANGLE_DEG = 20.0
#: At least this share of the tubular length has a partner ...
PAIRED_MIN_SHARE = 0.75
#: ... at least this share of the partnered segments has its partners on one side only (a wall
#: has the lumen on one side; a branching casting's middle pieces have neighbours on both) ...
PAIRED_MIN_ONE_SIDED = 0.9
#: ... and the lumen keeps its width: the nearest partner's distance varies by at most this
#: coefficient of variation. Simulator arteries that a quadratic centre line could not follow
#: (tracks of 12-21 mm, development seeds 7000-7183, 9000-9183, 11000-11183) measured 0.03-0.12
#: with 0.81-0.91 of their length paired and all one-sided; fine linear clusters in a line
#: reached 0.51-0.72 paired, and grouped ones with 0.75 or more paired varied by 0.22 or more.
PAIR_GAP_MAX_CV = 0.15
#: ... and, as for a tram track, the paired segments cover ``COVERED_MIN_SHARE`` of the track's
#: length and reach along ``WALL_MIN_REACH`` of it, and at least this share of the members is
#: tubular: four paired fine linear pieces among two dozen specks are no vessel.
PAIRED_MIN_TUBULAR_SHARE = 0.5
WALL_MIN_SEGMENTS = 4  # two walls need at least this many tubular segments


@dataclass(frozen=True)
class Track:
    """A quadratic centre line: ``across = coef[0] + coef[1] t + coef[2] t^2`` at ``t`` along.

    ``axis`` and ``normal`` are unit vectors (row, col) in mm coordinates, shape (2,).
    """

    axis: np.ndarray
    normal: np.ndarray
    coef: np.ndarray

    def offsets(self, points_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position along the track and signed distance from the centre line (mm), (n,) each."""
        along = points_mm @ self.axis
        fitted = self.coef[0] + self.coef[1] * along + self.coef[2] * along**2
        return along, points_mm @ self.normal - fitted

    def directions(self, along: np.ndarray) -> np.ndarray:
        """Unit tangent of the centre line at positions ``along`` (n,) -> (n, 2)."""
        slope = self.coef[1] + 2.0 * self.coef[2] * along
        tangent = self.axis[None, :] + slope[:, None] * self.normal[None, :]
        return np.asarray(tangent / np.linalg.norm(tangent, axis=1, keepdims=True))


def straight_track(points_mm: np.ndarray, axis: np.ndarray) -> Track:
    """The straight centre line through the mean of ``points_mm`` (n, 2) along ``axis`` (2,)."""
    normal = np.array([-axis[1], axis[0]])
    return Track(axis, normal, np.array([float(np.mean(points_mm @ normal)), 0.0, 0.0]))


def fit_track(points_mm: np.ndarray, axis: np.ndarray) -> Track:
    """Least-squares quadratic centre line through ``points_mm`` (n, 2) along ``axis`` (2,).

    With fewer than 4 points the line stays straight (the principal axis).
    """
    normal = np.array([-axis[1], axis[0]])
    along, across = points_mm @ axis, points_mm @ normal
    if len(points_mm) < 4 or float(np.ptp(along)) <= 1e-9:
        return straight_track(points_mm, axis)
    centre = float(np.mean(along))
    design = np.column_stack([np.ones_like(along), along - centre, (along - centre) ** 2])
    a, b, c = np.linalg.lstsq(design, across, rcond=None)[0]
    # expand a + b (t - m) + c (t - m)^2 into powers of t
    coef = np.array([a - b * centre + c * centre**2, b - 2.0 * c * centre, c])
    return Track(axis, normal, coef)


def is_vascular(members: list[Calcification]) -> bool:
    """Tubular segments along a (possibly bent) track over a long stretch, in two parallel walls.

    The track spans at least ``VASCULAR_MIN_EXTENT_MM``, its centres are at least
    ``TRACK_MIN_LINEARITY`` linear, and against the straight principal axis or the curved centre
    line (:func:`fit_track`) its tubular segments cover ``COVERED_MIN_SHARE`` of its length and
    lie in two walls (:func:`tram_track`), or its walls pair up locally, which needs no centre
    line (:func:`paired_walls`: a winding artery).
    """
    if len(members) < 2:
        return False
    points = np.array([c.centroid_mm for c in members], float)
    linearity, axis = principal_axis(points)
    span = float(np.ptp(points @ axis)) + max(c.shape.length_mm for c in members)
    if span < VASCULAR_MIN_EXTENT_MM or linearity < TRACK_MIN_LINEARITY:
        return False
    if paired_walls(members, axis, span):
        return True
    for track in (straight_track(points, axis), fit_track(points, axis)):
        walls = segments_along(members, track)
        covered = sum(c.shape.length_mm for c in walls)
        if covered >= COVERED_MIN_SHARE * span and tram_track(walls, track):
            return True
    return False


def tram_track(walls: list[Calcification], track: Track) -> bool:
    """True when the tubular segments ``walls`` lie in two parallel walls along the whole track.

    Their offsets from the centre line split at the largest gap into two walls, each with at
    least ``WALL_MIN_SHARE`` of them and reaching along at least ``WALL_MIN_REACH`` of the track;
    the gap is a lumen: within ``WALL_GAP_MM`` and at least ``WALL_CONTRAST`` times the scatter
    within a wall (one track of a casting scatters about its line without a gap; specks or a
    short branch beside a casting are no second wall).
    """
    if len(walls) < WALL_MIN_SEGMENTS:
        return False
    along, across = track.offsets(np.array([c.centroid_mm for c in walls], float))
    order = np.argsort(across)
    gaps = np.diff(across[order])
    split = int(np.argmax(gaps)) + 1
    sides = [order[:split], order[split:]]
    if min(side.size for side in sides) < WALL_MIN_SHARE * len(walls):
        return False
    span = float(np.ptp(along)) + 1e-9
    if min(float(np.ptp(along[side])) for side in sides) < WALL_MIN_REACH * span:
        return False
    spread = max(max(float(across[side].std()) for side in sides), 0.05)
    gap = float(gaps[split - 1])
    return bool(WALL_GAP_MM[0] <= gap <= WALL_GAP_MM[1] and gap >= WALL_CONTRAST * spread)


def segments_along(members: list[Calcification], track: Track) -> list[Calcification]:
    """The tubular members (``SEGMENT_MIN_LENGTH_MM``, ``SEGMENT_MIN_ELONGATION``) that run
    along the track where they lie (within ``ALONG_MIN_COSINE`` of its local direction)."""
    tubular = _tubular(members)
    if not tubular:
        return []
    along, _ = track.offsets(np.array([c.centroid_mm for c in tubular], float))
    tangents = track.directions(along)
    angles = np.radians([c.shape.orientation_deg for c in tubular])
    own = np.column_stack([np.cos(angles), np.sin(angles)])
    cosines = np.abs(np.sum(own * tangents, axis=1))
    return [c for c, cos in zip(tubular, cosines, strict=True) if cos > ALONG_MIN_COSINE]


def _tubular(members: list[Calcification]) -> list[Calcification]:
    """The members at least ``SEGMENT_MIN_LENGTH_MM`` long and ``SEGMENT_MIN_ELONGATION``
    elongated: segments of a tube."""
    return [
        c
        for c in members
        if c.shape.elongation >= SEGMENT_MIN_ELONGATION
        and c.shape.length_mm >= SEGMENT_MIN_LENGTH_MM
    ]


def paired_walls(members: list[Calcification], axis: np.ndarray, span_mm: float) -> bool:
    """True when the tubular members pair up locally as the two walls of one vessel.

    Each tubular segment (:func:`_tubular`) looks for partners (:func:`wall_partners`). It holds
    when at least ``PAIRED_MIN_TUBULAR_SHARE`` of the members, and ``WALL_MIN_SEGMENTS`` or
    more, are tubular; ``PAIRED_MIN_SHARE`` of the tubular length has a partner; the partnered
    segments cover ``COVERED_MIN_SHARE`` of the track and reach along ``WALL_MIN_REACH`` of it
    (end to end);
    ``PAIRED_MIN_ONE_SIDED`` of them have partners on one side only; and the nearest partner's
    distance (the lumen) varies by at most ``PAIR_GAP_MAX_CV``. Nothing here needs a centre
    line, so a winding artery passes as well as a straight one.

    Parameters
    ----------
    members : list of Calcification
        One linked group.
    axis : ndarray, shape (2,)
        Unit principal axis of the members' centres (row, col).
    span_mm : float
        Length of the track along ``axis`` (mm).
    """
    tubular = _tubular(members)
    enough = max(WALL_MIN_SEGMENTS, PAIRED_MIN_TUBULAR_SHARE * len(members))
    if len(tubular) < enough:
        return False
    partner, across_mm = wall_partners(tubular)
    paired = partner.any(axis=1)
    lengths_mm = np.array([c.shape.length_mm for c in tubular], float)
    covered_mm = float(lengths_mm[paired].sum())
    if covered_mm < max(PAIRED_MIN_SHARE * lengths_mm.sum(), COVERED_MIN_SHARE * span_mm):
        return False
    along_mm = np.array([c.centroid_mm for c in tubular], float)[paired] @ axis
    half_mm = 0.5 * lengths_mm[paired]
    reach_mm = float(np.max(along_mm + half_mm) - np.min(along_mm - half_mm))
    if reach_mm < WALL_MIN_REACH * span_mm:  # end to end, as ``span_mm`` is
        return False
    sides = np.where(partner, np.sign(across_mm), 0.0)[paired]
    one_sided = ~((sides > 0).any(axis=1) & (sides < 0).any(axis=1))
    if float(np.mean(one_sided)) < PAIRED_MIN_ONE_SIDED:
        return False
    lumen_mm = np.where(partner, np.abs(across_mm), np.inf).min(axis=1)[paired]
    return bool(lumen_mm.std() <= PAIR_GAP_MAX_CV * lumen_mm.mean())


def wall_partners(segments: list[Calcification]) -> tuple[np.ndarray, np.ndarray]:
    """Which segments could be the opposite wall of which, and how far across.

    Segment j partners segment i when it runs within ``PAIR_MAX_ANGLE_DEG`` of it, lies beside
    it (along-offset at most half their summed lengths) and ``WALL_GAP_MM`` across from it.

    Parameters
    ----------
    segments : list of Calcification
        Tubular segments (``orientation_deg`` from the row axis).

    Returns
    -------
    partner : ndarray of bool, shape (n, n)
        ``partner[i, j]``: j partners i (never i itself).
    across_mm : ndarray, shape (n, n)
        Signed offset of j's centre from i's, along i's normal (mm).
    """
    centres_mm = np.array([c.centroid_mm for c in segments], float)
    lengths_mm = np.array([c.shape.length_mm for c in segments], float)
    degrees = np.array([c.shape.orientation_deg for c in segments], float)
    turn_deg = np.abs((degrees[:, None] - degrees[None, :] + 90.0) % 180.0 - 90.0)
    radians = np.radians(degrees)
    direction = np.column_stack([np.cos(radians), np.sin(radians)])  # (row, col) per segment
    normal = np.column_stack([-direction[:, 1], direction[:, 0]])
    offset_mm = centres_mm[None, :, :] - centres_mm[:, None, :]  # [i, j]: from i to j
    along_mm = np.abs(np.einsum("ijk,ik->ij", offset_mm, direction))
    across_mm = np.einsum("ijk,ik->ij", offset_mm, normal)
    partner = (
        (turn_deg <= PAIR_MAX_ANGLE_DEG)
        & (along_mm <= 0.5 * (lengths_mm[:, None] + lengths_mm[None, :]))
        & (np.abs(across_mm) >= WALL_GAP_MM[0])
        & (np.abs(across_mm) <= WALL_GAP_MM[1])
    )
    return partner, across_mm
