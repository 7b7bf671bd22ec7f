"""Exports of the demo network: Gephi formats, GeoJSON, HSDS 3.0, and hiding protected fields."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from network.graph.sqlite import SQLiteStore
from network.io.formats import EXPORT_FORMATS, export_bytes, export_to_folder, import_bytes, import_path
from network.io.graphfiles import decode_graph
from network.io.hsds import TABLES
from network.io.importer import ImportRefused, RowProblem
from network.io.rows import LINK_COLUMNS, ORGANISATION_COLUMNS, row_to_data
from network.model import PROTECTED_FIELDS, Organisation
from network.schemas import load_link, load_organisation
from network.service import seed_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A SQLite store holding the demo network (read-only for these tests)."""
    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "demo.db")
    seed_demo(store)
    yield store
    store.close()


def _records(store: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    strip = ("updated_at", "version")
    return (
        {o.id: {k: v for k, v in o.to_dict().items() if k not in strip} for o in store.iter_organisations()},
        {x.id: {k: v for k, v in x.to_dict().items() if k not in strip} for x in store.iter_links()},
    )


def _from_graph(G: nx.MultiDiGraph) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode a graph read by NetworkX's own reader back into validated records."""
    org_rows, link_rows = decode_graph(G, name="read")
    orgs = {o.id: o for o in (load_organisation(row_to_data(r)) for _, r in org_rows)}
    links = {x.id: x for x in (load_link(row_to_data(r)) for _, r in link_rows)}
    strip = ("updated_at", "version")
    return (
        {k: {f: v for f, v in o.to_dict().items() if f not in strip} for k, o in orgs.items()},
        {k: {f: v for f, v in x.to_dict().items() if f not in strip} for k, x in links.items()},
    )


@pytest.mark.parametrize(
    ("fmt", "reader"),
    [
        ("graphml", lambda data: nx.read_graphml(io.BytesIO(data), force_multigraph=True)),
        ("gexf", lambda data: nx.read_gexf(io.BytesIO(data))),
    ],
)
def test_gephi_formats_load_in_networkx_with_every_attribute(demo: Any, fmt: str, reader: Any) -> None:
    content, mimetype, filename = export_bytes(demo, fmt, hide_protected=False)
    assert filename.endswith(f".{fmt}") and "xml" in mimetype
    G = reader(content)
    orgs, links = _records(demo)
    assert G.number_of_nodes() == len(orgs) and G.number_of_edges() == len(links)
    assert all(G.nodes[org_id]["label"] == org["name"] for org_id, org in orgs.items())
    assert _from_graph(G) == (orgs, links)
    # Typed scalars stay typed for Gephi: coordinates are doubles, weights numbers, flags booleans.
    located = next(o for o in orgs.values() if o["latitude"] is not None)
    assert G.nodes[located["id"]]["latitude"] == located["latitude"]
    assert isinstance(G.nodes[located["id"]]["sensitive"], bool)


def test_geojson_points_carry_safe_fields_only(demo: Any) -> None:
    content, mimetype, _ = export_bytes(demo, "geojson", hide_protected=False)
    collection = json.loads(content)
    assert mimetype == "application/geo+json" and collection["type"] == "FeatureCollection"
    located = {o.id: o for o in demo.iter_organisations() if o.latitude is not None}
    assert {f["id"] for f in collection["features"]} == set(located)
    for feature in collection["features"]:
        org = located[feature["id"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [org.longitude, org.latitude]}
        assert not set(feature["properties"]) & set(PROTECTED_FIELDS)
        assert feature["properties"]["name"] == org.name


def _hsds(content: bytes) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        descriptor = json.loads(package.read("datapackage.json"))
        tables = {
            name: list(csv.DictReader(io.StringIO(package.read(f"{name}.csv").decode("utf-8"))))
            for name in TABLES
        }
    return descriptor, tables


def test_hsds_package_has_required_fields_types_and_resolving_ids(demo: Any) -> None:
    content, mimetype, filename = export_bytes(demo, "hsds", hide_protected=False)
    descriptor, tables = _hsds(content)
    assert mimetype == "application/zip" and filename.endswith(".zip")
    assert [r["path"] for r in descriptor["resources"]] == [f"{name}.csv" for name in TABLES]
    # Fields HSDS 3.0 requires in these tables (id, name, description; id, name, status; id,
    # location_type; id) plus the tabular links (organization_id, service_id, location_id).
    required = {
        "organizations": {"id", "name", "description"},
        "services": {"id", "name", "status", "organization_id"},
        "locations": {"id", "location_type"},
        "service_at_location": {"id", "service_id", "location_id"},
    }
    for name, fields in required.items():
        assert tables[name], name
        for row in tables[name]:
            assert all(row[f] for f in fields), (name, row)
            for column, value in row.items():
                if column == "id" or column.endswith("_id") and value:
                    assert str(uuid.UUID(value)) == value
    assert {r["status"] for r in tables["services"]} <= {
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    }
    assert {r["location_type"] for r in tables["locations"]} == {"physical"}
    for row in tables["locations"]:
        if row["latitude"]:
            assert -90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180
    ids = {name: {r["id"] for r in rows} for name, rows in tables.items()}
    assert all(len(ids[name]) == len(tables[name]) for name in TABLES)
    assert {r["organization_id"] for r in tables["services"]} <= ids["organizations"]
    assert {r["organization_id"] for r in tables["locations"]} <= ids["organizations"]
    assert {r["service_id"] for r in tables["service_at_location"]} <= ids["services"]
    assert {r["location_id"] for r in tables["service_at_location"]} <= ids["locations"]
    assert len(tables["organizations"]) == sum(1 for _ in demo.iter_organisations())
    assert len(tables["services"]) == sum(len(o.services) for o in demo.iter_organisations())
    again = _hsds(export_bytes(demo, "hsds", hide_protected=False)[0])[1]
    assert again == tables  # identifiers are stable between exports


@pytest.fixture
def secretive(tmp_path: Path) -> Any:
    store = SQLiteStore(tmp_path / "s.db")
    store.upsert(
        [
            Organisation(
                "kp",
                "KP Network",
                "kp_network",
                sensitive=True,
                district="Sekhukhune",
                province="Limpopo",
                municipality="Hidden Town",
                latitude=-24.1,
                longitude=29.8,
                phone="+27 11 555 0199",
                email="safe@kp.example",
                website="https://kp.example",
                services=["prep"],
            ),
            Organisation(
                "open",
                "Open Clinic",
                "clinic",
                municipality="Open Town",
                latitude=-25.0,
                longitude=28.0,
                phone="+27 12 555 0100",
                services=["art"],
            ),
        ],
        [],
    )
    yield store
    store.close()


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_hide_protected_removes_sensitive_fields_in_every_format(secretive: Any, fmt: str) -> None:
    hidden_values = ["Hidden Town", "-24.1", "29.8", "555 0199", "safe@kp.example", "kp.example"]
    shown, _, _ = export_bytes(secretive, fmt, hide_protected=False)
    hidden, _, _ = export_bytes(secretive, fmt, hide_protected=True)
    shown_text, hidden_text = _all_text(shown), _all_text(hidden)
    assert "Open Town" in hidden_text or fmt in ("geojson", "hsds")  # others' fields stay (where exported)
    # GeoJSON has no point for a sensitive organisation once its coordinates are hidden.
    assert ("KP Network" in hidden_text) == (fmt != "geojson")
    for value in hidden_values:
        assert value not in hidden_text, (fmt, value)
    assert any(value in shown_text for value in hidden_values)


def _all_text(content: bytes) -> str:
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            return "\n".join(bundle.read(name).decode("utf-8", "replace") for name in bundle.namelist())
    return content.decode("utf-8")


def test_export_to_folder_and_import_path(demo: Any, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "json", "graphml"):
        paths = export_to_folder(demo, fmt, tmp_path / fmt)
        target = SQLiteStore(tmp_path / f"{fmt}.db")
        import_path(target, paths if fmt == "csv" else paths[0])
        assert _records(target) == _records(demo), fmt
        target.close()
    assert [p.name for p in export_to_folder(demo, "gexf", tmp_path / "g")] == ["cssnet.gexf"]


def test_unknown_export_format(demo: Any) -> None:
    with pytest.raises(ValueError, match="Unknown export format 'pdf'"):
        export_bytes(demo, "pdf", hide_protected=False)


@pytest.mark.parametrize(
    ("fmt", "name", "content", "problem"),
    [
        (
            "json",
            "n.json",
            b'{"nodes": [',
            RowProblem("n.json", 1, "-", "not valid JSON: Expecting value (line 1, column 12)."),
        ),
        (
            "json",
            "n.json",
            b'{"graph": {}}',
            RowProblem(
                "n.json",
                0,
                "nodes",
                "expected node-link JSON: an object with a 'nodes' list and a 'links' list.",
            ),
        ),
        (
            "json",
            "n.json",
            json.dumps(
                {
                    "nodes": [{"id": "a", "name": "A", "kind": "cbo"}],
                    "links": [{"key": "l1", "source": "a", "target": "zz", "kind": "mou"}],
                }
            ).encode(),
            RowProblem("n.json:links", 1, "target", "target 'zz' is not a known organisation."),
        ),
        (
            "graphml",
            "g.graphml",
            b"<graphml><graph>",
            RowProblem("g.graphml", 0, "-", "not a GraphML file: no element found: line 1, column 16"),
        ),
        (
            "xlsx",
            "w.xlsx",
            b"PK not really",
            RowProblem("w.xlsx", 0, "-", "not an XLSX workbook (BadZipFile: File is not a zip file)."),
        ),
        (
            "gexf",
            "g.gexf",
            b"",
            RowProblem("-", 0, "format", "cannot import 'gexf'; use one of csv, xlsx, json, graphml."),
        ),
    ],
)
def test_bad_files_of_other_formats(
    secretive: Any, fmt: str, name: str, content: bytes, problem: RowProblem
) -> None:
    before = _records(secretive), secretive.revision()
    with pytest.raises(ImportRefused) as caught:
        import_bytes(secretive, fmt, {name: content})
    assert caught.value.problems == [problem]
    assert (_records(secretive), secretive.revision()) == before


def test_graphml_unknown_attribute_is_named(secretive: Any) -> None:
    G = nx.MultiDiGraph()
    G.add_node("x", name="X", kind="cbo", colour="red")
    out = io.BytesIO()
    nx.write_graphml(G, out)
    with pytest.raises(ImportRefused) as caught:
        import_bytes(secretive, "graphml", {"g.graphml": out.getvalue()})
    assert caught.value.problems == [
        RowProblem(
            "g.graphml:nodes",
            1,
            "colour",
            f"unknown attribute 'colour'; the format has {', '.join(ORGANISATION_COLUMNS)}.",
        )
    ]
    assert LINK_COLUMNS[0] == "id"
