"""Invitations, proposals and trust settings in the SQLite store (a mixin of ``SQLiteStore``)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from network.errors import Conflict, NotFound
from network.graph.partners import Invitation, Proposal, ProposalQuery, decode_invitation, decode_proposal, encode
from network.graph.records import stamp
from network.graph.sqlite_where import equal_clauses
from network.graph.store import Page
from network.translation import translate

__all__ = ["PARTNERS_MIGRATION", "SQLitePartners"]

#: The tables of invitations, proposals and trusted organisations.
PARTNERS_MIGRATION = """
    CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        organisation TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        purpose TEXT NOT NULL,
        subject TEXT,
        used_at TEXT,
        used_for TEXT
    );
    CREATE INDEX invitations_organisation ON invitations(organisation);
    CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        organisation TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        changes TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        submitted_by TEXT NOT NULL,
        base_version INTEGER,
        invitation TEXT,
        status TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT,
        note TEXT NOT NULL,
        applied TEXT NOT NULL
    );
    CREATE INDEX proposals_queue ON proposals(status, submitted_at);
    CREATE INDEX proposals_organisation ON proposals(organisation);
    CREATE TABLE trusted_partners (organisation TEXT PRIMARY KEY);
"""

_INVITATION_COLUMNS = ("id", "organisation", "created_at", "expires_at", "created_by", "purpose", "subject",
                       "used_at", "used_for")
_PROPOSAL_COLUMNS = ("id", "organisation", "kind", "entity", "entity_id", "changes", "submitted_at",
                     "submitted_by", "base_version", "invitation", "status", "decided_at", "decided_by", "note",
                     "applied")


class SQLitePartners:
    """The partner records of :class:`network.graph.sqlite.SQLiteStore` (see :mod:`network.graph.partners`)."""

    _conn: Callable[[], sqlite3.Connection]
    _write: Callable[..., AbstractContextManager[sqlite3.Connection]]
    _page: Callable[..., Page[Any]]

    def add_invitation(self, invitation: Invitation) -> None:
        _insert(self._write(network=False), "invitations", _INVITATION_COLUMNS, encode(invitation))

    def get_invitation(self, invitation_id: str) -> Invitation:
        row = self._conn().execute("SELECT * FROM invitations WHERE id = ?", (invitation_id,)).fetchone()
        if row is None:
            raise NotFound(translate("No invitation with id '%(id)s'.", id=invitation_id))
        return decode_invitation(dict(row))

    def list_invitations(self, organisation: str | None = None) -> list[Invitation]:
        where, params = ("organisation = ?", [organisation]) if organisation is not None else ("1 = 1", [])
        rows = self._conn().execute(f"SELECT * FROM invitations WHERE {where} ORDER BY created_at DESC, id",
                                    params).fetchall()
        return [decode_invitation(dict(r)) for r in rows]

    def use_invitation(self, invitation_id: str, at: dt.datetime, used_for: str) -> Invitation:
        with self._write(network=False) as conn:
            row = conn.execute("SELECT used_at FROM invitations WHERE id = ?", (invitation_id,)).fetchone()
            if row is None:
                raise NotFound(translate("No invitation with id '%(id)s'.", id=invitation_id))
            if row["used_at"] is not None:
                raise Conflict(translate("The invitation '%(id)s' was used already.", id=invitation_id))
            conn.execute("UPDATE invitations SET used_at = ?, used_for = ? WHERE id = ?",
                         (stamp(at), used_for, invitation_id))
        return self.get_invitation(invitation_id)

    def add_proposals(self, proposals: list[Proposal]) -> None:
        with self._write(network=False) as conn:
            for proposal in proposals:
                values = encode(proposal)
                conn.execute(f"INSERT INTO proposals ({', '.join(_PROPOSAL_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(_PROPOSAL_COLUMNS))})",
                             [values[c] for c in _PROPOSAL_COLUMNS])

    def get_proposal(self, proposal_id: str) -> Proposal:
        row = self._conn().execute("SELECT * FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
        if row is None:
            raise NotFound(translate("No proposed change with id '%(id)s'.", id=proposal_id))
        return decode_proposal(dict(row))

    def list_proposals(self, query: ProposalQuery = ProposalQuery()) -> Page[Proposal]:
        clauses, params = equal_clauses(query, ("status", "organisation", "invitation"))
        return self._page(query, "proposals", "*", "submitted_at, id", " AND ".join(clauses), params,
                          lambda r: decode_proposal(dict(r)))

    def decide_proposal(self, proposal_id: str, *, status: str, decided_by: str, decided_at: dt.datetime,
                        note: str = "", applied: dict[str, Any] | None = None) -> Proposal:
        with self._write(network=False) as conn:
            row = conn.execute("SELECT status FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
            if row is None:
                raise NotFound(translate("No proposed change with id '%(id)s'.", id=proposal_id))
            if row["status"] != "pending":
                raise Conflict(translate("The proposed change '%(id)s' was %(status)s already.", id=proposal_id,
                                         status=translate(row["status"])))
            conn.execute("UPDATE proposals SET status = ?, decided_at = ?, decided_by = ?, note = ?, applied = ? "
                         "WHERE id = ?", (status, stamp(decided_at), decided_by, note,
                                          json.dumps(applied or {}, sort_keys=True, default=str), proposal_id))
        return self.get_proposal(proposal_id)

    def set_trusted(self, organisation: str, trusted: bool) -> None:
        with self._write(network=False) as conn:
            if trusted:
                conn.execute("INSERT OR IGNORE INTO trusted_partners VALUES (?)", (organisation,))
            else:
                conn.execute("DELETE FROM trusted_partners WHERE organisation = ?", (organisation,))

    def trusted_organisations(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT organisation FROM trusted_partners ORDER BY organisation")]


def _insert(write: AbstractContextManager[sqlite3.Connection], table: str, columns: tuple[str, ...],
            values: dict[str, Any]) -> None:
    with write as conn:
        conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [values[c] for c in columns])
