"""Community-led monitoring reports: recorded once per submission, escalated, read, and turned into findings.

**Who may record.** Editors and admins record reports for any monitoring
organisation. A token bound to an organisation (``Token.organisation``, as a
``referrer`` token is) records reports whose monitor is that organisation,
and moves their escalation on; nobody else writes them (``NotAllowed``).
Reports are about facilities, so anyone who may read the network reads them.

**Exactly once.** Each submission carries an idempotency key (the client's,
or one made here). Sending the same report again with a key already stored
returns the stored report and writes nothing; the same key with a different
report is a ``Conflict``. The lookup and the write happen in one transaction,
and the store refuses a second report with a key it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from network.analysis.barriers import WINDOW_DAYS, recent_barriers, repeated_barriers
from network.analysis.finding import Finding
from network.analysis.words import long_date
from network.errors import Conflict, InvalidData, NotAllowed
from network.graph.store import GraphStore, Page
from network.model import today
from network.monitoring import (
    FIRST_ESCALATION,
    KEY_PATTERN,
    MonitoringQuery,
    MonitoringReport,
    dump_report,
    load_escalation,
    load_report_input,
)
from network.translation import translate

from . import audit
from .audit import Actor

__all__ = ["Recorder", "record_report", "set_escalation", "report", "reports", "recent_at",
           "findings", "import_reports_csv", "with_barriers"]


class Recorder:
    """Who asks to write: an editor (or admin) or not, and the organisation their token is bound to, if any."""

    def __init__(self, *, editor: bool, organisation: str | None = None) -> None:
        self.editor, self.organisation = editor, organisation

    def check(self, monitor: str) -> None:
        """``NotAllowed`` unless this recorder may write reports of ``monitor``."""
        if self.editor or (self.organisation is not None and self.organisation == monitor):
            return
        if self.organisation is not None:
            raise NotAllowed(translate("Your token records for '%(org)s' only, not for '%(monitor)s'.",
                                       org=self.organisation, monitor=monitor))
        raise NotAllowed(translate("Recording a monitoring report needs an editor's token or a token of the "
                                   "monitoring organisation."))


_SAME = ("monitor", "facility", "observed_on", "barriers", "note", "escalation")


def record_report(store: GraphStore, data: Any, *, actor: Actor, recorder: Recorder,
                  key: str | None = None) -> tuple[MonitoringReport, bool]:
    """Validate and store a new report with its audit entry; returns it and whether it was stored now.

    ``key`` is the submission's idempotency key (one is made when none is
    given): a key already stored returns the stored report (``False``) if the
    report is the same, else ``Conflict``. ``InvalidData`` (422) for a bad
    field, an unknown field or organisation, or a bad key; ``NotAllowed``
    (403) for a recorder who may not record for the monitor.
    """
    fields = load_report_input(data)
    if key is not None and not re.match(KEY_PATTERN, key):
        raise InvalidData(translate("The idempotency key must be 8-100 letters, digits, '-' or '_'."),
                          {"Idempotency-Key": [translate("Use 8-100 letters, digits, '-' or '_'.")]})
    recorder.check(fields["monitor"])
    with store.transaction(actor=actor.key):
        return _record(store, fields, key or uuid.uuid4().hex, f"MR-{secrets.token_hex(4).upper()}", actor)


def _record(store: GraphStore, fields: dict[str, Any], key: str, report_id: str,
            actor: Actor | None) -> tuple[MonitoringReport, bool]:
    """Inside the caller's transaction: the report stored under ``key`` already, or a new one (audited for
    ``actor``; with none, the caller audits the whole write)."""
    wanted = MonitoringReport(id=report_id, monitor=fields["monitor"], facility=fields["facility"],
                              observed_on=fields["date"], barriers=fields["barriers"], note=fields["note"],
                              escalation=fields["escalation"], key=key)
    held = store.list_monitoring_reports(MonitoringQuery(key=key, limit=1)).items
    if held:
        if any(getattr(held[0], name) != getattr(wanted, name) for name in _SAME):
            raise Conflict(translate("This idempotency key was already used for a different monitoring report; "
                                     "send a new key with a new report."))
        return held[0], False
    stored = store.create_monitoring_report(wanted)
    if actor is not None:
        audit.record(store, actor, "create", "monitoring_report", stored.id, {"after": dump_report(stored)})
    return stored, True


def import_reports_csv(store: GraphStore, path: str | Path, *, actor: Actor) -> int:
    """Store the reports of a CSV file, all or none; returns how many were new.

    Columns: ``id``, ``monitor``, ``facility``, ``date``, ``barriers``
    (separated by ';'), ``note``, ``escalation``. Each row is checked as a
    client's report is (``InvalidData`` naming the row), and keyed by its
    ``id``, so loading the same file again stores nothing twice. Written by
    ``actor`` inside the caller's audited write (the demo's seeding), with no
    audit entry of each report.
    """
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    new = 0
    with store.transaction(actor=actor.key):
        for number, row in enumerate(rows, start=2):
            data = {"monitor": row.get("monitor", ""), "facility": row.get("facility", ""),
                    "date": row.get("date", ""), "barriers": [b for b in (row.get("barriers") or "").split(";") if b],
                    "note": row.get("note") or "", "escalation": row.get("escalation") or FIRST_ESCALATION}
            try:
                new += _record(store, load_report_input(data), f"import-{row.get('id', '')}", row.get("id", ""),
                               None)[1]
            except InvalidData as err:
                raise InvalidData(f"{Path(path).name} row {number}: {err.message}", err.errors) from None
    return new


def set_escalation(store: GraphStore, report_id: str, data: Any, *, expected_version: int, actor: Actor,
                   recorder: Recorder) -> MonitoringReport:
    """Move a report's escalation on (or back), if it is still at ``expected_version``; audited with the change."""
    escalation = load_escalation(data)
    with store.transaction(actor=actor.key):
        current = store.get_monitoring_report(report_id)
        recorder.check(current.monitor)
        changed = MonitoringReport(**{**current.__dict__, "escalation": escalation})
        stored = store.update_monitoring_report(changed, expected_version=expected_version)
        audit.record(store, actor, "update", "monitoring_report", report_id,
                     {"escalation": {"before": current.escalation, "after": stored.escalation}})
    return stored


