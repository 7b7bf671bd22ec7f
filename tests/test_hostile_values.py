"""Hostile but valid values (issue 17): every format carries them, or at least exports them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.io.cells import unescape_formula
from network.io.formats import EXPORT_FORMATS, export_bytes, import_bytes
from network.model import Link, Organisation
from network.schemas import MAX_CAPACITY_PER_MONTH, load_link, load_organisation
from tests.hostile_support import LINK, escaped
from tests.test_roundtrip import snapshot

if TYPE_CHECKING:
    pass


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
        assert all(escaped(cell) for row in rows for cell in row.values())

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
