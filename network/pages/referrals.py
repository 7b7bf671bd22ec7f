"""The referral finder: ranked pathways through existing agreements for a population's needs."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext, lazy_gettext
from marshmallow import EXCLUDE, Schema, fields, validate

from network.api.auth import caller
from network.api.state import get_store
from network.errors import CssnetError
from network.language import spoken_choices
from network.model import vocabulary
from network.schemas import ID_PATTERN
from network.service import analyses, monitoring
from network.service.scope import code_field, language_field

from .blueprint import bp
from .common import choices, hide, load

__all__ = ["referrals"]

#: The form's fields by their labels, for its refusals.
_WORDS = {"start": lazy_gettext("Start at organisation"), "district": lazy_gettext("District"),
          "population": lazy_gettext("Population"), "need": lazy_gettext("Need %(number)s"),
          "language": lazy_gettext("Client's language"),
          "include_unlinked": lazy_gettext("Include providers not linked yet")}
#: How many need drop-downs the form offers.
_NEEDS_SLOTS = 4


class ReferralArgs(Schema):
    """The referral finder's question."""

    class Meta:
        unknown = EXCLUDE

    start = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN,
                                                                  error=lazy_gettext("Not an organisation id.")))
    district = code_field("districts", "district", load_default=None)
    population = code_field("populations", "population", load_default=None)
    needs = fields.List(code_field("services", "service"), data_key="need", load_default=list)
    include_unlinked = fields.Boolean(load_default=False)
    language = language_field(load_default=None)


@bp.get("/referrals")
def referrals() -> tuple[str, int]:
    """The referral finder: ranked pathways through existing agreements for a population's needs."""
    args, problems = load(ReferralArgs(), request.args, _WORDS)
    searched = bool(set(request.args) - {"lang"}) and not problems
    args["needs"] = [n for n in request.args.getlist("need") if n] if not problems else []
    found: list[dict[str, Any]] = []
    if searched:
        problems = _problems(args)
    if searched and not problems:
        try:
            found = monitoring.with_barriers(get_store(), analyses.pathways(
                get_store(), population=args["population"], needs=args["needs"], start=args.get("start") or None,
                district=args.get("district"), include_unlinked=args["include_unlinked"], redacted=hide(),
                language=args.get("language"),
                admin=caller().at_least("admin")))
        except CssnetError as err:
            problems.append(err.message)
    vocab = vocabulary()
    return render_template("referrals.html", args=args, choices={**choices(hide()), "languages": spoken_choices()},
                           problems=problems,
                           searched=searched and not problems, pathways=found, needs_slots=_NEEDS_SLOTS,
                           service_labels=vocab.services, link_labels=vocab.link_kinds), 422 if problems else 200


def _problems(args: dict[str, Any]) -> list[str]:
    problems = []
    if not args.get("population"):
        problems.append(gettext("Choose a population."))
    if not args.get("needs"):
        problems.append(gettext("Choose at least one need."))
    if not args.get("start") and not args.get("district"):
        problems.append(gettext("Give a starting organisation or a district."))
    return problems
