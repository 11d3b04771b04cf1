"""Image evidence of a finding that can only grow when calcifications are added to it.

The grouping stage's features (hull density, diameter CV, PCA linearity, MST branching) describe a
group well but can fall when a calcification is added (a new member widens the hull or evens out
the sizes). The risk model needs evidence that never falls when more fine linear calcifications
join a cluster, so it uses these member-based counterparts instead:

- ``n``: number of calcifications;
- ``local_density_per_cm2``: most calcifications inside any 1 cm^2 disc centred on a member
  (reference section 4: > 20 per cm^2 suggests malignancy, < 10 benign);
- ``size_ratio``: largest over smallest diameter (size variation);
- ``n_linear``: members that are thin and elongated (fine linear), and resolved (more than
  ``MIN_DIAMETER_PX`` pixels across);
- ``linear_spread_deg``: largest angle between the long axes of two linear members (branching).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mammocalc import _thresholds as t
from mammocalc._morphology import shape_reliability
from mammocalc.models import Calcification

DISC_RADIUS_MM = float(np.sqrt(100.0 / np.pi))
"""Radius of a 1 cm^2 disc (5.64 mm)."""


def is_fine_linear(c: Calcification, spacing_mm: float) -> bool:
    """Thin (< 0.5 mm wide) and elongated, and wide enough in pixels to show a shape at all.

    A speck ``MIN_DIAMETER_PX`` pixels across or less (a 1 x 3 pixel outline) is "elongated" by
    pixelation alone; it is no evidence of a casting.
    """
    resolved = shape_reliability(c.diameter_mm, spacing_mm) > 0.0
    thin = c.shape.width_mm < t.FINE_MAX_WIDTH_MM
    return resolved and thin and c.shape.elongation >= t.LINEAR_MIN_ELONGATION


def evidence_features(members: Sequence[Calcification], spacing_mm: float) -> dict[str, float]:
    """Monotone evidence of a finding's members (see the module docstring); {} when empty.

    ``spacing_mm`` is the image's pixel spacing (which members are resolved enough to count as
    linear).
    """
    if not members:
        return {}
    centres = np.asarray([c.centroid_mm for c in members], dtype=np.float64).reshape(-1, 2)
    distance = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    local = float((distance <= DISC_RADIUS_MM).sum(axis=1).max())
    diameters = np.asarray([c.diameter_mm for c in members])
    linear = [c for c in members if is_fine_linear(c, spacing_mm)]
    return {
        "n": float(len(members)),
        "local_density_per_cm2": local,
        "size_ratio": float(diameters.max() / max(diameters.min(), 1e-6)),
        "n_linear": float(len(linear)),
        "linear_spread_deg": _largest_angle_deg([c.shape.orientation_deg for c in linear]),
    }


def _largest_angle_deg(orientations_deg: Sequence[float]) -> float:
    """Largest angle (0-90 degrees) between two undirected axes."""
    if len(orientations_deg) < 2:
        return 0.0
    a = np.radians(np.asarray(orientations_deg, dtype=np.float64))
    cosine = np.abs(np.cos(a[:, None] - a[None, :]))
    return float(np.degrees(np.arccos(np.clip(cosine.min(), 0.0, 1.0))))
