"""Organisations and links as JSON-safe dicts: the one encoding every adapter stores."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from network.model import Link, Organisation

__all__ = ["to_record", "organisation_from_record", "link_from_record", "now"]

_DATE_FIELDS = ("start_date", "end_date", "last_verified")


def now() -> dt.datetime:
    """The current time in UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC)


def to_record(item: Organisation | Link) -> dict[str, Any]:
    """Encode an organisation or link: dates as ISO strings, everything else as is.

    >>> to_record(Link("l1", "a", "b", "mou", start_date=dt.date(2026, 1, 2)))["start_date"]
    '2026-01-02'
    """
    record = dataclasses.asdict(item)
    for key, value in record.items():
        if isinstance(value, dt.date):
            record[key] = value.isoformat()
    return record


def organisation_from_record(record: dict[str, Any]) -> Organisation:
    """Decode what :func:`to_record` made of an organisation."""
    return Organisation(**_decode(record, Organisation))


def link_from_record(record: dict[str, Any]) -> Link:
    """Decode what :func:`to_record` made of a link."""
    return Link(**_decode(record, Link))


_FIELD_NAMES = {cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in (Organisation, Link)}


def _decode(record: dict[str, Any], cls: type) -> dict[str, Any]:
    names = _FIELD_NAMES[cls]
    values = {k: v for k, v in record.items() if k in names}
    for key in _DATE_FIELDS:
        if isinstance(values.get(key), str):
            values[key] = dt.date.fromisoformat(values[key])
    if isinstance(values.get("updated_at"), str):
        values["updated_at"] = dt.datetime.fromisoformat(values["updated_at"])
    return values
