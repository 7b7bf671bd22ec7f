"""Graph files for Gephi and friends: GraphML, GEXF and node-link JSON.

GraphML and GEXF attributes are scalars, so every field is written the way a
CSV cell holds it (see :mod:`network.io.rows`):

* lists (``services``, ``populations``, ``aliases``, ``languages``, ``tags``, ``countries_served``,
  ``intervention_areas``, ``data``)
  as one string joined with ``;`` -- ``"tb_screening;art"``;
* ``external_ids`` as ``"key=value;key=value"`` (keys sorted);
* dates (``last_verified``, ``start_date``, ``end_date``) as ISO ``YYYY-MM-DD`` strings;
* ``latitude``/``longitude`` as doubles, ``capacity_per_month``/``weight`` as
  integers, ``sensitive``/``formal`` as booleans, other text as strings;
* an empty value (none, ``""``, an empty list) is left out.

Nodes are keyed by organisation id and carry a ``label`` (the name) for Gephi;
edges run source -> target, keyed by link id (the GraphML edge ``id``; in GEXF
the edge ``id`` attribute). ``updated_at`` and ``version`` are not exported.
Reading a GraphML file decodes these strings back through the CSV rules and
validates every record, so an export imports back losslessly.

Node-link JSON is ``networkx.node_link_data(G, edges="links")`` of the same
graph with native JSON values (lists, objects, ISO date strings).
"""

from __future__ import annotations

import io
import json
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx

from network.graph.store import GraphStore
from network.io.csvfiles import check_size
from network.io.importer import ImportRefused, RowProblem, printable
from network.io.records import exported_organisations
from network.io.rows import LINK_COLUMNS, ORGANISATION_COLUMNS, record_to_row
from network.model import Link, Organisation
from network.schemas import dump_link, dump_organisation
from network.translation import translate

__all__ = [
    "encoded_graph",
    "graphml_bytes",
    "gexf_bytes",
    "decode_graph",
    "read_graphml",
    "node_link_bytes",
    "read_node_link",
]

_FLOATS = {"latitude", "longitude"}
_INTEGERS = {"capacity_per_month", "weight"}
_BOOLEANS = {"sensitive", "formal", "two_way"}
_STORE_ONLY = ("updated_at", "version")
Rows = list[tuple[int, dict[str, Any]]]


def encoded_graph(store: GraphStore, *, hide_protected: bool = False, gexf: bool = False) -> nx.MultiDiGraph:
    """The network as a graph whose attributes are GraphML/GEXF scalars (see the module notes)."""
    G = nx.MultiDiGraph(name="cssnet partner network")
    for org in exported_organisations(store, hide_protected=hide_protected):
        attrs = encode_attributes(org, ORGANISATION_COLUMNS)
        attrs["label"] = org.name
        G.add_node(attrs.pop("id"), **attrs)
    for link in store.iter_links():
        attrs = encode_attributes(link, LINK_COLUMNS)
        link_id, source, target = attrs.pop("id"), attrs.pop("source"), attrs.pop("target")
        if gexf:
            attrs["id"] = link_id
        G.add_edge(source, target, key=link_id, **attrs)
    return G


def encode_attributes(item: Organisation | Link, columns: tuple[str, ...]) -> dict[str, Any]:
    """One record's attributes as scalars; empty values are left out.

    >>> encode_attributes(Link("l1", "a", "b", "mou", services=["art", "sti"]), LINK_COLUMNS)["services"]
    'art;sti'
    """
    texts = record_to_row(item, columns)
    attrs: dict[str, Any] = {}
    for column in columns:
        value = getattr(item, column)
        if texts[column] == "":
            continue
        if column in _FLOATS:
            attrs[column] = float(value)
        elif column in _INTEGERS:
            attrs[column] = int(value)
        elif column in _BOOLEANS:
            attrs[column] = bool(value)
        else:
            attrs[column] = texts[column]
    return attrs


