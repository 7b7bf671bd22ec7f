"""One scope schema: which part of the network the API, the pages and the CLI look at, and how deep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from network.language import language_code, unknown_language
from network.schemas import ID_PATTERN, code_validator
from network.translation import lazy

__all__ = ["YEARS", "DEPTH", "FILTERS", "code_field", "code_list_field", "language_field", "country_field", "ScopeArgs",
           "ViewArgs", "filters_of"]

#: The years a day looked at may fall in (analyses count days back and forward from it).
YEARS = (1900, 2999)
#: How many links out from its centre an ego network reaches: the smallest and largest depth.
DEPTH = (1, 4)
#: The filters that keep part of the network: organisations by place, kind, service, population and intervention
#: area; links by kind.
FILTERS = ("country", "province", "district", "kind", "service", "population", "intervention_area", "link_kind")


def code_field(facet: str, noun: str, **kwargs: Any) -> fields.String:
    """A string field accepting only codes of one vocabulary facet (see ``/api/v1/vocabulary``)."""
    return fields.String(validate=code_validator(facet, noun),
                         metadata={"description": f"A {noun} code from /api/v1/vocabulary."}, **kwargs)


def code_list_field(facet: str, noun: str, **kwargs: Any) -> fields.List:
    """A list of codes of one vocabulary facet."""
    return fields.List(code_field(facet, noun), **kwargs)


def _known_language(value: str) -> None:
    if language_code(value) is None:
        raise ma.ValidationError(unknown_language(value))


def language_field(**kwargs: Any) -> fields.String:
    """The client's language, as a code or a name: referral plans prefer providers that speak it."""
    return fields.String(validate=_known_language, metadata={
        "description": "The client's language (a code such as st, or a name such as Sesotho): providers that "
                       "speak it are preferred and say so."}, **kwargs)


class ScopeArgs(ma.Schema):
    """The day and the place an analysis looks at."""

    as_of = fields.Date(
        validate=validate.Range(dt.date(YEARS[0], 1, 1), dt.date(YEARS[1], 12, 31),
                                error=lazy("Give a day in the years {min:%Y} to {max:%Y}.")),
        metadata={"description": "The day the network is looked at (default today)."})
    province = code_field("provinces", "province")
    district = code_field("districts", "district")


def country_field(**kwargs: Any) -> fields.String:
    """A country: an ISO 3166-1 alpha-2 code of the vocabulary (``LS``)."""
    return fields.String(validate=code_validator("countries", "country"),
                         metadata={"description": "A country code (ISO 3166-1 alpha-2) from /api/v1/vocabulary."},
                         **kwargs)


class ViewArgs(ScopeArgs):
    """Which part of the network to draw: filters, and optionally an organisation's ego network."""

    kind = code_field("organisation_kinds", "organisation kind")
    service = code_field("services", "service")
    population = code_field("populations", "population")
    country = country_field()
    intervention_area = code_field("intervention_areas", "intervention area")
    link_kind = code_field("link_kinds", "link kind")
    ego = fields.String(validate=validate.Regexp(ID_PATTERN, error="Not an organisation id."),
                        metadata={"description": "Draw this organisation and its neighbours up to `depth` links."})
    depth = fields.Integer(load_default=DEPTH[0], validate=validate.Range(*DEPTH),
                           metadata={"description": f"Links out from `ego` ({DEPTH[0]}-{DEPTH[1]})."})


def filters_of(args: dict[str, Any]) -> dict[str, Any]:
    """The ``FILTERS`` among ``args`` (``None`` where not given).

    >>> filters_of({"district": "Sekhukhune", "depth": 2})["district"], filters_of({})["kind"]
    ('Sekhukhune', None)
    """
    return {name: args.get(name) for name in FILTERS}
