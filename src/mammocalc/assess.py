"""Assessment: a BI-RADS category, management and plain-word reasons per finding, breast and exam.

``categorise`` applies the rules of reference section 2 to one characterised finding (thresholds
in :mod:`mammocalc._thresholds`, documented in docs/triage.md). ``assess`` does it for every
finding of an exam, matches the same finding on the CC and MLO views of a breast (reported once,
with the worse of the two categories), treats bilateral diffuse scattered calcifications as
benign, and gives each breast its worst finding's category and the exam its worst breast's.
"""

from __future__ import annotations

from collections.abc import Sequence

from mammocalc import _thresholds as t
from mammocalc._matching import CRANIOCAUDAL_VIEWS, LATERAL_VIEWS, match_views
from mammocalc._reasons import describe_finding, probability_reason
from mammocalc.models import BreastAssessment, Finding, ImageResult
from mammocalc.settings import Settings
from mammocalc.vocabulary import (
    DUCTAL_DISTRIBUTIONS,
    SUSPICIOUS_MORPHOLOGIES,
    Category,
    Distribution,
    FindingKind,
    Laterality,
    Management,
    Morphology,
    worst,
)

__all__ = ["assess", "categorise"]

_ROUND_OR_PUNCTATE = frozenset({Morphology.ROUND, Morphology.PUNCTATE})
_SCATTERS = frozenset({Distribution.REGIONAL, Distribution.DIFFUSE})
_LUCENT_CENTRED = frozenset({Morphology.RIM, Morphology.SKIN})


def categorise(finding: Finding) -> tuple[Category, list[str]]:
    """The BI-RADS category of one characterised finding and the reasons, in plain words.

    Rules, first match wins: macrocalcification or vascular -> 2; only typically benign forms,
    one of them (not round or punctate) called confidently -> 2, at any pixel spacing (these
    forms are large), unless round or punctate is called more firmly than any other form with no
    rim or skin call (:func:`_mostly_round`: a group of round calcifications); not
    characterised, shape not resolved at this pixel spacing, or low descriptor confidence -> 0
    (magnification views); a dermal cluster led firmly by skin (``dermal`` feature) with a firm
    suspicious form too -> 0 (a tangential view shows whether they lie in the skin; without one,
    the benign-forms rule gave 2); typically benign morphology (with the same exception) -> 2;
    only round or punctate: diffuse, or grouped among ``DIFFUSE_MIN_SCATTERED`` others scattered
    over the breast (``scattered_in_breast``), or grouped with ``REGIONAL_MIN_NEARBY`` others
    within ``REGIONAL_NEARBY_MM`` (``calcifications_nearby``: a piece of a regional scatter) ->
    2, else grouped -> 3 (a single group at baseline); only (or mostly) round or punctate,
    regional -> 2; otherwise the probability's BI-RADS
    range: <= 2% -> 3, <= 10% -> 4A, <= 50% -> 4B, < 95% -> 4C, else 5, except that only round
    or punctate forms in a linear or segmental distribution in 4B's range are 4A (a form of low
    suspicion along a duct; the biopsy is the same); a 4C finding of firm
    fine linear branching in a linear or segmental cluster, without a large rod-like or vascular
    call as confident as it, -> 5 (the atlas's classic appearance). Last, a cluster or scatter
    whose category would bring a biopsy (4A-5) but whose detection score lies within
    ``CONFIRM_SCORE_MARGIN`` of its image's reporting threshold (it may be tissue or noise) -> 0
    (magnification views to confirm it); :func:`assess` checks this after CC-MLO matching, with
    the higher score of the two views.
    Descriptors count when their confidence exceeds ``RISK_IGNORE_CONFIDENCE`` (one
    calcification's worth), as in the probability.

    Parameters
    ----------
    finding : Finding
        With ``morphology`` and ``malignancy_probability`` from :func:`characterise`.

    Returns
    -------
    category : Category
    reasons : list of str
        Measurements first ("14 calcifications within 6 mm; sizes vary 3.1-fold"), then why
        this category.
    """
    reasons = describe_finding(finding)
    category, why = _rule(finding)
    unsure = _confirm_first(finding, category, finding.detection_score)
    if unsure:
        return Category.INCOMPLETE, [*reasons, f"{why}; but {unsure}"]
    return category, [*reasons, why]


