"""``/api/v1/merge``: preview and apply the merge of two records of one organisation (admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from network.schemas import ID_PATTERN

from .auth import caller, require
from .common import Blueprint, OpenObject, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("merge", __name__, url_prefix="/api/v1/merge", description="Merge duplicate records (admins).")


class MergeBody(StrictSchema):
    """Which record to keep, which to fold into it, and whose value wins where both differ."""

    keep = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    drop = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    prefer = fields.String(load_default="keep", validate=validate.OneOf(["keep", "drop"]))
    choices = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(["keep", "drop"])),
                          load_default=dict, data_key="fields")

    @validates_schema
    def _two(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("keep") == data.get("drop"):
            raise ValidationError("Name two different organisations.", "drop")


@blp.route("/preview")
class MergePreview(MethodView):
    @require("admin")
    @blp.arguments(MergeBody)
    @blp.response(200, OpenObject)
    def post(self, body: dict[str, Any]) -> Any:
        """What merging ``drop`` into ``keep`` would change; nothing is written."""
        from network.service.merge import plan_merge

        return plan_merge(get_store(), body["keep"], body["drop"], prefer=body["prefer"],
                          choices=body["choices"]).to_dict()


@blp.route("")
class Merge(MethodView):
    @require("admin")
    @blp.arguments(MergeBody)
    @blp.response(200, OpenObject)
    def post(self, body: dict[str, Any]) -> Any:
        """Merge ``drop`` into ``keep``: links move, gaps are filled, ``drop`` is deleted."""
        from network.service.merge import apply_merge

        return apply_merge(get_store(), body["keep"], body["drop"], actor=caller().actor, prefer=body["prefer"],
                           choices=body["choices"]).to_dict()
