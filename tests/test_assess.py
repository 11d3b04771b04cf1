"""Assessment: each pathway row's category and management, reasons, breasts, exam, CC/MLO."""

from __future__ import annotations

import pytest

from mammocalc._matching import match_cost
from mammocalc.assess import assess, categorise, category_from_probability
from mammocalc.models import Finding, ImageResult, MorphologyCall
from mammocalc.vocabulary import (
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Management,
    Morphology,
    View,
)


def finding(
    morphology: dict[Morphology, float],
    *,
    probability: float | None = 0.3,
    kind: FindingKind = FindingKind.CLUSTER,
    distribution: Distribution | None = Distribution.GROUPED,
    count: int = 14,
    extent_mm: float = 6.0,
    fid: str = "L-CC-1",
    view: View = View.CC,
    laterality: Laterality = Laterality.LEFT,
    nipple_mm: float = 60.0,
    **features: float,
) -> Finding:
    """A characterised finding (as ``characterise`` returns it) with the given evidence."""
    calls = [MorphologyCall(descriptor=m, confidence=c) for m, c in morphology.items()]
    return Finding(
        id=fid,
        image=fid.rsplit("-", 1)[0],
        laterality=laterality,
        view=view,
        kind=kind,
        calcification_ids=list(range(count)),
        centroid_px=(100.0, 100.0),
        centroid_mm=(7.0, 7.0),
        bbox_px=(90, 90, 110, 110),
        extent_mm=extent_mm,
        count=count,
        density_per_cm2=30.0,
        distribution=distribution,
        detection_score=0.9,
        features={"distance_to_nipple_mm": nipple_mm, "resolution_fit": 1.0, **features},
        morphology=calls,
        malignancy_probability=probability,
        probability_interval=None if probability is None else (probability, probability),
    )


# --- the pathway of reference section 1, one row each ------------------------------------------


def coarse_macro(**features: float) -> Finding:
    """One coarse macrocalcification, characterised."""
    return finding(
        {Morphology.COARSE: 0.9},
        kind=FindingKind.MACROCALCIFICATION,
        distribution=None,
        count=1,
        probability=0.004,
        **features,
    )


def test_row_1_macrocalcification_is_benign_routine_screening() -> None:
    macro = coarse_macro(diameter_max_mm=3.2)
    category, reasons = categorise(macro)
    assert category == Category.BENIGN
    assert category.management == Management.ROUTINE_SCREENING
    assert "one calcification 3.2 mm across" in reasons


def test_row_2_microcalcifications_needing_a_closer_look_get_magnification_views() -> None:
    uncertain = finding({Morphology.FINE_PLEOMORPHIC: 0.3, Morphology.PUNCTATE: 0.2})
    category, reasons = categorise(uncertain)
    assert category == Category.INCOMPLETE
    assert category.management == Management.MAGNIFICATION_VIEWS
    assert any("uncertain" in r for r in reasons)
    coarse_film = finding(
        {Morphology.PUNCTATE: 0.9}, resolution_fit=0.0, spacing_mm=0.2, median_diameter_px=1.5
    )
    category, reasons = categorise(coarse_film)
    assert category == Category.INCOMPLETE
    assert any("1.5 pixels across at 0.200 mm" in r for r in reasons)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (FindingKind.VASCULAR, {Morphology.VASCULAR: 0.9}),
        (FindingKind.CLUSTER, {Morphology.RIM: 0.9}),
        (FindingKind.CLUSTER, {Morphology.ROUND: 0.8, Morphology.RIM: 0.6}),
        (FindingKind.CLUSTER, {Morphology.MILK_OF_CALCIUM: 0.8}),
        (FindingKind.CLUSTER, {Morphology.SKIN: 0.8}),
    ],
)
def test_row_3_benign_calcifications_get_annual_screening(
    kind: FindingKind, words: dict[Morphology, float]
) -> None:
    category, _ = categorise(finding(words, kind=kind, probability=0.2))
    assert category == Category.BENIGN
    assert category.management == Management.ROUTINE_SCREENING


def test_row_4_single_group_of_punctate_is_probably_benign_six_month_follow_up() -> None:
    category, reasons = categorise(finding({Morphology.PUNCTATE: 0.9}, probability=0.17))
    assert category == Category.PROBABLY_BENIGN
    assert category.management == Management.SHORT_INTERVAL_FOLLOW_UP
    assert any("single group of round or punctate" in r for r in reasons)


