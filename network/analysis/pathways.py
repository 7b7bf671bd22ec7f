"""Referral plans: the best ways to meet a client's needs through agreements in force, in plain words."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from network.analysis import words
from network.analysis.geography import km
from network.analysis.layers import referral_graph
from network.meanings import serves
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
#: Contact fields of an organisation shown on a step, when the node carries them.
CONTACT_FIELDS = ("phone", "email", "website")


@dataclass
class PathwayStep:
    """One organisation a client is sent to (or starts at) on a referral plan.

    ``services`` are the needs it meets (empty when it only passes the
    client on), ``referred_by`` the organisation that sends the client there
    (None for the start), ``link`` and ``link_kind`` the agreement used
    (None for the start and for a proposed step), ``proposed`` whether that
    referral needs an agreement first, ``distance_km`` the distance from the
    referring organisation (None when either has no location), ``contact``
    the organisation's phone, email and website as far as recorded and
    visible, ``hop_cost`` what the step costs in the ranking, and
    ``explanation`` the step in plain words.
    """

    organisation: str
    name: str
    services: list[str]
    link: str | None
    link_kind: str | None
    proposed: bool
    hop_cost: float
    referred_by: str | None = None
    distance_km: float | None = None
    contact: dict[str, str] = field(default_factory=dict)
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict."""
        return asdict(self)


