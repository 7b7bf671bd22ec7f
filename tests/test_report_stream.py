"""The coordination report as JSON lines: the same content as the document, one record a line, from the
analysis, the service and ``cssnet report --format jsonl``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from network.analysis.report import coordination_report, report_lines, report_parts
from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.service import analyses
from tests.test_report import AS_OF
from tests.test_report import G as G  # noqa: F401  (the fixture: a network with a finding of every type)


def _document(records: list[dict]) -> dict:
    """The report document put back together from its records."""
    head = records[0]
    assert head["record"] == "report"
    kinds = [r["record"] for r in records]
    assert kinds == sorted(kinds, key=["report", "finding", "structure", "recommendation", "province"].index)
    (structure,) = [r["structure"] for r in records if r["record"] == "structure"]
    return {
        "as_of": head["as_of"], "province": head["province"], "summary": head["summary"],
        "findings": [{k: v for k, v in r.items() if k != "record"} for r in records if r["record"] == "finding"],
        "structure": structure,
        "recommendations": [{k: v for k, v in r.items() if k != "record"} for r in records
                            if r["record"] == "recommendation"],
        "provinces": {r["province"]: {k: v for k, v in r.items() if k not in ("record", "province")}
                      for r in records if r["record"] == "province"},
    }


def test_the_lines_hold_the_document(G):  # noqa: F811
    lines = list(report_lines(report_parts(G, as_of=AS_OF).records()))
    assert all(line.endswith("\n") and "\n" not in line[:-1] for line in lines)
    records = [json.loads(line) for line in lines]
    whole = coordination_report(G, as_of=AS_OF)
    assert len(records) == 2 + len(whole["findings"]) + len(whole["recommendations"]) + len(whole["provinces"])
    assert _document(records) == whole
    assert {r["type"] for r in records if r["record"] == "finding"} >= {"isolated", "single_point_of_failure"}


def test_one_province_streams_its_own_report(G):  # noqa: F811
    records = [json.loads(line) for line in report_lines(report_parts(G, as_of=AS_OF, province="Limpopo").records())]
    assert _document(records) == coordination_report(G, as_of=AS_OF, province="Limpopo")


def test_service_and_command_stream_the_report_then_the_agenda(demo_path: Path, tmp_path: Path):
    db = demo_path
    store = SQLiteStore(db)
    try:
        day = dt.date(2026, 6, 1)
        lines = list(analyses.report_lines(store, as_of=day, admin=True))  # as the command (an admin) asks
        whole = analyses.report(store, as_of=day, admin=True)
    finally:
        store.close()
    records = [json.loads(line) for line in lines]
    agenda = [r for r in records if r["record"] == "agenda_item"]
    assert records[-len(agenda):] == agenda and agenda
    assert [{k: v for k, v in r.items() if k != "record"} for r in agenda] == whole["agenda"]["items"]
    (areas,) = records[-len(agenda) - 1:-len(agenda)]
    assert areas == {"record": "areas", "areas": whole["areas"]}
    assert _document(records[:-len(agenda) - 1]) == {k: v for k, v in whole.items() if k not in ("agenda", "areas")}
    out = tmp_path / "report.jsonl"
    result = CliRunner().invoke(cli, ["--store", str(db), "report", "--as-of", "2026-06-01", "--format", "jsonl",
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and f"{len(lines)} records" in result.output
    assert out.read_text(encoding="utf-8").splitlines(keepends=True) == lines