@pytest.mark.parametrize(
    ("words", "distribution", "probability", "expected"),
    [
        ({Morphology.AMORPHOUS: 0.8}, Distribution.GROUPED, 0.08, Category.SUSPICIOUS_LOW),
        (
            {Morphology.FINE_PLEOMORPHIC: 0.9},
            Distribution.GROUPED,
            0.47,
            Category.SUSPICIOUS_MODERATE,
        ),
        (
            {Morphology.FINE_LINEAR_BRANCHING: 0.9},
            Distribution.GROUPED,
            0.88,
            Category.SUSPICIOUS_HIGH,
        ),
        (
            {Morphology.FINE_LINEAR_BRANCHING: 0.9},
            Distribution.SEGMENTAL,
            0.96,
            Category.HIGHLY_SUGGESTIVE,
        ),
        ({Morphology.AMORPHOUS: 0.9}, Distribution.SEGMENTAL, 0.3, Category.SUSPICIOUS_MODERATE),
    ],
)
def test_row_5_irregular_or_tightly_clustered_go_to_biopsy(
    words: dict[Morphology, float],
    distribution: Distribution,
    probability: float,
    expected: Category,
) -> None:
    category, reasons = categorise(
        finding(words, distribution=distribution, probability=probability)
    )
    assert category == expected
    assert category.management == Management.STEREOTACTIC_BIOPSY
    assert any(f"BI-RADS {expected.value} range" in r for r in reasons)


@pytest.mark.parametrize("distribution", [Distribution.LINEAR, Distribution.SEGMENTAL])
def test_fine_linear_branching_along_a_duct_is_the_classic_category_5(
    distribution: Distribution,
) -> None:
    """BI-RADS 5 whatever the calibrated probability (here 4C's range), with both reasons; not
    when the fine linear call is weak, the cluster grouped, or a rod-like or vascular call is as
    firm as the fine linear one (a benign mimic); a weaker rod-like call (a thick branch point or
    two of a casting) does not stop it."""
    classic = finding({Morphology.FINE_LINEAR_BRANCHING: 0.67}, distribution=distribution)
    category, reasons = categorise(classic.model_copy(update={"malignancy_probability": 0.91}))
    assert category == Category.HIGHLY_SUGGESTIVE
    assert category.management == Management.STEREOTACTIC_BIOPSY
    assert "BI-RADS 4C range" in reasons[-1] and reasons[-1].endswith("BI-RADS 5")
    assert f"in a {distribution.value} distribution" in reasons[-1]
    weak = finding(
        {Morphology.FINE_PLEOMORPHIC: 0.9, Morphology.FINE_LINEAR_BRANCHING: 0.45},
        distribution=distribution,
    )
    grouped = finding({Morphology.FINE_LINEAR_BRANCHING: 0.9}, distribution=Distribution.GROUPED)
    secretory = finding(
        {Morphology.LARGE_ROD_LIKE: 0.9, Morphology.FINE_LINEAR_BRANCHING: 0.67},
        distribution=distribution,
    )
    as_firm = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 1.0, Morphology.LARGE_ROD_LIKE: 1.0},
        distribution=distribution,
    )
    vessel = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 0.67, Morphology.VASCULAR: 0.9},
        distribution=distribution,
    )
    for other in (weak, grouped, secretory, as_firm, vessel):
        other = other.model_copy(update={"malignancy_probability": 0.91})
        assert categorise(other)[0] == Category.SUSPICIOUS_HIGH
    branch_points = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 1.0, Morphology.LARGE_ROD_LIKE: 0.67},
        distribution=distribution,
    )
    branch_points = branch_points.model_copy(update={"malignancy_probability": 0.91})
    assert categorise(branch_points)[0] == Category.HIGHLY_SUGGESTIVE
    # only 4C is lifted: a lower probability keeps its range
    lower = classic.model_copy(update={"malignancy_probability": 0.3})
    assert categorise(lower)[0] == Category.SUSPICIOUS_MODERATE


