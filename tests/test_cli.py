"""The `cssnet` command on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery, LinkQuery
from tests.api_support import run_cli

ORGS = """id,name,kind,province,district,municipality,latitude,longitude,services,populations,status,sensitive,\
aliases,phone,email,website,capacity_per_month,description
thabong-clinic,Thabong Clinic,clinic,Free State,Lejweleputswa,Matjhabeng,-27.98,26.73,tb_screening;tb_treatment,,\
active,false,,+27 57 555 0100,,,300,"Clinic, open weekdays"
welkom-cbo,Welkom Miners CBO,cbo,Free State,Lejweleputswa,,,,peer_education,mineworkers;ex_mineworkers,active,\
false,WMC,,info@wmc.example.org.za,,,
"""
LINKS = """id,source,target,kind,services,status,start_date,end_date,weight,formal,notes
l-1,welkom-cbo,thabong-clinic,referral,tb_screening,active,2025-01-01,2027-01-01,4,true,"Signed; renewed"
"""


def write(folder: Path, orgs: str = ORGS, links: str = LINKS) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisations.csv").write_text(orgs, encoding="utf-8")
    (folder / "links.csv").write_text(links, encoding="utf-8")
    return folder / "organisations.csv", folder / "links.csv"


def graph_of(db: Path) -> tuple[list[dict], list[dict]]:
    store = SQLiteStore(db)
    try:
        strip = lambda d: {k: v for k, v in d.items() if k not in ("updated_at", "version")}  # noqa: E731
        return ([strip(o.to_dict()) for o in store.iter_organisations()],
                [strip(x.to_dict()) for x in store.iter_links()])
    finally:
        store.close()


@pytest.mark.parametrize("command", [[], ["init"], ["seed"], ["import"], ["export"], ["stats"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_import_then_stats(tmp_path):
    db = tmp_path / "net.db"
    orgs, links = write(tmp_path / "in")
    result = run_cli(db, "import", str(orgs), str(links))
    assert result.exit_code == 0, result.output
    assert "2 organisations created" in result.output
    counts = json.loads(run_cli(db, "stats", "--json").output)
    assert counts["organisations_by_kind"] == {"clinic": 1, "cbo": 1}
    assert counts["links_by_kind"] == {"referral": 1}


def test_refused_import_reports_rows_and_changes_nothing(tmp_path):
    db = tmp_path / "net.db"
    run_cli(db, "import", *map(str, write(tmp_path / "good")))
    before = graph_of(db)
    bad_orgs = ORGS + "new-org,New Org,shop,Limpopo,Sekhukhune,,,,,,active,false,,,,,,\n"
    bad_links = LINKS + "l-2,welkom-cbo,ghost,mou,,active,2026-05-01,2026-01-01,3,false,\n"
    result = CliRunner().invoke(
        cli, ["--store", str(db), "import", *map(str, write(tmp_path / "bad", bad_orgs, bad_links))])
    assert result.exit_code == 1
    assert "organisations.csv row 4, kind: Unknown organisation kind 'shop'." in result.stderr
    assert "links.csv row 3, end_date" in result.stderr
    assert graph_of(db) == before


def test_export_then_import_gives_identical_graph(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    run_cli(first, "import", *map(str, write(tmp_path / "in")))
    assert run_cli(first, "export", str(tmp_path / "out"), "--include-protected").exit_code == 0
    result = run_cli(second, "import", str(tmp_path / "out" / "organisations.csv"), str(tmp_path / "out" / "links.csv"))
    assert result.exit_code == 0, result.output
    assert graph_of(second) == graph_of(first)
    assert graph_of(first)[1][0]["notes"] == "Signed; renewed"


SENSITIVE = ORGS + "safe-space,Safe Space Collective,cbo,Free State,Lejweleputswa,Matjhabeng,-27.9812345,26.7312345,\
peer_education,sex_workers,active,true,,+27 82 555 0199,,,,Meets behind the Matjhabeng depot\n"


def test_export_leaves_protected_fields_out_unless_asked(tmp_path):
    """Issue 17 item 16: the safe choice is the default, and the command says what the files hold."""
    db = tmp_path / "s.db"
    assert run_cli(db, "import", *map(str, write(tmp_path / "in", orgs=SENSITIVE))).exit_code == 0
    shared = run_cli(db, "export", str(tmp_path / "shared"))
    full = run_cli(db, "export", str(tmp_path / "full"), "--include-protected")
    assert shared.exit_code == full.exit_code == 0
    assert "left out" in shared.stderr and "--include-protected" in shared.stderr
    assert "INCLUDE" in full.stderr and "keep them private" in full.stderr
    secrets = ["+27 82 555 0199", "-27.9812345", "Matjhabeng depot"]
    shared_text = (tmp_path / "shared" / "organisations.csv").read_text(encoding="utf-8")
    full_text = (tmp_path / "full" / "organisations.csv").read_text(encoding="utf-8")
    assert [s for s in secrets if s in shared_text] == [] and "Safe Space Collective" in shared_text
    assert [s for s in secrets if s not in full_text] == []


def test_import_needs_a_file(tmp_path):
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "x.db"), "import"])
    assert result.exit_code == 2
    assert "Give ORGANISATIONS.csv" in result.output


def test_seed_then_stats_shows_the_demo_network(tmp_path):
    db = tmp_path / "demo.db"
    result = run_cli(db, "seed")
    assert result.exit_code == 0, result.output
    counts = json.loads(run_cli(db, "stats", "--json").output)
    assert sum(counts["organisations_by_kind"].values()) >= 150
    assert sum(counts["links_by_kind"].values()) >= 400
    assert set(counts["links_by_kind"]) == {"mou", "referral", "funding", "membership", "coordination",
                                            "mentoring", "secondment", "training", "data_sharing", "advocacy"}
    assert {"proposed", "active", "expired"} <= set(counts["links_by_status"])
    assert {"Eastern Cape", "Free State", "Limpopo"} <= set(counts["organisations_by_province"])
    text = run_cli(db, "stats").output
    assert "organisations by kind" in text and "ex_mineworkers_association" in text


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run_cli(db, "seed").exit_code == 0
    return db


def test_pathway_answers_the_outreach_workers_question(demo_db):
    result = run_cli(demo_db, "pathway", "--from", "sekhukhune-chrome-diggers-health-project",
                 "--needs", "tb_screening,tb_treatment,social_grant_linkage", "--population", "artisanal_miners",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    best = json.loads(result.output)[0]
    assert [s["organisation"] for s in best["steps"]] == [
        "sekhukhune-chrome-diggers-health-project", "praktiseer-community-clinic",
        "sekhukhune-district-social-grants-office"]
    assert [s["services"] for s in best["steps"]] == [["tb_screening"], ["tb_treatment"], ["social_grant_linkage"]]
    text = run_cli(demo_db, "pathway", "--from", "sekhukhune-chrome-diggers-health-project", "--needs",
               "tb_screening,tb_treatment", "--population", "artisanal_miners").output
    assert "Praktiseer Community Clinic" in text


@pytest.mark.parametrize("args, message", [
    (["--from", "nobody", "--needs", "tb_treatment", "--population", "migrants"], "nobody"),
    (["--from", "praktiseer-community-clinic", "--needs", "tb_cure", "--population", "migrants"], "tb_cure"),
    (["--from", "praktiseer-community-clinic", "--needs", "tb_treatment", "--population", "aliens"], "aliens"),
])
def test_pathway_refuses_bad_input_clearly(demo_db, args, message):
    result = run_cli(demo_db, "pathway", *args)
    assert result.exit_code == 1
    assert message in result.output


def test_pathway_needs_one_start(demo_db):
    result = CliRunner().invoke(cli, ["--store", str(demo_db), "pathway", "--needs", "art", "--population", "msm"])
    assert result.exit_code == 2
    assert "exactly one of --from or --district" in result.output


def test_token_create_list_revoke(tmp_path):
    db = tmp_path / "t.db"
    result = run_cli(db, "token", "create", "--name", "field office", "--role", "editor")
    assert result.exit_code == 0
    token_id = result.output.split()[1]
    secret = result.output.strip().splitlines()[-1]
    assert len(secret) >= 40
    listed = run_cli(db, "token", "list").output
    assert token_id in listed and "editor" in listed and secret not in listed
    assert run_cli(db, "token", "revoke", token_id).exit_code == 0
    assert "revoked" in run_cli(db, "token", "list").output
    assert run_cli(db, "token", "revoke", "tok_none").exit_code == 1


def test_viz_writes_an_offline_page(demo_db, tmp_path):
    out = tmp_path / "net.html"
    result = run_cli(demo_db, "viz", str(out), "--province", "Limpopo")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Praktiseer Community Clinic" in page
    assert "src=\"http" not in page and "href=\"http" not in page


@pytest.mark.parametrize("option, value", [("--province", "Mars"), ("--depth", "9")])
def test_viz_refuses_what_the_scope_schema_refuses(demo_db, tmp_path, option, value):
    """The CLI's drawing takes the scope the API and the explorer take (codes from the vocabulary, depth 1-4)."""
    result = CliRunner().invoke(cli, ["--store", str(demo_db), "viz", str(tmp_path / "x.html"), option, value])
    assert result.exit_code == 2
    assert ("province: Unknown province 'Mars'." if option == "--province" else "9 is not in the range") \
        in result.output
    assert not (tmp_path / "x.html").exists()


