"""The BI-RADS calcification vocabulary (ACR BI-RADS Atlas, 5th edition) as Enums.

Every coded value in mammocalc is one of these Enums. Functions accept ``Enum | str`` and convert on
entry with ``Enum(value)``, so a misspelt descriptor fails at once with the list of valid values.
See ``../shared/reference/calcifications.md`` sections 2-4.
"""

from __future__ import annotations

from enum import StrEnum


class Laterality(StrEnum):
    """Side of the breast, as in DICOM Image Laterality (0020,0062)."""

    LEFT = "L"
    RIGHT = "R"


class View(StrEnum):
    """Mammographic view code (DICOM View Position (0018,5101) for mammography)."""

    CC = "CC"
    MLO = "MLO"
    ML = "ML"
    LM = "LM"
    XCCL = "XCCL"
    XCCM = "XCCM"
    SPOT = "SPOT"
    MAG = "MAG"
    UNKNOWN = "UNKNOWN"

    @property
    def is_lateral(self) -> bool:
        """True for views that show the pectoral muscle (MLO and true laterals)."""
        return self in (View.MLO, View.ML, View.LM)


class Morphology(StrEnum):
    """BI-RADS calcification morphology descriptors (reference section 3)."""

    # typically benign
    SKIN = "skin"
    VASCULAR = "vascular"
    COARSE = "coarse or popcorn-like"
    LARGE_ROD_LIKE = "large rod-like"
    ROUND = "round"
    PUNCTATE = "punctate"
    RIM = "rim"
    DYSTROPHIC = "dystrophic"
    MILK_OF_CALCIUM = "milk of calcium"
    SUTURE = "suture"
    # suspicious
    AMORPHOUS = "amorphous"
    COARSE_HETEROGENEOUS = "coarse heterogeneous"
    FINE_PLEOMORPHIC = "fine pleomorphic"
    FINE_LINEAR_BRANCHING = "fine linear or fine-linear branching"

    @property
    def is_typically_benign(self) -> bool:
        """True for the lexicon's 'typically benign' morphologies."""
        return self not in SUSPICIOUS_MORPHOLOGIES


SUSPICIOUS_MORPHOLOGIES = frozenset(
    {
        Morphology.AMORPHOUS,
        Morphology.COARSE_HETEROGENEOUS,
        Morphology.FINE_PLEOMORPHIC,
        Morphology.FINE_LINEAR_BRANCHING,
    }
)


class Distribution(StrEnum):
    """BI-RADS calcification distribution descriptors (reference section 4)."""

    DIFFUSE = "diffuse"
    REGIONAL = "regional"
    GROUPED = "grouped"
    LINEAR = "linear"
    SEGMENTAL = "segmental"


#: Distributions that follow a duct (reference section 4).
DUCTAL_DISTRIBUTIONS = frozenset({Distribution.LINEAR, Distribution.SEGMENTAL})


class FindingKind(StrEnum):
    """What a reported finding is."""

    CLUSTER = "cluster"
    MACROCALCIFICATION = "macrocalcification"
    VASCULAR = "vascular"
    SCATTERED = "scattered"


class Category(StrEnum):
    """BI-RADS assessment category (reference section 2). Ordered by concern, see ``rank``."""

    INCOMPLETE = "0"
    NEGATIVE = "1"
    BENIGN = "2"
    PROBABLY_BENIGN = "3"
    SUSPICIOUS_LOW = "4A"
    SUSPICIOUS_MODERATE = "4B"
    SUSPICIOUS_HIGH = "4C"
    HIGHLY_SUGGESTIVE = "5"

    @property
    def rank(self) -> int:
        """Order of concern used to take a breast's worst finding.

        Category 0 ranks above 3 and below 4A: an incomplete assessment must not be hidden by a
        probably-benign finding, but a suspicious finding already leads to biopsy.
        """
        return _CATEGORY_RANK[self]

    @property
    def management(self) -> Management:
        """The management the pathway attaches to this category."""
        return _CATEGORY_MANAGEMENT[self]


class Management(StrEnum):
    """Next step on the clinical pathway (seed text; reference sections 1-2)."""

    MAGNIFICATION_VIEWS = "additional imaging: magnification views"
    ROUTINE_SCREENING = "routine annual screening mammogram"
    SHORT_INTERVAL_FOLLOW_UP = "follow-up mammogram in 6 months"
    STEREOTACTIC_BIOPSY = "stereotactic core biopsy"


_CATEGORY_RANK = {
    Category.NEGATIVE: 0,
    Category.BENIGN: 1,
    Category.PROBABLY_BENIGN: 2,
    Category.INCOMPLETE: 3,
    Category.SUSPICIOUS_LOW: 4,
    Category.SUSPICIOUS_MODERATE: 5,
    Category.SUSPICIOUS_HIGH: 6,
    Category.HIGHLY_SUGGESTIVE: 7,
}

_CATEGORY_MANAGEMENT = {
    Category.INCOMPLETE: Management.MAGNIFICATION_VIEWS,
    Category.NEGATIVE: Management.ROUTINE_SCREENING,
    Category.BENIGN: Management.ROUTINE_SCREENING,
    Category.PROBABLY_BENIGN: Management.SHORT_INTERVAL_FOLLOW_UP,
    Category.SUSPICIOUS_LOW: Management.STEREOTACTIC_BIOPSY,
    Category.SUSPICIOUS_MODERATE: Management.STEREOTACTIC_BIOPSY,
    Category.SUSPICIOUS_HIGH: Management.STEREOTACTIC_BIOPSY,
    Category.HIGHLY_SUGGESTIVE: Management.STEREOTACTIC_BIOPSY,
}


def worst(categories: list[Category]) -> Category:
    """Return the category of highest concern, or NEGATIVE (1) for an empty list."""
    return max(categories, key=lambda c: c.rank, default=Category.NEGATIVE)
