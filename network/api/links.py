"""``/api/v1/links``: list, read, create, replace, change and delete links."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.errors import InvalidData, StaleWrite
from network.graph.store import LinkQuery
from network.model import LINK_STATUSES, Link
from network.schemas import ID_PATTERN, LinkSchema, dump_link, load_link

from . import audit
from .auth import require
from .common import IF_MATCH, Blueprint, PageArgs, code_field, expected_version
from .records import LinkBody, LinkPage, LinkPatch, page_json
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("links", __name__, url_prefix="/api/v1/links", description="Links between organisations.")

_ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}


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


def _etag(link: Link) -> dict[str, str]:
    return {"ETag": f'"{link.version}"'}


@blp.route("")
class Links(MethodView):
    """The link list."""

    @blp.arguments(LinkArgs, location="query")
    @blp.response(200, LinkPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List links (filtered, paginated: ``{items, total, limit, offset}``)."""
        return page_json(get_store().list_links(LinkQuery(**args)))

    @require("editor")
    @blp.arguments(LinkBody)
    @blp.response(201, LinkSchema, headers=_ETAG_HEADER)
    def post(self, link: Link) -> Any:
        """Create a link (editors); 409 if the id is taken, 422 if an end is unknown."""
        created = get_store().create_link(link)
        audit.record("create", "link", created.id, {"after": dump_link(created)})
        return created, _etag(created)


@blp.route("/<string:link_id>")
class LinkById(MethodView):
    """One link."""

    @blp.response(200, LinkSchema, headers=_ETAG_HEADER)
    def get(self, link_id: str) -> Any:
        """Read one link; its ETag is its version."""
        link = get_store().get_link(link_id)
        return link, _etag(link)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(LinkBody)
    @blp.response(200, LinkSchema, headers=_ETAG_HEADER)
    def put(self, link: Link, link_id: str) -> Any:
        """Replace a link (editors); needs If-Match, 412 if someone changed it since."""
        if link.id != link_id:
            raise InvalidData(f"The body's id '{link.id}' is not the id in the path '{link_id}'.",
                              {"id": [f"Must be '{link_id}'."]})
        return _update(link_id, lambda _: link)

    @require("editor")
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(LinkPatch(partial=True, exclude=("id",)))
    @blp.response(200, LinkSchema, headers=_ETAG_HEADER)
    def patch(self, changes: dict[str, Any], link_id: str) -> Any:
        """Change some fields of a link (editors); needs If-Match, 412 if stale."""

        def merged(current: Link) -> Link:
            data = dump_link(dataclasses.replace(current, **changes))
            return load_link({k: v for k, v in data.items() if k not in ("updated_at", "version")})

        return _update(link_id, merged)

    @require("admin")
    @blp.doc(parameters=[IF_MATCH])
    @blp.response(204)
    def delete(self, link_id: str) -> None:
        """Delete a link (admins); needs If-Match, 412 if stale."""
        store = get_store()
        current = store.get_link(link_id)
        if expected_version("link", link_id) != current.version:
            raise StaleWrite(f"Link '{link_id}' changed since you read it (now version {current.version}); "
                             "read it again.")
        store.delete_link(link_id)
        audit.record("delete", "link", link_id, {"before": dump_link(current)})


def _update(link_id: str, change: Any) -> Any:
    store = get_store()
    current = store.get_link(link_id)
    version = expected_version("link", link_id)
    updated = store.update_link(change(current), expected_version=version)
    audit.record("update", "link", link_id, audit.field_changes(dump_link(current), dump_link(updated)))
    return updated, _etag(updated)
