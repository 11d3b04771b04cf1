"""Descriptor words (CBIS-DDSM codes, free text) mapped onto the BI-RADS vocabulary Enums.

CBIS-DDSM writes several descriptors joined by hyphens (``"PLEOMORPHIC-FINE_LINEAR_BRANCHING"``)
and a missing one as ``"N/A"`` or an empty cell. Its words follow the BI-RADS 4th edition; the 5th
edition folded "lucent-centred" and "eggshell" into "rim", and calls "pleomorphic" "fine
pleomorphic" (reference section 3). An unknown word is never dropped silently: the ``parse_*``
functions raise :class:`UnknownDescriptorError` naming it, and the ``split_*`` functions return it.

Examples
--------
>>> parse_morphology("PLEOMORPHIC-FINE_LINEAR_BRANCHING")
[<Morphology.FINE_PLEOMORPHIC: 'fine pleomorphic'>, <Morphology.FINE_LINEAR_BRANCHING: \
'fine linear or fine-linear branching'>]
>>> parse_distribution("CLUSTERED-LINEAR")
[<Distribution.GROUPED: 'grouped'>, <Distribution.LINEAR: 'linear'>]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from mammocalc.errors import ParameterError
from mammocalc.vocabulary import Distribution, Morphology

E = TypeVar("E", bound=StrEnum)

#: Cell values meaning "no descriptor given".
MISSING_WORDS = frozenset({"", "N_A", "NA", "NONE", "NAN", "UNKNOWN", "NOT_GIVEN"})

_MORPHOLOGY_SYNONYMS: dict[str, Morphology] = {
    "PLEOMORPHIC": Morphology.FINE_PLEOMORPHIC,
    "FINE_PLEOMORPHIC": Morphology.FINE_PLEOMORPHIC,
    "FINE_LINEAR_BRANCHING": Morphology.FINE_LINEAR_BRANCHING,
    "FINE_LINEAR": Morphology.FINE_LINEAR_BRANCHING,
    "LINEAR_BRANCHING": Morphology.FINE_LINEAR_BRANCHING,
    "FINE_LINEAR_OR_FINE_LINEAR_BRANCHING": Morphology.FINE_LINEAR_BRANCHING,
    "AMORPHOUS": Morphology.AMORPHOUS,
    "INDISTINCT": Morphology.AMORPHOUS,
    "COARSE_HETEROGENEOUS": Morphology.COARSE_HETEROGENEOUS,
    "PUNCTATE": Morphology.PUNCTATE,
    "ROUND": Morphology.ROUND,
    "ROUND_AND_REGULAR": Morphology.ROUND,
    "LUCENT_CENTER": Morphology.RIM,
    "LUCENT_CENTERED": Morphology.RIM,
    "LUCENT_CENTRE": Morphology.RIM,
    "LUCENT_CENTRED": Morphology.RIM,
    "EGGSHELL": Morphology.RIM,
    "RIM": Morphology.RIM,
    "VASCULAR": Morphology.VASCULAR,
    "COARSE": Morphology.COARSE,
    "POPCORN": Morphology.COARSE,
    "POPCORN_LIKE": Morphology.COARSE,
    "COARSE_OR_POPCORN_LIKE": Morphology.COARSE,
    "DYSTROPHIC": Morphology.DYSTROPHIC,
    "LARGE_RODLIKE": Morphology.LARGE_ROD_LIKE,
    "LARGE_ROD_LIKE": Morphology.LARGE_ROD_LIKE,
    "RODLIKE": Morphology.LARGE_ROD_LIKE,
    "SKIN": Morphology.SKIN,
    "DERMAL": Morphology.SKIN,
    "MILK_OF_CALCIUM": Morphology.MILK_OF_CALCIUM,
    "SUTURE": Morphology.SUTURE,
}

_DISTRIBUTION_SYNONYMS: dict[str, Distribution] = {
    "CLUSTERED": Distribution.GROUPED,
    "CLUSTER": Distribution.GROUPED,
    "GROUPED": Distribution.GROUPED,
    "LINEAR": Distribution.LINEAR,
    "SEGMENTAL": Distribution.SEGMENTAL,
    "REGIONAL": Distribution.REGIONAL,
    "DIFFUSE": Distribution.DIFFUSE,
    "DIFFUSELY_SCATTERED": Distribution.DIFFUSE,
    "SCATTERED": Distribution.DIFFUSE,
}


class UnknownDescriptorError(ParameterError):
    """A descriptor word that the lexicon cannot map; ``words`` lists the unknown ones."""

    def __init__(self, text: str, words: list[str], kind: str) -> None:
        self.text = text
        self.words = words
        super().__init__(
            f"{kind} descriptor {text!r} contains unknown word(s) {', '.join(words)}; "
            f"use BI-RADS or CBIS-DDSM {kind} words ({', '.join(sorted(_known_words(kind)))})."
        )


def _known_words(kind: str) -> list[str]:
    return list(_MORPHOLOGY_SYNONYMS if kind == "morphology" else _DISTRIBUTION_SYNONYMS)


def _key(text: str) -> str:
    """Normalise a word: upper case, runs of non-alphanumerics become one underscore."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _table(enum: type[E], synonyms: Mapping[str, E]) -> dict[str, E]:
    table = {_key(member.value): member for member in enum}
    table.update({_key(member.name): member for member in enum})
    table.update(synonyms)
    return table


