"""``/api/v1/invitations`` (admins create, list and withdraw one-time partner invitations) and
``/api/v1/partner/<secret>`` (the invited partner reads its record and ties and sends its changes)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import fields, validate

from network.schemas import ID_PATTERN, Text
from network.service import invitations, review
from network.service.partner_view import partner_view

from .auth import caller, require
from .common import Blueprint, OpenObject, StrictSchema
from .review import ProposalSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("invitations", __name__, url_prefix="/api/v1", description="Partner invitations (issue 13).")


class InvitationBody(StrictSchema):
    """An invitation to create."""

    organisation = Text(required=True, validate=validate.Regexp(ID_PATTERN))
    days = fields.Integer(load_default=invitations.DEFAULT_DAYS, strict=True,
                          validate=validate.Range(1, invitations.MAX_DAYS),
                          metadata={"description": "How many days the link works (default 14)."})
    purpose = Text(load_default="verify", validate=validate.Regexp(r"^[a-z][a-z_]{0,29}$"))
    subject = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class InvitationSchema(StrictSchema):
    """An invitation as listed: never its secret."""

    id = fields.String()
    organisation = fields.String()
    purpose = fields.String()
    subject = fields.String(allow_none=True)
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    created_by = fields.String()
    used_at = fields.DateTime(allow_none=True)
    used_for = fields.String(allow_none=True)


class NewInvitationSchema(StrictSchema):
    """A created invitation, its secret and its link (shown this once only)."""

    invitation = fields.Nested(InvitationSchema)
    secret = fields.String()
    link = fields.String()


class InvitationArgs(StrictSchema):
    """Filters of the invitation list."""

    organisation = Text(validate=validate.Regexp(ID_PATTERN))


@blp.route("/invitations")
class Invitations(MethodView):
    """The invitations."""

    @require("admin")
    @blp.arguments(InvitationArgs, location="query")
    @blp.response(200, InvitationSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List invitations, newest first (admins)."""
        return invitations.list_invitations(get_store(), args.get("organisation"))

    @require("admin")
    @blp.arguments(InvitationBody)
    @blp.response(201, NewInvitationSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Invite an organisation (admins): the answer holds the one-time link; it is shown nowhere else."""
        invitation, secret = invitations.create_invitation(get_store(), body["organisation"], actor=caller().actor,
                                                           days=body["days"], purpose=body["purpose"],
                                                           subject=body["subject"])
        return {"invitation": invitation, "secret": secret,
                "link": url_for("pages.invitation_page", secret=secret, _external=True)}


@blp.route("/invitations/<string:invitation_id>")
class InvitationById(MethodView):
    """One invitation."""

    @require("admin")
    @blp.response(204)
    def delete(self, invitation_id: str) -> None:
        """Withdraw an invitation (admins): its link stops working; 404 if unknown."""
        invitations.withdraw_invitation(get_store(), invitation_id, actor=caller().actor)


@blp.route("/partner/<string:secret>")
class Partner(MethodView):
    """What an invitation opens: the partner's own record and ties (404 unknown, 410 used or expired)."""

    @blp.response(200, OpenObject)
    def get(self, secret: str) -> Any:
        """The invited organisation's record, its ties and the organisations it may propose a tie with."""
        store = get_store()
        return partner_view(store, invitations.open_invitation(store, secret, purpose="verify"))

    @blp.arguments(OpenObject)
    @blp.response(201, ProposalSchema(many=True))
    def post(self, body: dict[str, Any], secret: str) -> Any:
        """Send the partner's changes: ``confirm``, ``corrections`` (fields), ``ended_ties`` (``link``,
        ``end_date``), ``new_ties`` (``other``, ``kind``, ``direction`` from/to, ``services``, ``start_date``,
        ``formal``, ``notes``). Uses the invitation up; 422 names every problem and queues nothing."""
        store = get_store()
        return review.submit(store, invitations.open_invitation(store, secret, purpose="verify"), body)
