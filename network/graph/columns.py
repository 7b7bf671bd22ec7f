"""Records in their stored form, decoded a column at a time into the attributes of the analysis graph.

A store hands the projection its records as rows (tuples of the fields in the
model's order, as stored: ISO texts for dates, JSON texts for lists). Turning a
batch of rows into attribute dicts one field at a time lets each step run in
C (``map`` over a column, a lookup per distinct value) instead of a Python
call per record and field, and lets records share equal values: texts,
numbers, dates and lists are one object per distinct value in a batch (at
50,000 organisations the links' lists alone, mostly empty, were some 90 MB).
Like the graph they are part of, the lists are read-only: change a copy.
Mappings (an organisation's identifiers elsewhere) are new for every record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

from network.model import LINK_FIELDS, ORGANISATION_FIELDS, STORE_FIELDS, Link, Organisation

__all__ = ["ORGANISATION_ROW", "LINK_ROW", "stored_row", "empty_text", "organisation_attributes", "link_attributes",
           "compiled_plan"]

#: The fields of an organisation row and of a link row: every field of the model but the store's stamps
#: (``updated_at``, ``version``), which are the store's bookkeeping, not the network's.
ORGANISATION_ROW = tuple(name for name in ORGANISATION_FIELDS if name not in STORE_FIELDS)
LINK_ROW = tuple(name for name in LINK_FIELDS if name not in STORE_FIELDS)

Column = Sequence[Any]


def _defaults(cls: type) -> dict[str, Any]:
    """Each field's default in its stored form (lists and mappings as JSON text); fields without one left out."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING and f.default is not None:
            found[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            found[f.name] = json.dumps(f.default_factory())
    return found


#: Text fields whose values repeat (codes, places, who verified): one object per distinct value.
_REPEATED = frozenset({"kind", "status", "province", "district", "country", "source", "programme", "verified_by"})


def _kinds(cls: type) -> dict[str, str]:
    """How each field is decoded, from its type: list, mapping, date, flag, repeated text, or as stored."""
    kinds = {"list[str]": "list", "dict[str, str]": "mapping", "dt.date | None": "date",
             "bool": "flag"}
    return {f.name: kinds.get(str(f.type), "repeated" if f.name in _REPEATED else "plain")
            for f in dataclasses.fields(cls)}


_FIELDS = {Organisation: ORGANISATION_ROW, Link: LINK_ROW}
_DEFAULTS = {Organisation: _defaults(Organisation), Link: _defaults(Link)}
_KINDS = {Organisation: _kinds(Organisation), Link: _kinds(Link)}


def empty_text(cls: type, field: str) -> str | None:
    """The stored form of an empty list or mapping if ``field`` holds one (a store may hand it over as None).

    >>> empty_text(Link, "services"), empty_text(Organisation, "external_ids"), empty_text(Link, "kind")
    ('[]', '{}', None)
    """
    return {"list": "[]", "mapping": "{}"}.get(_KINDS[cls][field])


def stored_row(item: Organisation | Link) -> tuple[Any, ...]:
    """``item``'s row (:data:`ORGANISATION_ROW`, :data:`LINK_ROW`) as stores hand it over: dates as ISO
    text, lists and mappings as JSON text.

    >>> stored_row(Link("l1", "a", "b", "mou", services=["art"], start_date=dt.date(2026, 1, 2)))[:7]
    ('l1', 'a', 'b', 'mou', '["art"]', 'active', '2026-01-02')
    """
    return tuple(map(_stored, (getattr(item, name) for name in _FIELDS[type(item)])))


def _stored(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value



def _shared(column: Column, default: Any) -> list[Any]:
    """The column with one object per distinct value, None as ``default``."""
    distinct = dict(zip(column, column, strict=True))
    if None in distinct:
        distinct[None] = default
    return list(map(distinct.__getitem__, column))


def _decoded(column: Column, decode: Callable[[Any], Any], default: Any) -> list[Any]:
    """The column with each distinct text decoded once; anything else kept as it is, None as ``default``."""
    found = dict.fromkeys(column)
    for value in found:
        found[value] = decode(value) if isinstance(value, str) else value
    if default is not None and None in found:
        found[None] = decode(default)
    return list(map(found.__getitem__, column))


def _decode(cls: type, field: str, column: Column) -> Column | Iterable[Any]:
    """One field's column decoded: a missing value (None) is the field's default."""
    default = _DEFAULTS[cls].get(field)
    kind = _KINDS[cls][field]
    if kind == "list":
        return _decoded(column, json.loads, default)
    if kind == "mapping":
        return map(dict, _decoded(column, json.loads, default))
    if kind == "date":
        return _decoded(column, dt.date.fromisoformat, default)
    if kind == "flag":
        return map(bool, column)
    if kind == "repeated":
        return _shared(column, default)
    if default is not None and None in column:
        return [default if value is None else value for value in column]
    return column


class _Node:
    """Holds nothing: its instances' attribute dicts share one table of keys (PEP 412), see :func:`_attributes`."""


class _Edge:
    """As :class:`_Node`, for links (a separate class: the two have different keys)."""


def _attributes(holder: type, names: Sequence[str], cls: type, columns: Sequence[Column]) -> list[dict[str, Any]]:
    """One attribute dict per row, each the ``__dict__`` of a new ``holder``.

    The dicts of one class's instances share their table of keys, so a
    record's dict holds only its values: half the memory of a dict of its
    own. They are plain dicts in every other way; one given other keys or
    keys in another order gets a table of its own. They are made and filled
    in C (``dict.update`` mapped over the rows), not by a Python call per
    row; a field with the same value in every row (often a field nobody
    fills) is decoded once.
    """
    rows = len(columns[0])
    decoded = [repeat(next(iter(_decode(cls, name, column[:1]))), rows)
               if _KINDS[cls][name] != "mapping" and _constant(column) else _decode(cls, name, column)
               for name, column in zip(names, columns, strict=True)]
    _prime(holder, names)
    attributes = list(map(attrgetter("__dict__"), map(object.__new__, repeat(holder, rows))))
    deque(map(dict.update, attributes, map(zip, repeat(names), zip(*decoded, strict=True))), maxlen=0)
    return attributes


def _prime(holder: type, names: Sequence[str]) -> type:
    """``holder``, its instances' shared table of keys holding ``names`` in this order.

    The shared table must hold every key before any dict is filled: a dict
    made before a key joins it gets a table of its own when that key is set
    (twice the memory).
    """
    holder().__dict__.update(zip(names, repeat(None)))
    return holder


def _constant(column: Column) -> bool:
    """Whether every value of ``column`` is equal, of one type, and not a float (0.0 and -0.0 are equal)."""
    first = column[0]
    return (not isinstance(first, float) and column[-1] == first and column.count(first) == len(column)
            and len(set(map(type, column))) == 1)


def organisation_attributes(rows: Sequence[Sequence[Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The ids of organisation rows and each one's node attributes (every field of the row but ``id``).

    >>> organisation_attributes([stored_row(Organisation("a", "A", "cbo", services=["art"]))])[1][0]["services"]
    ['art']
    """
    if not rows:
        return [], []
    ids, *columns = zip(*rows, strict=True)
    return list(ids), _attributes(_Node, ORGANISATION_ROW[1:], Organisation, columns)


def link_attributes(rows: Sequence[Sequence[Any]]) -> tuple[list[str], list[str], list[str], list[dict[str, Any]]]:
    """The ids, sources and targets of link rows and each one's edge attributes (the row's other fields).

    >>> link_attributes([stored_row(Link("l1", "a", "b", "mou", formal=True))])[3][0]["formal"]
    True
    """
    if not rows:
        return [], [], [], []
    ids, sources, targets, *columns = zip(*rows, strict=True)
    return list(ids), list(sources), list(targets), _attributes(_Edge, LINK_ROW[3:], Link, columns)


#: How the compiled projection (``network.graph._projection``) reads each kind of field: 0 the value as stored,
#: 1 one object per distinct text (decoded, if the kind has a decoder), 2 a new dict per record, 3 a flag.
_HOW = {"plain": 0, "repeated": 1, "list": 1, "date": 1, "mapping": 2, "flag": 3}
_DECODERS: dict[str, Callable[[str], Any]] = {"list": json.loads, "mapping": json.loads,
                                              "date": dt.date.fromisoformat}
_HOLDERS = {Organisation: _Node, Link: _Edge}


def compiled_plan(cls: type) -> tuple[tuple[tuple[str, int, Callable[[str], Any] | None, Any], ...], type]:
    """How the compiled projection decodes the attributes of ``cls``'s rows, and the class whose instances'
    dicts it fills.

    The plan holds ``(name, how, decode, missing)`` per attribute (every field
    of the row after the id, or after the id and ends of a link): ``how`` as
    in :data:`_HOW`, ``decode`` the function of a distinct text (None: the
    text itself), ``missing`` the value of None. The holder's shared table of
    keys already holds the names, as for :func:`organisation_attributes`, so
    both ways give equal dicts that share their keys.

    >>> plan, holder = compiled_plan(Link)
    >>> plan[0][:2], plan[1][:2], plan[1][3], holder.__name__
    (('kind', 1), ('services', 1), [], '_Edge')
    """
    names = _FIELDS[cls][1 if cls is Organisation else 3:]
    plan = []
    for name in names:
        kind, default = _KINDS[cls][name], _DEFAULTS[cls].get(name)
        decode = _DECODERS.get(kind)
        missing = decode(default) if decode is not None and default is not None else default
        plan.append((name, _HOW[kind], decode, missing))
    return tuple(plan), _prime(_HOLDERS[cls], names)
