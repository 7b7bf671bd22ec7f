"""The greedy pick of the recommended links: the gaps each candidate link would close, and the links closing most.

See :func:`network.analysis.recommend.recommend_links` (Notes) for the rules. The gaps every candidate closes are
worked out at once with arrays; a candidate's own list of gaps and its bonuses only when it could be picked.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import networkx as nx
import numpy as np

from network.analysis.border_partners import crossing
from network.analysis.finding import Finding
from network.analysis.kernels import distinct
from network.analysis.recommend_index import PartnerIndex, expand, spans

__all__ = ["SAME_DISTRICT_BONUS", "NEARBY_BONUS", "SHARED_POPULATION_BONUS", "SHARED_POPULATION_CAP",
           "COMMON_PARTNER_BONUS", "COMMON_PARTNER_CAP", "PROPOSED_BONUS", "CONTINUITY_BONUS", "bonuses", "pick",
           "proposed"]

#: Bonuses added to the number of gaps closed; together they stay below 1, so they only break ties.
SAME_DISTRICT_BONUS, NEARBY_BONUS = 0.3, 0.15
SHARED_POPULATION_BONUS, SHARED_POPULATION_CAP = 0.1, 0.2
COMMON_PARTNER_BONUS, COMMON_PARTNER_CAP = 0.1, 0.3
PROPOSED_BONUS = 0.1
#: Bonus of a link across a border to a provider keeping both TB treatment and compensation claims going (such a
#: link is never in one district, so the bonuses still stay below 1).
CONTINUITY_BONUS = 0.15

#: A picked link: source, target, kind, the gaps it closes (positions, ascending) and its score.
Picked = tuple[str, str, str, list[int], float]


def pick(index: PartnerIndex, gaps: list[Finding], a: np.ndarray, b: np.ndarray, limit: int) -> list[Picked]:
    """Greedy cover of ``gaps`` by links between the pairs ``a[i] < b[i]`` (by number): repeatedly the link
    closing the most gaps still open.

    Scores only fall as gaps get covered, so a heap of upper bounds is
    re-scored lazily: an option's bonus (unknown, -1, until first needed) is
    bounded by 1, and an option is taken once its exact score tops the heap.
    Options enter the heap by the number of gaps they close, most first,
    only once they could top it.
    """
    table = _Closing(index, gaps, a, b)
    heap: list[tuple[float, str, str, str, int, float]] = []
    covered: set[int] = set()
    picked: list[Picked] = []
    waiting = table.by_size()
    while len(picked) < limit:
        while waiting and (not heap or waiting[-1][0] + 1.0 >= -heap[0][0]):
            for pair in waiting.pop()[1]:
                heapq.heappush(heap, table.option(pair))
        if not heap:
            break
        bound, source, target, kind, pair, bonus = heapq.heappop(heap)
        fresh = table.closes(pair) - covered
        if not fresh:
            continue
        if bonus < 0:
            bonus = sum(bonuses(index, source, target).values())
        score = len(fresh) + bonus
        if -score > bound:
            table.left[pair] = frozenset(fresh)
            heapq.heappush(heap, (-score, source, target, kind, pair, bonus))
            continue
        covered |= fresh
        picked.append((source, target, kind, sorted(fresh), score))
    return picked


class _Closing:
    """The gaps each link between ``a[i]`` and ``b[i]`` would close, either way, as if it were in force.

    An arc ``x -> y`` closes an ``isolated`` finding of ``x`` or ``y``; a
    ``cross_border_gap`` of ``x``'s district that :meth:`Abroad.closes` with
    ``y``; a ``broken_cascade`` of ``x`` when ``y`` offers the missing service
    and shares a population with ``x`` (either serving everyone counts); an
    ``unreachable`` or ``uncovered`` finding of ``x``'s district and a
    population ``x`` names when ``y`` offers the service to that population
    (and, for ``uncovered``, is near ``x``). Arcs already routes of
    the referral graph close nothing.
    """

    def __init__(self, index: PartnerIndex, gaps: list[Finding], a: np.ndarray, b: np.ndarray) -> None:
        self.index, self.gaps, self.a, self.b = index, gaps, a, b
        self.left: dict[int, frozenset[int]] = {}  # the gaps a pair's option still closes, once re-scored
        pairs, gap, way = self._rows()
        size = max(len(gaps), 1)
        key = distinct(pairs * size + gap)
        first, second = np.zeros(len(key), dtype=bool), np.zeros(len(key), dtype=bool)
        slot = np.searchsorted(key, pairs * size + gap)
        first[slot[way == 1]] = True
        second[slot[way == 2]] = True
        self.pair, self.gap = key // size, key % size
        self.first, self.second = first, second
        self.start = np.searchsorted(self.pair, np.arange(len(a) + 1))
        count = len(a)
        forward = np.bincount(self.pair[first], minlength=count)
        backward = np.bincount(self.pair[second], minlength=count)
        self.mou = (np.bincount(self.pair[first & ~second], minlength=count) > 0) & \
            (np.bincount(self.pair[second & ~first], minlength=count) > 0)
        self.forward = ~self.mou & (forward >= backward)
        self.size = np.where(self.mou, np.diff(self.start), np.where(self.forward, forward, backward))

    def by_size(self) -> list[tuple[int, list[int]]]:
        """The pairs closing something, grouped by how many gaps their option closes, fewest first."""
        live = np.flatnonzero(self.size > 0)
        live = live[np.argsort(self.size[live], kind="stable")]
        cuts = np.flatnonzero(np.diff(self.size[live])) + 1
        return [(int(self.size[part[0]]), part.tolist()) for part in np.split(live, cuts) if len(part)]

    def option(self, pair: int) -> tuple[float, str, str, str, int, float]:
        """A pair's heap entry: bound, source, target, kind, the pair and its bonus (-1: not worked out)."""
        ids, bound = self.index.ids, -(int(self.size[pair]) + 1.0)
        x, y = ids[self.a[pair]], ids[self.b[pair]]
        if self.mou[pair]:
            return (bound, x, y, "mou", pair, -1.0)
        source, target = (x, y) if self.forward[pair] else (y, x)
        return (bound, source, target, "referral", pair, -1.0)

    def closes(self, pair: int) -> frozenset[int]:
        """The gaps a pair's option still closes (all it closes until it is re-scored)."""
        found = self.left.get(pair)
        if found is None:
            part = slice(self.start[pair], self.start[pair + 1])
            ways = self.first[part] | self.second[part] if self.mou[pair] else \
                self.first[part] if self.forward[pair] else self.second[part]
            found = self.left[pair] = frozenset(self.gap[part][ways].tolist())
        return found

    def _rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair, gap, way) of each gap a pair closes: way 1 from ``a`` to ``b``, 2 from ``b`` to ``a``."""
        index, n = self.index, len(self.index.ids)
        isolated = np.full(n + 1, -1, dtype=np.int64)  # the last for organisations outside the index
        own: list[tuple[int, int, str | None]] = []
        area: list[tuple[str | None, str | None, int]] = []
        self.border: dict[str | None, list[int]] = defaultdict(list)
        for i, finding in enumerate(self.gaps):
            x = index.number.get(finding.organisations[0], n) if finding.organisations else n
            if finding.type == "broken_cascade":
                own.append((x, i, finding.service))
            elif finding.type == "isolated":
                isolated[x] = i
            elif finding.type == "cross_border_gap":
                self.border[finding.district].append(i)
            else:
                area.append((finding.district, finding.population, i))
        own_lists = _Lists(index, self.gaps, np.array([x for x, _, _ in own], dtype=np.int64),
                           np.array([i for _, i, _ in own], dtype=np.int64))
        area_lists = self._area_lists(area)
        found: list[tuple[np.ndarray, np.ndarray, int]] = []
        for way, xs, ys in ((1, self.a, self.b), (2, self.b, self.a)):
            open_ = np.flatnonzero(~index.routes(xs, ys))
            x, y = xs[open_], ys[open_]
            for ends in (x, y):
                lone = isolated[ends] >= 0
                found.append((open_[lone], isolated[ends][lone], way))
            for lists in (own_lists, area_lists):
                rows, gap = lists.closed(open_, x, y)
                found.append((rows, gap, way))
            found.append(self._border_rows(open_, x, y, way))
        return (np.concatenate([f[0] for f in found]).astype(np.int64),
                np.concatenate([f[1] for f in found]).astype(np.int64),
                np.concatenate([np.full(len(f[0]), f[2]) for f in found]))

    def _area_lists(self, area: list[tuple[str | None, str | None, int]]) -> _Lists:
        """The ``unreachable`` and ``uncovered`` gaps of each organisation's district and the populations it names."""
        index = self.index
        codes, populations = index.district_codes, index.population_code
        width = len(populations)
        outside = len(codes)  # the code of no district
        wanted = [(codes.get(d, outside) if d is not None else outside) * width + populations[p]
                  for d, p, _ in area if (d is None or d in codes) and p in populations]
        gaps = np.array([i for d, p, i in area if (d is None or d in codes) and p in populations], dtype=np.int64)
        order = np.argsort(wanted, kind="stable")
        wanted, gaps = np.array(wanted, dtype=np.int64)[order], gaps[order]
        population, node = np.nonzero(index.names)
        district = index.district_code[node]
        key = np.where(district >= 0, district, outside) * width + population
        first = np.searchsorted(wanted, key)
        rows, at = spans(first, np.searchsorted(wanted, key, side="right") - first)
        return _Lists(index, self.gaps, node[rows], gaps[at], population[rows])

    def _border_rows(self, pairs: np.ndarray, x: np.ndarray, y: np.ndarray, way: int) -> tuple[np.ndarray, np.ndarray,
                                                                                                  int]:
        """Rows of the cross-border gaps of each ``x``'s district that an arc to ``y`` closes."""
        if not self.border:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), way
        index, rows, gaps = self.index, [], []
        ids, district, closes = index.ids, index.district, index.abroad.closes
        for pair, source, target in zip(pairs.tolist(), x.tolist(), y.tolist(), strict=True):
            for i in self.border.get(district[ids[source]], ()):
                if closes(self.gaps[i], ids[target]):
                    rows.append(pair)
                    gaps.append(i)
        return np.array(rows, dtype=np.int64), np.array(gaps, dtype=np.int64), way


