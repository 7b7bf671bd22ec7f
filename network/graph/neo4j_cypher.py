"""The Neo4j store's property codecs, transaction functions and query building.

Values always go in parameters, never in the Cypher text; relationship types
come only from the link-kind vocabulary.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import neo4j

from network.errors import InvalidData, NotFound, missing
from network.graph import neo4j_history as versions
from network.graph.records import id_key, link_from_record, now, organisation_from_record, stale, to_record
from network.graph.store import AuditEntry, AuditQuery, LinkQuery, OrganisationQuery, Token
from network.model import Link, Organisation, vocabulary
from network.schemas import UNKNOWN_END
from network.translation import translate

BATCH = 1000
#: Up to this many link ids are looked up by index; more are matched in one pass over all links.
LOOKUP_AT_MOST = 20


def rel_type(kind: str) -> str:
    """The relationship type of a link kind; only vocabulary codes are accepted."""
    if kind not in vocabulary().link_kinds:
        unknown = translate("Unknown link kind '%(kind)s'.", kind=kind)
        raise InvalidData(unknown, {"kind": [unknown]})
    return kind.upper()


# records <-> properties
def search_words(org: Organisation) -> list[str]:
    text = " ".join([org.name, *org.aliases])
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return sorted(set("".join(c if c.isalnum() else " " for c in plain).split()))


def node_props(org: Organisation) -> dict[str, Any]:
    props = {k: v for k, v in to_record(org).items() if v is not None}
    props["external_ids"] = json.dumps(org.external_ids, sort_keys=True)
    props["updated_at"] = org.updated_at.isoformat()
    props["search_words"] = search_words(org)
    props["id_key"] = id_key(org.id)
    return props


def rel_props(link: Link) -> dict[str, Any]:
    props = {k: v for k, v in to_record(link).items() if v is not None and k not in ("source", "target")}
    props["updated_at"] = link.updated_at.isoformat()
    props["id_key"] = id_key(link.id)
    return props


def organisation(props: dict[str, Any]) -> Organisation:
    record = dict(props)
    record.pop("search_words", None)
    record.pop("id_key", None)
    record["external_ids"] = json.loads(record.get("external_ids") or "{}")
    return organisation_from_record(record)


def token(p: dict[str, Any]) -> Token:
    return Token(id=p["id"], name=p["name"], role=p["role"], token_hash=p["token_hash"],
                 created_at=dt.datetime.fromisoformat(p["created_at"]), revoked=bool(p["revoked"]),
                 organisation=p.get("organisation"))


def audit(p: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=dt.datetime.fromisoformat(p["at"]), actor=p["actor"], action=p["action"],
                      entity=p["entity"], entity_id=p["entity_id"], changes=json.loads(p["changes"]),
                      id=int(p["id"]))


def stamped(item: Any, version: int) -> Any:
    return restamped(item, version, now())


def restamped(item: Any, version: int, stamp: dt.datetime) -> Any:
    item = type(item)(**item.to_dict())
    item.version = version
    item.updated_at = stamp
    return item


# transaction functions
def fetch_organisations(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[Organisation]:
    rows = tx.run("MATCH (o:Organisation) WHERE o.id IN $ids RETURN properties(o) AS p ORDER BY o.id", ids=ids)
    return [organisation(r["p"]) for r in rows]


def fetch_links(tx: neo4j.ManagedTransaction, where: str, params: dict[str, Any], window: str = "") -> list[Link]:
    rows = tx.run(f"MATCH (a:Organisation)-[r]->(b:Organisation) WHERE {where} "
                  f"RETURN a.id AS source, b.id AS target, properties(r) AS p ORDER BY r.id {window}", params)
    return [link_from_record({**r["p"], "source": r["source"], "target": r["target"]}) for r in rows]


#: An organisation's version, read under its write lock (a write to the node takes it until the transaction ends;
#: ArcadeDB reports a concurrent writer as a conflict): a version check then stands until commit.
LOCK_ORGANISATION = "MATCH (o:Organisation {id: $id}) SET o.version = o.version RETURN o.version AS v"


def version(tx: neo4j.ManagedTransaction, cypher: str, record_id: str, noun: str) -> int:
    record = tx.run(cypher, id=record_id).single()
    if record is None:
        raise missing(noun, record_id)
    return int(record["v"])


#: The write lock of single-link updates and deletes: a real change to one counter node, taken before the link is
#: read. Neo4j holds the node's lock until commit; ArcadeDB, which commits optimistically, refuses the second of
#: two overlapping transactions that changed it (``Busy``), so each reads what the other committed or is refused.
LOCK_LINKS = "MERGE (m:CssnetMeta {key: 'links'}) SET m.value = coalesce(m.value, 0) + 1"


def locked_link(tx: neo4j.ManagedTransaction, link_id: str) -> tuple[int, str]:
    """The version and source organisation of the link ``link_id``, read under the link write lock.

    An update deletes and recreates the relationship, so the relationship
    cannot hold the lock; ``update_link`` and ``delete_link`` both take
    ``LOCK_LINKS`` first: a version check then stands until commit.
    """
    tx.run(LOCK_LINKS).consume()
    found = stored_links(tx, [link_id]).get(link_id)
    if found is None:
        raise NotFound(translate("No link with id '%(id)s'.", id=link_id))
    return found


def check_version(current: int, expected: int | None, noun: str, record_id: str) -> None:
    if expected is not None and expected != current:
        raise stale(noun, record_id, expected, current)


def organisation_versions(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(ids), BATCH):
        rows = tx.run("UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN o.id AS id, o.version AS v",
                      ids=ids[start:start + BATCH])
        found.update((r["id"], int(r["v"])) for r in rows)
    return found


def organisation_holders(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, str]:
    """The stored organisation ids equal to any of ``ids`` regardless of case, by their key."""
    keys = list(dict.fromkeys(map(id_key, ids)))
    found: dict[str, str] = {}
    for start in range(0, len(keys), BATCH):
        rows = tx.run("UNWIND $keys AS k MATCH (o:Organisation {id_key: k}) RETURN k, o.id AS id",
                      keys=keys[start:start + BATCH])
        found.update((r["k"], r["id"]) for r in rows)
    return found


def stored_links(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, tuple[int, str]]:
    """The version and source organisation of each stored link whose id equals one of ``ids`` regardless of case.

    Keyed by the stored id. A few ids are looked up through each
    relationship type's ``id_key`` index. Many are matched in one pass over
    all links instead: a server without relationship indexes (ArcadeDB) scans
    the graph once per looked-up id, which makes a bulk import quadratic.
    """
    wanted = {id_key(i) for i in ids}
    if not wanted:
        return {}
    if len(wanted) > LOOKUP_AT_MOST:
        rows = tx.run("MATCH (a:Organisation)-[r]->(:Organisation) RETURN r.id AS id, r.version AS v, a.id AS source")
        return {r["id"]: (int(r["v"]), r["source"]) for r in rows if id_key(r["id"]) in wanted}
    found: dict[str, tuple[int, str]] = {}
    for kind in vocabulary().link_kinds:
        rows = tx.run(f"UNWIND $keys AS k MATCH (a)-[r:{rel_type(kind)} {{id_key: k}}]->() "
                      "RETURN r.id AS id, r.version AS v, a.id AS source", keys=sorted(wanted))
        found.update((r["id"], (int(r["v"]), r["source"])) for r in rows)
    return found


def upgrade(tx: neo4j.ManagedTransaction) -> None:
    """Create the counters (so that concurrent first writes do not race to) and, once, bring a graph
    written by an earlier cssnet up to date: id keys and first versions."""
    for key in ("revision", "audit", "links"):
        tx.run("MERGE (m:CssnetMeta {key: $key}) ON CREATE SET m.value = 0", key=key).consume()
    # Versions written from now on name their revision (network.graph.neo4j_history.changes).
    tx.run("MATCH (r:CssnetMeta {key: 'revision'}) MERGE (m:CssnetMeta {key: 'changes_from'}) "
           "ON CREATE SET m.value = r.value").consume()
    if tx.run("MATCH (m:CssnetMeta {key: 'history'}) RETURN m.value AS v").single():
        return
    tx.run("MATCH (o:Organisation) WHERE o.id_key IS NULL SET o.id_key = toLower(o.id)").consume()
    tx.run("MATCH (:Organisation)-[r]->(:Organisation) WHERE r.id_key IS NULL SET r.id_key = toLower(r.id)").consume()
    kept = {entity: {r["id"] for r in tx.run(f"MATCH (v:{label}) RETURN DISTINCT v.entity_id AS id")}
            for entity, label in versions.LABELS.items()}
    organisations = [to_record(o) for o in map(organisation, (r["p"] for r in tx.run(
        "MATCH (o:Organisation) RETURN properties(o) AS p"))) if o.id not in kept["organisation"]]
    links = [to_record(x) for x in fetch_links(tx, "true", {}) if x.id not in kept["link"]]
    versions.backfill(tx, organisations, links)
    tx.run("MERGE (m:CssnetMeta {key: 'history'}) SET m.value = 1").consume()


def delete_links(tx: neo4j.ManagedTransaction, stored: dict[str, tuple[int, str]]) -> None:
    """Delete the links in ``stored`` (as :func:`stored_links` returns them), each found from its source."""
    rows = [{"id": link_id, "source": source} for link_id, (_, source) in stored.items()]
    for start in range(0, len(rows), BATCH):
        tx.run("UNWIND $rows AS row MATCH (:Organisation {id: row.source})-[r]->() WHERE r.id = row.id DELETE r",
               rows=rows[start:start + BATCH]).consume()


def create_links(tx: neo4j.ManagedTransaction, links: Sequence[Link]) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        by_kind[link.kind].append({"source": link.source, "target": link.target, "props": rel_props(link)})
    for kind, rows in by_kind.items():
        for start in range(0, len(rows), BATCH):
            tx.run(f"UNWIND $rows AS row MATCH (a:Organisation {{id: row.source}}) "
                   f"MATCH (b:Organisation {{id: row.target}}) "
                   f"CREATE (a)-[r:{rel_type(kind)}]->(b) SET r = row.props",
                   rows=rows[start:start + BATCH]).consume()


def check_ends(tx: neo4j.ManagedTransaction, links: Sequence[Link], incoming: set[str]) -> None:
    errors: dict[str, list[str]] = {}
    for link in links:
        if link.source == link.target:
            errors.setdefault(link.id, []).append(translate("source and target are both '%(id)s'.",
                                                                  id=link.source))
    ends = sorted({e for link in links for e in (link.source, link.target)} - incoming)
    existing: set[str] = set()
    for start in range(0, len(ends), BATCH):
        rows = tx.run("UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN o.id AS id",
                      ids=ends[start:start + BATCH])
        existing.update(r["id"] for r in rows)
    for link in links:
        for end in ("source", "target"):
            value = getattr(link, end)
            if value not in incoming and value not in existing:
                errors.setdefault(link.id, []).append(translate(UNKNOWN_END[end], id=value))
    if errors:
        first = next(iter(errors.items()))
        raise InvalidData(translate("Link '%(id)s': %(problem)s", id=first[0], problem=first[1][0]), errors)


# query building: values always go in parameters, never in the text
def window(limit: int | None, offset: int) -> tuple[str, dict[str, Any]]:
    if limit is None:
        return ("SKIP $offset", {"offset": offset}) if offset else ("", {})
    return "SKIP $offset LIMIT $limit", {"offset": offset, "limit": limit}


#: The clause each field of a query adds when it is set (its value goes in the parameter of the same name).
_ORGANISATION_CLAUSES = {
    **{name: f"o.{name} = ${name}" for name in ("kind", "province", "district", "status", "sensitive")},
    "service": "$service IN o.services",
    "country": "coalesce(o.country, 'ZA') = $country",
    "intervention_area": "$intervention_area IN coalesce(o.intervention_areas, [])",
    # serves: names the population, or names none (general population)
    "population": "($population IN o.populations OR size(coalesce(o.populations, [])) = 0)",
    # never verified, or last verified before the day (ISO dates sort as days do)
    "verified_before": "coalesce(o.last_verified, '') < $verified_before",
}
_LINK_CLAUSES = {
    "kind": "r.kind = $kind", "status": "r.status = $status", "source": "a.id = $source", "target": "b.id = $target",
    "organisation": "(a.id = $organisation OR b.id = $organisation)", "service": "$service IN r.services",
    "verified_before": "coalesce(r.last_verified, '') < $verified_before",
}
_AUDIT_CLAUSES = {"entity_id": "e.entity_id = $entity_id", "actor": "e.actor = $actor"}


def organisation_filters(query: OrganisationQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = _set_fields(query, _ORGANISATION_CLAUSES)
    _as_text(params)
    if query.ids is not None:
        clauses.append("o.id IN $ids")
        params["ids"] = list(query.ids)
    words = search_words(Organisation("-", query.q or "", "other"))
    if words:
        clauses.append("ALL(w IN $words WHERE ANY(t IN o.search_words WHERE t STARTS WITH w))")
        params["words"] = words
    return " AND ".join(clauses), params


def link_filters(query: LinkQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = _set_fields(query, _LINK_CLAUSES)
    _as_text(params)
    return " AND ".join(clauses), params


def _as_text(params: dict[str, Any]) -> None:
    """Days go to the server as the ISO text the records hold."""
    if params.get("verified_before") is not None:
        params["verified_before"] = params["verified_before"].isoformat()


def audit_filters(query: AuditQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = _set_fields(query, _AUDIT_CLAUSES)
    return " AND ".join(clauses), params


def _set_fields(query: Any, clauses_by_field: dict[str, str]) -> tuple[list[str], dict[str, Any]]:
    """The clause of each field the query sets (in the table's order), with its value as the parameter."""
    clauses, params = ["true"], {}
    for name, clause in clauses_by_field.items():
        value = getattr(query, name)
        if value is not None:
            clauses.append(clause)
            params[name] = value
    return clauses, params