def _confirm_first(finding: Finding, category: Category, score: float) -> str | None:
    """Why a group (cluster or scatter) of a biopsy category is confirmed with magnification
    views first, or None: its detection ``score`` (the higher of two matched views) lies less
    than ``CONFIRM_SCORE_MARGIN`` above its image's reporting threshold (feature
    ``reporting_floor``; findings without it, e.g. descriptions, are never held back)."""
    floor = finding.features.get("reporting_floor")
    grouped = finding.kind in (FindingKind.CLUSTER, FindingKind.SCATTERED)
    biopsy = category.management is Management.STEREOTACTIC_BIOPSY
    if floor is None or not grouped or not biopsy:
        return None
    if score >= floor + t.CONFIRM_SCORE_MARGIN - 1e-9:  # the margin's own edge is firm
        return None
    return (
        f"the detector's score for the group, {score:.2f}, is within "
        f"{t.CONFIRM_SCORE_MARGIN:.2f} of the reporting threshold {floor:.2f}: it may be tissue "
        "or noise; magnification views to confirm it first"
    )


def _rule(finding: Finding) -> tuple[Category, str]:
    if finding.kind == FindingKind.MACROCALCIFICATION:
        # a single calcification, even a linear one, is not a suspicious group (reference 2-3)
        return Category.BENIGN, "a macrocalcification: typically benign"
    if finding.kind == FindingKind.VASCULAR:
        return Category.BENIGN, "vascular calcification along a vessel: benign"
    words = _firm_descriptors(finding)
    if _confidently_benign_macro(finding, words):
        # coarse, rim, dystrophic, rod-like... forms are large: seen at any pixel spacing
        return Category.BENIGN, "typically benign morphology"
    unfit = _incomplete_reason(finding)
    if unfit:
        return Category.INCOMPLETE, unfit
    if _skin_leads(finding) and words & SUSPICIOUS_MORPHOLOGIES:
        # without a firm suspicious form, the benign-forms rule above has already called it 2
        return (
            Category.INCOMPLETE,
            "some calcifications have lucent centres, as skin calcifications do, but others "
            "look suspicious: a tangential view to show whether they lie in the skin",
        )
    if not words & SUSPICIOUS_MORPHOLOGIES:
        if words - _ROUND_OR_PUNCTATE and not _mostly_round(finding):
            return Category.BENIGN, "typically benign morphology"
        if finding.distribution == Distribution.DIFFUSE:
            return Category.BENIGN, "round or punctate calcifications scattered diffusely: benign"
        if finding.distribution == Distribution.REGIONAL:  # round or punctate, or mostly
            return (
                Category.BENIGN,
                "round or punctate calcifications scattered over a region: typically benign",
            )
        grouped = finding.distribution in (None, Distribution.GROUPED)
        scattered = finding.features.get("scattered_in_breast", 0.0)
        if grouped and scattered >= t.DIFFUSE_MIN_SCATTERED:  # NaN compares False
            return (
                Category.BENIGN,
                f"round or punctate calcifications among {scattered:.0f} others scattered "
                "through the breast (diffuse): benign",
            )
        nearby = finding.features.get("calcifications_nearby", 0.0)
        # a line single linkage picked out of a scatter: with its neighbours, no line or segment
        lined = (
            finding.distribution == Distribution.LINEAR
            and finding.features.get("read_with_neighbours", 0.0) >= 0.5
            and finding.distribution_alternative in _SCATTERS
        )
        if (grouped or lined) and nearby >= t.REGIONAL_MIN_NEARBY:  # NaN compares False
            return (
                Category.BENIGN,
                f"round or punctate calcifications {'in a line ' if lined else ''}with "
                f"{nearby:.0f} others within {t.REGIONAL_NEARBY_MM:.0f} mm: part of a regional "
                f"scatter, not {'a duct' if lined else 'a single group'}: benign",
            )
        if 0 < finding.count < t.GROUPED_MIN_COUNT:  # 0: a description, nothing counted
            return (
                Category.BENIGN,
                f"only {finding.count} round or punctate calcifications, too few to form a group "
                f"(at least {t.GROUPED_MIN_COUNT}): benign",
            )
        if finding.distribution in (None, Distribution.GROUPED):
            return (
                Category.PROBABLY_BENIGN,
                "a single group of round or punctate calcifications: probably benign at baseline",
            )
    probability = finding.malignancy_probability
    assert probability is not None  # _incomplete_reason returns a reason when it is missing
    category = category_from_probability(probability)
    shape = finding.distribution
    along_duct = shape in DUCTAL_DISTRIBUTIONS and bool(words) and words <= _ROUND_OR_PUNCTATE
    if category == Category.SUSPICIOUS_MODERATE and along_duct and shape is not None:
        return Category.SUSPICIOUS_LOW, (
            f"{probability_reason(finding)}; but round or punctate calcifications in a "
            f"{shape.value} distribution are of low suspicion: BI-RADS 4A"
        )
    if category == Category.SUSPICIOUS_HIGH and shape is not None and _classic_ductal(finding):
        return Category.HIGHLY_SUGGESTIVE, (
            f"{probability_reason(finding)}; but fine linear branching calcifications in a "
            f"{shape.value} distribution are the classic appearance of cancer growing along a "
            "duct: BI-RADS 5"
        )
    return category, probability_reason(finding)


