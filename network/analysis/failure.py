"""Single points of failure: organisations on every referral route from others to every provider of a service."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np

from network.analysis import words
from network.analysis.finding import Finding, gap_order
from network.analysis.layers import Layers
from network.analysis.offers import Offers
from network.model import Vocabulary, vocabulary
from network.translation import N_

__all__ = [
    "CUT_OFF_HIGH", "CUT_OFF_MEDIUM", "MIN_CUT_OFF", "MAX_LISTED", "single_points_of_failure", "single_point_findings",
]

#: A single point of failure cutting off at least this many organisations is ``high``; at least
#: ``CUT_OFF_MEDIUM``, ``medium``.
CUT_OFF_HIGH, CUT_OFF_MEDIUM = 10, 3
#: An organisation is a single point of failure when it would cut off at least this many others (one
#: organisation relying on one partner is that organisation's gap, not a weak point of the network).
MIN_CUT_OFF = 2
#: At most this many organisations are listed in a finding (all are counted).
MAX_LISTED = 20


def single_points_of_failure(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Organisations and links whose loss would cut others off from every provider of a service.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).

    Returns
    -------
    list of Finding
        One ``single_point_of_failure`` finding per organisation ``a`` that
        lies on every referral route from at least ``MIN_CUT_OFF`` other
        organisations to every provider of a service they need, without
        offering that service itself. ``organisations`` is ``a`` followed by
        the organisations cut off (at most ``MAX_LISTED``); ``links`` the
        single agreements by which they reach ``a``; ``details`` holds
        ``cut_off`` (how many organisations), ``services``, ``populations``
        and ``routes_lost``: the ``[organisation, population, service]``
        routes that losing ``a`` would leave with no route at all.

    Notes
    -----
    Reach is directed and per population, as for the pathway engine: for
    each population some active organisation names, the reach graph of
    :func:`network.meanings.reach_graph` (referral source -> target, both
    ways when ``two_way``; MoU both ways; links in force; only organisations
    serving the population). An organisation ``x`` naming the population is
    cut off from a service of its essential package by ``a`` when ``a`` lies
    on every route from ``x`` to every provider of it: ``a`` dominates ``x``
    in the reversed graph rooted at a sink fed by the providers
    (the dominators of :func:`networkx.immediate_dominators`, computed by igraph's
    Lengauer-Tarjan on the part of that graph more than one step from a provider:
    :meth:`network.analysis.kernels.Indexed.dominators_past`).

    One cause, one finding: an organisation and the agreements that lead to
    it are one finding, never one per agreement. A provider of the service
    is not a point of failure for it (without it, the service is missing,
    whatever the routes), and one organisation relying on one partner is that
    organisation's gap rather than a weak point of the network (fewer than
    ``MIN_CUT_OFF`` organisations cut off is not reported).

    Severity: ``high`` when at least ``CUT_OFF_HIGH`` organisations would be
    cut off, ``medium`` from ``CUT_OFF_MEDIUM``, ``low`` below.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", populations=["sex_workers"])
    >>> G.add_node("b", name="Thusong CBO", populations=["sex_workers"])
    >>> G.add_node("hub", name="Drop-in Centre", populations=["sex_workers"])
    >>> G.add_node("c", name="Sizwe Clinic", services=["art"])
    >>> G.add_node("m", name="Bushveld Mine", populations=["mineworkers"])
    >>> for key, u, v in [("r1", "a", "hub"), ("r2", "b", "hub"), ("r3", "hub", "c"), ("r4", "m", "a")]:
    ...     _ = G.add_edge(u, v, key=key, kind="referral", status="active")
    >>> found = single_points_of_failure(G, as_of=dt.date(2026, 1, 1))
    >>> [(f.organisations, f.links, f.details["cut_off"], f.details["services"]) for f in found]
    [(['hub', 'a', 'b'], ['r1', 'r2'], 2, ['art'])]
    >>> found[0].explanation
    'If Drop-in Centre stopped working, Hope CBO and Thusong CBO would lose every referral route to \
antiretroviral therapy for sex workers; give them a second referral partner.'
    """
    found = single_point_findings(G, Layers(G, as_of), Offers(G), vocabulary())
    return sorted(found, key=gap_order)


def single_point_findings(
    G: nx.MultiDiGraph, layers: Layers, offers: Offers, voc: Vocabulary
) -> list[Finding]:
    """The single points of failure of ``G`` (see :func:`network.analysis.gaps.single_points_of_failure`), unsorted.

    ``layers`` are the views of ``G`` on the day looked at, ``offers`` its :class:`~network.analysis.offers.Offers`.
    """
    backwards = layers.backwards
    nodes = backwards.nodes
    flags = offers.flags(nodes)
    routes: list[np.ndarray] = []
    for population, p in flags.populations.items():
        members = flags.serving(population)
        by_providers: dict[bytes, tuple[np.ndarray, list[int]]] = {}
        for service in voc.essential_services.get(population, ()):
            s = flags.services.get(service)
            providers = members[flags.provides[s, members]] if s is not None else members[:0]
            if len(providers):
                by_providers.setdefault(providers.tobytes(), (providers, []))[1].append(s)
        groups = list(by_providers.values())
        kept, trees = backwards.dominators_past(members, [providers for providers, _ in groups])
        for parent, (_, services) in zip(trees, groups, strict=True):
            routes.extend(_cuts(kept, parent, flags.names[p, kept], p, services))
    return _cut_findings(G, voc, layers, nodes, list(flags.populations), list(flags.services), routes)


