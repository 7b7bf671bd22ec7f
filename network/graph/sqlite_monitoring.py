"""Monitoring reports in the SQLite store: one table, the report as JSON with its searchable columns beside it.

:class:`MonitoringTables` is mixed into ``SQLiteStore``; it uses the store's
``_write`` (a savepoint inside the enclosing unit of work, which bumps the
revision so remembered analyses see the new report) and ``_conn``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from network.errors import Conflict, InvalidData, NotFound
from network.graph.records import now
from network.graph.sqlite_sql import check_version, window
from network.graph.sqlite_where import equal_clauses, period_clauses
from network.graph.store import Page
from network.monitoring import MonitoringQuery, MonitoringReport, report_from_record, report_record
from network.translation import translate

__all__ = ["MonitoringTables"]

_ORDER = "observed_on DESC, created_at DESC, id"


class MonitoringTables:
    """The monitoring-report half of the GraphStore port on SQLite."""

    _conn: Any
    _write: Any

    def create_monitoring_report(self, report: MonitoringReport) -> MonitoringReport:
        """Store a new report (version 1); ``Conflict`` if its id or key is taken, ``InvalidData`` if its monitor
        or facility is not a stored organisation."""
        stamp = now()
        stored = MonitoringReport(**{**report.__dict__, "created_at": stamp, "updated_at": stamp, "version": 1})
        writing: AbstractContextManager[sqlite3.Connection] = self._write()
        with writing as conn:
            _refuse_unknown_organisations(conn, stored)
            taken = conn.execute("SELECT id, key FROM monitoring_reports WHERE id = ? OR key = ?",
                                 (stored.id, stored.key)).fetchone()
            if taken is not None:
                raise Conflict(translate("A monitoring report with id '%(id)s' is stored already.", id=stored.id)
                               if taken["id"] == stored.id else
                               translate("A monitoring report with key '%(key)s' is stored already.", key=stored.key))
            conn.execute("INSERT INTO monitoring_reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _row(stored))
        return stored

    def get_monitoring_report(self, report_id: str) -> MonitoringReport:
        """The report with this id, or ``NotFound``."""
        row = self._conn().execute("SELECT data FROM monitoring_reports WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFound(translate("No monitoring report with id '%(id)s'.", id=report_id))
        return report_from_record(json.loads(row["data"]))

    def update_monitoring_report(self, report: MonitoringReport, *,
                                 expected_version: int | None = None) -> MonitoringReport:
        """Replace a report (its id, key and creation time stay); ``StaleWrite`` if ``expected_version`` is stale."""
        writing: AbstractContextManager[sqlite3.Connection] = self._write()
        with writing as conn:
            row = conn.execute("SELECT data FROM monitoring_reports WHERE id = ?", (report.id,)).fetchone()
            if row is None:
                raise NotFound(translate("No monitoring report with id '%(id)s'.", id=report.id))
            current = report_from_record(json.loads(row["data"]))
            check_version(current.version, expected_version, "monitoring report", report.id)
            stored = MonitoringReport(**{**report.__dict__, "key": current.key, "created_at": current.created_at,
                                         "updated_at": now(), "version": current.version + 1})
            _refuse_unknown_organisations(conn, stored)
            conn.execute("UPDATE monitoring_reports SET monitor = ?, facility = ?, observed_on = ?, escalation = ?, "
                         "data = ?, version = ? WHERE id = ?",
                         (stored.monitor, stored.facility, stored.observed_on.isoformat(), stored.escalation,
                          json.dumps(report_record(stored)), stored.version, stored.id))
        return stored

    def list_monitoring_reports(self, query: MonitoringQuery = MonitoringQuery()) -> Page[MonitoringReport]:
        """Matching reports, latest visit first (then latest recorded, then by id)."""
        where, params = _filters(query)
        conn = self._conn()
        total = conn.execute(f"SELECT count(*) FROM monitoring_reports WHERE {where}", params).fetchone()[0]
        clause, extra = window(query.limit, query.offset)
        rows = conn.execute(f"SELECT data FROM monitoring_reports WHERE {where} ORDER BY {_ORDER} {clause}",
                            params + extra).fetchall()
        return Page([report_from_record(json.loads(r["data"])) for r in rows], total, query.limit, query.offset)

    def iter_monitoring_reports(self) -> Iterator[MonitoringReport]:
        """Every report, latest visit first (streamed)."""
        for row in self._conn().execute(f"SELECT data FROM monitoring_reports ORDER BY {_ORDER}"):
            yield report_from_record(json.loads(row["data"]))


def _row(report: MonitoringReport) -> tuple[Any, ...]:
    assert report.created_at is not None
    return (report.id, report.monitor, report.facility, report.observed_on.isoformat(), report.escalation,
            report.key, report.created_at.isoformat(), json.dumps(report_record(report)), report.version)


def _refuse_unknown_organisations(conn: sqlite3.Connection, report: MonitoringReport) -> None:
    for role in ("monitor", "facility"):
        org_id = getattr(report, role)
        if conn.execute("SELECT 1 FROM organisations WHERE id = ?", (org_id,)).fetchone() is None:
            unknown = (translate("The monitor '%(id)s' is not a known organisation.", id=org_id) if role == "monitor"
                       else translate("The facility '%(id)s' is not a known organisation.", id=org_id))
            raise InvalidData(unknown,
                              {role: [translate("No organisation with id '%(id)s'.", id=org_id)]})


def _filters(query: MonitoringQuery) -> tuple[str, list[Any]]:
    clauses, params = equal_clauses(query, ("facility", "monitor", "escalation", "key"))
    if query.facilities is not None:
        clauses.append("facility IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(query.facilities)))
    period_clauses(clauses, params, "observed_on", query.since, query.until)
    if query.barrier is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(data, '$.barriers') WHERE value = ?)")
        params.append(query.barrier)
    return " AND ".join(clauses), params