def _classic_ductal(finding: Finding) -> bool:
    """Fine linear branching called with at least ``MIN_DESCRIPTOR_CONFIDENCE`` in a linear or
    segmental cluster, with no large rod-like or vascular call as firm as it (secretory and
    vascular calcifications are its benign mimics; a thin casting's thicker branch points can
    measure as a rod or two): the BI-RADS atlas's classic category 5 example. It lifts 4C to 5
    (the CBIS-DDSM-calibrated model gave such development clusters 0.91-0.96)."""
    confidence = _confidences(finding)
    linear = confidence.get(Morphology.FINE_LINEAR_BRANCHING, 0.0)
    mimic = max(confidence.get(m, 0.0) for m in (Morphology.LARGE_ROD_LIKE, Morphology.VASCULAR))
    return (
        finding.kind == FindingKind.CLUSTER
        and finding.distribution in DUCTAL_DISTRIBUTIONS
        and linear >= t.MIN_DESCRIPTOR_CONFIDENCE
        and mimic < linear
    )


def _mostly_round(finding: Finding) -> bool:
    """Round or punctate is called more firmly than any other form, and no rim or skin call
    counts (above ``RISK_IGNORE_CONFIDENCE``): a group of round calcifications, whatever a few of
    its larger members look like.

    In development groups of round calcifications (0.5-1 mm), the two that measured just over
    1 mm and irregular added a "dystrophic" call (0.67 beside round 1.00); the group is still a
    single group of round calcifications (3), not a benign form (2). A rim or skin call is
    different: a lucent centre is seen, not inferred from size, and marks benign calcifications
    (oil cysts, dermal deposits) however firmly round is called beside it.
    """
    if _firm_descriptors(finding) & _LUCENT_CENTRED:
        return False
    confidence = _confidences(finding)
    rounded = max(confidence.get(m, 0.0) for m in _ROUND_OR_PUNCTATE)
    others = [v for m, v in confidence.items() if m not in _ROUND_OR_PUNCTATE]
    return rounded > max(others, default=0.0)


def _confidences(finding: Finding) -> dict[Morphology, float]:
    """Each called descriptor's confidence."""
    return {c.descriptor: c.confidence for c in finding.morphology}


def _firm_descriptors(finding: Finding) -> set[Morphology]:
    """Descriptors that enter the probability: shown by more than one calcification's worth.

    A call with confidence up to ``RISK_IGNORE_CONFIDENCE`` (what one calcification of a cluster
    can give) neither makes a finding suspicious nor benign, as in :mod:`mammocalc._risk`.
    """
    return {c.descriptor for c in finding.morphology if c.confidence > t.RISK_IGNORE_CONFIDENCE}


def _skin_leads(finding: Finding) -> bool:
    """A dermal cluster (the characterise stage's ``dermal`` feature: ``DERMAL_MIN_LUCENT``
    lucent-centred members, ``DERMAL_MIN_SHARE`` of them) whose first call is a firm skin."""
    lead = finding.morphology[0] if finding.morphology else None
    return (
        finding.features.get("dermal", 0.0) >= 0.5
        and lead is not None
        and lead.descriptor == Morphology.SKIN
        and lead.confidence >= t.MIN_DESCRIPTOR_CONFIDENCE
    )


