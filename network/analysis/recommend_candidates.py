"""The links worth checking for the recommendations: a few good partners per linkage gap, with no route there yet.

See :func:`network.analysis.recommend.recommend_links` (Notes) for how partners are chosen. The partners of the
organisations with a broken cascade, the most numerous gaps, are chosen for all of them at once with arrays.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np

from network.analysis.finding import Finding
from network.analysis.kernels import distinct, tally
from network.analysis.recommend_index import CANDIDATES_PER_GAP, KM_MARGIN, PartnerIndex, expand

__all__ = ["candidate_pairs"]

#: Broken cascades whose partners are chosen in one pass of arrays: their partners' partners, a few million at
#: 50,000 organisations, took some 130 MB at once; a pass per this many keeps that to a fraction, with the same
#: result (each organisation's partners are chosen among its own candidates only).
CASCADES_AT_ONCE = 4096


def candidate_pairs(index: PartnerIndex, gaps: list[Finding]) -> tuple[np.ndarray, np.ndarray]:
    """The organisations ``a < b`` (by number) of the links worth checking: a few good partners per gap, in one
    direction at least with no route of the referral graph there already; each pair once, in order."""
    number = index.number
    arcs: set[tuple[str, str]] = set()
    missing: list[tuple[int, int]] = []  # (organisation, service) of each broken cascade
    for finding in gaps:
        if finding.type == "broken_cascade":
            x, service = number.get(finding.organisations[0]), index.service_code.get(finding.service or "")
            if x is not None and service is not None:  # a service nobody offers has no provider to suggest
                missing.append((x, service))
        elif finding.type in ("uncovered", "unreachable"):
            arcs.update(_area_arcs(index, finding))
        elif finding.type == "cross_border_gap":
            arcs.update(_border_arcs(index, finding))
    heads: dict[tuple[str, str, frozenset[str]], list[str]] = {}
    parts = [_cascade_arcs(index, missing[at:at + CASCADES_AT_ONCE], heads)
             for at in range(0, len(missing), CASCADES_AT_ONCE)]
    xs = np.concatenate([*(xs for xs, _ in parts),
                         np.fromiter((number[x] for x, _ in arcs), dtype=np.int64, count=len(arcs))])
    ys = np.concatenate([*(ys for _, ys in parts),
                         np.fromiter((number[y] for _, y in arcs), dtype=np.int64, count=len(arcs))])
    new = (xs != ys) & ~index.routes(xs, ys)
    xs, ys = xs[new], ys[new]
    n = len(index.ids)
    pairs = distinct(np.minimum(xs, ys) * n + np.maximum(xs, ys))
    return pairs // n, pairs % n


def _cascade_arcs(index: PartnerIndex, missing: list[tuple[int, int]],
                  heads: dict[tuple[str, str, frozenset[str]], list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Arcs from each organisation with a broken cascade to its best ``CANDIDATES_PER_GAP`` providers of the
    missing service: its partners' partners and the first providers from its district outwards, by preference.
    ``heads`` keeps :func:`_head`'s lists from one call to the next."""
    group_x = np.array([x for x, _ in missing], dtype=np.int64)
    group_service = np.array([s for _, s in missing], dtype=np.int64)
    n, start, partners = len(index.ids), index.partner_start, index.partner_numbers
    rows, at = expand(start, group_x)
    steps, at = expand(start, partners[at])
    group, y = rows[steps], partners[at]
    offered = index.provides[group_service[group], y]
    # one path through each common partner: counting the paths counts the common partners
    found, common = tally(group[offered] * n + y[offered])
    group, y = found // n, found % n
    kept = _keep(index, group_x[group], y)
    group, y, common = group[kept], y[kept], common[kept]
    group, y, common = _with_nearest(index, group_x, group_service, group, y, common, heads)
    chosen = _preferred(index, group_x, group, y, common)
    return group_x[group[chosen]], y[chosen]