@pytest.mark.parametrize("distribution", [Distribution.LINEAR, Distribution.SEGMENTAL])
def test_round_or_punctate_along_a_duct_in_4b_range_is_of_low_suspicion_4a(
    distribution: Distribution,
) -> None:
    """Round or punctate only, linear or segmental, probability in 4B's range: 4A (the same
    biopsy), both reasons given. Other ranges keep their category; a suspicious or another
    benign form beside them leaves the probability's range."""
    for form in (Morphology.PUNCTATE, Morphology.ROUND):
        duct = finding({form: 0.9}, distribution=distribution, probability=0.25)
        category, reasons = categorise(duct)
        assert category == Category.SUSPICIOUS_LOW
        assert category.management == Management.STEREOTACTIC_BIOPSY
        assert "BI-RADS 4B range" in reasons[-1]
        assert f"in a {distribution.value} distribution are of low suspicion" in reasons[-1]
    for p in (0.015, 0.06, 0.6):
        other_range = finding({Morphology.PUNCTATE: 0.9}, distribution=distribution, probability=p)
        category, reasons = categorise(other_range)
        assert category == category_from_probability(p) and "low suspicion" not in reasons[-1]
    for beside in (Morphology.AMORPHOUS, Morphology.DYSTROPHIC):
        mixed = {Morphology.PUNCTATE: 0.9, beside: 0.6}
        assert (
            categorise(finding(mixed, distribution=distribution))[0] == Category.SUSPICIOUS_MODERATE
        )


def test_round_or_punctate_over_a_region_are_benign() -> None:
    """Round or punctate calcifications scattered over a region are typically benign (2), as
    diffuse ones are, whatever the probability; a suspicious or another benign form beside them
    leaves the probability's range."""
    for form in (Morphology.PUNCTATE, Morphology.ROUND):
        region = finding({form: 0.9}, distribution=Distribution.REGIONAL, probability=0.3)
        category, reasons = categorise(region)
        assert category == Category.BENIGN
        assert category.management == Management.ROUTINE_SCREENING
        assert "scattered over a region" in reasons[-1]
    mostly_round = {Morphology.ROUND: 0.9, Morphology.DYSTROPHIC: 0.6}  # as a group would be 3
    region = finding(mostly_round, distribution=Distribution.REGIONAL, probability=0.3)
    assert categorise(region)[0] == Category.BENIGN
    scatter = finding(
        {Morphology.PUNCTATE: 0.9},
        kind=FindingKind.SCATTERED,
        distribution=Distribution.REGIONAL,
        probability=0.3,
    )
    assert categorise(scatter)[0] == Category.BENIGN
    mixed = {Morphology.PUNCTATE: 0.9, Morphology.AMORPHOUS: 0.6}
    region = finding(mixed, distribution=Distribution.REGIONAL, probability=0.3)
    assert categorise(region)[0] == Category.SUSPICIOUS_MODERATE


def test_a_description_without_a_count_is_not_too_few_to_group() -> None:
    """A descriptor-only finding (CBIS-DDSM rows: no calcification counted, count 0) of grouped
    punctate calcifications is a single group (3), not "too few" (2)."""
    described = finding({Morphology.PUNCTATE: 1.0}, count=0, probability=0.2)
    assert categorise(described)[0] == Category.PROBABLY_BENIGN


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, Category.PROBABLY_BENIGN),
        (0.02, Category.PROBABLY_BENIGN),
        (0.0201, Category.SUSPICIOUS_LOW),
        (0.10, Category.SUSPICIOUS_LOW),
        (0.1001, Category.SUSPICIOUS_MODERATE),
        (0.50, Category.SUSPICIOUS_MODERATE),
        (0.5001, Category.SUSPICIOUS_HIGH),
        (0.9499, Category.SUSPICIOUS_HIGH),
        (0.95, Category.HIGHLY_SUGGESTIVE),
        (1.0, Category.HIGHLY_SUGGESTIVE),
    ],
)
def test_probability_ranges_follow_birads(p: float, expected: Category) -> None:
    assert category_from_probability(p) == expected


def test_not_characterised_is_incomplete() -> None:
    category, _ = categorise(finding({}, probability=None))
    assert category == Category.INCOMPLETE


def test_reasons_are_built_from_measurements() -> None:
    f = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 0.9},
        distribution=Distribution.LINEAR,
        probability=0.8,
        size_ratio=3.1,
    )
    _, reasons = categorise(f)
    text = "; ".join(reasons)
    assert "14 calcifications within 6.0 mm" in text
    assert "sizes vary 3.1-fold" in text
    assert "arranged in a line" in text
    assert "estimated chance of cancer 80%" in text