def _confidently_benign_macro(finding: Finding, words: set[Morphology]) -> bool:
    """Only typically benign forms, one of them a confident form other than round or punctate,
    which round or punctate do not outweigh (:func:`_mostly_round`)."""
    if not words or words & SUSPICIOUS_MORPHOLOGIES or _mostly_round(finding):
        return False
    return any(
        c.descriptor not in _ROUND_OR_PUNCTATE
        and c.descriptor in words
        and c.confidence >= t.MIN_DESCRIPTOR_CONFIDENCE
        for c in finding.morphology
    )


def _incomplete_reason(finding: Finding) -> str | None:
    """Why the finding cannot be judged on this image, or None when it can."""
    if not finding.morphology or finding.malignancy_probability is None:
        return "the calcifications could not be characterised: magnification views needed"
    if finding.features.get("resolution_fit", 1.0) < 1.0:
        spacing = finding.features.get("spacing_mm", float("nan"))
        size = finding.features.get("median_diameter_px", float("nan"))
        return (
            f"the calcifications are about {size:.1f} pixels across at {spacing:.3f} mm per pixel, "
            "too few to show their shape: magnification views needed"
        )
    confidence = max(c.confidence for c in finding.morphology)
    if confidence < t.MIN_DESCRIPTOR_CONFIDENCE:
        return (
            f"the shape of the calcifications is uncertain (confidence {confidence:.2f}): "
            "magnification views needed"
        )
    return None


def category_from_probability(probability: float) -> Category:
    """The BI-RADS category whose likelihood-of-malignancy range holds ``probability``."""
    for upper, category in t.PROBABILITY_BANDS:
        if probability <= upper:
            return category
    if probability < t.P_CATEGORY_5_MIN:
        return Category.SUSPICIOUS_HIGH
    return Category.HIGHLY_SUGGESTIVE


def assess(
    images: list[ImageResult], *, settings: Settings | None = None
) -> tuple[list[ImageResult], list[BreastAssessment], Category]:
    """Categorise every finding of an exam, match CC and MLO, and assess breasts and exam.

    Parameters
    ----------
    images : list of ImageResult
        The exam's images with characterised findings.
    settings : Settings, optional
        Unused for now; accepted so that every stage has the same signature.

    Returns
    -------
    images : list of ImageResult
        Findings with ``category``, ``management``, ``reasons`` and ``matched_finding``.
    breasts : list of BreastAssessment
        One per laterality present (None when the images do not say); no finding gives 1.
    category : Category
        The exam's: its worst breast's.
    """
    findings = {f.id: _categorised(f) for image in images for f in image.findings}
    findings = _bilateral_benign(images, findings)
    pairs = _matched_pairs(images, findings)
    score = {fid: f.detection_score for fid, f in findings.items()}
    for id_a, id_b in pairs:
        findings[id_a], findings[id_b] = _merge_pair(findings[id_a], findings[id_b])
        score[id_a] = score[id_b] = max(score[id_a], score[id_b])
    findings = {fid: _confirmed(f, score[fid]) for fid, f in findings.items()}
    hidden = {max((a, b), key=lambda i: _report_order(findings[i])) for a, b in pairs}
    out_images = [
        image.model_copy(update={"findings": [findings[f.id] for f in image.findings]})
        for image in images
    ]
    breasts = [
        _breast(
            side,
            [
                findings[f.id]
                for im in images
                if im.laterality == side
                for f in im.findings
                if f.id not in hidden
            ],
        )
        for side in _lateralities(images)
    ]
    return out_images, breasts, worst([b.category for b in breasts])


def _categorised(finding: Finding) -> Finding:
    """The finding with its rules' category, before the confirm-first check (which takes the
    matched view's score into account, :func:`_confirmed`)."""
    category, why = _rule(finding)
    reasons = [*describe_finding(finding), why]
    return finding.model_copy(
        update={"category": category, "management": category.management, "reasons": reasons}
    )


