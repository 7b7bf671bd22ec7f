"""``/api/v1/analysis/...``: gaps, duplication, pathways, structure, recommendations and the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from network.analysis.agenda_text import agenda_html, agenda_markdown, agenda_text
from network.service import analyses, monitoring
from network.service.analyses import DUPLICATION_TYPES, GAP_TYPES
from network.service.scope import ScopeArgs as _Scope
from network.service.scope import language_field
from network.translation import current_language, in_words

from .auth import caller, can_see_protected
from .common import Blueprint, OpenObject, StrictSchema, code_field, code_list_field
from .state import get_store

__all__ = ["blp"]

#: The agenda's documents for people to read: how each is written, and its media type.
AGENDA_FORMATS: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "text": (agenda_text, "text/plain"), "md": (agenda_markdown, "text/markdown"), "html": (agenda_html, "text/html")}

blp = Blueprint("analysis", __name__, url_prefix="/api/v1/analysis",
                description="Linkage gaps, duplication, referral pathways, structure, recommendations, report.")


class ScopeArgs(_Scope, StrictSchema):
    """The day and the place an analysis looks at."""


class GapArgs(ScopeArgs):
    type = fields.List(fields.String(validate=validate.OneOf(GAP_TYPES)), metadata={"description": "Only these."})
    max_hops = fields.Integer(load_default=3, validate=validate.Range(1, 10))
    within_days = fields.Integer(load_default=90, validate=validate.Range(0, 3650))


class DuplicationArgs(ScopeArgs):
    type = fields.List(fields.String(validate=validate.OneOf(DUPLICATION_TYPES)))
    threshold = fields.Float(load_default=85, validate=validate.Range(50, 100))


class PathwayArgs(StrictSchema):
    population = code_field("populations", "population", required=True)
    needs = code_list_field("services", "service", required=True, validate=validate.Length(min=1, max=10))
    start = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Organisation id."})
    district = code_field("districts", "district")
    k = fields.Integer(load_default=3, validate=validate.Range(1, 10))
    include_unlinked = fields.Boolean(load_default=False)
    max_hops = fields.Integer(load_default=6, validate=validate.Range(1, 12))
    as_of = fields.Date()
    language = language_field()

    @validates_schema
    def _one_start(self, data: dict[str, Any], **_: Any) -> None:
        if ("start" in data) == ("district" in data):
            raise ValidationError("Give either start (an organisation id) or district, not both or neither.",
                                  "start")


class StructureArgs(ScopeArgs):
    by = fields.String(load_default="kind", validate=validate.OneOf(("kind", "province")))
    top = fields.Integer(load_default=10, validate=validate.Range(1, 100))


class RecommendationArgs(ScopeArgs):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 200))


class ReportArgs(ScopeArgs):
    """The report covers one province (or all) on one day."""

    class Meta(StrictSchema.Meta):
        exclude = ("district",)


class FindingSchema(StrictSchema):
    """One finding a coordinator can act on."""

    type = fields.String()
    severity = fields.String()
    explanation = fields.String()
    organisations = fields.List(fields.String())
    district = fields.String(allow_none=True)
    population = fields.String(allow_none=True)
    service = fields.String(allow_none=True)
    links = fields.List(fields.String())
    details = fields.Dict()


class FindingList(StrictSchema):
    items = fields.List(fields.Nested(FindingSchema))
    total = fields.Integer()


class PathwaySchema(StrictSchema):
    """One referral pathway: its steps, cost, hops and how many steps are only proposed."""

    steps = fields.List(fields.Dict())
    cost = fields.Float()
    hops = fields.Integer()
    proposed_steps = fields.Integer()


class PathwayList(StrictSchema):
    items = fields.List(fields.Nested(PathwaySchema))
    total = fields.Integer()


class RecommendationList(StrictSchema):
    items = fields.List(fields.Dict())
    total = fields.Integer()


class AgendaArgs(ScopeArgs):
    """The agenda of the whole network, or of one province, district, programme or intervention area."""

    programme = fields.String(validate=validate.Length(min=1, max=300), metadata={
        "description": "Only the organisations at either end of this programme's funding links."})
    intervention_area = code_field("intervention_areas", "intervention area")
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 500), metadata={"description": "Most items."})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *AGENDA_FORMATS)), metadata={
        "description": "json (the analysis's own words), or for people to read in the caller's language "
                       "(Accept-Language): text, md (Markdown) or html (a standalone page that prints on A4)."})

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **_: Any) -> None:
        given = [k for k in ("province", "district", "programme", "intervention_area") if k in data]
        if len(given) > 1:
            raise ValidationError("Give one scope: a province, a district, a programme or an intervention area.",
                                  given[-1])


class AgendaFindingSchema(FindingSchema):
    """A finding an agenda item resolves, with its type in words."""

    type_label = fields.String()


class AgendaItemSchema(StrictSchema):
    """One action: what to do, why (the findings it resolves), who, and its score explained in one line."""

    rank = fields.Integer()
    key = fields.String(metadata={"description": "Names the root cause; stays the same while it lasts."})
    action = fields.String()
    action_label = fields.String()
    what = fields.String()
    why = fields.String()
    score = fields.Float()
    score_explanation = fields.String()
    due = fields.String(allow_none=True, metadata={"description": "ISO date by which to act, if any."})
    district = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    organisations = fields.List(fields.Dict())
    affected = fields.Dict()
    findings = fields.List(fields.Nested(AgendaFindingSchema))
    finding_types = fields.Dict(keys=fields.String(), values=fields.Integer())


class AgendaSchema(StrictSchema):
    """The coordination agenda: the findings grouped by root cause, best first."""

    as_of = fields.String(metadata={"description": "ISO date of the agenda."})
    scope = fields.Dict(keys=fields.String(), values=fields.String())
    limit = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(AgendaItemSchema))


def _listed(items: list[Any]) -> dict[str, Any]:
    """The answer of a list of findings or plans, their explanations and notes in the caller's language."""
    return {"items": in_words(items), "total": len(items)}


