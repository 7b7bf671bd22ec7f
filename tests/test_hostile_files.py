"""Hostile input (issue 17): files that would exhaust the server (zip bombs, entity expansion, deep nesting)."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

import pytest

from network.graph.sqlite import SQLiteStore
from network.io.csvfiles import MAX_UNPACKED_BYTES
from network.io.formats import export_bytes, import_bytes
from network.io.importer import ImportRefused
from network.model import Organisation
from tests.hostile_support import PLACEHOLDER

if TYPE_CHECKING:
    from tests.api_support import Env


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
