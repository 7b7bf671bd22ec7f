"""What the API blueprints share: a strict argument parser, query-string fields, ETags."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint as _Blueprint
from marshmallow import INCLUDE, RAISE, fields, post_dump, validate
from webargs.flaskparser import FlaskParser

from network.errors import CssnetError, StaleWrite
from network.service.scope import code_field, code_list_field
from network.translation import N_, translate

__all__ = [
    "Blueprint",
    "StrictSchema",
    "OpenObject",
    "PageArgs",
    "PageSchema",
    "code_field",
    "code_list_field",
    "expected_version",
    "etag",
    "IF_MATCH",
    "ETAG_HEADER",
    "PreconditionRequired",
]


class _StrictParser(FlaskParser):
    """Refuse unknown fields in query strings too, not only in bodies."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None,
                                   "querystring": None, "form": None, "files": None}


class Blueprint(_Blueprint):
    """A flask-smorest blueprint whose arguments refuse unknown fields.

    An argument schema given as a class is made once, here, not again for every request.
    """

    ARGUMENTS_PARSER = _StrictParser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


class StrictSchema(ma.Schema):
    """A schema that refuses unknown fields."""

    class Meta:
        unknown = RAISE


class OpenObject(ma.Schema):
    """A JSON object of any shape (the analysis output is passed through as it is)."""

    class Meta:
        unknown = INCLUDE

    @post_dump(pass_original=True)
    def _as_is(self, data: dict[str, Any], original: Any, **_: Any) -> Any:
        return original


class PageArgs(StrictSchema):
    """The page window of a listing."""

    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500),
                           metadata={"description": "Items per page (1-500)."})
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000),
                            metadata={"description": "Items to skip."})


class PageSchema(StrictSchema):
    """The envelope of a listing: its ``items`` (declared by each subclass), the ``total`` number of matches,
    ``limit`` and ``offset``."""

    total = fields.Integer()
    limit = fields.Integer(allow_none=True)
    offset = fields.Integer()


class PreconditionRequired(CssnetError):
    """A write without ``If-Match``: the caller must say which version it read."""

    status = 428


#: The OpenAPI description of the If-Match header that writes require.
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "The ETag of the version you read (from GET); a stale one is refused with 412."}


#: Versions are counters: an ETag of more digits than this names none.
_VERSION_DIGITS = 18


#: What a write without a usable ``If-Match`` is told, by the kind of record: one template each for the catalogs.
_SEND_IF_MATCH = {
    "organisation": N_("Send If-Match with the ETag of the organisation you read (GET it first) so a newer change is "
                       "not overwritten."),
    "link": N_("Send If-Match with the ETag of the link you read (GET it first) so a newer change is not "
               "overwritten."),
    "monitoring report": N_("Send If-Match with the ETag of the monitoring report you read (GET it first) so a "
                            "newer change is not overwritten.")}
_NO_STAR = {
    "organisation": N_("If-Match: * is not accepted; send the ETag of the organisation '%(id)s' you read."),
    "link": N_("If-Match: * is not accepted; send the ETag of the link '%(id)s' you read."),
    "monitoring report": N_("If-Match: * is not accepted; send the ETag of the monitoring report '%(id)s' you read.")}
_NO_VERSION = {
    "organisation": N_("If-Match does not name a version of organisation '%(id)s'; GET it again."),
    "link": N_("If-Match does not name a version of link '%(id)s'; GET it again."),
    "monitoring report": N_("If-Match does not name a version of monitoring report '%(id)s'; GET it again.")}


def expected_version(noun: str, record_id: str) -> int:
    """The version named by the request's ``If-Match``: 428 if missing, 412 if it cannot match."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired(translate(_SEND_IF_MATCH[noun]))
    tags = request.if_match
    if tags.star_tag:
        raise StaleWrite(translate(_NO_STAR[noun], id=record_id))
    for tag in tags.as_set():
        if tag.isascii() and tag.isdigit() and len(tag) <= _VERSION_DIGITS:
            return int(tag)
    raise StaleWrite(translate(_NO_VERSION[noun], id=record_id))


#: The OpenAPI description of the ETag header of a single record's response.
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}


def etag(record: Any) -> dict[str, str]:
    """The headers marking a single record's response with its version as a strong ETag."""
    return {"ETag": f'"{record.version}"'}
