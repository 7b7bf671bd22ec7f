"""Keep sensitive organisations' protected fields from callers who may not see them.

Anonymous and viewer callers never see a sensitive organisation's coordinates,
municipality, phone, email or website: records are blanked field by field;
analyses run on a graph without those values (so nothing derived from them can
leak either) and their output is scrubbed of any protected value as a second
guard.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from network.model import PROTECTED_FIELDS, Organisation

__all__ = ["redact_organisation", "redact_graph", "protected_values", "Scrubber", "HIDDEN"]

#: What replaces a protected value found inside free text.
HIDDEN = "[hidden]"


def redact_organisation(org: Organisation, *, hide: bool) -> Organisation:
    """The organisation with its protected fields set to ``None`` if ``hide`` and it is sensitive."""
    if not hide or not org.sensitive:
        return org
    return dataclasses.replace(org, **{name: None for name in PROTECTED_FIELDS})


def redact_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the analysis graph with sensitive nodes' protected attributes set to ``None``."""
    H = G.copy()
    for _, data in H.nodes(data=True):
        if data.get("sensitive"):
            for name in PROTECTED_FIELDS:
                data[name] = None
    return H


def protected_values(organisations: Iterable[Organisation] | nx.MultiDiGraph
                     ) -> tuple[set[str], set[str], set[float]]:
    """The protected values of every sensitive organisation: ``(texts, exact, numbers)``.

    ``texts`` (phones, emails, websites, coordinates as text) are distinctive
    enough to hide wherever they occur inside a string; ``exact`` values
    (municipalities, often part of public names) are hidden only as whole
    strings; ``numbers`` are the coordinates.
    """
    texts: set[str] = set()
    exact: set[str] = set()
    numbers: set[float] = set()
    records = (
        (data for _, data in organisations.nodes(data=True))
        if isinstance(organisations, nx.Graph)
        else (o.to_dict() for o in organisations)
    )
    for data in records:
        if not data.get("sensitive"):
            continue
        for name in PROTECTED_FIELDS:
            value = data.get(name)
            if isinstance(value, float | int) and not isinstance(value, bool):
                numbers.add(float(value))
                texts.add(repr(float(value)))
            elif isinstance(value, str) and value.strip():
                (exact if name == "municipality" or len(value) < 6 else texts).add(value)
    return texts, exact, numbers


class Scrubber:
    """Replaces protected values in JSON-ready data: text by ``[hidden]``, coordinates by ``None``.

    >>> Scrubber({"+27 11 999 8877"}, {"Secretville"}, {-25.123456})(
    ...     {"note": "call +27 11 999 8877", "town": "Secretville", "lat": -25.1235, "n": 3.0})
    {'note': 'call [hidden]', 'town': '[hidden]', 'lat': None, 'n': 3.0}
    """

    def __init__(self, texts: set[str], exact: set[str], numbers: set[float]):
        ordered = sorted(texts, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._exact = frozenset(exact)
        self._numbers = sorted(numbers)

    def __call__(self, data: Any) -> Any:
        """``data`` with every protected value replaced."""
        if self._pattern is None and not self._exact and not self._numbers:
            return data
        return self._walk(data)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self._walk(k) if isinstance(k, str) else k: self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._walk(v) for v in value]
        if isinstance(value, float) and self._near(value):
            return None
        if isinstance(value, str):
            if value in self._exact:
                return HIDDEN
            if self._pattern is not None:
                return self._pattern.sub(HIDDEN, value)
        return value

    def _near(self, value: float) -> bool:
        """True if ``value`` is a protected coordinate, possibly rounded (to 3 or more decimals)."""
        at = bisect.bisect_left(self._numbers, value - 5e-4)
        return at < len(self._numbers) and self._numbers[at] <= value + 5e-4
