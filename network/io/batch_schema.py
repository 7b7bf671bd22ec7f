"""Marshmallow schemas that load many rows fast: each distinct cell value is checked by its field once.

A file of a hundred thousand links repeats the same kinds, statuses, service
lists, dates and weights on row after row. :func:`batch_schema` gives an
instance of a schema (``OrganisationSchema``, ``LinkSchema``) whose
``load`` still runs every row through marshmallow (pre-load hooks, every
field, the schema's validators, post-load), but remembers what each field
made of a value it has accepted before and takes that instead of
deserializing and validating the value again. A row with any problem is
loaded again by marshmallow's own field loop, so refusals carry exactly the
messages the plain schema gives.

Only values that are text, whole numbers, booleans or lists of text are
remembered, at most :data:`VALUES_PER_FIELD` per field; a field whose values
rarely come again (an id column) stops remembering after
:data:`TRIAL_LOOKUPS` look-ups (the ends of links, which name each
organisation many times, keep on). Lists and dicts are copied out, never
shared between records. Make one batch schema per import: what it remembers was
judged against the vocabulary and the day of that import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing

__all__ = ["batch_schema", "VALUES_PER_FIELD", "TRIAL_LOOKUPS", "RARELY"]

#: How many accepted values each field remembers at most.
VALUES_PER_FIELD = 1 << 18
#: Look-ups after which a field that found a remembered value in fewer than one look-up in :data:`RARELY`
#: stops remembering.
TRIAL_LOOKUPS = 20_000
RARELY = 100

S = TypeVar("S", bound=Schema)
_NOT_SEEN = object()


def batch_schema(schema_class: type[S]) -> S:
    """A fresh instance of ``schema_class`` that remembers the values its fields accepted (see the module).

    >>> from network.schemas import LinkSchema
    >>> schema = batch_schema(LinkSchema)
    >>> [schema.load({"id": f"l{i}", "source": "a", "target": "b", "kind": "mou"}).id for i in (1, 2)]
    ['l1', 'l2']
    """
    fast = type(f"Batch{schema_class.__name__}", (_RememberingLoad, schema_class), {})
    return fast()


class _RememberingLoad(Schema):
    """Replaces the per-field loop of ``Schema._deserialize`` for one row; anything unusual goes to it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._plan = [(field.data_key or name, field.attribute or name, field, _Memory(),
                       isinstance(field, fields.List | fields.Dict))
                      for name, field in self.load_fields.items()]
        self._known = frozenset(key for key, *_ in self._plan)

    def _deserialize(self, data: Any, *, error_store: Any, many: bool = False, partial: Any = None,
                     unknown: Any = None, index: Any = None) -> Any:
        plain = {"error_store": error_store, "many": many, "partial": partial, "unknown": unknown, "index": index}
        if many or partial or unknown == EXCLUDE or not isinstance(data, Mapping) or not self._known.issuperset(data):
            return super()._deserialize(data, **plain)
        out = self.dict_class()
        for key, attribute, field, memory, mutable in self._plan:
            raw = data.get(key, missing)
            if raw is missing and not field.required:
                default = field.load_default  # what Field.deserialize gives a value left out
                value = default() if callable(default) else default
                if value is not missing:
                    out[attribute] = value
                continue
            found = (raw if type(raw) is str else _key(raw)) if memory.on else None
            value = memory.recall(found) if found is not None else _NOT_SEEN
            if value is _NOT_SEEN:
                try:
                    value = field.deserialize(raw, key, data)
                except ValidationError:
                    return super()._deserialize(data, **plain)
                if found is not None:
                    memory.keep(found, value)
            if value is not missing:
                out[attribute] = _copy(value) if mutable else value
        return out


class _Memory:
    """The values one field accepted, by their key, and how often a look-up found one."""

    __slots__ = ("values", "lookups", "found", "on")

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}
        self.lookups = self.found = 0
        self.on = True

    def recall(self, key: Any) -> Any:
        value = self.values.get(key, _NOT_SEEN)
        self.lookups += 1
        if value is not _NOT_SEEN:
            self.found += 1
        elif self.lookups >= TRIAL_LOOKUPS and self.found * RARELY < self.lookups:
            self.on, self.values = False, {}
        return value

    def keep(self, key: Any, value: Any) -> None:
        if self.on and len(self.values) < VALUES_PER_FIELD:
            self.values[key] = value


def _key(raw: Any) -> tuple[Any, ...] | None:
    """What a remembered value other than text is found by: its type with it (``True`` is not ``1``); ``None``:
    not remembered. Text is found by itself (a text never equals a tuple)."""
    kind = type(raw)
    if kind is int or kind is bool:
        return kind, raw
    if kind is list and all(type(item) is str for item in raw):
        return kind, *raw
    return None


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
