"""The embedded default store: one SQLite file (WAL, foreign keys, FTS5 search)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from network.errors import Busy, Conflict, InvalidData, NotFound, StaleWrite
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
from network.graph.sqlite_history import HISTORY_MIGRATION, history, keep_versions, records_as_of
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
from network.model import Link, Organisation

__all__ = ["SQLiteStore"]

_CHUNK = 500

#: Schema migrations, applied in order; ``PRAGMA user_version`` records how many ran.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta VALUES ('revision', 0);

    CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        name TEXT GENERATED ALWAYS AS (json_extract(data, '$.name')) VIRTUAL,
        kind TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL,
        province TEXT GENERATED ALWAYS AS (json_extract(data, '$.province')) VIRTUAL,
        district TEXT GENERATED ALWAYS AS (json_extract(data, '$.district')) VIRTUAL,
        status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL,
        sensitive INTEGER GENERATED ALWAYS AS (json_extract(data, '$.sensitive')) VIRTUAL,
        search_text TEXT GENERATED ALWAYS AS (json_extract(data, '$.aliases')) VIRTUAL
    );
    CREATE INDEX organisations_kind ON organisations(kind);
    CREATE INDEX organisations_place ON organisations(province, district);
    CREATE INDEX organisations_district ON organisations(district);
    CREATE INDEX organisations_status ON organisations(status);

    CREATE TABLE organisation_codes (
        organisation TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        facet TEXT NOT NULL,
        code TEXT NOT NULL
    );
    CREATE INDEX organisation_codes_lookup ON organisation_codes(facet, code, organisation);
    CREATE INDEX organisation_codes_owner ON organisation_codes(organisation);

    CREATE VIRTUAL TABLE organisation_search USING fts5(
        name, search_text, content='organisations', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2');

    CREATE TRIGGER organisations_ai AFTER INSERT ON organisations BEGIN
        INSERT INTO organisation_search(rowid, name, search_text)
            VALUES (new.rowid, new.name, new.search_text);
        INSERT INTO organisation_codes SELECT new.id, 'service', value FROM json_each(new.data, '$.services');
        INSERT INTO organisation_codes
            SELECT new.id, 'population', value FROM json_each(new.data, '$.populations');
    END;
    CREATE TRIGGER organisations_ad AFTER DELETE ON organisations BEGIN
        INSERT INTO organisation_search(organisation_search, rowid, name, search_text)
            VALUES ('delete', old.rowid, old.name, old.search_text);
    END;
    CREATE TRIGGER organisations_au AFTER UPDATE OF data ON organisations BEGIN
        INSERT INTO organisation_search(organisation_search, rowid, name, search_text)
            VALUES ('delete', old.rowid, old.name, old.search_text);
        INSERT INTO organisation_search(rowid, name, search_text)
            VALUES (new.rowid, new.name, new.search_text);
        DELETE FROM organisation_codes WHERE organisation = new.id;
        INSERT INTO organisation_codes SELECT new.id, 'service', value FROM json_each(new.data, '$.services');
        INSERT INTO organisation_codes
            SELECT new.id, 'population', value FROM json_each(new.data, '$.populations');
    END;

    CREATE TABLE links (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL REFERENCES organisations(id),
        target TEXT NOT NULL REFERENCES organisations(id),
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        kind TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL,
        status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL
    );
    CREATE INDEX links_source ON links(source);
    CREATE INDEX links_target ON links(target);
    CREATE INDEX links_kind ON links(kind, status);

    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        changes TEXT NOT NULL
    );
    CREATE INDEX audit_entity ON audit(entity_id);
    """,
    HISTORY_MIGRATION,
)


