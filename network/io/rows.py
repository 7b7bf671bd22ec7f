"""Flat rows (CSV, spreadsheet) to and from organisations and links.

Lists are joined with ``;``, ``external_ids`` as ``key=value;key=value``,
booleans as ``true``/``false``, dates as ISO ``YYYY-MM-DD``, nothing as an
empty cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from network.io.cells import escape_formula
from network.model import Link, Organisation

__all__ = [
    "ORGANISATION_COLUMNS",
    "LINK_COLUMNS",
    "REQUIRED_ORGANISATION_COLUMNS",
    "REQUIRED_LINK_COLUMNS",
    "row_to_data",
    "record_to_row",
    "spreadsheet_row",
]

REQUIRED_ORGANISATION_COLUMNS = (
    "id", "name", "kind", "province", "district", "municipality", "latitude", "longitude", "services",
    "populations", "status", "sensitive", "aliases", "phone", "email", "website", "capacity_per_month",
    "description",
)
ORGANISATION_COLUMNS = REQUIRED_ORGANISATION_COLUMNS + (
    "languages", "tags", "source", "last_verified", "external_ids", "verified_by",
    "country", "countries_served", "intervention_areas")
#: A links file may leave out ``id`` (or leave ids empty): the importer gives such links stable ids.
REQUIRED_LINK_COLUMNS = (
    "source", "target", "kind", "services", "status", "start_date", "end_date", "weight", "formal", "notes",
)
LINK_COLUMNS = ("id", *REQUIRED_LINK_COLUMNS) + ("document", "last_verified", "two_way", "programme", "grant_ref",
                                                   "verified_by", "intervention_areas", "data")

_LISTS = {"services", "populations", "aliases", "tags", "languages", "intervention_areas", "data",
          "countries_served"}
_BOOLEANS = {"sensitive", "formal", "two_way"}
_INTEGERS = {"capacity_per_month", "weight"}
_FLOATS = {"latitude", "longitude"}
_TEXTS = {"description", "notes"}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def row_to_data(row: dict[str, Any]) -> dict[str, Any]:
    """Turn one flat row into the data a schema loads; bad cells pass through for the schema to name.

    >>> row_to_data({"id": "a", "services": "tb_screening; art", "sensitive": "TRUE", "phone": ""})
    {'id': 'a', 'services': ['tb_screening', 'art'], 'sensitive': True}
    """
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            continue
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if key in _TEXTS:
                data[key] = ""
            continue
        if type(value) is str:
            convert = _TEXT_CELLS.get(key)
            data[key] = value if convert is None else convert(value)
        else:
            data[key] = _cell(key, value)
    return data


def record_to_row(item: Organisation | Link, columns: tuple[str, ...]) -> dict[str, str]:
    """Flatten an organisation or link into text cells for ``columns``."""
    return {c: _text(c, getattr(item, c, None)) for c in columns}


def spreadsheet_row(item: Organisation | Link, columns: tuple[str, ...]) -> dict[str, str]:
    """:func:`record_to_row` for files people open in a spreadsheet (CSV, XLSX).

    Text that a spreadsheet would run as a formula is escaped
    (:func:`network.io.cells.escape_formula`); numbers are written as they are.

    >>> spreadsheet_row(Organisation("a", "=1+1", "cbo", latitude=-25.5, longitude=28.1),
    ...                 ("name", "latitude"))
    {'name': "'=1+1", 'latitude': '-25.5'}
    """
    return {c: text if isinstance(getattr(item, c, None), int | float) else escape_formula(text)
            for c, text in record_to_row(item, columns).items()}


def _cell(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        if key in _LISTS or key == "external_ids":
            return [str(value)] if key in _LISTS else str(value)
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if key in _INTEGERS and isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    convert = _TEXT_CELLS.get(key)
    return value if convert is None else convert(value)


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _external_ids(value: str) -> dict[str, str] | str:
    pairs = [part.split("=", 1) for part in value.split(";") if part.strip()]
    if any(len(p) != 2 for p in pairs):
        return value
    return {k.strip(): v.strip() for k, v in pairs}


def _boolean(value: str) -> bool | str:
    low = value.lower()
    return True if low in _TRUE else False if low in _FALSE else value


def _number(kind: type[int] | type[float]) -> Callable[[str], int | float | str]:
    def convert(value: str) -> int | float | str:
        try:
            return kind(value)
        except ValueError:
            return value

    return convert


#: How a text cell of each column that is not plain text is read; other columns keep the text.
_TEXT_CELLS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(_LISTS, _list), "external_ids": _external_ids, **dict.fromkeys(_BOOLEANS, _boolean),
    **dict.fromkeys(_INTEGERS, _number(int)), **dict.fromkeys(_FLOATS, _number(float)),
}


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in sorted(value.items()))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)