def _confirmed(finding: Finding, score: float) -> Finding:
    """Category 0 for a group of a biopsy category whose ``score`` (its own, or the higher of
    two matched views) is too near its reporting threshold (:func:`_confirm_first`)."""
    unsure = _confirm_first(finding, finding.category or Category.INCOMPLETE, score)
    return _with_category(finding, Category.INCOMPLETE, unsure) if unsure else finding


def _with_category(finding: Finding, category: Category, reason: str) -> Finding:
    return finding.model_copy(
        update={
            "category": category,
            "management": category.management,
            "reasons": [*finding.reasons, reason],
        }
    )


def _lateralities(images: Sequence[ImageResult]) -> list[Laterality | None]:
    return list(dict.fromkeys(image.laterality for image in images))


def _is_diffuse(finding: Finding) -> bool:
    words = {c.descriptor for c in finding.morphology}
    return (
        finding.kind == FindingKind.SCATTERED or finding.distribution == Distribution.DIFFUSE
    ) and not words & {Morphology.FINE_LINEAR_BRANCHING, Morphology.FINE_PLEOMORPHIC}


def _bilateral_benign(
    images: Sequence[ImageResult], findings: dict[str, Finding]
) -> dict[str, Finding]:
    """Diffuse scattered calcifications in both breasts are benign (reference section 4)."""
    sides = {
        im.laterality
        for im in images
        for f in im.findings
        if im.laterality is not None and _is_diffuse(findings[f.id])
    }
    if sides != {Laterality.LEFT, Laterality.RIGHT}:
        return findings
    reason = "diffuse scattered calcifications in both breasts: benign"
    return {
        key: _with_category(f, Category.BENIGN, reason) if _is_diffuse(f) else f
        for key, f in findings.items()
    }


def _matched_pairs(
    images: Sequence[ImageResult], findings: dict[str, Finding]
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for side in _lateralities(images):
        if side is None:
            continue
        on_side = [im for im in images if im.laterality == side]
        cc = [
            findings[f.id] for im in on_side if im.view in CRANIOCAUDAL_VIEWS for f in im.findings
        ]
        mlo = [findings[f.id] for im in on_side if im.view in LATERAL_VIEWS for f in im.findings]
        pairs.extend(match_views(cc, mlo))
    return pairs


def _report_order(finding: Finding) -> tuple[int, float]:
    """Sort key: the view whose finding is reported first (worse category, higher probability)."""
    category = finding.category or Category.INCOMPLETE
    return (-category.rank, -(finding.malignancy_probability or 0.0))


def _merge_pair(a: Finding, b: Finding) -> tuple[Finding, Finding]:
    """Link the two views of one lesion; both take the worse category (one lesion, one answer)."""
    category = worst([a.category or Category.INCOMPLETE, b.category or Category.INCOMPLETE])
    merged = []
    for this, other in ((a, b), (b, a)):
        note = f"also seen on the {other.view.value} view as {other.id}"
        update: dict[str, object] = {"matched_finding": other.id, "reasons": [*this.reasons, note]}
        if this.category != category:
            update.update(category=category, management=category.management)
        merged.append(this.model_copy(update=update))
    return merged[0], merged[1]


def _breast(side: Laterality | None, findings: list[Finding]) -> BreastAssessment:
    """A breast's assessment: its worst finding's category; no finding gives 1 (negative)."""
    if not findings:
        return BreastAssessment(
            laterality=side,
            category=Category.NEGATIVE,
            management=Category.NEGATIVE.management,
            finding_ids=[],
            reasons=["no calcification finding"],
        )
    ordered = sorted(findings, key=_report_order)
    leading = ordered[0]
    category = leading.category or Category.INCOMPLETE
    # a finding that asks for magnification views stays named when another leads the breast
    pending = [
        f"{f.id}, also: magnification views ({f.reasons[-1]})"
        for f in ordered[1:]
        if f.category == Category.INCOMPLETE and category != Category.INCOMPLETE and f.reasons
    ]
    return BreastAssessment(
        laterality=side,
        category=category,
        management=category.management,
        finding_ids=[f.id for f in ordered],
        reasons=[f"{leading.id}: {r}" for r in leading.reasons] + pending,
    )
