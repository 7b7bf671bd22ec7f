"""``/api/v1/monitoring``: community-led monitoring reports — list, record (exactly once), read, escalate.

A report is recorded by an editor (or admin), or by a token bound to the
monitoring organisation (see ``network.service.monitoring``). Send an
``Idempotency-Key`` header (8-100 letters, digits, '-' or '_'; a UUID does)
so that sending the same report again — a queued form sent when the signal
returns — answers the stored report (200, ``Idempotent-Replayed: true``)
instead of storing it twice.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.views import MethodView
from marshmallow import fields, validate

from network.monitoring import EscalationInput, MonitoringQuery, ReportInput, code_check, dump_report
from network.schemas import ID_PATTERN
from network.service import monitoring

from .auth import Unauthorised, caller
from .common import IF_MATCH, Blueprint, PageArgs, PageSchema, StrictSchema, expected_version
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("monitoring", __name__, url_prefix="/api/v1/monitoring",
                description="Community-led monitoring reports: barriers met at facilities.")

_KEY = {"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
        "description": "Names this submission: the same key again answers the stored report (200)."}


def _id(description: str) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_PATTERN), metadata={"description": description})


class ReportArgs(PageArgs):
    """Filters of the report list."""

    facility = _id("Reports about this facility.")
    monitor = _id("Reports by this monitoring organisation.")
    since = fields.Date(metadata={"description": "Visits on or after this day."})
    until = fields.Date(metadata={"description": "Visits on or before this day."})
    barrier = fields.String(validate=code_check("barriers", "barrier"),
                            metadata={"description": "Reports naming this barrier."})
    escalation = fields.String(validate=code_check("escalations", "escalation"))


class ReportSchema(StrictSchema):
    """A monitoring report, with plain labels beside its codes."""

    id = fields.String()
    monitor = fields.String()
    facility = fields.String()
    observed_on = fields.Date()
    barriers = fields.List(fields.String())
    barrier_labels = fields.List(fields.String())
    note = fields.String()
    escalation = fields.String()
    escalation_label = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class ReportPage(PageSchema):
    """A page of monitoring reports."""

    items = fields.List(fields.Nested(ReportSchema))


def _recorder() -> monitoring.Recorder:
    who = caller()
    return monitoring.Recorder(editor=who.at_least("editor"), organisation=who.organisation)


def _signed_in() -> Any:
    who = caller()
    if who.role == "anonymous":
        raise Unauthorised("This needs a token: an editor's, or one of the monitoring organisation.")
    return who


@blp.route("")
class Reports(MethodView):
    """The report list."""

    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List monitoring reports, latest visit first (filtered, paginated)."""
        page = monitoring.reports(get_store(), MonitoringQuery(**args))
        return jsonify({"items": [dump_report(r) for r in page.items], "total": page.total, "limit": page.limit,
                        "offset": page.offset})

    @blp.doc(parameters=[_KEY])
    @blp.arguments(ReportInput)
    @blp.response(201, ReportSchema)
    @blp.alt_response(200, schema=ReportSchema, description="The report was stored already under this key.")
    def post(self, _: dict[str, Any]) -> Any:
        """Record a report (editors, or a token of the monitoring organisation); 422 names each bad field."""
        who = _signed_in()
        stored, new = monitoring.record_report(get_store(), request.get_json(), actor=who.actor,
                                               recorder=_recorder(), key=request.headers.get("Idempotency-Key"))
        headers = {"ETag": f'"{stored.version}"', **({} if new else {"Idempotent-Replayed": "true"})}
        return jsonify(dump_report(stored)), 201 if new else 200, headers


@blp.route("/<string:report_id>")
class ReportById(MethodView):
    """One report."""

    @blp.response(200, ReportSchema)
    def get(self, report_id: str) -> Any:
        """Read one report; its ETag is its version."""
        found = monitoring.report(get_store(), report_id)
        return jsonify(dump_report(found)), {"ETag": f'"{found.version}"'}

    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(EscalationInput)
    @blp.response(200, ReportSchema)
    def patch(self, _: dict[str, Any], report_id: str) -> Any:
        """Change a report's escalation (editors, or a token of its monitor); needs If-Match, 412 if stale."""
        who = _signed_in()
        stored = monitoring.set_escalation(get_store(), report_id, request.get_json(),
                                           expected_version=expected_version("monitoring report", report_id),
                                           actor=who.actor, recorder=_recorder())
        return jsonify(dump_report(stored)), {"ETag": f'"{stored.version}"'}
