"""Views of the projected partner graph that the analyses share.

The projection (``network.graph.project``) is a ``networkx.MultiDiGraph``:
one node per organisation keyed by its id, carrying every organisation field
as an attribute, and one edge per link from ``source`` to ``target`` keyed by
the link id, carrying every link field (``kind``, ``status``, ``start_date``,
``end_date``, ``weight``, ``formal``, ``services``, ...). Undirected link kinds
(``mou``, ``coordination``, ``advocacy``) are stored once, in the direction
they were recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import compress
from typing import Any, NamedTuple

import networkx as nx
import numpy as np

from network.analysis import _in_force
from network.analysis.kernels import Indexed, Runs
from network.analysis.louvain import numbered_louvain, partition_ahead
from network.analysis.reach_arcs import ReachArcs, reach_members
from network.meanings import REACH_KINDS, reach_graph
from network.meanings import serves as serves_population
from network.model import today

__all__ = [
    "REFERRAL_KINDS",
    "InForce",
    "Layers",
    "active_links",
    "active_organisations",
    "is_active_organisation",
    "serves",
    "referral_graph",
    "tie_graph",
]

#: Link kinds a client can be referred along (see :mod:`network.meanings`).
REFERRAL_KINDS = REACH_KINDS


def is_active_organisation(G: nx.MultiDiGraph, node: str) -> bool:
    """True if the organisation ``node`` is active."""
    return G.nodes[node].get("status", "active") == "active"


def active_organisations(G: nx.MultiDiGraph) -> list[str]:
    """The active organisations of ``G``, in node order."""
    return [n for n, status in G.nodes(data="status", default="active") if status == "active"]


def serves(G: nx.MultiDiGraph, node: str, population: str | None) -> bool:
    """True if ``node`` serves ``population`` (see :func:`network.meanings.serves`)."""
    return serves_population(G.nodes[node].get("populations"), population)


def active_links(
    G: nx.MultiDiGraph, as_of: dt.date | None = None, kinds: Iterable[str] | None = None
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Yield ``(source, target, link_id, data)`` for links in force on ``as_of``.

    Links touching an inactive organisation are not in force.
    """
    return iter(_links_in_force(G, as_of or today(), None if kinds is None else set(kinds)).links)


class InForce(NamedTuple):
    """The links in force (of some kinds) in edge order, with the kind and the end date of each; the active
    organisations, and each link's source's and target's numbers (positions among them), as two arrays; and
    whether each link's ``two_way`` is true, as an array."""

    links: list[tuple[str, str, str, dict[str, Any]]]
    kinds: list[Any]
    end_dates: list[Any]
    nodes: list[str]
    tails: np.ndarray
    heads: np.ndarray
    two_way: np.ndarray


def _links_in_force(G: nx.MultiDiGraph, day: dt.date, wanted: set[str] | None) -> InForce:
    """The links in force on ``day`` (of the ``wanted`` kinds, or all), as :class:`InForce`.

    ``G.edges(keys=True, data=True)`` in its order, read from the adjacency in C (``_in_force.c``): each link's
    status and dates are tested as :func:`network.meanings.in_force` tests them (``tests/test_layers_built.py``
    checks that the two agree), and its kind and end date read once, while its dict is at hand.
    """
    nodes = active_organisations(G)
    adjacency = G._adj
    if type(adjacency) is not dict:  # a view's filtered adjacency, as plain dicts of the same link dicts
        adjacency = {u: {v: dict(parallel) for v, parallel in targets.items()} for u, targets in adjacency.items()}
    return _read_in_force(adjacency, nodes, {n: i for i, n in enumerate(nodes)}, day, wanted)


def _read_in_force(adjacency: dict[str, Any], nodes: list[str], number: dict[str, int], day: dt.date,
                   wanted: set[str] | None) -> InForce:
    """The links in force of ``adjacency`` (plain dicts) between the active organisations ``nodes`` (numbered by
    ``number``), read in C, as :class:`InForce`."""
    links, kinds, end_dates, tails, heads, two_way = _in_force.links(adjacency, number, day, wanted)
    return InForce(links, kinds, end_dates, nodes, np.frombuffer(tails, dtype=np.int64),
                   np.frombuffer(heads, dtype=np.int64), np.frombuffer(two_way, dtype=bool))