def test_merge_previews_then_applies(tmp_path):
    db = tmp_path / "m.db"
    run_cli(db, "seed")
    keep, drop = "sekhukhune-ex-mineworkers-association", "sekhukhune-ex-mine-workers-assoc"
    preview = run_cli(db, "merge", keep, drop)
    assert preview.exit_code == 0
    assert json.loads(preview.output.split("\npreview only")[0])["applied"] is False
    assert run_cli(db, "merge", keep, drop, "--apply").exit_code == 0
    store = SQLiteStore(db)
    try:
        assert store.list_links(LinkQuery(organisation=drop)).total == 0
        assert "Sekhukhune Ex Mine Workers Assoc." in store.get_organisation(keep).aliases
    finally:
        store.close()


@pytest.mark.parametrize("fmt, name", [("graphml", "cssnet.graphml"), ("gexf", "cssnet.gexf"),
                                       ("geojson", "cssnet-organisations.geojson")])
def test_export_formats(demo_db, tmp_path, fmt, name):
    result = run_cli(demo_db, "export", str(tmp_path), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).stat().st_size > 10_000


def test_command_line_writes_are_audited_as_cli(tmp_path):
    db = tmp_path / "audited.db"
    orgs, links = write(tmp_path / "in")
    assert run_cli(db, "import", str(orgs), str(links)).exit_code == 0
    created = run_cli(db, "token", "create", "--name", "ops", "--role", "viewer")
    token_id = created.output.split()[1]
    assert run_cli(db, "token", "revoke", token_id).exit_code == 0
    assert run_cli(db, "seed").exit_code == 0
    store = SQLiteStore(db)
    try:
        entries = store.list_audit(AuditQuery()).items
        assert [(e.actor, e.action, e.entity) for e in entries] == [
            ("cli", "seed", "network"), ("cli", "seed", "survey_round"), ("cli", "revoke", "token"),
            ("cli", "create", "token"),
            ("cli", "import", "network")]
        assert entries[-1].changes["files"] == ["organisations.csv", "links.csv"]
        assert {v.actor for v in store.history("organisation", "welkom-cbo")} == {"cli"}
    finally:
        store.close()
