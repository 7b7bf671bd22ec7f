"""Programmes: the records (``seed/vocabulary/programmes.json``, validated) and each programme's report."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from network.analysis.finding import Finding
from network.analysis.programmes import programme_report
from network.errors import InvalidData, NotFound
from network.graph.store import GraphStore
from network.model import Programme, programme_records, seed_dir
from network.schemas import load_programme
from network.translation import translate

from .analyses import analysis_graph, gaps, jsonable

__all__ = ["programmes", "programme", "report"]


def programmes() -> list[Programme]:
    """Every programme record, validated; ``InvalidData`` naming the first bad record."""
    return list(_programmes(str(seed_dir())))


@lru_cache(maxsize=4)
def _programmes(seed: str) -> tuple[Programme, ...]:
    found = []
    for number, record in enumerate(programme_records(), 1):
        try:
            found.append(load_programme(record))
        except InvalidData as err:
            raise InvalidData(f"Programme {number} of programmes.json: {err}", err.errors) from None
    return tuple(found)


def programme(programme_id: str) -> Programme:
    """The programme with this id (or name); ``NotFound`` naming the known ones."""
    for item in programmes():
        if programme_id in (item.id, item.name):
            return item
    known = "; ".join(f"{p.id} ({p.name})" for p in programmes()) or translate("none yet")
    raise NotFound(translate("No programme '%(id)s'. Known programmes: %(known)s.", id=programme_id, known=known),
                   {"programme": [translate("No programme '%(id)s'.", id=programme_id)]})


def report(store: GraphStore, programme_id: str, *, as_of: dt.date | None = None,
           redacted: bool = False) -> dict[str, Any]:
    """The report of one programme (see :func:`network.analysis.programmes.programme_report`)."""
    record = programme(programme_id)
    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    asked = {"redacted": redacted, **({"as_of": as_of} if as_of else {})}
    findings = [Finding(**f) for f in gaps(store, **asked)]
    return jsonable(programme_report(G, record, findings, as_of=as_of))
