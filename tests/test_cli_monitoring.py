"""``cssnet monitoring``: record, escalate, list and import reports on a real SQLite file."""

from __future__ import annotations

import datetime as dt

from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery
from tests.api_support import network_file, run_cli

DAY = (dt.date.today() - dt.timedelta(days=2)).isoformat()


def test_record_escalate_and_list(tmp_path):
    db = network_file(tmp_path / "cli.db")
    made = run_cli(db, "monitoring", "record", "--monitor", "cbo-b", "--facility", "clinic-a", "--date", DAY,
               "--barrier", "stockout", "--barrier", "long_wait", "--note", "No test kits.", "--key", "cli-key-0001")
    assert made.exit_code == 0, made.output
    assert "Medicines or tests out of stock, Very long wait" in made.output
    assert "[Raised with the facility]" in made.output
    report_id = made.output.split()[0]
    again = run_cli(db, "monitoring", "record", "--monitor", "cbo-b", "--facility", "clinic-a", "--date", DAY,
                "--barrier", "stockout", "--barrier", "long_wait", "--note", "No test kits.", "--key", "cli-key-0001")
    assert again.exit_code == 0 and "nothing written" in again.output
    moved = run_cli(db, "monitoring", "escalate", report_id, "raised_with_district")
    assert moved.exit_code == 0 and "[Raised with the district]" in moved.output
    listed = run_cli(db, "monitoring", "list", "--facility", "clinic-a")
    assert listed.exit_code == 0 and "1 of 1 report(s)" in listed.output
    store = SQLiteStore(db)
    try:
        assert [(e.actor, e.action) for e in store.list_audit(AuditQuery(entity_id=report_id)).items] == [
            ("cli", "update"), ("cli", "create")]
    finally:
        store.close()


def test_refusals_exit_1_and_store_nothing(tmp_path):
    db = network_file(tmp_path / "cli.db")
    bad = run_cli(db, "monitoring", "record", "--monitor", "cbo-b", "--facility", "clinic-a", "--barrier", "stockout",
              "--note", "Call 0825551234 for her")
    assert bad.exit_code == 1 and "never about a person" in bad.output
    unknown = run_cli(db, "monitoring", "record", "--monitor", "cbo-b", "--facility", "nowhere",
                      "--barrier", "stockout")
    assert unknown.exit_code == 1 and "nowhere" in unknown.output
    assert "0 of 0 report(s)" in run_cli(db, "monitoring", "list").output


def test_import_a_file_all_or_none(tmp_path):
    db = network_file(tmp_path / "cli.db")
    good = tmp_path / "good.csv"
    good.write_text("id,monitor,facility,date,barriers,note,escalation\n"
                    f"F-1,cbo-b,clinic-a,{DAY},stigma;no_privacy,Counselling in the open.,raised_with_facility\n",
                    encoding="utf-8")
    assert "1 new report(s)" in run_cli(db, "monitoring", "import", str(good)).output
    assert "0 new report(s)" in run_cli(db, "monitoring", "import", str(good)).output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,monitor,facility,date,barriers,note,escalation\n"
                   f"F-2,cbo-b,clinic-a,{DAY},stigma,,\n"
                   f"F-3,cbo-b,clinic-a,{DAY},rude,,\n", encoding="utf-8")
    refused = run_cli(db, "monitoring", "import", str(bad))
    assert refused.exit_code == 1 and "bad.csv row 3" in refused.output
    assert "1 of 1 report(s)" in run_cli(db, "monitoring", "list").output
