"""Community-led monitoring reports: what a monitoring organisation met at a facility on one day.

A report names the monitoring organisation (``monitor``), the facility (an
organisation id), the day, the barriers met there (codes of
``seed/vocabulary/monitoring.json``), a short note about the facility and
where the problem has been raised (``escalation``, which can change later).
It never holds anything about a person: the input schema refuses fields it
does not know, the note is short, and a note carrying a phone or ID number
(seven digits or more in a row) or an e-mail address is refused.

``key`` is the idempotency key of the submission that stored the report: a
client that sends the same report again with the same key (a queued form
sent twice when the signal came back) gets the stored report, not a second one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from network.errors import InvalidData
from network.model import seed_dir, today
from network.schemas import ID_PATTERN, Text, problem_lines
from network.translation import N_, lazy, translate

__all__ = ["MonitoringReport", "MonitoringQuery", "MonitoringVocabulary", "monitoring_vocabulary",
           "NOTE_LIMIT", "KEY_PATTERN", "report_record", "report_from_record", "load_report_input",
           "load_escalation", "dump_report", "code_check"]

#: The longest note a report may carry (characters).
NOTE_LIMIT = 280
#: An idempotency key: what a browser's ``crypto.randomUUID()`` makes, or any 8-100 letters, digits, '-' or '_'.
KEY_PATTERN = r"^[A-Za-z0-9_-]{8,100}$"
#: The escalation of a report that says nothing else: the facility has been told.
FIRST_ESCALATION = "raised_with_facility"

_PERSONAL = re.compile(r"\d[\d ]{6,}\d|\d{7,}|[^\s@]+@[^\s@]+")


@dataclass
class MonitoringReport:
    """One monitoring visit: who monitored, which facility, when, what was met, where it has been raised."""

    id: str
    monitor: str
    facility: str
    observed_on: dt.date
    barriers: list[str]
    note: str = ""
    escalation: str = FIRST_ESCALATION
    key: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class MonitoringQuery:
    """Filters and a page window over monitoring reports (newest visit first); ``None`` means no filter.

    ``since`` and ``until`` bound the visit day (both included); ``facilities``
    keeps reports about any of those facilities.
    """

    facility: str | None = None
    facilities: tuple[str, ...] | None = None
    monitor: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    barrier: str | None = None
    escalation: str | None = None
    key: str | None = None
    limit: int | None = 50
    offset: int = 0


@dataclass(frozen=True)
class MonitoringVocabulary:
    """The barriers and escalation steps a report may name, code -> plain label."""

    barriers: dict[str, str] = field(default_factory=dict)
    escalations: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _vocabulary(folder: str) -> MonitoringVocabulary:
    with open(f"{folder}/vocabulary/monitoring.json", encoding="utf-8") as handle:
        data = json.load(handle)
    return MonitoringVocabulary({b["code"]: b["label"] for b in data["barriers"]},
                                {e["code"]: e["label"] for e in data["escalations"]})


def monitoring_vocabulary() -> MonitoringVocabulary:
    """The monitoring vocabulary in force (``seed/vocabulary/monitoring.json``).

    >>> monitoring_vocabulary().barriers["refused_no_documents"]
    'Turned away without documents'
    """
    return _vocabulary(str(seed_dir()))


def report_record(report: MonitoringReport) -> dict[str, Any]:
    """The report as a JSON-safe dict (dates and times as ISO text): what every store keeps."""
    data = dataclasses.asdict(report)
    data["observed_on"] = report.observed_on.isoformat()
    for name in ("created_at", "updated_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


def report_from_record(data: dict[str, Any]) -> MonitoringReport:
    """The report a store kept (:func:`report_record`'s output)."""
    values = {f.name: data.get(f.name) for f in dataclasses.fields(MonitoringReport) if f.name in data}
    values["observed_on"] = dt.date.fromisoformat(data["observed_on"])
    values["barriers"] = list(data.get("barriers") or [])
    values["note"] = data.get("note") or ""
    for name in ("created_at", "updated_at"):
        values[name] = dt.datetime.fromisoformat(data[name]) if data.get(name) else None
    values["version"] = int(data.get("version") or 0)
    return MonitoringReport(**values)


def code_check(facet: str, noun: str) -> Any:
    """A validator accepting only codes of the monitoring vocabulary's ``facet`` (``barriers``, ``escalations``)."""

    def check(value: str) -> None:
        known = getattr(monitoring_vocabulary(), facet)
        if value not in known:
            raise ValidationError(translate("Unknown %(noun)s '%(value)s': use one of %(known)s.", noun=translate(noun),
                                            value=value, known=", ".join(known)))

    return check


def _about_the_facility(note: str) -> None:
    if _PERSONAL.search(note):
        raise ValidationError(translate("Write about the facility, never about a person: leave out phone numbers, "
                                        "ID numbers and e-mail addresses."))


def _plausible_day(day: dt.date) -> None:
    latest = today() + dt.timedelta(days=1)
    if day > latest or day < dt.date(2000, 1, 1):
        raise ValidationError(translate("Give the day of the visit, between 2000-01-01 and %(latest)s.",
                                        latest=latest.isoformat()))


class ReportInput(Schema):
    """A new monitoring report as a client sends it; any other field is refused."""

    class Meta:
        unknown = RAISE

    monitor = fields.String(required=True, validate=validate.Regexp(ID_PATTERN),
                            metadata={"description": "The monitoring organisation's id."})
    facility = fields.String(required=True, validate=validate.Regexp(ID_PATTERN),
                             metadata={"description": "The facility's id (an organisation)."})
    date = fields.Date(required=True, validate=_plausible_day, metadata={"description": "The day of the visit."})
    barriers = fields.List(fields.String(validate=code_check("barriers", N_("barrier"))), required=True,
                           validate=validate.Length(min=1, max=20, error=lazy("Name 1 to {max} barriers.")))
    note = Text(load_default="", validate=[validate.Length(max=NOTE_LIMIT), _about_the_facility],
                metadata={"description": f"At most {NOTE_LIMIT} characters about the facility, never a person."})
    escalation = fields.String(load_default=FIRST_ESCALATION, validate=code_check("escalations", N_("escalation")))

    @pre_load
    def _no_note(self, data: Any, **_: Any) -> Any:
        """An empty note is no note (a form sends its empty box)."""
        if isinstance(data, dict) and isinstance(data.get("note"), str) and not data["note"].strip():
            return {k: v for k, v in data.items() if k != "note"}
        return data

    @validates_schema
    def _two_organisations(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("monitor") and data.get("monitor") == data.get("facility"):
            raise ValidationError(translate("The facility is the organisation monitored: it cannot be the monitor "
                                            "itself."), "facility")


class EscalationInput(Schema):
    """A change of a report's escalation."""

    class Meta:
        unknown = RAISE

    escalation = fields.String(required=True, validate=code_check("escalations", "escalation"))


_REPORT_INPUT = ReportInput()
_ESCALATION_INPUT = EscalationInput()


def _load(schema: Schema, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidData(translate("A monitoring report must be a JSON object."),
                          {"_schema": [translate("Not an object.")]})
    try:
        return schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise InvalidData("; ".join(problem_lines(messages)), messages) from None


def load_report_input(data: Any) -> dict[str, Any]:
    """Validate a new report's fields (``InvalidData`` naming each bad field), barriers without repeats.

    >>> load_report_input({"monitor": "m", "facility": "f", "date": "2026-01-05",
    ...                    "barriers": ["stockout", "stockout"]})["barriers"]
    ['stockout']
    >>> load_report_input({"monitor": "m", "facility": "f", "date": "2026-01-05", "barriers": ["stockout"],
    ...                    "name": "Thabo"})
    Traceback (most recent call last):
    network.errors.InvalidData: name: Unknown field.
    """
    loaded = _load(_REPORT_INPUT, data)
    loaded["barriers"] = list(dict.fromkeys(loaded["barriers"]))
    return loaded


def load_escalation(data: Any) -> str:
    """The escalation a change asks for (``InvalidData`` if unknown)."""
    return _load(_ESCALATION_INPUT, data)["escalation"]


def dump_report(report: MonitoringReport) -> dict[str, Any]:
    """The report as JSON for clients, with plain labels beside the codes."""
    words = monitoring_vocabulary()
    data = report_record(report)
    data.pop("key")
    data["barrier_labels"] = [words.barriers.get(b, b) for b in report.barriers]
    data["escalation_label"] = words.escalations.get(report.escalation, report.escalation)
    return data
