"""Free-response ROC (FROC) analysis, scored as in Chakraborty's methodology.

Each image yields marks, each a (score, truth id it hits or None). Lowering a threshold over the
scores, a truth lesion is a lesion localisation (LL) when at least one mark with score >= threshold
hits it; a mark that hits no lesion is a non-lesion localisation (NL, a false positive). As in
Chakraborty (1989; 2004, JAFROC), only the highest-scored mark on a lesion counts for it: further
marks on an already hit lesion are neither LL nor NL. Sensitivity is LL / number of truth lesions
(hit or not); the false-positive rate is NL per image, or per any other denominator (e.g. cm^2).

No I/O: the dataset adapters build the marks, this module only counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from mammocalc.errors import ParameterError

__all__ = ["DEFAULT_FP_RATES", "FrocCurve", "Mark", "fp_key", "froc", "froc_bootstrap_ci"]

Mark = tuple[float, Hashable | None]
"""(score, id of the truth lesion the mark hits, or None for a false positive)."""

DEFAULT_FP_RATES: tuple[float, ...] = (0.1, 0.3, 0.5, 1.0, 2.0)


def fp_key(rate: float) -> str:
    """The JSON key of a false-positive rate: 0.1 -> "0.1", 1.0 -> "1"."""
    return f"{rate:g}"


@dataclass(frozen=True)
class FrocCurve:
    """Operating points of an FROC curve, one per distinct mark score, in falling score order.

    Attributes
    ----------
    thresholds : tuple of float
        A mark is kept when its score >= threshold; the first point (+inf) keeps none.
    fp_rate : tuple of float
        False positives (NL marks) per image, or per ``fp_unit`` (see :func:`froc`).
    sensitivity : tuple of float
        Fraction of the ``n_truth`` lesions hit (LL fraction).
    n_truth : int
        Truth lesions, including those no mark hits.
    n_images : int
        Images scored, including those without marks.
    fp_unit : str
        What ``fp_rate`` is counted per: "image" or e.g. "cm2".
    """

    thresholds: tuple[float, ...]
    fp_rate: tuple[float, ...]
    sensitivity: tuple[float, ...]
    n_truth: int
    n_images: int
    fp_unit: str = "image"

    def sensitivity_at_fp(
        self, fps_per_image: Sequence[float] = DEFAULT_FP_RATES
    ) -> dict[str, float]:
        """Best sensitivity reached with at most each false-positive rate.

        The curve is a step function: no interpolation between operating points, so the value is
        achievable with one threshold. Rates beyond the last point keep the last sensitivity.

        Returns
        -------
        dict
            ``{"0.1": s, "0.3": s, ...}``, keys from :func:`fp_key`.
        """
        rates = np.asarray(self.fp_rate)
        sens = np.asarray(self.sensitivity)
        return {fp_key(limit): float(sens[rates <= limit + 1e-12].max()) for limit in fps_per_image}

    def threshold_at_fp(self, fp: float) -> float:
        """The lowest score threshold whose false-positive rate is at most ``fp``."""
        allowed = [t for t, r in zip(self.thresholds, self.fp_rate, strict=True) if r <= fp]
        return allowed[-1]

    def mean_sensitivity(self, fps_per_image: Sequence[float] = DEFAULT_FP_RATES) -> float:
        """Mean of the sensitivities at ``fps_per_image``: one figure for the curve (the CPM of
        the ANODE09 and LUNA16 challenges)."""
        return float(np.mean(list(self.sensitivity_at_fp(fps_per_image).values())))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: the points (with +inf as None) and the summary counts."""
        return {
            "sensitivity_at_fp": self.sensitivity_at_fp(),
            "mean_sensitivity": self.mean_sensitivity(),
            "n_truth": self.n_truth,
            "n_images": self.n_images,
            "fp_unit": self.fp_unit,
            "points": {
                "threshold": [None if np.isinf(t) else t for t in self.thresholds],
                "fp_rate": list(self.fp_rate),
                "sensitivity": list(self.sensitivity),
            },
        }


