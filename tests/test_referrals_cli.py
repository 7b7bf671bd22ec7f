"""``cssnet referral ...`` on a real SQLite file: send, walk to completion, refuse nonsense, list, outcomes, retain."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.referrals import Referral, StatusChange
from tests.api_support import small_network

TODAY = dt.date.today()


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(db), "referral", *args], catch_exceptions=False)


def test_referrals_at_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    store = SQLiteStore(db)
    store.upsert(*small_network())
    old = TODAY - dt.timedelta(days=500)
    store.add_referrals([Referral("OLD-AAA", "cbo-b", "clinic-a", ["tb_treatment"], old,
                                  history=[StatusChange("sent", old, "cbo-b")])])
    store.close()
    week_ago = (TODAY - dt.timedelta(days=7)).isoformat()
    sent = run(db, "send", "--from", "cbo-b", "--to", "clinic-a", "--need", "tb_treatment", "--need", "art",
               "--population", "artisanal_miners", "--link", "l-ref-1", "--date", week_ago)
    assert sent.exit_code == 0, sent.output
    code = sent.output.split()[0]
    assert "Sent by cbo-b" in sent.output
    assert run(db, "status", code, "completed").exit_code == 1
    refused = run(db, "status", code, "completed")
    assert "it can next be received or lost to follow-up, not completed" in refused.output
    assert run(db, "status", code, "received", "--date", week_ago).exit_code == 0
    declined = run(db, "status", code.lower(), "declined", "--reason", "no_documents")
    assert declined.exit_code == 0 and "Turned away by clinic-a (No ID or other documents)" in declined.output
    assert "Turned away" in run(db, "show", code).output
    listed = run(db, "list", "--organisation", "clinic-a", "--direction", "received")
    assert code in listed.output and "OLD-AAA" in listed.output
    figures = json.loads(run(db, "outcomes").output)
    assert figures["total"]["referrals"] == 1 and figures["total"]["declined"] == 1
    retained = run(db, "retain", "--months", "12")
    assert retained.exit_code == 0 and "reduced 1 referral record(s)" in retained.output
    assert "OLD-AAA" not in run(db, "list").output
    bad = run(db, "send", "--from", "cbo-b", "--to", "ghost", "--need", "tb_treatment")
    assert bad.exit_code == 1 and "No organisation with id 'ghost'" in bad.output
