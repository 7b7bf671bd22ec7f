"""The fields and rules every marshmallow schema is built from: the one text rule, ids, codes and places."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from network.model import today, vocabulary
from network.translation import N_, lazy, translate

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
    "CODE_NOUNS",
    "code_validator",
    "codes",
    "text_list",
    "not_future",
    "known_country",
    "check_place",
    "name_the_divisions",
    "check_period",
]

#: Organisation and link ids, as people write them (``L12``, ``MOU-2024-003``, ``ImspTQPwCqd``): letters of
#: either case, digits and ``- _ . : /``, starting with a letter or digit. Stored as given, unique regardless
#: of case (the stores refuse ``l12`` beside ``L12``).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"
_ID_MESSAGE = lazy("Use 1-100 letters, digits, '-', '_', '.', ':' or '/', starting with a letter or digit "
                    "(for example L12 or MOU-2024-003).")

VALID_ID = validate.Regexp(ID_PATTERN, error=_ID_MESSAGE)


def not_future(day: Any) -> None:
    """Refuse a ``last_verified`` date after today: nobody has confirmed a record in the future."""
    if day > today():
        raise ValidationError(translate("%(day)s is in the future: give the date someone last confirmed the "
                                        "record, today (%(today)s) at the latest.", day=day.isoformat(),
                                        today=today().isoformat()))

#: Upper bounds: a month's capacity (a spreadsheet holds it exactly), list lengths.
MAX_CAPACITY_PER_MONTH = 10_000_000
MAX_ITEMS = validate.Length(max=50, error=lazy("At most {max} items."))
MAX_CODES = validate.Length(max=100, error=lazy("At most {max} codes."))

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
        return translate("Contains a lone surrogate (%(code)s) at position %(position)s, which is not Unicode text "
                         "(a broken encoding?); remove it.", code=code, position=position)
    if char == "\t":
        return translate("Contains a tab (%(code)s) at position %(position)s; only description and notes may hold "
                         "tabs and line breaks.", code=code, position=position)
    if char in "\n\r\u2028\u2029":
        return translate("Contains a line break (%(code)s) at position %(position)s; only description and notes "
                         "may hold tabs and line breaks.", code=code, position=position)
    if ord(char) < 0xA0:
        name = " (NUL)" if char == chr(0) else ""
        return translate("Contains the control character %(code)s at position %(position)s; remove it.",
                         code=code + name, position=position)
    return translate("Contains the Unicode noncharacter %(code)s at position %(position)s; remove it.", code=code,
                     position=position)


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
        self.error_messages.setdefault("blank", lazy("May not be blank (empty or only whitespace)."))

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



#: What a code of each facet is called in a refusal (translated when the refusal is made).
CODE_NOUNS = {"services": N_("service"), "populations": N_("population"), "districts": N_("district"),
              "provinces": N_("province"), "countries": N_("country"), "link_kinds": N_("link kind"),
              "organisation_kinds": N_("organisation kind"), "intervention_areas": N_("intervention area"),
              "data_kinds": N_("kind of data")}


def code_validator(facet: str, noun: str | None = None) -> Callable[[str], None]:
    """The one validator of vocabulary codes: accepts only codes of one facet (bodies, and the API's, pages' and
    CLI's filters); its refusal names the code as a ``noun`` (by default the facet's, :data:`CODE_NOUNS`)."""
    called = noun or CODE_NOUNS.get(facet, facet)

    def check(value: str) -> None:
        if value not in getattr(vocabulary(), facet):
            raise ValidationError(translate("Unknown %(noun)s '%(value)s'.", noun=translate(called), value=value))

    return check


def codes(facet: str, noun: str) -> fields.List:
    """A list of codes of one vocabulary facet."""
    return fields.List(Text(validate=code_validator(facet, noun)), load_default=list, validate=MAX_CODES)

#: List items and external ids travel ;-separated in CSV and spreadsheets, so they may not hold ";".
NO_SEPARATOR = validate.Regexp(r"^[^;]*$", error=lazy("May not contain ';' (it separates list items in files)."))
NO_EQUALS = validate.Regexp(r"^[^;=]*$", error=lazy("May not contain ';' or '='."))


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
        raise ValidationError(translate("Unknown country '%(code)s': give an ISO 3166-1 alpha-2 code of %(known)s.",
                                        code=code, known=known))


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
        raise ValidationError(translate("District '%(district)s' is in %(home)s, not %(province)s.",
                                        district=district, home=voc.districts.get(district), province=province),
                              "district")
    if not country or country not in voc.countries:
        return
    for name, value in (("district", district), ("province", province)):
        home = voc.country_of(None, value) if name == "district" else voc.country_of(value)
        if value and home and home != country:
            message = (N_("District '%(value)s' is in %(home)s (%(code)s), not %(country)s (%(asked)s): give "
                          "country %(code)s.") if name == "district" else
                       N_("Province '%(value)s' is in %(home)s (%(code)s), not %(country)s (%(asked)s): give "
                          "country %(code)s."))
            raise ValidationError(translate(message, value=value, home=translate(voc.country_label(home)), code=home,
                                            country=translate(voc.country_label(country)), asked=country), name)


def name_the_divisions(country: str | None, province: str | None, refused: str) -> str:
    """The places a refused ``province`` or ``district`` (``refused``) could have been, as a sentence.

    A refused province is answered with the country's first-level divisions; a refused district with the
    districts of the province, if known, else of the country. Nothing when the country is not known.

    >>> name_the_divisions("KM", None, "province")
    'The Comoros (KM) is divided into 3 islands: Grande Comore, Anjouan and Mohéli.'
    >>> name_the_divisions("ZM", "Copperbelt", "district")  # doctest: +NORMALIZE_WHITESPACE
    'The districts of Copperbelt (ZM) are Chililabombwe, Chingola, Kalulushi, Kitwe, Luanshya, Mufulira
     and Ndola.'
    """
    voc = vocabulary()
    if country not in voc.countries:
        return ""
    name = voc.country_label(country)
    if refused == "district" and province in voc.provinces:
        places = list(voc.provinces[province])
        return f"The districts of {province} ({country}) are {_listed(places)}."
    if refused == "district":
        places = [d for p in voc.provinces_of(country) for d in voc.provinces[p]]
        return f"The districts of {name} ({country}) are {_listed(places)}."
    places = voc.provinces_of(country)
    word = voc.division_words.get(country, "province")
    return f"{_the(name)} ({country}) is divided into {len(places)} {word}s: {_listed(places)}."


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


#: Countries whose names take "the".
_WITH_THE = ("Comoros", "Democratic Republic of the Congo")


def _the(country: str) -> str:
    """``The Comoros``, ``Zambia``: a country's name to begin a sentence."""
    return f"The {country}" if country in _WITH_THE else country


def check_period(start: Any, end: Any) -> None:
    """``ValidationError`` on ``end_date`` when a period ends before it starts."""
    if start and end and end < start:
        raise ValidationError(translate("End date %(end)s is before start date %(start)s.", end=end.isoformat(),
                                        start=start.isoformat()), "end_date")
