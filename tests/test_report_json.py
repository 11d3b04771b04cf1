"""JSON report: exact round trip, stable bytes, atomic writes, committed schema up to date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mammocalc.errors import InputError, ParameterError
from mammocalc.models import SCHEMA_VERSION, Report
from mammocalc.report import read_json, report_schema, write_json
from mammocalc.report.schema import main as schema_main
from mammocalc.report.schema import schema_bytes
from mammocalc.vocabulary import Category, Laterality
from test_report_factory import make_report

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"


@pytest.fixture
def report() -> Report:
    return make_report(
        {
            Laterality.LEFT: [Category.SUSPICIOUS_MODERATE, Category.BENIGN],
            Laterality.RIGHT: [Category.PROBABLY_BENIGN],
        },
        warnings=["pixel spacing assumed 0.1 mm"],
    )


def test_round_trip_is_exact(report: Report, tmp_path: Path) -> None:
    path = write_json(report, tmp_path / "r.json")
    again = read_json(path)
    assert again == report
    assert again.findings()[0].probability_interval == report.findings()[0].probability_interval
    assert isinstance(again.findings()[0].category, Category)


def test_bytes_are_deterministic_and_keys_sorted(report: Report, tmp_path: Path) -> None:
    first = write_json(report, tmp_path / "a.json").read_bytes()
    rebuilt = Report.model_validate(report.model_dump())
    second = write_json(rebuilt, tmp_path / "b.json").read_bytes()
    assert first == second
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert first.endswith(b"\n")


def test_write_leaves_no_temporary_file(report: Report, tmp_path: Path) -> None:
    write_json(report, tmp_path / "r.json")
    write_json(report, tmp_path / "r.json")  # overwriting is fine
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_non_finite_number_is_refused_and_old_file_kept(report: Report, tmp_path: Path) -> None:
    path = write_json(report, tmp_path / "r.json")
    before = path.read_bytes()
    image = report.images[0]
    bad_finding = image.findings[0].model_copy(update={"features": {"linearity": float("nan")}})
    bad_image = image.model_copy(update={"findings": [bad_finding, *image.findings[1:]]})
    bad = report.model_copy(update={"images": [bad_image, *report.images[1:]]})
    with pytest.raises(ParameterError, match=r"features\.linearity"):
        write_json(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


@pytest.mark.parametrize(
    ("content", "match"),
    [("{not json", "not a valid mammocalc report"), ('{"images": []}', "not a valid mammocalc")],
)
def test_read_rejects_bad_files(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=match) as info:
        read_json(path)
    assert str(path) in str(info.value)


def test_read_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.json"):
        read_json(tmp_path / "missing.json")


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.exists(), "run `make schema` to write docs/report.schema.json"
    assert SCHEMA_FILE.read_bytes() == schema_bytes(), (
        "docs/report.schema.json is stale: run `make schema` "
        "(python -m mammocalc.report.schema docs/report.schema.json) and commit it"
    )


def test_schema_carries_id_and_version_and_covers_the_report(report: Report) -> None:
    schema = report_schema()
    assert schema["version"] == SCHEMA_VERSION
    assert str(schema["$id"]).endswith(SCHEMA_VERSION)
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert set(report.model_dump()) == set(properties)
    finding_schema = schema["$defs"]["Finding"]  # type: ignore[index]
    assert set(report.findings()[0].model_dump()) == set(finding_schema["properties"])
    assert {"4A", "4B", "4C"} <= set(schema["$defs"]["Category"]["enum"])  # type: ignore[index]


def test_schema_module_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert schema_main([str(target)]) == 0
    assert target.read_bytes() == schema_bytes()
    assert schema_main([]) == 2