_MORPHOLOGY_TABLE = _table(Morphology, _MORPHOLOGY_SYNONYMS)
_DISTRIBUTION_TABLE = _table(Distribution, _DISTRIBUTION_SYNONYMS)


def _split(text: str, table: Mapping[str, E]) -> tuple[list[E], list[str]]:
    """Greedy longest match of hyphen/comma/slash-separated parts against ``table``.

    Parts are re-joined when a descriptor itself holds a hyphen ("fine-linear branching").
    Returns the Enums in order of first mention (duplicates removed) and the unknown parts.
    """
    if _key(text) in MISSING_WORDS:
        return [], []
    if _key(text) in table:
        return [table[_key(text)]], []
    parts = [p for p in re.split(r"[-,;/+]", text) if _key(p)]
    found: list[E] = []
    unknown: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            key = _key("_".join(parts[i:j]))
            if key in table:
                if table[key] not in found:
                    found.append(table[key])
                i = j
                break
        else:
            if _key(parts[i]) not in MISSING_WORDS:
                unknown.append(parts[i].strip())
            i += 1
    return found, unknown


def split_morphology(text: str) -> tuple[list[Morphology], list[str]]:
    """Map a morphology cell onto Enums, returning ``(known, unknown_words)`` without raising."""
    return _split(text, _MORPHOLOGY_TABLE)


def split_distribution(text: str) -> tuple[list[Distribution], list[str]]:
    """Map a distribution cell onto Enums, returning ``(known, unknown_words)`` without raising."""
    return _split(text, _DISTRIBUTION_TABLE)


def parse_morphology(text: str) -> list[Morphology]:
    """Map a morphology cell ("PLEOMORPHIC-AMORPHOUS", "fine pleomorphic") onto Enums.

    Parameters
    ----------
    text : str
        One or several descriptor words, hyphen- or comma-separated; "N/A" or "" give [].

    Returns
    -------
    list of Morphology
        In order of mention, without duplicates.

    Raises
    ------
    UnknownDescriptorError
        When a word is not in the lexicon (the message and ``words`` name it).
    """
    found, unknown = split_morphology(text)
    if unknown:
        raise UnknownDescriptorError(text, unknown, "morphology")
    return found


def parse_distribution(text: str) -> list[Distribution]:
    """Map a distribution cell ("CLUSTERED-LINEAR", "diffusely scattered") onto Enums.

    Parameters
    ----------
    text : str
        One or several distribution words; "N/A" or "" give [].

    Returns
    -------
    list of Distribution
        In order of mention, without duplicates.

    Raises
    ------
    UnknownDescriptorError
        When a word is not in the lexicon.
    """
    found, unknown = split_distribution(text)
    if unknown:
        raise UnknownDescriptorError(text, unknown, "distribution")
    return found
