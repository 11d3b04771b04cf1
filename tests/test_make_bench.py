"""The benchmark page's target table (scripts/make_bench.py) reads each figure it states."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_bench.py"


def _make_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_bench"] = module
    spec.loader.exec_module(module)
    return module


def _block(calc: float, cluster: float, morphology: float, category: float) -> dict[str, object]:
    return {
        "calcification_froc": {"sensitivity_at_fp": {"0.4": calc}},
        "n_truth_calcifications": 400,
        "froc": {"sensitivity_at_fp": {"0.1": cluster}},
        "n_truth_clusters": 50,
        "morphology": {"micro_accuracy": morphology, "n_matched": 100},
        "category": {"agreement": category, "n_matched": 100},
    }


def test_targets_are_judged_against_their_goals() -> None:
    mb = _make_bench()
    results = {
        "bench": {
            "images": [{"spacing_mm": 0.07, "total_seconds": 3.2, "simulator": {"seconds": 1.0}}]
        },
        "cbis-ddsm": {"auc": 0.81, "auc_ci95": [0.77, 0.85], "ece": 0.06},
        "synthetic": {"by_spacing": {"0.07": _block(0.95, 0.5, 0.85, 0.899)}},
    }
    table = mb._target_rows(results)
    rows = {row[1]: (row[3], row[5]) for row in table}
    intervals = {row[1]: row[4] for row in table}
    assert rows["analysis, 70 um full-field image, all stages"] == ("3.20", "not met")
    assert rows["simulator, 70 um image"] == ("1.00", "met")
    assert rows["CBIS-DDSM expected calibration error, same CV"] == ("0.060", "not met")
    assert rows["synthetic calcifications @0.4 FP/cm^2, 70 um"] == ("0.950", "met")
    assert rows["synthetic clusters @0.1 FP/image, 70 um"] == ("0.500", "not met")
    assert rows["synthetic morphology accuracy, 70 um"] == ("0.850", "met")
    assert rows["synthetic category agreement, 70 um"] == ("0.899", "not met")
    assert mb._status(None, 0.5) == "not measured"
    # each proportion carries its 95% interval over the cases counted; times have none
    (auc,) = [text for target, text in intervals.items() if target.startswith("CBIS-DDSM AUC")]
    assert auc == "[0.770, 0.850]"
    assert intervals["synthetic morphology accuracy, 70 um"] == "[0.767, 0.907]"
    assert intervals["synthetic clusters @0.1 FP/image, 70 um"] == "[0.366, 0.634]"
    assert intervals["simulator, 70 um image"] == "–"


def test_wilson_interval() -> None:
    """The Wilson score interval: textbook values, the ends clipped to [0, 1], none without n."""
    mb = _make_bench()
    low, high = mb.wilson_interval(0.9, 37)
    assert abs(low - 0.7630) < 1e-3 and abs(high - 0.9618) < 1e-3
    assert mb.wilson_interval(1.0, 10)[1] == 1.0
    assert mb.wilson_interval(0.0, 10)[0] == 0.0
    assert mb.wilson_interval(0.5, 0) is None
    assert mb.wilson_interval(None, 10) is None


def test_no_results_no_target_table() -> None:
    assert _make_bench().render_targets([]) == []
