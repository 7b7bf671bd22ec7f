"""Request and response schemas for organisation and link records."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, pre_load, validates_schema

from network.schemas import LinkSchema, OrganisationSchema

from .common import PageSchema

__all__ = [
    "OrganisationBody",
    "OrganisationPatch",
    "OrganisationPage",
    "LinkBody",
    "LinkPatch",
    "LinkPage",
]

_STAMPS = ("updated_at", "version")


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
