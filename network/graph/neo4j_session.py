"""The Neo4j store's connection and units of work: the driver, the thread's transaction, reads, writes and pages.

Every write outside a unit of work runs in a transaction function
(``execute_write``), which the driver retries on transient errors; inside
``transaction()`` the store holds one explicit transaction for the thread,
and every read and write of the block runs in it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import ConstraintError, TransientError

from network.errors import Busy, Conflict
from network.graph import neo4j_cypher as cypher
from network.graph import neo4j_history as versions
from network.graph.blocks import ThreadBlocks
from network.graph.neo4j_monitoring import MONITORING_SCHEMA
from network.graph.neo4j_partners import PARTNERS_SCHEMA
from network.graph.neo4j_referrals import REFERRAL_SCHEMA
from network.graph.store import SYSTEM_ACTOR, AuditQuery, LinkQuery, OrganisationQuery, Page
from network.model import vocabulary
from network.translation import translate

__all__ = ["Neo4jSession"]

T = TypeVar("T")


class Neo4jSession(ThreadBlocks):
    """The driver and the thread's unit of work under :class:`network.graph.neo4j.Neo4jStore` (which documents
    the parameters)."""

    def __init__(self, uri: str, *, user: str, password: str, database: str | None = None):
        self.database = database
        self._local = threading.local()
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        self._driver.verify_connectivity()
        self._ensure_schema()

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
            with self._joined():
                yield
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
            *MONITORING_SCHEMA,
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
        clash = translate("The write clashes with a record stored meanwhile: %(error)s", error=err.message)
        raise Conflict(clash) from None
    except TransientError as err:
        raise Busy() from err


def _bump_revision(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> None:
    tx.run("MERGE (m:CssnetMeta {key: 'revision'}) SET m.value = coalesce(m.value, 0) + 1").consume()


