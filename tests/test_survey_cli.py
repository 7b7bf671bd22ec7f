"""``cssnet survey``: open a round, enter paper answers one by one or from a file (all or none), see results."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.graph.surveys import surveys_of
from tests.api_support import SENSITIVE_ID, small_network


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(db), *args], catch_exceptions=False)


def test_open_answer_load_and_results(tmp_path):
    db = tmp_path / "s.db"
    store = SQLiteStore(db)
    store.upsert(*small_network())
    store.close()
    opened = run(db, "survey", "open", "r1", "--name", "Round one", "--opens", "2026-01-01", "--closes",
                 "2026-06-30", "--invite", "clinic-a,ngo-d", "--invite", "donor-e", "--invite", "cbo-b")
    assert opened.exit_code == 0 and "4 organisations invited" in opened.output
    one = run(db, "survey", "answer", "r1", "--respondent", "clinic-a", "--partner", SENSITIVE_ID,
              "--scores", "4,4,4,3,3,3", "--contributes", "referrals;data", "--answered-on", "2026-02-01")
    assert one.exit_code == 0 and "value 4.00, trust 3.00" in one.output
    answers = tmp_path / "answers.csv"
    answers.write_text("respondent,partner,power,involvement,resources,reliability,mission,openness,contributes,"
                       f"answered_on\nngo-d,{SENSITIVE_ID},2,2,2,1,1,1,,2026-03-01\n"
                       f"donor-e,{SENSITIVE_ID},3,3,3,2,2,2,funding,2026-03-02\n"
                       "cbo-b,ngo-d,3,3,3,3,3,3,,2026-03-02\n", encoding="utf-8")
    refused = run(db, "survey", "load", "r1", str(answers))
    # row 4: cbo-b has no tie with ngo-d; nothing of the file is entered
    assert refused.exit_code == 1 and "row 4: partner: 'cbo-b' has no active tie with 'ngo-d'" in refused.output
    store = SQLiteStore(db)
    assert len(surveys_of(store).list_ratings("r1")) == 1
    store.close()
    answers.write_text("\n".join(answers.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    loaded = run(db, "survey", "load", "r1", str(answers))
    assert loaded.exit_code == 0 and "entered 2 answers" in loaded.output
    results = run(db, "survey", "results", "r1")
    # 3 of 4 answered; network value (4 + 2 + 3) / 3 = 3, trust (3 + 1 + 2) / 3 = 2 = 50%
    assert "3 of 4 invited organisations answered (75%)" in results.output
    assert "network value 3.00 (75.0%), trust 2.00 (50.0%)" in results.output
    assert f"{SENSITIVE_ID}: value 3.00, trust 2.00 (3 raters)" in results.output
    bad = run(db, "survey", "answer", "r1", "--respondent", "clinic-a", "--partner", "cbo-b", "--scores", "4,4")
    assert bad.exit_code == 1 and "give 6 answers" in bad.output


def test_invite_prints_one_link_per_organisation(tmp_path):
    db = tmp_path / "s.db"
    store = SQLiteStore(db)
    store.upsert(*small_network())
    store.close()
    run(db, "survey", "open", "r1", "--name", "Round one", "--opens", "2026-01-01", "--closes", "2026-12-31",
        "--invite", "clinic-a,cbo-b")
    made = run(db, "survey", "invite", "r1", "--base-url", "https://cssnet.example/")
    lines = made.output.splitlines()
    assert made.exit_code == 0 and [line.split("\t")[0] for line in lines] == ["clinic-a", "cbo-b"]
    assert all(line.split("\t")[1].startswith("https://cssnet.example/surveys/answer/") for line in lines)
    refused = run(db, "survey", "invite", "r1", "--organisation", "ngo-d")
    assert refused.exit_code == 1 and "ngo-d not invited" in refused.output
