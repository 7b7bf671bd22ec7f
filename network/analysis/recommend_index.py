"""Who offers what to whom and where, and who refers to whom: the index the link recommendations search.

Organisations are numbered in the order of their ids, so that comparing numbers compares ids, and their
districts, populations, places, services and referral partners are kept as arrays too, for the checks
:mod:`network.analysis.recommend` makes on many candidate links at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.border_partners import Abroad
from network.analysis.geography import EARTH_RADIUS_KM, in_radians, km_between, place
from network.analysis.kernels import Indexed, distinct, in_sorted
from network.model import Vocabulary

__all__ = ["CANDIDATES_PER_GAP", "PartnerIndex", "expand", "spans"]

#: Candidate partners considered per gap (the best by place, partners and populations).
CANDIDATES_PER_GAP = 3
#: More than any difference between a distance worked out by numpy and by :func:`km_between` (kilometres); a
#: numpy distance closer than this to a limit or to another one is worked out again with :func:`km_between`.
KM_MARGIN = 1e-6


class PartnerIndex:
    """Who offers what to whom and where, and who refers to whom, among active organisations (those of ``R``).

    Besides the dicts by id, ``ids`` lists the organisations by id and
    ``number`` numbers them so; ``district_code`` (-1 for none; ``district_codes`` by name),
    ``names[population_code[p], i]``, ``names_any`` (names a population),
    ``latitude`` (degrees), ``placed``, ``radians_of`` (rows of :func:`in_radians`, NaN
    without a place), ``provides[service_code[s], i]`` and the referral
    partners in compressed rows (``partner_start``, ``partner_numbers``) are
    arrays by number. ``R`` is the referral graph given (None when the index
    is made :meth:`of_backwards`).
    """

    def __init__(self, G: nx.MultiDiGraph, R: nx.DiGraph, voc: Vocabulary, max_km: float) -> None:
        self._build(G, Indexed.reversed_of(R), voc, max_km)
        self.R: nx.DiGraph | None = R

    @classmethod
    def of_backwards(cls, G: nx.MultiDiGraph, backwards: Indexed, voc: Vocabulary, max_km: float) -> PartnerIndex:
        """The index of the referral graph given reversed and numbered, as
        ``Indexed.reversed_of(R)`` (:attr:`~network.analysis.layers.Layers.backwards`), without building ``R``."""
        index = cls.__new__(cls)
        index._build(G, backwards, voc, max_km)
        index.R = None
        return index

    def _build(self, G: nx.MultiDiGraph, backwards: Indexed, voc: Vocabulary, max_km: float) -> None:
        self.G, self.voc, self.max_km = G, voc, max_km
        self.members = backwards.nodes  # in R's order
        self.ids: list[str] = sorted(self.members)
        self.number = {node: i for i, node in enumerate(self.ids)}
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.district: dict[str, str | None] = {}
        self.place: dict[str, tuple[float, float] | None] = {}
        self.partners = _Partners(self)
        self._closest: dict[tuple[float, float], str | None] = {}
        self._nearby: dict[str, list[str]] = {}
        self._around: dict[tuple[float, float], list[str]] = {}
        nodes = G._node  # the dict behind G.nodes, without a view per lookup
        areas: list[str | None] = []
        for node in self.ids:
            data = nodes[node]
            district = data.get("district") or None
            services = self.services[node] = frozenset(data.get("services") or ())
            self.populations[node] = frozenset(data.get("populations") or ())
            self.district[node] = district
            latitude, longitude = data.get("latitude"), data.get("longitude")
            here = self.place[node] = ((float(latitude), float(longitude)) if latitude is not None
                                       and longitude is not None else place(data, voc, district))
            # one placed without a district (by its province's centre, say) is looked for in the nearest district
            areas.append(district if district or here is None or not services else self.closest(here))
        self._arrays(backwards)
        self.providers = self._providers(areas)

    def _arrays(self, backwards: Indexed) -> None:
        """The arrays by number (see the class); the arcs of R renumbered from ``backwards``'s numbers."""
        number, n = self.number, len(self.ids)
        districts = {d: i for i, d in enumerate(sorted({d for d in self.district.values() if d is not None}))}
        self.district_codes = districts
        self.district_code = np.array([-1 if d is None else districts[d] for d in self.district.values()],
                                      dtype=np.int64)
        self.population_code = {p: i for i, p in enumerate(sorted({p for found in self.populations.values()
                                                                    for p in found}))}
        self.names = _flags(self.population_code, list(self.populations.values()))
        self.names_any = self.names.any(axis=0)
        self.service_code = {s: i for i, s in enumerate(sorted({s for found in self.services.values() for s in found}))}
        self.provides = _flags(self.service_code, list(self.services.values()))
        unplaced = (math.nan, math.nan)
        points = np.array([here or unplaced for here in self.place.values()], dtype=float).reshape(-1, 2)
        self.latitude, self.placed = points[:, 0], ~np.isnan(points[:, 0])
        latitude = np.radians(points[:, 0])  # as math.radians: the same product by the same constant
        self.radians_of = np.column_stack((latitude, np.radians(points[:, 1]),
                                           np.fromiter(map(math.cos, latitude.tolist()), dtype=float, count=n)))
        self.radians = _Radians(self)
        rank = np.fromiter(map(number.__getitem__, backwards.nodes), dtype=np.int64, count=n)
        heads, tails = (rank[end] for end in backwards.arcs)  # each arc of R reversed, as backwards holds it
        self._routes = np.sort(tails * n + heads)
        both = distinct(np.concatenate((self._routes, heads * n + tails)))
        self.partner_start = np.searchsorted(both // n, np.arange(n + 1))
        self.partner_numbers = both % n

    def _providers(self, areas: list[str | None]) -> dict[tuple[str, str | None], list[str]]:
        """The providers of each service in each area (see :meth:`fits`), widest offer first, then by id."""
        names: list[str | None] = sorted({a for a in areas if a is not None})
        code = {a: i for i, a in enumerate(names)}
        names.append(None)  # code -1
        area = np.array([code.get(a, -1) for a in areas], dtype=np.int64)
        service, node = np.nonzero(self.provides)
        order = np.lexsort((node, -self.provides.sum(axis=0)[node], area[node], service))
        service, node = service[order], node[order]
        parts = np.split(np.arange(len(node)), np.flatnonzero((np.diff(service) != 0) | (np.diff(area[node]) != 0)) + 1)
        services = sorted(self.service_code, key=self.service_code.__getitem__)
        ids = np.array(self.ids, dtype=object)
        return {(services[service[part[0]]], names[area[node[part[0]]]]): ids[node[part]].tolist()
                for part in parts if len(part)}

    @cached_property
    def abroad(self) -> Abroad:
        """Providers of continuity of care by country (built only when a cross-border gap needs it)."""
        return Abroad(self.G, self.members, self.voc)

    def routes(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Whether ``R`` has the arc ``xs[i] -> ys[i]`` (by number), for each ``i``."""
        return in_sorted(xs * len(self.ids) + ys, self._routes)

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

    @cached_property
    def _centres(self) -> list[tuple[str, float, tuple[float, float, float]]]:
        """Each district, the latitude of its centre and the centre by :func:`in_radians`."""
        return [(d, there[0], in_radians(there)) for d, there in self.voc.district_centres.items()]

    def closest(self, here: tuple[float, float]) -> str | None:
        """The district whose centre is nearest to the point ``here`` (remembered per point)."""
        if here not in self._closest:
            point = in_radians(here)  # km(here, centre), measured from each point's radians worked out once
            self._closest[here] = min(((km_between(point, there), d) for d, _, there in self._centres),
                                      default=(None, None))[1]
        return self._closest[here]

    def around(self, here: tuple[float, float]) -> list[str]:
        """The districts whose centres are within ``max_km`` of the point ``here``, nearest first (then by name).

        A district more than ``max_km`` away in latitude alone is skipped without measuring (a degree of latitude
        is at least 111 km). Remembered per point.
        """
        found = self._around.get(here)
        if found is None:
            point, limit = in_radians(here), self.max_km
            found = self._around[here] = [e for _, e in sorted(
                (away, e) for away, e in ((km_between(point, there), e) for e, latitude, there in self._centres
                                          if abs(latitude - here[0]) * 111.0 <= limit) if away <= limit)]
        return found

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


class _Partners(dict[str, set[str]]):
    """The referral partners (either way) of each organisation of the index, worked out when first asked for."""

    def __init__(self, index: PartnerIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, node: str) -> set[str]:
        index = self.index
        i = index.number[node]
        found = self[node] = set(map(index.ids.__getitem__,
                                     index.partner_numbers[index.partner_start[i]:index.partner_start[i + 1]].tolist()))
        return found


class _Radians(dict[str, tuple[float, float, float] | None]):
    """Each organisation's place as :func:`in_radians` gives it (None without a place), by id, when first asked."""

    def __init__(self, index: PartnerIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, node: str) -> tuple[float, float, float] | None:
        i = self.index.number[node]
        found = self[node] = tuple(self.index.radians_of[i].tolist()) if self.index.placed[i] else None
        return found


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
    return spans(start[owners], start[owners + 1] - start[owners])


def spans(first: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each item of the spans ``first[k]`` to ``first[k] + counts[k]``: its span ``k`` and its position.

    >>> rows, at = spans(np.array([4, 0]), np.array([2, 1]))
    >>> rows.tolist(), at.tolist()
    ([0, 0, 1], [4, 5, 0])
    """
    rows = np.repeat(np.arange(len(first)), counts)
    return rows, np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts - first, counts)


