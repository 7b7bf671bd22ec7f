"""Who writes, and the audit entry each write leaves, in the same transaction as the write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from network.graph.store import AuditEntry, GraphStore

__all__ = ["Actor", "CLI", "SYSTEM", "record", "field_changes"]


@dataclass(frozen=True)
class Actor:
    """Who writes: ``key`` names them to the store's history (``token:<id>``, ``cli``), ``name`` in the audit log."""

    key: str
    name: str


#: The local administrator at the command line.
CLI = Actor("cli", "cli")
#: Writes no person asked for (a test fixture, a benchmark).
SYSTEM = Actor("system", "system")


def record(store: GraphStore, actor: Actor, action: str, entity: str, entity_id: str,
           changes: dict[str, Any]) -> None:
    """Append an audit entry; call it inside the write's ``store.transaction`` so both commit or neither."""
    store.record_audit(AuditEntry(at=dt.datetime.now(dt.UTC), actor=actor.name, action=action, entity=entity,
                                  entity_id=entity_id, changes=changes))


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: {"before": ..., "after": ...}}`` for every field that differs (store stamps left out).

    >>> field_changes({"name": "A", "version": 1}, {"name": "B", "version": 2})
    {'name': {'before': 'A', 'after': 'B'}}
    """
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if name not in ("updated_at", "version") and before.get(name) != after.get(name)
    }
