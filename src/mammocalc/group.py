"""Grouping of calcifications into findings: clusters, macrocalcifications, vascular, scattered.

Rules (``settings`` holds every number; reference sections 3-4):

* Calcifications are joined by single linkage at ``cluster_link_mm``.
* A linked group is a **cluster** when at least ``cluster_min_count`` of its members lie within a
  circle of area ``cluster_max_area_cm2`` (the CAD convention: >= 3 within 1 cm^2).
* A group that runs along a (possibly bent) track as tubular, aligned segments in two parallel
  walls (a tram track, ``_group_vessels``) for at least ``VASCULAR_MIN_EXTENT_MM`` is
  **vascular**; so is a single long, thin rod (a vessel segment), while a thick one
  (``ROD_MIN_WIDTH_MM``) is a large rod-like macrocalcification. A single track of thin segments
  is not: fine linear calcifications along a duct look just like it.
* A calcification of equivalent diameter >= ``macro_diameter_mm`` that is not in a cluster is a
  **macrocalcification** finding of its own; touching pieces (outlines within 1 mm, as the lobes
  of a popcorn calcification) are one macrocalcification, and so are two or more smaller pieces
  whose outlines overlap when together they reach ``macro_diameter_mm`` (one calcification the
  detector outlined in parts); so are the pieces that lie in one
  bright, sharp-edged body at least ``macro_diameter_mm`` thick around a macro piece or a group's
  brightest piece (``_group_bodies``: a coarse, rim or dystrophic calcification larger than the
  detector's background scale shows as lobes and small edge pieces, not a cluster); and so are
  thin arcs whose outlines enclose a lucent inside (``_group_rings``: a suture loop or eggshell
  broken up by the detector).
* Distribution: *diffuse* when the group spans half the breast, *regional* beyond 20 mm, *segmental*
  when that large group is a wedge pointing at the nipple, *linear* when at least five members lie
  on a line (PCA linearity 0.95, 0.9 from eight members: three specks line up by chance half the
  time) or when three or more fine linear pieces lie along the line of their centres (pieces of
  one casting, ``_is_cast_in_line``), otherwise *grouped*. Regional or diffuse groups of low
  density are **scattered** findings. The call's confidence is how it survives the loss of any
  one member (:func:`distribution_stability`), with the commonest other call as the
  alternative; a cluster with ``REGIONAL_MIN_NEARBY`` conspicuous neighbours within 20 mm is
  read with them too (``_in_context``: a grouped piece of a line or segment takes that reading;
  otherwise the neighbours' reading is the alternative).
* Every cluster carries ``scattered_in_breast``: how many conspicuous calcifications of the image
  lie in no group, when they spread over much of the breast (a diffuse population single linkage
  cannot join; assess uses it for round or punctate groups) and ``calcifications_nearby``: how
  many other conspicuous microcalcifications lie within 20 mm of its centre (a piece of a
  regional scatter is not a single group).

The ``detection_score`` is a logistic model over group features (``_group_score``).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from mammocalc._evidence import is_fine_linear
from mammocalc._group_bodies import Body, coarse_bodies
from mammocalc._group_features import (
    CONSPICUOUS_SCORE,
    alignment,
    equivalent_diameter_mm,
    group_features,
    is_rod,
    principal_axis,
)
from mammocalc._group_rings import ring_of_pieces
from mammocalc._group_score import detection_score
from mammocalc._group_vessels import is_vascular
from mammocalc._thresholds import REGIONAL_MIN_NEARBY, REGIONAL_NEARBY_MM, ROD_MIN_WIDTH_MM
from mammocalc.breast import skin_distance_mm
from mammocalc.models import BreastMasks, Calcification, Finding, Mammogram
from mammocalc.settings import Settings
from mammocalc.vocabulary import DUCTAL_DISTRIBUTIONS, Distribution, FindingKind

_REGIONAL_MM = 20.0  # BI-RADS: grouped spans at most 2 cm; beyond it is regional
_LINEAR_MIN = 0.9  # PCA linearity from which centres are "in a line" ...
_LINEAR_MIN_FEW = 0.95  # ... and for fewer than _LINEAR_MANY members (see _is_linear)
_LINEAR_MANY = 8
_LINEAR_MIN_COUNT = 5  # BI-RADS grouped and linear need >= 5; 3 specks fall on a "line" by chance
#: Fine linear pieces lying along the line of their centres make a line however few they are
#: (a duct's casting broken into pieces): at least this many, their long axes within about 18
#: degrees of the line on average (``alignment``), centres as straight as ``_LINEAR_MIN_FEW``.
_CAST_MIN_PIECES = 3
_CAST_MIN_ALIGNMENT = 0.95
_SEGMENT_ANGLE_DEG = 35.0  # wedge axis within this angle of the line to the nipple
_SCATTERED_DENSITY_PER_CM2 = 5.0
_STABILITY_MAX_DROPS = 40  # members left out one at a time to judge a distribution call
#: The most confidence in a distribution call that a cluster's 6 or more neighbours read
#: otherwise (``_in_context``). On development simulator images (seeds 5000-5183, 9000-9183,
#: 11000-11183) none of the 22 such matched clusters that kept their own call had it right (the
#: neighbours' reading, the alternative, was right in 15): a call so contested is reported as
#: doubtful. A grouped cluster that takes its neighbours' ductal reading gets at most
#: ``_DUCT_CONFIDENCE`` (one matched case there, wrong: too few to measure; as likely as not).
_CONTESTED_CONFIDENCE = 0.1
_DUCT_CONFIDENCE = 0.5
_PIECE_GAP_MM = 1.0  # lobes of one coarse calcification lie closer than this, edge to edge
#: Pieces outside any cluster whose equivalent circles overlap (edge-to-edge gap at most this) are
#: one calcification the detector outlined in parts when together they reach
#: ``macro_diameter_mm``: a 1-1.5 mm dystrophic plate split along a fold into two 0.8-0.95 mm
#: pieces was otherwise no finding at all (two specks are no cluster, neither piece a macro).
_FUSED_GAP_MM = 0.0
# Calcifications in no finding scored at least CONSPICUOUS_SCORE: an image with many of them
# spread over the breast has a diffuse population that a small group belongs to. On development
# simulator images (seeds 5000-5091, 7000-7183) diffuse scenes had 24-49 such calcifications
# outside their findings, normal images at most 1, other scenes at most 5.
#: Diffuse: a group spanning at least this share of the breast's span (its larger side).
_DIFFUSE_MIN_SPAN = 0.5
#: A scattered population is diffuse when the range between the 10th and 90th percentiles of its
#: rows or columns (_SPREAD_PERCENTILES: one far speck does not spread a regional population)
#: reaches this share of the breast's span; for calcifications spread evenly over half the breast
#: that range is 0.4 of its span. Development simulator images (seeds 5000-5091, 7000-7183):
#: diffuse scenes 0.38-0.54, regional ones 0.05-0.23.
_SCATTERED_MIN_SPREAD = 0.3
_SPREAD_PERCENTILES = (10.0, 90.0)


def group(
    calcifications: list[Calcification],
    mammogram: Mammogram,
    masks: BreastMasks,
    *,
    settings: Settings | None = None,
) -> list[Finding]:
    """Group the calcifications of one image into findings.

    Parameters
    ----------
    calcifications : list of Calcification
        Output of :func:`mammocalc.detect.detect` for ``mammogram``.
    mammogram : Mammogram
        The image (laterality, view, source and spacing are used).
    masks : BreastMasks
        Its breast masks (skin and nipple distances, breast size).
    settings : Settings, optional
        ``cluster_link_mm``, ``cluster_min_count``, ``cluster_max_area_cm2``,
        ``macro_diameter_mm``, ``finding_threshold`` (``finding_threshold_film`` on film).

    Returns
    -------
    list of Finding
        Ordered by decreasing ``detection_score``; ids ``"{laterality or 'X'}-{view}-{k}"``.
    """
    settings = settings or Settings.model_validate({})
    if not calcifications:
        return []
    context = _Context(mammogram, masks, settings)
    drafts: list[tuple[FindingKind, list[Calcification], Distribution | None, Body | None]] = []
    in_cluster: set[int] = set()
    for linked in _linked_groups(calcifications, settings.cluster_link_mm):
        bodies: list[Body] = []
        rest = linked
        if len(linked) < 2 or not is_vascular(linked):
            bodies, rest = coarse_bodies(
                linked, mammogram.pixels, mammogram.spacing_mm, settings.macro_diameter_mm
            )
            ring = (
                None
                if bodies
                else ring_of_pieces(linked, mammogram.pixels.shape, mammogram.spacing_mm)
            )
            if ring is not None:
                bodies, rest = [ring[0]], ring[1]
        drafts += [(FindingKind.MACROCALCIFICATION, body.members, None, body) for body in bodies]
        in_cluster.update(c.id for body in bodies for c in body.members)
        for members in _linked_groups(rest, settings.cluster_link_mm) if bodies else [rest]:
            kind, distribution = _classify(members, context)
            if kind is None:
                continue
            drafts.append((kind, members, distribution, None))
            in_cluster.update(c.id for c in members)
    alone = [c for c in calcifications if c.id not in in_cluster]
    drafts += [(_rod_kind(c), [c], None, None) for c in alone if is_rod(c)]
    solid = [c for c in alone if not is_rod(c)]
    fused = {
        c.id
        for parts in _touching(solid, _FUSED_GAP_MM)
        if len(parts) > 1 and equivalent_diameter_mm(parts) >= settings.macro_diameter_mm
        for c in parts
    }
    macros = [c for c in solid if c.diameter_mm >= settings.macro_diameter_mm or c.id in fused]
    drafts += [(FindingKind.MACROCALCIFICATION, p, None, None) for p in _touching(macros)]
    findings = [
        context.finding(kind, members, dist, body=body) for kind, members, dist, body in drafts
    ]
    taken = {c.id for _, members, _, _ in drafts for c in members}
    scattered = _scattered_elsewhere([c for c in calcifications if c.id not in taken], context)
    structural = {  # pieces of vessels, rods and macrocalcifications are no scatter
        c.id for kind, members, _, _ in drafts if kind != FindingKind.CLUSTER for c in members
    }
    conspicuous = [
        c
        for c in calcifications
        if c.score >= CONSPICUOUS_SCORE
        and c.diameter_mm < settings.macro_diameter_mm
        and c.id not in structural
    ]
    findings = [
        _in_context(
            f.model_copy(update={"features": {**f.features, "scattered_in_breast": scattered}}),
            members,
            context,
            _neighbours(f, conspicuous),
        )
        if f.kind == FindingKind.CLUSTER
        else f
        for f, (_, members, _, _) in zip(findings, drafts, strict=True)
    ]
    floor = settings.finding_threshold_film if mammogram.is_film else settings.finding_threshold
    findings = [
        f.model_copy(update={"features": {**f.features, "reporting_floor": floor}})
        for f in findings
        if f.detection_score >= floor
    ]
    findings.sort(key=lambda f: (-f.detection_score, f.centroid_px))
    prefix = f"{mammogram.laterality.value if mammogram.laterality else 'X'}-{mammogram.view.value}"
    return [f.model_copy(update={"id": f"{prefix}-{k}"}) for k, f in enumerate(findings, start=1)]


def _linked_groups(calcs: list[Calcification], link_mm: float) -> list[list[Calcification]]:
    """Single-linkage groups at ``link_mm`` between centres, members in input order."""
    if not calcs:
        return []
    points = np.array([c.centroid_mm for c in calcs], float)
    return _components(calcs, cKDTree(points).query_pairs(link_mm, output_type="ndarray"))


def _components(calcs: list[Calcification], pairs: np.ndarray) -> list[list[Calcification]]:
    """Connected groups of ``calcs`` joined by index ``pairs`` (shape (k, 2)), input order kept."""
    n = len(calcs)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return [[calcs[i] for i in np.flatnonzero(labels == g)] for g in range(labels.max() + 1)]


def _touching(
    calcs: list[Calcification], gap_mm: float = _PIECE_GAP_MM
) -> list[list[Calcification]]:
    """Groups of calcifications whose outlines come within ``gap_mm`` of each other.

    A coarse (popcorn) or dystrophic calcification often shows as several touching lobes that
    the detector outlines apart; they are one macrocalcification. The gap is measured between
    equivalent circles: centre distance less the two radii.
    """
    if len(calcs) < 2:
        return [[c] for c in calcs]
    points = np.array([c.centroid_mm for c in calcs], float)
    radii = np.array([c.diameter_mm / 2 for c in calcs], float)
    reach = 2 * float(radii.max()) + max(gap_mm, 0.0)
    pairs = cKDTree(points).query_pairs(reach, output_type="ndarray")
    gaps = np.hypot(*(points[pairs[:, 0]] - points[pairs[:, 1]]).T) - radii[pairs].sum(axis=1)
    return _components(calcs, pairs[gaps <= gap_mm])


def _satisfies_cluster_rule(members: list[Calcification], settings: Settings) -> bool:
    """True when a circle of area ``cluster_max_area_cm2`` on a member holds enough micro ones."""
    if len(members) < settings.cluster_min_count:
        return False
    radius_mm = 10.0 * np.sqrt(settings.cluster_max_area_cm2 / np.pi)
    micro = [c for c in members if c.diameter_mm < settings.macro_diameter_mm]
    if len(micro) < settings.cluster_min_count:
        return False
    points = np.array([c.centroid_mm for c in micro], float)
    counts = [len(n) for n in cKDTree(points).query_ball_point(points, radius_mm)]
    return max(counts) >= settings.cluster_min_count


def _rod_kind(calc: Calcification) -> FindingKind:
    """A thick rod is a (large rod-like) macrocalcification; a thin one a vessel segment."""
    if calc.shape.width_mm >= ROD_MIN_WIDTH_MM:
        return FindingKind.MACROCALCIFICATION
    return FindingKind.VASCULAR


def _edge_distance_mm(shape: tuple[int, ...], spacing_mm: float) -> np.ndarray:
    """Distance (mm) from each pixel of an image of ``shape`` (rows, cols) to its nearest edge:
    the least a skin line outside the image can lie from it."""
    rows = np.arange(shape[0])[:, None]
    cols = np.arange(shape[1])[None, :]
    to_edge = np.minimum(
        np.minimum(rows + 1, shape[0] - rows), np.minimum(cols + 1, shape[1] - cols)
    )
    return np.asarray(to_edge * spacing_mm, dtype=np.float64)


class _Context:
    """What every finding of one image needs: distances to skin and nipple, breast size."""

    def __init__(self, mammogram: Mammogram, masks: BreastMasks, settings: Settings) -> None:
        self.mammogram, self.masks, self.settings = mammogram, masks, settings
        spacing = mammogram.spacing_mm
        self.step = max(1, int(round(0.5 / spacing)))
        coarse = masks.breast[:: self.step, :: self.step]
        # cut-aware: the chest-wall edge and the image edges are not skin
        depth_mm = skin_distance_mm(coarse, spacing * self.step, masks.chest_wall)
        if np.isinf(depth_mm).any():  # no skin line in the image: it lies beyond the edges
            depth_mm = np.minimum(depth_mm, _edge_distance_mm(coarse.shape, spacing * self.step))
        self.skin_depth_mm = depth_mm
        rows, cols = np.nonzero(coarse)
        span_px = max(np.ptp(rows), np.ptp(cols)) * self.step if rows.size else 0
        self.breast_span_mm = float(span_px * spacing)
        self.nipple_mm = np.array(masks.nipple_px, float) * spacing

    def skin_mm(self, centre_px: tuple[float, float]) -> float:
        r = min(int(centre_px[0]) // self.step, self.skin_depth_mm.shape[0] - 1)
        c = min(int(centre_px[1]) // self.step, self.skin_depth_mm.shape[1] - 1)
        return float(self.skin_depth_mm[r, c])

    def finding(
        self,
        kind: FindingKind,
        members: list[Calcification],
        distribution: Distribution | None,
        *,
        body: Body | None = None,
    ) -> Finding:
        """The finding of ``members``; a macrocalcification found as a ``body`` adds its features
        ``body_diameter_mm``, ``lucent_centre`` (1: rim or eggshell, dermal), ``open_loop``
        (1: a ring whose inside is tissue: a thin eggshell or a suture loop) and
        ``strand_across`` (1: a ring whose inside a strand splits: a knotted suture)."""
        spacing = self.mammogram.spacing_mm
        centre_px = tuple(np.mean([c.centroid_px for c in members], axis=0).tolist())
        centre_mm = (centre_px[0] * spacing, centre_px[1] * spacing)
        features = group_features(
            members,
            link_mm=self.settings.cluster_link_mm,
            distance_to_skin_mm=self.skin_mm(centre_px),
            distance_to_nipple_mm=float(np.hypot(*(np.array(centre_mm) - self.nipple_mm))),
        )
        if body is not None:
            features["body_diameter_mm"] = body.diameter_mm
            features["extent_mm"] = max(features["extent_mm"], body.diameter_mm)
            features["lucent_centre"] = float(body.lucent)
            features["open_loop"] = float(body.loop)
            features["strand_across"] = float(body.strand)
        confidence, alternative = None, None
        if distribution is not None and kind in (FindingKind.CLUSTER, FindingKind.SCATTERED):
            confidence, alternative = distribution_stability(members, distribution, self)
        outline = np.array([p for c in members for p in (c.outline_px or [c.centroid_px])])
        low, high = np.floor(outline.min(axis=0)), np.ceil(outline.max(axis=0))
        return Finding(
            id="",
            image=self.mammogram.identifiers.source,
            laterality=self.mammogram.laterality,
            view=self.mammogram.view,
            kind=kind,
            calcification_ids=[c.id for c in members],
            centroid_px=(centre_px[0], centre_px[1]),
            centroid_mm=centre_mm,
            bbox_px=(int(low[0]), int(low[1]), int(high[0]), int(high[1])),
            extent_mm=features["extent_mm"],
            count=len(members),
            density_per_cm2=features["density_per_cm2"],
            distribution=distribution,
            distribution_confidence=confidence,
            distribution_alternative=alternative,
            detection_score=detection_score(kind, features),
            features=features,
        )


def _scattered_elsewhere(loose: list[Calcification], context: _Context) -> float:
    """How many conspicuous calcifications lie in no group: the diffuse population a small
    round group may be a chance gathering of (assess: ``DIFFUSE_MIN_SCATTERED``).

    Parameters
    ----------
    loose : list of Calcification
        The image's calcifications in no finding the grouping formed (reported or not; every
        macro piece forms one, so these are microcalcifications).
    context : _Context
        The image's breast span (mm).

    Returns
    -------
    float
        The number scored at least ``CONSPICUOUS_SCORE`` when their 10th-90th percentile
        range along rows or columns reaches ``_SCATTERED_MIN_SPREAD`` of the breast's span;
        else 0.
    """
    spread = [c for c in loose if c.score >= CONSPICUOUS_SCORE]
    if len(spread) < 2 or context.breast_span_mm <= 0:
        return 0.0
    points = np.array([c.centroid_mm for c in spread], float)
    low, high = np.percentile(points, _SPREAD_PERCENTILES, axis=0)
    span_mm = float(np.max(high - low))
    return float(len(spread)) if span_mm >= _SCATTERED_MIN_SPREAD * context.breast_span_mm else 0.0


def _neighbours(finding: Finding, conspicuous: list[Calcification]) -> list[Calcification]:
    """The ``conspicuous`` calcifications outside ``finding`` within ``REGIONAL_NEARBY_MM`` of its
    centre: a single group stands alone, a piece of a regional scatter does not (assess:
    ``REGIONAL_MIN_NEARBY``; their count is the feature ``calcifications_nearby``)."""
    own = set(finding.calcification_ids)
    centre = np.asarray(finding.centroid_mm, float)
    return [
        c
        for c in conspicuous
        if c.id not in own
        and float(np.hypot(*(np.asarray(c.centroid_mm, float) - centre))) < REGIONAL_NEARBY_MM
    ]


def _in_context(
    finding: Finding, members: list[Calcification], context: _Context, nearby: list[Calcification]
) -> Finding:
    """A cluster's ``calcifications_nearby`` and ``read_with_neighbours`` features, and its
    distribution read with those neighbours.

    A cluster with at least ``REGIONAL_MIN_NEARBY`` conspicuous calcifications within
    ``REGIONAL_NEARBY_MM`` outside it (``nearby``) is likely a piece of a larger distribution
    that single linkage split (a regional scatter, a segment's branches). When the cluster
    together with them makes another distribution (``read_with_neighbours`` = 1):

    * a grouped cluster whose neighbours make a line or segment with it takes that reading,
      with grouped as the alternative and a confidence of at most ``_DUCT_CONFIDENCE``: a duct
      is what raises the suspicion of a group (BI-RADS; linear or segmental PPV about 55% against
      16% grouped, Kim 2018);
    * otherwise the cluster keeps its own call (a group with a scatter around it: a regional
      reading, whose risk weight the CBIS-DDSM model sets above grouped's although the published
      PPVs are alike, would raise a suspicious group's probability for calcifications that are
      not its own; a line or wedge of its own is specific evidence), with the neighbours'
      reading as the alternative and a confidence of at most ``_CONTESTED_CONFIDENCE``.

    Parameters
    ----------
    finding : Finding
        A cluster from :meth:`_Context.finding`.
    members : list of Calcification
        Its calcifications.
    context : _Context
        The image's context (breast span, nipple position, settings).
    nearby : list of Calcification
        The conspicuous calcifications outside it within ``REGIONAL_NEARBY_MM`` of its centre
        (:func:`_neighbours`).

    Returns
    -------
    Finding
        A copy with the features and, when re-read, the distribution, its alternative and
        confidence updated.
    """
    features = {**finding.features, "calcifications_nearby": float(len(nearby))}
    called = finding.distribution
    wider = called
    if called is not None and len(nearby) >= REGIONAL_MIN_NEARBY:
        wider = _distribution(members + nearby, context)
    features["read_with_neighbours"] = float(wider != called)
    if wider == called or wider is None:
        return finding.model_copy(update={"features": features})
    if called == Distribution.GROUPED and wider in DUCTAL_DISTRIBUTIONS:  # a duct's piece
        stable, _ = distribution_stability(members + nearby, wider, context)
        update = {"distribution": wider, "distribution_alternative": called}
        confidence = min(stable, _DUCT_CONFIDENCE)
    else:  # a scatter around a group, or a line or wedge of its own: the call stays
        own = finding.distribution_confidence
        update = {"distribution_alternative": wider}
        confidence = min(1.0 if own is None else own, _CONTESTED_CONFIDENCE)
    return finding.model_copy(
        update={**update, "features": features, "distribution_confidence": confidence}
    )


def _classify(
    members: list[Calcification], context: _Context
) -> tuple[FindingKind | None, Distribution | None]:
    """Kind and distribution of one linked group, or (None, None) when it is no finding."""
    settings = context.settings
    if len(members) >= 2 and is_vascular(members):
        return FindingKind.VASCULAR, Distribution.LINEAR
    if not _satisfies_cluster_rule(members, settings):
        return None, None
    distribution = _distribution(members, context)
    points = np.array([c.centroid_mm for c in members], float)
    area_cm2 = max(float(np.ptp(points[:, 0]) * np.ptp(points[:, 1])) / 100.0, 1e-3)
    sparse = len(members) / area_cm2 < _SCATTERED_DENSITY_PER_CM2
    if distribution is Distribution.DIFFUSE or (distribution is Distribution.REGIONAL and sparse):
        return FindingKind.SCATTERED, distribution
    return FindingKind.CLUSTER, distribution


def _distribution(members: list[Calcification], context: _Context) -> Distribution:
    points = np.array([c.centroid_mm for c in members], float)
    linearity, axis = principal_axis(points)
    span = float(np.max(np.ptp(points, axis=0))) if len(points) > 1 else 0.0
    extent = float(np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1)).max())
    diffuse_mm = _DIFFUSE_MIN_SPAN * context.breast_span_mm
    if context.breast_span_mm > 0 and extent >= diffuse_mm and len(members) >= 10:
        return Distribution.DIFFUSE
    if span > 0 and (
        _is_linear(linearity, len(members))
        or _is_cast_in_line(members, axis, linearity, context.mammogram.spacing_mm)
    ):
        return Distribution.LINEAR
    if extent > _REGIONAL_MM:
        if _points_to_nipple(points, axis, context.nipple_mm) and linearity >= 0.5:
            return Distribution.SEGMENTAL
        return Distribution.REGIONAL
    return Distribution.GROUPED


def distribution_stability(
    members: list[Calcification], distribution: Distribution, context: _Context
) -> tuple[float, Distribution | None]:
    """How firmly ``members`` make ``distribution``: the call redone without each member in turn.

    The detector misses some calcifications and adds others, and the distribution rules have
    edges (five members on a line, 20 mm across, a wedge's angle): a call that one missing
    calcification would change is a weak one. Up to ``_STABILITY_MAX_DROPS`` members, evenly
    spread, are left out one at a time.

    Parameters
    ----------
    members : list of Calcification
        The calcifications the call is made from (centres in mm).
    distribution : Distribution
        The call they make.
    context : _Context
        The image's context (breast span, nipple position, settings).

    Returns
    -------
    confidence : float
        ``(1 + k) / (1 + m)`` when ``k`` of the ``m`` calls without one member give the same
        distribution, in (0, 1]: 1 when every one does, about 1 / (m + 1) when none does.
    alternative : Distribution or None
        The distribution those calls give most often instead (None when all agree).
    """
    n = len(members)
    if n < 2:
        return 1.0, None
    drops = np.unique(np.linspace(0, n - 1, min(n, _STABILITY_MAX_DROPS)).round().astype(int))
    others = [_distribution(members[:i] + members[i + 1 :], context) for i in drops]
    same = sum(d == distribution for d in others)
    differing = [d for d in others if d != distribution]
    alternative = max(dict.fromkeys(differing), key=differing.count) if differing else None
    return (1 + same) / (1 + len(others)), alternative


def _is_linear(linearity: float, count: int) -> bool:
    """Do ``count`` centres of PCA ``linearity`` lie on a line rather than by chance?

    Uniformly scattered points in a disc pass ``linearity >= 0.9`` half the time when there are 3,
    15% of the time when there are 5 and 1.5% when there are 8; the thresholds keep that chance
    below about 5% (0.95 up to 7 members, 0.9 from 8), while specks along a duct (scatter across
    it 5% of its length) reach 0.98 at the median. Fewer than ``_LINEAR_MIN_COUNT`` are never
    called linear: three punctate specks are a group, not a duct.
    """
    if count < _LINEAR_MIN_COUNT:
        return False
    return linearity >= (_LINEAR_MIN if count >= _LINEAR_MANY else _LINEAR_MIN_FEW)


def _is_cast_in_line(
    members: list[Calcification], axis: np.ndarray, linearity: float, spacing_mm: float
) -> bool:
    """At least ``_CAST_MIN_PIECES`` fine linear members (:func:`is_fine_linear`) whose long axes
    lie along the line of the centres (``alignment`` >= ``_CAST_MIN_ALIGNMENT``) and whose
    centres line up (PCA ``linearity`` >= ``_LINEAR_MIN_FEW``): pieces of one casting.

    The chance argument of :func:`_is_linear` is about points, which carry no direction: three
    specks scattered in a disc pass ``linearity >= 0.9`` half the time. Three pieces scattered in a
    disc with random orientations pass both tests here about once in 100 draws, four once in 800
    (20,000 draws each), so a few aligned pieces are a line where a few round specks are not.
    """
    pieces = sum(is_fine_linear(c, spacing_mm) for c in members)
    return (
        pieces >= _CAST_MIN_PIECES
        and linearity >= _LINEAR_MIN_FEW
        and alignment(members, axis) >= _CAST_MIN_ALIGNMENT
    )


def _points_to_nipple(points: np.ndarray, axis: np.ndarray, nipple_mm: np.ndarray) -> bool:
    """True when the group's long axis points at the nipple and it narrows towards it (a wedge)."""
    centre = points.mean(axis=0)
    to_nipple = nipple_mm - centre
    distance = float(np.hypot(*to_nipple))
    if distance < 1e-6:
        return False
    cosine = abs(float(np.dot(axis, to_nipple / distance)))
    if cosine < np.cos(np.radians(_SEGMENT_ANGLE_DEG)):
        return False
    along = (points - centre) @ (to_nipple / distance)
    across = np.abs((points - centre) @ np.array([-axis[1], axis[0]]))
    near, far = along > 0, along <= 0
    if near.sum() < 2 or far.sum() < 2:
        return False
    return float(across[near].mean()) < float(across[far].mean())
