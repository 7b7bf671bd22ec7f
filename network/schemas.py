"""Marshmallow schemas of organisations and links: the one place where their input is validated.

The fields and rules they are built from live in :mod:`network.schema_fields`, the way refusals are
worded in :mod:`network.schema_errors`, programmes in :mod:`network.programme_schemas`; their public
names are re-exported here, where entry points have always found them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from network.model import DEFAULT_COUNTRY, LINK_STATUSES, ORGANISATION_STATUSES, Link, Organisation, vocabulary
from network.programme_schemas import ProgrammeSchema, load_programme
from network.schema_errors import load_record, problem_lines
from network.schema_fields import (
    ID_PATTERN,
    MAX_CAPACITY_PER_MONTH,
    MAX_CODES,
    MAX_ITEMS,
    NO_EQUALS,
    NO_SEPARATOR,
    URL,
    VALID_ID,
    Email,
    Strict,
    Text,
    check_period,
    check_place,
    clean_text,
    code_validator,
    codes,
    known_country,
    name_the_divisions,
    not_future,
    text_list,
)
from network.translation import N_, lazy, translate

__all__ = [
    "OrganisationSchema",
    "LinkSchema",
    "load_organisation",
    "load_link",
    "dump_organisation",
    "dump_link",
    "check_batch",
    "ID_PATTERN",
    "Text",
    "clean_text",
    "MAX_CAPACITY_PER_MONTH",
    "problem_lines",
    "code_validator",
    "check_place",
    "ProgrammeSchema",
    "load_programme",
]


class OrganisationSchema(Strict):
    """An organisation as callers send and receive it."""

    id = Text(required=True, validate=VALID_ID)
    name = Text(required=True, validate=validate.Length(max=300))
    kind = Text(required=True, validate=code_validator("organisation_kinds", "organisation kind"))
    aliases = text_list()
    description = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))
    province = Text(allow_none=True, load_default=None, validate=code_validator("provinces", "province"))
    district = Text(allow_none=True, load_default=None, validate=code_validator("districts", "district"))
    municipality = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                            validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                             validate=validate.Range(-180, 180))
    services = codes("services", "service")
    populations = codes("populations", "population")
    capacity_per_month = fields.Integer(allow_none=True, load_default=None, strict=True,
                                        validate=validate.Range(min=0, max=MAX_CAPACITY_PER_MONTH,
                                                                error=lazy("Give a number from 0 to 10,000,000.")))
    languages = text_list()
    phone = Text(allow_none=True, load_default=None,
                 validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,25}$",
                                          error=lazy("Not a phone number: use digits, spaces and +.")))
    email = Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    website = URL(allow_none=True, load_default=None, schemes={"http", "https"},
                   validate=validate.Length(max=2000))
    status = Text(load_default="active", validate=validate.OneOf(ORGANISATION_STATUSES))
    sensitive = fields.Boolean(load_default=False)
    tags = text_list()
    external_ids = fields.Dict(keys=Text(validate=[validate.Length(max=50), NO_EQUALS]),
                               values=Text(validate=[validate.Length(max=200), NO_SEPARATOR]),
                               load_default=dict, validate=MAX_ITEMS)
    source = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    last_verified = fields.Date(allow_none=True, load_default=None, validate=not_future)
    verified_by = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    country = Text(allow_none=True, load_default=None, validate=known_country)
    countries_served = fields.List(Text(validate=known_country), load_default=list, validate=MAX_CODES)
    intervention_areas = codes("intervention_areas", "intervention area")
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)

    @pre_load
    def _country_as_province(self, data: Any, **_: Any) -> Any:
        """A country written in the province column (``Lesotho``, as files from across a border do) is read as the
        country, the province then coming from the district."""
        if not (isinstance(data, dict) and isinstance(data.get("province"), str)):
            return data
        name = data["province"].strip()
        if name in vocabulary().provinces:
            return data
        code = {n.casefold(): c for c, n in vocabulary().countries.items()}.get(name.casefold())
        if not code:
            return data
        if data.get("country") not in (None, "", code):
            raise ValidationError(translate("'%(name)s' is a country (%(code)s), but country says %(country)s.",
                                            name=name, code=code, country=data["country"]), "province")
        return {**data, "province": None, "country": code}

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _divisions_named(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        """A province or district refused as unknown is answered with the places the country has."""
        if not isinstance(original, Mapping):
            return
        for name in ("province", "district"):
            if name in data or not original.get(name):
                continue
            country = data.get("country") or vocabulary().country_of(data.get("province"), data.get("district"))
            hint = name_the_divisions(country, data.get("province"), name)
            if hint:
                raise ValidationError(hint, name)

    @validates_schema
    def _place(self, data: Mapping[str, Any], **_: Any) -> None:
        check_place(data.get("country"), data.get("province"), data.get("district"))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(translate("Give both latitude and longitude, or neither."), "latitude")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Organisation:
        voc = vocabulary()
        if data.get("district") and not data.get("province"):
            data["province"] = voc.districts[data["district"]]
        data["country"] = data.get("country") or voc.country_of(data.get("province")) or DEFAULT_COUNTRY
        return Organisation(**data)


class LinkSchema(Strict):
    """A link as callers send and receive it."""

    id = Text(required=True, validate=VALID_ID)
    source = Text(required=True, validate=VALID_ID)
    target = Text(required=True, validate=VALID_ID)
    kind = Text(required=True, validate=code_validator("link_kinds", "link kind"))
    services = codes("services", "service")
    status = Text(load_default="active", validate=validate.OneOf(LINK_STATUSES))
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    weight = fields.Integer(load_default=3, strict=True, validate=validate.Range(1, 5))
    formal = fields.Boolean(load_default=False)
    document = Text(allow_none=True, load_default=None, validate=validate.Length(max=500))
    notes = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))
    last_verified = fields.Date(allow_none=True, load_default=None, validate=not_future)
    two_way = fields.Boolean(load_default=False)
    programme = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    grant_ref = Text(allow_none=True, load_default=None, validate=validate.Length(max=100))
    verified_by = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    intervention_areas = codes("intervention_areas", "intervention area")
    data = codes("data_kinds", "kind of data")
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)

    @pre_load
    def _blank_notes(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and data.get("notes") is None and "notes" in data:
            data = {**data, "notes": ""}
        return data

    @validates_schema
    def _ends_and_dates(self, data: Mapping[str, Any], **_: Any) -> None:
        if data.get("source") and data.get("source") == data.get("target"):
            raise ValidationError(translate("A link cannot join '%(id)s' to itself.", id=data["source"]), "target")
        check_period(data.get("start_date"), data.get("end_date"))

    @validates_schema
    def _funding_only(self, data: Mapping[str, Any], **_: Any) -> None:
        """A programme and a grant reference belong to funding links only, the data carried to data sharing links
        (a patch without ``kind`` is checked once merged)."""
        kind = data.get("kind")
        if kind is None or not (data.get("programme") or data.get("grant_ref") or data.get("data")):
            return
        label = vocabulary().link_kinds.get(kind, kind).split(" (")[0]
        label = translate(label)
        errors = {name: [translate(message, kind=label)] for name, message in (
                      ("programme", N_("Only a funding link has a programme, not a link of the kind '%(kind)s'.")),
                      ("grant_ref", N_("Only a funding link has a grant reference, not a link of the kind "
                                       "'%(kind)s'.")))
                  if data.get(name) and kind != "funding"}
        if kind != "data_sharing" and data.get("data"):
            errors["data"] = [translate("Only a data sharing link names the data it carries, not a link of the kind "
                                        "'%(kind)s'.", kind=label)]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Link:
        return Link(**data)


_ORGANISATION = OrganisationSchema()
_LINK = LinkSchema()


def load_organisation(data: Mapping[str, Any]) -> Organisation:
    """Validate ``data`` into an Organisation, or raise ``InvalidData`` naming each bad field.

    >>> load_organisation({"id": "a", "name": "A", "kind": "cbo", "district": "Sekhukhune"}).province
    'Limpopo'
    >>> load_organisation({"id": "a", "name": "A", "kind": "shop"})
    Traceback (most recent call last):
    ...
    network.errors.InvalidData: kind: Unknown organisation kind 'shop'.
    """
    return load_record(_ORGANISATION, data, "organisation")


def load_link(data: Mapping[str, Any]) -> Link:
    """Validate ``data`` into a Link, or raise ``InvalidData`` naming each bad field."""
    return load_record(_LINK, data, "link")


def dump_organisation(organisation: Organisation, *, hide: Iterable[str] = ()) -> dict[str, Any]:
    """The organisation as JSON-ready data, with the ``hide`` fields set to null."""
    data = _ORGANISATION.dump(organisation)
    for name in hide:
        data[name] = None
    return data


def dump_link(link: Link) -> dict[str, Any]:
    """The link as JSON-ready data."""
    return _LINK.dump(link)


#: What is said of a link's end that names no organisation, by the end (the stores say it too).
UNKNOWN_END = {"source": N_("source '%(id)s' is not a known organisation."),
                "target": N_("target '%(id)s' is not a known organisation.")}


def check_batch(organisations: Iterable[Organisation], links: Iterable[Link],
                known: Iterable[str] = ()) -> list[tuple[str, str, str, str]]:
    """Problems a batch has as a whole: repeated ids and links to unknown organisations.

    ``known`` holds organisation ids already stored. Returns
    ``(noun, record id, field, problem)`` tuples, ``noun`` being ``organisation`` or ``link``.

    >>> check_batch([Organisation("a", "A", "cbo")], [Link("l1", "a", "b", "mou")])
    [('link', 'l1', 'target', "target 'b' is not a known organisation.")]
    """
    problems: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for org in organisations:
        if org.id in seen:
            problems.append(("organisation", org.id, "id",
                             translate("organisation id '%(id)s' appears more than once.", id=org.id)))
        seen.add(org.id)
    ends = seen | set(known)
    seen_links: set[str] = set()
    for link in links:
        if link.id in seen_links:
            problems.append(("link", link.id, "id", translate("link id '%(id)s' appears more than once.", id=link.id)))
        seen_links.add(link.id)
        for end in ("source", "target"):
            if getattr(link, end) not in ends:
                problems.append(("link", link.id, end, translate(UNKNOWN_END[end], id=getattr(link, end))))
    return problems
