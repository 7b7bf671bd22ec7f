"""``/api/v1/referrals``: send a referral, read it by code, record what became of it, list them.

Referrers (a token bound to one organisation) send referrals from their
organisation, record the status of those sent to it, and read and list both;
admins may do all of it for any organisation. Everyone else sees counts and
rates only (``/api/v1/referrals/outcomes``, readable as the analyses are), never
individual referrals.
A referral records no client identity: a body with a field it does not know
(``name``, ``id_number``...) is refused with 422 and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from marshmallow import fields, validate

from network.errors import NotFound
from network.referral_schemas import CODE_PATTERN, ReferralBodySchema, StatusBodySchema
from network.referrals import STATUSES
from network.schemas import ID_PATTERN
from network.service import outcomes, referrals
from network.translation import in_words, translate

from .auth import caller, can_see_protected, require
from .common import Blueprint, OpenObject, PageArgs, PageSchema, StrictSchema
from .state import get_store

__all__ = ["blp", "acting"]

blp = Blueprint("referrals", __name__, url_prefix="/api/v1/referrals",
                description="Referral records: sent, received, taken on or turned away, completed. No client identity.")


def acting() -> referrals.Acting:
    """The caller as the referral service knows it: its role and, for a referrer, its organisation."""
    who = caller()
    return referrals.Acting(who.role, who.organisation)


class StatusChangeSchema(StrictSchema):
    """One step of a referral's history."""

    status = fields.String()
    on = fields.Date()
    by = fields.String(metadata={"description": "The organisation that set it."})
    reason = fields.String(allow_none=True)


class ReferralSchema(StrictSchema):
    """A referral as the API shows it to its two organisations and admins."""

    code = fields.String()
    source = fields.String()
    target = fields.String()
    link = fields.String(allow_none=True)
    needs = fields.List(fields.String())
    population = fields.String(allow_none=True)
    created = fields.Date()
    status = fields.String()
    history = fields.List(fields.Nested(StatusChangeSchema))
    version = fields.Integer()


class ReferralPage(PageSchema):
    """A page of referrals."""

    items = fields.List(fields.Nested(ReferralSchema))


class ReferralArgs(PageArgs):
    """Filters of the referral list."""

    direction = fields.String(validate=validate.OneOf(("sent", "received")), metadata={
        "description": "sent or received, seen from your organisation (an admin names one with organisation)."})
    organisation = fields.String(validate=validate.Regexp(ID_PATTERN), metadata={
        "description": "Admins: the organisation whose referrals to list (either end)."})
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "The latest status."})
    since = fields.Date(metadata={"description": "Created on or after this day."})
    until = fields.Date(metadata={"description": "Created on or before this day."})


@blp.route("")
class Referrals(MethodView):
    """The referrals."""

    @require("viewer")
    @blp.arguments(ReferralArgs, location="query")
    @blp.response(200, ReferralPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List referrals, newest first: a referrer's sent and received ones, any for admins (others: 403)."""
        return referrals.list_referrals(get_store(), acting=acting(), **args)

    @require("viewer")
    @blp.arguments(ReferralBodySchema)
    @blp.response(201, ReferralSchema)
    def post(self, _: dict[str, Any]) -> Any:
        """Send a referral from your organisation (referrers; admins name ``source``); answers it with its code."""
        return referrals.send_referral(get_store(), request.get_json(), acting=acting(), actor=caller().actor,
                                       retention=_retention())


class OutcomeArgs(StrictSchema):
    """The window of the outcome figures."""

    as_of = fields.Date(metadata={"description": "The window's last day (default today)."})
    months = fields.Integer(load_default=6, validate=validate.Range(1, 60),
                            metadata={"description": "The window's length in months (default 6)."})


@blp.route("/outcomes")
class ReferralOutcomes(MethodView):
    """Counts and rates: what coordinators see."""

    @blp.arguments(OutcomeArgs, location="query")
    @blp.response(200, OpenObject)
    def get(self, args: dict[str, Any]) -> Any:
        """Completion rates and median days to completion per agreement, provider and district over the window,
        with the failing_route and paper_agreement findings (anyone who may read the analyses: counts and rates
        only, never a referral)."""
        return in_words(outcomes.figures(get_store(), as_of=args.get("as_of"), months=args["months"],
                                         redacted=not can_see_protected()))


@blp.route("/<string:code>")
class ReferralByCode(MethodView):
    """One referral."""

    @require("viewer")
    @blp.response(200, ReferralSchema)
    def get(self, code: str) -> Any:
        """Read a referral by its code (its two organisations and admins; 404 if unknown)."""
        return referrals.read_referral(get_store(), _code(code), acting=acting())


@blp.route("/<string:code>/status")
class ReferralStatus(MethodView):
    """What became of a referral."""

    @require("viewer")
    @blp.arguments(StatusBodySchema)
    @blp.response(200, ReferralSchema)
    def post(self, _: dict[str, Any], code: str) -> Any:
        """Record the next step (the organisation it was sent to, or an admin): received, accepted, declined
        (with a reason), completed or lost_to_follow_up. 409 for a step that does not follow."""
        return referrals.record_status(get_store(), _code(code), request.get_json(), acting=acting(),
                                       actor=caller().actor)


def _code(code: str) -> str:
    if not validate.Regexp(CODE_PATTERN).regex.match(code):
        raise NotFound(translate("No referral with code '%(code)s'.", code=code[:40]))
    return code


def _retention() -> int | None:
    value = current_app.config.get("REFERRAL_RETENTION_MONTHS")
    return int(value) if value is not None else None