def _caught_up_in_force(G: nx.MultiDiGraph, day: dt.date, before: InForce, near: frozenset[str]) -> InForce:
    """:func:`_links_in_force` of ``G`` on ``day`` (all kinds), given ``before``, the same of the graph before an
    edit, and ``near``, the organisations the edit touched and their neighbours (``EditReach.near``).

    The links from an organisation not in ``near`` are those it had, in the same order, to the same (still
    active) organisations: they are taken from ``before`` (renumbered), a run of such organisations at a time.
    Only the links from organisations in ``near``, or new among the active ones, are read again.
    """
    nodes = active_organisations(G)
    number = {n: i for i, n in enumerate(nodes)}
    old = {n: i for i, n in enumerate(before.nodes)}
    starts = np.searchsorted(before.tails, np.arange(len(before.nodes) + 1)).tolist()
    renumber = np.array([number.get(n, -1) for n in before.nodes], dtype=np.int64)
    again = {u: G._adj[u] for u in G._adj if u in number and (u in near or u not in old)}
    read = _read_in_force(again, nodes, number, day, None)
    read_starts = np.searchsorted(read.tails, np.arange(len(nodes) + 1)).tolist()
    pieces: list[tuple[InForce, int, int]] = []  # (source, from, to) in the order of the pass
    run: list[int] = []  # the first and last old numbers of a run of organisations taken from before
    for u in G._adj:
        if u not in number:
            continue
        if u in again:
            if run:
                pieces.append((before, starts[run[0]], starts[run[1] + 1]))
                run = []
            pieces.append((read, read_starts[number[u]], read_starts[number[u] + 1]))
        elif run and old[u] == run[1] + 1:
            run[1] = old[u]
        else:
            if run:
                pieces.append((before, starts[run[0]], starts[run[1] + 1]))
            run = [old[u], old[u]]
    if run:
        pieces.append((before, starts[run[0]], starts[run[1] + 1]))
    found_links: list[tuple[str, str, str, dict[str, Any]]] = []
    found_kinds: list[Any] = []
    found_ends: list[Any] = []
    for source, start, stop in pieces:
        found_links += source.links[start:stop]
        found_kinds += source.kinds[start:stop]
        found_ends += source.end_dates[start:stop]
    ends = [(renumber[source.tails[a:b]], renumber[source.heads[a:b]]) if source is before
            else (source.tails[a:b], source.heads[a:b]) for source, a, b in pieces]
    empty = np.zeros(0, dtype=np.int64)
    return InForce(found_links, found_kinds, found_ends, nodes,
                   np.concatenate([empty, *(t for t, _ in ends)]), np.concatenate([empty, *(h for _, h in ends)]),
                   np.concatenate([empty.astype(bool), *(source.two_way[a:b] for source, a, b in pieces)]))


def referral_graph(
    G: nx.MultiDiGraph, as_of: dt.date | None = None, kinds: Iterable[str] = REFERRAL_KINDS
) -> nx.DiGraph:
    """The directed graph a client can travel: who can refer to whom on ``as_of``.

    The reach graph of :func:`network.meanings.reach_graph` (for every
    population) over the links of ``kinds`` in force: a referral gives an arc
    from source to target (both ways when ``two_way``), an MoU arcs both ways.
    """
    return reach_graph(G, as_of or today(), links=active_links(G, as_of, kinds))


def tie_graph(G: nx.MultiDiGraph, as_of: dt.date | None = None, kinds: Iterable[str] | None = None) -> nx.Graph:
    """The undirected graph of organisations tied by any link in force on ``as_of``.

    Each edge carries ``links`` (the link ids behind it) and ``kinds`` (a frozenset, shared by
    the edges with the same kinds: do not change it).
    Only active organisations appear.
    """
    found = _links_in_force(G, as_of or today(), None if kinds is None else set(kinds))
    return _ties(G, found.links, found.kinds)


def _ties(G: nx.MultiDiGraph, links: list[tuple[str, str, str, dict[str, Any]]], kinds: list[Any]) -> nx.Graph:
    """The tie graph of ``links`` (of the given ``kinds``), their ends active organisations of ``G``."""
    # Each tie enters both ends' rows when its first link is met: as T.add_edges_from would add the ties in that
    # order, one dict shared by both ends, without its checks.
    adjacency: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in active_organisations(G)}
    # One frozenset per distinct set of kinds, shared by the ties that have it (a set per tie was a third of the
    # tie graph's memory); most ties have one kind, whose set is found by the kind.
    shared: dict[frozenset[str], frozenset[str]] = {}
    alone: dict[str, frozenset[str]] = {}
    row: dict[str, dict[str, Any]] = {}
    last = None
    for (u, v, key, _), kind in zip(links, kinds, strict=True):
        if u == v:
            continue
        if u is not last:  # the links come grouped by source
            row, last = adjacency[u], u
        tie = row.get(v)
        if tie is None:
            one = alone.get(kind)
            if one is None:
                one = frozenset((kind,))
                one = alone[kind] = shared.setdefault(one, one)
            row[v] = adjacency[v][u] = {"links": [key], "kinds": one}
        else:
            tie["links"].append(key)
            if kind not in tie["kinds"]:
                more = tie["kinds"] | {kind}
                tie["kinds"] = shared.setdefault(more, more)
    T = nx.Graph()
    T._node = {n: {} for n in adjacency}
    T._adj = adjacency
    return T


