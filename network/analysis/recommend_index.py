"""Who offers what to whom and where, and who refers to whom: the index the link recommendations search.

Organisations are numbered in the order of their ids, so that comparing numbers compares ids, and their
districts, populations, places, services and referral partners are kept as arrays too, for the checks
:mod:`network.analysis.recommend` makes on many candidate links at once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from itertools import chain
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.border_partners import Abroad
from network.analysis.geography import EARTH_RADIUS_KM, in_radians, km, km_between, place
from network.model import Vocabulary

__all__ = ["CANDIDATES_PER_GAP", "PartnerIndex", "expand"]

#: Candidate partners considered per gap (the best by place, partners and populations).
CANDIDATES_PER_GAP = 3
#: More than any difference between a distance worked out by numpy and by :func:`km_between` (kilometres); a
#: numpy distance closer than this to a limit or to another one is worked out again with :func:`km_between`.
KM_MARGIN = 1e-6


class PartnerIndex:
    """Who offers what to whom and where, and who refers to whom, among active organisations (those of ``R``).

    Besides the dicts by id, ``ids`` lists the organisations by id and
    ``number`` numbers them so; ``district_code`` (-1 for none),
    ``names[population_code[p], i]``, ``names_any`` (names a population),
    ``latitude`` (degrees), ``placed``, ``radians_of`` (rows of :func:`in_radians`, NaN
    without a place), ``provides[service_code[s], i]`` and the referral
    partners in compressed rows (``partner_start``, ``partner_numbers``) are
    arrays by number.
    """

    def __init__(self, G: nx.MultiDiGraph, R: nx.DiGraph, voc: Vocabulary, max_km: float) -> None:
        self.G, self.R, self.voc, self.max_km = G, R, voc, max_km
        self.ids: list[str] = sorted(R)
        self.number = {node: i for i, node in enumerate(self.ids)}
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.district: dict[str, str | None] = {}
        self.place: dict[str, tuple[float, float] | None] = {}
        self.radians: dict[str, tuple[float, float, float] | None] = {}  # each place for km_between
        self.providers: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        self._closest: dict[tuple[float, float], str | None] = {}
        self._nearby: dict[str, list[str]] = {}
        nodes = G.nodes
        for node in self.ids:
            data = nodes[node]
            district = data.get("district") or None
            services = self.services[node] = frozenset(data.get("services") or ())
            self.populations[node] = frozenset(data.get("populations") or ())
            self.district[node] = district
            here = self.place[node] = place(data, voc, district)
            self.radians[node] = None if here is None else in_radians(here)
            # one placed without a district (by its province's centre, say) is looked for in the nearest district
            area = district if district or here is None or not services else self.closest(here)
            for service in services:
                self.providers[service, area].append(node)
        width = {node: -len(services) for node, services in self.services.items()}
        for pool in self.providers.values():
            pool.sort(key=lambda y: (width[y], y))
        pred, succ = R._pred, R._succ  # the dicts behind R.pred and R.succ, without a view per node
        self.partners = {n: pred[n].keys() | succ[n].keys() for n in self.ids}
        self._arrays()

    def _arrays(self) -> None:
        """The arrays by number (see the class)."""
        ids, number = self.ids, self.number
        districts = {d: i for i, d in enumerate(sorted({d for d in self.district.values() if d is not None}))}
        self.district_code = np.array([-1 if d is None else districts[d] for d in self.district.values()],
                                      dtype=np.int64)
        self.population_code = {p: i for i, p in enumerate(sorted({p for found in self.populations.values()
                                                                    for p in found}))}
        self.names = _flags(self.population_code, [self.populations[n] for n in ids])
        self.names_any = self.names.any(axis=0)
        unplaced = (math.nan, math.nan)
        self.latitude = np.array([(self.place[n] or unplaced)[0] for n in ids], dtype=float)
        self.placed = ~np.isnan(self.latitude)
        self.radians_of = np.array([self.radians[n] or (math.nan,) * 3 for n in ids], dtype=float).reshape(-1, 3)
        self.service_code = {s: i for i, s in enumerate(sorted({s for found in self.services.values() for s in found}))}
        self.provides = _flags(self.service_code, [self.services[n] for n in ids])
        counts = np.fromiter((len(self.partners[n]) for n in ids), dtype=np.int64, count=len(ids))
        self.partner_start = np.concatenate(([0], np.cumsum(counts)))
        self.partner_numbers = np.fromiter(map(number.__getitem__, chain.from_iterable(self.partners[n] for n in ids)),
                                           dtype=np.int64, count=int(self.partner_start[-1]))
        succ = self.R._succ
        heads = np.fromiter(map(number.__getitem__, chain.from_iterable(succ[n] for n in ids)), dtype=np.int64)
        tails = np.repeat(np.arange(len(ids)), [len(succ[n]) for n in ids])
        self._routes = tails * len(ids) + heads

    @cached_property
    def abroad(self) -> Abroad:
        """Providers of continuity of care by country (built only when a cross-border gap needs it)."""
        return Abroad(self.G, self.R, self.voc)

    def routes(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Whether ``R`` has the arc ``xs[i] -> ys[i]`` (by number), for each ``i``."""
        return np.isin(xs * len(self.ids) + ys, self._routes)

    def near_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """:meth:`near` of each pair ``xs[i], ys[i]`` (by number)."""
        dx, dy = self.district_code[xs], self.district_code[ys]
        same = (dx >= 0) & (dx == dy)
        lat = self.latitude
        close = ~same & (np.abs(lat[xs] - lat[ys]) * 111.0 <= self.max_km)  # False when either has no place
        measured = np.flatnonzero(close)
        close[measured] = self.within(xs[measured], ys[measured])
        return same | close

    def within(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Whether each pair ``xs[i], ys[i]`` (by number, both placed) is within ``max_km``, as km_between says."""
        away = self.km_many(xs, ys)
        inside = away <= self.max_km
        unsure = np.flatnonzero(np.abs(away - self.max_km) <= KM_MARGIN)
        ids = self.ids
        inside[unsure] = [self.distance(ids[x], ids[y]) <= self.max_km for x, y in zip(xs[unsure], ys[unsure],
                                                                                        strict=True)]
        return inside

    def km_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Kilometres between each pair (by number) by :func:`km_between`'s formula in numpy (NaN without a place),
        within ``KM_MARGIN`` of :func:`km_between`'s."""
        a, b = self.radians_of[xs], self.radians_of[ys]
        h = np.sin((b[:, 0] - a[:, 0]) / 2) ** 2 + a[:, 2] * b[:, 2] * np.sin((b[:, 1] - a[:, 1]) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))

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
        return service in self.services[y] and (population is None or not self.populations[y]
                                                or population in self.populations[y])

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


def _flags(codes: dict[str, int], found: list[frozenset[str]]) -> np.ndarray:
    """``flags[codes[c], i]`` is True when ``found[i]`` holds ``c``."""
    flags = np.zeros((len(codes), len(found)), dtype=bool)
    rows = [codes[c] for items in found for c in items]
    flags[rows, np.repeat(np.arange(len(found)), [len(items) for items in found])] = True
    return flags


def expand(start: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of compressed lists (list ``k`` at positions ``start[k]`` to ``start[k + 1]``) of each of
    ``owners``: for each item, the position in ``owners`` it came from and its position in the lists.

    >>> rows, at = expand(np.array([0, 2, 2, 5]), np.array([2, 0, 1]))
    >>> rows.tolist(), at.tolist()
    ([0, 0, 0, 1, 1], [2, 3, 4, 0, 1])
    """
    first, counts = start[owners], start[owners + 1] - start[owners]
    rows = np.repeat(np.arange(len(owners)), counts)
    return rows, np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts - first, counts)
