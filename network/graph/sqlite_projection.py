"""The SQLite store's projection read path: every field of a record as a column, read from one index.

Decoding each record's JSON in Python is what made projecting the network
slow (issue 15). :data:`PROJECTION_MIGRATION` gives the organisation and link
tables a virtual column per field (computed from ``data``) and one index per
table holding every field the projection reads, so reading the network is a
scan of that index: no JSON is parsed on the way. Rows come out in the
stored form that :mod:`network.graph.columns` decodes; or, for the whole
network as it stands, :func:`compiled_graph` reads them in C into the graph.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Iterator
from typing import Any

import networkx as nx

from network.gcpause import gc_paused
from network.graph import _projection
from network.graph.columns import LINK_ROW, ORGANISATION_ROW, compiled_plan, empty_text
from network.model import Link, Organisation

__all__ = ["PROJECTION_MIGRATION", "projection_rows", "select", "compiled_graph"]

_CHUNK = 500
_FETCH = 10_000

#: Fields that got their own virtual column in :data:`PROJECTION_MIGRATION`, by table.
_NEW_COLUMNS = {
    "organisations": ("description", "municipality", "latitude", "longitude", "services", "populations",
                      "capacity_per_month", "languages", "phone", "email", "website", "tags", "external_ids",
                      "source", "countries_served", "intervention_areas", "last_verified", "verified_by"),
    "links": ("services", "start_date", "end_date", "weight", "formal", "document", "notes", "last_verified",
              "two_way", "programme", "grant_ref", "verified_by", "intervention_areas", "data"),
}

#: The column of each field, where its name is not the field's: the link's ``data`` (the table's ``data`` is
#: the JSON record) and the aliases (the search column, made before this migration).
_RENAMED = {"organisations": {"aliases": "search_text"}, "links": {"data": "data_kinds"}}

#: Each table's row fields and its model, and the columns the projection index holds.
_FIELDS = {"organisations": ORGANISATION_ROW, "links": LINK_ROW}
_MODELS = {"organisations": Organisation, "links": Link}
_INDEXED = {
    "organisations": ("id", "name", "kind", "search_text", "description", "province", "district", "municipality",
                      "latitude", "longitude", "services", "populations", "capacity_per_month", "languages",
                      "phone", "email", "website", "status", "sensitive", "tags", "external_ids", "source",
                      "country", "countries_served", "intervention_areas", "last_verified", "verified_by"),
    "links": ("id", "source", "target", "kind", "services", "status", "start_date", "end_date", "weight", "formal",
              "document", "notes", "last_verified", "two_way", "programme", "grant_ref", "verified_by",
              "intervention_areas", "data_kinds"),
}

#: Adds the virtual columns and the two projection indexes (issue 15).
PROJECTION_MIGRATION = "".join(
    f"ALTER TABLE {table} ADD COLUMN {_RENAMED[table].get(field, field)} "
    f"GENERATED ALWAYS AS (json_extract(data, '$.{field}')) VIRTUAL;\n"
    for table, fields in _NEW_COLUMNS.items() for field in fields
) + "".join(f"CREATE INDEX {table}_projection ON {table}({', '.join(columns)});\n"
            for table, columns in _INDEXED.items())

def _column(table: str, field: str) -> str:
    """The column holding ``field``, an empty list as NULL (no text to make); a field added to the model
    after the migration is read from the JSON."""
    column = _RENAMED[table].get(field, field)
    if column not in _INDEXED[table]:
        column = f"json_extract(data, '$.{field}')"
    empty = empty_text(_MODELS[table], field)
    return f"nullif({column}, '{empty}')" if empty else column


def select(table: str) -> str:
    """The query of every field of ``table``'s records, read from the projection index."""
    columns = ", ".join(_column(table, field) for field in _FIELDS[table])
    return f"SELECT {columns} FROM {table} INDEXED BY {table}_projection"


def projection_rows(conn: sqlite3.Connection, table: str, ids: Collection[str] | None = None
                    ) -> Iterator[list[tuple[Any, ...]]]:
    """The records of ``table`` (or those of ``ids`` that exist) in batches of rows, in id order.

    A row holds the record's fields (``network.graph.columns.ORGANISATION_ROW``
    or ``LINK_ROW``) as stored: texts, numbers, 0 or 1 for a flag, ISO texts
    for dates, JSON texts for lists and mappings, None where the record has no
    value or an empty list.
    """
    query = select(table)
    cursor = conn.cursor()
    cursor.row_factory = None
    if ids is None:
        cursor.execute(f"{query} ORDER BY id")
        while batch := cursor.fetchmany(_FETCH):
            yield batch
        return
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        yield cursor.execute(f"{query} WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk).fetchall()


def compiled_graph(path: str, *, busy_timeout: float, as_of: dt.date | None = None) -> nx.MultiDiGraph:
    """The analysis graph of the SQLite store at ``path``, read and built in C (``network.graph._projection``).

    Equal to ``graph_from_rows`` of :func:`projection_rows` (without the links
    that start after ``as_of``), in the same order: the rows are never Python
    tuples, and a thread of the C module's own steps through the links while
    this one makes the Python objects (about three times faster than the rows
    at 50,000 organisations). Organisations and links are read in one read
    transaction of a connection of its own, so they come from the same state
    of the store; a write not yet committed is not seen.

    Examples
    --------
    >>> import os, tempfile
    >>> from network.graph.sqlite import SQLiteStore
    >>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "n.db"))
    >>> store.upsert([Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")],
    ...              [Link("l1", "a", "b", "referral", start_date=dt.date(2030, 1, 1))]).links_created
    1
    >>> G = compiled_graph(store.path, busy_timeout=5, as_of=dt.date(2029, 12, 31))
    >>> list(G.nodes(data="kind")), list(G.edges(keys=True))
    ([('a', 'cbo'), ('b', 'clinic')], [])
    """
    starts = "" if as_of is None else f" WHERE start_date IS NULL OR start_date <= '{as_of.isoformat()}'"
    with gc_paused():  # a million new containers: the collector would walk the growing graph again and again
        node, succ, pred = _projection.graph(
            path, int(busy_timeout * 1000),
            f"{select('organisations')} ORDER BY id", *compiled_plan(Organisation),
            f"{select('links')}{starts} ORDER BY id", *compiled_plan(Link))
    G = nx.MultiDiGraph()
    G._node, G._succ, G._pred = node, succ, pred
    return G
