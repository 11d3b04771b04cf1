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
        "froc": {"sensitivity_at_fp": {"0.1": cluster}},
        "morphology": {"micro_accuracy": morphology},
        "category": {"agreement": category},
    }


def test_targets_are_judged_against_their_goals() -> None:
    mb = _make_bench()
    results = {
        "bench": {
            "images": [{"spacing_mm": 0.07, "total_seconds": 3.2, "simulator": {"seconds": 1.0}}]
        },
        "cbis-ddsm": {"auc": 0.81, "ece": 0.06},
        "synthetic": {"by_spacing": {"0.07": _block(0.95, 0.5, 0.85, 0.899)}},
    }
    rows = {row[1]: (row[3], row[4]) for row in mb._target_rows(results)}
    assert rows["analysis, 70 um full-field image, all stages"] == ("3.20", "not met")
    assert rows["simulator, 70 um image"] == ("1.00", "met")
    assert rows["CBIS-DDSM expected calibration error, same CV"] == ("0.060", "not met")
    assert rows["synthetic calcifications @0.4 FP/cm^2, 70 um"] == ("0.950", "met")
    assert rows["synthetic clusters @0.1 FP/image, 70 um"] == ("0.500", "not met")
    assert rows["synthetic morphology accuracy, 70 um"] == ("0.850", "met")
    assert rows["synthetic category agreement, 70 um"] == ("0.899", "not met")
    assert mb._status(None, 0.5) == "not measured"


def test_no_results_no_target_table() -> None:
    assert _make_bench().render_targets([]) == []
