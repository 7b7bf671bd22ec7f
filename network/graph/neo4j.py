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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import ConstraintError, TransientError

from network.errors import Busy, Conflict, NotFound
from network.graph import neo4j_cypher as cypher
from network.graph import neo4j_history as versions
from network.graph.neo4j_partners import PARTNERS_SCHEMA, Neo4jPartners
from network.graph.neo4j_referrals import REFERRAL_SCHEMA, Neo4jReferrals
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

_PAGE = 5000

T = TypeVar("T")


class Neo4jStore(Neo4jPartners, Neo4jReferrals):
    """The GraphStore (and ReferralStore) on a Neo4j (or Bolt-speaking) server.

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
        rel_types = [(kind, cypher.rel_type(kind)) for kind in vocabulary().link_kinds]
        statements = [
            "CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (o:Organisation) REQUIRE o.id IS UNIQUE",
            "CREATE CONSTRAINT organisation_id_key IF NOT EXISTS FOR (o:Organisation) REQUIRE o.id_key IS UNIQUE",
            "CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE",
            "CREATE CONSTRAINT cssnet_meta_key IF NOT EXISTS FOR (m:CssnetMeta) REQUIRE m.key IS UNIQUE",
            *versions.HISTORY_SCHEMA,
            *PARTNERS_SCHEMA,
            *REFERRAL_SCHEMA,
        ] + [
            f"CREATE CONSTRAINT link_id_{kind} IF NOT EXISTS FOR ()-[r:{rel}]-() REQUIRE r.id IS UNIQUE"
            for kind, rel in rel_types
        ] + [
            f"CREATE INDEX link_id_key_{kind} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.id_key)"
            for kind, rel in rel_types
        ]
        with self._driver.session(database=self.database) as session:
            for statement in statements:
                session.run(statement).consume()
            session.execute_write(cypher.upgrade)

    def close(self) -> None:
        self._driver.close()

    def revision(self) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run("MATCH (m:CssnetMeta {key: 'revision'}) RETURN m.value AS value").single()
            return int(record["value"]) if record else 0

        return self._read(work)

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        found = self._read(cypher.fetch_organisations, [org_id])
        if not found:
            raise NotFound(f"No organisation with id '{org_id}'.")
        return found[0]

    def create_organisation(self, organisation: Organisation) -> Organisation:
        stored = cypher.stamped(organisation, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            holder = tx.run("MATCH (o:Organisation {id_key: $key}) RETURN o.id AS id",
                            key=id_key(organisation.id)).single()
            refuse_taken("organisation", organisation.id, holder["id"] if holder else None)
            tx.run("CREATE (o:Organisation) SET o = $props", props=cypher.node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "create")

        self._write(work)
        return stored

    def update_organisation(self, organisation: Organisation, *,
                            expected_version: int | None = None) -> Organisation:
        def work(tx: neo4j.ManagedTransaction) -> Organisation:
            version = cypher.version(tx, cypher.LOCK_ORGANISATION, organisation.id, "organisation")
            cypher.check_version(version, expected_version, "organisation", organisation.id)
            stored = cypher.stamped(organisation, version + 1)
            tx.run("MATCH (o:Organisation {id: $id}) SET o = $props", id=organisation.id,
                   props=cypher.node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "update")
            return stored

        return self._write(work)

    def delete_organisation(self, org_id: str, *, cascade: bool = False, expected_version: int | None = None) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            version = cypher.version(tx, cypher.LOCK_ORGANISATION, org_id, "organisation")
            cypher.check_version(version, expected_version, "organisation", org_id)
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
        where, params = cypher.organisation_filters(query)
        return self._page(query, "(o:Organisation)", "o", "properties(o) AS p", "o.id", where, params,
                          lambda r: cypher.organisation(r["p"]))

    # links
    def get_link(self, link_id: str) -> Link:
        found = self._read(cypher.fetch_links, "r.id = $id", {"id": link_id})
        if not found:
            raise NotFound(f"No link with id '{link_id}'.")
        return found[0]

    def create_link(self, link: Link) -> Link:
        stored = cypher.stamped(link, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            refuse_taken("link", link.id, next(iter(cypher.stored_links(tx, [link.id])), None))
            cypher.check_ends(tx, [link], set())
            cypher.create_links(tx, [stored])
            self._keep(tx, "link", [stored], "create")

        self._write(work)
        return stored

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        def work(tx: neo4j.ManagedTransaction) -> Link:
            existing = cypher.fetch_links(tx, "r.id = $id", {"id": link.id})
            if not existing:
                raise NotFound(f"No link with id '{link.id}'.")
            cypher.check_version(existing[0].version, expected_version, "link", link.id)
            cypher.check_ends(tx, [link], set())
            stored = cypher.stamped(link, existing[0].version + 1)
            cypher.delete_links(tx, {link.id: (existing[0].version, existing[0].source)})
            cypher.create_links(tx, [stored])
            self._keep(tx, "link", [stored], "update")
            return stored

        return self._write(work)

    def delete_link(self, link_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            stored = {k: v for k, v in cypher.stored_links(tx, [link_id]).items() if k == link_id}
            if not stored:
                raise NotFound(f"No link with id '{link_id}'.")
            cypher.delete_links(tx, stored)
            self._keep_deleted(tx, "link", [link_id])

        self._write(work)

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        where, params = cypher.link_filters(query)
        return self._page(query, "(a:Organisation)-[r]->(b:Organisation)", "r",
                          "a.id AS source, b.id AS target, properties(r) AS p", "r.id", where, params,
                          lambda r: link_from_record({**r["p"], "source": r["source"], "target": r["target"]}))

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        result = UpsertResult()
        stamp = now()

        def work(tx: neo4j.ManagedTransaction) -> None:
            org_ids = list(dict.fromkeys(o.id for o in organisations))
            link_ids = list(dict.fromkeys(link.id for link in links))
            refuse_case_clashes("organisation", org_ids, cypher.organisation_holders(tx, org_ids))
            old = cypher.stored_links(tx, link_ids)
            refuse_case_clashes("link", link_ids, {id_key(stored_id): stored_id for stored_id in old})
            known = cypher.organisation_versions(tx, org_ids)
            cypher.check_ends(tx, links, set(org_ids))
            stored_orgs = [cypher.restamped(o, known.get(o.id, 0) + 1, stamp) for o in organisations]
            for start in range(0, len(stored_orgs), cypher.BATCH):
                rows = [cypher.node_props(o) for o in stored_orgs[start:start + cypher.BATCH]]
                tx.run("UNWIND $rows AS row MERGE (o:Organisation {id: row.id}) SET o = row",
                       rows=rows).consume()
            result.organisations_updated = len(known)
            result.organisations_created = len(org_ids) - len(known)
            cypher.delete_links(tx, old)
            stored_links = [cypher.restamped(link, old.get(link.id, (0, ""))[0] + 1, stamp) for link in links]
            cypher.create_links(tx, stored_links)
            result.links_updated = len(old)
            result.links_created = len(link_ids) - len(old)
            for entity, records, existing in (("organisation", stored_orgs, known), ("link", stored_links, old)):
                self._keep(tx, entity, [r for r in records if r.id not in existing], action)
                self._keep(tx, entity, [r for r in records if r.id in existing], "update")

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
                return [cypher.organisation(r["p"]) for r in rows]

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
            page = self._read(cypher.fetch_links, "r.id > $after", {"after": after, "n": _PAGE}, "LIMIT $n")
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
                          "revoked": token.revoked, "organisation": token.organisation}).consume()

        self._write(work, network=False)

    def find_token(self, token_hash: str) -> Token | None:
        def work(tx: neo4j.ManagedTransaction) -> Token | None:
            record = tx.run("MATCH (t:ApiToken {token_hash: $h}) WHERE t.revoked = false "
                            "RETURN properties(t) AS p", h=token_hash).single()
            return cypher.token(record["p"]) if record else None

        return self._read(work)

    def list_tokens(self) -> list[Token]:
        def work(tx: neo4j.ManagedTransaction) -> list[Token]:
            rows = tx.run("MATCH (t:ApiToken) RETURN properties(t) AS p ORDER BY t.created_at DESC, t.id")
            return [cypher.token(r["p"]) for r in rows]

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
        where, params = cypher.audit_filters(query)
        return self._page(query, "(e:AuditEntry)", "e", "properties(e) AS p", "e.id DESC", where, params,
                          lambda r: cypher.audit(r["p"]))

    def _page(self, query: OrganisationQuery | LinkQuery | AuditQuery, pattern: str, counted: str, returns: str,
              order: str, where: str, params: dict[str, Any], convert: Callable[[Any], T]) -> Page[T]:
        """One page of what ``pattern`` matches ``where``, ``order``-ed, with the count of all of it, in one read."""

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[T]]:
            match = f"MATCH {pattern} WHERE {where} RETURN"
            total = tx.run(f"{match} count({counted}) AS n", params).single()["n"]
            window, window_params = cypher.window(query.limit, query.offset)
            rows = tx.run(f"{match} {returns} ORDER BY {order} {window}", {**params, **window_params})
            return int(total), [convert(r) for r in rows]

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


