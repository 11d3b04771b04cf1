"""Public entry points: one image, a four-view exam, the demo exam.

Random streams are derived from the seed and a fixed stream number, so each part (the findings
plan, each breast, each view) is reproducible on its own: ``simulate_image(s, view="MLO")`` shows
the same breast and findings as ``simulate_image(s, view="CC")``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from pydicom.uid import generate_uid

from mammocalc import __version__
from mammocalc.errors import ParameterError
from mammocalc.models import Identifiers, Mammogram
from mammocalc.simulate.anatomy import BreastSpec, contralateral, draw_breast
from mammocalc.simulate.imaging import FILM_DETECTOR, Detector
from mammocalc.simulate.scenes import SCENES, CalcPlan, FindingPlan, Recipe, plan_findings, recipe
from mammocalc.simulate.truth import (
    SimulatedImage,
    Truth,
    TruthCalcification,
    TruthFinding,
    mask_to_rle,
)
from mammocalc.simulate.views import RenderedView, is_visible, render_view
from mammocalc.vocabulary import Distribution, Laterality, Morphology, View

DENSITIES = ("a", "b", "c", "d")
DEMO_SEED = 20240917
_STREAM_PLAN, _STREAM_BREAST, _STREAM_VIEW = 1, 2, 3
_VIEW_CODE = {View.CC: 0, View.MLO: 1}
_SIDE_CODE = {Laterality.LEFT: 0, Laterality.RIGHT: 1}


def simulate_image(
    seed: int,
    *,
    spacing_mm: float | None = None,
    view: View | str = "CC",
    laterality: Laterality | str = "L",
    density: str = "b",
    scene: str = "random",
    film: bool = False,
    shape_px: tuple[int, int] | None = None,
    detector_kerma_ugy: float = 80.0,
    bits_stored: int = 12,
    motion_mm: float = 0.0,
    motion_deg: float = 0.0,
) -> SimulatedImage:
    """Simulate one mammogram with complete calcification truth.

    Parameters
    ----------
    seed : int
        Everything is reproducible from it (for a given mammocalc version).
    spacing_mm : float, optional
        Pixel spacing; default 0.1 mm, or 0.2 mm for ``film`` (mini-MIAS-like).
    view, laterality : "CC" or "MLO", "L" or "R"
    density : "a", "b", "c" or "d"
        BI-RADS breast density.
    scene : str
        A key of :data:`SCENES`.
    film : bool
        Digitised screen-film instead of digital (8 bits, labels and markers burned in).
    shape_px : (rows, cols), optional
        Image size; by default just large enough for the breast (like a cropped clinical image).
    detector_kerma_ugy : float
        Dose: air kerma at the detector under the breast (automatic exposure control), 80 uGy
        by default; lower it for noisier images.
    bits_stored : 12 or 14
        Stored bit depth of the digital image (film is always 8 bits).
    motion_mm, motion_deg : float
        Patient motion during the exposure: the projected breast (anatomy and calcifications,
        not the detector's noise) is smeared over ``motion_mm`` (0 to 3 mm; 0, the default,
        for none) along ``motion_deg`` (the direction of :class:`mammocalc.models.Shape`:
        (cos, sin) in (row, col)).

    Returns
    -------
    SimulatedImage
        ``mammogram`` (float32 pixels in [0, 1], brighter = denser) and ``truth``.

    Examples
    --------
    >>> sim = simulate_image(1, scene="suspicious-cluster", shape_px=(600, 500), spacing_mm=0.2)
    >>> sim.mammogram.pixels.shape
    (600, 500)
    """
    view, laterality, spacing_mm = _check(seed, view, laterality, density, scene, spacing_mm, film)
    _check_shape(shape_px, spacing_mm)
    detector = _detector(film, detector_kerma_ugy, bits_stored, motion_mm, motion_deg)
    recipes = SCENES[scene].draw(np.random.default_rng([seed, _STREAM_PLAN]))
    findings, plans = plan_findings(recipes, np.random.default_rng([seed, _STREAM_PLAN, 1]))
    breast = _breast(seed, laterality)
    study = _uid(seed, "study")
    return _image(
        seed,
        scene,
        breast,
        density,
        plans,
        findings,
        view,
        laterality,
        spacing_mm,
        shape_px,
        film,
        study,
        detector,
    )


def simulate_exam(
    seed: int,
    *,
    scene: str = "random",
    spacing_mm: float | None = None,
    density: str = "b",
    film: bool = False,
    detector_kerma_ugy: float = 80.0,
    bits_stored: int = 12,
    motion_mm: float = 0.0,
    motion_deg: float = 0.0,
) -> list[SimulatedImage]:
    """Simulate a four-view exam: L-CC, L-MLO, R-CC, R-MLO.

    The scene's findings go in one breast (drawn from the seed), bilateral ones (diffuse) in both;
    each finding appears on the CC and the MLO view of its breast at the same distance from the
    nipple (``TruthFinding.exam_finding`` links the two). Arguments as for :func:`simulate_image`
    (the motion, if any, is the same on every view).
    """
    _check(seed, "CC", "L", density, scene, spacing_mm, film)
    detector = _detector(film, detector_kerma_ugy, bits_stored, motion_mm, motion_deg)
    rng = np.random.default_rng([seed, _STREAM_PLAN])
    recipes = SCENES[scene].draw(rng)
    side = Laterality.LEFT if rng.random() < 0.5 else Laterality.RIGHT
    by_side = {lat: [r for r in recipes if r.bilateral or lat == side] for lat in Laterality}
    return _exam(seed, scene, by_side, spacing_mm, density, film, detector)


def demo_exam() -> list[SimulatedImage]:
    """A fixed four-view exam holding one finding of each management pathway.

    Left: a grouped cluster of fine pleomorphic calcifications (4B) and vascular calcifications
    (2). Right: a coarse popcorn-like macrocalcification (2) and a single group of round
    calcifications (3). Spacing 0.1 mm, density b.
    """
    by_side = {
        Laterality.LEFT: [
            recipe(Morphology.FINE_PLEOMORPHIC, Distribution.GROUPED, 14),
            recipe(Morphology.VASCULAR, None, 1),
        ],
        Laterality.RIGHT: [
            recipe(Morphology.COARSE, None, 1),
            recipe(Morphology.ROUND, Distribution.GROUPED, 7),
        ],
    }
    return _exam(DEMO_SEED, "demo", by_side, 0.1, "b", False)


def _exam(
    seed: int,
    scene: str,
    by_side: dict[Laterality, list[Recipe]],
    spacing_mm: float | None,
    density: str,
    film: bool,
    detector: Detector | None = None,
) -> list[SimulatedImage]:
    spacing = spacing_mm if spacing_mm is not None else (0.2 if film else 0.1)
    study = _uid(seed, "study")
    images = []
    for lat in (Laterality.LEFT, Laterality.RIGHT):
        plan_rng = np.random.default_rng([seed, _STREAM_PLAN, 1, _SIDE_CODE[lat]])
        findings, plans = plan_findings(by_side[lat], plan_rng, prefix=f"{lat.value}")
        breast = _breast(seed, lat)
        for view in (View.CC, View.MLO):
            images.append(
                _image(
                    seed,
                    scene,
                    breast,
                    density,
                    plans,
                    findings,
                    view,
                    lat,
                    spacing,
                    None,
                    film,
                    study,
                    detector,
                )
            )
    return images


def _image(
    seed: int,
    scene: str,
    breast: BreastSpec,
    density: str,
    plans: list[CalcPlan],
    findings: list[FindingPlan],
    view: View,
    laterality: Laterality,
    spacing_mm: float,
    shape_px: tuple[int, int] | None,
    film: bool,
    study_uid: str,
    detector: Detector | None = None,
) -> SimulatedImage:
    rng = np.random.default_rng([seed, _STREAM_VIEW, _SIDE_CODE[laterality], _VIEW_CODE[view]])
    rendered = render_view(
        breast, density, plans, view, laterality, spacing_mm, shape_px, film, rng, detector=detector
    )
    pixels, breast_mask, pectoral = rendered.pixels, rendered.breast, rendered.pectoral
    if laterality == Laterality.RIGHT:
        pixels, breast_mask, pectoral = pixels[:, ::-1], breast_mask[:, ::-1], pectoral[:, ::-1]
    name = f"sim-{seed:05d}-{laterality.value}-{view.value}"
    mammogram = Mammogram(
        pixels=np.ascontiguousarray(pixels),
        spacing_mm=spacing_mm,
        laterality=laterality,
        view=view,
        identifiers=Identifiers(
            source=f"simulated:{name}",
            study_uid=study_uid,
            series_uid=_uid(seed, f"series-{laterality.value}-{view.value}"),
            sop_uid=_uid(seed, f"sop-{laterality.value}-{view.value}"),
        ),
        is_film=film,
    )
    truth = _truth(
        seed,
        scene,
        density,
        rendered,
        findings,
        laterality,
        np.ascontiguousarray(breast_mask),
        np.ascontiguousarray(pectoral),
    )
    return SimulatedImage(mammogram=mammogram, truth=truth)


def _truth(
    seed: int,
    scene: str,
    density: str,
    rendered: RenderedView,
    findings: list[FindingPlan],
    laterality: Laterality,
    breast_mask: np.ndarray,
    pectoral: np.ndarray,
) -> Truth:
    layout = rendered.layout
    cols = layout.shape_px[1]
    spacing = layout.spacing_mm
    mirror = laterality == Laterality.RIGHT

    def col(c: float) -> float:
        return (cols - 1 - c) if mirror else c

    calcs = []
    for placed in rendered.calcifications:
        r = placed.rendered
        centroid = (r.centroid_px[0], col(r.centroid_px[1]))
        calcs.append(
            TruthCalcification(
                id=placed.plan.id,
                centroid_px=(round(centroid[0], 2), round(centroid[1], 2)),
                centroid_mm=(round(centroid[0] * spacing, 3), round(centroid[1] * spacing, 3)),
                diameter_mm=round(r.diameter_mm, 4),
                length_mm=round(r.length_mm, 4),
                width_mm=round(r.width_mm, 4),
                area_mm2=round(r.area_mm2, 5),
                thickness_mm=round(r.max_thickness_mm, 4),
                morphology=placed.plan.morphology,
                visible=is_visible(placed.cnr),
                cnr=round(placed.cnr, 3),
                contrast=round(placed.contrast, 4),
                outline_px=[(p[0], round(col(p[1]), 2)) for p in r.outline_px],
                finding_id=placed.plan.finding_id,
            )
        )
    by_id = {c.id: c for c in calcs}
    truth_findings = [
        _finding(f, [by_id[i] for i in f.calcification_ids], spacing, laterality, layout.view)
        for f in findings
    ]
    nipple = (layout.nipple_mm[0] / spacing, col(layout.nipple_mm[1] / spacing))
    return Truth(
        simulator_version=__version__,
        seed=seed,
        scene=scene,
        laterality=laterality,
        view=layout.view,
        density=density,
        spacing_mm=spacing,
        shape_px=layout.shape_px,
        is_film=rendered.film,
        chest_wall="right" if mirror else "left",
        nipple_px=(round(nipple[0], 2), round(nipple[1], 2)),
        breast_area_cm2=round(float(breast_mask.sum()) * spacing**2 / 100.0, 3),
        breast_mask_rle=mask_to_rle(breast_mask),
        pectoral_mask_rle=mask_to_rle(pectoral) if pectoral.any() else [],
        dose={
            "detector_kerma_ugy": rendered.detector.detector_kerma_ugy,
            "open_field_photons_per_pixel": round(rendered.open_field_photons, 1),
            "bits_stored": float(rendered.detector.bits_stored),
            "compressed_thickness_mm": round(rendered.thickness_mm, 1),
        },
        calcifications=calcs,
        findings=truth_findings,
    )


def _finding(
    plan: FindingPlan,
    members: list[TruthCalcification],
    spacing: float,
    laterality: Laterality,
    view: View,
) -> TruthFinding:
    points = np.array([p for m in members for p in (m.outline_px or [m.centroid_px])], dtype=float)
    centroid = np.array([m.centroid_px for m in members]).mean(axis=0)
    low, high = points.min(axis=0), points.max(axis=0)
    return TruthFinding(
        id=f"{laterality.value}-{view.value}-{plan.id}",
        kind=plan.recipe.kind,
        morphology=[plan.recipe.morphology],
        distribution=plan.recipe.distribution,
        calcification_ids=list(plan.calcification_ids),
        centroid_px=(round(float(centroid[0]), 2), round(float(centroid[1]), 2)),
        centroid_mm=(
            round(float(centroid[0]) * spacing, 3),
            round(float(centroid[1]) * spacing, 3),
        ),
        bbox_px=(
            int(np.floor(low[0])),
            int(np.floor(low[1])),
            int(np.ceil(high[0])),
            int(np.ceil(high[1])),
        ),
        extent_mm=round(_greatest_distance(points) * spacing, 3),
        count=len(members),
        category=plan.recipe.category,
        management=plan.recipe.category.management,
        exam_finding=plan.id,
    )


def _greatest_distance(points: np.ndarray) -> float:
    if len(points) < 2:
        return 0.0
    if len(points) > 400:
        from scipy.spatial import ConvexHull

        points = points[ConvexHull(points).vertices]
    diff = points[:, None, :] - points[None, :, :]
    return float(np.sqrt((diff**2).sum(axis=2)).max())


def _breast(seed: int, laterality: Laterality) -> BreastSpec:
    """The breast of this side; the right one is the left one's near twin."""
    left = draw_breast(np.random.default_rng([seed, _STREAM_BREAST]))
    if laterality == Laterality.LEFT:
        return left
    return contralateral(left, np.random.default_rng([seed, _STREAM_BREAST, 1]))


