"""Referral pathways: the best routes through active agreements that meet a client's needs in order."""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import networkx as nx

from network.analysis.layers import referral_graph
from network.model import today, vocabulary

__all__ = ["PathwayStep", "Pathway", "PathwayIndex", "pathway_index", "referral_pathways"]

#: Cost of a hop along a formal (signed) agreement of weight 3.
FORMAL_HOP = 1.0
#: Cost of a hop along an informal agreement of weight 3.
INFORMAL_HOP = 1.5
#: Cost taken off a hop for each point of weight above 3 (added below 3).
WEIGHT_STEP = 0.05
#: Kilometres (great-circle, between the two organisations) that cost as much as one unit.
KM_PER_UNIT = 100.0
#: Extra cost of a proposed step to a same-district provider with no agreement yet.
PROPOSED_PENALTY = 5.0

_EARTH_RADIUS_KM = 6371.0088


@dataclass
class PathwayStep:
    """One organisation on a pathway.

    ``services`` are the needs it meets on this pathway (empty when the client
    only passes through), ``link`` and ``link_kind`` the agreement the client
    is referred along to reach it (None for the first step and for a proposed
    step), ``proposed`` whether that referral needs an agreement first, and
    ``hop_cost`` what the hop into it costs.
    """

    organisation: str
    name: str
    services: list[str]
    link: str | None
    link_kind: str | None
    proposed: bool
    hop_cost: float

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict."""
        return asdict(self)


@dataclass
class Pathway:
    """A route from the first organisation to the one that meets the last need."""

    steps: list[PathwayStep]
    cost: float
    hops: int
    proposed_steps: int

    def to_dict(self) -> dict[str, Any]:
        """The pathway as a JSON-ready dict."""
        return asdict(self)


class PathwayIndex:
    """What :func:`referral_pathways` needs of one graph on one date, prepared once.

    Build it with :func:`pathway_index` and pass it to many queries on the
    same graph and date. Only active organisations appear.

    Attributes
    ----------
    as_of : date
        The date the agreements were read on.
    arcs : dict
        ``arcs[u][v] = (hop_cost, link_id, link_kind)`` for every arc of
        :func:`network.analysis.layers.referral_graph` (the strongest link of
        each arc).
    out : dict
        ``out[u]``: the arcs from ``u`` as ``(hop_cost, v, link_id, link_kind)``, cheapest first.
    names, districts : dict
        Organisation name and district by id.
    services, populations : dict of frozenset
        Services offered and populations served (empty: everyone) by id.
    by_district : dict
        Active organisation ids (sorted) by district.
    """

    def __init__(self, G: nx.MultiDiGraph, as_of: dt.date, include_unlinked: bool) -> None:
        R = referral_graph(G, as_of)
        self.as_of = as_of
        self.names: dict[str, str] = {}
        self.districts: dict[str, str | None] = {}
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self._coordinates: dict[str, tuple[float, float]] = {}
        by_district: dict[str, list[str]] = defaultdict(list)
        by_service: dict[str, list[str]] = defaultdict(list)
        for node in R:
            data = G.nodes[node]
            self.names[node] = data.get("name") or node
            self.districts[node] = data.get("district") or None
            self.services[node] = frozenset(data.get("services") or ())
            self.populations[node] = frozenset(data.get("populations") or ())
            if data.get("latitude") is not None and data.get("longitude") is not None:
                self._coordinates[node] = (math.radians(data["latitude"]), math.radians(data["longitude"]))
            if self.districts[node]:
                by_district[self.districts[node]].append(node)
            for service in self.services[node]:
                by_service[service].append(node)
        self.by_district = {d: sorted(nodes) for d, nodes in by_district.items()}
        self._by_service = {s: sorted(nodes) for s, nodes in by_service.items()}
        self.arcs: dict[str, dict[str, tuple[float, str, str]]] = {
            u: {v: (self.hop_cost(u, v, a["formal"], a["weight"]), a["link"], a["kind"]) for v, a in R[u].items()}
            for u in R
        }
        self.out: dict[str, tuple[tuple[float, str, str, str], ...]] = {
            u: tuple(sorted((cost, v, link, kind) for v, (cost, link, kind) in targets.items()))
            for u, targets in self.arcs.items()
        }
        self._providers: dict[tuple[str, str], list[str]] | None = None
        if include_unlinked:
            self._providers = self._providers_by_district()

    def serves(self, node: str, population: str) -> bool:
        """True if the active organisation ``node`` serves ``population``."""
        populations = self.populations[node]
        return not populations or population in populations

    def offered(self, service: str, population: str) -> bool:
        """True if some active organisation offers ``service`` to ``population``."""
        return any(self.serves(node, population) for node in self._by_service.get(service, ()))

    def providers(self, district: str | None, service: str) -> list[str]:
        """Active organisations in ``district`` offering ``service`` (sorted ids)."""
        if not district:
            return []
        if self._providers is None:
            self._providers = self._providers_by_district()
        return self._providers.get((district, service), [])

    def _providers_by_district(self) -> dict[tuple[str, str], list[str]]:
        table: dict[tuple[str, str], list[str]] = defaultdict(list)
        for service, nodes in self._by_service.items():
            for node in nodes:
                if self.districts[node]:
                    table[self.districts[node], service].append(node)
        return dict(table)

    def hop_cost(self, u: str, v: str, formal: bool, weight: int | None) -> float:
        """The cost of referring a client from ``u`` to ``v`` along an agreement."""
        strength = min(max(int(weight or 3), 1), 5)
        base = (FORMAL_HOP if formal else INFORMAL_HOP) - WEIGHT_STEP * (strength - 3)
        return base + self.distance_km(u, v) / KM_PER_UNIT

    def distance_km(self, u: str, v: str) -> float:
        """Great-circle kilometres between ``u`` and ``v`` (0 when either has no coordinates)."""
        a, b = self._coordinates.get(u), self._coordinates.get(v)
        if a is None or b is None:
            return 0.0
        h = math.sin((b[0] - a[0]) / 2) ** 2 + math.cos(a[0]) * math.cos(b[0]) * math.sin((b[1] - a[1]) / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def pathway_index(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, include_unlinked: bool = False
) -> PathwayIndex:
    """Prepare a graph once for many :func:`referral_pathways` queries.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The date on which agreements must be in force (default today).
    include_unlinked : bool, optional
        Also prepare the table of providers by district that queries with
        ``include_unlinked=True`` use (otherwise it is built on first use).

    Returns
    -------
    PathwayIndex

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["a", "b", "c"], status="active")
    >>> G.nodes["c"]["status"] = "inactive"
    >>> _ = G.add_edge("a", "b", key="m1", kind="mou", status="active", formal=True, weight=5)
    >>> index = pathway_index(G)
    >>> sorted(index.names), index.arcs["b"]
    (['a', 'b'], {'a': (0.9, 'm1', 'mou')})
    """
    return PathwayIndex(G, as_of or today(), include_unlinked)


def referral_pathways(
    G: nx.MultiDiGraph,
    *,
    population: str,
    needs: Sequence[str],
    start: str | None = None,
    district: str | None = None,
    k: int = 3,
    as_of: dt.date | None = None,
    include_unlinked: bool = False,
    max_hops: int = 6,
    index: PathwayIndex | None = None,
) -> list[Pathway]:
    """The ``k`` best pathways that meet ``needs``, in order, for a client of ``population``.

    A pathway starts at ``start`` (or at any active organisation in
    ``district`` that serves the population) and follows active referral
    and MoU agreements (the arcs of
    :func:`network.analysis.layers.referral_graph`). Each need is met by an
    organisation on the pathway that offers it and serves the population,
    in the order given; one organisation may meet several consecutive needs,
    and the first may meet some itself. The pathway ends at the organisation
    that meets the last need.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    population : str
        Population code of the client (see ``vocabulary().populations``).
    needs : sequence of str
        Service codes, in the order the client needs them.
    start : str, optional
        Id of the organisation the client is at. Give ``start`` or ``district``.
    district : str, optional
        Start from any active organisation of this district serving the population.
    k : int, optional
        Number of pathways wanted (default 3).
    as_of : date, optional
        The date on which agreements must be in force (default today, or the
        index's date when ``index`` is given).
    include_unlinked : bool, optional
        Also allow a proposed step from an organisation to an active provider
        of the next need in its district with which it has no agreement yet,
        at ``PROPOSED_PENALTY`` extra cost.
    max_hops : int, optional
        Most referrals on a pathway (default 6).
    index : PathwayIndex, optional
        From :func:`pathway_index` for this graph, to answer many queries fast.

    Returns
    -------
    list of Pathway
        At most ``k`` pathways with distinct organisation sequences, best
        first: by cost, then hops, then the sequence of ids. Empty when no
        pathway exists, when ``start`` is inactive or does not serve the
        population.

    Raises
    ------
    ValueError
        For ``k < 1``, ``max_hops < 0``, empty ``needs``, unknown service,
        population or district codes, an unknown ``start``, neither or both
        of ``start`` and ``district``, or an ``index`` of another date.

    Notes
    -----
    A hop costs ``FORMAL_HOP`` (1.0) along a formal agreement and
    ``INFORMAL_HOP`` (1.5) along an informal one, less ``WEIGHT_STEP`` (0.05)
    per point of weight above 3 (more below), plus the great-circle distance
    between the two organisations over ``KM_PER_UNIT`` (100 km; nothing when
    either has no coordinates). A proposed step costs an informal hop of
    weight 3 plus ``PROPOSED_PENALTY`` (5.0) plus distance. Inactive
    organisations, links not in force on ``as_of`` and organisations that do
    not serve the population are never used, not even to pass through.
    Needs are met as early as possible along a pathway, and an organisation
    appears at most once on it.

    The search is best-first over partial pathways, each keyed by its
    organisation and the number of needs met so far. A partial pathway is
    set aside only when the pathways already expanded from the same key
    (with no more hops) are provably enough to give ``k`` pathways at least
    as good whichever way it would continue: even after removing those that
    the organisations it could still visit would block. So the result is
    exact, and each key is expanded only a few times.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("cbo", name="Hope CBO", services=["tb_screening"], populations=["mineworkers"])
    >>> G.add_node("clinic", name="Sizwe Clinic", services=["tb_treatment"])
    >>> G.add_node("hospital", name="District Hospital", services=["tb_treatment"])
    >>> G.add_node("sassa", name="SASSA Office", services=["social_grant_linkage"])
    >>> G.add_node("union", name="NUM Branch", services=[], populations=["ex_mineworkers"])
    >>> edges = [("cbo", "clinic", "r1", True), ("cbo", "hospital", "r2", False),
    ...          ("clinic", "sassa", "r3", True), ("hospital", "sassa", "r4", True),
    ...          ("cbo", "union", "r5", True), ("union", "sassa", "r6", True)]
    >>> for u, v, key, formal in edges:
    ...     _ = G.add_edge(u, v, key=key, kind="referral", status="active", formal=formal, weight=3)
    >>> found = referral_pathways(G, population="mineworkers", start="cbo",
    ...                           needs=["tb_screening", "tb_treatment", "social_grant_linkage"])
    >>> [([s.organisation for s in p.steps], p.cost) for p in found]
    [(['cbo', 'clinic', 'sassa'], 2.0), (['cbo', 'hospital', 'sassa'], 2.5)]
    >>> [(s.name, s.services, s.link) for s in found[0].steps]
    [('Hope CBO', ['tb_screening'], None), ('Sizwe Clinic', ['tb_treatment'], 'r1'), \
('SASSA Office', ['social_grant_linkage'], 'r3')]
    """
    needs = list(needs)
    _check(G, population, needs, start, district, k, max_hops)
    if index is not None and as_of is not None and index.as_of != as_of:
        raise ValueError(f"the index was built for {index.as_of}, not for as_of {as_of}")
    index = index or pathway_index(G, as_of=as_of)
    if start is not None:
        starts = [start] if start in index.names and index.serves(start, population) else []
    else:
        starts = [n for n in index.by_district.get(district, ()) if index.serves(n, population)]
    if not starts or not all(index.offered(need, population) for need in needs):
        return []
    labels = _search(index, population, needs, starts, k, max_hops, include_unlinked)
    return [_pathway(index, needs, label) for label in labels]


def _check(
    G: nx.MultiDiGraph, population: str, needs: list[str], start: str | None, district: str | None, k: int,
    max_hops: int,
) -> None:
    """Raise ValueError for a query that cannot be answered."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if max_hops < 0:
        raise ValueError(f"max_hops must be at least 0, not {max_hops}")
    if not needs:
        raise ValueError("needs must name at least one service")
    voc = vocabulary()
    unknown = sorted(set(needs) - set(voc.services))
    if unknown:
        raise ValueError(f"unknown service code(s): {', '.join(unknown)}")
    if population not in voc.populations:
        raise ValueError(f"unknown population code: {population}")
    if (start is None) == (district is None):
        raise ValueError("give either start (an organisation id) or district, not both or neither")
    if start is not None and start not in G:
        raise ValueError(f"unknown organisation: {start}")
    if district is not None and district not in voc.districts:
        raise ValueError(f"unknown district: {district}")


class _Label(NamedTuple):
    """A partial pathway; labels order by (rounded cost, hops, organisation sequence)."""

    key: float
    hops: int
    sequence: tuple[str, ...]
    cost: float
    met: int
    parent: _Label | None
    link: str | None
    kind: str | None
    proposed: bool
    hop_cost: float
    pending: bool = False
    rank: int = -1


def _search(
    index: PathwayIndex, population: str, needs: list[str], starts: list[str], k: int, max_hops: int,
    include_unlinked: bool,
) -> list[_Label]:
    """The k best complete labels, best first (best-first search with exact pruning)."""
    done = len(needs)
    heap: list[_Label] = []
    for node in starts:
        met = _advance(index.services[node], needs, 0)
        heapq.heappush(heap, _Label(0.0, 0, (node,), 0.0, met, None, None, None, False, 0.0))
    expanded: dict[tuple[str, int], list[tuple[int, frozenset[str]]]] = defaultdict(list)
    found: list[_Label] = []
    while heap and len(found) < k:
        label = heapq.heappop(heap)
        if label.rank >= 0:
            _push_arc(heap, label.parent, label.rank + 1, index, population, needs)
        if label.pending:
            _propose(heap, label.parent, index, population, needs)
            continue
        if label.met == done:
            found.append(label)
            continue
        if label.hops >= max_hops:
            continue
        node = label.sequence[-1]
        state = expanded[node, label.met]
        if len(state) >= k and _covered(state, label, max_hops - label.hops, k):
            continue
        state.append((label.hops, frozenset(label.sequence)))
        _push_arc(heap, label, 0, index, population, needs)
        if include_unlinked and index.providers(index.districts[node], needs[label.met]):
            bound = label.cost + (INFORMAL_HOP + PROPOSED_PENALTY)
            heapq.heappush(heap, _Label(round(bound, 9), label.hops + 1, label.sequence, bound, label.met, label,
                                        None, None, True, 0.0, True))
    return found


def _push_arc(heap: list[_Label], label: _Label, first: int, index: PathwayIndex, population: str,
              needs: list[str]) -> None:
    """Push the cheapest usable arc out of ``label`` from position ``first`` on.

    Arcs are pushed one at a time, cheapest first: the next is pushed when
    this one is popped, so a node with many arcs costs only what is used.
    """
    out = index.out[label.sequence[-1]]
    for rank in range(first, len(out)):
        hop_cost, target, link, kind = out[rank]
        if target not in label.sequence and index.serves(target, population):
            heapq.heappush(heap, _extend(label, target, index, needs, hop_cost, link, kind, False, rank))
            return


def _propose(heap: list[_Label], label: _Label, index: PathwayIndex, population: str, needs: list[str]) -> None:
    """Push the proposed steps from ``label`` to same-district providers of its next need with no arc yet."""
    node = label.sequence[-1]
    arcs = index.arcs[node]
    for target in index.providers(index.districts[node], needs[label.met]):
        if target not in arcs and target not in label.sequence and index.serves(target, population):
            hop_cost = index.hop_cost(node, target, False, 3) + PROPOSED_PENALTY
            heapq.heappush(heap, _extend(label, target, index, needs, hop_cost, None, None, True))


def _extend(
    label: _Label, target: str, index: PathwayIndex, needs: list[str], hop_cost: float, link: str | None,
    kind: str | None, proposed: bool, rank: int = -1,
) -> _Label:
    cost = label.cost + hop_cost
    met = _advance(index.services[target], needs, label.met)
    return _Label(round(cost, 9), label.hops + 1, (*label.sequence, target), cost, met, label, link, kind,
                  proposed, hop_cost, False, rank)


def _advance(services: frozenset[str], needs: list[str], met: int) -> int:
    """How many needs are met once an organisation offering ``services`` meets what it can next."""
    while met < len(needs) and needs[met] in services:
        met += 1
    return met


def _covered(state: list[tuple[int, frozenset[str]]], label: _Label, spare: int, k: int) -> bool:
    """True if pathways already expanded from this state beat every continuation of ``label``.

    A continuation adds at most ``spare`` organisations, none on ``label``.
    An expanded pathway with no more hops can take the same continuation
    unless it already visits one of them; the continuation can block at most
    the ``spare`` largest counts of such organisations. If ``k`` expanded
    pathways are left whatever the continuation, each gives a pathway at
    least as good and ``label`` cannot be among the ``k`` best. Only the
    first ``k + 2 * spare`` usable pathways are looked at: a proof from some
    of them is a proof, and this bounds the work.
    """
    visited = frozenset(label.sequence)
    blockers: Counter[str] = Counter()
    usable = 0
    for hops, seen in state:
        if hops <= label.hops:
            usable += 1
            blockers.update(seen - visited)
            if usable == k + 2 * spare:
                break
    if usable < k:
        return False
    return usable - sum(sorted(blockers.values(), reverse=True)[:spare]) >= k


def _pathway(index: PathwayIndex, needs: list[str], label: _Label) -> Pathway:
    chain = []
    current: _Label | None = label
    while current is not None:
        chain.append(current)
        current = current.parent
    chain.reverse()
    steps = []
    met = 0
    for step in chain:
        node = step.sequence[-1]
        steps.append(PathwayStep(
            organisation=node, name=index.names[node], services=needs[met:step.met], link=step.link,
            link_kind=step.kind, proposed=step.proposed, hop_cost=round(step.hop_cost, 6),
        ))
        met = step.met
    return Pathway(steps=steps, cost=round(label.cost, 6), hops=label.hops,
                   proposed_steps=sum(step.proposed for step in steps))
