"""The agenda pages: the coordination agenda for a scope, and each item's findings (its "why")."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request
from flask_babel import gettext, lazy_gettext
from marshmallow import EXCLUDE, Schema, fields, validate

from network.api.auth import caller
from network.api.state import get_store
from network.model import vocabulary
from network.service import analyses
from network.service.scope import code_field

from .blueprint import bp
from .common import hide, load, names
from .labels import label
from .places import grouped_districts, grouped_provinces

__all__ = ["agenda", "agenda_item", "agenda_of"]


#: The form's fields by their labels, for its refusals.
_WORDS = {"province": lazy_gettext("Province"), "district": lazy_gettext("District"),
          "intervention_area": lazy_gettext("Intervention area")}


class AgendaArgs(Schema):
    """The agenda page's scope: the whole network, a province or a district."""

    class Meta:
        unknown = EXCLUDE

    province = code_field("provinces", "province", load_default=None)
    district = code_field("districts", "district", load_default=None)
    intervention_area = code_field("intervention_areas", "intervention area", load_default=None)


class ItemArgs(AgendaArgs):
    """Which item: its key (names its root cause), within the same scope."""

    key = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


def agenda_of(args: dict[str, Any], *, limit: int | None = 20) -> dict[str, Any]:
    """The agenda the caller may see for ``args`` (one of district, province or intervention area, in that order)."""
    given = [k for k in ("district", "province", "intervention_area") if args.get(k)]
    scope = {given[0]: args[given[0]]} if given else {}
    return analyses.agenda(get_store(), limit=limit, redacted=hide(), admin=caller().at_least("admin"), **scope)


@bp.get("/agenda")
def agenda() -> str:
    """The coordination agenda: one action per root cause, best first, printable on A4."""
    args, problems = load(AgendaArgs(), request.args, _WORDS)
    if problems:
        flash(" ".join(problems), "error")
    vocab = vocabulary()
    found = agenda_of(args)
    return render_template("agenda.html", agenda=found, args=args,
                           scope={k: v for k, v in found["scope"].items()},
                           choices={"provinces": grouped_provinces(), "districts": grouped_districts(),
                                    "intervention_areas": [(code, label(code, "intervention_areas"))
                                                           for code in vocab.intervention_areas]})


@bp.get("/agenda/item")
def agenda_item() -> str:
    """One agenda item and the findings it resolves, each with its organisations."""
    args, _ = load(ItemArgs(), request.args)
    if not args.get("key"):
        abort(404)
    found = _item(agenda_of(args), args["key"]) or _item(agenda_of(args, limit=None), args["key"])
    if found is None:
        abort(404, gettext("This item is no longer on the agenda: its findings may have been resolved."))
    return render_template("agenda_item.html", item=found, rows=found["findings"], names=names(hide()),
                           scope={k: args[k] for k in ("province", "district", "intervention_area") if args.get(k)})


def _item(agenda: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The item of ``agenda`` with ``key`` (the pages link the top items; a longer agenda is asked only if needed)."""
    return next((item for item in agenda["items"] if item["key"] == key), None)
