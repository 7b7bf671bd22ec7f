"""``/api/v1/proposals``: the review queue of partners' proposed changes (editors accept, edit then accept, or
reject), and ``/api/v1/trusted``: the partners whose changes apply directly (admins set it)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.graph.partners import PROPOSAL_STATUSES, ProposalQuery
from network.schemas import ID_PATTERN, Text
from network.service import review

from .auth import caller, require
from .common import Blueprint, PageArgs, PageSchema, StrictSchema
from .state import get_store

__all__ = ["blp", "ProposalSchema"]

blp = Blueprint("review", __name__, url_prefix="/api/v1", description="The review queue of partners' changes.")


class ProposalSchema(StrictSchema):
    """One proposed change and the decision on it."""

    id = fields.String()
    organisation = fields.String()
    kind = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    changes = fields.Dict()
    base_version = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime()
    submitted_by = fields.String()
    invitation = fields.String(allow_none=True)
    status = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    note = fields.String()
    applied = fields.Dict()


class ProposalPage(PageSchema):
    """A page of proposals."""

    items = fields.List(fields.Nested(ProposalSchema))


class ProposalArgs(PageArgs):
    """Filters of the queue (default: pending only)."""

    status = fields.String(load_default="pending", validate=validate.OneOf(PROPOSAL_STATUSES))
    organisation = Text(validate=validate.Regexp(ID_PATTERN))


class AcceptBody(StrictSchema):
    """The coordinator's edits (fields of the proposal's change) and a note."""

    edits = fields.Dict(keys=fields.String(), load_default=dict)
    note = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=2000))


class RejectBody(StrictSchema):
    """Why the change was rejected."""

    note = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=2000))


class TrustedSchema(StrictSchema):
    """The trusted partners."""

    organisations = fields.List(fields.String())


class TrustBody(StrictSchema):
    """Whether an organisation's changes apply directly."""

    trusted = fields.Boolean(required=True)


@blp.route("/proposals")
class Proposals(MethodView):
    """The review queue."""

    @require("editor")
    @blp.arguments(ProposalArgs, location="query")
    @blp.response(200, ProposalPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List proposed changes, oldest first (editors); ``status`` defaults to ``pending``."""
        page = review.queue(get_store(), ProposalQuery(**args))
        return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}


@blp.route("/proposals/<string:proposal_id>")
class ProposalById(MethodView):
    """One proposed change."""

    @require("editor")
    @blp.response(200, ProposalSchema)
    def get(self, proposal_id: str) -> Any:
        """Read one proposed change (editors)."""
        return review.proposal(get_store(), proposal_id)


@blp.route("/proposals/<string:proposal_id>/accept")
class Accept(MethodView):
    """Accept a proposed change."""

    @require("editor")
    @blp.arguments(AcceptBody)
    @blp.response(200, ProposalSchema)
    def post(self, body: dict[str, Any], proposal_id: str) -> Any:
        """Apply the change, with ``edits`` if any (editors); 409 if decided already, 422 for a refused edit."""
        return review.accept(get_store(), proposal_id, actor=caller().actor, edits=body["edits"], note=body["note"])


@blp.route("/proposals/<string:proposal_id>/reject")
class Reject(MethodView):
    """Reject a proposed change."""

    @require("editor")
    @blp.arguments(RejectBody)
    @blp.response(200, ProposalSchema)
    def post(self, body: dict[str, Any], proposal_id: str) -> Any:
        """Reject the change (editors): nothing else is written; 409 if decided already."""
        return review.reject(get_store(), proposal_id, actor=caller().actor, note=body["note"])


@blp.route("/trusted")
class Trusted(MethodView):
    """Trusted partners."""

    @require("editor")
    @blp.response(200, TrustedSchema)
    def get(self) -> Any:
        """The organisations whose changes apply directly (editors)."""
        return {"organisations": review.trusted(get_store())}


@blp.route("/trusted/<path:org_id>")
class TrustedById(MethodView):
    """One organisation's trust setting."""

    @require("admin")
    @blp.arguments(TrustBody)
    @blp.response(204)
    def put(self, body: dict[str, Any], org_id: str) -> None:
        """Let the organisation's changes apply directly, or wait for review again (admins); 404 if unknown."""
        review.set_trusted(get_store(), org_id, body["trusted"], actor=caller().actor)