# --- exam level ---------------------------------------------------------------------------------


def image(source: str, side: Laterality, view: View, findings: list[Finding]) -> ImageResult:
    return ImageResult(
        source=source,
        laterality=side,
        view=view,
        shape_px=(100, 100),
        spacing_mm=0.07,
        breast_area_cm2=100.0,
        calcifications=[],
        findings=findings,
    )


def test_breast_takes_its_worst_finding_and_empty_breast_is_negative() -> None:
    left = [
        finding({Morphology.PUNCTATE: 0.9}, probability=0.1, fid="L-CC-1", nipple_mm=30.0),
        finding({Morphology.FINE_PLEOMORPHIC: 0.9}, probability=0.6, fid="L-CC-2", nipple_mm=90),
    ]
    images = [
        image("L-CC", Laterality.LEFT, View.CC, left),
        image("R-CC", Laterality.RIGHT, View.CC, []),
    ]
    out, breasts, exam = assess(images)
    by_side = {b.laterality: b for b in breasts}
    assert by_side[Laterality.LEFT].category == Category.SUSPICIOUS_HIGH
    assert by_side[Laterality.LEFT].finding_ids[0] == "L-CC-2"
    assert by_side[Laterality.RIGHT].category == Category.NEGATIVE
    assert by_side[Laterality.RIGHT].management == Management.ROUTINE_SCREENING
    assert exam == Category.SUSPICIOUS_HIGH
    assert all(f.category is not None and f.management for im in out for f in im.findings)


def test_cc_and_mlo_of_one_finding_are_matched_and_reported_once() -> None:
    cc = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, probability=0.45, fid="L-CC-1", nipple_mm=52)
    mlo = finding(
        {Morphology.FINE_PLEOMORPHIC: 0.8},
        probability=0.55,
        fid="L-MLO-1",
        view=View.MLO,
        nipple_mm=58,
        count=11,
    )
    far = finding(
        {Morphology.FINE_PLEOMORPHIC: 0.8},
        probability=0.3,
        fid="L-MLO-2",
        view=View.MLO,
        nipple_mm=110,
    )
    images = [
        image("L-CC", Laterality.LEFT, View.CC, [cc]),
        image("L-MLO", Laterality.LEFT, View.MLO, [mlo, far]),
    ]
    out, breasts, _ = assess(images)
    found = {f.id: f for im in out for f in im.findings}
    assert found["L-CC-1"].matched_finding == "L-MLO-1"
    assert found["L-MLO-1"].matched_finding == "L-CC-1"
    assert found["L-MLO-2"].matched_finding is None
    # one lesion, one answer: both views carry the worse category (4C from the MLO's 55%)
    assert found["L-CC-1"].category == found["L-MLO-1"].category == Category.SUSPICIOUS_HIGH
    assert breasts[0].finding_ids == ["L-MLO-1", "L-MLO-2"]
    assert any("also seen on the CC view as L-CC-1" in r for r in found["L-MLO-1"].reasons)


def test_a_skin_call_made_by_place_on_one_view_does_not_stop_the_match() -> None:
    """The distance to the skin line differs between views: the same coarse macrocalcification
    led by skin-by-place on the CC and by coarse on the MLO matches at the nipple difference
    alone, while a different leading form costs 5 mm more."""
    kind = FindingKind.MACROCALCIFICATION
    cc = finding(
        {Morphology.SKIN: 0.6, Morphology.COARSE: 1.0}, kind=kind, count=1, skin_by_place=1.0
    )
    mlo = finding({Morphology.COARSE: 1.0}, kind=kind, count=1, view=View.MLO, nipple_mm=62)
    assert match_cost(cc, mlo) == pytest.approx(2.0)
    rim = finding({Morphology.RIM: 0.8}, kind=kind, count=1, view=View.MLO, nipple_mm=62)
    assert match_cost(cc, rim) == pytest.approx(7.0)
    made_by_shape = cc.model_copy(update={"features": {**cc.features, "skin_by_place": 0.0}})
    assert match_cost(made_by_shape, mlo) == pytest.approx(7.0)


