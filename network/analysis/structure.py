"""Structure of the partner network: centrality, communities, cut points and brokerage."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np

from network.analysis import words
from network.analysis.kernels import Undirected, broker_array
from network.analysis.layers import Layers, layers_for, tie_graph
from network.analysis.louvain import louvain_communities
from network.model import today, vocabulary

__all__ = ["BROKERAGE_ROLES", "brokerage_roles", "centralities", "communities", "structure_summary"]

#: Gould–Fernandez brokerage roles, in the order the literature lists them.
BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")

#: Communities up to this size have their members listed in the summary.
SMALL_COMMUNITY = 10


def structure_summary(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    by: str = "kind",
    betweenness_threshold: int = 2000,
    sample_size: int = 500,
    seed: int = 42,
    top: int = 10,
    layers: Layers | None = None,
) -> dict[str, Any]:
    """Summarise the shape of the network of ties in force on ``as_of``.

    Everything is computed on the tie graph (``layers.tie_graph``): active
    organisations, joined when any link between them is in force.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    by : str, default "kind"
        Organisation attribute grouping the brokerage roles ("kind" or "province").
    betweenness_threshold, sample_size, seed : int
        Betweenness is exact up to ``betweenness_threshold`` organisations and
        estimated from ``sample_size`` sources drawn with ``seed`` above it;
        ``seed`` also fixes the Louvain communities.
    top : int, default 10
        Length of each ranked list.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).

    Returns
    -------
    dict
        ``nodes`` (active organisations), ``links`` (links in force between two
        of them), ``ties`` (pairs of organisations tied), ``density``,
        ``components`` (``count``, ``largest``, ``isolated``), ``degree`` (top
        ``{"id", "name", "value"}`` rows of degree centrality), ``betweenness``
        (``sampled``, ``sample_size`` and ``top`` rows), ``communities``
        (``count``, ``sizes`` largest first, and ``small``: the members of every
        community of 2 to ``SMALL_COMMUNITY`` organisations), ``bridges`` (ids of
        links whose loss would split the network), ``articulation_points``
        (organisations whose loss would), and ``brokerage`` (``attribute``,
        ``totals`` per role and the ``top`` brokers per role).
        Ranked lists leave out zero values and break ties by id.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [Organisation(c, c.upper(), "cbo") for c in "abcde"]
    >>> G = build_graph(orgs, [Link(f"l{i}", "a", c, "mou") for i, c in enumerate("bcde")])
    >>> s = structure_summary(G, top=1)
    >>> s["nodes"], s["links"], s["components"]["count"], s["articulation_points"]
    (5, 4, 1, ['a'])
    >>> s["degree"]
    [{'id': 'a', 'name': 'A', 'value': 1.0}]
    """
    layers = layers_for(G, as_of, layers)
    nodes, tails, heads = layers.ends
    # T's edges are the pairs the links join: one igraph copy for every kernel below
    numbered = Undirected.of_arcs(nodes, tails, heads)
    degree, betweenness, sampling = _centrality_arrays(numbered, betweenness_threshold, sample_size, seed)
    parts = layers.communities(seed)
    components = numbered.component_sizes()
    articulation, bridges = _cut_points(layers, numbered)
    counts = _brokerage_array(G, nodes, tails, heads, _both_ways(layers.kinds), by, numbered)
    n, ties = len(nodes), numbered.graph.ecount()
    return {
        "nodes": n,
        "links": int(np.count_nonzero(tails != heads)),  # the links behind the ties
        "ties": ties,
        "density": 0 if ties == 0 or n <= 1 else ties / (n * (n - 1)) * 2,  # as nx.density(T)
        "components": {
            "count": len(components),
            "largest": max(components, default=0),
            "isolated": numbered.isolated(),
        },
        "degree": _top(G, nodes, degree, top),
        "betweenness": {**sampling, "top": _top(G, nodes, betweenness, top)},
        "communities": {
            "count": len(parts),
            "sizes": [len(c) for c in parts],
            "small": [c for c in parts if 2 <= len(c) <= SMALL_COMMUNITY],
        },
        "bridges": bridges,
        "articulation_points": articulation,
        "brokerage": {
            "attribute": by,
            "totals": {role: int(counts[:, i].sum()) for i, role in enumerate(BROKERAGE_ROLES)},
            "top": {
                role: _top_of(G, nodes, counts[:, i], top, lambda j, i=i: int(counts[j, i]))
                for i, role in enumerate(BROKERAGE_ROLES)
            },
        },
    }


def centralities(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    betweenness_threshold: int = 2000,
    sample_size: int = 500,
    seed: int = 42,
) -> dict[str, dict[str, Any]]:
    """Degree and betweenness centrality of every active organisation in the tie graph.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    betweenness_threshold : int, default 2000
        Betweenness is exact for graphs with at most this many organisations.
    sample_size : int, default 500
        Above the threshold, the number of source organisations, drawn with
        ``seed``, from which betweenness is estimated.
    seed : int, default 42

    Returns
    -------
    dict
        ``{"degree": {id: value}, "betweenness": {id: value},
        "sampling": {"sampled": bool, "sample_size": int}}``. Degree is the
        number of organisations tied to, over ``n - 1``; betweenness is
        normalised as ``nx.betweenness_centrality`` does. ``sample_size`` is the
        number of sources the betweenness was counted from (every organisation
        when exact).

    Raises
    ------
    ValueError
        If ``sample_size`` is less than 1.

    Notes
    -----
    Betweenness uses Brandes' algorithm in C (igraph, through
    :func:`network.analysis.kernels.brandes_sums`), equal to
    ``nx.betweenness_centrality`` up to floating-point rounding (sources are
    drawn as NetworkX draws them, so a sampled run matches
    ``nx.betweenness_centrality(T, k=sample_size, seed=seed)``).

    References
    ----------
    .. [1] Ulrik Brandes, "A faster algorithm for betweenness centrality",
       Journal of Mathematical Sociology 25(2):163-177, 2001.
    .. [2] Ulrik Brandes and Christian Pich, "Centrality estimation in large
       networks", International Journal of Bifurcation and Chaos 17(7), 2007.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [Organisation(c, c.upper(), "cbo") for c in "abcde"]
    >>> G = build_graph(orgs, [Link(f"l{i}", u, v, "mou") for i, (u, v) in enumerate(["ab", "bc", "cd", "de"])])
    >>> c = centralities(G)
    >>> round(c["betweenness"]["c"], 3), c["degree"]["a"], c["sampling"]
    (0.667, 0.25, {'sampled': False, 'sample_size': 5})
    """
    numbered = Undirected(tie_graph(G, as_of or today()))
    degree, betweenness, sampling = _centrality_arrays(numbered, betweenness_threshold, sample_size, seed)
    return {"degree": dict(zip(numbered.nodes, degree.tolist(), strict=True)),
            "betweenness": dict(zip(numbered.nodes, betweenness.tolist(), strict=True)), "sampling": sampling}


def communities(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, seed: int = 42) -> list[list[str]]:
    """Louvain communities of the tie graph, largest first.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    seed : int, default 42
        Seeds the order in which organisations are visited, so the result is
        the same on every run.

    Returns
    -------
    list of list of str
        Every active organisation in exactly one community; members sorted,
        communities by size (largest first) then by first member.

    Notes
    -----
    Computed by :func:`~network.analysis.louvain.louvain_communities`; each
    tie has weight 1 however many links are behind it.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [Organisation(c, c.upper(), "cbo") for c in "abcdef"]
    >>> pairs = ["ab", "bc", "ca", "cd", "de", "ef", "fd"]
    >>> G = build_graph(orgs, [Link(f"l{i}", u, v, "mou") for i, (u, v) in enumerate(pairs)])
    >>> communities(G)
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    return louvain_communities(tie_graph(G, as_of or today()), seed)