def _scope(args: dict[str, Any]) -> dict[str, Any]:
    return {"redacted": not can_see_protected(), **args}


@blp.route("/gaps")
class Gaps(MethodView):
    @blp.arguments(GapArgs, location="query")
    @blp.response(200, FindingList)
    def get(self, args: dict[str, Any]) -> Any:
        """Linkage gaps: isolated, broken cascades, uncovered, unreachable, single points of failure, ..."""
        return _listed(analyses.gaps(get_store(), types=args.pop("type", None), **_scope(args)))


@blp.route("/duplication")
class Duplication(MethodView):
    @blp.arguments(DuplicationArgs, location="query")
    @blp.response(200, FindingList)
    def get(self, args: dict[str, Any]) -> Any:
        """Service overlaps, probable duplicate records and funding overlaps."""
        return _listed(analyses.duplication(get_store(), types=args.pop("type", None), **_scope(args)))


@blp.route("/pathways")
class Pathways(MethodView):
    @blp.arguments(PathwayArgs, location="query")
    @blp.response(200, PathwayList)
    def get(self, args: dict[str, Any]) -> Any:
        """The k best referral pathways for a population through an ordered list of needs; each step's
        ``barriers`` says what community monitors met lately at that provider."""
        store = get_store()
        return _listed(monitoring.with_barriers(store, analyses.pathways(store, admin=caller().at_least("admin"),
                                                                         **_scope(args))))


@blp.route("/structure")
class Structure(MethodView):
    @blp.arguments(StructureArgs, location="query")
    @blp.response(200, OpenObject)
    def get(self, args: dict[str, Any]) -> Any:
        """Density, components, centralities, communities, cut points and brokerage roles."""
        return analyses.structure(get_store(), **_scope(args))


@blp.route("/recommendations")
class Recommendations(MethodView):
    @blp.arguments(RecommendationArgs, location="query")
    @blp.response(200, RecommendationList)
    def get(self, args: dict[str, Any]) -> Any:
        """Ranked new links that would close the most gaps."""
        return _listed(analyses.recommendations(get_store(), **_scope(args)))


@blp.route("/agenda")
class Agenda(MethodView):
    @blp.arguments(AgendaArgs, location="query")
    @blp.response(200, AgendaSchema)
    @blp.doc(responses={200: {"content": {mimetype: {"schema": {"type": "string"}}
                                          for _, mimetype in AGENDA_FORMATS.values()}}})
    def get(self, args: dict[str, Any]) -> Any:
        """The coordination agenda: one action per root cause, ranked by impact and urgency (default top 20).

        ``format`` text, md or html: the agenda as a document in the caller's language (Accept-Language)."""
        fmt = args.pop("format")
        found = analyses.agenda(get_store(), admin=caller().at_least("admin"), **_scope(args))
        if fmt == "json":
            return found
        render, mimetype = AGENDA_FORMATS[fmt]
        return Response(render(found), mimetype=mimetype, headers={"Content-Language": current_language()})


@blp.route("/report")
class Report(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, OpenObject)
    def get(self, args: dict[str, Any]) -> Any:
        """The coordination report: summary, findings, structure, recommendations (their explanations in the
        caller's language)."""
        return in_words(analyses.report(get_store(), admin=caller().at_least("admin"), **_scope(args)))
