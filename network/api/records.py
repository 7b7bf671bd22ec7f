"""Request and response schemas for organisation and link records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify
from marshmallow import fields, post_load, pre_load, validates_schema

from network.graph.store import Page
from network.model import Link, Organisation
from network.schemas import LinkSchema, OrganisationSchema

from .common import PageSchema

__all__ = [
    "plain",
    "page_json",
    "OrganisationBody",
    "OrganisationPatch",
    "OrganisationPage",
    "LinkBody",
    "LinkPatch",
    "LinkPage",
]

_STAMPS = ("updated_at", "version")


def plain(record: Organisation | Link) -> dict[str, Any]:
    """A record as JSON-ready data, as its schema would dump it (dates and times in ISO 8601), only faster."""
    data = dict(record.__dict__)
    for key, value in data.items():
        if isinstance(value, dt.date):
            data[key] = value.isoformat()
        elif isinstance(value, list | dict):
            data[key] = value.copy()
    return data


def page_json(page: Page[Any]) -> Response:
    """A page of records as the JSON envelope ``{items, total, limit, offset}``."""
    return jsonify({"items": [plain(item) for item in page.items], "total": page.total, "limit": page.limit,
                    "offset": page.offset})


def _without_stamps(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in _STAMPS}
    return data


class OrganisationBody(OrganisationSchema):
    """An organisation as sent in a body; ``updated_at`` and ``version`` are ignored if present."""

    @pre_load
    def _stamps(self, data: Any, **_: Any) -> Any:
        return _without_stamps(data)


class OrganisationPatch(OrganisationSchema):
    """Fields to change in an organisation (any subset except ``id``); checked again once merged."""

    @pre_load
    def _stamps(self, data: Any, **_: Any) -> Any:
        return _without_stamps(data)

    @validates_schema
    def _place(self, data: Any, **_: Any) -> None:
        """Place and coordinates are checked on the merged record instead."""

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data


class LinkBody(LinkSchema):
    """A link as sent in a body; ``updated_at`` and ``version`` are ignored if present."""

    @pre_load
    def _stamps(self, data: Any, **_: Any) -> Any:
        return _without_stamps(data)


class LinkPatch(LinkSchema):
    """Fields to change in a link (any subset except ``id``); checked again once merged."""

    @pre_load
    def _stamps(self, data: Any, **_: Any) -> Any:
        return _without_stamps(data)

    @validates_schema
    def _ends_and_dates(self, data: Any, **_: Any) -> None:
        """Ends and dates are checked on the merged record instead."""

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data


class OrganisationPage(PageSchema):
    """One page of organisations: ``items``, the ``total`` number of matches, ``limit`` and ``offset``."""

    items = fields.List(fields.Nested(OrganisationSchema))


class LinkPage(PageSchema):
    """One page of links: ``items``, the ``total`` number of matches, ``limit`` and ``offset``."""

    items = fields.List(fields.Nested(LinkSchema))
