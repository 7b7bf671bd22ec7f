"""Referral plans: the best ways to meet a client's needs through agreements in force, in plain words."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, Protocol

import networkx as nx

from network.analysis import words
from network.analysis.pathway_index import (
    CONTACT_FIELDS,
    FORMAL_HOP,
    INFORMAL_HOP,
    KM_PER_UNIT,
    WEIGHT_STEP,
    PathwayIndex,
    pathway_index,
)
from network.model import vocabulary
from network.translation import N_, named

__all__ = ["PathwayStep", "Pathway", "PathwayIndex", "StepRule", "pathway_index", "referral_pathways",
           "CONTACT_FIELDS", "FORMAL_HOP", "INFORMAL_HOP", "KM_PER_UNIT", "WEIGHT_STEP", "PROPOSED_PENALTY",
           "MIN_HOP"]

#: Extra cost of a proposed step to a same-district provider with no agreement yet.
PROPOSED_PENALTY = 5.0
#: The least a step can cost however the rules adjust it (so the search stays a shortest-route search).
MIN_HOP = 0.1


class StepRule(Protocol):
    """What a caller adds to the ranking and wording of referral steps (the engine's one extension point).

    Pass rules as ``referral_pathways(..., rules=[...])``; the service layer
    builds them from what it knows (referral outcomes, tie ratings, borders,
    the client's language). Each rule answers for one step from ``sender``
    to ``receiver`` along ``link`` (None for a proposed step): ``extra_cost``
    is added to the step's cost (negative to favour it; a step never costs
    less than ``MIN_HOP``), and ``notes`` are plain sentences shown on the
    step (``PathwayStep.notes``, also appended to its ``explanation``),
    written in English from templates marked with ``N_`` so callers show
    them in their language (``network.translation.sentence``). For
    the start, ``notes`` is asked with ``sender`` None and ``extra_cost``
    is not asked. Rules must answer the same for the same step within a query.
    A rule whose ``extra_cost`` is 0 for every step may say so with an
    attribute ``adds_cost`` that is False: the search then does not ask it.
    """

    def extra_cost(self, sender: str, receiver: str, link: str | None) -> float:
        """Cost added to the step from ``sender`` to ``receiver`` along ``link``."""
        ...

    def notes(self, sender: str | None, receiver: str, link: str | None) -> Sequence[str]:
        """Plain sentences about the step (empty when the rule has nothing to say)."""
        ...


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
    visible, ``hop_cost`` what the step costs in the ranking (with what
    the caller's rules add), ``notes`` what those rules say about it (left
    out of :meth:`to_dict` when there are none), and ``explanation`` the
    step in plain words.
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
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict (``notes`` only when there are some)."""
        data = asdict(self)
        if not self.notes:
            del data["notes"]
        return data


@dataclass
class Pathway:
    """A referral plan: where the client starts and every organisation they are sent to, in order."""

    steps: list[PathwayStep]
    cost: float
    hops: int
    proposed_steps: int

    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON-ready dict."""
        return {"steps": [step.to_dict() for step in self.steps], "cost": self.cost, "hops": self.hops,
                "proposed_steps": self.proposed_steps}

    @property
    def explanation(self) -> str:
        """Every step in plain words, one sentence each."""
        return " ".join(step.explanation for step in self.steps)


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
    rules: Sequence[StepRule] = (),
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
    rules : sequence of StepRule, optional
        What the caller adds to each step's cost and wording (see
        :class:`StepRule`); none by default.

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
    weight 3 plus ``PROPOSED_PENALTY`` (5.0) plus distance. Each of the
    ``rules`` then adds its ``extra_cost`` (a step costs at least ``MIN_HOP``).

    The search is best-first over partial plans. A partial plan meeting
    ``i`` needs is extended by sending the client to a provider of need
    ``i + 1`` along the cheapest route from any organisation already on the
    plan (a multi-source Dijkstra search, the plan's organisations at
    cost 0); a route through an organisation that offers the need itself is
    left to that organisation. Needs are met as early as possible: by an
    organisation already on the plan when one offers the next need. An
    organisation appears at most once on a plan. The routes onward from a
    plan are found lazily, cheapest first, only as far as the ranking needs
    them, so a query costs about what its ``k`` plans cost to find.

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
    if not all(index.offered(need, population) for need in needs):
        return []
    if start is not None:
        starts = [start] if start in index.names and index.serves(start, population) else []
    else:
        starts = [n for n in index.by_district.get(district or "", ()) if index.serves(n, population)]
    if not include_unlinked:
        starts = [n for n in starts if index.reaches(n, population, needs)]
    if not starts:
        return []
    query = _Query(index, population, needs, max_hops, include_unlinked, tuple(rules), index.serving(population),
                   tuple(rule for rule in rules if getattr(rule, "adds_cost", True)))
    return [_pathway(query, plan) for plan in _search(query, starts, k)]


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


class _Query(NamedTuple):
    """What every part of one search reads."""

    index: PathwayIndex
    population: str
    needs: list[str]
    max_hops: int
    include_unlinked: bool
    rules: tuple[StepRule, ...]
    serving: frozenset[str]
    costing: tuple[StepRule, ...]

    def cost(self, sender: str, receiver: str, link: str | None, base: float) -> float:
        """The cost of a step of ``base`` cost with what the rules add."""
        if not self.costing:
            return base
        return max(base + sum(rule.extra_cost(sender, receiver, link) for rule in self.costing), MIN_HOP)


#: A heap entry standing for the routes onward from a plan not yet taken: (lowest key, -1, (), tie, plan,
#: the routes still to come, the next of them). It sorts before every plan of the same key.
_Onward = tuple[float, int, tuple[()], int, _Plan, Iterator[tuple[tuple[_Step, ...], float]],
                tuple[tuple[_Step, ...], float]]


def _search(query: _Query, starts: list[str], k: int) -> list[_Plan]:
    """The k best complete plans, best first.

    The heap holds plans and, for each plan already extended, one entry for
    the onward routes it has not yet given (keyed by the cheapest of them):
    those routes come cheapest first, so each is made a plan only when the
    ranking reaches its cost. The plans popped are the same, in the same
    order, as if every route had been made a plan at once.
    """
    heap: list[_Plan | _Onward] = []
    tie = itertools.count()
    for node in starts:
        first = _Step(node, None, None, None, False, 0.0)
        heapq.heappush(heap, _plan(query, (first,), 0.0))
    seen: set[tuple[frozenset[_Step], int]] = set()
    found: list[_Plan] = []
    while heap and len(found) < k:
        entry = heapq.heappop(heap)
        if entry[1] < 0:
            _, _, _, _, parent, routes, route = entry  # type: ignore[misc]
            _take(query, heap, tie, parent, routes, route, entry[0])
            continue
        plan: _Plan = entry  # type: ignore[assignment]
        state = (frozenset(plan.steps), len(plan.met))
        if state in seen:
            continue
        seen.add(state)
        if len(plan.met) == len(query.needs):
            found.append(plan)
            continue
        if plan.hops >= query.max_hops:
            continue
        need = query.needs[len(plan.met)]
        if query.include_unlinked:
            for steps, cost in _proposed(query, need, plan):
                heapq.heappush(heap, _plan(query, plan.steps + steps, plan.cost + cost))
        routes = _routes(query, need, plan)
        route = next(routes, None)
        if route is not None:
            heapq.heappush(heap, (round(plan.cost + route[1], 9), -1, (), next(tie), plan, routes, route))
    return found


def _take(query: _Query, heap: list[_Plan | _Onward], tie: Iterator[int], parent: _Plan,
          routes: Iterator[tuple[tuple[_Step, ...], float]], route: tuple[tuple[_Step, ...], float] | None,
          key: float) -> None:
    """Make plans of the onward routes of ``parent`` that cost ``key``; leave an entry for the rest."""
    while route is not None and round(parent.cost + route[1], 9) <= key:
        heapq.heappush(heap, _plan(query, parent.steps + route[0], parent.cost + route[1]))
        route = next(routes, None)
    if route is not None:
        heapq.heappush(heap, (round(parent.cost + route[1], 9), -1, (), next(tie), parent, routes, route))


def _plan(query: _Query, steps: tuple[_Step, ...], cost: float) -> _Plan:
    """A plan of ``steps``, each need met by the first organisation on it that offers it, in order."""
    services = query.index.services
    met: list[int] = []
    for need in query.needs:
        at = next((i for i, step in enumerate(steps) if need in services[step.organisation]), None)
        if at is None:
            break
        met.append(at)
    return _Plan(round(cost, 9), len(steps) - 1, tuple(s.organisation for s in steps), cost, steps, tuple(met))


def _routes(query: _Query, need: str, plan: _Plan) -> Iterator[tuple[tuple[_Step, ...], float]]:
    """The cheapest route from the plan to each provider of ``need``, cheapest first (a lazy Dijkstra search).

    Costs never fall along a route, so the routes come in order of cost;
    the search runs only as far as the caller takes routes. Each
    organisation reached remembers how it was reached (``via``); a route's
    steps are made only when the route is given.
    """
    services, out, serving = query.index.services, query.index.out, query.serving
    costs = bool(query.costing)
    spare = query.max_hops - plan.hops
    on_plan = set(plan.sequence)
    best: dict[str, tuple[float, int]] = {}
    via: dict[str, tuple[str, str, str, bool, float]] = {}
    heap: list[tuple[float, int, tuple[str, ...]]] = [(0.0, 0, (n,)) for n in plan.sequence]
    done: set[str] = set()
    while heap:
        cost, hops, path = heapq.heappop(heap)
        node = path[-1]
        if node in done:
            continue
        done.add(node)
        if node not in on_plan and need in services[node]:
            yield tuple(_Step(n, *via[n]) for n in path[1:]), cost
            continue
        if hops == spare:
            continue
        for hop_cost, target, link, kind in out[node]:
            if target in done or target in on_plan or target not in serving:
                continue
            if costs:
                hop_cost = query.cost(node, target, link, hop_cost)
            total = cost + hop_cost
            known = best.get(target)
            if known is None or (total, hops + 1) < known:
                best[target] = (total, hops + 1)
                via[target] = (node, link, kind, False, hop_cost)
                heapq.heappush(heap, (total, hops + 1, (*path, target)))


def _proposed(query: _Query, need: str, plan: _Plan) -> list[tuple[tuple[_Step, ...], float]]:
    """Proposed steps from organisations on the plan to same-district providers of ``need`` with no agreement."""
    index, on_plan = query.index, set(plan.sequence)
    cheapest: dict[str, tuple[float, str]] = {}
    for node in plan.sequence:
        for target in index.providers(index.districts[node], need):
            if target in on_plan or target in index.arcs[node] or not index.serves(target, query.population):
                continue
            cost = query.cost(node, target, None, index.hop_cost(node, target, False, 3) + PROPOSED_PENALTY)
            if target not in cheapest or (cost, node) < cheapest[target]:
                cheapest[target] = (cost, node)
    return [((_Step(target, node, None, None, True, cost),), cost) for target, (cost, node) in cheapest.items()]


def _pathway(query: _Query, plan: _Plan) -> Pathway:
    index = query.index
    meets: dict[int, list[str]] = defaultdict(list)
    for need, at in zip(query.needs, plan.met, strict=True):
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
            notes=[note for rule in query.rules for note in rule.notes(step.referred_by, node, step.link)],
        ))
        steps[-1].explanation = _sentence(index, steps[-1])
    return Pathway(steps=steps, cost=round(plan.cost, 6), hops=plan.hops,
                   proposed_steps=sum(step.proposed for step in steps))


def _sentence(index: PathwayIndex, step: PathwayStep) -> str:
    """The step in plain words: who, for which need, through which agreement, how far, whom to contact.

    Each sentence comes from a template marked with ``N_`` (context ``sentence`` in the catalogs), so it is
    shown in the caller's language with ``network.translation.sentence``.
    """
    voc = vocabulary()
    values = {"name": named(step.name), "services": words.join([words.lower_first(voc.services.get(s, s))
                                                         for s in step.services])}
    if step.referred_by is None:
        sentence = (_START_FOR if step.services else _START) % values
    else:
        values.update(sender=named(index.names[step.referred_by]), km=f"{step.distance_km or 0:.0f}",
                      agreement=_agreement(index, step))
        templates = _PROPOSED if step.proposed else _REFERS
        sentence = templates[bool(step.services), step.distance_km is not None] % values
    if step.contact:
        sentence += " " + _CONTACT % {"contact": ", ".join(_CONTACTS.get(kind, kind + " %(value)s") % {"value": value}
                                                          for kind, value in step.contact.items())}
    return " ".join([sentence, *step.notes])


def _agreement(index: PathwayIndex, step: PathwayStep) -> str:
    if step.link_kind == "mou":
        return N_("their MoU %(link)s") % {"link": step.link}
    if step.link_kind == "referral" and index.two_way.get(step.link or ""):
        return N_("their two-way referral agreement %(link)s") % {"link": step.link}
    if step.link_kind == "referral":
        return N_("its referral agreement %(link)s") % {"link": step.link}
    return f"the {vocabulary().link_kinds.get(step.link_kind or '', step.link_kind)} {step.link}"


#: The first step, with and without the needs met there.
_START = N_("Start at %(name)s.")
_START_FOR = N_("Start at %(name)s for %(services)s.")
#: A referral along an agreement, by (meets needs, distance known).
_REFERS = {
    (True, False): N_("%(sender)s refers the client to %(name)s for %(services)s, through %(agreement)s."),
    (True, True): N_("%(sender)s refers the client to %(name)s for %(services)s, through %(agreement)s, %(km)s km "
                     "away."),
    (False, False): N_("%(sender)s refers the client to %(name)s, which passes the client on, through "
                       "%(agreement)s."),
    (False, True): N_("%(sender)s refers the client to %(name)s, which passes the client on, through "
                      "%(agreement)s, %(km)s km away."),
}
#: A proposed referral (no agreement yet), by (meets needs, distance known).
_PROPOSED = {
    (True, False): N_("No agreement yet: ask %(sender)s to refer the client to %(name)s for %(services)s, in the "
                      "same district."),
    (True, True): N_("No agreement yet: ask %(sender)s to refer the client to %(name)s for %(services)s, in the "
                     "same district, %(km)s km away."),
    (False, False): N_("No agreement yet: ask %(sender)s to refer the client to %(name)s, which passes the client "
                       "on, in the same district."),
    (False, True): N_("No agreement yet: ask %(sender)s to refer the client to %(name)s, which passes the client "
                      "on, in the same district, %(km)s km away."),
}
#: Whom to contact: the recorded ways, each in words.
_CONTACT = N_("Contact: %(contact)s.")
_CONTACTS = {"phone": N_("phone %(value)s"), "email": N_("email %(value)s"), "website": N_("website %(value)s")}
