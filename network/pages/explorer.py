"""The explorer: the interactive network, filtered or around one organisation; districts when large."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template, request
from flask_babel import get_locale, gettext, lazy_gettext
from marshmallow import EXCLUDE, ValidationError, fields, validate

from network.api.auth import caller
from network.api.errors import error_response
from network.api.state import get_store
from network.errors import NotFound
from network.schemas import problem_lines
from network.service import drawing
from network.service.scope import ViewArgs
from network.visual import AGGREGATE_ABOVE, cluster_members, cluster_overview, network_data, vis_asset

from .blueprint import bp
from .common import choices, drawings, findings, flat, hide, labelled, load
from .labels import label

__all__ = ["explorer", "explorer_members", "vendor"]

#: The drawing's words about colouring links by survey scores (``network.visual`` and
#: ``service.drawing.colour_by_ties`` write them in English), in the page's language.
_TIE_WORDS = {
    "trust low (below 2)": lazy_gettext("trust low (below 2)"),
    "trust middling (2 to 3)": lazy_gettext("trust middling (2 to 3)"),
    "trust high (3 or more)": lazy_gettext("trust high (3 or more)"),
    "value low (below 2)": lazy_gettext("value low (below 2)"),
    "value middling (2 to 3)": lazy_gettext("value middling (2 to 3)"),
    "value high (3 or more)": lazy_gettext("value high (3 or more)"),
    "not rated": lazy_gettext("not rated"),
    "Links are coloured by trust or value for administrators only: a tie's score rests on one or two answers.":
        lazy_gettext("Links are coloured by trust or value for administrators only: a tie's score rests on one or "
                     "two answers."),
    "No survey round has answers yet: links are not coloured.":
        lazy_gettext("No survey round has answers yet: links are not coloured."),
}
#: The explorer's fields by their labels on the page, for its refusals.
_WORDS = {"province": lazy_gettext("Province"), "district": lazy_gettext("District"), "kind": lazy_gettext("Kind"),
          "service": lazy_gettext("Service"), "population": lazy_gettext("Population"),
          "country": lazy_gettext("Country"), "intervention_area": lazy_gettext("Intervention area"),
          "link_kind": lazy_gettext("Link kind"), "ego": lazy_gettext("Ego network of"),
          "depth": lazy_gettext("Depth"), "size_by": lazy_gettext("Size by"),
          "ties_by": lazy_gettext("Colour links by"), "cluster": lazy_gettext("Group")}
#: Gap findings that mark an organisation on the drawing.
_HIGHLIGHTED = ("isolated", "broken_cascade", "single_point_of_failure")


class ExplorerArgs(ViewArgs):
    """The explorer's filters (the one view scope) and what sizes the organisations."""

    class Meta:
        unknown = EXCLUDE

    size_by = fields.String(load_default="betweenness", validate=validate.OneOf(("betweenness", "degree")))
    ties_by = fields.String(validate=validate.OneOf(("trust", "value")),
                            metadata={"description": "Colour links by the latest survey's trust or value score."})


class ExplorerMembersArgs(ExplorerArgs):
    """The explorer's filters and the district (or province, or "national") to open."""

    cluster = fields.String(required=True, validate=validate.Length(1, 200))


@bp.get("/explore")
def explorer() -> tuple[str, int]:
    """The interactive network, filtered, optionally an ego network; districts when large.

    A large network's page carries only its districts and the links counted
    between them; the page fetches a district's organisations from
    :func:`explorer_members` when it is opened.
    """
    args, problems = load(ExplorerArgs(), request.args, _WORDS)
    H, data = _explorer_network(args, problems)
    aggregated = data["clusters"] is not None
    data = {**data, "legend": [{**item, "label": gettext(item["label"])} for item in data["legend"]]}
    if data.get("tie_legend"):
        data["tie_legend"] = [{**item, "label": str(_TIE_WORDS.get(item["label"], item["label"]))}
                              for item in data["tie_legend"]]
    note = data.get("ties_note")
    return render_template("explorer.html", args=args, choices=choices(hide()), problems=problems,
                           ties_note=str(_TIE_WORDS.get(note, note)) if note else None,
                           data=cluster_overview(data) if aggregated else data, shown=H.number_of_nodes(),
                           links=H.number_of_edges(), aggregated=aggregated), 422 if problems else 200


@bp.get("/explore/members")
def explorer_members() -> Response:
    """JSON: the organisations of one district of the explorer (same filters), and the links touching them."""
    try:
        args = ExplorerMembersArgs().load(flat(request.args))
    except ValidationError as err:
        return error_response(422, labelled(problem_lines(err.messages)[0], _WORDS), err.messages)
    problems: list[str] = []
    _, data = _explorer_network(args, problems)
    if problems:
        return error_response(404, problems[0], {"ego": problems})
    if data["clusters"] is None or args["cluster"] not in {c["id"] for c in data["clusters"]}:
        message = gettext("No group '%(group)s' in this view of the network.", group=args["cluster"])
        return error_response(404, message, {"cluster": [message]})
    response = jsonify(cluster_members(data, args["cluster"]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """vis-network's script and stylesheet, vendored from the pyvis package."""
    text = vis_asset(name)
    mimetype = "text/css" if name.endswith(".css") else "text/javascript"
    response = Response(text, mimetype=mimetype)
    response.cache_control.max_age = 86400
    return response


def _explorer_network(args: dict[str, Any], problems: list[str]) -> tuple[Any, dict[str, Any]]:
    """The explorer's filtered graph and what vis-network draws of it; appends to ``problems``.

    Remembered per store revision, so opening a district reuses the page's drawing.
    """
    hidden = hide()
    limit = current_app.config.get("CSSNET_AGGREGATE_ABOVE", AGGREGATE_ABOVE)
    view = tuple(sorted((k, v) for k, v in args.items() if k != "cluster"))
    admin = caller().at_least("admin")
    key = (view, limit, hidden, admin, str(get_locale()))  # the tooltips are in the page's language
    H, data, found = drawings(get_store(), key, lambda: _draw(args, hidden, limit, admin))
    problems.extend(found)
    return H, data


def _draw(args: dict[str, Any], hidden: bool, limit: int, admin: bool) -> tuple[Any, dict[str, Any], list[str]]:
    problems = []
    try:
        H = drawing.view(get_store(), args, redacted=hidden)
    except NotFound as err:
        problems.append(err.message)
        H = drawing.view(get_store(), {**args, "ego": None}, redacted=hidden)
    data = network_data(H, size_by=args.get("size_by") or "betweenness", highlight=_highlights(hidden, H),
                        hide_protected=hidden, aggregate_above=limit)
    if args.get("ties_by"):
        note = drawing.colour_by_ties(get_store(), data, args["ties_by"], admin=admin)
        if note:
            data["ties_note"] = note
    return H, data, problems


def _highlights(hidden: bool, H: Any) -> dict[str, list[str]]:
    """Why organisations in ``H`` are highlighted: the gap findings that name them."""
    reasons: dict[str, list[str]] = {}
    for f in findings("gaps", hidden):
        if f.get("type") not in _HIGHLIGHTED:
            continue
        for org in f.get("organisations", [])[:1]:
            if org in H:
                reasons.setdefault(org, []).append(label(f["type"], "finding_singulars"))
    return reasons
