"""Monitoring reports in the Neo4j store: ``MonitoringReport`` nodes, their fields as properties.

A report node holds its monitor's and facility's ids as properties, not as
relationships, so the network's relationships stay the links alone and a
report outlives a deleted organisation as the record of a visit. Dates are
ISO strings (they order as the days do). :class:`MonitoringNodes` is mixed
into ``Neo4jStore`` and uses its ``_read`` and ``_write``; a write bumps the
revision so remembered analyses see the new report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j

from network.errors import Conflict, InvalidData, NotFound
from network.graph.neo4j_cypher import check_version, window
from network.graph.records import now
from network.graph.store import Page
from network.monitoring import MonitoringQuery, MonitoringReport, report_from_record, report_record
from network.translation import translate

__all__ = ["MONITORING_SCHEMA", "MonitoringNodes"]

#: The constraints of monitoring reports, created with the store's schema.
MONITORING_SCHEMA = (
    "CREATE CONSTRAINT monitoring_report_id IF NOT EXISTS FOR (m:MonitoringReport) REQUIRE m.id IS UNIQUE",
    "CREATE CONSTRAINT monitoring_report_key IF NOT EXISTS FOR (m:MonitoringReport) REQUIRE m.key IS UNIQUE",
)

_ORDER = "m.observed_on DESC, m.created_at DESC, m.id"
_CLAUSES = {
    **{name: f"m.{name} = ${name}" for name in ("facility", "monitor", "escalation", "key")},
    "facilities": "m.facility IN $facilities",
    "since": "m.observed_on >= $since",
    "until": "m.observed_on <= $until",
    "barrier": "$barrier IN m.barriers",
}
_PAGE = 5000


class MonitoringNodes:
    """The monitoring-report half of the GraphStore port on Neo4j."""

    _read: Any
    _write: Any

    def create_monitoring_report(self, report: MonitoringReport) -> MonitoringReport:
        """Store a new report (version 1); ``Conflict`` if its id or key is taken, ``InvalidData`` if its monitor
        or facility is not a stored organisation."""
        stamp = now()
        stored = MonitoringReport(**{**report.__dict__, "created_at": stamp, "updated_at": stamp, "version": 1})

        def work(tx: neo4j.ManagedTransaction) -> None:
            _refuse_unknown_organisations(tx, stored)
            taken = tx.run("MATCH (m:MonitoringReport) WHERE m.id = $id OR m.key = $key RETURN m.id AS id LIMIT 1",
                           id=stored.id, key=stored.key).single()
            if taken is not None:
                raise Conflict(translate("A monitoring report with id '%(id)s' is stored already.", id=stored.id)
                               if taken["id"] == stored.id else
                               translate("A monitoring report with key '%(key)s' is stored already.", key=stored.key))
            tx.run("CREATE (m:MonitoringReport) SET m = $props", props=report_record(stored)).consume()

        self._write(work)
        return stored

    def get_monitoring_report(self, report_id: str) -> MonitoringReport:
        """The report with this id, or ``NotFound``."""

        def work(tx: neo4j.ManagedTransaction) -> MonitoringReport | None:
            record = tx.run("MATCH (m:MonitoringReport {id: $id}) RETURN properties(m) AS p", id=report_id).single()
            return report_from_record(record["p"]) if record else None

        found = self._read(work)
        if found is None:
            raise NotFound(translate("No monitoring report with id '%(id)s'.", id=report_id))
        return found

    def update_monitoring_report(self, report: MonitoringReport, *,
                                 expected_version: int | None = None) -> MonitoringReport:
        """Replace a report (its id, key and creation time stay); ``StaleWrite`` if ``expected_version`` is stale."""

        def work(tx: neo4j.ManagedTransaction) -> MonitoringReport:
            record = tx.run("MATCH (m:MonitoringReport {id: $id}) SET m.version = m.version "
                            "RETURN properties(m) AS p", id=report.id).single()
            if record is None:
                raise NotFound(translate("No monitoring report with id '%(id)s'.", id=report.id))
            current = report_from_record(record["p"])
            check_version(current.version, expected_version, "monitoring report", report.id)
            stored = MonitoringReport(**{**report.__dict__, "key": current.key, "created_at": current.created_at,
                                         "updated_at": now(), "version": current.version + 1})
            _refuse_unknown_organisations(tx, stored)
            tx.run("MATCH (m:MonitoringReport {id: $id}) SET m = $props", id=report.id,
                   props=report_record(stored)).consume()
            return stored

        return self._write(work)

    def list_monitoring_reports(self, query: MonitoringQuery = MonitoringQuery()) -> Page[MonitoringReport]:
        """Matching reports, latest visit first (then latest recorded, then by id)."""
        where, params = _filters(query)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[MonitoringReport]]:
            match = f"MATCH (m:MonitoringReport) WHERE {where} RETURN"
            total = tx.run(f"{match} count(m) AS n", params).single()["n"]
            clause, extra = window(query.limit, query.offset)
            rows = tx.run(f"{match} properties(m) AS p ORDER BY {_ORDER} {clause}", {**params, **extra})
            return int(total), [report_from_record(r["p"]) for r in rows]

        total, items = self._read(work)
        return Page(items, total, query.limit, query.offset)

    def iter_monitoring_reports(self) -> Iterator[MonitoringReport]:
        """Every report, latest visit first (read a page at a time)."""
        offset = 0
        while True:
            page = self.list_monitoring_reports(MonitoringQuery(limit=_PAGE, offset=offset)).items
            yield from page
            if len(page) < _PAGE:
                return
            offset += _PAGE


def _refuse_unknown_organisations(tx: neo4j.ManagedTransaction, report: MonitoringReport) -> None:
    for role in ("monitor", "facility"):
        org_id = getattr(report, role)
        if tx.run("MATCH (o:Organisation {id: $id}) RETURN o.id AS id", id=org_id).single() is None:
            unknown = (translate("The monitor '%(id)s' is not a known organisation.", id=org_id) if role == "monitor"
                       else translate("The facility '%(id)s' is not a known organisation.", id=org_id))
            raise InvalidData(unknown,
                              {role: [translate("No organisation with id '%(id)s'.", id=org_id)]})


def _filters(query: MonitoringQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    for name, clause in _CLAUSES.items():
        value = getattr(query, name)
        if value is not None:
            clauses.append(clause)
            params[name] = value.isoformat() if name in ("since", "until") else \
                list(value) if name == "facilities" else value
    return " AND ".join(clauses), params
