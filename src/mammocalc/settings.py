"""One settings object holding every tunable parameter, in physical units.

Built from defaults, then ``MAMMOCALC_*`` environment variables, then CLI options, and passed
explicitly to ``pipeline.analyze``. Every clinical threshold lives here (or in ``assess`` for the
category cut-offs), with the reference it comes from.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mammocalc.errors import ParameterError

OperatingPoint = Literal["screening", "research"]

#: Threshold sets per use (docs/detection.md, "Operating points"). ``screening`` is the trained
#: defaults: about 0.1 false calcifications per cm^2 and 0.3 false findings per image on held-out
#: simulator images, 1 false mark per image on mini-MIAS film. ``research`` reports every group
#: above the detector's hard floors and calcifications down to score 0.5, so that one run gives
#: a whole FROC curve (each finding keeps its ``detection_score``) at the price of many false
#: marks. A threshold given explicitly (argument or ``MAMMOCALC_*`` variable) still wins.
OPERATING_POINTS: dict[str, dict[str, float]] = {
    "screening": {},
    "research": {
        "detection_threshold": 0.5,
        "finding_threshold": 0.0,
        "finding_threshold_film": 0.0,
    },
}


class Settings(BaseModel):
    """All parameters of the analysis. Lengths in mm, areas in mm^2 or cm^2 as named."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operating_point: OperatingPoint = Field(
        "screening",
        description="named threshold set (OPERATING_POINTS): screening or research; thresholds "
        "given explicitly override it",
    )
    # reading
    default_spacing_mm: float = Field(
        0.1, gt=0, description="spacing assumed (with a warning) when none is given"
    )
    max_pixels: int = Field(
        80_000_000, gt=0, description="larger images are refused (decompression-bomb guard)"
    )
    # breast
    skin_band_mm: float = Field(2.0, ge=0, description="band inside the skin line not analysed")
    # detect
    min_diameter_mm: float = Field(0.1, gt=0, description="smallest calcification searched")
    max_diameter_mm: float = Field(6.0, gt=0, description="largest calcification searched")
    detection_threshold: float = Field(
        0.63, ge=0, le=1, description="minimum calcification score kept"
    )
    # group (reference section 4: CAD literature, >= 3 within 1 cm^2)
    macro_diameter_mm: float = Field(
        1.0, gt=0, description="equivalent diameter from which a calcification is 'macro'"
    )
    cluster_min_count: int = Field(3, ge=2, description="fewest calcifications in a cluster")
    cluster_link_mm: float = Field(
        5.0, gt=0, description="single-linkage distance joining calcifications into one group"
    )
    cluster_max_area_cm2: float = Field(
        1.0, gt=0, description="the cluster rule's area: min_count within this area"
    )
    finding_threshold: float = Field(
        0.54, ge=0, le=1, description="minimum finding detection score reported"
    )
    finding_threshold_film: float = Field(
        0.36,
        ge=0,
        le=1,
        description="minimum finding detection score reported on digitised film (scores run lower)",
    )

    @model_validator(mode="before")
    @classmethod
    def _operating_point_thresholds(cls, data: Any) -> Any:
        """Fill the thresholds the named operating point sets, unless given explicitly (the
        name in any case). ``model_copy(update=...)`` skips this: build a new ``Settings``."""
        if not isinstance(data, dict):
            return data
        name = str(data.get("operating_point", "screening")).strip().lower()
        return {**OPERATING_POINTS.get(name, {}), **data, "operating_point": name}

    def below_screening(self) -> bool:
        """Whether a threshold lies below the screening default's: more, fainter findings than
        the validated operating point reports (the research point, or thresholds lowered)."""
        default = Settings()
        return (
            self.detection_threshold < default.detection_threshold
            or self.finding_threshold < default.finding_threshold
            or self.finding_threshold_film < default.finding_threshold_film
        )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, overridden by ``MAMMOCALC_<FIELD>`` variables, then by ``overrides``."""
        values: dict[str, object] = {}
        for name in cls.model_fields:
            env = os.environ.get(f"MAMMOCALC_{name.upper()}")
            if env is not None:
                values[name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"MAMMOCALC_{str(e['loc'][0]).upper()} (or its option) {e['msg'].lower()}"
                for e in exc.errors()
            )
            raise ParameterError(f"invalid setting: {problems}.") from None
