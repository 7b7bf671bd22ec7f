"""``/api/v1/visual/network``: an offline HTML drawing of a filtered or ego subgraph."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from network.service import drawing
from network.service.scope import ViewArgs

from .auth import can_see_protected
from .common import Blueprint, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("visual", __name__, url_prefix="/api/v1/visual", description="Drawings of the network.")


class VisualArgs(ViewArgs, StrictSchema):
    """Which part of the network to draw, and what colours the organisations."""

    colour_by = fields.String(load_default="kind", validate=validate.OneOf(("kind", "province", "district")))


@blp.route("/network")
class NetworkDrawing(MethodView):
    @blp.arguments(VisualArgs, location="query")
    @blp.response(200, content_type="text/html")
    def get(self, args: dict[str, Any]) -> Response:
        """A standalone HTML page (vis-network inlined, nothing loaded from the internet)."""
        html, _ = drawing.page(get_store(), args, redacted=not can_see_protected(), colour_by=args["colour_by"])
        return Response(html, mimetype="text/html")
