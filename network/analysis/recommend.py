"""Recommendations: the new referral agreements and MoUs that would close the most linkage gaps."""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from network.analysis import words
from network.analysis.border_partners import Abroad, crossing
from network.analysis.finding import SEVERITIES, Finding
from network.analysis.gaps import linkage_gaps
from network.analysis.geography import in_radians, km, km_between, place
from network.analysis.layers import Layers, layers_for
from network.meanings import serves
from network.model import Vocabulary, vocabulary
from network.translation import N_

__all__ = ["Recommendation", "CLOSABLE_TYPES", "recommend_links"]

#: Finding types a new link can close.
CLOSABLE_TYPES = ("broken_cascade", "unreachable", "uncovered", "isolated", "cross_border_gap")
#: Candidate partners considered per gap (the best by place, partners and populations).
CANDIDATES_PER_GAP = 3
#: Bonuses added to the number of gaps closed; together they stay below 1, so they only break ties.
SAME_DISTRICT_BONUS, NEARBY_BONUS = 0.3, 0.15
SHARED_POPULATION_BONUS, SHARED_POPULATION_CAP = 0.1, 0.2
COMMON_PARTNER_BONUS, COMMON_PARTNER_CAP = 0.1, 0.3
PROPOSED_BONUS = 0.1
#: Bonus of a link across a border to a provider keeping both TB treatment and compensation claims going (such a
#: link is never in one district, so the bonuses still stay below 1).
CONTINUITY_BONUS = 0.15


