"""Hostile input (issue 17): text the schemas refuse, and a demo whose free text gives no protected location away.

Formula injection is in ``test_hostile_formulas.py``, files that would exhaust the server in
``test_hostile_files.py``, hostile but valid values through every format in ``test_hostile_values.py``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.errors import InvalidData
from network.graph.sqlite import SQLiteStore
from network.graph.store import OrganisationQuery
from network.io.formats import export_bytes, import_bytes
from network.io.importer import ImportRefused
from network.io.rows import REQUIRED_ORGANISATION_COLUMNS
from network.model import Link, Organisation, vocabulary
from network.schemas import MAX_CAPACITY_PER_MONTH, load_link, load_organisation
from tests.hostile_support import LINK, ORG, PLACEHOLDER

if TYPE_CHECKING:
    from tests.api_support import Env


DEMO = Path(__file__).resolve().parents[1] / "seed" / "demo"


def _place_names() -> set[str]:
    """Every municipality, district and town the demo or the vocabulary names."""
    vocab = vocabulary()
    with open(DEMO / "organisations.csv", encoding="utf-8", newline="") as fh:
        municipalities = {row["municipality"] for row in csv.DictReader(fh) if row["municipality"]}
    towns = {spot["name"].split()[0] for spot in vocab.hotspots}
    return municipalities | set(vocab.districts) | towns


def test_no_sensitive_demo_description_names_a_place() -> None:
    names = _place_names()
    with open(DEMO / "organisations.csv", encoding="utf-8", newline="") as fh:
        sensitive = [row for row in csv.DictReader(fh) if row["sensitive"] == "true"]
    assert len(sensitive) >= 10
    for row in sensitive:
        assert row["description"], row["id"]
        named = sorted(n for n in names | {row["municipality"], row["district"]} if n and n in row["description"])
        assert named == [], (row["id"], row["description"])


# --- one rule for text, in the schemas ------------------------------------------------------------



@pytest.mark.parametrize(("load", "base", "field", "value", "key", "message"), [
    (load_organisation, ORG, "name", "\ud800", "name", "lone surrogate (U+D800) at position 1"),
    (load_organisation, ORG, "name", "Ikhwezi\x00", "name", "control character U+0000 (NUL) at position 8"),
    (load_organisation, ORG, "name", "   ", "name", "May not be blank"),
    (load_organisation, ORG, "name", "", "name", "May not be blank"),
    (load_organisation, ORG, "name", "Ikhwezi\tSisters", "name", "a tab (U+0009) at position 8"),
    (load_organisation, ORG, "name", "Ikhwezi\nSisters", "name", "a line break (U+000A) at position 8"),
    (load_organisation, ORG, "name", "A\u2028B", "name", "a line break (U+2028)"),
    (load_organisation, ORG, "name", "Esc\x1b[31m", "name", "control character U+001B"),
    (load_organisation, ORG, "name", "C1\x85C2", "name", "control character U+0085"),
    (load_organisation, ORG, "name", "X\ufffe", "name", "noncharacter U+FFFE"),
    (load_organisation, ORG, "description", "Peer network\x00", "description", "U+0000 (NUL) at position 13"),
    (load_organisation, ORG, "description", "Bell \x07", "description", "control character U+0007"),
    (load_organisation, ORG, "municipality", "\udfff", "municipality", "lone surrogate (U+DFFF)"),
    (load_organisation, ORG, "aliases", ["fine", "\ud83d"], "aliases.1", "lone surrogate (U+D83D)"),
    (load_organisation, ORG, "aliases", ["   "], "aliases.0", "May not be blank"),
    (load_organisation, ORG, "external_ids", {"npo": "1\x00"}, "external_ids.npo.value", "U+0000 (NUL)"),
    (load_organisation, ORG, "external_ids", {"\ud800": "1"}, "external_ids.\\ud800.key", "lone surrogate"),
    (load_organisation, ORG, "capacity_per_month", 10**40, "capacity_per_month", "from 0 to 10,000,000"),
    (load_organisation, ORG, "capacity_per_month", 10_000_001, "capacity_per_month", "from 0 to 10,000,000"),
    (load_organisation, ORG, "aliases", [f"a{i}" for i in range(51)], "aliases", "At most 50 items"),
    (load_organisation, ORG, "tags", [f"t{i}" for i in range(51)], "tags", "At most 50 items"),
    (load_organisation, ORG, "services", ["art"] * 101, "services", "At most 100 codes"),
    (load_organisation, ORG, "external_ids", {f"k{i}": "v" for i in range(51)}, "external_ids", "At most 50"),
    (load_organisation, ORG, "name", "x" * 301, "name", "Longer than maximum length 300"),
    (load_organisation, ORG, "email", "a" * 250 + "@example.org", "email", "Longer than maximum length 254"),
    (load_organisation, ORG, "website", "https://example.org/" + "a" * 2000, "website", "maximum length 2000"),
    (load_link, LINK, "notes", "Signed \x00", "notes", "U+0000 (NUL)"),
    (load_link, LINK, "document", "MoU\r2024", "document", "a line break (U+000D)"),
    (load_link, LINK, "id", "l1\x00", "id", "U+0000 (NUL)"),
])
def test_schema_refuses_hostile_text_naming_field_and_character(
    load: Any, base: dict[str, Any], field: str, value: Any, key: str, message: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        load({**base, field: value})
    assert list(refused.value.errors) == [key]
    assert message in " ".join(refused.value.errors[key])
    # The message itself is printable text: it can go to a page, a log or a UTF-8 terminal.
    refused.value.message.encode("utf-8")


def test_one_normalisation_strips_and_keeps_free_text_lines() -> None:
    org = load_organisation({**ORG, "name": "\t Ikhwezi Sisters \n", "aliases": [" IS "], "municipality": "  ",
                             "description": "\r\nFirst line\r\n\tsecond line\rthird  \n", "tags": [" x"],
                             "email": " hello@example.org ", "phone": " ", "external_ids": {" npo ": " 1 "}})
    assert org.name == "Ikhwezi Sisters" and org.aliases == ["IS"] and org.tags == ["x"]
    assert org.municipality is None and org.phone is None and org.email == "hello@example.org"
    assert org.description == "First line\n\tsecond line\nthird"
    assert org.external_ids == {"npo": "1"}
    assert load_organisation({**ORG, "description": "   "}).description == ""
    assert load_link({**LINK, "notes": " \n "}).notes == ""
    assert load_organisation({**ORG, "capacity_per_month": MAX_CAPACITY_PER_MONTH}).capacity_per_month == 10**7


# --- whatever the API refuses every importer refuses, with nothing written --------------------------

REFUSED_NAMES = {"surrogate": "\ud800", "nul": "Ikhwezi\x00Sisters", "blank": "   ", "escape": "A\x1bB"}


def _exists(store: SQLiteStore, org_id: str) -> bool:
    return store.list_organisations(OrganisationQuery(ids=(org_id,))).total == 1


@pytest.mark.parametrize("case", sorted(REFUSED_NAMES))
def test_api_body_refuses_hostile_names_and_writes_nothing(env: Env, case: str) -> None:
    before = env.store.revision()
    response = env.client.post("/api/v1/organisations", headers=env.auth("editor"),
                               json={"id": "new-org", "name": REFUSED_NAMES[case], "kind": "cbo"})
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]["json"]
    assert env.store.revision() == before and not _exists(env.store, "new-org")


_BAD_BODIES = [
    ("post", "/api/v1/organisations", {"id": "new-org", "name": "New", "kind": "cbo", "aliases": ["\ud800"]}),
    ("put", "/api/v1/organisations/cbo-b", {"id": "cbo-b", "name": "B\x00", "kind": "cbo"}),
    ("patch", "/api/v1/organisations/cbo-b", {"description": "Peer network\x1b[2J"}),
    ("patch", "/api/v1/organisations/cbo-b", {"name": " \t "}),
    ("post", "/api/v1/links", {"id": "new-link", "source": "cbo-b", "target": "ngo-d", "kind": "mou",
                               "notes": "\udfff"}),
    ("put", "/api/v1/links/l-ref-1", {"id": "l-ref-1", "source": "cbo-b", "target": "clinic-a",
                                      "kind": "referral", "document": "MoU\x00.pdf"}),
    ("patch", "/api/v1/links/l-ref-1", {"notes": "ok\x07"}),
]


@pytest.mark.parametrize(("method", "path", "body"), _BAD_BODIES)
def test_every_api_write_refuses_hostile_text_and_writes_nothing(env: Env, method: str, path: str,
                                                                 body: dict[str, Any]) -> None:
    before = env.store.revision()
    response = getattr(env.client, method)(path, json=body, headers={**env.auth("editor"), "If-Match": '"1"'})
    assert response.status_code == 422, response.get_json()
    assert env.store.revision() == before


def test_api_refusal_messages_quote_caller_text_printably(env: Env) -> None:
    body = {"id": "x", "name": "X", "kind": "cbo", "\ud800\x1b[2J": 1, "external_ids": {"\udc00": "v"}}
    response = env.client.post("/api/v1/organisations", json=body, headers=env.auth("editor"))
    message = response.get_json()["message"]
    assert response.status_code == 422 and "json.\\ud800\\u001b[2J: Unknown field." in message
    assert "json.external_ids.\\udc00.key: Contains a lone surrogate" in message
    assert message.isprintable()


def test_api_and_import_apply_the_same_whitespace_rule(env: Env, tmp_path: Path) -> None:
    response = env.client.post("/api/v1/organisations", headers=env.auth("editor"),
                               json={"id": "tabbed", "name": "\tTabbed Org ", "kind": "cbo"})
    assert response.status_code == 201 and response.get_json()["name"] == "Tabbed Org"
    content, _, _ = export_bytes(env.store, "csv", hide_protected=False)
    fresh = SQLiteStore(tmp_path / "fresh.db")
    import_bytes(fresh, "csv", {"cssnet-csv.zip": content})
    assert fresh.get_organisation("tabbed").name == "Tabbed Org"
    fresh.close()


def _xml_text(value: str) -> str:
    """``value`` as XML character data; characters XML cannot hold become (invalid) references."""
    return "".join(c if c.isprintable() or c == " " else f"&#x{ord(c):X};" for c in escape(value))


def _upload_with_name(store: SQLiteStore, fmt: str, name: str) -> tuple[str, bytes]:
    """A valid export of ``store`` in ``fmt`` whose placeholder organisation is named ``name`` instead."""
    content, _, filename = export_bytes(store, fmt, hide_protected=False)
    if fmt == "json":
        return filename, content.replace(PLACEHOLDER.encode(), json.dumps(name)[1:-1].encode())
    if fmt == "graphml":
        return filename, content.replace(PLACEHOLDER.encode(), _xml_text(name).encode())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as bundle, zipfile.ZipFile(out, "w") as changed:
        for member in bundle.infolist():
            data = bundle.read(member)
            new = name if fmt == "csv" else _xml_text(name)
            changed.writestr(member, data.replace(PLACEHOLDER.encode(), new.encode("utf-8", "surrogatepass")))
    return filename, out.getvalue()


@pytest.mark.parametrize("case", sorted(REFUSED_NAMES))
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "graphml"])
def test_every_importer_refuses_hostile_names_and_writes_nothing(sqlite_store: SQLiteStore, fmt: str,
                                                                  case: str) -> None:
    sqlite_store.upsert([Organisation("placeholder", PLACEHOLDER, "cbo"), Organisation("other", "Other", "ngo")],
                        [Link("l1", "other", "placeholder", "mou")])
    filename, upload = _upload_with_name(sqlite_store, fmt, REFUSED_NAMES[case])
    assert PLACEHOLDER.encode() not in upload
    sqlite_store.clear()
    with pytest.raises(ImportRefused, match="nothing was written"):
        import_bytes(sqlite_store, fmt, {filename: upload})
    assert list(sqlite_store.iter_organisations()) == [] and list(sqlite_store.iter_links()) == []


@pytest.mark.parametrize("link", [
    {"source": "org-a", "target": "\ud800", "kind": "mou"},
    {"id": "l1", "source": "org-a", "target": "\ud800", "kind": "mou"},
    {"source": "org-a", "target": "x\x00", "kind": "mou", "start_date": "\udc80"},
    {"source": [[["org-a"]]], "target": {"id": "org-a"}, "kind": "mou"},
], ids=["no-id-surrogate", "surrogate", "no-id-nul", "not-text"])
def test_json_links_with_hostile_ends_are_refused_not_crashed(sqlite_store: SQLiteStore,
                                                             link: dict[str, Any]) -> None:
    upload = json.dumps({"nodes": [{"id": "org-a", "name": "A", "kind": "cbo"}], "links": [link]}).encode()
    with pytest.raises(ImportRefused, match="nothing was written"):
        import_bytes(sqlite_store, "json", {"n.json": upload})
    assert list(sqlite_store.iter_organisations()) == []


def test_import_problems_quote_file_text_printably(tmp_path: Path) -> None:
    header = ",".join(REQUIRED_ORGANISATION_COLUMNS) + ",\x1b[2J\x1b]0;owned\x07" + "x" * 10_000
    (tmp_path / "organisations.csv").write_text(header + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "p.db"), "import",
                                      str(tmp_path / "organisations.csv")])
    assert result.exit_code != 0 and "unknown column(s): \\x1b[2J\\x1b]0;owned\\x07xxx" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and len(result.output) < 2_000