def brokerage_roles(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, attribute: str = "kind"
) -> dict[str, dict[str, int]]:
    """Gould–Fernandez brokerage counts of every active organisation.

    Ties are read as arcs: a link in force gives an arc from its source to its
    target, and an undirected kind (``mou``, ``coordination``, ``advocacy``) arcs
    both ways. Organisation ``b`` brokers an open two-path ``a -> b -> c`` when
    ``a != c`` and there is no arc ``a -> c``. With ``A``, ``B``, ``C`` the groups
    of ``a``, ``b``, ``c`` under ``attribute``, the two-path makes ``b`` a

    * coordinator when ``A = B = C`` (brokering inside its own group),
    * consultant (the itinerant broker) when ``A = C != B``,
    * representative when ``A = B != C`` (speaking for its group outward),
    * gatekeeper when ``A != B = C`` (letting outsiders into its group),
    * liaison when all three differ.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    attribute : str, default "kind"
        The organisation attribute defining groups, e.g. "kind" or "province".
        Organisations without it form one group of their own (``None``).

    Returns
    -------
    dict
        ``{organisation id: {role: count}}`` for every active organisation, with
        all five roles of ``BROKERAGE_ROLES`` present.

    Notes
    -----
    Counts come from group tallies of each broker's in- and out-neighbours, with
    only the closed or degenerate two-paths (``a -> c`` present, or ``a = c``)
    enumerated and subtracted, by set intersection. Cost is about the sum over
    arcs ``a -> b`` of ``min(outdeg(a), outdeg(b))``, never the product of a
    broker's in- and out-degree, so hubs with thousands of ties stay cheap.

    References
    ----------
    .. [1] Roger V. Gould and Roberto M. Fernandez, "Structures of mediation: a
       formal approach to brokerage in transaction networks", Sociological
       Methodology 19:89-126, 1989.

    Examples
    --------
    A clinic passing referrals from a CBO on to a hospital joins three different
    kinds, so it is a liaison:

    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [Organisation("c", "C", "cbo"), Organisation("k", "K", "clinic"),
    ...         Organisation("h", "H", "hospital")]
    >>> G = build_graph(orgs, [Link("l1", "c", "k", "referral"), Link("l2", "k", "h", "referral")])
    >>> brokerage_roles(G)["k"]
    {'coordinator': 0, 'gatekeeper': 0, 'representative': 0, 'consultant': 0, 'liaison': 1}
    """
    return _brokerage(G, Layers(G, as_of), attribute)


