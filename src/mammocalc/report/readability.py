"""Reading level of patient-facing text: Flesch-Kincaid grade with a documented syllable counter.

Flesch-Kincaid grade level (Kincaid et al. 1975, US Navy report RBR-8-75)::

    grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59

The syllable counter is a small rule set, not a dictionary (none ships with the core install):

1. Lower-case the word and keep its letters; a word of digits counts one syllable per digit
   ("6" is "six"; "12" counts 2 where "twelve" has 1, so numbers err towards a harder score).
2. Count groups of consecutive vowels (a, e, i, o, u, and y when not the first letter).
3. A final silent "e" loses its syllable ("make" counts 1; "tissue" keeps its vowel group),
   except in a consonant + "le(s)" ending ("simple", "samples"); "-es" and "-ed" endings are
   silent except after the letters that make them sound ("boxes", "places", "tested").
4. Vowel pairs spoken as two syllables add one: "ia", "iu", "io", "eo", "ua" (cal-ci-um,
   bi-op-sy, ste-re-o, u-su-al), except "io" and "ia" after t, s or c ("-tion", "-sion",
   "-cial", "-cious") and "ua" after q ("quality").
5. A handful of common words the rules miscount ("people", "area", "being", ...) are looked up.
6. Every word has at least one syllable.

The counter is checked against hand-counted words in ``tests/test_report_readability.py``; on
the letter vocabulary it errs, if at all, towards more syllables (a higher, stricter grade).
HTML is scored on its visible text; the end of a heading, paragraph or list item ends a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_VOWELS = "aeiouy"
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
# "io"/"ia" after t, s or c are one syllable ("-tion", "-sion", "-cial", "-cious").
_TWO_SYLLABLE_PAIRS = re.compile(r"(?<![tsc])i[oa]|iu|eo|(?<!q)ua")
# Common words the rules miscount, with their dictionary syllable counts.
_EXCEPTIONS = {"people": 2, "area": 3, "areas": 3, "diet": 2, "quiet": 2, "being": 2, "every": 2}
_SOUNDED_ES = ("ses", "xes", "zes", "ches", "shes", "ces", "ges")
_BLOCK_TAGS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "div", "br", "tr"}
)
_SKIPPED_TAGS = frozenset({"style", "script", "head", "title"})


@dataclass(frozen=True)
class Readability:
    """Counts and the Flesch-Kincaid grade of one text."""

    words: int
    sentences: int
    syllables: int
    grade: float


def count_syllables(word: str) -> int:
    """Estimated syllables in one English word (rules in the module docstring).

    >>> [count_syllables(w) for w in ("calcium", "biopsy", "mammogram", "the", "simple")]
    [3, 3, 3, 1, 2]
    """
    if word.isdigit():
        return len(word)
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return 1
    if letters in _EXCEPTIONS:
        return _EXCEPTIONS[letters]
    groups = _vowel_groups(letters)
    if _has_silent_ending(letters):
        groups -= 1
    groups += _split_pairs(letters)
    return max(1, groups)


def _vowel_groups(letters: str) -> int:
    count = 0
    previous_vowel = False
    for index, letter in enumerate(letters):
        vowel = letter in _VOWELS and not (letter == "y" and index == 0)
        if vowel and not previous_vowel:
            count += 1
        previous_vowel = vowel
    return count


def _has_silent_ending(letters: str) -> bool:
    if len(letters) < 3:
        return False
    if letters.endswith("le"):
        return letters[-3] in _VOWELS  # "whole", "male": silent; "simple": sounded
    if letters.endswith("e"):
        return letters[-2] not in _VOWELS  # "make"; but "tissue", "free" keep their group
    if letters.endswith("les") and len(letters) > 3:
        return letters[-4] in _VOWELS  # "males": silent; "samples": sounded like "simple"
    if letters.endswith("es"):
        return not letters.endswith(_SOUNDED_ES) and letters[-3] not in _VOWELS
    if letters.endswith("ed"):
        return letters[-3] not in "td" and letters[-3] not in _VOWELS
    return False


def _split_pairs(letters: str) -> int:
    return len(_TWO_SYLLABLE_PAIRS.findall(letters))


def readability(text: str) -> Readability:
    """Words, sentences, syllables and Flesch-Kincaid grade of plain text.

    Parameters
    ----------
    text : str
        Plain text; sentences end with '.', '!' or '?' followed by a space or the end.

    Returns
    -------
    Readability
        ``grade`` is 0.0 for a text without words.
    """
    words = _WORD.findall(text)
    if not words:
        return Readability(words=0, sentences=0, syllables=0, grade=0.0)
    pieces = [piece for piece in _SENTENCE_END.split(text) if _WORD.search(piece)]
    sentences = max(1, len(pieces))
    syllables = sum(
        count_syllables(part) for word in words for part in re.split(r"['\u2019-]", word)
    )
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    return Readability(words=len(words), sentences=sentences, syllables=syllables, grade=grade)


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade level of plain text (see :func:`readability`)."""
    return readability(text).grade


def html_text(html: str) -> str:
    """Visible text of an HTML document; block ends (p, li, h1-h6, ...) end a sentence."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


def html_grade(html: str) -> float:
    """Flesch-Kincaid grade of the visible text of an HTML document."""
    return flesch_kincaid_grade(html_text(html))


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self._skip_depth == 0:
            self._current.append(data)

    def _end_block(self) -> None:
        block = " ".join("".join(self._current).split())
        self._current = []
        if block:
            self._blocks.append(block if block[-1] in ".!?:" else block + ".")

    def text(self) -> str:
        self._end_block()
        return " ".join(self._blocks)