def _cuts(
    kept: np.ndarray, parent: np.ndarray, named: np.ndarray, population: int, services: list[int]
) -> list[np.ndarray]:
    """Who passes clients of one population on to the providers of ``services`` on every route, for whom.

    ``parent`` holds the immediate dominators (subgraph numbers, ``-1`` the sink, ``-2`` unreached; see
    :meth:`~network.analysis.kernels.Indexed.dominators_past`) in the population's reach graph with every arc
    reversed, rooted at a sink merged with the providers (who offer every one of ``services``): the dominators
    of an organisation lie on every route from it to a provider, and none is a provider. ``named`` flags the
    subgraph's organisations naming the population. Returns rows of ``(a, x, population, service)`` (numbers
    of the whole graph) for organisations ``x`` naming the population and ``a`` on all their routes.
    """
    x = np.flatnonzero(named & (parent >= 0))
    a = parent[x]
    xs, as_ = [], []
    while len(x):
        xs.append(x)
        as_.append(a)
        a = parent[a]
        x, a = x[a >= 0], a[a >= 0]
    if not xs:
        return []
    x, a = kept[np.concatenate(xs)], kept[np.concatenate(as_)]
    return [np.stack([a, x, np.full(len(x), population), np.full(len(x), service)]) for service in services]


def _cut_findings(
    G: nx.MultiDiGraph, voc: Vocabulary, layers: Layers, nodes: list[str], populations: list[str],
    services: list[str], routes: list[np.ndarray],
) -> list[Finding]:
    """One finding per organisation on every route of at least ``MIN_CUT_OFF`` others, from the rows of
    :func:`_cuts`."""
    rows = np.unique(np.concatenate(routes, axis=1), axis=1) if routes else np.zeros((4, 0), dtype=np.int64)
    if not rows.shape[1]:
        return []
    # the organisations each one cuts off, counted from the rows' distinct (a, x) pairs (rows are sorted)
    pairs = np.flatnonzero((np.diff(rows[0], prepend=-1) != 0) | (np.diff(rows[1], prepend=-1) != 0))
    hubs, cut_off = np.unique(rows[0, pairs], return_counts=True)
    hubs = hubs[cut_off >= MIN_CUT_OFF]
    starts, ends = np.searchsorted(rows[0], hubs).tolist(), np.searchsorted(rows[0], hubs, side="right").tolist()
    findings = []
    for a_number, start, end in zip(hubs.tolist(), starts, ends, strict=True):
        block = rows[1:, start:end]
        a = nodes[a_number]
        entries = {(nodes[x], populations[p], services[s]) for x, p, s in block.T.tolist()}
        cut = sorted({x for x, _, _ in entries})
        behind = [layers.reach_links(x, a) for x in cut]
        links = sorted(ids[0] for ids in behind if len(ids) == 1)
        findings.append((a, _cut_finding(G, voc, a, cut, entries, links)))
    return [finding for _, finding in sorted(findings, key=lambda pair: pair[0])]


def _cut_finding(
    G: nx.MultiDiGraph, voc: Vocabulary, a: str, cut: list[str], lost: set[tuple[str, str, str]],
    links: list[str],
) -> Finding:
    populations = sorted({p for _, p, _ in lost})
    services = sorted({s for _, _, s in lost})
    served = words.populations(voc, populations, "or", shown=len(populations))
    values = {"hub": words.name(G, a), "names": words.names(G, cut), "services": words.services(voc, services),
              "people": served}
    explanation = (N_("If %(hub)s stopped working, %(names)s would lose every referral route to %(services)s for "
                      "%(people)s; give it a second referral partner.") if len(cut) == 1 else
                   N_("If %(hub)s stopped working, %(names)s would lose every referral route to %(services)s for "
                      "%(people)s; give them a second referral partner.")) % values
    return Finding(
        "single_point_of_failure", _cut_off_severity(len(cut)), explanation,
        organisations=[a, *cut[:MAX_LISTED]], district=G.nodes[a].get("district"),
        population=populations[0] if len(populations) == 1 else None,
        service=services[0] if len(services) == 1 else None, links=links,
        details={"cut_off": len(cut), "services": services, "populations": populations,
                 "routes_lost": sorted([x, p, s] for x, p, s in lost)},
    )


def _cut_off_severity(cut_off: int) -> str:
    return "high" if cut_off >= CUT_OFF_HIGH else "medium" if cut_off >= CUT_OFF_MEDIUM else "low"
