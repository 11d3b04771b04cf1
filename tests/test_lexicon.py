"""Lexicon: CBIS-DDSM and free-text descriptor words onto the BI-RADS Enums, unknowns reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mammocalc.errors import ParameterError
from mammocalc.lexicon import (
    UnknownDescriptorError,
    parse_distribution,
    parse_morphology,
    split_distribution,
    split_morphology,
)
from mammocalc.vocabulary import Distribution, Morphology

CBIS_CSV = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "cbis-ddsm"
    / "calc_case_description_train_set.csv"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PLEOMORPHIC", [Morphology.FINE_PLEOMORPHIC]),
        (
            "PLEOMORPHIC-FINE_LINEAR_BRANCHING",
            [Morphology.FINE_PLEOMORPHIC, Morphology.FINE_LINEAR_BRANCHING],
        ),
        (
            "ROUND_AND_REGULAR-LUCENT_CENTER-PUNCTATE",
            [Morphology.ROUND, Morphology.RIM, Morphology.PUNCTATE],
        ),
        ("LUCENT_CENTERED", [Morphology.RIM]),
        ("EGGSHELL", [Morphology.RIM]),
        ("LARGE_RODLIKE", [Morphology.LARGE_ROD_LIKE]),
        ("MILK_OF_CALCIUM", [Morphology.MILK_OF_CALCIUM]),
        ("COARSE", [Morphology.COARSE]),
        ("SKIN-PUNCTATE", [Morphology.SKIN, Morphology.PUNCTATE]),
        ("PLEOMORPHIC-PLEOMORPHIC", [Morphology.FINE_PLEOMORPHIC]),
        ("fine pleomorphic", [Morphology.FINE_PLEOMORPHIC]),
        ("fine linear or fine-linear branching", [Morphology.FINE_LINEAR_BRANCHING]),
        ("coarse or popcorn-like", [Morphology.COARSE]),
        ("Amorphous, punctate", [Morphology.AMORPHOUS, Morphology.PUNCTATE]),
        ("coarse heterogeneous", [Morphology.COARSE_HETEROGENEOUS]),
        ("N/A", []),
        ("", []),
    ],
)
def test_parse_morphology(text: str, expected: list[Morphology]) -> None:
    assert parse_morphology(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CLUSTERED", [Distribution.GROUPED]),
        ("CLUSTERED-LINEAR", [Distribution.GROUPED, Distribution.LINEAR]),
        ("LINEAR-SEGMENTAL", [Distribution.LINEAR, Distribution.SEGMENTAL]),
        ("DIFFUSELY_SCATTERED", [Distribution.DIFFUSE]),
        ("REGIONAL-REGIONAL", [Distribution.REGIONAL]),
        ("grouped", [Distribution.GROUPED]),
        ("N/A", []),
    ],
)
def test_parse_distribution(text: str, expected: list[Distribution]) -> None:
    assert parse_distribution(text) == expected


def test_every_enum_value_parses_to_itself() -> None:
    for m in Morphology:
        assert parse_morphology(m.value) == [m]
    for d in Distribution:
        assert parse_distribution(d.value) == [d]


def test_unknown_morphology_word_raises_naming_it() -> None:
    with pytest.raises(UnknownDescriptorError) as info:
        parse_morphology("PLEOMORPHIC-SPICULATED")
    assert info.value.words == ["SPICULATED"]
    assert "SPICULATED" in str(info.value)
    assert isinstance(info.value, ParameterError)


def test_unknown_distribution_word_raises() -> None:
    with pytest.raises(UnknownDescriptorError, match="SCATTERBRAINED"):
        parse_distribution("SCATTERBRAINED")


def test_split_keeps_known_and_reports_unknown() -> None:
    known, unknown = split_morphology("AMORPHOUS-WOBBLY-PUNCTATE")
    assert known == [Morphology.AMORPHOUS, Morphology.PUNCTATE]
    assert unknown == ["WOBBLY"]
    known_d, unknown_d = split_distribution("CLUSTERED-SIDEWAYS")
    assert known_d == [Distribution.GROUPED]
    assert unknown_d == ["SIDEWAYS"]


def test_every_word_of_the_real_cbis_csv_is_known() -> None:
    if not CBIS_CSV.exists():
        pytest.skip("CBIS-DDSM training CSV not found at ../shared/data/cbis-ddsm")
    with CBIS_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1546
    for row in rows:
        parse_morphology(row["calc type"])
        parse_distribution(row["calc distribution"])
