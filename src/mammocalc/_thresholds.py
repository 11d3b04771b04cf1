"""Every threshold of characterisation and triage, in one place (documented in docs/triage.md).

Probability cut-offs follow BI-RADS 5th edition likelihood ranges (reference section 2); size
cut-offs follow the lexicon (reference section 3); the rest are this product's choices, named and
explained here so that a reader can change one and see where it acts.
"""

from __future__ import annotations

from mammocalc.vocabulary import Category

# --- category from malignancy probability (reference section 2) -------------------------------
#: Upper bounds (inclusive) of each category's likelihood range; >= P_CATEGORY_5 gives 5.
P_CATEGORY_3_MAX = 0.02  # 3: > 0% to <= 2%
P_CATEGORY_4A_MAX = 0.10  # 4A: > 2% to <= 10%
P_CATEGORY_4B_MAX = 0.50  # 4B: > 10% to <= 50%
P_CATEGORY_5_MIN = 0.95  # 4C: > 50% to < 95%; 5: >= 95%

PROBABILITY_BANDS: tuple[tuple[float, Category], ...] = (
    (P_CATEGORY_3_MAX, Category.PROBABLY_BENIGN),
    (P_CATEGORY_4A_MAX, Category.SUSPICIOUS_LOW),
    (P_CATEGORY_4B_MAX, Category.SUSPICIOUS_MODERATE),
)

#: A "single group" of round or punctate calcifications (category 3) has at least this many
#: detected: the lexicon's grouped distribution needs 5 within 1 cm (reference section 4), of
#: which the detector sees about 80% (synthetic calcification sensitivity), so 4. Fewer are
#: scattered specks, benign (2). Simulator dev seeds (5000-5091, 7000-7183), category agreement:
#: 0.817 / 0.790 without this rule, 0.831 / 0.804 with 5, 0.845 / 0.811 with 4.
GROUPED_MIN_COUNT = 4
#: A group of only round or punctate calcifications in a breast where at least this many other
#: conspicuous microcalcifications are scattered over half its span or more (group feature
#: ``scattered_in_breast``) is part of a diffuse distribution: benign, not a single group (3).
#: Development simulator diffuse scenes had 24-49, regional ones 3-19, normal images 0-1. On the
#: 161 mini-MIAS film images (shipped weights of 2026-12-07) the largest was 20 (mdb153), then 19:
#: the rule can fire on film, where there is no diffuse truth to check it against. Among the
#: clusters reported on film (score >= the film threshold) the largest was 19 (mdb082), whose
#: specks, 1.1-1.6 pixels across, are category 0 before this rule is reached.
DIFFUSE_MIN_SCATTERED = 20
#: A group of only round or punctate calcifications with at least this many other conspicuous
#: microcalcifications (score >= 0.9, in another cluster or none) within 20 mm of its centre (group
#: feature ``calcifications_nearby``) is a piece of a regional scatter, not a single group:
#: benign (2) rather than probably benign (3). On development simulator images (seeds 5000-5091,
#: 7000-7183, 9000-9183) groups in single-group scenes (round, punctate, probably benign) had at
#: most 3, the pieces of regional scenes 5-24 but for 3 of 33 (0, 0, 2; weights before the refit).
#: A linear group too when with its neighbours it reads as a regional or diffuse scatter (a chain
#: single linkage picked out of it). With 6 or more, the grouping stage also reads a cluster's
#: distribution with its neighbours (``group._in_context``: a grouped one takes a ductal reading).
REGIONAL_MIN_NEARBY = 6
#: ... within this radius (mm) of the group's centre: about the size of a regional distribution
#: (25-45 mm across in the simulator), twice a single group's 1 cm. Pieces of vascular, rod-like
#: and macrocalcification findings do not count.
REGIONAL_NEARBY_MM = 20.0

# --- when to ask for magnification views (category 0) -----------------------------------------
#: A finding whose best morphology call is less confident than this cannot be characterised.
MIN_DESCRIPTOR_CONFIDENCE = 0.5
#: A group whose detection score lies less than this above the reporting threshold of its image
#: (group feature ``reporting_floor``: ``finding_threshold``, or ``finding_threshold_film`` on
#: film, of the operating point used) is among the least certain reported: it may be tissue or
#: noise, so magnification views confirm it before the biopsy its category would bring. Matched
#: CC and MLO views take the higher score of the two. On development simulator images (seeds
#: 5000-5091, 7000-7183, 9000-9183, 11000-11183, 13000-13183, 30000-30091; screening threshold
#: 0.54) 41 of the 108 false findings of category 4A-5 scored below 0.6, and 1 of the 225
#: suspicious truth findings.
CONFIRM_SCORE_MARGIN = 0.06
#: Calcifications narrower than this many pixels cannot show their shape: the image is unfit
#: (e.g. film at 200 um for specks under 0.4 mm).
MIN_DIAMETER_PX = 2.0