def test_different_findings_are_not_matched() -> None:
    cc = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, fid="R-CC-1", laterality=Laterality.RIGHT)
    macro = finding(
        {Morphology.COARSE: 0.9},
        kind=FindingKind.MACROCALCIFICATION,
        count=1,
        fid="R-MLO-1",
        view=View.MLO,
        laterality=Laterality.RIGHT,
    )
    images = [
        image("R-CC", Laterality.RIGHT, View.CC, [cc]),
        image("R-MLO", Laterality.RIGHT, View.MLO, [macro]),
    ]
    out, breasts, _ = assess(images)
    assert all(f.matched_finding is None for im in out for f in im.findings)
    assert sorted(breasts[0].finding_ids) == ["R-CC-1", "R-MLO-1"]


def diffuse(fid: str, side: Laterality) -> Finding:
    return finding(
        {Morphology.AMORPHOUS: 0.8},
        kind=FindingKind.SCATTERED,
        distribution=Distribution.DIFFUSE,
        probability=0.2,
        fid=fid,
        laterality=side,
    )


def test_bilateral_diffuse_scattered_calcifications_are_benign() -> None:
    images = [
        image("L-CC", Laterality.LEFT, View.CC, [diffuse("L-CC-1", Laterality.LEFT)]),
        image("R-CC", Laterality.RIGHT, View.CC, [diffuse("R-CC-1", Laterality.RIGHT)]),
    ]
    out, breasts, exam = assess(images)
    assert exam == Category.BENIGN
    assert all(b.category == Category.BENIGN for b in breasts)
    assert any("both breasts" in r for r in out[0].findings[0].reasons)


def test_unilateral_diffuse_amorphous_is_not_called_benign() -> None:
    images = [
        image("L-CC", Laterality.LEFT, View.CC, [diffuse("L-CC-1", Laterality.LEFT)]),
        image("R-CC", Laterality.RIGHT, View.CC, []),
    ]
    _, _, exam = assess(images)
    assert exam == Category.SUSPICIOUS_MODERATE


def test_exam_without_images_is_negative() -> None:
    images, breasts, exam = assess([])
    assert images == [] and breasts == [] and exam == Category.NEGATIVE


def test_a_single_linear_calcification_is_not_a_suspicious_group() -> None:
    long_thin = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 0.8},
        kind=FindingKind.MACROCALCIFICATION,
        distribution=None,
        count=1,
        probability=0.3,
    )
    assert categorise(long_thin)[0] == Category.BENIGN


def test_too_few_round_or_punctate_specks_are_no_group_and_benign() -> None:
    """Three punctate specks are scattered, not a group (the lexicon's grouped needs about 5; at
    the detector's sensitivity 4 are seen): benign; four are a probably benign group."""
    category, reasons = categorise(finding({Morphology.PUNCTATE: 0.9}, count=3, probability=0.08))
    assert category is Category.BENIGN
    assert any("too few to form a group (at least 4)" in r for r in reasons)
    assert categorise(finding({Morphology.PUNCTATE: 0.9}, count=4))[0] is Category.PROBABLY_BENIGN
    # the count decides only for round or punctate forms: three fine pleomorphic ones are not benign
    few = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, count=3, probability=0.3)
    assert categorise(few)[0] is Category.SUSPICIOUS_MODERATE


@pytest.mark.parametrize(
    ("feature", "enough", "reason"),
    [
        # 20 or more others scattered over the breast: a chance gathering of a diffuse population
        ("scattered_in_breast", 20.0, "among 20 others scattered through the breast"),
        # 6 or more others within 20 mm: a piece of a regional scatter
        ("calcifications_nearby", 6.0, "with 6 others within 20 mm"),
    ],
)
def test_a_round_group_among_many_other_calcifications_is_benign(
    feature: str, enough: float, reason: str
) -> None:
    """A group of round or punctate calcifications among many others (diffuse over the breast,
    or regional around it) is benign, not a single group (3). Fewer, a suspicious form, a line
    or a segment, or an unknown count do not decide."""
    among = finding({Morphology.ROUND: 0.9}, count=6, probability=0.05, **{feature: enough})
    category, reasons = categorise(among)
    assert category is Category.BENIGN
    assert any(reason in r for r in reasons)
    fewer = finding({Morphology.ROUND: 0.9}, count=6, probability=0.05, **{feature: enough - 1})
    assert categorise(fewer)[0] is Category.PROBABLY_BENIGN
    pleomorphic = {Morphology.FINE_PLEOMORPHIC: 0.9}
    suspicious = finding(pleomorphic, probability=0.3, **{feature: 40.0})
    assert categorise(suspicious)[0] is Category.SUSPICIOUS_MODERATE
    for shape in (Distribution.LINEAR, Distribution.SEGMENTAL):
        ducts = finding({Morphology.PUNCTATE: 0.9}, probability=0.3, distribution=shape)
        ducts = ducts.model_copy(update={"features": {**ducts.features, feature: 40.0}})
        assert categorise(ducts)[0] is Category.SUSPICIOUS_LOW  # a biopsy, not benign
    unknown = finding({Morphology.ROUND: 0.9}, count=6, **{feature: float("nan")})
    assert categorise(unknown)[0] is Category.PROBABLY_BENIGN


