"""Organisations and links as JSON-safe dicts: the one encoding every adapter stores."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from network.errors import Conflict, StaleWrite
from network.model import Link, Organisation
from network.translation import N_, translate

__all__ = ["to_record", "organisation_from_record", "link_from_record", "now", "id_key", "moment", "stamp",
           "refuse_taken", "refuse_case_clashes", "stale", "ENTITIES"]

#: The records that keep a history, by the name ``GraphStore.history`` takes.
ENTITIES = ("organisation", "link")

_DATE_FIELDS = ("start_date", "end_date", "last_verified")

#: The store's refusals, one template per kind of record so the catalogs hold each: an id in use, an id in use
#: in another case, two ids of a batch differing only in case, a record changed since it was read.
_TAKEN = {"organisation": N_("An organisation with id '%(id)s' already exists."),
          "link": N_("A link with id '%(id)s' already exists."),
          "survey round": N_("A survey round with id '%(id)s' already exists.")}
_TAKEN_IN_CASE = {
    "organisation": N_("An organisation with id '%(holder)s' already exists; ids are unique regardless of case, so "
                       "'%(id)s' cannot be used."),
    "link": N_("A link with id '%(holder)s' already exists; ids are unique regardless of case, so '%(id)s' cannot "
               "be used."),
    "survey round": N_("A survey round with id '%(holder)s' already exists; ids are unique regardless of case, so "
                       "'%(id)s' cannot be used.")}
_CLASH = {"organisation": N_("The organisation id '%(id)s' differs only in case from '%(other)s'; ids are unique "
                             "regardless of case."),
          "link": N_("The link id '%(id)s' differs only in case from '%(other)s'; ids are unique regardless of "
                     "case.")}
_STALE = {
    "organisation": N_("The organisation '%(id)s' changed since it was read (version %(expected)s, now "
                       "%(current)s); reload it and apply the change again."),
    "link": N_("The link '%(id)s' changed since it was read (version %(expected)s, now %(current)s); reload it "
               "and apply the change again."),
    "monitoring report": N_("The monitoring report '%(id)s' changed since it was read (version %(expected)s, now "
                            "%(current)s); reload it and apply the change again.")}


def now() -> dt.datetime:
    """The current time in UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC)


def id_key(record_id: str) -> str:
    """The form of an id that uniqueness is judged on: ids are unique regardless of case.

    >>> id_key("MOU-2024-003") == id_key("mou-2024-003")
    True
    """
    return record_id.casefold()


def refuse_taken(noun: str, record_id: str, holder: str | None) -> None:
    """``Conflict`` when ``holder`` (the stored id with the same :func:`id_key`) exists."""
    if holder is None:
        return
    if holder == record_id:
        raise Conflict(translate(_TAKEN[noun], id=record_id),
                       {"id": [translate("'%(id)s' is already in use.", id=record_id)]})
    raise Conflict(translate(_TAKEN_IN_CASE[noun], id=record_id, holder=holder),
                   {"id": [translate("'%(id)s' differs only in case from '%(holder)s', which is in use.",
                                     id=record_id, holder=holder)]})


def refuse_case_clashes(noun: str, ids: Iterable[str], stored: Mapping[str, str]) -> None:
    """``Conflict`` when two ids differ only in case: two of ``ids``, or one of them and a stored one.

    ``stored`` maps the :func:`id_key` of stored ids to the ids as written.

    >>> refuse_case_clashes("link", ["L12", "L12", "l13"], {"l12": "L12"})
    >>> refuse_case_clashes("link", ["L12", "l12"], {})
    Traceback (most recent call last):
    ...
    network.errors.Conflict: The link id 'l12' differs only in case from 'L12'; ids are unique regardless of case.
    """
    seen = dict(stored)
    errors: dict[str, list[str]] = {}
    first: tuple[str, str] | None = None
    for record_id in ids:
        other = seen.setdefault(id_key(record_id), record_id)
        if other != record_id:
            first = first or (record_id, other)
            errors.setdefault(record_id, []).append(
                translate("'%(id)s' differs only in case from '%(other)s'; ids are unique regardless of case.",
                          id=record_id, other=other))
    if first is not None:
        raise Conflict(translate(_CLASH[noun], id=first[0], other=first[1]), errors)


def stale(noun: str, record_id: str, expected: int, current: int) -> StaleWrite:
    """The refusal of a write to the ``noun`` ``record_id`` read at version ``expected``, now ``current``.

    >>> stale("link", "l1", 2, 3).message
    "The link 'l1' changed since it was read (version 2, now 3); reload it and apply the change again."
    """
    return StaleWrite(translate(_STALE[noun], id=record_id, expected=expected, current=current))


def moment(as_of: dt.datetime | dt.date) -> dt.datetime:
    """The instant an ``as_of`` names, in UTC: a date is the end of that day, a naive time is UTC.

    >>> moment(dt.date(2026, 5, 1)).isoformat()
    '2026-05-01T23:59:59.999999+00:00'
    """
    if not isinstance(as_of, dt.datetime):
        return dt.datetime.combine(as_of, dt.time.max, dt.UTC)
    if as_of.tzinfo is None:
        return as_of.replace(tzinfo=dt.UTC)
    return as_of.astimezone(dt.UTC)


def stamp(at: dt.datetime) -> str:
    """A UTC instant as fixed-width text, so that texts sort as the instants do.

    >>> stamp(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    '2026-01-02T00:00:00.000000+00:00'
    """
    return moment(at).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def to_record(item: Organisation | Link) -> dict[str, Any]:
    """Encode an organisation or link: dates as ISO strings, everything else as is.

    >>> to_record(Link("l1", "a", "b", "mou", start_date=dt.date(2026, 1, 2)))["start_date"]
    '2026-01-02'
    """
    record: dict[str, Any] = {}
    for name in _FIELD_ORDER[type(item)]:
        value = getattr(item, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        record[name] = value
    return record


def organisation_from_record(record: dict[str, Any]) -> Organisation:
    """Decode what :func:`to_record` made of an organisation."""
    return Organisation(**_decode(record, Organisation))


def link_from_record(record: dict[str, Any]) -> Link:
    """Decode what :func:`to_record` made of a link."""
    return Link(**_decode(record, Link))


#: Field names in declaration order. The fields are flat (lists of text, one dict of text), so copying
#: lists and dicts is a full copy, without ``dataclasses.asdict``'s deep copy of every value.
_FIELD_ORDER = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Organisation, Link)}
_FIELD_NAMES = {cls: frozenset(names) for cls, names in _FIELD_ORDER.items()}


def _decode(record: dict[str, Any], cls: type) -> dict[str, Any]:
    names = _FIELD_NAMES[cls]
    values = {k: v for k, v in record.items() if k in names}
    for key in _DATE_FIELDS:
        if isinstance(values.get(key), str):
            values[key] = dt.date.fromisoformat(values[key])
    if isinstance(values.get("updated_at"), str):
        values["updated_at"] = dt.datetime.fromisoformat(values["updated_at"])
    return values