def graphml_bytes(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """The network as GraphML (UTF-8)."""
    out = io.BytesIO()
    nx.write_graphml(encoded_graph(store, hide_protected=hide_protected), out, encoding="utf-8")
    return out.getvalue()


def gexf_bytes(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """The network as GEXF 1.2 (UTF-8), the format Gephi opens natively."""
    out = io.BytesIO()
    nx.write_gexf(encoded_graph(store, hide_protected=hide_protected, gexf=True), out, encoding="utf-8")
    return out.getvalue()


def decode_graph(G: nx.MultiDiGraph, *, name: str) -> tuple[Rows, Rows]:
    """Numbered rows (1-based positions, in file order) from a graph read back from GraphML or GEXF.

    Attributes are the CSV cells of :mod:`network.io.rows`; Gephi's ``label``
    and GEXF's edge ``id`` and ``networkx_key`` are not fields and are dropped.
    """
    org_rows = []
    for number, (node, attrs) in enumerate(G.nodes(data=True), start=1):
        row = {k: v for k, v in attrs.items() if k != "label"}
        org_rows.append((number, {"id": str(node), **row}))
    link_rows = []
    for number, (source, target, key, attrs) in enumerate(G.edges(keys=True, data=True), start=1):
        row = {k: v for k, v in attrs.items() if k not in ("id", "networkx_key")}
        link_rows.append((number, {"id": str(key), "source": str(source), "target": str(target), **row}))
    _refuse_unknown(org_rows, ORGANISATION_COLUMNS, f"{name}:nodes")
    _refuse_unknown(link_rows, LINK_COLUMNS, f"{name}:edges")
    return org_rows, link_rows


def read_graphml(data: bytes, *, name: str = "network.graphml") -> tuple[Rows, Rows]:
    """Numbered organisation and link rows from GraphML bytes (see :func:`decode_graph`)."""
    check_size(name, len(data))
    try:
        G = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    except (ParseError, nx.NetworkXError, ValueError, KeyError) as err:
        raise ImportRefused([RowProblem(name, 0, "-", translate("not a GraphML file: %(error)s", error=err))]) from None
    if not G.is_directed():
        G = G.to_directed()
    return decode_graph(G, name=name)


def node_link_bytes(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """The network as node-link JSON: ``{"directed", "multigraph", "graph", "nodes", "links"}``.

    Nodes carry every organisation field but ``updated_at``/``version`` (protected
    ones of sensitive organisations are left out with ``hide_protected``); links
    carry ``source``, ``target``, ``key`` (the link id) and every other link field.
    """
    G = nx.MultiDiGraph(name="cssnet partner network")
    for org in exported_organisations(store, hide_protected=hide_protected):
        data = _without_store_fields(dump_organisation(org))
        if hide_protected and org.sensitive:
            data = {k: v for k, v in data.items() if v is not None}
        G.add_node(data.pop("id"), **data)
    for link in store.iter_links():
        data = _without_store_fields(dump_link(link))
        G.add_edge(data.pop("source"), data.pop("target"), key=data.pop("id"), **data)
    payload = nx.node_link_data(G, edges="links")
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def read_node_link(data: bytes, *, name: str = "network.json") -> tuple[Rows, Rows]:
    """Numbered organisation and link rows (1-based positions) from node-link JSON.

    Rows hold native JSON values, to be loaded without the CSV cell rules.
    """
    check_size(name, len(data))
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        not_text = translate("not UTF-8 text (byte %(byte)s).", byte=err.start)
        raise ImportRefused([RowProblem(name, 0, "-", not_text)]) from None
    except RecursionError:
        raise ImportRefused([RowProblem(name, 0, "-", translate(
            "the JSON is nested too deeply to be node-link JSON (a node-link file is a few levels deep)."))]) from None
    except json.JSONDecodeError as err:
        raise ImportRefused(
            [
                RowProblem(
                    name,
                    err.lineno,
                    "-",
                    translate("not valid JSON: %(error)s (line %(line)s, column %(column)s).", error=err.msg,
                              line=err.lineno, column=err.colno),
                )
            ]
        ) from None
    except ValueError:
        too_long = translate("a number has too many digits (at most 4,300).")
        raise ImportRefused([RowProblem(name, 0, "-", too_long)]) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("nodes"), list):
        raise ImportRefused(
            [
                RowProblem(
                    name,
                    0,
                    "nodes",
                    translate("expected node-link JSON: an object with a 'nodes' list and a 'links' list."),
                )
            ]
        )
    links = payload.get("links", [])
    if not isinstance(links, list):
        raise ImportRefused([RowProblem(name, 0, "links", translate("'links' must be a list."))])
    problems: list[RowProblem] = []
    org_rows: Rows = []
    for number, node in enumerate(payload["nodes"], start=1):
        if not isinstance(node, dict):
            problems.append(RowProblem(f"{name}:nodes", number, "-", translate("a node must be an object.")))
            continue
        org_rows.append((number, _without_store_fields(node)))
    link_rows: Rows = []
    for number, edge in enumerate(links, start=1):
        if not isinstance(edge, dict):
            problems.append(RowProblem(f"{name}:links", number, "-", translate("a link must be an object.")))
            continue
        row = _without_store_fields(edge)
        if "key" in row:
            row["id"] = row.pop("key")
        link_rows.append((number, row))
    if problems:
        raise ImportRefused(problems)
    return org_rows, link_rows


def _without_store_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _STORE_ONLY}


def _refuse_unknown(rows: Rows, columns: tuple[str, ...], name: str) -> None:
    problems = [
        RowProblem(name, number, printable(key), translate("unknown attribute '%(name)s'; the format has %(known)s.",
                                                      name=printable(key), known=", ".join(columns)))
        for number, row in rows
        for key in row
        if key not in columns
    ]
    if problems:
        raise ImportRefused(problems)
