"""Referral records in the SQLite store: one row per referral (its record as JSON), and counts after retention."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from network.errors import Conflict, NotFound, StaleWrite
from network.graph.records import now
from network.graph.referral_store import ReferralQuery, ReferralWrites, stamped_referral
from network.graph.sqlite_where import equal_clauses, period_clauses
from network.graph.store import Page
from network.referrals import Referral, ReferralCount
from network.translation import translate

__all__ = ["REFERRALS_MIGRATION", "SQLiteReferrals"]

#: The referral table (status and route columns for filtering; the record in ``data``) and the counts table.
REFERRALS_MIGRATION = """
    CREATE TABLE referrals (
        code TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        link TEXT,
        created TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX referrals_source ON referrals(source, created);
    CREATE INDEX referrals_target ON referrals(target, created);
    CREATE INDEX referrals_created ON referrals(created);
    CREATE INDEX referrals_link ON referrals(link);
    CREATE TABLE referral_counts (
        month TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        link TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (month, source, target, link, status)
    );
"""

_COLUMNS = "code, data, version, updated_at"


class SQLiteReferrals(ReferralWrites):
    """The ``ReferralStore`` methods of ``SQLiteStore`` (which provides ``_write`` and ``_conn``)."""

    _write: Any
    _conn: Any

    def _store_new(self, stored: list[Referral]) -> None:
        with self._write() as conn:
            try:
                conn.executemany("INSERT INTO referrals (code, source, target, link, created, status, data, "
                                 "version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", map(_row, stored))
            except sqlite3.IntegrityError as err:
                raise Conflict(translate("A referral with one of these codes already exists."),
                               {"code": [translate("That code is in use.")]}) from err

    def get_referral(self, code: str) -> Referral:
        row = self._conn().execute(f"SELECT {_COLUMNS} FROM referrals WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound(translate("No referral with code '%(code)s'.", code=code))
        return _referral(row)

    def update_referral(self, referral: Referral, *, expected_version: int | None = None) -> Referral:
        with self._write() as conn:
            row = conn.execute("SELECT version FROM referrals WHERE code = ?", (referral.code,)).fetchone()
            if row is None:
                raise NotFound(translate("No referral with code '%(code)s'.", code=referral.code))
            if expected_version is not None and expected_version != row[0]:
                raise StaleWrite(translate("Referral %(code)s changed since it was read (version %(expected)s, now "
                                           "%(current)s); reload it and apply the change again.",
                                           code=referral.code, expected=expected_version, current=row[0]))
            stored = stamped_referral(referral, row[0] + 1, now())
            values = _row(stored)
            conn.execute("UPDATE referrals SET source = ?, target = ?, link = ?, created = ?, status = ?, data = ?, "
                         "version = ?, updated_at = ? WHERE code = ?", values[1:] + (stored.code,))
        return stored

    def list_referrals(self, query: ReferralQuery = ReferralQuery()) -> Page[Referral]:
        where, params = _filters(query)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM referrals WHERE {where}", params).fetchone()[0]
        window = "" if query.limit is None and not query.offset else \
            f" LIMIT {-1 if query.limit is None else int(query.limit)} OFFSET {int(query.offset)}"
        rows = conn.execute(f"SELECT {_COLUMNS} FROM referrals WHERE {where} ORDER BY created DESC, code{window}",
                            params).fetchall()
        return Page([_referral(r) for r in rows], total, query.limit, query.offset)

    def iter_referrals(self, *, since: dt.date | None = None) -> Iterator[Referral]:
        rows = self._conn().execute(f"SELECT {_COLUMNS} FROM referrals WHERE created >= ? ORDER BY created, code",
                                    ((since or dt.date.min).isoformat(),))
        for row in rows:
            yield _referral(row)

    def reduce_referrals(self, before: dt.date) -> int:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO referral_counts (month, source, target, link, status, n) "
                "SELECT substr(created, 1, 7), source, target, coalesce(link, ''), status, count(*) FROM referrals "
                "WHERE created < ? GROUP BY 1, 2, 3, 4, 5 "
                "ON CONFLICT (month, source, target, link, status) DO UPDATE SET n = n + excluded.n",
                (before.isoformat(),))
            return conn.execute("DELETE FROM referrals WHERE created < ?", (before.isoformat(),)).rowcount

    def referral_counts(self) -> list[ReferralCount]:
        rows = self._conn().execute("SELECT month, source, target, link, status, n FROM referral_counts "
                                    "ORDER BY month, source, target, link, status")
        return [ReferralCount(r[0], r[1], r[2], r[3] or None, r[4], r[5]) for r in rows]


def _row(r: Referral) -> tuple[Any, ...]:
    return (r.code, r.source, r.target, r.link, r.created.isoformat(), r.status, json.dumps(r.to_record()),
            r.version, r.updated_at.isoformat() if r.updated_at else now().isoformat())


def _referral(row: sqlite3.Row) -> Referral:
    record = json.loads(row["data"])
    record["version"], record["updated_at"] = row["version"], row["updated_at"]
    return Referral.from_record(record)


def _filters(query: ReferralQuery) -> tuple[str, list[Any]]:
    clauses, params = equal_clauses(query, ("source", "target", "status", "link"))
    if query.organisation is not None:
        clauses.append("(source = ? OR target = ?)")
        params += [query.organisation, query.organisation]
    period_clauses(clauses, params, "created", query.since, query.until)
    return " AND ".join(clauses), params