def test_a_line_of_round_calcifications_picked_out_of_a_scatter_is_benign() -> None:
    """A line of punctate calcifications with ``REGIONAL_MIN_NEARBY`` others within 20 mm, which
    with them read as a regional (or diffuse) scatter (``distribution_alternative``), is a chain
    single linkage picked out of the scatter (2), not a duct. Without that reading, with fewer
    neighbours, with a segment around it, or with a suspicious form, the line keeps its biopsy."""

    def line(
        words: dict[Morphology, float],
        nearby: float,
        alternative: Distribution | None,
        read_with_neighbours: float = 1.0,
    ) -> Finding:
        made = finding(words, probability=0.3, distribution=Distribution.LINEAR)
        features = {
            **made.features,
            "calcifications_nearby": nearby,
            "read_with_neighbours": read_with_neighbours,
        }
        return made.model_copy(
            update={"features": features, "distribution_alternative": alternative}
        )

    punctate = {Morphology.PUNCTATE: 0.9}
    for scatter in (Distribution.REGIONAL, Distribution.DIFFUSE):
        category, reasons = categorise(line(punctate, 6.0, scatter))
        assert category is Category.BENIGN
        assert any(
            "in a line with 6 others within 20 mm" in r and "not a duct" in r for r in reasons
        )
    for nearby, alternative in (
        (6.0, None),
        (5.0, Distribution.REGIONAL),
        (9.0, Distribution.SEGMENTAL),
    ):
        assert categorise(line(punctate, nearby, alternative))[0] is Category.SUSPICIOUS_LOW
    pleomorphic = line({Morphology.FINE_PLEOMORPHIC: 0.9}, 12.0, Distribution.REGIONAL)
    assert categorise(pleomorphic)[0] is Category.SUSPICIOUS_MODERATE
    # a regional alternative from the leave-one-out check, not from the neighbours: a line that
    # with its neighbours is still a line keeps its biopsy
    alone = line(punctate, 6.0, Distribution.REGIONAL, read_with_neighbours=0.0)
    assert categorise(alone)[0] is Category.SUSPICIOUS_LOW


def test_a_round_group_read_with_its_neighbours_as_a_segment_is_of_low_suspicion() -> None:
    """A grouped round cluster whose neighbours make a segment with it takes that distribution
    (group stage): punctate calcifications in a segmental distribution are 4A, not the benign
    scatter a grouped piece among neighbours would be."""
    made = finding({Morphology.PUNCTATE: 0.9}, probability=0.3, distribution=Distribution.SEGMENTAL)
    features = {**made.features, "calcifications_nearby": 9.0, "read_with_neighbours": 1.0}
    segment = made.model_copy(
        update={"features": features, "distribution_alternative": Distribution.GROUPED}
    )
    assert categorise(segment)[0] is Category.SUSPICIOUS_LOW


