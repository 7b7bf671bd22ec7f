"""Records over time: ``/api/v1/organisations/{id}/history``, ``/api/v1/links/{id}/history`` and
``/api/v1/analysis/diff``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError, fields

from network.graph.store import Entity
from network.service import history
from network.translation import in_words, sentence

from .auth import caller, can_see_protected
from .common import Blueprint, OpenObject, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("history", __name__, url_prefix="/api/v1",
                description="Records over time: the versions of a record, and what changed between two dates.")


class MomentField(fields.Field):
    """A date (meaning the end of that day) or a time in ISO 8601 (UTC unless an offset is given)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> history.Moment:
        try:
            return history.parse_moment(str(value))
        except ValueError:
            raise ValidationError(f"Give a date (2026-05-01) or a time (2026-05-01T09:30:00) from the years "
                                  f"{history.YEARS[0]} to {history.YEARS[1]}.") from None


class VersionSchema(StrictSchema):
    """One version of a record, and what changed from the one before, in plain words."""

    version = fields.Integer()
    action = fields.String(metadata={"description": "create, update, delete or import."})
    action_label = fields.String()
    valid_from = fields.String(metadata={"description": "When this version began to stand (ISO 8601)."})
    valid_to = fields.String(allow_none=True, metadata={"description": "When the next began; null while it stands."})
    who = fields.String(metadata={"description": "Who made it (a token's name for admins)."})
    changes = fields.List(fields.String(), metadata={"description": "What changed, one sentence each."})
    record = fields.Dict(allow_none=True, metadata={"description": "The record as it stood; null for a deletion."})


class VersionList(StrictSchema):
    """A record's versions, oldest first."""

    items = fields.List(fields.Nested(VersionSchema))
    total = fields.Integer()


class DiffArgs(StrictSchema):
    """The two moments compared."""

    since = MomentField(data_key="from", metadata={
        "description": "The first date or time (default: 91 days before the second).",
        "type": "string", "example": "2026-09-01"})
    until = MomentField(data_key="to", metadata={
        "description": "The second date or time (default: today).", "type": "string", "example": "2026-11-30"})


def _listed(items: list[Any]) -> dict[str, Any]:
    return {"items": items, "total": len(items)}


def _versions(entity: Entity, record_id: str) -> dict[str, Any]:
    found = history.versions(get_store(), entity, record_id, redacted=not can_see_protected(),
                             named=caller().at_least("admin"))
    return _listed([{**v, "changes": [sentence(said) for said in v["changes"]]} for v in found])


@blp.route("/organisations/<path:org_id>/history")
class OrganisationHistory(MethodView):
    @blp.response(200, VersionList)
    @blp.alt_response(404, description="No organisation with this id, now or before.")
    def get(self, org_id: str) -> Any:
        """The versions of an organisation, oldest first, with who made each and what changed; 404 if unknown."""
        return _versions("organisation", org_id)


@blp.route("/links/<path:link_id>/history")
class LinkHistory(MethodView):
    @blp.response(200, VersionList)
    @blp.alt_response(404, description="No link with this id, now or before.")
    def get(self, link_id: str) -> Any:
        """The versions of a link, oldest first, with who made each and what changed; 404 if unknown."""
        return _versions("link", link_id)


@blp.route("/analysis/diff")
class Diff(MethodView):
    @blp.arguments(DiffArgs, location="query")
    @blp.response(200, OpenObject)
    def get(self, args: dict[str, Any]) -> Any:
        """What changed between two dates: records added, closed, expired and renewed; findings that appeared
        and were resolved; agenda items closed."""
        return in_words(history.diff(get_store(), args.get("since"), args.get("until"),
                                     redacted=not can_see_protected()))