def _detector(
    film: bool, detector_kerma_ugy: float, bits_stored: int, motion_mm: float, motion_deg: float
) -> Detector:
    if not (0.0 <= motion_mm <= 3.0):
        raise ParameterError(f"motion_mm must be between 0 and 3 mm, got {motion_mm}.")
    if not (5.0 <= detector_kerma_ugy <= 2000.0):
        raise ParameterError(
            f"detector_kerma_ugy must be between 5 and 2000 uGy, got {detector_kerma_ugy}."
        )
    if bits_stored not in (12, 14):
        raise ParameterError(f"bits_stored must be 12 or 14, got {bits_stored}.")
    base = FILM_DETECTOR if film else Detector(bits_stored=bits_stored)
    return replace(
        base, detector_kerma_ugy=detector_kerma_ugy, motion_mm=motion_mm, motion_deg=motion_deg
    )


def _uid(seed: int, what: str) -> str:
    return str(generate_uid(entropy_srcs=["mammocalc-simulate", str(seed), what]))


def _check(
    seed: int,
    view: View | str,
    laterality: Laterality | str,
    density: str,
    scene: str,
    spacing_mm: float | None,
    film: bool,
) -> tuple[View, Laterality, float]:
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}.")
    try:
        view = View(view)
    except ValueError:
        raise ParameterError(f"view must be CC or MLO, got {view!r}.") from None
    if view not in (View.CC, View.MLO):
        raise ParameterError(f"view must be CC or MLO, got {view.value!r}.")
    try:
        laterality = Laterality(laterality)
    except ValueError:
        raise ParameterError(f"laterality must be L or R, got {laterality!r}.") from None
    if density not in DENSITIES:
        raise ParameterError(f"density must be one of a, b, c, d (BI-RADS), got {density!r}.")
    if scene not in SCENES:
        raise ParameterError(f"scene {scene!r} is unknown; choose one of: {', '.join(SCENES)}.")
    spacing = spacing_mm if spacing_mm is not None else (0.2 if film else 0.1)
    if not (0.02 <= spacing <= 0.5):
        raise ParameterError(f"spacing_mm must be between 0.02 and 0.5 mm, got {spacing}.")
    return view, laterality, float(spacing)


def _check_shape(shape_px: tuple[int, int] | None, spacing_mm: float) -> None:
    if shape_px is None:
        return
    if len(shape_px) != 2 or min(shape_px) < 64 or max(shape_px) > 12000:
        raise ParameterError(
            f"shape_px must be (rows, cols) between 64 and 12000 pixels, got {shape_px}."
        )
    if min(shape_px) * spacing_mm < 40.0:
        raise ParameterError(
            f"shape_px {tuple(shape_px)} at {spacing_mm} mm is under 40 mm on a side; "
            "a breast needs a larger field (more pixels or a larger spacing_mm)."
        )