def _centrality_arrays(
    numbered: Undirected, threshold: int, sample_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Degree and betweenness centrality of the nodes of ``numbered`` (see :func:`centralities`), and the sampling."""
    if sample_size < 1:
        raise ValueError(f"sample_size must be at least 1, not {sample_size}")
    nodes = numbered.nodes
    n = len(nodes)
    sampled = n > threshold and sample_size < n
    sources = random.Random(seed).sample(nodes, sample_size) if sampled else nodes
    degree = numbered.degrees() / (n - 1) if n > 1 else np.zeros(n)
    return degree, _betweenness(numbered, sources, sampled), {"sampled": sampled, "sample_size": len(sources)}


def _betweenness(numbered: Undirected, sources: list[str], sampled: bool) -> np.ndarray:
    nodes = numbered.nodes
    n = len(nodes)
    if n <= 2:
        return np.zeros(n)
    score = numbered.brandes_array(sources if sampled else None)
    k = len(sources)
    if not sampled:
        return score / ((n - 1) * (n - 2))
    # As NetworkX rescales a sample: a source cannot lie on its own paths.
    chosen = np.zeros(n, dtype=bool)
    chosen[[numbered.index[v] for v in sources]] = True
    source_scale = 1 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    other_scale = 1 / (k * (n - 2))
    return score * np.where(chosen, source_scale, other_scale)


def _cut_points(layers: Layers, numbered: Undirected) -> tuple[list[str], list[str]]:
    """Articulation points and the ids of bridge links (a bridge tie that one link makes)."""
    articulation, bridges = numbered.cut_points()
    links = [layers.tie_links(u, v) for u, v in bridges]
    return sorted(articulation), sorted(ids[0] for ids in links if len(ids) == 1)


def _brokerage(G: nx.MultiDiGraph, layers: Layers, attribute: str) -> dict[str, dict[str, int]]:
    """Brokerage role counts of every active organisation, over the links in force."""
    active, tails, heads = layers.ends
    counts = _brokerage_array(G, active, tails, heads, _both_ways(layers.kinds), attribute)
    return {n: dict(zip(BROKERAGE_ROLES, row, strict=True)) for n, row in zip(active, counts.tolist(), strict=True)}


def _both_ways(kinds: list[Any]) -> np.ndarray:
    """Whether each link of these kinds runs both ways (its kind is not a directed one)."""
    directed = vocabulary().directed_link_kinds
    return ~np.fromiter(map(directed.__contains__, kinds), dtype=bool, count=len(kinds))


def _brokerage_array(
    G: nx.MultiDiGraph, nodes: list[str], tails: np.ndarray, heads: np.ndarray, both: np.ndarray, attribute: str,
    ties: Undirected | None = None,
) -> np.ndarray:
    """Brokerage role counts of ``nodes`` (a row each, roles in ``BROKERAGE_ROLES`` order) over the links
    ``tails[i] -> heads[i]`` (both ways where ``both[i]``); ``ties`` is ``Undirected.of_arcs`` of them, if built."""
    codes: dict[Any, int] = {}
    data = G.nodes
    group = [codes.setdefault(data[n].get(attribute), len(codes)) for n in nodes]
    return broker_array(len(nodes), np.concatenate([tails, heads[both]]), np.concatenate([heads, tails[both]]),
                        group, ties)


def _top(G: nx.MultiDiGraph, nodes: list[str], scores: np.ndarray, top: int) -> list[dict[str, Any]]:
    return _top_of(G, nodes, scores, top, lambda i: float(scores[i]))


def _top_of(
    G: nx.MultiDiGraph, nodes: list[str], scores: np.ndarray, top: int, value: Callable[[int], float]
) -> list[dict[str, Any]]:
    """The ``top`` nodes with a positive score, highest first, then by id; ``value(i)`` is node ``i``'s value as
    shown. Only the nodes scoring at least the ``top``-th highest score are sorted."""
    if top <= 0:
        return []
    positive = np.flatnonzero(scores > 0)
    if len(positive) > top:
        cut = np.partition(scores[positive], len(positive) - top)[len(positive) - top]
        positive = positive[scores[positive] >= cut]
    ranked = sorted((-value(i), nodes[i]) for i in positive.tolist())[:top]
    return [{"id": n, "name": words.name(G, n), "value": -negative} for negative, n in ranked]
