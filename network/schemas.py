"""Marshmallow schemas: the one place where input is validated."""

from __future__ import annotations

import re
import reprlib
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
    DEFAULT_COUNTRY,
    LINK_STATUSES,
    ORGANISATION_STATUSES,
    Link,
    Organisation,
    Programme,
    today,
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
    "Text",
    "clean_text",
    "MAX_CAPACITY_PER_MONTH",
    "problem_lines",
    "code_validator",
    "check_place",
    "ProgrammeSchema",
    "load_programme",
]

#: Organisation and link ids, as people write them (``L12``, ``MOU-2024-003``, ``ImspTQPwCqd``): letters of
#: either case, digits and ``- _ . : /``, starting with a letter or digit. Stored as given, unique regardless
#: of case (the stores refuse ``l12`` beside ``L12``).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"
_ID_MESSAGE = ("Use 1-100 letters, digits, '-', '_', '.', ':' or '/', starting with a letter or digit "
               "(for example L12 or MOU-2024-003).")


def _not_future(day: Any) -> None:
    """Refuse a ``last_verified`` date after today: nobody has confirmed a record in the future."""
    if day > today():
        raise ValidationError(f"{day.isoformat()} is in the future: give the date someone last confirmed the "
                              f"record, today ({today().isoformat()}) at the latest.")

#: Upper bounds: a month's capacity (a spreadsheet holds it exactly), list lengths.
MAX_CAPACITY_PER_MONTH = 10_000_000
_MAX_ITEMS = validate.Length(max=50, error="At most {max} items.")
_MAX_CODES = validate.Length(max=100, error="At most {max} codes.")

