"""Marshmallow schemas: the one place where input is validated."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from network.errors import InvalidData
from network.model import (
    LINK_STATUSES,
    ORGANISATION_STATUSES,
    Link,
    Organisation,
    vocabulary,
)

__all__ = [
    "OrganisationSchema",
    "LinkSchema",
    "load_organisation",
    "load_link",
    "dump_organisation",
    "dump_link",
    "check_batch",
    "ID_PATTERN",
    "problem_lines",
    "code_validator",
]

#: Organisation and link ids: lower-case slugs.
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
_ID_MESSAGE = "Use 1-100 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."


def _code(facet: str, noun: str) -> Callable[[str], None]:
    """A validator accepting only codes of one vocabulary facet."""

    def check(value: str) -> None:
        if value not in getattr(vocabulary(), facet):
            raise ValidationError(f"Unknown {noun} '{value}'.")

    return check


#: The one validator of vocabulary codes: bodies here, and the API's, pages' and CLI's filters.
code_validator = _code


def _codes(facet: str, noun: str) -> fields.List:
    return fields.List(fields.String(validate=_code(facet, noun)), load_default=list)


#: List items and external ids travel ;-separated in CSV and spreadsheets, so they may not hold ";".
_NO_SEPARATOR = validate.Regexp(r"^[^;]*$", error="May not contain ';' (it separates list items in files).")
_NO_EQUALS = validate.Regexp(r"^[^;=]*$", error="May not contain ';' or '='.")


def _text_list() -> fields.List:
    return fields.List(fields.String(validate=[validate.Length(min=1, max=200), _NO_SEPARATOR]),
                       load_default=list)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class OrganisationSchema(_Strict):
    """An organisation as callers send and receive it."""

    id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=_code("organisation_kinds", "organisation kind"))
    aliases = _text_list()
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    province = fields.String(allow_none=True, load_default=None, validate=_code("provinces", "province"))
    district = fields.String(allow_none=True, load_default=None, validate=_code("districts", "district"))
    municipality = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                            validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                             validate=validate.Range(-180, 180))
    services = _codes("services", "service")
    populations = _codes("populations", "population")
    capacity_per_month = fields.Integer(allow_none=True, load_default=None, strict=True,
                                        validate=validate.Range(min=0))
    languages = _text_list()
    phone = fields.String(allow_none=True, load_default=None,
                          validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,25}$",
                                                   error="Not a phone number: use digits, spaces and +."))
    email = fields.Email(allow_none=True, load_default=None)
    website = fields.URL(allow_none=True, load_default=None, schemes={"http", "https"})
    status = fields.String(load_default="active", validate=validate.OneOf(ORGANISATION_STATUSES))
    sensitive = fields.Boolean(load_default=False)
    tags = _text_list()
    external_ids = fields.Dict(keys=fields.String(validate=[validate.Length(min=1, max=50), _NO_EQUALS]),
                               values=fields.String(validate=[validate.Length(min=1, max=200), _NO_SEPARATOR]),
                               load_default=dict)
    source = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))
    last_verified = fields.Date(allow_none=True, load_default=None)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)

    @validates_schema
    def _place(self, data: Mapping[str, Any], **_: Any) -> None:
        district, province = data.get("district"), data.get("province")
        if district and province and vocabulary().districts.get(district) != province:
            raise ValidationError(f"District '{district}' is in {vocabulary().districts.get(district)}, "
                                  f"not {province}.", "district")
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Give both latitude and longitude, or neither.", "latitude")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Organisation:
        if data.get("district") and not data.get("province"):
            data["province"] = vocabulary().districts[data["district"]]
        return Organisation(**data)


class LinkSchema(_Strict):
    """A link as callers send and receive it."""

    id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    source = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    target = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    kind = fields.String(required=True, validate=_code("link_kinds", "link kind"))
    services = _codes("services", "service")
    status = fields.String(load_default="active", validate=validate.OneOf(LINK_STATUSES))
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    weight = fields.Integer(load_default=3, strict=True, validate=validate.Range(1, 5))
    formal = fields.Boolean(load_default=False)
    document = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    last_verified = fields.Date(allow_none=True, load_default=None)
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
            raise ValidationError(f"A link cannot join '{data['source']}' to itself.", "target")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError(f"End date {end.isoformat()} is before start date {start.isoformat()}.",
                                  "end_date")

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
    return _load(_ORGANISATION, data, "organisation")


def load_link(data: Mapping[str, Any]) -> Link:
    """Validate ``data`` into a Link, or raise ``InvalidData`` naming each bad field."""
    return _load(_LINK, data, "link")


def dump_organisation(organisation: Organisation, *, hide: Iterable[str] = ()) -> dict[str, Any]:
    """The organisation as JSON-ready data, with the ``hide`` fields set to null."""
    data = _ORGANISATION.dump(organisation)
    for name in hide:
        data[name] = None
    return data


def dump_link(link: Link) -> dict[str, Any]:
    """The link as JSON-ready data."""
    return _LINK.dump(link)


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
            problems.append(("organisation", org.id, "id", f"organisation id '{org.id}' appears more than once."))
        seen.add(org.id)
    ends = seen | set(known)
    seen_links: set[str] = set()
    for link in links:
        if link.id in seen_links:
            problems.append(("link", link.id, "id", f"link id '{link.id}' appears more than once."))
        seen_links.add(link.id)
        for end in ("source", "target"):
            if getattr(link, end) not in ends:
                problems.append(("link", link.id, end, f"{end} '{getattr(link, end)}' is not a known organisation."))
    return problems


def _load(schema: Schema, data: Mapping[str, Any], noun: str) -> Any:
    if not isinstance(data, Mapping):
        raise InvalidData(f"An {noun} must be a JSON object.", {"_schema": ["Not an object."]})
    try:
        return schema.load(data)
    except ValidationError as err:
        errors = _with_values(_flatten(err.messages), data)
        raise InvalidData(_summary(errors), errors) from None


def _with_values(errors: dict[str, list[str]], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Name the offending value in each message that does not already quote it."""
    named: dict[str, list[str]] = {}
    for key, messages in errors.items():
        value = data.get(key.split(".")[0])
        if key in data and value is not None and not any(str(value) in m for m in messages):
            shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
            messages = [*messages, f"Got '{shown}'."]
        named[key] = messages
    return named


def _flatten(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                flat[f"{key}.{sub}" if sub != "_schema" else str(key)] = msgs
        else:
            flat[str(key)] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return flat


def _summary(errors: dict[str, list[str]]) -> str:
    return "; ".join(problem_lines(errors))


def problem_lines(messages: Any) -> list[str]:
    """One line per refused field, nested fields dotted: how every error message words its problems.

    >>> problem_lines({"query": {"kind": ["Unknown organisation kind 'x'."]}, "name": ["Too long."]})
    ['name: Too long.', "query.kind: Unknown organisation kind 'x'."]
    """
    found: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        else:
            found.append((prefix, " ".join(str(m) for m in (value if isinstance(value, list) else [value]))))

    walk("", messages)
    return [f"{field}: {text}" for field, text in sorted(found)]
