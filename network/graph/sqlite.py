"""The embedded default store: one SQLite file (WAL, foreign keys, FTS5 search)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

from network.errors import Busy, Conflict, missing
from network.graph import sqlite_sql as sql
from network.graph.blocks import ThreadBlocks
from network.graph.records import (
    id_key,
    link_from_record,
    moment,
    organisation_from_record,
    refuse_taken,
)
from network.graph.sqlite_bulk import bulk_upsert
from network.graph.sqlite_history import changes, history, keep_versions, records_as_of
from network.graph.sqlite_monitoring import MonitoringTables
from network.graph.sqlite_partners import SQLitePartners
from network.graph.sqlite_projection import compiled_graph, projection_rows
from network.graph.sqlite_referrals import SQLiteReferrals
from network.graph.sqlite_sql import MIGRATIONS
from network.graph.sqlite_tokens import SQLiteTokens
from network.graph.store import (
    SYSTEM_ACTOR,
    AuditQuery,
    Changes,
    LinkQuery,
    OrganisationQuery,
    Page,
    UpsertResult,
    Version,
)
from network.model import Link, Organisation
from network.translation import ntranslate

__all__ = ["SQLiteStore", "MIGRATIONS"]

T = TypeVar("T")


class SQLiteStore(SQLitePartners, SQLiteReferrals, MonitoringTables, SQLiteTokens, ThreadBlocks):
    """The GraphStore (and ReferralStore) on one SQLite file; safe to share between threads.

    Each thread gets its own connection; writes take the write lock up front
    (``BEGIN IMMEDIATE``) and wait up to ``busy_timeout`` seconds for it.

    >>> import tempfile, os
    >>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "demo.db"))
    >>> store.create_organisation(Organisation("a", "Alpha CBO", "cbo")).version
    1
    >>> store.close()
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0):
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._migrate()

    # connections and transactions
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self, *, actor: str = SYSTEM_ACTOR) -> Iterator[None]:
        """A unit of work on this thread's connection: ``BEGIN IMMEDIATE`` at the outermost block.

        Blocks opened inside it join it; the writes commit together when the
        outermost block ends without an exception, or none does. ``Busy`` when
        the write lock cannot be had within ``busy_timeout``.
        """
        local = self._local
        if getattr(local, "depth", 0):
            with self._joined():
                yield
            return
        conn = self._conn()
        with _busy_as_domain_error():
            conn.execute("BEGIN IMMEDIATE")
        local.depth, local.actor, local.network = 1, actor, False
        try:
            yield
            with _busy_as_domain_error():
                if local.network:
                    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            local.depth, local.actor, local.network = 0, SYSTEM_ACTOR, False

    @contextmanager
    def _write(self, *, network: bool = True) -> Iterator[sqlite3.Connection]:
        """One store write, atomic on its own inside the enclosing (or its own) transaction.

        ``network`` writes (organisations, links) bump the revision at commit.
        """
        with self.transaction():
            conn = self._conn()
            conn.execute("SAVEPOINT cssnet_write")
            try:
                with _busy_as_domain_error():
                    yield conn
            except BaseException:
                conn.execute("ROLLBACK TO cssnet_write")
                conn.execute("RELEASE cssnet_write")
                raise
            conn.execute("RELEASE cssnet_write")
            if network:
                self._local.network = True

    def _migrate(self) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[done:], start=done + 1):
                for statement in sql.statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        """How many schema migrations this file has had."""
        return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def revision(self) -> int:
        """A counter that grows with every committed write."""
        return self._conn().execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]

    def changes(self, since: int) -> Changes | None:
        """The ids of the organisations and links written after revision ``since`` (None: cannot tell)."""
        return changes(self._conn(), since)

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        return self._get("organisations", "organisation", org_id, sql.organisation)

    def create_organisation(self, organisation: Organisation) -> Organisation:
        with self._write() as conn:
            refuse_taken("organisation", organisation.id, sql.holder(conn, "organisations", organisation.id))
            stored = sql.stamped(organisation, 1)
            row = sql.organisation_row(stored)
            conn.execute("INSERT INTO organisations (id, data, version, updated_at, id_key) VALUES (?, ?, ?, ?, ?)",
                         row + (id_key(stored.id),))
            self._keep(conn, "organisation", [(stored.id, "create", row[1])])
        return stored

    def update_organisation(self, organisation: Organisation, *,
                            expected_version: int | None = None) -> Organisation:
        with self._write() as conn:
            version = sql.current_version(conn, "organisations", organisation.id, "organisation")
            sql.check_version(version, expected_version, "organisation", organisation.id)
            stored = sql.stamped(organisation, version + 1)
            row = sql.organisation_row(stored)
            conn.execute("UPDATE organisations SET data = ?, version = ?, updated_at = ? WHERE id = ?",
                         row[1:] + (stored.id,))
            self._keep(conn, "organisation", [(stored.id, "update", row[1])])
        return stored

    def delete_organisation(self, org_id: str, *, cascade: bool = False, expected_version: int | None = None) -> int:
        with self._write() as conn:
            version = sql.current_version(conn, "organisations", org_id, "organisation")
            sql.check_version(version, expected_version, "organisation", org_id)
            attached = conn.execute("SELECT count(*) FROM links WHERE source = ? OR target = ?",
                                    (org_id, org_id)).fetchone()[0]
            if attached and not cascade:
                raise Conflict(
                    ntranslate("Organisation '%(id)s' still has %(num)d link; delete it first or cascade.",
                               "Organisation '%(id)s' still has %(num)d links; delete them first or cascade.",
                               attached, id=org_id))
            gone = [r[0] for r in conn.execute("DELETE FROM links WHERE source = ? OR target = ? RETURNING id",
                                               (org_id, org_id)).fetchall()]
            conn.execute("DELETE FROM organisations WHERE id = ?", (org_id,))
            self._keep(conn, "link", [(link_id, "delete", None) for link_id in gone])
            self._keep(conn, "organisation", [(org_id, "delete", None)])
        return attached

    def list_organisations(self, query: OrganisationQuery = OrganisationQuery()) -> Page[Organisation]:
        where, params = sql.organisation_filters(query)
        return self._page(query, "organisations", "data, version, updated_at", "id", where, params, sql.organisation)

    # links
    def get_link(self, link_id: str) -> Link:
        return self._get("links", "link", link_id, sql.link)

    def create_link(self, link: Link) -> Link:
        with self._write() as conn:
            refuse_taken("link", link.id, sql.holder(conn, "links", link.id))
            sql.check_ends(conn, [link], set())
            stored = sql.stamped(link, 1)
            row = sql.link_row(stored)
            conn.execute("INSERT INTO links (id, source, target, data, version, updated_at, id_key) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", row + (id_key(stored.id),))
            self._keep(conn, "link", [(stored.id, "create", row[3])])
        return stored

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        with self._write() as conn:
            version = sql.current_version(conn, "links", link.id, "link")
            sql.check_version(version, expected_version, "link", link.id)
            sql.check_ends(conn, [link], set())
            stored = sql.stamped(link, version + 1)
            row = sql.link_row(stored)
            conn.execute("UPDATE links SET source = ?, target = ?, data = ?, version = ?, updated_at = ? "
                         "WHERE id = ?", row[1:] + (stored.id,))
            self._keep(conn, "link", [(stored.id, "update", row[3])])
        return stored

    def delete_link(self, link_id: str, *, expected_version: int | None = None) -> None:
        with self._write() as conn:
            version = sql.current_version(conn, "links", link_id, "link")
            sql.check_version(version, expected_version, "link", link_id)
            conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
            self._keep(conn, "link", [(link_id, "delete", None)])

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        where, params = sql.link_filters(query)
        return self._page(query, "links", "data, version, updated_at", "id", where, params, sql.link)

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        with self._write() as conn:
            return bulk_upsert(conn, organisations, links, action=action, actor=self._actor())

    def iter_organisations(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Organisation]:
        if as_of is not None:
            yield from map(organisation_from_record, records_as_of(self._conn(), "organisation", moment(as_of)))
            return
        for row in self._conn().execute("SELECT data, version, updated_at FROM organisations ORDER BY id"):
            yield sql.organisation(row)

    def iter_links(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Link]:
        if as_of is not None:
            yield from map(link_from_record, records_as_of(self._conn(), "link", moment(as_of)))
            return
        for row in self._conn().execute("SELECT data, version, updated_at FROM links ORDER BY id"):
            yield sql.link(row)

    def organisation_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        return projection_rows(self._conn(), "organisations", ids)

    def link_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        return projection_rows(self._conn(), "links", ids)

    def whole_graph(self, as_of: dt.date | None = None) -> nx.MultiDiGraph | None:
        # Read in C on a connection of its own, which cannot see this thread's writes not yet committed.
        if self._conn().in_transaction:
            return None
        return compiled_graph(self.path, busy_timeout=self.busy_timeout, as_of=as_of)

    def history(self, entity: str, entity_id: str) -> list[Version]:
        return history(self._conn(), entity, entity_id)

    def _keep(self, conn: sqlite3.Connection, entity: str,
              changes: Iterable[tuple[str, str, str | None]]) -> None:
        keep_versions(conn, entity, changes, self._actor())

    def counts(self) -> dict[str, dict[str, int]]:
        conn = self._conn()

        def tally(sql: str) -> dict[str, int]:
            return {(k if k is not None else "none"): n for k, n in conn.execute(sql)}

        return {
            "organisations_by_kind": tally("SELECT kind, count(*) FROM organisations GROUP BY kind"),
            "organisations_by_province": tally(
                "SELECT province, count(*) FROM organisations GROUP BY province"),
            "organisations_by_country": tally("SELECT country, count(*) FROM organisations GROUP BY country"),
            "organisations_by_status": tally("SELECT status, count(*) FROM organisations GROUP BY status"),
            "links_by_kind": tally("SELECT kind, count(*) FROM links GROUP BY kind"),
            "links_by_status": tally("SELECT status, count(*) FROM links GROUP BY status"),
        }

    def clear(self) -> None:
        with self._write() as conn:
            gone = [r[0] for r in conn.execute("DELETE FROM links RETURNING id").fetchall()]
            self._keep(conn, "link", [(link_id, "delete", None) for link_id in gone])
            gone = [r[0] for r in conn.execute("DELETE FROM organisations RETURNING id").fetchall()]
            self._keep(conn, "organisation", [(org_id, "delete", None) for org_id in gone])

    def _get(self, table: str, noun: str, record_id: str, read: Callable[[Any], Any]) -> Any:
        """The record ``record_id`` of ``table`` (a table name from this module, never from input), or ``NotFound``."""
        row = self._conn().execute(f"SELECT data, version, updated_at FROM {table} WHERE id = ?",
                                   (record_id,)).fetchone()
        if row is None:
            raise missing(noun, record_id)
        return read(row)

    def _page(self, query: OrganisationQuery | LinkQuery | AuditQuery, table: str, columns: str, order: str,
              where: str, params: list[Any], convert: Callable[[sqlite3.Row], T]) -> Page[T]:
        """One page of the rows of ``table`` matching ``where``, ``order``-ed, with the count of all of them."""
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        window, window_params = sql.window(query.limit, query.offset)
        rows = conn.execute(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order} {window}",
                            params + window_params).fetchall()
        return Page([convert(r) for r in rows], total, query.limit, query.offset)


@contextmanager
def _busy_as_domain_error() -> Iterator[None]:
    """Turn SQLite's "database is locked" (the busy timeout ran out) into ``Busy``."""
    try:
        yield
    except sqlite3.OperationalError as err:
        text = str(err).lower()
        if "locked" in text or "busy" in text:
            raise Busy() from err
        raise


