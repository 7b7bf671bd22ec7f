"""``/api/v1/links``: list, read, create, replace, change and delete links."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.graph.store import LinkQuery
from network.model import LINK_STATUSES, Link
from network.schemas import ID_PATTERN, LinkSchema
from network.service import records

from .auth import caller, require
from .common import ETAG_HEADER, IF_MATCH, Blueprint, PageArgs, code_field, etag, expected_version
from .freshness import stale_field, stale_filter
from .listing import page_response
from .records import LinkBody, LinkPage, LinkPatch
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("links", __name__, url_prefix="/api/v1/links", description="Links between organisations.")


def _id_field(description: str) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_PATTERN), metadata={"description": description})


class LinkArgs(PageArgs):
    """Filters of the link list."""

    kind = code_field("link_kinds", "link kind")
    status = fields.String(validate=validate.OneOf(LINK_STATUSES))
    organisation = _id_field("Links with this organisation at either end.")
    source = _id_field("Links from this organisation.")
    target = _id_field("Links to this organisation.")
    service = code_field("services", "service")
    stale = stale_field()


@blp.route("")
class Links(MethodView):
    """The link list."""

    @blp.arguments(LinkArgs(), location="query")
    @blp.response(200, LinkPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List links (filtered, paginated: ``{items, total, limit, offset}``)."""
        return page_response(get_store().list_links(LinkQuery(**stale_filter(args))))

    @require("editor")
    @blp.arguments(LinkBody)
    @blp.response(201, LinkSchema, headers=ETAG_HEADER)
    def post(self, link: Link) -> Any:
        """Create a link (editors); 409 if the id is taken, 422 if an end is unknown."""
        created = records.create_link(get_store(), link, actor=caller().actor)
        return created, etag(created)


@blp.route("/<path:link_id>")
class LinkById(MethodView):
    """One link."""

    @blp.response(200, LinkSchema, headers=ETAG_HEADER)
    def get(self, link_id: str) -> Any:
        """Read one link; its ETag is its version."""
        link = get_store().get_link(link_id)
        return link, etag(link)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(LinkBody)
    @blp.response(200, LinkSchema, headers=ETAG_HEADER)
    def put(self, link: Link, link_id: str) -> Any:
        """Replace a link (editors); needs If-Match, 412 if someone changed it since."""
        return _update(link_id, link)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(LinkPatch(partial=True, exclude=("id",)))
    @blp.response(200, LinkSchema, headers=ETAG_HEADER)
    def patch(self, changes: dict[str, Any], link_id: str) -> Any:
        """Change some fields of a link (editors); needs If-Match, 412 if stale."""
        return _update(link_id, changes)

    @require("admin")
    @blp.doc(parameters=[IF_MATCH])
    @blp.response(204)
    def delete(self, link_id: str) -> None:
        """Delete a link (admins); needs If-Match, 412 if stale."""
        records.delete_link(get_store(), link_id, expected_version=expected_version("link", link_id),
                            actor=caller().actor)


def _update(link_id: str, change: Link | dict[str, Any]) -> Any:
    updated = records.update_link(get_store(), link_id, change, expected_version=expected_version("link", link_id),
                                  actor=caller().actor)
    return updated, etag(updated)