# --- morphology of one calcification (reference section 3) ------------------------------------
PUNCTATE_MAX_MM = 0.5  # round >= 0.5 mm, punctate < 0.5 mm
AMORPHOUS_MAX_MM = 0.2  # amorphous: tiny and hazy, 80-200 um
AMORPHOUS_MAX_CNR = 4.0  # "hazy": faint against the local noise
FINE_MAX_WIDTH_MM = 0.5  # fine linear: thin, < 0.5 mm wide
LINEAR_MIN_ELONGATION = 2.5  # major / minor axis from which a calcification is linear
ROD_MIN_WIDTH_MM = 0.5  # large rod-like: >= 0.5-1 mm wide
ROD_MIN_LENGTH_MM = 3.0  # a single calcification this long and elongated is a rod (or a vessel's)
ROD_MIN_ELONGATION = 4.0
COARSE_MIN_MM = 2.0  # coarse or popcorn-like: > 2-3 mm
DYSTROPHIC_MIN_MM = 1.0  # dystrophic: coarse, irregular, > 1 mm
#: A macrocalcification of at least this many main pieces (>= DYSTROPHIC_MIN_MM) spanning
#: COARSE_MIN_MM is a popcorn-like clump: its round pieces are lobes, called coarse.
POPCORN_MIN_LOBES = 2
#: A macrocalcification that is one piece of at least COARSE_MIN_MM with a solidity (area over
#: convex hull area) below this is an irregular plate: dystrophic ("coarse, irregular"), not
#: coarse or popcorn-like (a smooth lump, or a clump of lobes, which POPCORN_MIN_LOBES covers).
#: Pieces this large have outlines tens of pixels across, so their solidity is measured well; the
#: 0.8 of IRREGULAR_MAX_SOLIDITY is for pieces of 1-2 mm. Chosen on development simulator images
#: (seeds 5000-5183, 9000-9183): single pieces called coarse had solidity 0.80-0.89 in 5
#: dystrophic findings and 0.90-0.96 in the coarse ones; checked on 11000-11183: 3 dystrophic
#: findings right, 1 coarse one (0.85) wrong. Both forms are benign: only the word changes. The
#: simulator draws popcorn as separate lobes; a real popcorn calcification outlined as one
#: lobulated piece may fall under this solidity and read dystrophic (not checked on real images).
PLATE_MAX_SOLIDITY = 0.89
#: Irregular calcifications from this measured diameter are coarse heterogeneous, below it fine
#: pleomorphic. The lexicon's boundary is 0.5 mm, but the detector's outline of an angular
#: fragment is smaller than the fragment: coarse heterogeneous ones (0.5-1 mm) measure 0.3-0.7 mm
#: (10th-90th percentile on simulator images), fine pleomorphic ones (< 0.5 mm) 0.16-0.31 mm.
COARSE_HETEROGENEOUS_MIN_MM = 0.35
IRREGULAR_MAX_CIRCULARITY = 0.7  # below: irregular outline
#: Below: irregular outline. The detector's outlines of 3-10 pixel calcifications are convex
#: pixel sets: round and punctate ones measure solidity 0.83-0.97 (10th-90th percentile on
#: simulator images, 0.07 and 0.1 mm), so the textbook 0.85 marked a quarter of them irregular.
IRREGULAR_MAX_SOLIDITY = 0.8
#: From this major / minor axis ratio (and below LINEAR_MIN_ELONGATION) an outline is irregular:
#: the angular, elongated fragments of fine pleomorphic and coarse heterogeneous calcifications
#: measure a median 1.4-1.6, round and punctate ones 1.1-1.25 (90th percentile 1.2-1.4 from 3
#: pixels across). Circularity does not separate them: the detector's perimeter of a few-pixel
#: outline gives 1.0 for both.
IRREGULAR_MIN_ELONGATION = 1.4
#: ... and when the length exceeds the width by at least this many pixels: a 2 x 3 pixel dot
#: has axis ratio 1.5 but is not elongated (at 0.1 mm, 36% of punctate calcifications reach
#: ratio 1.4, 14% with this excess; fine pleomorphic 80% and 45%).
IRREGULAR_MIN_EXCESS_PX = 1.5
#: Lucent-centred calcifications this close to the skin line (``distance_to_skin_mm``) are
#: dermal. The skin is 0.5-2 mm thick, a skin calcification 0.5-2 mm across, and the distance is
#: taken from the breast mask, which the breast stage finds on a 0.5 mm grid after 1 mm smoothing
#: and which can lie 1-2 mm inside the skin's surface: so up to about 5 mm. On development
#: simulator images (seeds 5000-5091, 7000-7183, 9000-9183) lucent-centred skin
#: macrocalcifications lay 2.7-7.5 mm from the mask's edge (7 of 9 within 4 mm), the nearest
#: lucent rim or dystrophic one 9.5 mm; at 3 mm (until 2026-12-07) 4 of 20 matched skin findings
#: read skin, at 5 mm 7, and no rim or dystrophic call changed.
SKIN_MAX_DISTANCE_MM = 5.0
#: A cluster with at least this many lucent-centred members (``_detect_shape.LUCENT_MIN_DROP``)
#: is dermal, wherever it projects: skin calcifications lie over the whole breast on a view, not
#: only at its edge. On development simulator images, 2 or more such calcifications occurred in
#: 4 of 12 skin and 7 of 12 rim images, and in none of the 10-12 images of each suspicious scene
#: (measured before the outline kept rings whole).
DERMAL_MIN_LUCENT = 2
#: ... and at least this share of its members: a large suspicious cluster with two ring-like
#: specks by chance is not dermal.
DERMAL_MIN_SHARE = 0.25
#: A coarse, round or dystrophic macrocalcification within SKIN_MAX_DISTANCE_MM of the skin line
#: is called skin first, by its place alone, with this confidence (its shape's call follows):
#: more likely than not, a judgement not measured on real images. The simulator puts every skin
#: calcification at the breast's edge and other findings deeper, so development images can only
#: show that the rule fires where it should there: on seeds 5000-5091, 7000-7183, 9000-9183 and
#: 11000-11183 it called 17 findings skin, 16 skin calcifications and 1 false finding.
SKIN_BY_PLACE_CONFIDENCE = 0.6
#: ... when the finding is at most this long (mm): skin calcifications are small (the simulator's
#: 0.5-2 mm); several the group stage joined into one finding reached 4.9 mm on those seeds (one
#: of 5.02 mm keeps its shape's call), and a larger coarse body at the skin line keeps it too.
SKIN_BY_PLACE_MAX_MM = 5.0
BODY_CALL_CONFIDENCE = 0.8  # a hollow body is called rim (or skin), a large one coarse
#: A ring whose inside lies at the tissue's level (``_group_bodies.LOOP_MAX_INSIDE``) is a rim
#: (eggshell around fat) or a loop of calcified suture: the image alone does not tell them apart
#: (simulator rims in dense tissue reach insides below the tissue too), so suture is named second
#: with this confidence, after the commoner rim.
OPEN_LOOP_CONFIDENCE = 0.5
#: On a lateral view, a macrocalcification is milk of calcium when at least this share of its
#: main pieces are teacups (``_milk.is_teacup``).
TEACUP_MIN_SHARE = 0.5

