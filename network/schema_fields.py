"""The fields and rules every marshmallow schema is built from: the one text rule, ids, codes and places."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from network.model import today, vocabulary

__all__ = [
    "ID_PATTERN",
    "VALID_ID",
    "MAX_CAPACITY_PER_MONTH",
    "MAX_ITEMS",
    "MAX_CODES",
    "NO_SEPARATOR",
    "NO_EQUALS",
    "BAD_LINE",
    "clean_text",
    "Text",
    "Email",
    "URL",
    "Strict",
    "code_validator",
    "codes",
    "text_list",
    "not_future",
    "known_country",
    "check_place",
    "check_period",
]

#: Organisation and link ids, as people write them (``L12``, ``MOU-2024-003``, ``ImspTQPwCqd``): letters of
#: either case, digits and ``- _ . : /``, starting with a letter or digit. Stored as given, unique regardless
#: of case (the stores refuse ``l12`` beside ``L12``).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"
_ID_MESSAGE = ("Use 1-100 letters, digits, '-', '_', '.', ':' or '/', starting with a letter or digit "
               "(for example L12 or MOU-2024-003).")

VALID_ID = validate.Regexp(ID_PATTERN, error=_ID_MESSAGE)


def not_future(day: Any) -> None:
    """Refuse a ``last_verified`` date after today: nobody has confirmed a record in the future."""
    if day > today():
        raise ValidationError(f"{day.isoformat()} is in the future: give the date someone last confirmed the "
                              f"record, today ({today().isoformat()}) at the latest.")

#: Upper bounds: a month's capacity (a spreadsheet holds it exactly), list lengths.
MAX_CAPACITY_PER_MONTH = 10_000_000
MAX_ITEMS = validate.Length(max=50, error="At most {max} items.")
MAX_CODES = validate.Length(max=100, error="At most {max} codes.")

# One rule for text from every entry point (API bodies, CSV, XLSX, JSON, GraphML): surrounding
# whitespace is stripped; a lone surrogate, a control character or a Unicode noncharacter is refused
# (files, pages and XML cannot carry them); tab and line breaks only in free text (description,
# notes), where CR LF and a lone CR become LF.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_BAD_MULTILINE = re.compile(f"[{_FORBIDDEN}]")
BAD_LINE = re.compile(f"[\t\n\r\u2028\u2029{_FORBIDDEN}]")


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
    bad = (_BAD_MULTILINE if multiline else BAD_LINE).search(text)
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


class Cleaned(fields.Field):
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


class Text(Cleaned, fields.String):
    """A string field under the one text rule (see :func:`clean_text`)."""


class Email(Cleaned, fields.Email):
    """An e-mail address under the one text rule."""


class URL(Cleaned, fields.URL):
    """A web address under the one text rule."""



def code_validator(facet: str, noun: str) -> Callable[[str], None]:
    """The one validator of vocabulary codes: accepts only codes of one facet (bodies, and the API's, pages' and
    CLI's filters)."""

    def check(value: str) -> None:
        if value not in getattr(vocabulary(), facet):
            raise ValidationError(f"Unknown {noun} '{value}'.")

    return check


def codes(facet: str, noun: str) -> fields.List:
    """A list of codes of one vocabulary facet."""
    return fields.List(Text(validate=code_validator(facet, noun)), load_default=list, validate=MAX_CODES)

#: List items and external ids travel ;-separated in CSV and spreadsheets, so they may not hold ";".
NO_SEPARATOR = validate.Regexp(r"^[^;]*$", error="May not contain ';' (it separates list items in files).")
NO_EQUALS = validate.Regexp(r"^[^;=]*$", error="May not contain ';' or '='.")


def text_list() -> fields.List:
    """A list of short texts, none holding the list separator ';'."""
    return fields.List(Text(validate=[validate.Length(max=200), NO_SEPARATOR]), load_default=list,
                       validate=MAX_ITEMS)


class Strict(Schema):
    """A schema that refuses fields it does not know."""

    class Meta:
        unknown = RAISE


def known_country(code: str) -> None:
    """Refuse a country code the vocabulary does not know, listing those it does."""
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



def check_period(start: Any, end: Any) -> None:
    """``ValidationError`` on ``end_date`` when a period ends before it starts."""
    if start and end and end < start:
        raise ValidationError(f"End date {end.isoformat()} is before start date {start.isoformat()}.", "end_date")
