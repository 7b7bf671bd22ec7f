"""Project the stored network into a NetworkX graph for analysis."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import networkx as nx

from network.gcpause import gc_paused
from network.graph.columns import LINK_ROW, ORGANISATION_ROW, link_attributes, organisation_attributes, stored_row
from network.graph.store import GraphStore, OrganisationQuery
from network.model import Link, Organisation, today

__all__ = ["build_graph", "graph_from_rows", "project", "node_data", "edge_data", "updated_graph"]

#: A link as the graph holds it: ``(source, target, attributes)``.
EdgeData = tuple[str, str, dict[str, Any]]
#: Rows of records in their stored form (:func:`network.graph.columns.stored_row`), a batch at a time.
Batches = Iterable[Sequence[Sequence[Any]]]


def build_graph(organisations: Iterable[Organisation], links: Iterable[Link]) -> nx.MultiDiGraph:
    """Build the analysis graph from organisations and links.

    Each organisation becomes a node keyed by its id with every other field as
    an attribute; each link an edge from ``source`` to ``target`` keyed by its
    id, with every other field as an attribute; but for the store's stamps
    (``updated_at``, ``version``): the store's bookkeeping, not the network's.
    Links whose ends are not among ``organisations`` are left out. Records with
    equal lists share one list (:mod:`network.graph.columns`): do not change
    an attribute in place.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> G = build_graph([Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")],
    ...                 [Link("l1", "a", "b", "referral")])
    >>> list(G.edges(keys=True))
    [('a', 'b', 'l1')]
    """
    return graph_from_rows([list(map(stored_row, organisations))], [list(map(stored_row, links))])


def graph_from_rows(organisations: Batches, links: Batches) -> nx.MultiDiGraph:
    """The analysis graph of organisation and link rows in their stored form, batch by batch.

    Nodes are added in the order of the rows, and links in the order of theirs
    (the stores hand both over in id order); links whose ends are not among the
    organisations are left out. Equal to :func:`build_graph` of the records.

    Examples
    --------
    >>> from network.graph.columns import stored_row
    >>> G = graph_from_rows([[stored_row(Organisation("a", "A", "cbo")), stored_row(Organisation("b", "B", "ngo"))]],
    ...                     [[stored_row(Link("l1", "a", "b", "mou")), stored_row(Link("l2", "a", "z", "mou"))]])
    >>> list(G.edges(keys=True)), G.nodes["b"]["kind"]
    ([('a', 'b', 'l1')], 'ngo')
    """
    G = nx.MultiDiGraph()
    node: dict[str, dict[str, Any]] = {}
    with gc_paused():
        for batch in organisations:
            ids, attributes = organisation_attributes(batch)
            node.update(zip(ids, attributes, strict=True))
        succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = {n: {} for n in node}
        pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = {n: {} for n in node}
        ends = {n: n for n in node}  # links hold the node's id object, not a copy of the text
        for batch in links:
            keys, sources, targets, attributes = link_attributes(batch)
            for u, v, key, data in zip(map(ends.get, sources), map(ends.get, targets), keys, attributes,
                                       strict=True):
                if u is None or v is None:
                    continue
                keydict = succ[u].get(v)
                if keydict is None:
                    keydict = succ[u][v] = pred[v][u] = {}
                keydict[key] = data
    G._node, G._succ, G._pred = node, succ, pred
    return G


def node_data(org: Organisation) -> dict[str, Any]:
    """The attributes of ``org``'s node: every field but ``id`` and the store's stamps (``updated_at``, ``version``)."""
    return organisation_attributes([stored_row(org)])[1][0]


def edge_data(link: Link) -> EdgeData:
    """``(source, target, attributes)`` of ``link``'s edge: the attributes are every field but the id, the ends and
    the store's stamps."""
    _, sources, targets, attributes = link_attributes([stored_row(link)])
    return sources[0], targets[0], attributes[0]


def updated_graph(G: nx.MultiDiGraph, nodes: Mapping[str, dict[str, Any] | None],
                  edges: Mapping[str, EdgeData | None], ends: Mapping[str, tuple[str, str]]) -> nx.MultiDiGraph:
    """``G`` with some organisations and links as they now stand, sharing the rest with ``G`` (left unchanged).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph as :func:`build_graph` makes it, nodes and links in id order.
    nodes : mapping
        Node attributes (:func:`node_data`) by organisation id; None for one deleted.
    edges : mapping
        ``(source, target, attributes)`` (:func:`edge_data`) by link id; None for one deleted.
    ends : mapping
        ``(source, target)`` in ``G`` of every link of ``edges`` that ``G`` holds.

    Returns
    -------
    networkx.MultiDiGraph
        Equal to :func:`build_graph` of the records as they now stand, in the
        same node, neighbour and key order; links whose ends are not nodes are
        left out. Only the changed nodes' and links' entries are new objects.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> G = build_graph([Organisation("a", "A", "cbo"), Organisation("c", "C", "clinic")],
    ...                 [Link("l2", "a", "c", "referral")])
    >>> H = updated_graph(G, {"b": node_data(Organisation("b", "B", "ngo"))},
    ...                   {"l1": edge_data(Link("l1", "a", "b", "mou")), "l2": None}, {"l2": ("a", "c")})
    >>> list(H), list(H.edges(keys=True)), list(G.edges(keys=True))
    (['a', 'b', 'c'], [('a', 'b', 'l1')], [('a', 'c', 'l2')])
    """
    node, succ, pred = dict(G._node), dict(G._succ), dict(G._pred)
    pairs: dict[tuple[str, str], dict[str, dict[str, Any] | None]] = {}
    for key, edge in edges.items():
        if key in ends:
            pairs.setdefault(ends[key], {})[key] = None
        if edge is not None:
            pairs.setdefault(edge[:2], {})[key] = edge[2]
    added: list[str] = []
    for n, attrs in nodes.items():
        if attrs is None:
            if n in node:
                pairs.update({(n, v): pairs.get((n, v), {}) for v in G._succ[n]})
                pairs.update({(u, n): pairs.get((u, n), {}) for u in G._pred[n]})
                del node[n], succ[n], pred[n]
            continue
        if n not in node:
            added.append(n)
            succ[n], pred[n] = {}, {}
        node[n] = dict(attrs)
    keydicts: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for (u, v), change in pairs.items():
        old = G._succ[u].get(v, {}) if u in G._succ else {}
        merged = {k: d for k, d in old.items() if k not in change}
        merged.update((k, d) for k, d in change.items() if d is not None)
        keydicts[u, v] = {k: merged[k] for k in sorted(merged)} if u in node and v in node else {}
    for table, at, other in ((succ, 0, 1), (pred, 1, 0)):
        for n in {pair[at] for pair in keydicts}:
            if n not in node:
                continue
            adjacent = {m: kd for m, kd in table[n].items() if m in node}
            for pair, kd in keydicts.items():
                if pair[at] == n:
                    adjacent[pair[other]] = kd
            table[n] = {m: kd for m, kd in sorted(adjacent.items(), key=lambda item: min(item[1], default=""))
                        if kd}
    if added:
        node, succ, pred = (_in_order(table, added) for table in (node, succ, pred))
    H = G.__class__()
    H.graph.update(G.graph)
    H._node, H._succ, H._pred = node, succ, pred
    return H


def _in_order(table: dict[str, Any], added: Sequence[str]) -> dict[str, Any]:
    """``table``, whose keys are in sorted order but for ``added`` (put last), with every key in sorted order.

    The runs of keys between two added ones are taken over in order, not sorted again.

    >>> _in_order({"a": 1, "c": 3, "d": 4, "b": 2, "e": 5}, ["b", "e"])
    {'a': 1, 'b': 2, 'c': 3, 'd': 4, 'e': 5}
    """
    old = list(islice(table, len(table) - len(added)))
    items = iter(table.items())
    ordered: dict[str, Any] = {}
    taken = 0
    for key in sorted(added):
        at = bisect.bisect_left(old, key)
        ordered.update(islice(items, at - taken))
        ordered[key] = table[key]
        taken = at
    ordered.update(islice(items, len(old) - taken))
    return ordered


def project(
    store: GraphStore,
    *,
    as_of: dt.date | None = None,
    link_kinds: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    province: str | None = None,
    district: str | None = None,
) -> nx.MultiDiGraph:
    """Read the store into an analysis graph, optionally filtered.

    Parameters
    ----------
    store : GraphStore
    as_of : date, optional
        The day the network is looked at. A day before today reads the records
        as they stood at the end of that day, from their history (a link's
        status then, an organisation deleted since); today, a later day or
        None read the records as they are now. Links that start after this
        date are left out. An organisation sensitive today is sensitive in
        every past view too: protection follows the record as it stands now.
    link_kinds, statuses : iterables of str, optional
        Keep only links of these kinds / statuses.
    province, district : str, optional
        Keep only organisations located there (and links among them).
    """
    then = as_of if as_of is not None and as_of < today() else None
    if then is None:
        whole = None if (link_kinds, statuses, province, district) != (None,) * 4 else store.whole_graph(as_of)
        if whole is not None:
            return whole
        return graph_from_rows(
            _where(store.organisation_rows(), {"province": _equal(province), "district": _equal(district)},
                   ORGANISATION_ROW),
            _where(store.link_rows(), {"kind": _among(link_kinds), "status": _among(statuses),
                                       "start_date": _not_after(as_of)}, LINK_ROW))
    kinds = set(link_kinds) if link_kinds is not None else None
    wanted_statuses = set(statuses) if statuses is not None else None
    organisations = (
        o for o in _protected_now(store, store.iter_organisations(as_of=then))
        if (province is None or o.province == province) and (district is None or o.district == district)
    )
    links = (
        link for link in store.iter_links(as_of=then)
        if (kinds is None or link.kind in kinds)
        and (wanted_statuses is None or link.status in wanted_statuses)
        and (link.start_date is None or link.start_date <= then)
    )
    return build_graph(organisations, links)


def _where(batches: Batches, tests: Mapping[str, Callable[[Any], bool] | None],
           fields: Sequence[str]) -> Batches:
    """The rows of ``batches`` whose fields pass their tests (a test of None passes everything)."""
    checks = [(fields.index(name), test) for name, test in tests.items() if test is not None]
    if not checks:
        return batches
    return ([row for row in batch if all(test(row[at]) for at, test in checks)] for batch in batches)


def _equal(wanted: str | None) -> Callable[[Any], bool] | None:
    return None if wanted is None else lambda value: value == wanted


def _among(wanted: Iterable[str] | None) -> Callable[[Any], bool] | None:
    return None if wanted is None else set(wanted).__contains__


def _not_after(day: dt.date | None) -> Callable[[Any], bool] | None:
    """Passes a start date (stored form: ISO text, a date or None) that is not after ``day``."""
    if day is None:
        return None
    return lambda start: start is None or (dt.date.fromisoformat(start) if isinstance(start, str) else start) <= day


def _protected_now(store: GraphStore, organisations: Iterable[Organisation]) -> Iterator[Organisation]:
    """Past versions of organisations, each sensitive when it was then or is now."""
    sensitive_now = {o.id for o in store.list_organisations(OrganisationQuery(sensitive=True, limit=None)).items}
    for org in organisations:
        if org.id in sensitive_now:
            org.sensitive = True
        yield org