class _Lists:
    """Gaps by organisation (number), as compressed lists: broken cascades, or area gaps with the population."""

    def __init__(self, index: PartnerIndex, gaps: list[Finding], owner: np.ndarray, gap: np.ndarray,
                 population: np.ndarray | None = None) -> None:
        self.index = index
        order = np.argsort(owner, kind="stable")
        self.start = np.searchsorted(owner[order], np.arange(len(index.ids) + 1))
        self.gap = gap[order]
        missing = len(index.service_code)  # a service nobody offers: the row of flags appended below
        self.service = np.array([index.service_code.get(gaps[i].service or "", missing) for i in self.gap.tolist()],
                                dtype=np.int64)
        self.population = None if population is None else population[order]
        self.unreachable = np.array([gaps[i].type == "unreachable" for i in self.gap.tolist()], dtype=bool)
        self.provides = np.vstack((index.provides, np.zeros((1, len(index.ids)), dtype=bool)))

    def closed(self, pairs: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pair, gap) of the gaps of each ``x`` closed by an arc to ``y``: a broken cascade when they share a
        population, an area gap when ``y`` offers the service to its population (and is near, for uncovered)."""
        index = self.index
        rows, at = expand(self.start, x)
        xs, ys = x[rows], y[rows]
        ok = self.provides[self.service[at], ys]
        names = index.names
        if self.population is None:
            ok &= ~index.names_any[xs] | ~index.names_any[ys] | (names[:, xs] & names[:, ys]).any(axis=0)
        else:
            ok &= ~index.names_any[ys] | names[self.population[at], ys]
            check = np.flatnonzero(ok & ~self.unreachable[at])
            ok[check] = index.near_many(xs[check], ys[check])
        return pairs[rows[ok]], self.gap[at[ok]]


def bonuses(index: PartnerIndex, x: str, y: str) -> dict[str, float]:
    """The tie-break bonuses of a link between ``x`` and ``y``, by reason."""
    found = {}
    if index.district[x] is not None and index.district[x] == index.district[y]:
        found["district"] = SAME_DISTRICT_BONUS
    elif index.near(x, y):
        found["near"] = NEARBY_BONUS
    shared = index.populations[x] & index.populations[y]
    if shared:
        found["populations"] = min(SHARED_POPULATION_CAP, SHARED_POPULATION_BONUS * len(shared))
    common = index.partners[x] & index.partners[y]
    if common:
        found["partners"] = min(COMMON_PARTNER_CAP, COMMON_PARTNER_BONUS * len(common))
    if proposed(index.G, x, y):
        found["proposed"] = PROPOSED_BONUS
    if crossing(index.G, x, y) and index.abroad.keeps_all(y):
        found["continuity"] = CONTINUITY_BONUS
    return found


def proposed(G: nx.MultiDiGraph, x: str, y: str) -> list[str]:
    """Ids of proposed links between ``x`` and ``y``, either way."""
    found = []
    for u, v in ((x, y), (y, x)):
        for key, data in (G.get_edge_data(u, v) or {}).items():
            if data.get("status") == "proposed":
                found.append(key)
    return sorted(found)
