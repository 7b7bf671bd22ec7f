"""Hostile input (issue 17): text the schemas refuse, values that must survive every format, files that
must not exhaust the server, and a demo whose free text gives no protected location away."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from network.cli import cli
from network.errors import InvalidData
from network.graph.sqlite import SQLiteStore
from network.graph.store import OrganisationQuery
from network.io.cells import FORMULA_STARTS, unescape_formula
from network.io.csvfiles import MAX_UNPACKED_BYTES
from network.io.formats import EXPORT_FORMATS, export_bytes, import_bytes
from network.io.importer import ImportRefused
from network.io.rows import REQUIRED_ORGANISATION_COLUMNS
from network.model import Link, Organisation, vocabulary
from network.schemas import MAX_CAPACITY_PER_MONTH, load_link, load_organisation
from tests.test_roundtrip import snapshot

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

ORG = {"id": "org-a", "name": "Org A", "kind": "cbo"}
LINK = {"id": "l1", "source": "org-a", "target": "org-b", "kind": "mou"}


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
PLACEHOLDER = "Placeholder Name"


def _exists(store: SQLiteStore, org_id: str) -> bool:
    return store.list_organisations(OrganisationQuery(ids=(org_id,))).total == 1


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """An app on a seeded SQLite store (imported here: the API package is being reorganised)."""
    from tests.api_support import env_fixture

    yield from env_fixture(tmp_path)


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


# --- formula injection: escaped in CSV and XLSX, exactly undone on import --------------------------

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


def _escaped(cell: str) -> bool:
    return cell[:1] not in FORMULA_STARTS


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
    assert all(_escaped(cell) for cell in texts)


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
    assert cells and all(c.data_type == "s" and _escaped(c.value) for c in cells)


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


# --- files that would exhaust the server ---------------------------------------------------------


def _xlsx_bomb(store: SQLiteStore) -> bytes:
    """A valid workbook plus one member that unpacks from under 1 MB to more than MAX_UNPACKED_BYTES."""
    content, _, _ = export_bytes(store, "xlsx", hide_protected=False)
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bundle, \
            bundle.open("xl/sharedStrings2.xml", "w", force_zip64=True) as member:
        chunk = b"A" * 2**20
        for _ in range(MAX_UNPACKED_BYTES // 2**20 + 1):
            member.write(chunk)
    return out.getvalue()


def test_xlsx_that_unpacks_too_large_is_refused_unparsed(sqlite_store: SQLiteStore) -> None:
    sqlite_store.upsert([Organisation("a", "A", "cbo")], [])
    bomb = _xlsx_bomb(sqlite_store)
    sqlite_store.clear()
    assert len(bomb) < 2**20
    with pytest.raises(ImportRefused, match=r"unpacks to 129 MB; the limit is 128 MB"):
        import_bytes(sqlite_store, "xlsx", {"bomb.xlsx": bomb})
    assert list(sqlite_store.iter_organisations()) == []


def test_xlsx_bomb_over_http_is_a_422(env: Env) -> None:
    bomb = _xlsx_bomb(env.store)
    response = env.client.post("/api/v1/import", headers=env.auth("admin"), content_type="multipart/form-data",
                               data={"format": "xlsx", "file": (io.BytesIO(bomb), "bomb.xlsx")})
    assert response.status_code == 422 and "unpacks to" in response.get_json()["message"]


_ENTITIES = ('<!DOCTYPE d [<!ENTITY l0 "lollollollollollollollollollol">'
             + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>")


def _with_entities(data: bytes) -> bytes:
    """XML whose placeholder expands to a billion ``lol`` (the declaration goes before the root element)."""
    declared = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    return data[:declared] + _ENTITIES.encode() + data[declared:].replace(PLACEHOLDER.encode(), b"&l9;")


@pytest.mark.parametrize("fmt", ["graphml", "xlsx"])
def test_xml_entity_expansion_is_refused(sqlite_store: SQLiteStore, fmt: str) -> None:
    sqlite_store.upsert([Organisation("placeholder", PLACEHOLDER, "cbo")], [])
    content, _, filename = export_bytes(sqlite_store, fmt, hide_protected=False)
    sqlite_store.clear()
    if fmt == "xlsx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(content)) as bundle, zipfile.ZipFile(out, "w") as changed:
            for member in bundle.infolist():
                data = bundle.read(member)
                changed.writestr(member, _with_entities(data) if PLACEHOLDER.encode() in data else data)
        content = out.getvalue()
    else:
        content = _with_entities(content)
    with pytest.raises(ImportRefused, match="amplification"):
        import_bytes(sqlite_store, fmt, {filename: content})
    assert list(sqlite_store.iter_organisations()) == []


def _deep_json(depth: int) -> bytes:
    return ('{"nodes": [{"id": "a", "name": "A", "kind": "cbo", "tags": ' + "[" * depth + "]" * depth
            + '}], "links": []}').encode()


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_import_is_refused_without_recursion_error(sqlite_store: SQLiteStore,
                                                                       depth: int) -> None:
    with pytest.raises(ImportRefused, match="nested too deeply"):
        import_bytes(sqlite_store, "json", {"deep.json": _deep_json(depth)})
    assert list(sqlite_store.iter_organisations()) == []


def test_moderately_nested_json_is_refused_by_the_schema(sqlite_store: SQLiteStore) -> None:
    with pytest.raises(ImportRefused, match="tags.0: Not a valid string"):
        import_bytes(sqlite_store, "json", {"deep.json": _deep_json(500)})


def test_deeply_nested_json_import_over_http_is_a_422(env: Env) -> None:
    response = env.client.post("/api/v1/import", headers=env.auth("admin"), content_type="multipart/form-data",
                               data={"format": "json", "file": (io.BytesIO(_deep_json(100_000)), "deep.json")})
    assert response.status_code == 422 and "nested too deeply" in response.get_json()["message"]


# --- hostile but valid: every format carries it, or at least exports it ------------------------------

_NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [chr(p * 0x10000 + 0xFFFE + i)
                                                             for p in range(17) for i in (0, 1)]
_LINE_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=_NONCHARACTERS)
_STARTS = ["=", "+", "-", "@", "'", "''", "'=", "=cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", '"', "😀", "𝔘𝔫𝔦",
           "👩🏽‍⚕️", "\u202eevil", "_x0041_", "<b>", "]]>", "&amp;", "\\", "%s{0}", "مرحبا", "e\u0301", "\u00a0x"]


@st.composite
def hostile_text(draw: Any, max_size: int, *, multiline: bool = False, avoid: str = "") -> str:
    """Valid text that tries everything else: formula starts, quotes, separators, emoji, the full length."""
    specials = st.sampled_from(list(";,'\"=@+- ") + (["\n", "\t", "\r"] if multiline else []))
    body = draw(st.text(st.one_of(_LINE_CHARS, specials), max_size=30))
    filler = "é🙂" * max_size if draw(st.booleans()) else ""
    text = (draw(st.sampled_from(["", *_STARTS])) + body + filler)[:max_size]
    text = "".join(c for c in text if c not in avoid).strip()
    return text or "x"


@st.composite
def hostile_networks(draw: Any) -> tuple[list[Organisation], list[Link]]:
    """Two organisations and a link whose every free-text field is hostile (and valid)."""
    def items(max_items: int, avoid: str = ";") -> list[str]:
        return draw(st.lists(hostile_text(200, avoid=avoid), max_size=max_items))

    orgs = [load_organisation({
        "id": org_id, "name": draw(hostile_text(300)), "kind": "kp_network", "district": "Sekhukhune",
        "municipality": draw(hostile_text(200)), "description": draw(hostile_text(5000, multiline=True)),
        "aliases": items(3), "tags": items(2), "languages": items(2), "source": draw(hostile_text(300)),
        "external_ids": {draw(hostile_text(50, avoid=";=")): draw(hostile_text(200, avoid=";"))},
        "latitude": -24.5, "longitude": 29.75, "capacity_per_month": MAX_CAPACITY_PER_MONTH,
        "sensitive": org_id == "org-a", "website": "https://example.org/=x?q='1'", "email": "a@example.org",
    }) for org_id in ("org-a", "org-b")]
    link = load_link({**LINK, "notes": draw(hostile_text(5000, multiline=True)),
                      "document": draw(hostile_text(500)), "services": ["art"]})
    return orgs, [link]


_HOSTILE = settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "graphml"])
def test_hostile_valid_values_round_trip_through_every_importable_format(sqlite_store: SQLiteStore,
                                                                        fmt: str) -> None:
    @_HOSTILE
    @given(network=hostile_networks())
    def check(network: tuple[list[Organisation], list[Link]]) -> None:
        sqlite_store.clear()
        sqlite_store.upsert(*network)
        before = snapshot(sqlite_store)
        content, _, filename = export_bytes(sqlite_store, fmt, hide_protected=False)
        sqlite_store.clear()
        import_bytes(sqlite_store, fmt, {filename: content})
        assert snapshot(sqlite_store) == before

    check()


@pytest.mark.parametrize("hide_protected", [False, True])
def test_hostile_valid_values_export_in_every_format(sqlite_store: SQLiteStore, hide_protected: bool) -> None:
    @_HOSTILE
    @given(network=hostile_networks())
    def check(network: tuple[list[Organisation], list[Link]]) -> None:
        sqlite_store.clear()
        sqlite_store.upsert(*network)
        names = {o.id: o.name for o in network[0]}
        exported = {fmt: export_bytes(sqlite_store, fmt, hide_protected=hide_protected)[0]
                    for fmt in EXPORT_FORMATS}
        gexf = nx.read_gexf(io.BytesIO(exported["gexf"]))
        assert {node: data["label"] for node, data in gexf.nodes(data=True)} == names
        features = json.loads(exported["geojson"])["features"]
        assert {f["id"]: f["properties"]["name"] for f in features} == (
            {"org-b": names["org-b"]} if hide_protected else names)
        with zipfile.ZipFile(io.BytesIO(exported["hsds"])) as package:
            rows = list(csv.DictReader(io.StringIO(package.read("organizations.csv").decode(), newline="")))
        assert sorted(unescape_formula(row["name"]) for row in rows) == sorted(names.values())
        assert all(_escaped(cell) for row in rows for cell in row.values())

    check()


def test_cssnet_export_writes_hostile_values_in_every_format(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "h.db")
    store.upsert([load_organisation({"id": f"org-{i}", "name": start + " Clinic 😀", "kind": "clinic",
                                     "district": "Sekhukhune", "aliases": [start.replace(";", "") + "alias"],
                                     "municipality": start,
                                     "description": f"{start}\n\tline two 👩🏽‍⚕️ 𝔘 \u202e", "latitude": -24.5,
                                     "longitude": 29.75, "sensitive": i % 2 == 0})
                  for i, start in enumerate(_STARTS)],
                 [load_link({**LINK, "source": "org-0", "target": "org-1", "notes": "=1+1 ; 😀\n'x'"})])
    store.close()
    for fmt in sorted(EXPORT_FORMATS):
        result = CliRunner().invoke(cli, ["--store", str(tmp_path / "h.db"), "export", str(tmp_path / fmt),
                                          "--format", fmt])
        assert result.exit_code == 0, (fmt, result.output, result.exception)
        assert any(p.stat().st_size > 0 for p in (tmp_path / fmt).iterdir())