# One rule for text from every entry point (API bodies, CSV, XLSX, JSON, GraphML): surrounding
# whitespace is stripped; a lone surrogate, a control character or a Unicode noncharacter is refused
# (files, pages and XML cannot carry them); tab and line breaks only in free text (description,
# notes), where CR LF and a lone CR become LF.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_BAD_MULTILINE = re.compile(f"[{_FORBIDDEN}]")
_BAD_LINE = re.compile(f"[\t\n\r\u2028\u2029{_FORBIDDEN}]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` as every entry point stores it, or ``ValidationError`` naming the first bad character.

    Surrounding whitespace is stripped first. Refused: lone surrogates, control characters
    (NUL, ESC, DEL, C1 ...), Unicode noncharacters and, unless ``multiline``, tabs and
    line breaks; in multi-line text CR LF and a lone CR become LF.

    >>> clean_text("  Ikhwezi Sisters ")
    'Ikhwezi Sisters'
    >>> clean_text("First line\\r\\nsecond\\tline", multiline=True)
    'First line\\nsecond\\tline'
    >>> clean_text("Ikhwezi\\x00")
    Traceback (most recent call last):
    ...
    marshmallow.exceptions.ValidationError: Contains the control character U+0000 (NUL) at position 8; remove it.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    text = value.strip()
    bad = (_BAD_MULTILINE if multiline else _BAD_LINE).search(text)
    if bad:
        before = len(value) - len(value.lstrip())
        raise ValidationError(_problem(bad.group(), before + bad.start() + 1))
    return text


def _problem(char: str, position: int) -> str:
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return (f"Contains a lone surrogate ({code}) at position {position}, which is not Unicode text "
                "(a broken encoding?); remove it.")
    if char in "\t\n\r\u2028\u2029":
        return (f"Contains {'a tab' if char == chr(9) else 'a line break'} ({code}) at position {position}; "
                "only description and notes may hold tabs and line breaks.")
    if ord(char) < 0xA0:
        name = " (NUL)" if char == chr(0) else ""
        return f"Contains the control character {code}{name} at position {position}; remove it."
    return f"Contains the Unicode noncharacter {code} at position {position}; remove it."


class _Cleaned(fields.Field):
    """A text field whose input goes through :func:`clean_text` first.

    ``blank`` says what an empty or all-whitespace value becomes: ``"refuse"`` (an
    error; the default), ``"empty"`` (``""``) or ``"none"`` (``None``; the default of
    ``allow_none`` fields, as an empty cell in a file).
    """

    def __init__(self, *args: Any, multiline: bool = False, blank: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        self.blank = blank or ("none" if self.allow_none else "refuse")
        self.error_messages.setdefault("blank", "May not be blank (empty or only whitespace).")

    def deserialize(self, value: Any, attr: str | None = None, data: Mapping[str, Any] | None = None,
                    **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = clean_text(value, multiline=self.multiline)
            if not value:
                if self.blank == "refuse":
                    raise self.make_error("blank")
                return None if self.blank == "none" else ""
        return super().deserialize(value, attr, data, **kwargs)


class Text(_Cleaned, fields.String):
    """A string field under the one text rule (see :func:`clean_text`)."""


class _Email(_Cleaned, fields.Email):
    """An e-mail address under the one text rule."""


class _URL(_Cleaned, fields.URL):
    """A web address under the one text rule."""


def _code(facet: str, noun: str) -> Callable[[str], None]:
    """A validator accepting only codes of one vocabulary facet."""

    def check(value: str) -> None:
        if value not in getattr(vocabulary(), facet):
            raise ValidationError(f"Unknown {noun} '{value}'.")

    return check


#: The one validator of vocabulary codes: bodies here, and the API's, pages' and CLI's filters.
code_validator = _code


def _codes(facet: str, noun: str) -> fields.List:
    return fields.List(Text(validate=_code(facet, noun)), load_default=list, validate=_MAX_CODES)


#: List items and external ids travel ;-separated in CSV and spreadsheets, so they may not hold ";".
_NO_SEPARATOR = validate.Regexp(r"^[^;]*$", error="May not contain ';' (it separates list items in files).")
_NO_EQUALS = validate.Regexp(r"^[^;=]*$", error="May not contain ';' or '='.")


def _text_list() -> fields.List:
    return fields.List(Text(validate=[validate.Length(max=200), _NO_SEPARATOR]), load_default=list,
                       validate=_MAX_ITEMS)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _country(code: str) -> None:
    if code not in vocabulary().countries:
        known = ", ".join(f"{c} ({n})" for c, n in vocabulary().countries.items())
        raise ValidationError(f"Unknown country '{code}': give an ISO 3166-1 alpha-2 code of {known}.")


def check_place(country: str | None, province: str | None, district: str | None) -> None:
    """``ValidationError`` unless the district is in the province and both are in the country.

    A country left out is the one the province or district is in (South Africa when neither is given).

    >>> check_place("LS", "Maseru", "Maseru")
    >>> try:
    ...     check_place("ZA", None, "Maseru")
    ... except ValidationError as err:
    ...     print(err.field_name, err.messages)
    district ["District 'Maseru' is in Lesotho (LS), not South Africa (ZA): give country LS."]
    """
    voc = vocabulary()
    if district and province and voc.districts.get(district) != province:
        raise ValidationError(f"District '{district}' is in {voc.districts.get(district)}, not {province}.",
                              "district")
    if not country or country not in voc.countries:
        return
    for name, value in (("district", district), ("province", province)):
        home = voc.country_of(None, value) if name == "district" else voc.country_of(value)
        if value and home and home != country:
            raise ValidationError(f"{name.capitalize()} '{value}' is in {voc.country_label(home)} ({home}), not "
                                  f"{voc.country_label(country)} ({country}): give country {home}.", name)


class OrganisationSchema(_Strict):
    """An organisation as callers send and receive it."""

    id = Text(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    name = Text(required=True, validate=validate.Length(max=300))
    kind = Text(required=True, validate=_code("organisation_kinds", "organisation kind"))
    aliases = _text_list()
    description = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))
    province = Text(allow_none=True, load_default=None, validate=_code("provinces", "province"))
    district = Text(allow_none=True, load_default=None, validate=_code("districts", "district"))
    municipality = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                            validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, load_default=None, allow_nan=False,
                             validate=validate.Range(-180, 180))
    services = _codes("services", "service")
    populations = _codes("populations", "population")
    capacity_per_month = fields.Integer(allow_none=True, load_default=None, strict=True,
                                        validate=validate.Range(min=0, max=MAX_CAPACITY_PER_MONTH,
                                                                error="Give a number from 0 to 10,000,000."))
    languages = _text_list()
    phone = Text(allow_none=True, load_default=None,
                 validate=validate.Regexp(r"^\+?[0-9 ()\-]{6,25}$",
                                          error="Not a phone number: use digits, spaces and +."))
    email = _Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    website = _URL(allow_none=True, load_default=None, schemes={"http", "https"},
                   validate=validate.Length(max=2000))
    status = Text(load_default="active", validate=validate.OneOf(ORGANISATION_STATUSES))
    sensitive = fields.Boolean(load_default=False)
    tags = _text_list()
    external_ids = fields.Dict(keys=Text(validate=[validate.Length(max=50), _NO_EQUALS]),
                               values=Text(validate=[validate.Length(max=200), _NO_SEPARATOR]),
                               load_default=dict, validate=_MAX_ITEMS)
    source = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    last_verified = fields.Date(allow_none=True, load_default=None, validate=_not_future)
    verified_by = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    country = Text(allow_none=True, load_default=None, validate=_country)
    countries_served = fields.List(Text(validate=_country), load_default=list, validate=_MAX_CODES)
    intervention_areas = _codes("intervention_areas", "intervention area")
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)

    @pre_load
    def _country_as_province(self, data: Any, **_: Any) -> Any:
        """A country written in the province column (``Lesotho``, as files from across a border do) is read as the
        country, the province then coming from the district."""
        if not (isinstance(data, dict) and isinstance(data.get("province"), str)):
            return data
        name = data["province"].strip()
        code = {n.casefold(): c for c, n in vocabulary().countries.items()}.get(name.casefold())
        if not code or name in vocabulary().provinces:
            return data
        if data.get("country") not in (None, "", code):
            raise ValidationError(f"'{name}' is a country ({code}), but country says {data['country']}.", "province")
        return {**data, "province": None, "country": code}

    @validates_schema
    def _place(self, data: Mapping[str, Any], **_: Any) -> None:
        check_place(data.get("country"), data.get("province"), data.get("district"))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Give both latitude and longitude, or neither.", "latitude")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Organisation:
        voc = vocabulary()
        if data.get("district") and not data.get("province"):
            data["province"] = voc.districts[data["district"]]
        data["country"] = data.get("country") or voc.country_of(data.get("province")) or DEFAULT_COUNTRY
        return Organisation(**data)


