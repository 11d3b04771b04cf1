"""Colours of the overlay marks, one per BI-RADS category."""

from __future__ import annotations

from mammocalc.vocabulary import Category

RGB = tuple[int, int, int]

CATEGORY_RGB: dict[Category | None, RGB] = {
    Category.NEGATIVE: (80, 210, 90),
    Category.BENIGN: (80, 210, 90),
    Category.PROBABLY_BENIGN: (255, 215, 0),
    Category.INCOMPLETE: (255, 140, 0),
    Category.SUSPICIOUS_LOW: (255, 70, 70),
    Category.SUSPICIOUS_MODERATE: (255, 70, 70),
    Category.SUSPICIOUS_HIGH: (255, 70, 70),
    Category.HIGHLY_SUGGESTIVE: (255, 0, 160),
    None: (170, 170, 170),
}
