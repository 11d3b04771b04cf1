"""The reading-level measure: syllable counter against hand counts, the Flesch-Kincaid formula."""

from __future__ import annotations

import pytest

from mammocalc.report.readability import (
    count_syllables,
    flesch_kincaid_grade,
    html_text,
    readability,
)

# Dictionary syllable counts (Merriam-Webster), mostly words the patient letter uses.
HAND_COUNTED = {
    "the": 1,
    "breast": 1,
    "breasts": 1,
    "calcium": 3,
    "calcifications": 5,
    "mammogram": 3,
    "biopsy": 3,
    "stereotactic": 5,
    "benign": 2,
    "cancer": 2,
    "tissue": 2,
    "tiny": 2,
    "deposits": 3,
    "medicine": 3,
    "suspicious": 3,
    "radiologist": 5,
    "magnified": 3,
    "follow": 2,
    "months": 1,
    "needle": 2,
    "samples": 2,
    "simple": 2,
    "whole": 1,
    "makes": 1,
    "places": 2,
    "images": 3,
    "called": 1,
    "tested": 2,
    "showed": 1,
    "usual": 3,
    "quality": 3,
    "infection": 3,
    "injury": 3,
    "yearly": 2,
    "doctor": 2,
    "questions": 2,
    "usually": 4,
    "results": 2,
    "letter": 2,
    "picture": 2,
    "change": 1,
    "common": 2,
    "probably": 3,
    "cyst": 1,
    "vessels": 2,
    "people": 2,
    "area": 3,
}


@pytest.mark.parametrize(("word", "syllables"), sorted(HAND_COUNTED.items()))
def test_syllables_match_hand_counts(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_numbers_and_empty_words() -> None:
    assert count_syllables("6") == 1
    assert count_syllables("2024") == 4
    assert count_syllables("X") == 1


def test_flesch_kincaid_formula() -> None:
    result = readability("The cat sat on the mat. It was warm!")
    assert (result.words, result.sentences, result.syllables) == (9, 2, 9)
    assert result.grade == pytest.approx(0.39 * 9 / 2 + 11.8 * 9 / 9 - 15.59)


def test_measure_separates_easy_from_hard_text() -> None:
    easy = "We saw small white spots. Most are not cancer. You need a new picture in six months."
    hard = (
        "Heterogeneous microcalcifications demonstrating segmental distribution necessitate "
        "stereotactic histopathological characterisation notwithstanding radiological uncertainty."
    )
    assert flesch_kincaid_grade(easy) < 4
    assert flesch_kincaid_grade(hard) > 16


def test_empty_text_scores_zero() -> None:
    assert readability("").grade == 0.0
    assert readability("  ...  ").words == 0


def test_html_text_ends_sentences_at_blocks_and_skips_style() -> None:
    text = html_text(
        "<html><head><style>p { color: red }</style><title>T</title></head>"
        "<body><h1>Your results</h1><p>One sentence here</p><ul><li>first</li></ul></body></html>"
    )
    assert text == "Your results. One sentence here. first."
    assert readability(text).sentences == 3
