"""The projected graphs and pathway indexes of a store: cached per revision, caught up after an edit.

A graph is cached per store, revision and filters. When the store has moved
on since a cached whole view of the network as it stands now (no past date),
the view is caught up instead of projected again: the store says which
organisations and links were written since (``GraphStore.changes``), those
records are read again, and the graph and its pathway indexes are updated for
them, sharing everything else. A province or district view of the network as
it stands is cut from the whole view, not read from the store. This works
across processes: each one catches up from its own cached revision. Past
views, stores that cannot tell what changed and large changes (more than
``MAX_CHANGES`` records) are projected afresh.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from typing import Any

import networkx as nx

from network.gcpause import gc_paused
from network.graph.columns import link_attributes, organisation_attributes
from network.graph.project import EdgeData, project, updated_graph
from network.graph.store import Changes, GraphStore
from network.model import today
from network.redaction import hidden_values, redact_graph

from .gate import heavy

__all__ = ["MAX_CHANGES", "day", "analysis_graph", "pathway_index", "predecessor"]

#: More records changed than this since the cached revision: project afresh.
MAX_CHANGES = 2000
_GRAPHS_PER_STORE = 12
_lock = threading.RLock()
#: Held while a graph or index is built, so concurrent misses build it once.
_build_lock = threading.Lock()
_graphs: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], nx.MultiDiGraph]] = (
    weakref.WeakKeyDictionary())
_indexes: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()
#: Where each link of a graph that may be caught up runs: ``{link id: (source, target)}``.
_ends: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, tuple[str, str]]] = weakref.WeakKeyDictionary()
#: A caught-up graph's predecessor and the organisations its change touched (to update the pathway index).
_parents: weakref.WeakKeyDictionary[nx.MultiDiGraph, tuple[weakref.ref[nx.MultiDiGraph], frozenset[str]]] = (
    weakref.WeakKeyDictionary())


def day(as_of: dt.date | dt.datetime | str | None) -> dt.date | None:
    """``as_of`` as a date: a datetime's day, an ISO text's day, None as None (one cache key per day).

    >>> day(dt.datetime(2026, 3, 1, 17, 5)), day("2026-03-01"), day(None)
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), None)
    """
    if isinstance(as_of, str):
        return dt.date.fromisoformat(as_of[:10])
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def analysis_graph(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
                   district: str | None = None, redacted: bool = False) -> nx.MultiDiGraph:
    """The projected graph of ``store`` (optionally one province or district), cached.

    The cache is keyed by the store, its ``revision()`` and the filters, so a
    write to the store makes the next call project afresh, or catch up a
    cached view (see the module's description). A province or district view of
    the network as it stands is cut from the whole view. Callers must not
    modify the graph returned.
    """
    key = (store.revision(), day(as_of), province or None, district or None, bool(redacted))
    found = _cached_graph(store, key)
    if found is not None:
        return found
    with heavy(), _build_lock:
        found = _cached_graph(store, key)
        if found is not None:
            return found
        return _build_graph(store, key)


def _cached_graph(store: GraphStore, key: tuple[Any, ...]) -> nx.MultiDiGraph | None:
    with _lock:
        cached = _graphs.setdefault(store, OrderedDict())
        if key in cached:
            cached.move_to_end(key)
            return cached[key]
    return None


def _plain_graph(store: GraphStore, key: tuple[Any, ...]) -> nx.MultiDiGraph:
    found = _cached_graph(store, key)
    return found if found is not None else _build_graph(store, key)


@gc_paused()
def _build_graph(store: GraphStore, key: tuple[Any, ...]) -> nx.MultiDiGraph:
    revision, as_of, province, district, redacted = key
    current = as_of is None or as_of >= today()
    if current and (province or district):
        G = _within(_plain_graph(store, (revision, as_of, None, None, redacted)), province, district)
    else:
        G = _caught_up(store, key) if current else None
    if G is None:
        if redacted:
            unredacted = _plain_graph(store, (revision, as_of, province, district, False))
            # A past view protects every organisation sensitive now, whatever its version then said.
            now = unredacted if as_of is None else _plain_graph(store, (revision, None, None, None, False))
            G = redact_graph(unredacted, also=[n for n, sensitive in now.nodes(data="sensitive") if sensitive])
        else:
            G = project(store, as_of=as_of, province=province, district=district)
        if current and store.changes(revision) is not None:
            _ends[G] = {link: (u, v) for u, v, link in G.edges(keys=True)}
    with _lock:
        cached = _graphs.setdefault(store, OrderedDict())
        cached[key] = G
        while len(cached) > _GRAPHS_PER_STORE:
            # Province and district views go first: they are cheap to derive again, the whole views are not.
            oldest = next((k for k in cached if k[2] or k[3]), next(iter(cached)))
            del cached[oldest]
    return G


def _within(G: nx.MultiDiGraph, province: str | None, district: str | None) -> nx.MultiDiGraph:
    """The organisations of ``G`` in ``province`` and ``district`` and the links among them, in ``G``'s order.

    Equal to projecting the store with those filters; shares attributes with ``G``.
    """
    keep = {n for n, data in G._node.items()
            if (province is None or data.get("province") == province)
            and (district is None or data.get("district") == district)}
    H = G.__class__()
    H.graph.update(G.graph)
    H._node = {n: data for n, data in G._node.items() if n in keep}
    H._succ = {n: {v: keys for v, keys in G._succ[n].items() if v in keep} for n in H._node}
    H._pred = {n: {u: keys for u, keys in G._pred[n].items() if u in keep} for n in H._node}
    return H


def _caught_up(store: GraphStore, key: tuple[Any, ...]) -> nx.MultiDiGraph | None:
    """The latest cached graph of the same view updated for what changed since, or None to project afresh."""
    revision, as_of, _, _, redacted = key
    with _lock:
        earlier = [(k[0], G) for k, G in _graphs.get(store, {}).items()
                   if k[1:] == key[1:] and k[0] < revision and G in _ends]
    if not earlier:
        return None
    since, old = max(earlier, key=lambda found: found[0])
    changes = store.changes(since)
    if changes is None or len(changes.organisations) + len(changes.links) > MAX_CHANGES:
        return None
    nodes, edges = _records(store, changes, as_of, redacted)
    with _lock:
        ends = _ends.pop(old, None)
    if ends is None:
        return None
    touched = set(nodes) | {n for link in edges if link in ends for n in ends[link]}
    touched |= {n for edge in edges.values() if edge is not None for n in edge[:2]}
    G = updated_graph(old, nodes, edges, ends)
    for n in (n for n in nodes if n in old and n not in G):  # removed: its links leave with it
        for table in (old._succ[n], old._pred[n]):
            for keydict in table.values():
                for link in keydict:
                    ends.pop(link, None)
    for link, edge in edges.items():
        if edge is not None and edge[0] in G and edge[1] in G:
            ends[link] = (edge[0], edge[1])
        else:
            ends.pop(link, None)
    with _lock:
        _ends[G] = ends
        _parents[G] = (weakref.ref(old), frozenset(touched))
    return G


def predecessor(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, frozenset[str]] | None:
    """The graph ``G`` was caught up from, while it is still held, and the organisations the change touched (those
    whose records, or whose links, were written); None for a graph projected afresh."""
    with _lock:
        parent = _parents.get(G)
    before = parent[0]() if parent else None
    return None if before is None or parent is None else (before, parent[1])


def _records(store: GraphStore, changes: Changes, as_of: dt.date | None,
             redacted: bool) -> tuple[dict[str, dict[str, Any] | None], dict[str, EdgeData | None]]:
    """The changed records as the projection holds them (None: gone from the view)."""
    nodes: dict[str, dict[str, Any] | None] = dict.fromkeys(changes.organisations)
    for batch in store.organisation_rows(changes.organisations):
        ids, attributes = organisation_attributes(batch)
        nodes.update(zip(ids, attributes, strict=True))
    if redacted:
        for data in nodes.values():
            if data is not None and data.get("sensitive"):
                data.update(hidden_values(), sensitive=True)
    edges: dict[str, EdgeData | None] = dict.fromkeys(changes.links)
    for batch in store.link_rows(changes.links):
        for link, source, target, data in zip(*link_attributes(batch), strict=True):
            starts_later = as_of is not None and data["start_date"] is not None and data["start_date"] > as_of
            edges[link] = None if starts_later else (source, target, data)
    return nodes, edges


def pathway_index(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, include_unlinked: bool = False) -> Any:
    """The pathway index of ``G`` on ``as_of`` (default today): built once per graph, day and options.

    The index of a caught-up graph is its predecessor's index updated for
    the change, when the predecessor has one.
    """
    from network.analysis import pathways as pw

    key = (day(as_of) or today(), bool(include_unlinked))
    with _lock:
        found = _indexes.setdefault(G, {}).get(key)
    if found is not None:
        return found
    with _build_lock, gc_paused():
        with _lock:
            found = _indexes[G].get(key)
            parent = _parents.get(G)
            before = parent[0]() if parent else None
            earlier = _indexes.get(before, {}).get(key) if before is not None else None
        if found is None:
            if earlier is not None and parent is not None:
                found = earlier.updated(before, G, parent[1])
            else:
                found = pw.pathway_index(G, as_of=key[0], include_unlinked=include_unlinked)
            with _lock:
                _indexes[G][key] = found
    return found