class LinkSchema(_Strict):
    """A link as callers send and receive it."""

    id = Text(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    source = Text(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    target = Text(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    kind = Text(required=True, validate=_code("link_kinds", "link kind"))
    services = _codes("services", "service")
    status = Text(load_default="active", validate=validate.OneOf(LINK_STATUSES))
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    weight = fields.Integer(load_default=3, strict=True, validate=validate.Range(1, 5))
    formal = fields.Boolean(load_default=False)
    document = Text(allow_none=True, load_default=None, validate=validate.Length(max=500))
    notes = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))
    last_verified = fields.Date(allow_none=True, load_default=None, validate=_not_future)
    two_way = fields.Boolean(load_default=False)
    programme = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    grant_ref = Text(allow_none=True, load_default=None, validate=validate.Length(max=100))
    verified_by = Text(allow_none=True, load_default=None, validate=validate.Length(max=200))
    intervention_areas = _codes("intervention_areas", "intervention area")
    data = _codes("data_kinds", "kind of data")
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

    @validates_schema
    def _funding_only(self, data: Mapping[str, Any], **_: Any) -> None:
        """A programme and a grant reference belong to funding links only, the data carried to data sharing links
        (a patch without ``kind`` is checked once merged)."""
        kind = data.get("kind")
        if kind is None:
            return
        label = vocabulary().link_kinds.get(kind, kind).split(" (")[0]
        errors = {name: [f"Only a funding link has a {noun}, not a link of the kind '{label}'."]
                  for name, noun in (("programme", "programme"), ("grant_ref", "grant reference"))
                  if data.get(name) and kind != "funding"}
        if kind != "data_sharing" and data.get("data"):
            errors["data"] = [f"Only a data sharing link names the data it carries, not a link of the kind '{label}'."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Link:
        return Link(**data)


class ProgrammeSchema(_Strict):
    """A programme record (``seed/vocabulary/programmes.json``)."""

    id = Text(required=True, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    name = Text(required=True, validate=validate.Length(max=300))
    funder = Text(allow_none=True, load_default=None, validate=validate.Regexp(ID_PATTERN, error=_ID_MESSAGE))
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    intervention_areas = _codes("intervention_areas", "intervention area")
    provinces = _codes("provinces", "province")
    countries = fields.List(Text(validate=_country), load_default=list, validate=_MAX_CODES)
    description = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))

    @validates_schema
    def _period(self, data: Mapping[str, Any], **_: Any) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError(f"End date {end.isoformat()} is before start date {start.isoformat()}.",
                                  "end_date")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Programme:
        return Programme(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def load_programme(data: Mapping[str, Any]) -> Programme:
    """Validate one programme record, or raise ``InvalidData`` naming each bad field.

    >>> load_programme({"id": "bz", "name": "CSS programme", "provinces": ["Limpopo"]}).provinces
    ('Limpopo',)
    """
    return _load(ProgrammeSchema(), data, "programme")


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
        if key in data and value is not None:
            shown = _shown(value)
            if not any(shown in m for m in messages):
                messages = [*messages, f"Got '{shown}'."]
        named[key] = messages
    return named


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, 60, 60, 6, 6


def _shown(value: Any) -> str:
    """A short, printable rendering of a refused value: bad characters escaped, deep values cut."""
    if not isinstance(value, str):
        return _REPR.repr(value)
    text = value if len(value) <= 60 else value[:57] + "..."
    return _BAD_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _flatten(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, list[str]] = {}
    for raw, value in messages.items():
        key = _shown(str(raw))  # unknown fields and external_ids keys are caller text
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                flat[f"{key}.{sub}" if sub != "_schema" else key] = msgs
        else:
            flat[key] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
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
                name = _shown(str(key))  # unknown fields and external_ids keys are caller text
                walk(f"{prefix}.{name}" if prefix else name, sub)
        else:
            found.append((prefix, " ".join(str(m) for m in (value if isinstance(value, list) else [value]))))

    walk("", messages)
    return [f"{field}: {text}" for field, text in sorted(found)]