@dataclass
class Recommendation:
    """One new link worth agreeing.

    ``kind`` is ``referral`` (``source`` refers clients to ``target``) or
    ``mou`` (both ways). ``score`` is the number of gaps it closes plus tie-break
    bonuses, ``closes`` identifies those gaps, ``reasons`` lists the evidence
    and ``explanation`` says it in one sentence. ``border`` is ``{"from":
    country, "into": country}`` (ISO codes) when the link crosses a border,
    else None.
    """

    source: str
    target: str
    kind: str
    score: float
    closes: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    explanation: str = ""
    border: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The recommendation as a JSON-ready dict."""
        return asdict(self)


def recommend_links(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    gaps: Sequence[Finding] | None = None,
    limit: int = 20,
    max_km: float = 150,
    layers: Layers | None = None,
) -> list[Recommendation]:
    """Rank new referral agreements and MoUs by the linkage gaps they would close.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    gaps : sequence of Finding, optional
        Findings of ``linkage_gaps`` to close (computed when not given); those of
        other types than ``CLOSABLE_TYPES`` are ignored.
    limit : int, default 20
        Most recommendations returned.
    max_km : float, default 150
        How far apart, in kilometres, two organisations in different districts
        may be for a link between them to be suggested.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).

    Returns
    -------
    list of Recommendation
        Best first. Each closes at least one gap that no recommendation above it
        closes; ``closes`` lists those gaps (``type``, ``severity``,
        ``organisation``, ``district``, ``population``, ``service``).

    Notes
    -----
    Candidates come from the gaps. For a ``broken_cascade`` (organisation X has
    no route to service T), the partners are active organisations offering T to
    a population X serves, in X's district or within ``max_km`` (X with no
    location: anywhere): those among X's referral partners' partners, and the
    first ``CANDIDATES_PER_GAP`` others, district by district outwards, the
    widest offers first. For an ``uncovered`` or ``unreachable`` (district,
    population, service), the nearest providers of the service to the
    population are paired with organisations serving the population in the
    district. At most ``CANDIDATES_PER_GAP`` partners are kept per gap,
    preferring the same district, then common referral partners, shared
    populations and distance. For a ``cross_border_gap``, the providers in
    the sending country offering the most of that continuity, nearest first,
    are paired with the district's organisations naming that country. Scanning stops early, so a 50,000-organisation
    network costs seconds, not all pairs.

    Each candidate arc X -> Y is then checked against every gap it touches, by
    the gap's own rule as if the arc were in force: it closes a
    ``broken_cascade`` of X when Y offers the missing service to a population X
    serves; an ``unreachable`` or ``uncovered`` finding when X serves the
    population in that district and Y offers the service to it in the district
    or within ``max_km`` (an uncovered service is then reached by referral
    rather than offered locally); an ``isolated`` finding of X or Y; and a
    ``cross_border_gap`` (district D, sending country C) when X is in D and Y
    is in C and offers TB treatment or compensation claims support to a
    population the gap names (see
    :class:`~network.analysis.border_partners.Abroad`). When
    each of the arcs X -> Y and Y -> X closes a gap the other does not, an MoU
    is suggested, otherwise a referral the way that closes more.

    Recommendations are picked greedily, as for set cover: each next one is the
    link closing the most gaps still open, plus bonuses below 1 in total
    (``SAME_DISTRICT_BONUS`` or ``NEARBY_BONUS``, ``SHARED_POPULATION_BONUS`` per
    shared population, ``COMMON_PARTNER_BONUS`` per common referral partner,
    ``PROPOSED_BONUS`` when a link between them is already proposed,
    ``CONTINUITY_BONUS`` when it crosses a border to a provider keeping both TB
    treatment and compensation claims going), then by
    ids. Existing routes of the reach graph (:func:`network.meanings.reach_graph`:
    a referral, both ways when ``two_way``, or an MoU in force), self-links and
    inactive organisations are never suggested.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [
    ...     Organisation("cbo", "Hope CBO", "cbo", district="Waterberg", services=["tb_screening"]),
    ...     Organisation("clinic", "Sizwe Clinic", "clinic", district="Waterberg", services=["tb_treatment"]),
    ...     Organisation("far", "Far Clinic", "clinic", district="OR Tambo", services=["tb_treatment"]),
    ...     Organisation("hbc", "Thusong HBC", "cbo", district="Waterberg", services=["home_based_care"]),
    ...     Organisation("forum", "Forum", "other", district="Waterberg"),
    ... ]
    >>> links = [Link("c1", "cbo", "forum", "coordination"), Link("c2", "clinic", "forum", "coordination"),
    ...          Link("c3", "hbc", "forum", "coordination"), Link("c4", "far", "forum", "coordination")]
    >>> best = recommend_links(build_graph(orgs, links), as_of=dt.date(2026, 1, 1))[0]
    >>> best.source, best.target, best.kind, [c["service"] for c in best.closes]
    ('cbo', 'clinic', 'referral', ['tb_treatment'])
    >>> best.explanation
    'Agree a referral agreement from Hope CBO to Sizwe Clinic; it would give Hope CBO a route to TB treatment.'
    """
    layers = layers_for(G, as_of, layers)
    if gaps is None:
        gaps = linkage_gaps(G, layers=layers)
    open_gaps = [f for f in gaps if f.type in CLOSABLE_TYPES]
    if limit <= 0 or not open_gaps:
        return []
    index = _Index(G, layers.referral, vocabulary(), max_km)
    candidates = _candidates(index, open_gaps)
    return _pick(index, open_gaps, candidates, limit)


class _Index:
    """Who offers what to whom and where, and who refers to whom, among active organisations."""

    def __init__(self, G: nx.MultiDiGraph, R: nx.DiGraph, voc: Vocabulary, max_km: float) -> None:
        self.G, self.R, self.voc, self.max_km = G, R, voc, max_km
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.district: dict[str, str | None] = {}
        self.place: dict[str, tuple[float, float] | None] = {}
        self.radians: dict[str, tuple[float, float, float] | None] = {}  # each place for km_between
        self.providers: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        self.offering: dict[str, set[str]] = defaultdict(set)
        self._closest: dict[tuple[float, float], str | None] = {}
        for node in R:
            data = G.nodes[node]
            district = data.get("district") or None
            self.services[node] = frozenset(data.get("services") or ())
            self.populations[node] = frozenset(data.get("populations") or ())
            self.district[node] = district
            here = self.place[node] = place(data, voc, district)
            self.radians[node] = None if here is None else in_radians(here)
            # one placed without a district (by its province's centre, say) is looked for in the nearest district
            area = district if district or here is None or not self.services[node] else self.closest(here)
            for service in self.services[node]:
                self.providers[service, area].append(node)
                self.offering[service].add(node)
        for pool in self.providers.values():
            pool.sort(key=lambda y: (-len(self.services[y]), y))
        self._nearby: dict[str, list[str]] = {}
        pred, succ = R._pred, R._succ  # the dicts behind R.pred and R.succ, without a view per node
        self.partners = {n: pred[n].keys() | succ[n].keys() for n in R}

    @cached_property
    def abroad(self) -> Abroad:
        """Providers of continuity of care by country (built only when a cross-border gap needs it)."""
        return Abroad(self.G, self.R, self.voc)

    def nearby(self, district: str) -> list[str]:
        """Other districts whose centres are within ``max_km`` of ``district``'s, nearest first (then by name).

        Worked out once per district asked about.
        """
        found = self._nearby.get(district)
        if found is None:
            here = self.voc.district_centres.get(district)
            found = [] if here is None else [e for e in self.around(here) if e != district]
            self._nearby[district] = found
        return found

    def closest(self, here: tuple[float, float]) -> str | None:
        """The district whose centre is nearest to the point ``here`` (remembered per point)."""
        if here not in self._closest:
            centres = self.voc.district_centres
            self._closest[here] = min(centres, key=lambda d: (km(here, centres[d]), d), default=None)
        return self._closest[here]

    def around(self, here: tuple[float, float]) -> list[str]:
        """The districts whose centres are within ``max_km`` of the point ``here``, nearest first (then by name).

        A district more than ``max_km`` away in latitude alone is skipped without measuring (a degree of latitude
        is at least 111 km).
        """
        centres = self.voc.district_centres
        return sorted((e for e, there in centres.items() if abs(there[0] - here[0]) * 111.0 <= self.max_km
                       and km(here, there) <= self.max_km), key=lambda e: (km(here, centres[e]), e))

    def offers(self, y: str, service: str, population: str | None) -> bool:
        """True if ``y`` offers ``service`` to ``population`` (anybody if None; :func:`network.meanings.serves`)."""
        return service in self.services[y] and serves(self.populations[y], population)

    def shares_population(self, x: str, y: str) -> bool:
        mine, theirs = self.populations[x], self.populations[y]
        return not mine or not theirs or not mine.isdisjoint(theirs)

    def distance(self, x: str, y: str) -> float | None:
        a, b = self.radians[x], self.radians[y]
        return None if a is None or b is None else km_between(a, b)

    def near(self, x: str, y: str) -> bool:
        """True if ``x`` and ``y`` are in one district or within ``max_km``.

        Two places more than ``max_km`` apart in latitude alone are not measured (a degree of latitude is at
        least 111 km).
        """
        if self.district[x] is not None and self.district[x] == self.district[y]:
            return True
        a, b = self.place[x], self.place[y]
        if a is None or b is None or abs(a[0] - b[0]) * 111.0 > self.max_km:
            return False
        return km_between(self.radians[x], self.radians[y]) <= self.max_km

    def fits(
        self, service: str, district: str | None, keep: Callable[[str], bool], enough: int = CANDIDATES_PER_GAP,
        here: tuple[float, float] | None = None,
    ) -> list[str]:
        """The first ``enough`` providers of ``service`` passing ``keep``, from ``district`` outwards.

        Each district's providers are read widest offer first (most services,
        then id), with those placed without a district (by their own point or
        their province's centre) read in the district nearest to them;
        districts within ``max_km`` follow, nearest first. With no
        district, the districts within ``max_km`` of the point ``here`` (an
        organisation's own place or its province's centre) come first, then
        the providers with no district.
        """
        found: list[str] = []
        areas = (district, *self.nearby(district)) if district else (*self.around(here), None) if here else (None,)
        for area in areas:
            for y in self.providers.get((service, area), ()):
                if keep(y):
                    found.append(y)
                    if len(found) == enough:
                        return found
        return found

    def two_steps(self, x: str) -> set[str]:
        """Partners of the referral partners of ``x``."""
        partners = self.partners
        return set().union(*(partners[p] for p in partners[x]))

    def preference(self, x: str, y: str) -> tuple[Any, ...]:
        """Sort key of candidate partner ``y`` for ``x``: same district, common partners, populations, distance."""
        distance = self.distance(x, y)
        return (
            not (self.district[x] is not None and self.district[x] == self.district[y]),
            -len(self.partners[x] & self.partners[y]),
            -len(self.populations[x] & self.populations[y]),
            math.inf if distance is None else distance,
            y,
        )

    def preferred(self, x: str, pool: Collection[str], n: int) -> list[str]:
        """The ``n`` candidates of ``pool`` first by :meth:`preference` for ``x``, in no particular order.

        The whole pool when it holds no more than ``n``. Otherwise the pool is
        ranked by the parts of the preference before the distance, and only
        the candidates tied with the ``n``-th by those are measured.
        """
        if len(pool) <= n:
            return list(pool)
        district, partners, populations = self.district[x], self.partners[x], self.populations[x]
        districts, partners_of, populations_of = self.district, self.partners, self.populations
        ranked = sorted([((district is None or district != districts[y], -len(partners & partners_of[y]),
                           -len(populations & populations_of[y])), y) for y in pool])
        cut = ranked[n - 1][0]
        first = [y for rank, y in ranked if rank < cut]
        tied = [y for rank, y in ranked if rank == cut]
        if len(first) + len(tied) > n:
            here, radians = self.radians[x], self.radians
            tied = sorted(tied, key=lambda y: (math.inf if here is None or radians[y] is None
                                               else km_between(here, radians[y]), y))
        return first + tied[:n - len(first)]


def _candidates(index: _Index, gaps: list[Finding]) -> set[tuple[str, str]]:
    """Arcs X -> Y worth checking: a few good partners per gap, with no route there already."""
    arcs: set[tuple[str, str]] = set()
    broken: dict[str, list[str]] = defaultdict(list)
    for finding in gaps:
        if finding.type == "broken_cascade":
            x = finding.organisations[0]
            if x in index.partners:
                broken[x].append(finding.service)
        elif finding.type in ("uncovered", "unreachable"):
            arcs.update(_area_arcs(index, finding))
        elif finding.type == "cross_border_gap":
            arcs.update(_border_arcs(index, finding))
    for x, services in broken.items():
        arcs.update((x, y) for y in _partners_for(index, x, services))
    return {(x, y) for x, y in arcs if x != y and not index.R.has_edge(x, y)}


def _partners_for(index: _Index, x: str, services: list[str]) -> list[str]:
    """The best partners for ``x`` among providers of each of ``services``: its partners' partners and the nearest.

    At most ``CANDIDATES_PER_GAP`` partners per service, in no particular order.
    """
    here = index.place[x]
    located = here is not None
    district, mine = index.district[x], index.populations[x]
    districts, populations, places, radians, max_km = (
        index.district, index.populations, index.place, index.radians, index.max_km)
    kept: dict[str, bool] = {}  # asked once per partner, whatever the services

    def keep(y: str) -> bool:
        """``y != x and index.shares_population(x, y) and (not located or index.near(x, y))``, inline."""
        ok = kept.get(y)
        if ok is None:
            theirs = populations[y]
            if y == x or mine and theirs and mine.isdisjoint(theirs):
                ok = False
            elif not located or district is not None and district == districts[y]:
                ok = True
            else:
                there = places[y]
                ok = (there is not None and abs(here[0] - there[0]) * 111.0 <= max_km
                      and km_between(radians[x], radians[y]) <= max_km)
            kept[y] = ok
        return ok

    two_steps = index.two_steps(x)
    found: list[str] = []
    for service in services:
        fit = {y for y in two_steps & index.offering[service] if keep(y)}
        if located:
            fit.update(index.fits(service, district, keep, here=here))
        # the preference puts partners in x's district first: with enough of them, the others need no ranking
        local = [y for y in fit if index.district[y] == district] if district is not None else []
        found.extend(index.preferred(x, local if len(local) >= CANDIDATES_PER_GAP else fit, CANDIDATES_PER_GAP))
    return found


def _area_arcs(index: _Index, finding: Finding) -> list[tuple[str, str]]:
    """Arcs to the providers in the nearest districts from the two best-placed organisations serving the population."""
    district, population, service = finding.district, finding.population, finding.service
    sources = [x for x in finding.organisations if x in index.partners]
    if not sources:
        return []
    nearest = index.fits(service, district, lambda y: index.offers(y, service, population))
    arcs = []
    for y in nearest:
        near = [x for x in sources if x != y and index.near(x, y)]
        arcs.extend((x, y) for x in heapq.nsmallest(2, near, key=lambda x, y=y: index.preference(y, x)))
    return arcs


def _border_arcs(index: _Index, finding: Finding) -> list[tuple[str, str]]:
    """Arcs from the two best-placed organisations naming the sending country to its best providers."""
    sources = [x for x in finding.organisations if x in index.partners]
    return [(x, y) for y in index.abroad.providers_for(finding)
            for x in heapq.nsmallest(2, sources, key=lambda x, y=y: index.preference(y, x))]


class _Gaps:
    """The open gaps, indexed by the organisation or (district, population) an arc would close them from."""

    def __init__(self, index: _Index, gaps: list[Finding]) -> None:
        self.index, self.gaps = index, gaps
        self.by_org: dict[str, list[tuple[int, str | None]]] = defaultdict(list)  # (gap, missing service)
        self.by_area: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
        self.isolated: dict[str, int] = {}
        self.by_border: dict[str | None, list[int]] = defaultdict(list)
        for i, finding in enumerate(gaps):
            if finding.type == "broken_cascade":
                self.by_org[finding.organisations[0]].append((i, finding.service))
            elif finding.type == "isolated":
                self.isolated[finding.organisations[0]] = i
            elif finding.type == "cross_border_gap":
                self.by_border[finding.district].append(i)
            else:
                self.by_area[finding.district, finding.population].append(i)

    def closed_by(self, x: str, y: str) -> set[int]:
        """Indices of the gaps the arc ``x -> y`` would close, were it in force."""
        index, isolated, district = self.index, self.isolated, self.index.district[x]
        closed = set()
        if x in isolated:
            closed.add(isolated[x])
        if y in isolated:
            closed.add(isolated[y])
        border = self.by_border.get(district)
        if border:
            closes = index.abroad.closes
            closed.update(i for i in border if closes(self.gaps[i], y))
        own = self.by_org.get(x)
        if own and index.shares_population(x, y):
            offered = index.services[y]
            closed.update(i for i, service in own if service in offered)
        near = None
        for population in index.populations[x]:
            for i in self.by_area.get((district, population), ()):
                gap = self.gaps[i]
                if not index.offers(y, gap.service, population):
                    continue
                if gap.type == "uncovered" and near is None:
                    near = index.near(x, y)
                if gap.type == "unreachable" or near:
                    closed.add(i)
        return closed


def _pick(index: _Index, gaps: list[Finding], arcs: set[tuple[str, str]], limit: int) -> list[Recommendation]:
    """Greedy cover: repeatedly take the link closing the most gaps still open.

    Scores only fall as gaps get covered, so a heap of upper bounds is
    re-scored lazily: an option's bonus (unknown, -1, until first needed) is
    bounded by 1, and an option is taken once its exact score tops the heap.
    """
    table = _Gaps(index, gaps)
    heap: list[tuple[float, str, str, str, frozenset[int], float]] = []
    succ = index.R._succ  # R.has_edge(x, y) is y in succ[x]: both are organisations of R
    for x, y in {(x, y) if x < y else (y, x) for x, y in arcs}:
        forward = set() if y in succ[x] else table.closed_by(x, y)
        backward = set() if x in succ[y] else table.closed_by(y, x)
        if forward - backward and backward - forward:
            heap.append((-(len(forward | backward) + 1.0), x, y, "mou", frozenset(forward | backward), -1.0))
        elif forward or backward:
            source, target, closes = (x, y, forward) if len(forward) >= len(backward) else (y, x, backward)
            heap.append((-(len(closes) + 1.0), source, target, "referral", frozenset(closes), -1.0))
    heapq.heapify(heap)
    covered: set[int] = set()
    picked = []
    while heap and len(picked) < limit:
        bound, source, target, kind, closes, bonus = heapq.heappop(heap)
        fresh = closes - covered
        if not fresh:
            continue
        if bonus < 0:
            bonus = sum(_bonuses(index, source, target).values())
        score = len(fresh) + bonus
        if -score > bound:
            heapq.heappush(heap, (-score, source, target, kind, frozenset(fresh), bonus))
            continue
        covered |= fresh
        picked.append(_recommendation(index, gaps, source, target, kind, sorted(fresh), score))
    return picked


def _bonuses(index: _Index, x: str, y: str) -> dict[str, float]:
    """The tie-break bonuses of a link between ``x`` and ``y``, by reason."""
    bonuses = {}
    if index.district[x] is not None and index.district[x] == index.district[y]:
        bonuses["district"] = SAME_DISTRICT_BONUS
    elif index.near(x, y):
        bonuses["near"] = NEARBY_BONUS
    shared = index.populations[x] & index.populations[y]
    if shared:
        bonuses["populations"] = min(SHARED_POPULATION_CAP, SHARED_POPULATION_BONUS * len(shared))
    common = index.partners[x] & index.partners[y]
    if common:
        bonuses["partners"] = min(COMMON_PARTNER_CAP, COMMON_PARTNER_BONUS * len(common))
    if _proposed(index.G, x, y):
        bonuses["proposed"] = PROPOSED_BONUS
    if crossing(index.G, x, y) and index.abroad.keeps_all(y):
        bonuses["continuity"] = CONTINUITY_BONUS
    return bonuses


def _proposed(G: nx.MultiDiGraph, x: str, y: str) -> list[str]:
    """Ids of proposed links between ``x`` and ``y``, either way."""
    found = []
    for u, v in ((x, y), (y, x)):
        for key, data in (G.get_edge_data(u, v) or {}).items():
            if data.get("status") == "proposed":
                found.append(key)
    return sorted(found)


def _recommendation(
    index: _Index, gaps: list[Finding], source: str, target: str, kind: str, closes: list[int], score: float
) -> Recommendation:
    G, voc = index.G, index.voc
    found = sorted((gaps[i] for i in closes), key=lambda f: (
        SEVERITIES.index(f.severity), CLOSABLE_TYPES.index(f.type), f.organisations[:1], f.district or "",
        f.population or "", f.service or ""))
    counts = defaultdict(int)
    for f in found:
        counts[f.type] += 1
    # each reason from a template marked with N_, so the pages and reports can show it in another language
    reasons = [N_("closes %(gaps)s") % {"gaps": _gaps(t, n)} for t, n in counts.items()]
    bonuses = _bonuses(index, source, target)
    if "district" in bonuses:
        reasons.append(N_("same district (%(district)s)") % {"district": index.district[source]})
    elif "near" in bonuses:
        sensitive = G.nodes[source].get("sensitive") or G.nodes[target].get("sensitive")
        distance = index.distance(source, target) or 0.0
        reasons.append(N_("within %(km)s km") % {"km": f"{index.max_km:g}"} if sensitive else
                       N_("%(km)s km apart") % {"km": f"{distance:.0f}"})
    if "populations" in bonuses:
        shared = sorted(index.populations[source] & index.populations[target])
        reasons.append(N_("both serve %(people)s") % {
            "people": words.join([words.label(voc.populations, p) for p in shared])})
    if "partners" in bonuses:
        common = sorted(index.partners[source] & index.partners[target])
        reasons.append((N_("1 common referral partner: %(names)s") if len(common) == 1 else
                        N_("%(num)s common referral partners: %(names)s")) % {"num": len(common),
                                                                              "names": _names(G, common)})
    if "proposed" in bonuses:
        reasons.append(N_("already proposed (%(links)s)") % {"links": ", ".join(_proposed(G, source, target))})
    border = crossing(G, source, target)
    if border:
        reasons.append(N_("crosses the border from %(from)s into %(into)s") % {
            "from": voc.country_label(border[0]), "into": voc.country_label(border[1])})
    if "continuity" in bonuses:
        reasons.append(N_("%(name)s keeps both TB treatment and compensation claims going") % {
            "name": words.name(G, target)})
    return Recommendation(
        source=source, target=target, kind=kind, score=round(score, 6),
        closes=[{"type": f.type, "severity": f.severity,
                 "organisation": source if f.type in ("unreachable", "uncovered", "cross_border_gap")
                 else f.organisations[0],
                 "district": f.district, "population": f.population, "service": f.service} for f in found],
        reasons=reasons, explanation=_sentence(index, source, target, kind, found),
        border={"from": border[0], "into": border[1]} if border else None,
    )


#: The gaps a recommendation closes, by type, as nouns (one, several).
_GAP_NOUNS = {
    "broken_cascade": (N_("broken cascade gap"), N_("broken cascade gaps")),
    "unreachable": (N_("unreachable gap"), N_("unreachable gaps")),
    "uncovered": (N_("uncovered gap"), N_("uncovered gaps")),
    "cross_border_gap": (N_("cross border gap"), N_("cross border gaps")),
    "isolated": (N_("isolated gap"), N_("isolated gaps")),
}


def _gaps(finding_type: str, num: int) -> str:
    """``1 broken cascade gap``, ``2 cross border gaps``: a count of gaps of a type."""
    noun = finding_type.replace("_", " ")
    noun = noun if noun.endswith(" gap") else f"{noun} gap"
    one, many = _GAP_NOUNS.get(finding_type, (noun, f"{noun}s"))
    return f"{num} {one if num == 1 else many}"


def _sentence(index: _Index, source: str, target: str, kind: str, found: list[Finding]) -> str:
    G, voc = index.G, index.voc
    border = crossing(G, source, target)
    ends = {"a": words.name(G, source), "b": words.name(G, target), "from": "", "into": ""}
    if border:
        ends.update({"from": voc.country_label(border[0]), "into": voc.country_label(border[1])})
    if kind == "mou":
        action = (N_("Sign an MoU between %(a)s and %(b)s across the border between %(from)s and %(into)s") if border
                  else N_("Sign an MoU between %(a)s and %(b)s")) % ends
    else:
        action = (N_("Agree a referral agreement from %(a)s to %(b)s across the border into %(into)s") if border
                  else N_("Agree a referral agreement from %(a)s to %(b)s")) % ends
    effects: dict[str, int] = {}
    for f in found:
        values = {"name": words.name(G, f.organisations[0]), "district": f.district,
                  "service": words.label(voc.services, f.service) if f.service else "",
                  "people": words.label(voc.populations, f.population) if f.population else ""}
        if f.type == "broken_cascade":
            effect = N_("give %(name)s a route to %(service)s") % values
        elif f.type == "unreachable":
            effect = N_("bring %(service)s within reach of %(people)s in %(district)s") % values
        elif f.type == "uncovered":
            effect = N_("link %(people)s in %(district)s to %(service)s, which nobody there offers them") % values
        elif f.type == "cross_border_gap":
            effect = index.abroad.effect(f, target)
        else:
            effect = N_("connect %(name)s, which has no link in force") % values
        effects[effect] = effects.get(effect, 0) + 1
    shown = list(effects)[:3]
    rest = len(found) - sum(effects[e] for e in shown)
    if rest:
        shown.append(N_("close 1 other gap") if rest == 1 else N_("close %(num)s other gaps") % {"num": rest})
    return N_("%(action)s; it would %(effects)s.") % {"action": action, "effects": words.join(shown)}


def _names(G: nx.MultiDiGraph, nodes: Sequence[str], shown: int = 3) -> str:
    names = [words.name(G, n) for n in nodes[:shown]]
    if len(nodes) > shown:
        names.append(words.count(len(nodes) - shown, "other"))
    return words.join(names)
