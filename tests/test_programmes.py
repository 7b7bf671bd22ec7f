"""Programmes and grants: a funding link's ``programme`` and ``grant_ref`` through the schema, both stores, every
file format and the projection; the agenda of one programme from the CLI and the API, on a small network and on
the demo."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from network.api import create_app
from network.cli import cli
from network.errors import InvalidData
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.io.formats import export_bytes, import_bytes
from network.model import Link, Organisation
from network.schemas import load_link
from network.service.audit import CLI
from network.service.records import update_link
from tests.agenda_support import DEMO_AS_OF
from tests.conftest import make_sqlite_store
from tests.http_support import FIRST_LINK_COLUMNS, first_format_files

PROGRAMME = "Sekhukhune community TB programme (illustrative)"
OTHER = "Waterberg adherence programme (illustrative)"
DAY = dt.date(2026, 6, 1)
VERIFIED = dt.date(2026, 5, 1)


def funding(link_id: str, source: str, target: str, **kw: Any) -> Link:
    return Link(link_id, source, target, "funding", last_verified=VERIFIED, **kw)


# the schema ---------------------------------------------------------------------------------------------------


def test_a_funding_link_takes_a_programme_and_a_grant_reference_under_the_text_rule():
    link = load_link({"id": "f1", "source": "a", "target": "b", "kind": "funding",
                      "programme": f"  {PROGRAMME} ", "grant_ref": "BZ-2025-014"})
    assert (link.programme, link.grant_ref) == (PROGRAMME, "BZ-2025-014")
    plain = load_link({"id": "f1", "source": "a", "target": "b", "kind": "funding", "programme": " ",
                       "grant_ref": None})
    assert (plain.programme, plain.grant_ref) == (None, None)
    with pytest.raises(InvalidData) as refused:
        load_link({"id": "f1", "source": "a", "target": "b", "kind": "funding", "grant_ref": "BZ\n014"})
    assert "line break" in refused.value.errors["grant_ref"][0]


def test_other_kinds_of_link_refuse_them_field_by_field():
    with pytest.raises(InvalidData) as refused:
        load_link({"id": "m1", "source": "a", "target": "b", "kind": "mou", "programme": PROGRAMME,
                   "grant_ref": "BZ-1"})
    assert {field: problems[0] for field, problems in refused.value.errors.items()} == {
        "programme": "Only a funding link has a programme, not a link of the kind 'Memorandum of understanding'.",
        "grant_ref": "Only a funding link has a grant reference, not a link of the kind 'Memorandum of understanding'."}
    with pytest.raises(InvalidData) as refused:
        load_link({"id": "r1", "source": "a", "target": "b", "kind": "referral", "grant_ref": "BZ-1"})
    assert list(refused.value.errors) == ["grant_ref"]


# the stores, the history and the projection -------------------------------------------------------------------


def test_the_stores_keep_programme_and_grant_ref(store):
    store.upsert([Organisation("fund", "Fund", "donor"), Organisation("a", "Hope CBO", "cbo"),
                  Organisation("b", "Sizwe CBO", "cbo")],
                 [funding("f1", "fund", "a", programme=PROGRAMME, grant_ref="G-001"), funding("f2", "fund", "b")])
    assert (store.get_link("f1").programme, store.get_link("f1").grant_ref) == (PROGRAMME, "G-001")
    assert (store.get_link("f2").programme, store.get_link("f2").grant_ref) == (None, None)
    created = store.create_link(funding("f3", "fund", "b", programme=OTHER, grant_ref="W-7"))
    assert (created.programme, created.grant_ref) == (OTHER, "W-7")
    changed = store.get_link("f3")
    changed.grant_ref = "W-8"
    store.update_link(changed, expected_version=changed.version)
    assert {x.id: (x.programme, x.grant_ref) for x in store.iter_links()} == {
        "f1": (PROGRAMME, "G-001"), "f2": (None, None), "f3": (OTHER, "W-8")}
    assert [v.record.grant_ref for v in store.history("link", "f3")] == ["W-7", "W-8"]
    G = project(store)
    assert (G.edges["fund", "a", "f1"]["programme"], G.edges["fund", "a", "f1"]["grant_ref"]) == (PROGRAMME, "G-001")
    assert G.edges["fund", "b", "f2"]["programme"] is None


def test_a_patch_cannot_give_a_non_funding_link_a_programme(tmp_path):
    store = make_sqlite_store(tmp_path / "patch.db")
    try:
        store.upsert([Organisation("a", "Hope CBO", "cbo"), Organisation("b", "Sizwe CBO", "cbo")],
                     [Link("m1", "a", "b", "mou"), funding("f1", "a", "b", programme=PROGRAMME)])
        with pytest.raises(InvalidData) as refused:
            update_link(store, "m1", {"programme": PROGRAMME}, expected_version=1, actor=CLI)
        assert list(refused.value.errors) == ["programme"]
        with pytest.raises(InvalidData):
            update_link(store, "f1", {"kind": "mou"}, expected_version=1, actor=CLI)
        assert store.get_link("f1").kind == "funding" and store.get_link("m1").programme is None
    finally:
        store.close()


# every file format ---------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_network(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = make_sqlite_store(tmp_path / "network.db")
    store.upsert([Organisation("fund", "Fund", "donor"), Organisation("a", "Hope CBO", "cbo"),
                  Organisation("b", "Sizwe CBO", "cbo")],
                 [funding("f1", "fund", "a", programme=PROGRAMME, grant_ref="G-001"), funding("f2", "fund", "b"),
                  Link("m1", "a", "b", "mou")])
    yield store
    store.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "graphml"])
def test_every_format_round_trips_programme_and_grant_ref(sqlite_network, tmp_path, fmt):
    content, _, filename = export_bytes(sqlite_network, fmt, hide_protected=False)
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            header = archive.read("links.csv").decode().splitlines()[0].split(",")
        assert {"programme", "grant_ref"} <= set(header)
    other = make_sqlite_store(tmp_path / f"copy-{fmt}.db")
    try:
        import_bytes(other, fmt, {filename: content})
        assert {x.id: (x.programme, x.grant_ref) for x in other.iter_links()} == {
            "f1": (PROGRAMME, "G-001"), "f2": (None, None), "m1": (None, None)}
    finally:
        other.close()


def test_a_links_file_without_the_columns_imports_as_before(tmp_path):
    other = make_sqlite_store(tmp_path / "old.db")
    try:
        import_bytes(other, "csv", first_format_files([("fund", "Fund", "donor"), ("a", "Hope CBO", "cbo")],
                                                      ["f1,fund,a,funding,,active,,,3,false,"]))
        assert (other.get_link("f1").programme, other.get_link("f1").grant_ref) == (None, None)
    finally:
        other.close()


def test_a_links_file_giving_an_mou_a_programme_is_refused_naming_the_row(tmp_path):
    other = make_sqlite_store(tmp_path / "bad.db")
    try:
        files = first_format_files([("a", "Hope CBO", "cbo"), ("b", "Sizwe CBO", "cbo")],
                                   [f"m1,a,b,mou,,active,,,3,false,,{PROGRAMME}"], f"{FIRST_LINK_COLUMNS},programme")
        with pytest.raises(Exception) as refused:
            import_bytes(other, "csv", files)
        assert "Only a funding link has a programme" in str(refused.value)
        assert list(other.iter_links()) == []
    finally:
        other.close()


# the agenda of one programme: CLI and API agree ----------------------------------------------------------------

MEMBERS = {"fund", "hope", "sizwe"}


@pytest.fixture
def agenda_store(tmp_path: Path) -> Path:
    """A funder's two programme grants in Sekhukhune, a third grant in Lejweleputswa outside any programme, and
    an MoU between two other organisations; every grant and agreement verified last month."""
    path = tmp_path / "agenda.db"
    store = SQLiteStore(path)

    def org(org_id: str, kind: str = "cbo", district: str | None = "Sekhukhune",
            services: tuple[str, ...] = ("tb_screening",)) -> Organisation:
        return Organisation(org_id, org_id.title(), kind, district=district, services=list(services),
                            populations=["mineworkers"], last_verified=VERIFIED)

    store.upsert(
        [org("fund", "donor", None, ("funding",)), org("hope"), org("sizwe"), org("thaba", district="Lejweleputswa"),
         org("apel"), org("clinic", "clinic", services=("tb_treatment",))],
        [funding("f1", "fund", "hope", programme=PROGRAMME, grant_ref="G-001", start_date=dt.date(2025, 1, 1),
                 end_date=dt.date(2026, 7, 1)),
         funding("f2", "fund", "sizwe", programme=PROGRAMME, grant_ref="G-002"),
         funding("f3", "fund", "thaba"),
         Link("m1", "apel", "clinic", "mou", start_date=dt.date(2024, 1, 1), end_date=dt.date(2026, 7, 15),
              last_verified=VERIFIED)])
    store.close()
    return path


def run(path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--store", str(path), *args], catch_exceptions=False)


def names(item: dict[str, Any]) -> set[str]:
    return {o["id"] for o in item["organisations"]}


def cli_agenda(path: Path, *args: str) -> dict[str, Any]:
    result = run(path, "agenda", "--as-of", DAY.isoformat(), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_programme_agenda_holds_only_items_about_its_organisations(agenda_store):
    whole = cli_agenda(agenda_store)
    scoped = cli_agenda(agenda_store, "--programme", PROGRAMME)
    assert scoped["scope"] == {"programme": PROGRAMME}
    assert scoped["items"] and all(names(item) & MEMBERS for item in scoped["items"])
    assert {i["key"] for i in scoped["items"]} < {i["key"] for i in whole["items"]}
    actions = {(i["action"], frozenset(names(i))) for i in scoped["items"]}
    assert ("renew_agreement", frozenset({"fund", "hope"})) in actions          # the programme's grant ends soon
    assert ("review_funding", frozenset(MEMBERS)) in actions                     # two grants, the same service
    # the MoU between Apel and the clinic ends soon too, but it is not the programme's
    assert ("renew_agreement", frozenset({"apel", "clinic"})) in {(i["action"], frozenset(names(i)))
                                                                    for i in whole["items"]}
    assert not any(names(item) <= {"apel", "clinic", "thaba"} for item in scoped["items"])


def test_the_api_answers_the_same_programme_agenda(agenda_store):
    store = SQLiteStore(agenda_store)
    try:
        client = create_app({"STORE": store, "TESTING": True}).test_client()
        response = client.get("/api/v1/analysis/agenda", query_string={"as_of": DAY.isoformat(),
                                                                        "programme": PROGRAMME})
        assert response.status_code == 200
        assert response.get_json() == cli_agenda(agenda_store, "--programme", PROGRAMME)
    finally:
        store.close()


def test_an_unknown_programme_is_refused_naming_the_known_ones(agenda_store):
    result = run(agenda_store, "agenda", "--programme", "Nowhere programme")
    assert result.exit_code == 1
    assert "No link names the programme 'Nowhere programme'." in result.output
    assert f"Known programmes: {PROGRAMME}." in result.output and "Traceback" not in result.output
    store = SQLiteStore(agenda_store)
    try:
        client = create_app({"STORE": store, "TESTING": True}).test_client()
        response = client.get("/api/v1/analysis/agenda", query_string={"programme": "Nowhere programme"})
        assert response.status_code == 422
        assert f"Known programmes: {PROGRAMME}." in json.dumps(response.get_json())
        both = client.get("/api/v1/analysis/agenda", query_string={"district": "Sekhukhune",
                                                                   "programme": PROGRAMME})
        assert both.status_code == 422 and "programme" in both.get_json()["errors"]["query"]
    finally:
        store.close()


def test_a_network_without_programmes_says_so(tmp_path):
    make_sqlite_store(tmp_path / "empty.db").close()
    result = run(tmp_path / "empty.db", "agenda", "--programme", "Nowhere programme")
    assert result.exit_code == 1 and "No link names any programme yet." in result.output


def test_the_cli_takes_one_scope_only(agenda_store):
    result = run(agenda_store, "agenda", "--district", "Sekhukhune", "--programme", PROGRAMME)
    assert result.exit_code == 1 and "Give one scope" in result.output


# the demo's illustrative programme -----------------------------------------------------------------------------


def test_the_demo_programme_agenda_is_about_its_organisations(demo_path):
    links = list(csv.DictReader((Path(__file__).resolve().parent.parent / "seed/demo/links.csv").open()))
    programmes = {row["programme"] for row in links if row["programme"]}
    # issue 14 adds a second illustrative programme (Beyond Zero-like: seed/demo_borders.py, tests/test_demo_borders.py)
    assert programmes == {"Ubuntu Bojanala community TB programme (illustrative)",
                          "Community systems strengthening programme (illustrative, Beyond Zero-like)"}
    name = "Ubuntu Bojanala community TB programme (illustrative)"
    grants = [row for row in links if row["programme"] == name]
    assert all(row["kind"] == "funding" and row["grant_ref"] for row in grants)
    members = {row[end] for row in grants for end in ("source", "target")}
    result = run(demo_path, "agenda", "--programme", name, "--format", "json", "--as-of", DEMO_AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    assert items and all(names(item) & members for item in items)
    assert any(item["action"] == "review_funding" for item in items)  # the planted Ubuntu funding overlap
