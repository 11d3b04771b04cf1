"""Synthetic mammograms with complete calcification truth (``mammocalc simulate``).

>>> from mammocalc.simulate import simulate_image, SCENES
>>> sim = simulate_image(7, scene="suspicious-cluster", spacing_mm=0.2, shape_px=(500, 400))
>>> sim.truth.findings[0].category.value in ("4B", "4C")
True
"""

from mammocalc.simulate.generate import demo_exam, simulate_exam, simulate_image
from mammocalc.simulate.scenes import SCENES, Scene
from mammocalc.simulate.truth import SimulatedImage, Truth, TruthCalcification, TruthFinding
from mammocalc.simulate.writers import read_truth, write_simulated

__all__ = [
    "SCENES",
    "Scene",
    "SimulatedImage",
    "Truth",
    "TruthCalcification",
    "TruthFinding",
    "demo_exam",
    "read_truth",
    "simulate_exam",
    "simulate_image",
    "write_simulated",
]
