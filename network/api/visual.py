"""``/api/v1/visual/network``: an offline HTML drawing of a filtered or ego subgraph."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from network.service import analyses

from .auth import can_see_protected
from .common import Blueprint, StrictSchema, code_field
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("visual", __name__, url_prefix="/api/v1/visual", description="Drawings of the network.")


class VisualArgs(StrictSchema):
    """Which part of the network to draw."""

    province = code_field("provinces", "province")
    district = code_field("districts", "district")
    kind = code_field("organisation_kinds", "organisation kind")
    service = code_field("services", "service")
    population = code_field("populations", "population")
    link_kind = code_field("link_kinds", "link kind")
    ego = fields.String(validate=validate.Length(min=1, max=100),
                        metadata={"description": "Draw this organisation and its neighbours up to `depth` links."})
    depth = fields.Integer(load_default=1, validate=validate.Range(1, 4))
    as_of = fields.Date()
    colour_by = fields.String(load_default="kind", validate=validate.OneOf(("kind", "province", "district")))


@blp.route("/network")
class NetworkDrawing(MethodView):
    @blp.arguments(VisualArgs, location="query")
    @blp.response(200, content_type="text/html")
    def get(self, args: dict[str, Any]) -> Response:
        """A standalone HTML page (vis-network inlined, nothing loaded from the internet)."""
        from network.visual import default_highlights, ego_subgraph, filter_graph, network_html

        hide = not can_see_protected()
        G = analyses.analysis_graph(get_store(), as_of=args.get("as_of"), redacted=hide)
        if args.get("ego"):
            G = ego_subgraph(G, args["ego"], args["depth"])
        H = filter_graph(G, **{k: args.get(k) for k in ("province", "district", "kind", "service", "population",
                                                        "link_kind")}).copy()
        page = network_html(H, title=_title(args), colour_by=args["colour_by"], hide_protected=hide,
                            highlight=default_highlights(H, as_of=args.get("as_of")), as_of=args.get("as_of"))
        return Response(page, mimetype="text/html")


def _title(args: dict[str, Any]) -> str:
    parts = [str(args[k]) for k in ("province", "district", "kind", "service", "population", "link_kind")
             if args.get(k)]
    if args.get("ego"):
        parts.insert(0, f"around {args['ego']}")
    return "cssnet network" + (f": {', '.join(parts)}" if parts else "")
