"""The province and district drop-downs, grouped by country: South Africa first, then by the country's name."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from network.model import vocabulary

from .labels import label

__all__ = ["OptionGroup", "grouped_districts", "grouped_provinces"]


class OptionGroup(NamedTuple):
    """Drop-down options under one heading: an ``<optgroup>`` (the ``_select.html`` macros draw it)."""

    label: str
    options: list[tuple[str, str]]


def _countries() -> list[str]:
    """Country codes: South Africa first, the others by their name in the page's language."""
    others = sorted((c for c in vocabulary().countries if c != "ZA"), key=lambda c: _plain(label(c, "countries")))
    return ["ZA", *others]


def _plain(text: str) -> str:
    """``text`` without accents, case folded: how a reader orders names (Éswatini with the Es).

    >>> _plain("Moçambique")
    'mocambique'
    """
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def grouped_provinces() -> list[OptionGroup]:
    """Every province (or region, district, island: a country's first-level division) under its country's name.

    Within a country, the divisions keep the vocabulary's order.
    """
    voc = vocabulary()
    return [OptionGroup(label(c, "countries"), [(p, p) for p in voc.provinces_of(c)]) for c in _countries()]


def grouped_districts() -> list[OptionGroup]:
    """Every district under its country's name, by name within a country."""
    voc = vocabulary()
    by_country: dict[str, list[str]] = {}
    for district, province in voc.districts.items():
        by_country.setdefault(voc.province_countries[province], []).append(district)
    return [OptionGroup(label(c, "countries"), sorted((d, d) for d in by_country[c])) for c in _countries()
            if c in by_country]
