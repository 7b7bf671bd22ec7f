"""History of organisations and links in the Neo4j store: one version node per change.

Versions are ``OrganisationVersion`` and ``LinkVersion`` nodes with
``entity_id``, ``version``, ``action``, ``valid_from``, ``valid_to`` (absent
while the version stands), ``actor``, ``data`` (the record as written, as
JSON; absent for a deletion) and ``revision`` (the store's revision when its
transaction committed; absent on versions written before versions named it,
that is before the ``changes_from`` counter). Times are fixed-width UTC texts
(:func:`network.graph.records.stamp`), so comparing texts compares instants.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import neo4j

from network.graph.records import ENTITIES, link_from_record, now, organisation_from_record, stamp
from network.graph.store import Changes, Version
from network.translation import translate

__all__ = ["HISTORY_SCHEMA", "keep_versions", "history", "records_as_of", "backfill", "changes"]

_BATCH = 1000
LABELS = {"organisation": "OrganisationVersion", "link": "LinkVersion"}
_DECODE = {"organisation": organisation_from_record, "link": link_from_record}

#: Named, idempotent indexes for reading a record's versions.
HISTORY_SCHEMA = (
    "CREATE INDEX organisation_version_entity IF NOT EXISTS FOR (v:OrganisationVersion) ON (v.entity_id)",
    "CREATE INDEX link_version_entity IF NOT EXISTS FOR (v:LinkVersion) ON (v.entity_id)",
    "CREATE INDEX organisation_version_revision IF NOT EXISTS FOR (v:OrganisationVersion) ON (v.revision)",
    "CREATE INDEX link_version_revision IF NOT EXISTS FOR (v:LinkVersion) ON (v.revision)",
)

Tx = neo4j.ManagedTransaction | neo4j.Transaction


def keep_versions(tx: Tx, entity: str, changes: Iterable[tuple[str, str, str | None]], actor: str) -> None:
    """Store one version per ``(entity_id, action, data)`` and close the version each replaces.

    When an id comes more than once, its last change is the one kept. Each
    version names the revision its transaction commits as: the revision
    counter is locked (written) first, so no other network write commits in
    between, and goes up by one at commit (``neo4j_session``).
    """
    label = LABELS[entity]
    latest = {entity_id: (action, data) for entity_id, action, data in changes}
    ids = list(latest)
    if not ids:
        return
    revision = int(tx.run("MERGE (m:CssnetMeta {key: 'revision'}) SET m.value = coalesce(m.value, 0) "
                          "RETURN m.value AS value").single()["value"]) + 1
    at = stamp(now())
    last: dict[str, int] = {}
    for start in range(0, len(ids), _BATCH):
        rows = tx.run(f"UNWIND $ids AS id MATCH (v:{label} {{entity_id: id}}) WHERE v.valid_to IS NULL "
                      "SET v.valid_to = $at RETURN v.entity_id AS id, v.version AS version",
                      ids=ids[start:start + _BATCH], at=at)
        for row in rows:
            last[row["id"]] = max(last.get(row["id"], 0), int(row["version"]))
    rows = [{"entity_id": entity_id, "version": last.get(entity_id, 0) + 1, "action": action,
             "valid_from": at, "actor": actor, "data": data, "revision": revision}
            for entity_id, (action, data) in latest.items()]
    for start in range(0, len(rows), _BATCH):
        tx.run(f"UNWIND $rows AS row CREATE (v:{label}) SET v = row", rows=rows[start:start + _BATCH]).consume()


def changes(tx: Tx, since: int) -> Changes | None:
    """The organisations and links written after revision ``since``, read in one transaction (see GraphStore)."""
    meta = {r["key"]: int(r["value"]) for r in tx.run(
        "MATCH (m:CssnetMeta) WHERE m.key IN ['revision', 'changes_from'] RETURN m.key AS key, m.value AS value")}
    if "changes_from" not in meta or not meta["changes_from"] <= since <= meta.get("revision", 0):
        return None
    ids = {entity: frozenset(r["id"] for r in tx.run(
        f"MATCH (v:{label}) WHERE v.revision > $since RETURN DISTINCT v.entity_id AS id", since=since))
        for entity, label in LABELS.items()}
    return Changes(meta["revision"], ids["organisation"], ids["link"])


def history(tx: Tx, entity: str, entity_id: str) -> list[Version]:
    """Every version of one record, oldest first."""
    if entity not in ENTITIES:
        raise ValueError(translate("History is kept for organisations and links, not '%(entity)s'.", entity=entity))
    rows = tx.run(f"MATCH (v:{LABELS[entity]} {{entity_id: $id}}) RETURN properties(v) AS p ORDER BY v.version",
                  id=entity_id)
    decode = _DECODE[entity]
    return [Version(entity=entity, entity_id=p["entity_id"], version=int(p["version"]), action=p["action"],
                    valid_from=dt.datetime.fromisoformat(p["valid_from"]),
                    valid_to=dt.datetime.fromisoformat(p["valid_to"]) if p.get("valid_to") else None,
                    actor=p["actor"], record=decode(json.loads(p["data"])) if p.get("data") else None)
            for p in (r["p"] for r in rows)]


def records_as_of(tx: Tx, entity: str, at: dt.datetime, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` records of ``entity`` with ids after ``after``, as they stood at ``at``.

    The version standing at ``at``; or, for a record first written later, its
    first version when an import wrote it (the record existed already).
    """
    when = stamp(at)
    rows = tx.run(
        f"MATCH (v:{LABELS[entity]}) WHERE v.entity_id > $after AND v.action <> 'delete' AND ("
        "(v.valid_from <= $when AND (v.valid_to IS NULL OR v.valid_to > $when)) "
        "OR (v.version = 1 AND v.action = 'import' AND v.valid_from > $when)) "
        "RETURN v.data AS data ORDER BY v.entity_id LIMIT $limit", after=after, when=when, limit=limit)
    return [json.loads(r["data"]) for r in rows]


def backfill(tx: Tx, organisations: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    """Give records stored before history was kept an ``import`` version as they stand."""
    for entity, records in (("organisation", organisations), ("link", links)):
        keep_versions(tx, entity, ((r["id"], "import", json.dumps(r)) for r in records), "system")