def _keep(index: PartnerIndex, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Whether each ``ys[i]`` may partner ``xs[i]``: another organisation sharing a population (or serving
    everyone), in its district or within ``max_km`` (anywhere when ``xs[i]`` has no place)."""
    names, any_x, any_y = index.names, index.names_any[xs], index.names_any[ys]
    alike = ~any_x | ~any_y | (names[:, xs] & names[:, ys]).any(axis=0)
    ok = (xs != ys) & alike
    placed = ok & index.placed[xs]
    ok[placed] = index.near_many(xs[placed], ys[placed])
    return ok


def _keeper(index: PartnerIndex, x: str) -> Callable[[str], bool]:
    """:func:`_keep` for one organisation ``x``, by id."""
    here, mine = index.place[x], index.populations[x]

    def keep(y: str) -> bool:
        theirs = index.populations[y]
        if y == x or mine and theirs and mine.isdisjoint(theirs):
            return False
        return here is None or index.near(x, y)

    return keep


def _with_nearest(
    index: PartnerIndex, group_x: np.ndarray, group_service: np.ndarray, group: np.ndarray, y: np.ndarray,
    common: np.ndarray, heads: dict[tuple[str, str, frozenset[str]], list[str]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates (``group``, ``y``, common partners), sorted by group, with the first providers from each
    placed organisation's district outwards (:meth:`PartnerIndex.fits`) added, where they could be preferred."""
    district = index.district_code
    local = (district[group_x[group]] >= 0) & (district[group_x[group]] == district[y])
    short = np.flatnonzero(index.placed[group_x] & (np.bincount(group[local], minlength=len(group_x))
                                                    < CANDIDATES_PER_GAP))
    # with enough partners' partners in its district, the providers found district by district (with no common
    # partner) come after them
    if not len(short):
        return group, y, common
    ids, services = index.ids, sorted(index.service_code, key=index.service_code.__getitem__)
    added: tuple[list[int], list[str]] = ([], [])
    for g in short.tolist():
        x = ids[group_x[g]]
        service, home, mine = services[group_service[g]], index.district[x], index.populations[x]
        found = None
        if home is not None:
            head = heads.get((service, home, mine))
            if head is None:
                head = heads[service, home, mine] = _head(index, service, home, mine)
            found = [y for y in head if y != x][:CANDIDATES_PER_GAP]
        if found is None or len(found) < CANDIDATES_PER_GAP:
            found = index.fits(service, home, _keeper(index, x), here=index.place[x])
        added[0].extend([g] * len(found))
        added[1].extend(found)
    n = len(ids)
    group = np.concatenate((group, np.array(added[0], dtype=np.int64)))
    y = np.concatenate((y, np.fromiter(map(index.number.__getitem__, added[1]), dtype=np.int64, count=len(added[1]))))
    common = np.concatenate((common, np.zeros(len(added[0]), dtype=common.dtype)))
    # a provider found both ways keeps its common partners: the first of its rows by group, provider, most common
    order = np.lexsort((-common, y, group))
    key = group[order] * n + y[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    order = order[first]
    return group[order], y[order], common[order]


def _head(index: PartnerIndex, service: str, district: str, populations: frozenset[str]) -> list[str]:
    """The first ``CANDIDATES_PER_GAP + 1`` providers of ``service`` in ``district`` (:meth:`PartnerIndex.fits`)
    serving one of ``populations`` (or everyone), up to the first that is placed there without being in it: for
    an organisation of the district naming ``populations``, the first of these but itself are what
    :meth:`PartnerIndex.fits` finds, when there are enough of them."""
    head = []
    for y in index.providers.get((service, district), ()):
        theirs = index.populations[y]
        if populations and theirs and populations.isdisjoint(theirs):
            continue
        if index.district[y] != district or len(head) == CANDIDATES_PER_GAP + 1:
            break
        head.append(y)
    return head


def _preferred(
    index: PartnerIndex, group_x: np.ndarray, group: np.ndarray, y: np.ndarray, common: np.ndarray
) -> np.ndarray:
    """Positions of the first ``CANDIDATES_PER_GAP`` candidates of each group by
    :meth:`PartnerIndex.preference` of its organisation: same district, common partners, populations, distance,
    id. Distances from numpy too close to call at the cut are measured again with ``km_between``."""
    x = group_x[group]
    district, names = index.district_code, index.names
    away = index.km_many(x, y)
    away[np.isnan(away)] = math.inf
    prefix = (~((district[x] >= 0) & (district[x] == district[y])), -common,
              -(names[:, x] & names[:, y]).sum(axis=0))
    order = np.lexsort((y, away, *reversed(prefix), group))
    group_sorted = group[order]
    rank = np.arange(len(order)) - np.searchsorted(group_sorted, group_sorted)
    chosen = order[rank < CANDIDATES_PER_GAP]
    last = np.flatnonzero(rank == CANDIDATES_PER_GAP)
    if len(last):
        a, b = order[last - 1], order[last]
        tied = (prefix[0][a] == prefix[0][b]) & (prefix[1][a] == prefix[1][b]) & (prefix[2][a] == prefix[2][b])
        close = tied & np.isfinite(away[a]) & np.isfinite(away[b])
        close[close] = np.abs(away[a[close]] - away[b[close]]) <= KM_MARGIN
        unsure = np.zeros(len(group_x), dtype=bool)
        unsure[group[a[close]]] = True
        unsure = unsure[group]
        if unsure.any():
            measured = _measured(index, group, x, y, np.flatnonzero(unsure), prefix)
            chosen = np.concatenate((chosen[~unsure[chosen]], np.array(measured, dtype=np.int64)))
    return chosen


def _measured(
    index: PartnerIndex, group: np.ndarray, x: np.ndarray, y: np.ndarray, rows: np.ndarray,
    prefix: tuple[np.ndarray, ...],
) -> list[int]:
    """:func:`_preferred` of the groups of candidates ``rows`` (sorted by group) whose cut is too close to call in
    numpy, with ``km_between``."""
    ids, chosen = index.ids, []
    for part in np.split(rows, np.flatnonzero(np.diff(group[rows]) != 0) + 1):
        chosen.extend(heapq.nsmallest(CANDIDATES_PER_GAP, part.tolist(), key=lambda i: (
            *(int(p[i]) for p in prefix), _distance(index, ids[x[i]], ids[y[i]]), int(y[i]))))
    return chosen


def _distance(index: PartnerIndex, x: str, y: str) -> float:
    distance = index.distance(x, y)
    return math.inf if distance is None else distance


def _area_arcs(index: PartnerIndex, finding: Finding) -> list[tuple[str, str]]:
    """Arcs to the providers in the nearest districts from the two best-placed organisations serving the population."""
    district, population, service = finding.district, finding.population, finding.service
    sources = [x for x in finding.organisations if x in index.number]
    if not sources:
        return []
    nearest = index.fits(service, district, lambda y: index.offers(y, service, population))
    arcs = []
    for y in nearest:
        near = [x for x in sources if x != y and index.near(x, y)]
        arcs.extend((x, y) for x in heapq.nsmallest(2, near, key=lambda x, y=y: index.preference(y, x)))
    return arcs


def _border_arcs(index: PartnerIndex, finding: Finding) -> list[tuple[str, str]]:
    """Arcs from the two best-placed organisations naming the sending country to its best providers."""
    sources = [x for x in finding.organisations if x in index.number]
    return [(x, y) for y in index.abroad.providers_for(finding)
            for x in heapq.nsmallest(2, sources, key=lambda x, y=y: index.preference(y, x))]