@dataclass
class Pathway:
    """A referral plan: where the client starts and every organisation they are sent to, in order."""

    steps: list[PathwayStep]
    cost: float
    hops: int
    proposed_steps: int

    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON-ready dict."""
        return asdict(self)

    @property
    def explanation(self) -> str:
        """Every step in plain words, one sentence each."""
        return " ".join(step.explanation for step in self.steps)


class PathwayIndex:
    """What :func:`referral_pathways` needs of one graph on one date, prepared once.

    Build it with :func:`pathway_index` and pass it to many queries on the
    same graph and date. Only active organisations appear.

    Attributes
    ----------
    as_of : date
        The date the agreements were read on.
    arcs : dict
        ``arcs[u][v] = (hop_cost, link_id, link_kind)`` for every arc of the
        reach graph (:func:`network.meanings.reach_graph`), its strongest link.
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
        self.contacts: dict[str, dict[str, str]] = {}
        self.two_way: dict[str, bool] = {}
        self._coordinates: dict[str, tuple[float, float]] = {}
        by_district: dict[str, list[str]] = defaultdict(list)
        by_service: dict[str, list[str]] = defaultdict(list)
        for node in R:
            data = G.nodes[node]
            self.names[node] = data.get("name") or node
            self.districts[node] = data.get("district") or None
            self.services[node] = frozenset(data.get("services") or ())
            self.populations[node] = frozenset(data.get("populations") or ())
            self.contacts[node] = {f: str(data[f]) for f in CONTACT_FIELDS if data.get(f) not in (None, "")}
            if data.get("latitude") is not None and data.get("longitude") is not None:
                self._coordinates[node] = (data["latitude"], data["longitude"])
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
        for _, _, key, data in G.edges(keys=True, data=True):
            if data.get("two_way"):
                self.two_way[key] = True
        self._providers: dict[tuple[str, str], list[str]] | None = None
        if include_unlinked:
            self._providers = self._providers_by_district()

    def serves(self, node: str, population: str) -> bool:
        """True if the active organisation ``node`` serves ``population`` (see :func:`network.meanings.serves`)."""
        return serves(self.populations[node], population)

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
        return base + (self.distance_km(u, v) or 0.0) / KM_PER_UNIT

    def distance_km(self, u: str, v: str) -> float | None:
        """Great-circle kilometres between ``u`` and ``v`` (None when either has no coordinates)."""
        a, b = self._coordinates.get(u), self._coordinates.get(v)
        if a is None or b is None:
            return None
        return km(a, b)


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
    """The ``k`` best referral plans that meet ``needs``, in order, for a client of ``population``.

    A plan starts at ``start`` (or at any active organisation in
    ``district`` that serves the population). Each need, in the order
    given, is met by an organisation that offers it and serves the
    population: one already on the plan, or a provider the client is sent
    to along agreements in force, onward from the previous step *or from any
    organisation already on the plan* (a hub may send one client to several
    providers). Every organisation the client passes through serves the
    population too.

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
        Number of plans wanted (default 3).
    as_of : date, optional
        The date on which agreements must be in force (default today, or the
        index's date when ``index`` is given).
    include_unlinked : bool, optional
        Also allow a proposed step from an organisation on the plan to an
        active provider of the next need in its district with which it has
        no agreement yet, at ``PROPOSED_PENALTY`` extra cost.
    max_hops : int, optional
        Most referrals (steps after the start) on a plan (default 6).
    index : PathwayIndex, optional
        From :func:`pathway_index` for this graph, to answer many queries fast.

    Returns
    -------
    list of Pathway
        At most ``k`` plans with distinct steps, best first: by cost, then
        hops, then the organisations in order. Empty when no plan exists,
        when ``start`` is inactive or does not serve the population. Each
        step says in plain words who, for which need, through which
        agreement, how far and whom to contact (``explanation``).

    Raises
    ------
    ValueError
        For ``k < 1``, ``max_hops < 0``, empty ``needs``, unknown service,
        population or district codes, an unknown ``start``, neither or both
        of ``start`` and ``district``, or an ``index`` of another date.

    Notes
    -----
    Reach is :func:`network.meanings.reach_graph`: a referral from source
    to target (both ways when ``two_way``), an MoU both ways, links in force
    on ``as_of`` only, active organisations serving the population only.

    A hop costs ``FORMAL_HOP`` (1.0) along a formal agreement and
    ``INFORMAL_HOP`` (1.5) along an informal one, less ``WEIGHT_STEP`` (0.05)
    per point of weight above 3 (more below), plus the great-circle distance
    between the two organisations over ``KM_PER_UNIT`` (100 km; nothing when
    either has no coordinates). A proposed step costs an informal hop of
    weight 3 plus ``PROPOSED_PENALTY`` (5.0) plus distance.

    The search is best-first over partial plans. A partial plan meeting
    ``i`` needs is extended by sending the client to a provider of need
    ``i + 1`` along the cheapest route from any organisation already on the
    plan (a multi-source Dijkstra search, the plan's organisations at
    cost 0); a route through an organisation that offers the need itself is
    left to that organisation. Needs are met as early as possible: by an
    organisation already on the plan when one offers the next need. An
    organisation appears at most once on a plan.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("masedi", name="Masedi Collective", services=["gbv_support"], populations=["sex_workers"])
    >>> G.add_node("clinic", name="Thabong Clinic", services=["pep"], phone="057 555 0101")
    >>> G.add_node("paralegal", name="Paralegal Office", services=["legal_aid"])
    >>> for key, target in [("r1", "clinic"), ("r2", "paralegal")]:
    ...     _ = G.add_edge("masedi", target, key=key, kind="referral", status="active", formal=True)
    >>> (plan,) = referral_pathways(G, population="sex_workers", start="masedi",
    ...                             needs=["gbv_support", "pep", "legal_aid"], as_of=dt.date(2026, 1, 1))
    >>> [(s.referred_by, s.organisation, s.services) for s in plan.steps]
    [(None, 'masedi', ['gbv_support']), ('masedi', 'clinic', ['pep']), ('masedi', 'paralegal', ['legal_aid'])]
    >>> plan.steps[1].explanation
    'Masedi Collective refers the client to Thabong Clinic for post-exposure prophylaxis, through its \
referral agreement r1. Contact: phone 057 555 0101.'
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
    if not include_unlinked:
        starts = [n for n in starts if _can_meet(index, population, needs, n)]
    if not starts or not all(index.offered(need, population) for need in needs):
        return []
    plans = _search(index, population, needs, starts, k, max_hops, include_unlinked)
    return [_pathway(index, needs, plan) for plan in plans]


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


def _can_meet(index: PathwayIndex, population: str, needs: list[str], start: str) -> bool:
    """True if a provider of every need serving ``population`` is ``start`` or reached from it (any hops).

    The walk stops as soon as every need has been found, so a start that can meet them costs little.
    """
    missing = set(needs).difference(index.services[start])
    seen = {start}
    stack = [start]
    while stack and missing:
        for _, target, _, _ in index.out[stack.pop()]:
            if target not in seen and index.serves(target, population):
                seen.add(target)
                stack.append(target)
                missing.difference_update(index.services[target])
    return not missing


class _Step(NamedTuple):
    """One organisation on a partial plan and how the client got there."""

    organisation: str
    referred_by: str | None
    link: str | None
    kind: str | None
    proposed: bool
    hop_cost: float


class _Plan(NamedTuple):
    """A partial plan; plans order by (rounded cost, hops, organisations in order)."""

    key: float
    hops: int
    sequence: tuple[str, ...]
    cost: float
    steps: tuple[_Step, ...]
    met: tuple[int, ...]


def _search(
    index: PathwayIndex, population: str, needs: list[str], starts: list[str], k: int, max_hops: int,
    include_unlinked: bool,
) -> list[_Plan]:
    """The k best complete plans, best first."""
    heap: list[_Plan] = []
    for node in starts:
        first = _Step(node, None, None, None, False, 0.0)
        heapq.heappush(heap, _plan(index, needs, (first,), 0.0))
    seen: set[tuple[frozenset[_Step], int]] = set()
    found: list[_Plan] = []
    while heap and len(found) < k:
        plan = heapq.heappop(heap)
        state = (frozenset(plan.steps), len(plan.met))
        if state in seen:
            continue
        seen.add(state)
        if len(plan.met) == len(needs):
            found.append(plan)
            continue
        for steps, cost in _onward(index, population, needs[len(plan.met)], plan, max_hops, include_unlinked):
            heapq.heappush(heap, _plan(index, needs, plan.steps + steps, plan.cost + cost))
    return found


def _plan(index: PathwayIndex, needs: list[str], steps: tuple[_Step, ...], cost: float) -> _Plan:
    """A plan of ``steps``, each need met by the first organisation on it that offers it, in order."""
    met: list[int] = []
    for need in needs:
        at = next((i for i, step in enumerate(steps) if need in index.services[step.organisation]), None)
        if at is None:
            break
        met.append(at)
    return _Plan(round(cost, 9), len(steps) - 1, tuple(s.organisation for s in steps), cost, steps, tuple(met))


def _onward(
    index: PathwayIndex, population: str, need: str, plan: _Plan, max_hops: int, include_unlinked: bool
) -> list[tuple[tuple[_Step, ...], float]]:
    """Ways to send the client on to a provider of ``need``: the cheapest route from the plan to each provider."""
    spare = max_hops - plan.hops
    if spare <= 0:
        return []
    on_plan = set(plan.sequence)
    best: dict[str, tuple[float, int, tuple[_Step, ...]]] = {}
    heap: list[tuple[float, int, tuple[str, ...], tuple[_Step, ...]]] = [(0.0, 0, (n,), ()) for n in plan.sequence]
    done: set[str] = set()
    found: list[tuple[tuple[_Step, ...], float]] = []
    while heap:
        cost, hops, path, steps = heapq.heappop(heap)
        node = path[-1]
        if node in done:
            continue
        done.add(node)
        if node not in on_plan and need in index.services[node]:
            found.append((steps, cost))
            continue
        if hops == spare:
            continue
        for hop_cost, target, link, kind in index.out[node]:
            if target in done or target in on_plan or not index.serves(target, population):
                continue
            total = cost + hop_cost
            known = best.get(target)
            if known is None or (total, hops + 1) < known[:2]:
                step = _Step(target, node, link, kind, False, hop_cost)
                best[target] = (total, hops + 1, (*steps, step))
                heapq.heappush(heap, (total, hops + 1, (*path, target), (*steps, step)))
    if include_unlinked:
        found.extend(_proposed(index, population, need, plan))
    return found


def _proposed(
    index: PathwayIndex, population: str, need: str, plan: _Plan
) -> list[tuple[tuple[_Step, ...], float]]:
    """Proposed steps from organisations on the plan to same-district providers of ``need`` with no agreement."""
    on_plan = set(plan.sequence)
    cheapest: dict[str, tuple[float, str]] = {}
    for node in plan.sequence:
        for target in index.providers(index.districts[node], need):
            if target in on_plan or target in index.arcs[node] or not index.serves(target, population):
                continue
            cost = index.hop_cost(node, target, False, 3) + PROPOSED_PENALTY
            if target not in cheapest or (cost, node) < cheapest[target]:
                cheapest[target] = (cost, node)
    return [((_Step(target, node, None, None, True, cost),), cost) for target, (cost, node) in cheapest.items()]


def _pathway(index: PathwayIndex, needs: list[str], plan: _Plan) -> Pathway:
    meets: dict[int, list[str]] = defaultdict(list)
    for need, at in zip(needs, plan.met, strict=True):
        meets[at].append(need)
    steps = []
    for i, step in enumerate(plan.steps):
        node = step.organisation
        distance = index.distance_km(step.referred_by, node) if step.referred_by else None
        steps.append(PathwayStep(
            organisation=node, name=index.names[node], services=meets.get(i, []), link=step.link,
            link_kind=step.kind, proposed=step.proposed, hop_cost=round(step.hop_cost, 6),
            referred_by=step.referred_by, distance_km=None if distance is None else round(distance, 1),
            contact=dict(index.contacts[node]),
        ))
        steps[-1].explanation = _sentence(index, steps[-1])
    return Pathway(steps=steps, cost=round(plan.cost, 6), hops=plan.hops,
                   proposed_steps=sum(step.proposed for step in steps))


def _sentence(index: PathwayIndex, step: PathwayStep) -> str:
    """The step in plain words: who, for which need, through which agreement, how far, whom to contact."""
    voc = vocabulary()
    name = step.name
    what = words.join([words.lower_first(voc.services.get(s, s)) for s in step.services])
    if step.referred_by is None:
        sentence = f"Start at {name}" + (f" for {what}." if what else ".")
    else:
        sender = index.names[step.referred_by]
        purpose = f" for {what}" if what else ", which passes the client on"
        far = "" if step.distance_km is None else f", {step.distance_km:.0f} km away"
        if step.proposed:
            sentence = (f"No agreement yet: ask {sender} to refer the client to {name}{purpose}, in the same "
                        f"district{far}.")
        else:
            sentence = f"{sender} refers the client to {name}{purpose}, through {_agreement(index, step)}{far}."
    if step.contact:
        sentence += " Contact: " + ", ".join(f"{kind} {value}" for kind, value in step.contact.items()) + "."
    return sentence


def _agreement(index: PathwayIndex, step: PathwayStep) -> str:
    if step.link_kind == "mou":
        return f"their MoU {step.link}"
    if step.link_kind == "referral" and index.two_way.get(step.link or ""):
        return f"their two-way referral agreement {step.link}"
    if step.link_kind == "referral":
        return f"its referral agreement {step.link}"
    return f"the {vocabulary().link_kinds.get(step.link_kind or '', step.link_kind)} {step.link}"
