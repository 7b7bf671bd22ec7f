"""The SQLite store's bulk write: many organisations and links, their versions, in a few statements.

One look-up per 500 ids finds what is stored (case-folded key, id, version)
and the history's last versions; each record is encoded to JSON once, and the
same text is the stored row and its new version. Inserts go through
``executemany``; the revision the versions name is read once (the write lock
is held, see ``SQLiteStore.transaction``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from network.graph import sqlite_sql as sql
from network.graph.records import id_key, now, refuse_case_clashes, stamp
from network.graph.sqlite_history import last_versions
from network.graph.store import UpsertResult
from network.model import Link, Organisation

__all__ = ["bulk_upsert", "BULK_CACHE_KIB"]

#: Page cache (KiB) a connection takes for a large bulk write, so index pages stay in memory
#: instead of being spilled and read back for every row.
BULK_CACHE_KIB = 262_144
_LARGE = 20_000

_FIELDS = {cls: tuple(f for f in cls.__dataclass_fields__) for cls in (Organisation, Link)}
_VALUES = {cls: attrgetter(*names) for cls, names in _FIELDS.items()}


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODE = json.JSONEncoder(default=_iso).encode


def encoded(item: Organisation | Link, version: int, updated_at: str) -> str:
    """The JSON text of ``item`` as stored at ``version``, written at ``updated_at``.

    The same text as ``json.dumps(to_record(item))`` with ``version`` and ``updated_at`` replaced.

    >>> encoded(Link("l1", "a", "b", "mou", start_date=dt.date(2026, 1, 2)), 2, "t")[:60]
    '{"id": "l1", "source": "a", "target": "b", "kind": "mou", "s'
    """
    cls = type(item)
    record = dict(zip(_FIELDS[cls], _VALUES[cls](item), strict=True))
    record["version"], record["updated_at"] = version, updated_at
    return _ENCODE(record)


def bulk_upsert(conn: sqlite3.Connection, organisations: Sequence[Organisation], links: Sequence[Link], *,
                action: str, actor: str) -> UpsertResult:
    """Insert or replace ``organisations`` and ``links`` with a version of each; see ``GraphStore.upsert``.

    Runs inside the caller's savepoint; a repeated id keeps its last record.
    """
    orgs = {o.id: o for o in organisations}
    lnks = {link.id: link for link in links}
    if len(orgs) + len(lnks) >= _LARGE:
        conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    stored_orgs = _stored(conn, "organisation", "organisations", list(orgs))
    stored_links = _stored(conn, "link", "links", list(lnks))
    sql.check_ends(conn, list(lnks.values()), set(orgs))
    at = now()
    updated_at = at.isoformat()
    revision = conn.execute("SELECT value + 1 FROM meta WHERE key = 'revision'").fetchone()[0]
    org_rows = [(o.id, encoded(o, stored_orgs.get(o.id, 0) + 1, updated_at), stored_orgs.get(o.id, 0) + 1,
                 updated_at, id_key(o.id)) for o in orgs.values()]
    conn.executemany(
        "INSERT INTO organisations (id, data, version, updated_at, id_key) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET data = excluded.data, version = excluded.version, "
        "updated_at = excluded.updated_at", org_rows)
    _keep(conn, "organisation", [(row[0], row[1]) for row in org_rows], stored_orgs, action, actor, at, revision)
    del org_rows
    link_rows = [(link.id, link.source, link.target, encoded(link, stored_links.get(link.id, 0) + 1, updated_at),
                  stored_links.get(link.id, 0) + 1, updated_at, id_key(link.id)) for link in lnks.values()]
    conn.executemany(
        "INSERT INTO links (id, source, target, data, version, updated_at, id_key) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET source = excluded.source, target = excluded.target, "
        "data = excluded.data, version = excluded.version, updated_at = excluded.updated_at", link_rows)
    _keep(conn, "link", [(row[0], row[3]) for row in link_rows], stored_links, action, actor, at, revision)
    return UpsertResult(organisations_created=len(orgs) - len(stored_orgs), organisations_updated=len(stored_orgs),
                        links_created=len(lnks) - len(stored_links), links_updated=len(stored_links))


def _stored(conn: sqlite3.Connection, noun: str, table: str, ids: list[str]) -> dict[str, int]:
    """The stored version of each of ``ids`` that is stored; ``Conflict`` for an id that clashes in case."""
    keys = list(dict.fromkeys(map(id_key, ids)))
    holders: dict[str, str] = {}
    versions: dict[str, int] = {}
    for start in range(0, len(keys), sql.CHUNK):
        chunk = keys[start:start + sql.CHUNK]
        marks = ",".join("?" * len(chunk))
        for key, stored_id, version in conn.execute(
                f"SELECT id_key, id, version FROM {table} WHERE id_key IN ({marks})", chunk):
            holders[key] = stored_id
            versions[stored_id] = version
    refuse_case_clashes(noun, ids, holders)
    return {record_id: versions[record_id] for record_id in ids if record_id in versions}


def _keep(conn: sqlite3.Connection, entity: str, written: list[tuple[str, str]], stored: dict[str, int],
          action: str, actor: str, at: dt.datetime, revision: int) -> None:
    """One version per written ``(id, data)``: ``update`` for a stored record, else ``action``; the version each
    replaces is closed at ``at``."""
    if not written:
        return
    table = f"{entity}_versions"
    last = last_versions(conn, table, [record_id for record_id, _ in written])
    valid_from = stamp(at)
    conn.executemany(f"UPDATE {table} SET valid_to = ? WHERE entity_id = ? AND version = ?",
                     ((valid_from, record_id, version) for record_id, version in last.items()))
    conn.executemany(
        f"INSERT INTO {table} (entity_id, version, action, valid_from, valid_to, actor, data, revision) "
        "VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        ((record_id, last.get(record_id, 0) + 1, "update" if record_id in stored else action, valid_from, actor,
          data, revision) for record_id, data in written))