def froc(
    marks_per_image: Sequence[Sequence[Mark]],
    n_truth: int,
    *,
    fp_denominator: float | None = None,
    fp_unit: str = "image",
) -> FrocCurve:
    """Compute the FROC curve from marks scored per image.

    Parameters
    ----------
    marks_per_image : sequence of sequences of (score, truth id or None)
        One entry per image read, empty for images without marks. Truth ids must be unique over
        the whole set (e.g. ``("mdb211", 0)``), since one lesion is counted once.
    n_truth : int
        Number of truth lesions over all images, including those never hit; >= 1.
    fp_denominator : float, optional
        What false positives are divided by; default the number of images. Give the total breast
        area in cm^2 (and ``fp_unit="cm2"``) for FP per cm^2.
    fp_unit : str
        Label of the denominator, carried into the result.

    Returns
    -------
    FrocCurve

    Examples
    --------
    >>> curve = froc([[(0.9, "a"), (0.8, None)], [(0.3, "b")]], n_truth=2)
    >>> curve.sensitivity_at_fp([0, 0.5])
    {'0': 0.5, '0.5': 1.0}
    """
    if n_truth < 1:
        raise ParameterError(f"froc needs at least one truth lesion; got n_truth={n_truth}")
    n_images = len(marks_per_image)
    denominator = float(n_images if fp_denominator is None else fp_denominator)
    if denominator <= 0:
        raise ParameterError(f"froc: the false-positive denominator must be > 0; got {denominator}")
    best: dict[Hashable, float] = {}
    false_scores: list[float] = []
    for marks in marks_per_image:
        for score, truth_id in marks:
            if truth_id is None:
                false_scores.append(float(score))
            else:
                best[truth_id] = max(best.get(truth_id, -np.inf), float(score))
    if len(best) > n_truth:
        raise ParameterError(f"froc: marks hit {len(best)} distinct lesions but n_truth={n_truth}")
    hit_scores = np.sort(np.fromiter(best.values(), float, len(best)))
    fp_scores = np.sort(np.asarray(false_scores, dtype=float))
    thresholds = np.unique(np.concatenate([hit_scores, fp_scores]))[::-1]
    # counts of scores >= t for a sorted array: size - searchsorted(left)
    hits = hit_scores.size - np.searchsorted(hit_scores, thresholds, side="left")
    fps = fp_scores.size - np.searchsorted(fp_scores, thresholds, side="left")
    return FrocCurve(
        thresholds=(float("inf"), *map(float, thresholds)),
        fp_rate=(0.0, *(float(v) / denominator for v in fps)),
        sensitivity=(0.0, *(float(v) / n_truth for v in hits)),
        n_truth=n_truth,
        n_images=n_images,
        fp_unit=fp_unit,
    )


def froc_bootstrap_ci(
    marks_per_image: Sequence[Sequence[Mark]],
    n_truth_per_image: Sequence[int],
    *,
    groups: Sequence[Hashable] | None = None,
    fps_per_image: Sequence[float] = DEFAULT_FP_RATES,
    n: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
) -> dict[str, list[float]]:
    """Percentile bootstrap intervals of the sensitivity at each false-positive rate.

    Images (or groups of images, e.g. the two breasts of a patient) are resampled with
    replacement; an image drawn twice counts its lesions twice. Resamples without any truth
    lesion are skipped.

    Parameters
    ----------
    marks_per_image : sequence of sequences of (score, truth id or None)
        As for :func:`froc`.
    n_truth_per_image : sequence of int
        Truth lesions on each image.
    groups : sequence of hashable, optional
        Resampling unit of each image (default: the image).
    fps_per_image, n, seed, alpha
        Rates, resamples, random seed and 1 - coverage.

    Returns
    -------
    dict
        ``{"0.1": [low, high], ...}``; empty when no resample holds a lesion.
    """
    if len(marks_per_image) != len(n_truth_per_image):
        raise ParameterError("froc_bootstrap_ci: one truth count per image is needed")
    labels = range(len(marks_per_image)) if groups is None else groups
    units: dict[Hashable, list[int]] = {}
    for image, label in enumerate(labels):
        units.setdefault(label, []).append(image)
    members = list(units.values())
    rng = np.random.default_rng(seed)
    samples: list[dict[str, float]] = []
    for _ in range(n):
        drawn = [i for k in rng.integers(0, len(members), len(members)) for i in members[k]]
        n_truth = sum(n_truth_per_image[i] for i in drawn)
        if n_truth == 0:
            continue
        marks = [
            [(score, None if hit is None else (draw, hit)) for score, hit in marks_per_image[i]]
            for draw, i in enumerate(drawn)
        ]
        samples.append(froc(marks, n_truth).sensitivity_at_fp(fps_per_image))
    if not samples:
        return {}
    return {
        key: [float(v) for v in np.quantile([s[key] for s in samples], [alpha / 2, 1 - alpha / 2])]
        for key in samples[0]
    }