def test_confident_benign_forms_are_benign_at_any_pixel_spacing() -> None:
    """Coarse (popcorn) calcifications are large: tiny fragments beside them do not ask for
    magnification views, while the same specks alone do."""
    unresolved = {"resolution_fit": 0.0, "spacing_mm": 0.1, "median_diameter_px": 1.6}
    coarse = finding({Morphology.COARSE: 0.9, Morphology.ROUND: 0.6}, **unresolved)
    assert categorise(coarse)[0] is Category.BENIGN
    specks = finding({Morphology.PUNCTATE: 0.9}, **unresolved)
    assert categorise(specks)[0] is Category.INCOMPLETE


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ({Morphology.ROUND: 1.0, Morphology.DYSTROPHIC: 0.67}, Category.PROBABLY_BENIGN),
        ({Morphology.PUNCTATE: 0.9, Morphology.COARSE: 0.45}, Category.PROBABLY_BENIGN),
        ({Morphology.ROUND: 0.67, Morphology.RIM: 0.67}, Category.BENIGN),
        ({Morphology.ROUND: 1.0, Morphology.RIM: 0.45}, Category.BENIGN),  # a lucent centre seen
        ({Morphology.PUNCTATE: 1.0, Morphology.SKIN: 0.67}, Category.BENIGN),
        ({Morphology.DYSTROPHIC: 1.0, Morphology.ROUND: 0.67}, Category.BENIGN),
        ({Morphology.ROUND: 1.0, Morphology.DYSTROPHIC: 1.0}, Category.BENIGN),  # a tie
    ],
)
def test_a_group_called_round_first_is_a_group_of_round_calcifications(
    words: dict[Morphology, float], expected: Category
) -> None:
    """A benign word that round or punctate outweighs (two larger members of a round group that
    measure irregular) leaves the single-group rule to decide (3); a benign form called at least
    as firmly, or any lucent-centred form (rim, skin), is benign (2)."""
    category, reasons = categorise(finding(words, probability=0.01, count=6))
    assert category is expected
    if expected is Category.PROBABLY_BENIGN:
        assert "single group of round or punctate" in reasons[-1]


def test_a_macrocalcification_called_skin_by_its_place_says_so() -> None:
    """Skin put first by place (characterise's ``skin_by_place``): the reason gives the distance
    to the skin line; a skin call from lucent centres gets no such reason."""
    words = {Morphology.SKIN: 0.6, Morphology.COARSE: 1.0}
    kind = FindingKind.MACROCALCIFICATION
    macro = finding(words, kind=kind, count=1, distance_to_skin_mm=3.2, skin_by_place=1.0)
    category, reasons = categorise(macro)
    assert category is Category.BENIGN
    assert "3.2 mm from the skin line, where skin calcifications lie" in reasons
    ring = finding({Morphology.SKIN: 0.8}, kind=kind, count=1, distance_to_skin_mm=3.2)
    assert not any("from the skin line" in r for r in categorise(ring)[1])


def test_a_suspicious_form_beside_a_benign_one_is_not_called_benign() -> None:
    mixed = finding({Morphology.COARSE: 0.9, Morphology.FINE_PLEOMORPHIC: 0.45}, probability=0.3)
    assert categorise(mixed)[0] is Category.SUSPICIOUS_MODERATE


def test_a_call_one_calcification_makes_neither_raises_nor_lowers_the_category() -> None:
    """A call of at most 1/3 (one member of a cluster) is left out, as in the probability."""
    lone = finding({Morphology.COARSE: 0.9, Morphology.FINE_LINEAR_BRANCHING: 0.3})
    assert categorise(lone)[0] is Category.BENIGN
    group = finding({Morphology.PUNCTATE: 0.9, Morphology.FINE_PLEOMORPHIC: 0.3})
    assert categorise(group)[0] is Category.PROBABLY_BENIGN


def test_a_dermal_cluster_is_benign_or_asks_for_a_tangential_view() -> None:
    """A dermal cluster (lucent centres, characterise's ``dermal`` feature) led firmly by skin
    is benign; when a suspicious form is firm too it is 0 (a tangential view), never 2. Skin
    leading without the dermal feature, or weakly, does not decide: the probability does."""
    dermal = finding({Morphology.SKIN: 1.0, Morphology.ROUND: 1.0}, probability=0.35, dermal=1.0)
    assert categorise(dermal)[0] is Category.BENIGN
    mixed = {Morphology.SKIN: 1.0, Morphology.COARSE_HETEROGENEOUS: 1.0}
    category, reasons = categorise(finding(mixed, probability=0.35, dermal=1.0))
    assert category is Category.INCOMPLETE
    assert any("tangential view" in r for r in reasons)
    assert categorise(finding(mixed, probability=0.35))[0] is Category.SUSPICIOUS_MODERATE
    weak = {Morphology.SKIN: 0.3, Morphology.COARSE_HETEROGENEOUS: 1.0}
    assert (
        categorise(finding(weak, probability=0.35, dermal=1.0))[0] is Category.SUSPICIOUS_MODERATE
    )


