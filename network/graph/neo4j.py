"""Neo4j over Bolt with the official driver: parameterised Cypher only.

Organisations are nodes labelled ``Organisation``; links are relationships
whose type is the link kind in upper case (``MOU``, ``REFERRAL``, ...), with
the link id and fields as properties. Dates are ISO strings, ``external_ids``
a JSON string, so the graph reads as it stands in Neo4j Browser and Bloom.
Tokens are ``ApiToken`` nodes, the audit log ``AuditEntry`` nodes and the
revision counter one ``CssnetMeta`` node. Every write outside a unit of work
runs in a transaction function (``execute_write``), which the driver retries
on transient errors; inside ``transaction()`` the store holds one explicit
transaction for the thread, and every read and write of the block runs in it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j.exceptions import ConstraintError, TransientError

from network.errors import Busy, Conflict, InvalidData, NotFound, StaleWrite
from network.graph import neo4j_history as versions
from network.graph.records import (
    id_key,
    link_from_record,
    moment,
    now,
    organisation_from_record,
    refuse_case_clashes,
    refuse_taken,
    to_record,
)
from network.graph.store import (
    SYSTEM_ACTOR,
    AuditEntry,
    AuditQuery,
    LinkQuery,
    OrganisationQuery,
    Page,
    Token,
    UpsertResult,
    Version,
)
from network.model import Link, Organisation, vocabulary

__all__ = ["Neo4jStore"]

_BATCH = 1000
#: Up to this many link ids are looked up by index; more are matched in one pass over all links.
_LOOKUP_AT_MOST = 20
_PAGE = 5000


def _rel_type(kind: str) -> str:
    """The relationship type of a link kind; only vocabulary codes are accepted."""
    if kind not in vocabulary().link_kinds:
        raise InvalidData(f"Unknown link kind '{kind}'.", {"kind": [f"Unknown link kind '{kind}'."]})
    return kind.upper()


class Neo4jStore:
    """The GraphStore on a Neo4j (or Bolt-speaking) server.

    Parameters
    ----------
    uri : str
        ``neo4j://``, ``neo4j+s://`` or ``bolt://`` address.
    user, password : str
    database : str, optional
        The database to use; the server's default when None.
    """

    def __init__(self, uri: str, *, user: str, password: str, database: str | None = None):
        self.database = database
        self._local = threading.local()
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        self._driver.verify_connectivity()
        self._ensure_schema()

    # plumbing
    @contextmanager
    def transaction(self, *, actor: str = SYSTEM_ACTOR) -> Iterator[None]:
        """A unit of work: one explicit transaction held for this thread until the block ends.

        Blocks opened inside it join it. It commits when the outermost block
        ends without an exception and rolls back otherwise. A transient error
        (a lock or a conflicting commit) ends it with ``Busy``: the caller may
        try the whole change again.
        """
        local = self._local
        if getattr(local, "tx", None) is not None:
            local.depth += 1
            try:
                yield
            finally:
                local.depth -= 1
            return
        with self._driver.session(database=self.database) as session, _server_errors_as_domain_errors():
            tx = session.begin_transaction()
            local.tx, local.depth, local.actor, local.network = tx, 1, actor, False
            try:
                yield
                if local.network:
                    _bump_revision(tx)
                tx.commit()
            except BaseException:
                if not tx.closed():
                    tx.rollback()
                raise
            finally:
                local.tx, local.depth, local.actor, local.network = None, 0, SYSTEM_ACTOR, False

    def _actor(self) -> str:
        return getattr(self._local, "actor", SYSTEM_ACTOR)

    def _read(self, work: Any, *args: Any) -> Any:
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            with _server_errors_as_domain_errors():
                return work(tx, *args)
        with self._driver.session(database=self.database) as session:
            return session.execute_read(work, *args)

    def _write(self, work: Any, *args: Any, network: bool = True) -> Any:
        """Run ``work`` in the thread's unit of work, or else in a write transaction of its own.

        ``network`` writes (organisations, links) bump the revision.
        """
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            with _server_errors_as_domain_errors():
                result = work(tx, *args)
            if network:
                self._local.network = True
            return result

        def bumped(tx: neo4j.ManagedTransaction, *a: Any) -> Any:
            result = work(tx, *a)
            if network:
                _bump_revision(tx)
            return result

        with self._driver.session(database=self.database) as session, _server_errors_as_domain_errors():
            return session.execute_write(bumped, *args)

    def _ensure_schema(self) -> None:
        statements = [
            "CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (o:Organisation) REQUIRE o.id IS UNIQUE",
            "CREATE CONSTRAINT organisation_id_key IF NOT EXISTS FOR (o:Organisation) REQUIRE o.id_key IS UNIQUE",
            "CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE",
            "CREATE CONSTRAINT cssnet_meta_key IF NOT EXISTS FOR (m:CssnetMeta) REQUIRE m.key IS UNIQUE",
            *versions.HISTORY_SCHEMA,
        ] + [
            f"CREATE CONSTRAINT link_id_{kind} IF NOT EXISTS FOR ()-[r:{_rel_type(kind)}]-() REQUIRE r.id IS UNIQUE"
            for kind in vocabulary().link_kinds
        ] + [
            f"CREATE INDEX link_id_key_{kind} IF NOT EXISTS FOR ()-[r:{_rel_type(kind)}]-() ON (r.id_key)"
            for kind in vocabulary().link_kinds
        ]
        with self._driver.session(database=self.database) as session:
            for statement in statements:
                session.run(statement).consume()
            session.execute_write(_upgrade)

    def close(self) -> None:
        self._driver.close()

    def revision(self) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run("MATCH (m:CssnetMeta {key: 'revision'}) RETURN m.value AS value").single()
            return int(record["value"]) if record else 0

        return self._read(work)

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        found = self._read(_fetch_organisations, [org_id])
        if not found:
            raise NotFound(f"No organisation with id '{org_id}'.")
        return found[0]

    def create_organisation(self, organisation: Organisation) -> Organisation:
        stored = _stamped(organisation, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            holder = tx.run("MATCH (o:Organisation {id_key: $key}) RETURN o.id AS id",
                            key=id_key(organisation.id)).single()
            refuse_taken("organisation", organisation.id, holder["id"] if holder else None)
            tx.run("CREATE (o:Organisation) SET o = $props", props=_node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "create")

        self._write(work)
        return stored

    def update_organisation(self, organisation: Organisation, *,
                            expected_version: int | None = None) -> Organisation:
        def work(tx: neo4j.ManagedTransaction) -> Organisation:
            version = _version(tx, "MATCH (o:Organisation {id: $id}) RETURN o.version AS v", organisation.id,
                               "organisation")
            _check_version(version, expected_version, "organisation", organisation.id)
            stored = _stamped(organisation, version + 1)
            tx.run("MATCH (o:Organisation {id: $id}) SET o = $props", id=organisation.id,
                   props=_node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "update")
            return stored

        return self._write(work)

    def delete_organisation(self, org_id: str, *, cascade: bool = False) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run("MATCH (o:Organisation {id: $id}) OPTIONAL MATCH (o)-[r]-() "
                            "RETURN count(r) AS n", id=org_id).single()
            if record is None or not tx.run("MATCH (o:Organisation {id: $id}) RETURN o.id",
                                            id=org_id).single():
                raise NotFound(f"No organisation with id '{org_id}'.")
            attached = int(record["n"])
            if attached and not cascade:
                raise Conflict(
                    f"Organisation '{org_id}' still has {attached} link(s); delete them first or cascade.")
            gone = [r["id"] for r in tx.run("MATCH (o:Organisation {id: $id})-[r]-() RETURN DISTINCT r.id AS id",
                                            id=org_id)]
            tx.run("MATCH (o:Organisation {id: $id}) DETACH DELETE o", id=org_id).consume()
            self._keep_deleted(tx, "link", gone)
            self._keep_deleted(tx, "organisation", [org_id])
            return attached

        return self._write(work)

    def list_organisations(self, query: OrganisationQuery = OrganisationQuery()) -> Page[Organisation]:
        where, params = _organisation_filters(query)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[Organisation]]:
            total = tx.run(f"MATCH (o:Organisation) WHERE {where} RETURN count(o) AS n", params).single()["n"]
            window, window_params = _window(query.limit, query.offset)
            rows = tx.run(f"MATCH (o:Organisation) WHERE {where} RETURN properties(o) AS p "
                          f"ORDER BY o.id {window}", {**params, **window_params})
            return int(total), [_organisation(r["p"]) for r in rows]

        total, items = self._read(work)
        return Page(items, total, query.limit, query.offset)

    # links
    def get_link(self, link_id: str) -> Link:
        found = self._read(_fetch_links, "r.id = $id", {"id": link_id})
        if not found:
            raise NotFound(f"No link with id '{link_id}'.")
        return found[0]

    def create_link(self, link: Link) -> Link:
        stored = _stamped(link, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            refuse_taken("link", link.id, next(iter(_stored_links(tx, [link.id])), None))
            _check_ends(tx, [link], set())
            _create_links(tx, [stored])
            self._keep(tx, "link", [stored], "create")

        self._write(work)
        return stored

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        def work(tx: neo4j.ManagedTransaction) -> Link:
            existing = _fetch_links(tx, "r.id = $id", {"id": link.id})
            if not existing:
                raise NotFound(f"No link with id '{link.id}'.")
            _check_version(existing[0].version, expected_version, "link", link.id)
            _check_ends(tx, [link], set())
            stored = _stamped(link, existing[0].version + 1)
            _delete_links(tx, {link.id: (existing[0].version, existing[0].source)})
            _create_links(tx, [stored])
            self._keep(tx, "link", [stored], "update")
            return stored

        return self._write(work)

    def delete_link(self, link_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            stored = {k: v for k, v in _stored_links(tx, [link_id]).items() if k == link_id}
            if not stored:
                raise NotFound(f"No link with id '{link_id}'.")
            _delete_links(tx, stored)
            self._keep_deleted(tx, "link", [link_id])

        self._write(work)

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        where, params = _link_filters(query)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[Link]]:
            total = tx.run(f"MATCH (a:Organisation)-[r]->(b:Organisation) WHERE {where} RETURN count(r) AS n",
                           params).single()["n"]
            window, window_params = _window(query.limit, query.offset)
            return int(total), _fetch_links(tx, where, {**params, **window_params}, window)

        total, items = self._read(work)
        return Page(items, total, query.limit, query.offset)

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        result = UpsertResult()
        stamp = now()

        def work(tx: neo4j.ManagedTransaction) -> None:
            org_ids = list(dict.fromkeys(o.id for o in organisations))
            link_ids = list(dict.fromkeys(link.id for link in links))
            refuse_case_clashes("organisation", org_ids, _organisation_holders(tx, org_ids))
            old = _stored_links(tx, link_ids)
            refuse_case_clashes("link", link_ids, {id_key(stored_id): stored_id for stored_id in old})
            known = _organisation_versions(tx, org_ids)
            _check_ends(tx, links, set(org_ids))
            stored_orgs = [_restamped(o, known.get(o.id, 0) + 1, stamp) for o in organisations]
            for start in range(0, len(stored_orgs), _BATCH):
                rows = [_node_props(o) for o in stored_orgs[start:start + _BATCH]]
                tx.run("UNWIND $rows AS row MERGE (o:Organisation {id: row.id}) SET o = row",
                       rows=rows).consume()
            result.organisations_updated = len(known)
            result.organisations_created = len(org_ids) - len(known)
            _delete_links(tx, old)
            stored_links = [_restamped(link, old.get(link.id, (0, ""))[0] + 1, stamp) for link in links]
            _create_links(tx, stored_links)
            result.links_updated = len(old)
            result.links_created = len(link_ids) - len(old)
            self._keep(tx, "organisation", stored_orgs, action)
            self._keep(tx, "link", stored_links, action)

        self._write(work)
        return result

    def iter_organisations(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Organisation]:
        if as_of is not None:
            yield from map(organisation_from_record, self._as_of("organisation", moment(as_of)))
            return
        after = ""
        while True:
            def work(tx: neo4j.ManagedTransaction, cursor: str) -> list[Organisation]:
                rows = tx.run("MATCH (o:Organisation) WHERE o.id > $after RETURN properties(o) AS p "
                              "ORDER BY o.id LIMIT $n", after=cursor, n=_PAGE)
                return [_organisation(r["p"]) for r in rows]

            page = self._read(work, after)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def iter_links(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Link]:
        if as_of is not None:
            yield from map(link_from_record, self._as_of("link", moment(as_of)))
            return
        after = ""
        while True:
            page = self._read(_fetch_links, "r.id > $after", {"after": after, "n": _PAGE}, "LIMIT $n")
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def history(self, entity: str, entity_id: str) -> list[Version]:
        return self._read(versions.history, entity, entity_id)

    def _as_of(self, entity: str, at: dt.datetime) -> Iterator[dict[str, Any]]:
        after = ""
        while True:
            page = self._read(versions.records_as_of, entity, at, after, _PAGE)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1]["id"]

    def _keep(self, tx: neo4j.ManagedTransaction, entity: str, records: Sequence[Organisation | Link],
              action: str) -> None:
        versions.keep_versions(tx, entity, ((r.id, action, json.dumps(to_record(r))) for r in records),
                               self._actor())

    def _keep_deleted(self, tx: neo4j.ManagedTransaction, entity: str, ids: Sequence[str]) -> None:
        versions.keep_versions(tx, entity, ((i, "delete", None) for i in ids), self._actor())

    def counts(self) -> dict[str, dict[str, int]]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, dict[str, int]]:
            def tally(cypher: str) -> dict[str, int]:
                return {(r["k"] if r["k"] is not None else "none"): int(r["n"]) for r in tx.run(cypher)}

            return {
                "organisations_by_kind": tally("MATCH (o:Organisation) RETURN o.kind AS k, count(*) AS n"),
                "organisations_by_province": tally(
                    "MATCH (o:Organisation) RETURN o.province AS k, count(*) AS n"),
                "organisations_by_status": tally("MATCH (o:Organisation) RETURN o.status AS k, count(*) AS n"),
                "links_by_kind": tally(
                    "MATCH (:Organisation)-[r]->(:Organisation) RETURN r.kind AS k, count(*) AS n"),
                "links_by_status": tally(
                    "MATCH (:Organisation)-[r]->(:Organisation) RETURN r.status AS k, count(*) AS n"),
            }

        return self._read(work)

    def clear(self) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            links = [r["id"] for r in tx.run("MATCH (:Organisation)-[r]->(:Organisation) RETURN r.id AS id")]
            organisations = [r["id"] for r in tx.run("MATCH (o:Organisation) RETURN o.id AS id")]
            tx.run("MATCH (o:Organisation) DETACH DELETE o").consume()
            self._keep_deleted(tx, "link", links)
            self._keep_deleted(tx, "organisation", organisations)

        self._write(work)

    # tokens and audit
    def add_token(self, token: Token) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run("CREATE (t:ApiToken) SET t = $props",
                   props={"id": token.id, "name": token.name, "role": token.role,
                          "token_hash": token.token_hash, "created_at": token.created_at.isoformat(),
                          "revoked": token.revoked}).consume()

        self._write(work, network=False)

    def find_token(self, token_hash: str) -> Token | None:
        def work(tx: neo4j.ManagedTransaction) -> Token | None:
            record = tx.run("MATCH (t:ApiToken {token_hash: $h}) WHERE t.revoked = false "
                            "RETURN properties(t) AS p", h=token_hash).single()
            return _token(record["p"]) if record else None

        return self._read(work)

    def list_tokens(self) -> list[Token]:
        def work(tx: neo4j.ManagedTransaction) -> list[Token]:
            rows = tx.run("MATCH (t:ApiToken) RETURN properties(t) AS p ORDER BY t.created_at DESC, t.id")
            return [_token(r["p"]) for r in rows]

        return self._read(work)

    def revoke_token(self, token_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            if not tx.run("MATCH (t:ApiToken {id: $id}) SET t.revoked = true RETURN t.id", id=token_id).single():
                raise NotFound(f"No token with id '{token_id}'.")

        self._write(work, network=False)

    def record_audit(self, entry: AuditEntry) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            seq = tx.run("MERGE (m:CssnetMeta {key: 'audit'}) SET m.value = coalesce(m.value, 0) + 1 "
                         "RETURN m.value AS v").single()["v"]
            tx.run("CREATE (e:AuditEntry) SET e = $props",
                   props={"id": int(seq), "at": entry.at.isoformat(), "actor": entry.actor,
                          "action": entry.action, "entity": entry.entity, "entity_id": entry.entity_id,
                          "changes": json.dumps(entry.changes, default=str)}).consume()

        self._write(work, network=False)

    def list_audit(self, query: AuditQuery = AuditQuery()) -> Page[AuditEntry]:
        clauses, params = ["true"], {}
        if query.entity_id is not None:
            clauses.append("e.entity_id = $entity_id")
            params["entity_id"] = query.entity_id
        if query.actor is not None:
            clauses.append("e.actor = $actor")
            params["actor"] = query.actor
        where = " AND ".join(clauses)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[AuditEntry]]:
            total = tx.run(f"MATCH (e:AuditEntry) WHERE {where} RETURN count(e) AS n", params).single()["n"]
            window, window_params = _window(query.limit, query.offset)
            rows = tx.run(f"MATCH (e:AuditEntry) WHERE {where} RETURN properties(e) AS p "
                          f"ORDER BY e.id DESC {window}", {**params, **window_params})
            return int(total), [_audit(r["p"]) for r in rows]

        total, items = self._read(work)
        return Page(items, total, query.limit, query.offset)


@contextmanager
def _server_errors_as_domain_errors() -> Iterator[None]:
    """A clash with a uniqueness constraint is a ``Conflict``; a transient error that persists is ``Busy``."""
    try:
        yield
    except ConstraintError as err:
        raise Conflict(f"The write clashes with a record stored meanwhile: {err.message}") from None
    except TransientError as err:
        raise Busy() from err


def _bump_revision(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> None:
    tx.run("MERGE (m:CssnetMeta {key: 'revision'}) SET m.value = coalesce(m.value, 0) + 1").consume()


# records <-> properties
def _search_words(org: Organisation) -> list[str]:
    text = " ".join([org.name, *org.aliases])
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return sorted(set("".join(c if c.isalnum() else " " for c in plain).split()))


def _node_props(org: Organisation) -> dict[str, Any]:
    props = {k: v for k, v in to_record(org).items() if v is not None}
    props["external_ids"] = json.dumps(org.external_ids, sort_keys=True)
    props["updated_at"] = org.updated_at.isoformat()
    props["search_words"] = _search_words(org)
    props["id_key"] = id_key(org.id)
    return props


def _rel_props(link: Link) -> dict[str, Any]:
    props = {k: v for k, v in to_record(link).items() if v is not None and k not in ("source", "target")}
    props["updated_at"] = link.updated_at.isoformat()
    props["id_key"] = id_key(link.id)
    return props


def _organisation(props: dict[str, Any]) -> Organisation:
    record = dict(props)
    record.pop("search_words", None)
    record.pop("id_key", None)
    record["external_ids"] = json.loads(record.get("external_ids") or "{}")
    return organisation_from_record(record)


def _token(p: dict[str, Any]) -> Token:
    return Token(id=p["id"], name=p["name"], role=p["role"], token_hash=p["token_hash"],
                 created_at=dt.datetime.fromisoformat(p["created_at"]), revoked=bool(p["revoked"]))


def _audit(p: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=dt.datetime.fromisoformat(p["at"]), actor=p["actor"], action=p["action"],
                      entity=p["entity"], entity_id=p["entity_id"], changes=json.loads(p["changes"]),
                      id=int(p["id"]))


def _stamped(item: Any, version: int) -> Any:
    return _restamped(item, version, now())


def _restamped(item: Any, version: int, stamp: dt.datetime) -> Any:
    item = type(item)(**item.to_dict())
    item.version = version
    item.updated_at = stamp
    return item


# transaction functions
def _fetch_organisations(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[Organisation]:
    rows = tx.run("MATCH (o:Organisation) WHERE o.id IN $ids RETURN properties(o) AS p ORDER BY o.id", ids=ids)
    return [_organisation(r["p"]) for r in rows]


def _fetch_links(tx: neo4j.ManagedTransaction, where: str, params: dict[str, Any], window: str = "") -> list[Link]:
    rows = tx.run(f"MATCH (a:Organisation)-[r]->(b:Organisation) WHERE {where} "
                  f"RETURN a.id AS source, b.id AS target, properties(r) AS p ORDER BY r.id {window}", params)
    return [link_from_record({**r["p"], "source": r["source"], "target": r["target"]}) for r in rows]


def _version(tx: neo4j.ManagedTransaction, cypher: str, record_id: str, noun: str) -> int:
    record = tx.run(cypher, id=record_id).single()
    if record is None:
        raise NotFound(f"No {noun} with id '{record_id}'.")
    return int(record["v"])


def _check_version(current: int, expected: int | None, noun: str, record_id: str) -> None:
    if expected is not None and expected != current:
        raise StaleWrite(f"The {noun} '{record_id}' changed since it was read (version {expected}, "
                         f"now {current}); reload it and apply the change again.")


def _organisation_versions(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(ids), _BATCH):
        rows = tx.run("UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN o.id AS id, o.version AS v",
                      ids=ids[start:start + _BATCH])
        found.update((r["id"], int(r["v"])) for r in rows)
    return found


def _organisation_holders(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, str]:
    """The stored organisation ids equal to any of ``ids`` regardless of case, by their key."""
    keys = list(dict.fromkeys(map(id_key, ids)))
    found: dict[str, str] = {}
    for start in range(0, len(keys), _BATCH):
        rows = tx.run("UNWIND $keys AS k MATCH (o:Organisation {id_key: k}) RETURN k, o.id AS id",
                      keys=keys[start:start + _BATCH])
        found.update((r["k"], r["id"]) for r in rows)
    return found


def _stored_links(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, tuple[int, str]]:
    """The version and source organisation of each stored link whose id equals one of ``ids`` regardless of case.

    Keyed by the stored id. A few ids are looked up through each
    relationship type's ``id_key`` index. Many are matched in one pass over
    all links instead: a server without relationship indexes (ArcadeDB) scans
    the graph once per looked-up id, which makes a bulk import quadratic.
    """
    wanted = {id_key(i) for i in ids}
    if not wanted:
        return {}
    if len(wanted) > _LOOKUP_AT_MOST:
        rows = tx.run("MATCH (a:Organisation)-[r]->(:Organisation) RETURN r.id AS id, r.version AS v, a.id AS source")
        return {r["id"]: (int(r["v"]), r["source"]) for r in rows if id_key(r["id"]) in wanted}
    found: dict[str, tuple[int, str]] = {}
    for kind in vocabulary().link_kinds:
        rows = tx.run(f"UNWIND $keys AS k MATCH (a)-[r:{_rel_type(kind)} {{id_key: k}}]->() "
                      "RETURN r.id AS id, r.version AS v, a.id AS source", keys=sorted(wanted))
        found.update((r["id"], (int(r["v"]), r["source"])) for r in rows)
    return found


def _upgrade(tx: neo4j.ManagedTransaction) -> None:
    """Create the counters (so that concurrent first writes do not race to) and, once, bring a graph
    written by an earlier cssnet up to date: id keys and first versions."""
    for key in ("revision", "audit"):
        tx.run("MERGE (m:CssnetMeta {key: $key}) ON CREATE SET m.value = 0", key=key).consume()
    if tx.run("MATCH (m:CssnetMeta {key: 'history'}) RETURN m.value AS v").single():
        return
    tx.run("MATCH (o:Organisation) WHERE o.id_key IS NULL SET o.id_key = toLower(o.id)").consume()
    tx.run("MATCH (:Organisation)-[r]->(:Organisation) WHERE r.id_key IS NULL SET r.id_key = toLower(r.id)").consume()
    kept = {entity: {r["id"] for r in tx.run(f"MATCH (v:{label}) RETURN DISTINCT v.entity_id AS id")}
            for entity, label in versions.LABELS.items()}
    organisations = [to_record(o) for o in map(_organisation, (r["p"] for r in tx.run(
        "MATCH (o:Organisation) RETURN properties(o) AS p"))) if o.id not in kept["organisation"]]
    links = [to_record(x) for x in _fetch_links(tx, "true", {}) if x.id not in kept["link"]]
    versions.backfill(tx, organisations, links)
    tx.run("MERGE (m:CssnetMeta {key: 'history'}) SET m.value = 1").consume()


def _delete_links(tx: neo4j.ManagedTransaction, stored: dict[str, tuple[int, str]]) -> None:
    """Delete the links in ``stored`` (as :func:`_stored_links` returns them), each found from its source."""
    rows = [{"id": link_id, "source": source} for link_id, (_, source) in stored.items()]
    for start in range(0, len(rows), _BATCH):
        tx.run("UNWIND $rows AS row MATCH (:Organisation {id: row.source})-[r]->() WHERE r.id = row.id DELETE r",
               rows=rows[start:start + _BATCH]).consume()


def _create_links(tx: neo4j.ManagedTransaction, links: Sequence[Link]) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        by_kind[link.kind].append({"source": link.source, "target": link.target, "props": _rel_props(link)})
    for kind, rows in by_kind.items():
        for start in range(0, len(rows), _BATCH):
            tx.run(f"UNWIND $rows AS row MATCH (a:Organisation {{id: row.source}}) "
                   f"MATCH (b:Organisation {{id: row.target}}) "
                   f"CREATE (a)-[r:{_rel_type(kind)}]->(b) SET r = row.props",
                   rows=rows[start:start + _BATCH]).consume()


def _check_ends(tx: neo4j.ManagedTransaction, links: Sequence[Link], incoming: set[str]) -> None:
    errors: dict[str, list[str]] = {}
    for link in links:
        if link.source == link.target:
            errors.setdefault(link.id, []).append(f"source and target are both '{link.source}'.")
    ends = sorted({e for link in links for e in (link.source, link.target)} - incoming)
    existing: set[str] = set()
    for start in range(0, len(ends), _BATCH):
        rows = tx.run("UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN o.id AS id",
                      ids=ends[start:start + _BATCH])
        existing.update(r["id"] for r in rows)
    for link in links:
        for end in ("source", "target"):
            value = getattr(link, end)
            if value not in incoming and value not in existing:
                errors.setdefault(link.id, []).append(f"{end} '{value}' is not a known organisation.")
    if errors:
        first = next(iter(errors.items()))
        raise InvalidData(f"Link '{first[0]}': {first[1][0]}", errors)


# query building: values always go in parameters, never in the text
def _window(limit: int | None, offset: int) -> tuple[str, dict[str, Any]]:
    if limit is None:
        return ("SKIP $offset", {"offset": offset}) if offset else ("", {})
    return "SKIP $offset LIMIT $limit", {"offset": offset, "limit": limit}


def _organisation_filters(query: OrganisationQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    for name in ("kind", "province", "district", "status", "sensitive"):
        value = getattr(query, name)
        if value is not None:
            clauses.append(f"o.{name} = ${name}")
            params[name] = value
    if query.service is not None:
        clauses.append("$service IN o.services")
        params["service"] = query.service
    if query.population is not None:
        # serves: names the population, or names none (general population)
        clauses.append("($population IN o.populations OR size(coalesce(o.populations, [])) = 0)")
        params["population"] = query.population
    if query.ids is not None:
        clauses.append("o.id IN $ids")
        params["ids"] = list(query.ids)
    words = _search_words(Organisation("-", query.q or "", "other"))
    if words:
        clauses.append("ALL(w IN $words WHERE ANY(t IN o.search_words WHERE t STARTS WITH w))")
        params["words"] = words
    return " AND ".join(clauses), params


def _link_filters(query: LinkQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    for name in ("kind", "status"):
        value = getattr(query, name)
        if value is not None:
            clauses.append(f"r.{name} = ${name}")
            params[name] = value
    if query.source is not None:
        clauses.append("a.id = $source")
        params["source"] = query.source
    if query.target is not None:
        clauses.append("b.id = $target")
        params["target"] = query.target
    if query.organisation is not None:
        clauses.append("(a.id = $organisation OR b.id = $organisation)")
        params["organisation"] = query.organisation
    if query.service is not None:
        clauses.append("$service IN r.services")
        params["service"] = query.service
    return " AND ".join(clauses), params
