"""The audit log: every write recorded (who, when, what changed), readable by admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from marshmallow import fields

from network.graph.store import AuditEntry, AuditQuery

from .auth import caller, require
from .common import Blueprint, PageArgs, StrictSchema
from .state import get_store

__all__ = ["blp", "record", "field_changes"]

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log of writes (admins).")


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: {"before": ..., "after": ...}}`` for every field that differs (store stamps left out)."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if name not in ("updated_at", "version") and before.get(name) != after.get(name)
    }


def record(action: str, entity: str, entity_id: str, changes: dict[str, Any]) -> None:
    """Append an audit entry for a write the current caller made."""
    get_store().record_audit(AuditEntry(at=dt.datetime.now(dt.UTC), actor=caller().name, action=action,
                                        entity=entity, entity_id=entity_id, changes=changes))


class AuditArgs(PageArgs):
    """Filters of the audit log."""

    entity_id = fields.String(metadata={"description": "Only writes to this record."})
    actor = fields.String(metadata={"description": "Only writes by this token name."})


class AuditEntrySchema(StrictSchema):
    """One recorded write."""

    id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    changes = fields.Dict()


class AuditPageSchema(StrictSchema):
    """A page of the audit log, newest first."""

    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    limit = fields.Integer(allow_none=True)
    offset = fields.Integer()


@blp.route("")
class AuditLog(MethodView):
    """The audit log."""

    @require("admin")
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List recorded writes, newest first (admins)."""
        return get_store().list_audit(AuditQuery(**args))