def test_a_group_near_the_reporting_threshold_is_confirmed_before_biopsy() -> None:
    """A cluster or scatter of a biopsy category scoring within ``CONFIRM_SCORE_MARGIN`` of its
    image's reporting threshold gets magnification views (0), with both reasons; a firmer
    group, a group without the threshold feature (a description), and a category without biopsy
    keep theirs."""
    for kind in (FindingKind.CLUSTER, FindingKind.SCATTERED):
        suspicious = finding(
            {Morphology.FINE_PLEOMORPHIC: 0.9}, kind=kind, probability=0.3, reporting_floor=0.54
        )
        category, reasons = categorise(suspicious.model_copy(update={"detection_score": 0.58}))
        assert category == Category.INCOMPLETE
        assert category.management == Management.MAGNIFICATION_VIEWS
        assert "BI-RADS 4B range" in reasons[-1]
        assert "0.58, is within 0.06 of the reporting threshold 0.54" in reasons[-1]
        edge = suspicious.model_copy(update={"detection_score": 0.6})
        assert categorise(edge)[0] == Category.SUSPICIOUS_MODERATE
    film = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, probability=0.3, reporting_floor=0.36)
    assert categorise(film.model_copy(update={"detection_score": 0.45}))[0] == (
        Category.SUSPICIOUS_MODERATE
    )
    described = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, probability=0.3)
    assert categorise(described.model_copy(update={"detection_score": 0.1}))[0] == (
        Category.SUSPICIOUS_MODERATE
    )
    group = finding({Morphology.PUNCTATE: 0.9}, probability=0.1, reporting_floor=0.54)
    assert categorise(group.model_copy(update={"detection_score": 0.55}))[0] == (
        Category.PROBABLY_BENIGN
    )


def test_a_faint_view_matched_to_a_firm_one_keeps_its_category() -> None:
    """The confirm-first check uses the higher score of matched CC and MLO views: a 5-range
    group faint on CC but firm on MLO is one lesion, category 5 on both views and the breast,
    while the same pair faint on both views asks for magnification views."""

    def view(fid: str, v: View, score: float) -> Finding:
        return finding(
            {Morphology.FINE_LINEAR_BRANCHING: 0.9},
            probability=0.97,
            fid=fid,
            view=v,
            reporting_floor=0.54,
        ).model_copy(update={"detection_score": score})

    def exam(cc_score: float, mlo_score: float) -> list[ImageResult]:
        return [
            image("cc", Laterality.LEFT, View.CC, [view("L-CC-1", View.CC, cc_score)]),
            image("mlo", Laterality.LEFT, View.MLO, [view("L-MLO-1", View.MLO, mlo_score)]),
        ]

    images, breasts, _ = assess(exam(0.55, 0.9))
    assert [f.category for im in images for f in im.findings] == [Category.HIGHLY_SUGGESTIVE] * 2
    assert breasts[0].category == Category.HIGHLY_SUGGESTIVE
    images, breasts, _ = assess(exam(0.55, 0.57))
    assert [f.category for im in images for f in im.findings] == [Category.INCOMPLETE] * 2
    assert breasts[0].category == Category.INCOMPLETE


def test_a_finding_held_for_magnification_views_stays_named_beside_a_biopsy() -> None:
    """A breast led by a biopsy finding still names another finding of the breast that asks for
    magnification views, in its reasons."""
    firm = finding({Morphology.FINE_PLEOMORPHIC: 0.9}, probability=0.3, fid="L-CC-1")
    faint = finding(
        {Morphology.FINE_LINEAR_BRANCHING: 0.9},
        probability=0.97,
        fid="L-CC-2",
        nipple_mm=20.0,
        reporting_floor=0.54,
    ).model_copy(update={"detection_score": 0.56, "centroid_mm": (40.0, 40.0)})
    _, breasts, _ = assess([image("cc", Laterality.LEFT, View.CC, [firm, faint])])
    assert breasts[0].category == Category.SUSPICIOUS_MODERATE
    assert any(r.startswith("L-CC-2, also: magnification views") for r in breasts[0].reasons)
