"""``/api/v1/organisations``: list, read, create, replace, change and delete organisations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.graph.store import OrganisationQuery
from network.model import ORGANISATION_STATUSES, Organisation
from network.schemas import OrganisationSchema
from network.service import records
from network.service.scope import country_field

from .auth import caller, can_see_protected, require
from .common import ETAG_HEADER, IF_MATCH, Blueprint, PageArgs, StrictSchema, code_field, etag, expected_version
from .freshness import stale_field, stale_filter
from .listing import page_response
from .records import OrganisationBody, OrganisationPage, OrganisationPatch
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("organisations", __name__, url_prefix="/api/v1/organisations",
                description="Organisations of the partner network.")


class OrganisationArgs(PageArgs):
    """Filters of the organisation list; every code is checked against the vocabulary."""

    kind = code_field("organisation_kinds", "organisation kind")
    province = code_field("provinces", "province")
    district = code_field("districts", "district")
    service = code_field("services", "service")
    population = code_field("populations", "population")
    country = country_field()
    intervention_area = code_field("intervention_areas", "intervention area")
    status = fields.String(validate=validate.OneOf(ORGANISATION_STATUSES))
    sensitive = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "Text search: each word starts a word of the name or an alias."})
    stale = stale_field()


class DeleteArgs(StrictSchema):
    """Options of a delete."""

    cascade = fields.Boolean(load_default=False, metadata={"description": "Delete the organisation's links too."})


@blp.route("")
class Organisations(MethodView):
    """The organisation list."""

    @blp.arguments(OrganisationArgs(), location="query")
    @blp.response(200, OrganisationPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List organisations (filtered, paginated: ``{items, total, limit, offset}``)."""
        query = OrganisationQuery(**stale_filter(args))
        return page_response(records.organisations(get_store(), query, redacted=not can_see_protected()))

    @require("editor")
    @blp.arguments(OrganisationBody)
    @blp.response(201, OrganisationSchema, headers=ETAG_HEADER)
    def post(self, org: Organisation) -> Any:
        """Create an organisation (editors); 409 if the id is taken."""
        created = records.create_organisation(get_store(), org, actor=caller().actor)
        return created, etag(created)


@blp.route("/<path:org_id>")
class OrganisationById(MethodView):
    """One organisation."""

    @blp.response(200, OrganisationSchema, headers=ETAG_HEADER)
    def get(self, org_id: str) -> Any:
        """Read one organisation; its ETag is its version (send it back as If-Match to change it)."""
        org = records.organisation(get_store(), org_id, redacted=not can_see_protected())
        return org, etag(org)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OrganisationBody)
    @blp.response(200, OrganisationSchema, headers=ETAG_HEADER)
    def put(self, org: Organisation, org_id: str) -> Any:
        """Replace an organisation (editors); needs If-Match, 412 if someone changed it since."""
        return _update(org_id, org)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OrganisationPatch(partial=True, exclude=("id",)))
    @blp.response(200, OrganisationSchema, headers=ETAG_HEADER)
    def patch(self, changes: dict[str, Any], org_id: str) -> Any:
        """Change some fields of an organisation (editors); needs If-Match, 412 if stale."""
        return _update(org_id, changes)

    @require("admin")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(DeleteArgs, location="query")
    @blp.response(204)
    def delete(self, args: dict[str, Any], org_id: str) -> None:
        """Delete an organisation (admins); needs If-Match; 409 while links remain unless ``cascade``."""
        records.delete_organisation(get_store(), org_id, expected_version=expected_version("organisation", org_id),
                                    cascade=args["cascade"], actor=caller().actor)


def _update(org_id: str, change: Organisation | dict[str, Any]) -> Any:
    updated = records.update_organisation(get_store(), org_id, change,
                                          expected_version=expected_version("organisation", org_id),
                                          actor=caller().actor)
    return updated, etag(updated)