# --- morphology calls of a finding ------------------------------------------------------------
CALL_MIN_COUNT = 2  # a descriptor is called when at least this many members show it
CONFIDENT_COUNT = 3  # a cluster's call rests on its this many most certain members
SHAPE_RELIABLE_PX = 3.0  # members this many pixels across give fully reliable shapes
#: Size variation that calls fine pleomorphic: second-largest / second-smallest diameter of the
#: small members (about a diameter CV of 0.4 for 8 members); full confidence at its square.
PLEOMORPHIC_MIN_SIZE_RATIO = 2.5
PLEOMORPHIC_MIN_MEMBERS = 4  # second-largest and second-smallest differ from 4 members on
#: Fine pleomorphic is the impression of a group, not of a few members: in a cluster its shape
#: call is scaled by the share of members (those showing a shape) whose class is suspicious, from
#: 0 at ``IRREGULAR_SHARE_NONE`` to 1 at ``IRREGULAR_SHARE_FULL``. A dozen punctate specks a few
#: pixels across show two or three angular outlines by noise alone.
IRREGULAR_SHARE_NONE = 0.2
IRREGULAR_SHARE_FULL = 0.35
#: Coarse heterogeneous likewise, on a steeper ramp: its fragments (0.35 mm and up) show their
#: outlines more surely, and on development simulator images (seeds 5000-5091, 7000-7183,
#: 9000-9183, 11000-11183, 13000-13183, 30000-30091) every coarse heterogeneous cluster had a
#: suspicious share of 0.2 or more (50 of 53 above 0.25), while round or punctate groups led by a
#: coarse heterogeneous call had 0.18-0.21 in 4 of 8 (a few larger specks in dense tissue).
COARSE_SHARE_NONE = 0.2
COARSE_SHARE_FULL = 0.25
#: A descriptor enters the probability fully from this confidence; below it, linearly less
#: (weight (c - RISK_IGNORE_CONFIDENCE) / (RISK_MIN_CONFIDENCE - RISK_IGNORE_CONFIDENCE)), and
#: not at all up to RISK_IGNORE_CONFIDENCE.
RISK_MIN_CONFIDENCE = 0.5
#: A call resting on one member of a cluster reaches at most 1 / CONFIDENT_COUNT: ignored.
RISK_IGNORE_CONFIDENCE = 1.0 / CONFIDENT_COUNT

# --- CC/MLO matching and exam level -----------------------------------------------------------
MATCH_MAX_NIPPLE_DIFFERENCE_MM = 15.0  # same finding: distances from the nipple within this
MATCH_MAX_LOG2_COUNT_RATIO = 1.5  # and counts within 2**1.5 = 2.8-fold
