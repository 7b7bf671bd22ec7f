"""``/api/v1/audit``: the audit log of writes (who, when, what changed), readable by admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields

from network.graph.store import AuditQuery

from .auth import require
from .common import Blueprint, PageArgs, PageSchema, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log of writes (admins).")


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


class AuditPageSchema(PageSchema):
    """A page of the audit log, newest first."""

    items = fields.List(fields.Nested(AuditEntrySchema))


@blp.route("")
class AuditLog(MethodView):
    """The audit log."""

    @require("admin")
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List recorded writes, newest first (admins)."""
        return get_store().list_audit(AuditQuery(**args))