def report(store: GraphStore, report_id: str) -> MonitoringReport:
    """One report (``NotFound`` if none)."""
    return store.get_monitoring_report(report_id)


def reports(store: GraphStore, query: MonitoringQuery) -> Page[MonitoringReport]:
    """A page of matching reports, latest visit first."""
    return store.list_monitoring_reports(query)


def _window(store: GraphStore, day: dt.date, facilities: Sequence[str] | None = None) -> list[MonitoringReport]:
    query = MonitoringQuery(since=day - dt.timedelta(days=WINDOW_DAYS), until=day, limit=None,
                            facilities=tuple(facilities) if facilities is not None else None)
    return store.list_monitoring_reports(query).items


def recent_at(store: GraphStore, facilities: Sequence[str], *, as_of: dt.date | None = None
              ) -> dict[str, list[dict[str, Any]]]:
    """The barriers still open at each of ``facilities`` in the last 90 days (see ``analysis.barriers``), JSON-ready:
    ``last`` as an ISO date and ``last_label`` as people write it."""
    day = as_of or today()
    if not facilities:
        return {}
    found = recent_barriers(_window(store, day, facilities), as_of=day)
    return {facility: [{**b, "last": b["last"].isoformat(), "last_label": long_date(b["last"])} for b in items]
            for facility, items in found.items()}


def findings(store: GraphStore, G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """The ``repeated_barrier`` findings on ``as_of`` (default today), named from ``G``."""
    day = as_of or today()
    return repeated_barriers(G, _window(store, day), as_of=day)


def with_barriers(store: GraphStore, plans: Sequence[dict[str, Any]], *, as_of: dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """Referral plans (as ``analyses.pathways`` gives them) whose every step also says ``barriers``: what
    monitors met lately at that provider (:func:`recent_at`; ``[]`` for none). The plans given are not changed."""
    providers = sorted({step["organisation"] for plan in plans for step in plan.get("steps", [])})
    found = recent_at(store, providers, as_of=as_of)
    return [{**plan, "steps": [{**step, "barriers": found.get(step["organisation"], [])}
                               for step in plan.get("steps", [])]} for plan in plans]
