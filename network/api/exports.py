"""``/api/v1/export``: the whole network as a file (sensitive fields hidden unless an editor asks)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from network.service.transfer import EXPORT_FORMATS, export_bytes

from .auth import can_see_protected
from .common import Blueprint, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("export", __name__, url_prefix="/api/v1/export", description="Export the network.")

class ExportArgs(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(tuple(EXPORT_FORMATS)),
                           metadata={"description": "; ".join(f"{name}: {spec.description}"
                                                             for name, spec in EXPORT_FORMATS.items())})


@blp.route("")
class Export(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, args: dict[str, Any]) -> Response:
        """Download the network in one format, as an attachment."""
        content, mimetype, filename = export_bytes(get_store(), args["format"],
                                                   hide_protected=not can_see_protected())
        return Response(content, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
