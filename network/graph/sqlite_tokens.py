"""API tokens and the audit log in the SQLite store (a mixin of ``SQLiteStore``)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from network.errors import NotFound
from network.graph import sqlite_sql as sql
from network.graph.store import AuditEntry, AuditQuery, Page, Token
from network.translation import translate

__all__ = ["SQLiteTokens"]


class SQLiteTokens:
    """The tokens and audit log of :class:`network.graph.sqlite.SQLiteStore`."""

    _conn: Callable[[], sqlite3.Connection]
    _write: Callable[..., AbstractContextManager[sqlite3.Connection]]
    _page: Callable[..., Page[Any]]

    def add_token(self, token: Token) -> None:
        with self._write(network=False) as conn:
            conn.execute("INSERT INTO tokens (id, name, role, token_hash, created_at, revoked, organisation) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (token.id, token.name, token.role, token.token_hash,
                          token.created_at.isoformat(), int(token.revoked), token.organisation))

    def find_token(self, token_hash: str) -> Token | None:
        row = self._conn().execute("SELECT * FROM tokens WHERE token_hash = ? AND revoked = 0",
                                   (token_hash,)).fetchone()
        return sql.token(row) if row else None

    def list_tokens(self) -> list[Token]:
        rows = self._conn().execute("SELECT * FROM tokens ORDER BY created_at DESC, id").fetchall()
        return [sql.token(r) for r in rows]

    def revoke_token(self, token_id: str) -> None:
        with self._write(network=False) as conn:
            if conn.execute("UPDATE tokens SET revoked = 1 WHERE id = ?", (token_id,)).rowcount == 0:
                raise NotFound(translate("No token with id '%(id)s'.", id=token_id))

    def record_audit(self, entry: AuditEntry) -> None:
        with self._write(network=False) as conn:
            conn.execute("INSERT INTO audit (at, actor, action, entity, entity_id, changes) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.at.isoformat(), entry.actor, entry.action, entry.entity, entry.entity_id,
                          json.dumps(entry.changes, default=str)))

    def list_audit(self, query: AuditQuery = AuditQuery()) -> Page[AuditEntry]:
        where, params = sql.audit_filters(query)
        return self._page(query, "audit", "*", "id DESC", where, params, _audit_entry)

    def prune_tokens(self, role: str, created_before: dt.datetime) -> int:
        with self._write(network=False) as conn:
            return conn.execute("DELETE FROM tokens WHERE role = ? AND (created_at < ? OR revoked = 1)",
                                (role, created_before.isoformat())).rowcount


def _audit_entry(r: sqlite3.Row) -> AuditEntry:
    return AuditEntry(at=dt.datetime.fromisoformat(r["at"]), actor=r["actor"], action=r["action"],
                      entity=r["entity"], entity_id=r["entity_id"], changes=json.loads(r["changes"]), id=r["id"])
