"""Milk of calcium seen from the side: the "teacup" (private to ``_morphology``).

Calcium sediment in a cyst settles under gravity. On the craniocaudal view it is a faint,
smudgy disc (often not detected at all); on the lateral (MLO, ML, LM) view it is a crescent
whose flat, widest edge is its top (the level of the sediment) and which narrows downwards
(reference section 3: "crescent or linear teacup on the lateral/MLO view"). On a lateral view
a calcification is a teacup when its long axis lies within ``TEACUP_MAX_TILT_DEG`` of the
horizontal, it is ``TEACUP_ASPECT`` times wider than tall, and the top third of its rows is
``TEACUP_MIN_TOP_RATIO`` times wider than the bottom third. Image rows run downwards, as
gravity does on a mammogram hung upright.

On simulator MLO images of development seeds 5000-5091, 6000-6275 and 7000-7183 (the benchmark
uses seeds 0-183), 34 of 48 milk-of-calcium pieces of at least 1 mm met these rules, against 8 of
185 pieces of other macrocalcifications (3 of them arcs of rims, which are called rim before
this test applies).
"""

from __future__ import annotations

import numpy as np
from skimage.draw import polygon as fill_polygon

from mammocalc.models import Calcification

TEACUP_MAX_TILT_DEG = 15.0  # long axis this close to the horizontal (image columns)
TEACUP_ASPECT = (1.2, 3.5)  # width over height: a crescent, not a round blob or a long rod
TEACUP_MIN_TOP_RATIO = 1.6  # mean width of the top third of rows over that of the bottom third
_MIN_ROWS = 3  # fewer rows than this show no profile


def is_teacup(calc: Calcification) -> bool:
    """True when ``calc``'s outline is a horizontal crescent widest at its flat top.

    Only meaningful on a lateral view (gravity along the image rows).
    """
    tilt = abs(calc.shape.orientation_deg % 180.0 - 90.0)  # 90 degrees: along the columns
    if tilt > TEACUP_MAX_TILT_DEG:
        return False
    profile = row_widths(calc)
    if profile.size < _MIN_ROWS:
        return False
    aspect = float(profile.max()) / profile.size
    third = max(1, profile.size // 3)
    top, bottom = float(profile[:third].mean()), float(profile[-third:].mean())
    return bool(
        TEACUP_ASPECT[0] <= aspect <= TEACUP_ASPECT[1] and top >= TEACUP_MIN_TOP_RATIO * bottom
    )


def row_widths(calc: Calcification) -> np.ndarray:
    """Width (pixels) of the filled outline on each of its rows, top to bottom, shape (rows,).

    Empty when the outline has fewer than 3 points.
    """
    outline = np.array(calc.outline_px or [], float)
    if len(outline) < 3:
        return np.zeros(0)
    low = np.floor(outline.min(axis=0))
    rows, cols = fill_polygon(outline[:, 0] - low[0], outline[:, 1] - low[1])
    if rows.size == 0:
        return np.zeros(0)
    order = np.unique(rows)
    return np.array([np.ptp(cols[rows == r]) + 1 for r in order], float)