class Layers:
    """The views of one partner graph on one day that several analyses share.

    Each view is built on first use and kept, so a caller running several
    analyses of one graph (the coordination report) builds the links in
    force, the referral graph, the tie graph and its communities once. The
    analyses that take ``layers=`` use these instead of building their own.
    The graph must not change while its ``Layers`` are in use.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["a", "b", "c"])
    >>> _ = G.add_edge("a", "b", key="m1", kind="mou", status="active")
    >>> _ = G.add_edge("b", "c", key="p1", kind="mou", status="proposed")
    >>> layers = Layers(G, dt.date(2026, 1, 1))
    >>> [key for _, _, key, _ in layers.links], sorted(layers.referral.edges()), layers.communities()
    (['m1'], [('a', 'b'), ('b', 'a')], [['a', 'b'], ['c']])
    """

    def __init__(self, G: nx.MultiDiGraph, as_of: dt.date | None = None) -> None:
        self.G = G
        self.as_of = as_of or today()
        self._communities: dict[int, list[list[str]]] = {}
        self._links_of: dict[frozenset[str], list[tuple[str, str, str, dict[str, Any]]]] = {}

    @classmethod
    def after_edit(cls, G: nx.MultiDiGraph, as_of: dt.date | None, before: InForce, near: Iterable[str]) -> Layers:
        """Layers of ``G`` whose links in force are caught up from ``before`` (the :attr:`in_force` of the graph
        before an edit, on the same day) at the organisations ``near`` the edit (``EditReach.near``), not found
        again over the whole graph. They equal ``Layers(G, as_of)``."""
        layers = cls(G, as_of)
        layers.__dict__["_in_force"] = _caught_up_in_force(G, layers.as_of, before, frozenset(near))
        return layers

    @property
    def in_force(self) -> InForce:
        """:attr:`links`, :attr:`kinds`, :attr:`end_dates` and :attr:`ends` together (for :meth:`after_edit`)."""
        return self._in_force

    def fit(self, G: nx.MultiDiGraph, as_of: dt.date | None) -> bool:
        """Whether these are views of ``G`` (the same object) on ``as_of`` (None: on any day)."""
        return self.G is G and (as_of is None or as_of == self.as_of)

    @cached_property
    def links(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(source, target, link_id, data)`` of every link in force, as :func:`active_links` yields them."""
        return self._in_force.links

    def links_of(self, kinds: Iterable[str]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """The links in force of the given kinds, in the order of :attr:`links` (picked once per set of kinds)."""
        wanted = frozenset(kinds)
        found = self._links_of.get(wanted)
        if found is None:
            found = self._links_of[wanted] = list(compress(self.links, map(wanted.__contains__, self.kinds)))
        return iter(found)

    @cached_property
    def kinds(self) -> list[Any]:
        """The kind of each of :attr:`links` (None where it has none)."""
        return self._in_force.kinds

    @cached_property
    def end_dates(self) -> list[Any]:
        """The end date of each of :attr:`links` (None where it has none)."""
        return self._in_force.end_dates

    @cached_property
    def _in_force(self) -> InForce:
        """:attr:`links`, :attr:`kinds`, :attr:`end_dates` and :attr:`ends`, found in one pass."""
        return _links_in_force(self.G, self.as_of, None)

    @cached_property
    def ends(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The active organisations, and the source's and the target's numbers (positions in that list) of each
        of :attr:`links`, as two arrays."""
        found = self._in_force
        return found.nodes, found.tails, found.heads

    @cached_property
    def referral(self) -> nx.DiGraph:
        """:func:`referral_graph` of the graph on the day."""
        return reach_graph(self.G, self.as_of, links=self.links_of(REFERRAL_KINDS))

    def reach(self, population: str) -> nx.DiGraph:
        """The reach graph for ``population``: :attr:`referral` among the organisations serving it (a view)."""
        R = self.referral
        return R.subgraph([n for n in R if serves(self.G, n, population)])

    @cached_property
    def backwards(self) -> Indexed:
        """:attr:`referral` with every arc reversed, numbered for the kernels of :mod:`network.analysis.kernels`
        (as ``Indexed.reversed_of(self.referral)``, found without building it)."""
        arcs = self._reach
        return Indexed.of_numbers(arcs.members, arcs.heads, arcs.tails)

    def reach_links(self, x: str, y: str) -> list[str]:
        """The ids of the links behind the arc ``x -> y`` of :attr:`referral` (its ``links``; empty if none)."""
        return self._reach.links_of(x, y)

    @cached_property
    def _reach(self) -> ReachArcs:
        """The arcs of :attr:`referral`, numbered (see :class:`~network.analysis.reach_arcs.ReachArcs`)."""
        members = reach_members(self.G)
        nodes, tails, heads = self.ends
        number = {node: i for i, node in enumerate(members)}
        renumber = np.fromiter(map(number.__getitem__, nodes), dtype=np.int64, count=len(nodes))
        return ReachArcs(members, self.links, self.kinds, renumber[tails], renumber[heads], self._in_force.two_way)

    @cached_property
    def ties(self) -> nx.Graph:
        """:func:`tie_graph` of the graph on the day (the analyses of the report use :meth:`tie_links`,
        :meth:`untied` and :meth:`communities`, read from numbered arrays, instead of building it)."""
        return _ties(self.G, self.links, self.kinds)

    def tie_links(self, u: str, v: str) -> list[str]:
        """The ids of the links in force between ``u`` and ``v`` (either way), in link order: the ``links`` of
        the edge ``u, v`` of :attr:`ties`; empty when they are not tied."""
        number = self._number
        if u == v or u not in number or v not in number:
            return []
        key = min(number[u], number[v]) * len(number) + max(number[u], number[v])
        return [self.links[i][2] for i in self._tie_runs.of(key)]

    def untied(self) -> list[str]:
        """The active organisations no link in force joins to another, in node order (those of degree 0 in
        :attr:`ties`)."""
        nodes = self.ends[0]
        tied = np.zeros(len(nodes), dtype=bool)
        for end in self.tie_pairs:
            tied[end] = True
        return list(compress(nodes, (~tied).tolist()))

    def communities(self, seed: int = 42) -> list[list[str]]:
        """Louvain communities of :attr:`ties` (see :func:`~network.analysis.louvain.louvain_communities`)."""
        if seed not in self._communities:
            self._communities[seed] = numbered_louvain(*self._sorted_ties, seed)
        return self._communities[seed]

    def communities_ahead(self, seed: int = 42) -> None:
        """Start :meth:`communities` in a helper process, if the network is large, while the caller does other
        work (see :func:`~network.analysis.louvain.partition_ahead`)."""
        if seed not in self._communities:
            partition_ahead(*self._sorted_ties, seed)

    @cached_property
    def _sorted_ties(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The active organisations sorted, and :attr:`ties`' edges as positions among them, in ``T.edges()``
        order."""
        nodes, _, _ = self.ends
        named = sorted(nodes)
        rank = {n: i for i, n in enumerate(named)}
        ranks = np.fromiter(map(rank.__getitem__, nodes), dtype=np.int64, count=len(nodes))
        near, far = self._tie_edges
        return named, ranks[near], ranks[far]

    @cached_property
    def _number(self) -> dict[str, int]:
        """Each active organisation's number in :attr:`ends`."""
        return {n: i for i, n in enumerate(self.ends[0])}

    @cached_property
    def tie_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The ties as two arrays of numbers in :attr:`ends`, the smaller first, sorted: each pair of active
        organisations that links in force join, once."""
        return np.divmod(self._tie_runs.keys, max(len(self.ends[0]), 1))

    @cached_property
    def _tie_runs(self) -> Runs:
        """The positions in :attr:`links` of the links of each tie (key ``low * n + high`` for ``n``
        organisations), in link order."""
        nodes, tails, heads = self.ends
        apart = np.flatnonzero(tails != heads)
        return Runs(np.minimum(tails, heads)[apart] * len(nodes) + np.maximum(tails, heads)[apart], apart)

    @cached_property
    def _tie_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The ties as two arrays of numbers (the earlier organisation's first), in the order ``ties.edges()``
        gives them: by the earlier organisation, then in the order their first link comes."""
        low, high = self.tie_pairs
        order = np.lexsort((self._tie_runs.leading, low))
        return low[order], high[order]


def layers_for(G: nx.MultiDiGraph, as_of: dt.date | None, layers: Layers | None) -> Layers:
    """``layers`` if given, checked to be of ``G`` on ``as_of``; else new :class:`Layers`."""
    if layers is None:
        return Layers(G, as_of)
    if not layers.fit(G, as_of):
        raise ValueError("the layers given are of another graph or another day")
    return layers

