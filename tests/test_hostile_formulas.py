"""Hostile input (issue 17): formula injection, escaped in CSV and XLSX exports and exactly undone on import."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.io.formats import export_bytes, import_bytes
from network.io.rows import REQUIRED_ORGANISATION_COLUMNS
from network.schemas import load_link, load_organisation
from tests.hostile_support import LINK, ORG, escaped
from tests.test_roundtrip import snapshot

if TYPE_CHECKING:
    from tests.api_support import Env


FORMULAS = {
    "name": "=HYPERLINK(\"http://evil.example\",\"Click\")",
    "description": "-2+3+cmd|' /C calc'!A0",
    "municipality": "@SUM(1+1)*cmd|' /C calc'!A0",
    "aliases": ["+27 82 555 0101", "=1+1"],
    "tags": ["'already quoted"],
    "source": "'",
}


def _formula_store(store: SQLiteStore) -> SQLiteStore:
    store.upsert([load_organisation({**ORG, **FORMULAS, "latitude": -25.5, "longitude": 28.25}),
                  load_organisation({"id": "org-b", "name": "''Two apostrophes", "kind": "ngo"})],
                 [load_link({**LINK, "notes": "=WEBSERVICE(\"http://evil.example\")", "document": "-MoU"})])
    return store


def _csv_cells(text: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def _assert_csv_escaped(orgs_text: str, links_text: str) -> None:
    orgs, links = _csv_cells(orgs_text), _csv_cells(links_text)
    assert orgs["org-a"]["name"] == "'" + FORMULAS["name"]
    assert orgs["org-a"]["description"] == "'" + FORMULAS["description"]
    assert orgs["org-a"]["municipality"] == "'" + FORMULAS["municipality"]
    assert orgs["org-a"]["aliases"] == "'+27 82 555 0101;=1+1"
    assert orgs["org-a"]["tags"] == "''already quoted" and orgs["org-b"]["name"] == "'''Two apostrophes"
    assert orgs["org-a"]["latitude"] == "-25.5"  # a number is no formula: written as it is
    assert links["l1"]["notes"] == "'" + "=WEBSERVICE(\"http://evil.example\")" and links["l1"]["document"] == "'-MoU"
    texts = [cell for table in (orgs, links) for row in table.values()
             for column, cell in row.items() if column not in ("latitude", "longitude")]
    assert all(escaped(cell) for cell in texts)


def test_csv_export_over_http_escapes_formulas(env: Env) -> None:
    env.store.clear()
    _formula_store(env.store)
    response = env.client.get("/api/v1/export?format=csv")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        _assert_csv_escaped(bundle.read("organisations.csv").decode(), bundle.read("links.csv").decode())


def test_cssnet_export_escapes_formulas(tmp_path: Path) -> None:
    _formula_store(SQLiteStore(tmp_path / "f.db")).close()
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "f.db"), "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    _assert_csv_escaped((tmp_path / "out" / "organisations.csv").read_text(encoding="utf-8"),
                        (tmp_path / "out" / "links.csv").read_text(encoding="utf-8"))


def test_xlsx_export_escapes_formulas_as_text_cells(sqlite_store: SQLiteStore) -> None:
    content, _, _ = export_bytes(_formula_store(sqlite_store), "xlsx", hide_protected=False)
    book = load_workbook(io.BytesIO(content))
    sheet = book["organisations"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=False)}
    assert row["name"].value == "'" + FORMULAS["name"] and row["name"].data_type == "s"
    assert row["latitude"].value == -25.5 and row["latitude"].data_type == "n"
    cells = [c for sheet in book for r in sheet.iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert cells and all(c.data_type == "s" and escaped(c.value) for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_escaped_exports_import_back_exactly(sqlite_store: SQLiteStore, fmt: str) -> None:
    before = snapshot(_formula_store(sqlite_store))
    content, _, filename = export_bytes(sqlite_store, fmt, hide_protected=False)
    sqlite_store.clear()
    import_bytes(sqlite_store, fmt, {filename: content})
    assert snapshot(sqlite_store) == before
    assert sqlite_store.get_organisation("org-b").name == "''Two apostrophes"


def test_an_apostrophe_people_write_before_plain_text_is_kept(sqlite_store: SQLiteStore) -> None:
    columns = ",".join(REQUIRED_ORGANISATION_COLUMNS)
    row = {"id": "o1", "name": "'t Hooft Clinic", "kind": "clinic", "description": "'=not a formula"}
    text = f"{columns}\n" + ",".join(row.get(c, "") for c in REQUIRED_ORGANISATION_COLUMNS) + "\n"
    import_bytes(sqlite_store, "csv", {"organisations.csv": text.encode()})
    org = sqlite_store.get_organisation("o1")
    assert (org.name, org.description) == ("'t Hooft Clinic", "=not a formula")
