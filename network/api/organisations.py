"""``/api/v1/organisations``: list, read, create, replace, change and delete organisations."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.errors import InvalidData, StaleWrite
from network.graph.store import OrganisationQuery
from network.model import ORGANISATION_STATUSES, Organisation
from network.redaction import redact_organisation
from network.schemas import OrganisationSchema, dump_organisation, load_organisation

from . import audit
from .auth import can_see_protected, require
from .common import IF_MATCH, Blueprint, PageArgs, StrictSchema, code_field, expected_version
from .records import OrganisationBody, OrganisationPage, OrganisationPatch, page_json
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
    status = fields.String(validate=validate.OneOf(ORGANISATION_STATUSES))
    sensitive = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "Text search: each word starts a word of the name or an alias."})


class DeleteArgs(StrictSchema):
    """Options of a delete."""

    cascade = fields.Boolean(load_default=False, metadata={"description": "Delete the organisation's links too."})


def _shown(org: Organisation) -> Organisation:
    return redact_organisation(org, hide=not can_see_protected())


def _etag(org: Organisation) -> dict[str, str]:
    return {"ETag": f'"{org.version}"'}


@blp.route("")
class Organisations(MethodView):
    """The organisation list."""

    @blp.arguments(OrganisationArgs, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List organisations (filtered, paginated: ``{items, total, limit, offset}``)."""
        page = get_store().list_organisations(OrganisationQuery(**args))
        page.items = [_shown(o) for o in page.items]
        return page_json(page)

    @require("editor")
    @blp.arguments(OrganisationBody)
    @blp.response(201, OrganisationSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def post(self, org: Organisation) -> Any:
        """Create an organisation (editors); 409 if the id is taken."""
        created = get_store().create_organisation(org)
        audit.record("create", "organisation", created.id, {"after": dump_organisation(created)})
        return created, _etag(created)


@blp.route("/<string:org_id>")
class OrganisationById(MethodView):
    """One organisation."""

    @blp.response(200, OrganisationSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def get(self, org_id: str) -> Any:
        """Read one organisation; its ETag is its version (send it back as If-Match to change it)."""
        org = get_store().get_organisation(org_id)
        return _shown(org), _etag(org)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OrganisationBody)
    @blp.response(200, OrganisationSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def put(self, org: Organisation, org_id: str) -> Any:
        """Replace an organisation (editors); needs If-Match, 412 if someone changed it since."""
        if org.id != org_id:
            raise InvalidData(f"The body's id '{org.id}' is not the id in the path '{org_id}'.",
                              {"id": [f"Must be '{org_id}'."]})
        return _update(org_id, lambda _: org)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OrganisationPatch(partial=True, exclude=("id",)))
    @blp.response(200, OrganisationSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def patch(self, changes: dict[str, Any], org_id: str) -> Any:
        """Change some fields of an organisation (editors); needs If-Match, 412 if stale."""

        def merged(current: Organisation) -> Organisation:
            data = dump_organisation(dataclasses.replace(current, **changes))
            return load_organisation({k: v for k, v in data.items() if k not in ("updated_at", "version")})

        return _update(org_id, merged)

    @require("admin")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(DeleteArgs, location="query")
    @blp.response(204)
    def delete(self, args: dict[str, Any], org_id: str) -> None:
        """Delete an organisation (admins); needs If-Match; 409 while links remain unless ``cascade``."""
        store = get_store()
        current = store.get_organisation(org_id)
        version = expected_version("organisation", org_id)
        if version != current.version:
            raise StaleWrite(f"Organisation '{org_id}' changed since you read it (now version "
                             f"{current.version}); read it again.")
        removed = store.delete_organisation(org_id, cascade=args["cascade"])
        audit.record("delete", "organisation", org_id,
                     {"before": dump_organisation(current), "links_deleted": removed})


def _update(org_id: str, change: Any) -> Any:
    store = get_store()
    current = store.get_organisation(org_id)
    version = expected_version("organisation", org_id)
    updated = store.update_organisation(change(current), expected_version=version)
    audit.record("update", "organisation", org_id,
                 audit.field_changes(dump_organisation(current), dump_organisation(updated)))
    return _shown(updated), _etag(updated)
