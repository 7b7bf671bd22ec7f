"""Reading the partner and review forms: each field's text back into the value the schemas check, and the
words a person reads for each field and kind of proposal."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _
from werkzeug.datastructures import MultiDict

__all__ = ["FIELD_WORDS", "KIND_WORDS", "widget", "read_fields", "shown", "worded"]

#: Fields in the words people use.
FIELD_WORDS = {
    "name": _("Name"), "aliases": _("Other names"), "description": _("About"), "province": _("Province"),
    "district": _("District"), "municipality": _("Municipality"), "latitude": _("Latitude"),
    "longitude": _("Longitude"), "services": _("Services"), "populations": _("Populations served"),
    "capacity_per_month": _("Clients a month"), "languages": _("Languages"), "phone": _("Phone"),
    "email": _("Email"), "website": _("Website"), "last_verified": _("Last verified"),
    "verified_by": _("Verified by"), "status": _("Status"), "end_date": _("End date"), "start_date": _("Start date"),
    "kind": _("Kind of tie"), "source": _("From"), "target": _("To"), "weight": _("Strength (1-5)"),
    "formal": _("Signed document"), "document": _("Document"), "notes": _("Notes"), "two_way": _("Both ways"),
}
#: Each kind of proposal in words.
KIND_WORDS = {"confirm": _("Confirms its record is still right"), "correct": _("Corrects its record"),
              "end_tie": _("Says a tie has ended"), "new_tie": _("Proposes a new tie")}

#: The parts of a partner's submission, in words (a correction by its field's).
_PARTS = {"corrections": "", "new_ties": _("New tie"), "ended_ties": _("Ended tie")}

_CODES = {"services": "services", "populations": "populations"}
_LISTS = ("aliases", "languages")
_INTEGERS = ("capacity_per_month", "weight")
_FLOATS = ("latitude", "longitude")
_BOOLEANS = ("formal", "two_way")
_LONG = ("description", "notes")


def widget(name: str) -> str:
    """How a field is entered: ``codes`` (labelled check boxes), ``kind`` (a labelled choice), ``check``,
    ``area`` or ``text``."""
    if name in _CODES:
        return "codes"
    if name == "kind":
        return "kind"
    if name in _BOOLEANS:
        return "check"
    return "area" if name in _LONG else "text"


def shown(name: str, value: Any) -> Any:
    """A value as a text box holds it (lists joined with '; ')."""
    if value is None:
        return ""
    if isinstance(value, list) and name not in _CODES:
        return "; ".join(str(v) for v in value)
    return value


def read_fields(form: MultiDict[str, str], prefix: str, names: list[str]) -> dict[str, Any]:
    """The values of ``names`` in ``form`` (each as ``prefix + name``), as the schemas take them.

    Text that is not a number where a number belongs is passed on as it is,
    for the schema to name.

    >>> read_fields(MultiDict([("c_services", "art"), ("c_services", "prep"), ("c_phone", " "),
    ...                        ("c_capacity_per_month", "40"), ("c_languages", "Sepedi; English")]), "c_",
    ...             ["services", "phone", "capacity_per_month", "languages"])
    {'services': ['art', 'prep'], 'phone': None, 'capacity_per_month': 40, 'languages': ['Sepedi', 'English']}
    """
    found: dict[str, Any] = {}
    for name in names:
        key = prefix + name
        if name in _CODES:
            found[name] = [v for v in form.getlist(key) if v]
        elif name in _BOOLEANS:
            found[name] = form.get(key) == "true"
        elif name in _LISTS:
            found[name] = [part.strip() for part in form.get(key, "").split(";") if part.strip()]
        else:
            found[name] = _scalar(name, form.get(key, "").strip())
    return found


def _scalar(name: str, text: str) -> Any:
    if text == "":
        return "" if name in _LONG else None
    try:
        if name in _INTEGERS:
            return int(text)
        if name in _FLOATS:
            return float(text)
    except ValueError:
        return text
    return text


def worded(line: str) -> str:
    """A problem line with its field in words, in the page's language: ``corrections.phone: ...`` (a partner's
    submission) or ``phone: ...`` (a record's field, as the review refuses it) as ``Phone: ...``.

    >>> worded("corrections.phone: Not a phone number."), worded("new_ties.0.kind: Unknown link kind 'x'.")
    ('Phone: Not a phone number.', "New tie: Unknown link kind 'x'.")
    >>> worded("aliases.0: Too long."), worded("other: Not known.")
    ('Other names: Too long.', 'other: Not known.')
    """
    where, sep, message = line.partition(": ")
    part, _dot, rest = where.partition(".")
    if not sep or (part not in _PARTS and part not in FIELD_WORDS):
        return line
    if part in _PARTS:
        field = rest.split(".")[-1]
        word = _PARTS[part] or FIELD_WORDS.get(field) or field.replace("_", " ").capitalize()
    else:
        word = FIELD_WORDS[part]
    return gettext("%(field)s: %(problem)s", field=str(word), problem=message)
