"""History of organisations and links in the SQLite store: one version row per change.

A version stood from ``valid_from`` until ``valid_to`` (``NULL`` while it
stands); times are fixed-width UTC texts (:func:`network.graph.records.stamp`),
so comparing texts compares instants. ``data`` is the record as written (with
its ``version`` and ``updated_at``), ``NULL`` for a deletion.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator

from network.graph.records import ENTITIES, link_from_record, now, organisation_from_record, stamp
from network.graph.store import Changes, Version
from network.translation import translate

__all__ = ["HISTORY_MIGRATION", "CHANGES_MIGRATION", "keep_versions", "history", "records_as_of", "changes",
           "last_versions"]

_CHUNK = 500
_TABLES = {"organisation": "organisation_versions", "link": "link_versions"}
_DECODE = {"organisation": organisation_from_record, "link": link_from_record}

#: One version table and its index by time (``{table}``: a value of ``_TABLES``).
_VERSION_TABLE = """
    CREATE TABLE {table} (
        entity_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        actor TEXT NOT NULL,
        data TEXT,
        PRIMARY KEY (entity_id, version)
    );
    CREATE INDEX {table}_time ON {table}(valid_from);"""

#: Adds the version tables (every stored record gets an ``import`` version as it stands) and
#: the case-folded id keys that keep ids unique regardless of case.
HISTORY_MIGRATION = "".join(_VERSION_TABLE.format(table=table) for table in _TABLES.values()) + """
    INSERT INTO organisation_versions
        SELECT id, 1, 'import', updated_at, NULL, 'system',
               json_set(data, '$.version', version, '$.updated_at', updated_at)
        FROM organisations;
    INSERT INTO link_versions
        SELECT id, 1, 'import', updated_at, NULL, 'system',
               json_set(data, '$.version', version, '$.updated_at', updated_at, '$.source', source,
                        '$.target', target)
        FROM links;
    ALTER TABLE organisations ADD COLUMN id_key TEXT;
    UPDATE organisations SET id_key = lower(id);
    CREATE UNIQUE INDEX organisations_id_key ON organisations(id_key);
    ALTER TABLE links ADD COLUMN id_key TEXT;
    UPDATE links SET id_key = lower(id);
    CREATE UNIQUE INDEX links_id_key ON links(id_key);
"""

#: Versions name the revision their transaction commits as; ``changes_from`` is the first revision
#: whose changes are all named so (earlier versions have no revision).
CHANGES_MIGRATION = """
    ALTER TABLE organisation_versions ADD COLUMN revision INTEGER;
    ALTER TABLE link_versions ADD COLUMN revision INTEGER;
    CREATE INDEX organisation_versions_revision ON organisation_versions(revision);
    CREATE INDEX link_versions_revision ON link_versions(revision);
    INSERT INTO meta SELECT 'changes_from', value FROM meta WHERE key = 'revision';
"""


def keep_versions(conn: sqlite3.Connection, entity: str, changes: Iterable[tuple[str, str, str | None]],
                  actor: str) -> None:
    """Store one version per ``(entity_id, action, data)`` and close the version each replaces.

    When an id comes more than once, its last change is the one kept.
    """
    table = _TABLES[entity]
    latest = {entity_id: (action, data) for entity_id, action, data in changes}
    if not latest:
        return
    at = stamp(now())
    last = last_versions(conn, table, list(latest))
    conn.executemany(f"UPDATE {table} SET valid_to = ? WHERE entity_id = ? AND version = ?",
                     ((at, entity_id, version) for entity_id, version in last.items()))
    # The write lock is held (BEGIN IMMEDIATE) and the revision goes up by one at commit.
    conn.executemany(
        f"INSERT INTO {table} (entity_id, version, action, valid_from, valid_to, actor, data, revision) "
        "VALUES (?, ?, ?, ?, NULL, ?, ?, (SELECT value + 1 FROM meta WHERE key = 'revision'))",
        ((entity_id, last.get(entity_id, 0) + 1, action, at, actor, data)
         for entity_id, (action, data) in latest.items()))


def changes(conn: sqlite3.Connection, since: int) -> Changes | None:
    """The organisations and links written after revision ``since``, read in one snapshot (see GraphStore)."""
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('revision', 'changes_from')"))
        if "changes_from" not in meta or not meta["changes_from"] <= since <= meta["revision"]:
            return None
        ids = {entity: frozenset(r[0] for r in conn.execute(
            f"SELECT entity_id FROM {table} WHERE revision > ?", (since,)))
            for entity, table in _TABLES.items()}
        return Changes(meta["revision"], ids["organisation"], ids["link"])
    finally:
        if began:
            conn.execute("COMMIT")


def history(conn: sqlite3.Connection, entity: str, entity_id: str) -> list[Version]:
    """Every version of one record, oldest first."""
    if entity not in ENTITIES:
        raise ValueError(translate("History is kept for organisations and links, not '%(entity)s'.", entity=entity))
    rows = conn.execute(f"SELECT * FROM {_TABLES[entity]} WHERE entity_id = ? ORDER BY version",
                        (entity_id,)).fetchall()
    decode = _DECODE[entity]
    return [Version(entity=entity, entity_id=r["entity_id"], version=r["version"], action=r["action"],
                    valid_from=dt.datetime.fromisoformat(r["valid_from"]),
                    valid_to=dt.datetime.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
                    actor=r["actor"], record=decode(json.loads(r["data"])) if r["data"] else None)
            for r in rows]


def records_as_of(conn: sqlite3.Connection, entity: str, at: dt.datetime) -> Iterator[dict]:
    """The records of ``entity`` as they stood at ``at``, ordered by id, as stored dicts.

    The version standing at ``at``; or, for a record first written later, its
    first version when an import wrote it (the record existed already).
    """
    when = stamp(at)
    rows = conn.execute(
        f"SELECT data FROM {_TABLES[entity]} WHERE action != 'delete' AND ("
        "(valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)) "
        "OR (version = 1 AND action = 'import' AND valid_from > ?)) ORDER BY entity_id",
        (when, when, when))
    for row in rows:
        yield json.loads(row["data"])


def last_versions(conn: sqlite3.Connection, table: str, ids: list[str]) -> dict[str, int]:
    """The last version number of each of ``ids`` that has a history in ``table``."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(
            f"SELECT entity_id, max(version) FROM {table} WHERE entity_id IN ({marks}) GROUP BY entity_id",
            chunk).fetchall())
    return found