class SQLiteStore:
    """The GraphStore on one SQLite file; safe to share between threads.

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
            local.depth += 1
            try:
                yield
            finally:
                local.depth -= 1
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

    def _actor(self) -> str:
        return getattr(self._local, "actor", SYSTEM_ACTOR)

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
                for statement in _statements(script):
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

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        row = self._conn().execute(
            "SELECT data, version, updated_at FROM organisations WHERE id = ?", (org_id,)).fetchone()
        if row is None:
            raise NotFound(f"No organisation with id '{org_id}'.")
        return _organisation(row)

    def create_organisation(self, organisation: Organisation) -> Organisation:
        with self._write() as conn:
            refuse_taken("organisation", organisation.id, _holder(conn, "organisations", organisation.id))
            stored = _stamped(organisation, 1)
            row = _organisation_row(stored)
            conn.execute("INSERT INTO organisations (id, data, version, updated_at, id_key) VALUES (?, ?, ?, ?, ?)",
                         row + (id_key(stored.id),))
            self._keep(conn, "organisation", [(stored.id, "create", row[1])])
        return stored

    def update_organisation(self, organisation: Organisation, *,
                            expected_version: int | None = None) -> Organisation:
        with self._write() as conn:
            version = _current_version(conn, "organisations", organisation.id, "organisation")
            _check_version(version, expected_version, "organisation", organisation.id)
            stored = _stamped(organisation, version + 1)
            row = _organisation_row(stored)
            conn.execute("UPDATE organisations SET data = ?, version = ?, updated_at = ? WHERE id = ?",
                         row[1:] + (stored.id,))
            self._keep(conn, "organisation", [(stored.id, "update", row[1])])
        return stored

    def delete_organisation(self, org_id: str, *, cascade: bool = False) -> int:
        with self._write() as conn:
            _current_version(conn, "organisations", org_id, "organisation")
            attached = conn.execute("SELECT count(*) FROM links WHERE source = ? OR target = ?",
                                    (org_id, org_id)).fetchone()[0]
            if attached and not cascade:
                raise Conflict(
                    f"Organisation '{org_id}' still has {attached} link(s); delete them first or cascade.")
            gone = [r[0] for r in conn.execute("DELETE FROM links WHERE source = ? OR target = ? RETURNING id",
                                               (org_id, org_id)).fetchall()]
            conn.execute("DELETE FROM organisations WHERE id = ?", (org_id,))
            self._keep(conn, "link", [(link_id, "delete", None) for link_id in gone])
            self._keep(conn, "organisation", [(org_id, "delete", None)])
        return attached

    def list_organisations(self, query: OrganisationQuery = OrganisationQuery()) -> Page[Organisation]:
        where, params = _organisation_filters(query)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM organisations WHERE {where}", params).fetchone()[0]
        window, window_params = _window(query.limit, query.offset)
        rows = conn.execute(
            f"SELECT data, version, updated_at FROM organisations WHERE {where} ORDER BY id {window}",
            params + window_params).fetchall()
        return Page([_organisation(r) for r in rows], total, query.limit, query.offset)

    # links
    def get_link(self, link_id: str) -> Link:
        row = self._conn().execute("SELECT data, version, updated_at FROM links WHERE id = ?",
                                   (link_id,)).fetchone()
        if row is None:
            raise NotFound(f"No link with id '{link_id}'.")
        return _link(row)

    def create_link(self, link: Link) -> Link:
        with self._write() as conn:
            refuse_taken("link", link.id, _holder(conn, "links", link.id))
            _check_ends(conn, [link], set())
            stored = _stamped(link, 1)
            row = _link_row(stored)
            conn.execute("INSERT INTO links (id, source, target, data, version, updated_at, id_key) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", row + (id_key(stored.id),))
            self._keep(conn, "link", [(stored.id, "create", row[3])])
        return stored

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        with self._write() as conn:
            version = _current_version(conn, "links", link.id, "link")
            _check_version(version, expected_version, "link", link.id)
            _check_ends(conn, [link], set())
            stored = _stamped(link, version + 1)
            row = _link_row(stored)
            conn.execute("UPDATE links SET source = ?, target = ?, data = ?, version = ?, updated_at = ? "
                         "WHERE id = ?", row[1:] + (stored.id,))
            self._keep(conn, "link", [(stored.id, "update", row[3])])
        return stored

    def delete_link(self, link_id: str) -> None:
        with self._write() as conn:
            _current_version(conn, "links", link_id, "link")
            conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
            self._keep(conn, "link", [(link_id, "delete", None)])

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        where, params = _link_filters(query)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM links WHERE {where}", params).fetchone()[0]
        window, window_params = _window(query.limit, query.offset)
        rows = conn.execute(f"SELECT data, version, updated_at FROM links WHERE {where} ORDER BY id {window}",
                            params + window_params).fetchall()
        return Page([_link(r) for r in rows], total, query.limit, query.offset)

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        result = UpsertResult()
        org_ids = list(dict.fromkeys(o.id for o in organisations))
        link_ids = list(dict.fromkeys(link.id for link in links))
        with self._write() as conn:
            refuse_case_clashes("organisation", org_ids, _holders(conn, "organisations", org_ids))
            refuse_case_clashes("link", link_ids, _holders(conn, "links", link_ids))
            existing = _existing_ids(conn, "organisations", org_ids)
            _check_ends(conn, links, set(org_ids))
            conn.executemany(
                "INSERT INTO organisations (id, data, version, updated_at, id_key) VALUES (?, ?, 1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data, version = organisations.version + 1, "
                "updated_at = excluded.updated_at",
                ((o.id, json.dumps(to_record(o)), now().isoformat(), id_key(o.id)) for o in organisations))
            result.organisations_updated = len(existing)
            result.organisations_created = len(org_ids) - len(existing)
            existing = _existing_ids(conn, "links", link_ids)
            conn.executemany(
                "INSERT INTO links (id, source, target, data, version, updated_at, id_key) "
                "VALUES (?, ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET source = excluded.source, target = excluded.target, "
                "data = excluded.data, version = links.version + 1, updated_at = excluded.updated_at",
                ((link.id, link.source, link.target, json.dumps(to_record(link)), now().isoformat(),
                  id_key(link.id)) for link in links))
            result.links_updated = len(existing)
            result.links_created = len(link_ids) - len(existing)
            self._keep(conn, "organisation", ((r["id"], action, json.dumps(_from_row(r)))
                                              for r in _rows(conn, "organisations", org_ids)))
            self._keep(conn, "link", ((r["id"], action, json.dumps(_from_row(r)))
                                      for r in _rows(conn, "links", link_ids)))
        return result

    def iter_organisations(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Organisation]:
        if as_of is not None:
            yield from map(organisation_from_record, records_as_of(self._conn(), "organisation", moment(as_of)))
            return
        for row in self._conn().execute("SELECT data, version, updated_at FROM organisations ORDER BY id"):
            yield _organisation(row)

    def iter_links(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Link]:
        if as_of is not None:
            yield from map(link_from_record, records_as_of(self._conn(), "link", moment(as_of)))
            return
        for row in self._conn().execute("SELECT data, version, updated_at FROM links ORDER BY id"):
            yield _link(row)

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

    # tokens and audit
    def add_token(self, token: Token) -> None:
        with self._write(network=False) as conn:
            conn.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?)",
                         (token.id, token.name, token.role, token.token_hash,
                          token.created_at.isoformat(), int(token.revoked)))

    def find_token(self, token_hash: str) -> Token | None:
        row = self._conn().execute("SELECT * FROM tokens WHERE token_hash = ? AND revoked = 0",
                                   (token_hash,)).fetchone()
        return _token(row) if row else None

    def list_tokens(self) -> list[Token]:
        rows = self._conn().execute("SELECT * FROM tokens ORDER BY created_at DESC, id").fetchall()
        return [_token(r) for r in rows]

    def revoke_token(self, token_id: str) -> None:
        with self._write(network=False) as conn:
            if conn.execute("UPDATE tokens SET revoked = 1 WHERE id = ?", (token_id,)).rowcount == 0:
                raise NotFound(f"No token with id '{token_id}'.")

    def record_audit(self, entry: AuditEntry) -> None:
        with self._write(network=False) as conn:
            conn.execute("INSERT INTO audit (at, actor, action, entity, entity_id, changes) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.at.isoformat(), entry.actor, entry.action, entry.entity, entry.entity_id,
                          json.dumps(entry.changes, default=str)))

    def list_audit(self, query: AuditQuery = AuditQuery()) -> Page[AuditEntry]:
        clauses, params = ["1 = 1"], []
        if query.entity_id is not None:
            clauses.append("entity_id = ?")
            params.append(query.entity_id)
        if query.actor is not None:
            clauses.append("actor = ?")
            params.append(query.actor)
        where = " AND ".join(clauses)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM audit WHERE {where}", params).fetchone()[0]
        window, window_params = _window(query.limit, query.offset)
        rows = conn.execute(f"SELECT * FROM audit WHERE {where} ORDER BY id DESC {window}",
                            params + window_params).fetchall()
        entries = [AuditEntry(at=dt.datetime.fromisoformat(r["at"]), actor=r["actor"], action=r["action"],
                              entity=r["entity"], entity_id=r["entity_id"], changes=json.loads(r["changes"]),
                              id=r["id"]) for r in rows]
        return Page(entries, total, query.limit, query.offset)


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


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


def _stamped(item: Any, version: int) -> Any:
    item = type(item)(**item.to_dict())
    item.version = version
    item.updated_at = now()
    return item


def _organisation_row(org: Organisation) -> tuple[Any, ...]:
    return org.id, json.dumps(to_record(org)), org.version, org.updated_at.isoformat()


def _link_row(link: Link) -> tuple[Any, ...]:
    return link.id, link.source, link.target, json.dumps(to_record(link)), link.version, \
        link.updated_at.isoformat()


def _from_row(row: sqlite3.Row) -> dict[str, Any]:
    record = json.loads(row["data"])
    record["version"] = row["version"]
    record["updated_at"] = row["updated_at"]
    return record


def _organisation(row: sqlite3.Row) -> Organisation:
    return organisation_from_record(_from_row(row))


def _link(row: sqlite3.Row) -> Link:
    return link_from_record(_from_row(row))


def _token(row: sqlite3.Row) -> Token:
    return Token(id=row["id"], name=row["name"], role=row["role"], token_hash=row["token_hash"],
                 created_at=dt.datetime.fromisoformat(row["created_at"]), revoked=bool(row["revoked"]))


def _holder(conn: sqlite3.Connection, table: str, record_id: str) -> str | None:
    """The stored id equal to ``record_id`` regardless of case, if any."""
    row = conn.execute(f"SELECT id FROM {table} WHERE id_key = ?", (id_key(record_id),)).fetchone()
    return row[0] if row else None


def _holders(conn: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, str]:
    """The stored ids equal to any of ``ids`` regardless of case, by their key."""
    keys = list(dict.fromkeys(map(id_key, ids)))
    found: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT id_key, id FROM {table} WHERE id_key IN ({marks})", chunk).fetchall())
    return found


def _rows(conn: sqlite3.Connection, table: str, ids: Sequence[str]) -> Iterator[sqlite3.Row]:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(f"SELECT id, data, version, updated_at FROM {table} WHERE id IN ({marks})",
                                chunk).fetchall()


def _current_version(conn: sqlite3.Connection, table: str, record_id: str, noun: str) -> int:
    row = conn.execute(f"SELECT version FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise NotFound(f"No {noun} with id '{record_id}'.")
    return row[0]


def _check_version(current: int, expected: int | None, noun: str, record_id: str) -> None:
    if expected is not None and expected != current:
        raise StaleWrite(f"The {noun} '{record_id}' changed since it was read (version {expected}, "
                         f"now {current}); reload it and apply the change again.")


def _existing_ids(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> set[str]:
    ids = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
    return found


def _check_ends(conn: sqlite3.Connection, links: Sequence[Link], incoming: set[str]) -> None:
    errors: dict[str, list[str]] = {}
    for link in links:
        if link.source == link.target:
            errors.setdefault(link.id, []).append(f"source and target are both '{link.source}'.")
    ends = {e for link in links for e in (link.source, link.target)} - incoming
    missing = ends - _existing_ids(conn, "organisations", ends)
    for link in links:
        for end in ("source", "target"):
            value = getattr(link, end)
            if value in missing:
                errors.setdefault(link.id, []).append(f"{end} '{value}' is not a known organisation.")
    if errors:
        first = next(iter(errors.items()))
        raise InvalidData(f"Link '{first[0]}': {first[1][0]}", errors)


def _window(limit: int | None, offset: int) -> tuple[str, list[Any]]:
    if limit is None:
        return ("LIMIT -1 OFFSET ?", [offset]) if offset else ("", [])
    return "LIMIT ? OFFSET ?", [limit, offset]


def _organisation_filters(query: OrganisationQuery) -> tuple[str, list[Any]]:
    clauses, params = ["1 = 1"], []
    for column in ("kind", "province", "district", "status"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.sensitive is not None:
        clauses.append("sensitive = ?")
        params.append(int(query.sensitive))
    if query.service is not None:
        clauses.append("id IN (SELECT organisation FROM organisation_codes WHERE facet = 'service' AND code = ?)")
        params.append(query.service)
    if query.population is not None:
        # serves: names the population, or names none (general population)
        clauses.append("(id IN (SELECT organisation FROM organisation_codes WHERE facet = 'population' AND code = ?)"
                       " OR coalesce(json_array_length(data, '$.populations'), 0) = 0)")
        params.append(query.population)
    if query.ids is not None:
        clauses.append(f"id IN ({','.join('?' * len(query.ids))})" if query.ids else "0")
        params += list(query.ids)
    match = _fts_query(query.q)
    if match:
        clauses.append("rowid IN (SELECT rowid FROM organisation_search WHERE organisation_search MATCH ?)")
        params.append(match)
    return " AND ".join(clauses), params


def _fts_query(text: str | None) -> str:
    """Turn free text into an FTS5 query: every word must start a word of the name or an alias."""
    words = "".join(ch if ch.isalnum() else " " for ch in (text or "")).split()
    return " ".join(f'"{w}"*' for w in words)


def _link_filters(query: LinkQuery) -> tuple[str, list[Any]]:
    clauses, params = ["1 = 1"], []
    for column in ("kind", "status", "source", "target"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.organisation is not None:
        clauses.append("(source = ? OR target = ?)")
        params += [query.organisation, query.organisation]
    if query.service is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(data, '$.services') WHERE value = ?)")
        params.append(query.service)
    return " AND ".join(clauses), params
