"""Protection by rule: a sensitive organisation's protected fields, removed for callers who may not see them.

Anonymous and viewer callers never see a sensitive organisation's
``PROTECTED_FIELDS`` (coordinates, municipality, phone, email, website,
description and external ids). Protection removes those fields, field by
field; it never rewrites text elsewhere, so a district named like a protected
municipality still shows as itself. Analyses for such callers run on a graph
whose sensitive nodes carry no protected values, so nothing derived from them
can appear in their output either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import networkx as nx

from network.model import PROTECTED_FIELDS, Organisation

__all__ = ["PROTECTED_FIELDS", "hidden_values", "redact_organisation", "redact_graph"]

#: What a protected field holds once removed, where ``None`` would not fit its type.
_EMPTY: dict[str, Any] = {"description": "", "external_ids": {}}


def hidden_values() -> dict[str, Any]:
    """The value each protected field takes once removed: empty text, an empty mapping or ``None``.

    >>> hidden_values()["phone"] is None, hidden_values()["description"]
    (True, '')
    """
    return {name: _EMPTY[name].copy() if isinstance(_EMPTY.get(name), dict) else _EMPTY.get(name)
            for name in PROTECTED_FIELDS}


def redact_organisation(org: Organisation, *, hide: bool = True) -> Organisation:
    """The organisation without its protected fields if ``hide`` and it is sensitive; otherwise as it is.

    >>> org = Organisation("a", "A", "kp_network", municipality="Polokwane", description="In Polokwane.",
    ...                    sensitive=True)
    >>> shown = redact_organisation(org)
    >>> shown.municipality, shown.description, shown.name
    (None, '', 'A')
    >>> redact_organisation(org, hide=False).municipality
    'Polokwane'
    """
    if not hide or not org.sensitive:
        return org
    return dataclasses.replace(org, **hidden_values())


def redact_graph(G: nx.MultiDiGraph, *, also: Collection[str] = ()) -> nx.MultiDiGraph:
    """A copy of an analysis graph whose sensitive nodes (and the nodes ``also`` names) carry no protected values.

    ``also`` names organisations to protect whatever their node says, e.g.
    those sensitive now in a view of the past; they are marked sensitive.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", sensitive=True, phone="012 345 6789", district="Capricorn")
    >>> G.add_node("b", sensitive=False, phone="012 000 0000")
    >>> H = redact_graph(G)
    >>> H.nodes["a"]["phone"], H.nodes["a"]["district"], H.nodes["b"]["phone"], G.nodes["a"]["phone"]
    (None, 'Capricorn', '012 000 0000', '012 345 6789')
    >>> redact_graph(G, also={"b"}).nodes["b"]["phone"] is None
    True
    """
    also = set(also)
    H = G.__class__()
    H.graph.update(G.graph)
    H._node = {n: dict(data) for n, data in G._node.items()}
    # The same nodes, neighbours and keys in the same order as G (G.copy() would reorder predecessors).
    keys = {(u, v): {key: dict(data) for key, data in keydict.items()}
            for u, nbrs in G._succ.items() for v, keydict in nbrs.items()}
    H._succ = {u: {v: keys[u, v] for v in nbrs} for u, nbrs in G._succ.items()}
    H._pred = {v: {u: keys[u, v] for u in nbrs} for v, nbrs in G._pred.items()}
    for node, data in H._node.items():
        if data.get("sensitive") or node in also:
            data.update(hidden_values(), sensitive=True)
    return H
