"""The shipped detection weights agree with the code that reads them and with the settings."""

from __future__ import annotations

import json
from importlib import resources
from typing import get_args

import pytest

from mammocalc._detect_score import CALC_FEATURES
from mammocalc._group_score import CLUSTER_FEATURES, MACRO_FEATURES
from mammocalc.errors import ParameterError
from mammocalc.settings import OPERATING_POINTS, OperatingPoint, Settings


def _shipped(name: str) -> dict:
    return json.loads((resources.files("mammocalc") / "weights" / name).read_text())


@pytest.mark.parametrize(
    ("name", "features"),
    [
        ("detect_calc.json", CALC_FEATURES),
        ("detect_cluster.json", CLUSTER_FEATURES),
        ("detect_macro.json", MACRO_FEATURES),
    ],
)
def test_each_model_uses_the_features_the_code_computes(name: str, features: tuple) -> None:
    """A model trained before a feature was added (or after one was dropped) would still load,
    reading the features it names; the shipped files must be the ones the training script makes
    from the current feature lists."""
    assert tuple(_shipped(name)["features"]) == features


def test_settings_thresholds_are_the_training_runs_operating_points() -> None:
    """``scripts/train_detector.py`` chooses the thresholds with the weights; the defaults in
    ``Settings`` must be the ones written beside the weights."""
    settings = Settings.model_validate({})
    for name in ("detect_calc.json", "detect_cluster.json", "detect_macro.json"):
        metadata = _shipped(name)["metadata"]
        assert settings.detection_threshold == metadata["detection_threshold"]
        assert settings.finding_threshold == metadata["finding_threshold"]
        assert settings.finding_threshold_film == metadata["finding_threshold_film"]


def test_operating_point_names_agree_with_their_threshold_sets() -> None:
    """The typed names (``OperatingPoint``) and the threshold table are written apart."""
    assert set(get_args(OperatingPoint)) == set(OPERATING_POINTS)


def test_operating_points_set_thresholds_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    research = Settings(operating_point="research")
    assert (research.detection_threshold, research.finding_threshold) == (0.5, 0.0)
    assert research.finding_threshold_film == 0.0
    assert Settings(operating_point="research", finding_threshold=0.2).finding_threshold == 0.2
    assert Settings(operating_point="screening") == Settings()
    assert Settings(operating_point=" Research ").operating_point == "research"
    assert research.below_screening() and not Settings().below_screening()
    assert Settings(finding_threshold=0.3).below_screening()  # lowered by hand: warned too
    monkeypatch.setenv("MAMMOCALC_OPERATING_POINT", "research")
    monkeypatch.setenv("MAMMOCALC_DETECTION_THRESHOLD", "0.55")
    from_env = Settings.from_env()
    assert from_env.operating_point == "research" and from_env.finding_threshold == 0.0
    assert from_env.detection_threshold == 0.55  # an explicit variable wins over the point
    monkeypatch.setenv("MAMMOCALC_OPERATING_POINT", "fast")
    with pytest.raises(ParameterError, match="MAMMOCALC_OPERATING_POINT"):
        Settings.from_env()
