"""Who offers which service and who serves which population where: the index the linkage-gap analyses share."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cached_property
from itertools import chain
from typing import Any, NamedTuple

import networkx as nx
import numpy as np

__all__ = ["FIRST", "Flags", "Offers"]

#: How many of the smallest ids :meth:`Offers.local_providers` gives (what a sentence names: three, or four).
FIRST = 4

#: How many organisations, and the ``FIRST`` smallest of their ids.
_Part = tuple[int, list[str]]


class Flags(NamedTuple):
    """Who offers what and who names whom among numbered organisations, as rows of flags.

    ``provides[services[s], i]`` is True when organisation number ``i``
    offers service ``s``; ``names[populations[p], i]`` when it names
    population ``p``.
    """

    services: dict[str, int]
    provides: np.ndarray
    populations: dict[str, int]
    names: np.ndarray

    def serving(self, population: str) -> np.ndarray:
        """The numbers of the organisations that serve ``population``: those naming it and those naming none
        (the nodes of its reach graph, :meth:`~network.analysis.layers.Layers.reach`), in order.

        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_nodes_from([("a", {"populations": ["msm"]}), ("b", {}), ("c", {"populations": ["pwid"]})])
        >>> Offers(G).flags(["a", "b", "c"]).serving("msm").tolist()
        [0, 1]
        """
        serving = ~self.names.any(axis=0)
        if population in self.populations:
            serving |= self.names[self.populations[population]]
        return np.flatnonzero(serving)


class Offers:
    """Who offers which service and who serves which population where, among active organisations."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.district: dict[str, str | None] = {}
        self.offering: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.serving: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._local: dict[tuple[str | None, str, frozenset[str]], _Part] = {}
        self._by_population: dict[tuple[str, str], tuple[_Part, _Part, dict[int, _Part]]] = {}
        self._flags: tuple[list[str], Flags] | None = None
        self._bits_of: dict[frozenset[str], int] = {}
        for node, data in G.nodes(data=True):
            self._add(node, data)

    @classmethod
    def after_edit(cls, G: nx.MultiDiGraph, before: Offers, touched: Iterable[str]) -> Offers:
        """The offers of ``G``, given ``before``, those of the graph before an edit that changed, created or
        deleted only the organisations ``touched`` (or their links): what is known of every other organisation is
        taken from ``before`` (which is left as it was), not read again.

        They answer as ``Offers(G)`` does; the organisations in each of :attr:`offering` and :attr:`serving` may
        be in another order.

        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("a", district="Waterberg", services=["art"])
        >>> G.add_node("b", district="Waterberg", services=["art", "prep"], populations=["msm"])
        >>> before = Offers(G)
        >>> G.nodes["a"]["services"] = ["prep"]
        >>> offers = Offers.after_edit(G, before, ["a"])
        >>> dict(offers.offering), offers.provider_count("prep", "msm"), before.provider_count("prep", "msm")
        ({('Waterberg', 'art'): ['b'], ('Waterberg', 'prep'): ['b', 'a']}, 2, 1)
        """
        offers = cls.__new__(cls)
        offers.services, offers.populations = dict(before.services), dict(before.populations)
        offers.district = dict(before.district)
        offers.offering, offers.serving = defaultdict(list, before.offering), defaultdict(list, before.serving)
        offers._local, offers._by_population, offers._flags, offers._bits_of = {}, {}, None, {}
        general, explicit = before._totals
        totals = offers.__dict__["_totals"] = (general.copy(), explicit.copy())
        copied: set[tuple[str, str]] = set()  # the keys whose lists are this one's own, no longer before's
        for node in set(touched):
            if node in offers.services:
                offers._remove(node, copied, totals)
            data = G._node.get(node)
            if data is not None and offers._add(node, data, copied):
                offers._count(node, totals, 1)
        return offers

    def _add(self, node: str, data: dict[str, Any], copied: set[tuple[str, str]] | None = None) -> bool:
        """Take in ``node`` (its ``data``) if active; whether it was. ``copied``: the keys whose lists may be
        changed in place (all when None); any other is copied first, and added to it."""
        if data.get("status", "active") != "active":
            return False
        services = frozenset(data.get("services") or ())
        populations = frozenset(data.get("populations") or ())
        district = data.get("district") or None
        self.services[node], self.populations[node], self.district[node] = services, populations, district
        if district is None:
            return True
        if copied is None:
            for population in populations:
                self.serving[district, population].append(node)
            for service in services:
                self.offering[district, service].append(node)
        else:
            for population in populations:
                _own(self.serving, (district, population), copied).append(node)
            for service in services:
                _own(self.offering, (district, service), copied).append(node)
        return True

    def _remove(self, node: str, copied: set[tuple[str, str]],
                totals: tuple[Counter[str], Counter[tuple[str, str]]]) -> None:
        """Forget ``node`` (for :meth:`after_edit`)."""
        self._count(node, totals, -1)
        services, populations = self.services.pop(node), self.populations.pop(node)
        district = self.district.pop(node)
        if district is None:
            return
        for index, codes in ((self.serving, populations), (self.offering, services)):
            for code in codes:
                group = _own(index, (district, code), copied)
                group.remove(node)
                if not group:
                    del index[district, code]

    def _count(self, node: str, totals: tuple[Counter[str], Counter[tuple[str, str]]], by: int) -> None:
        """Add ``by`` to the :attr:`_totals` ``node`` counts in."""
        general, explicit = totals
        populations = self.populations[node]
        for service in self.services[node]:
            if not populations:
                general[service] += by
            for population in populations:
                explicit[service, population] += by

    @cached_property
    def _bits(self) -> dict[str, int]:
        """A bit for each population named by an organisation with a district (those :meth:`_split` groups)."""
        named = sorted({population for _, population in self.serving})
        return {p: 1 << i for i, p in enumerate(named)}

    def flags(self, nodes: list[str]) -> Flags:
        """:class:`Flags` of ``nodes`` (active organisations numbered by their position), kept for that list.

        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("a", services=["art"], populations=["msm"])
        >>> G.add_node("b", services=["art", "prep"])
        >>> flags = Offers(G).flags(["b", "a"])
        >>> flags.provides[flags.services["prep"]].tolist(), flags.names[flags.populations["msm"]].tolist()
        ([True, False], [False, True])
        """
        if self._flags is not None and self._flags[0] is nodes:
            return self._flags[1]
        services, provides = _rows([self.services[node] for node in nodes], self.services.values())
        populations, names = _rows([self.populations[node] for node in nodes], self.populations.values())
        flags = Flags(services, provides, populations, names)
        self._flags = (nodes, flags)
        return flags

    def serve_alike(self, populations: frozenset[str], other: str) -> bool:
        """True if ``other`` serves one of ``populations`` (either side empty: everyone)."""
        theirs = self.populations[other]
        return not populations or not theirs or not populations.isdisjoint(theirs)

    def local_providers(
        self, district: str | None, service: str, populations: frozenset[str]
    ) -> tuple[int, list[str]]:
        """How many active organisations in ``district`` offer ``service`` to one of ``populations`` (to anyone
        when empty), and the ``FIRST`` smallest of their ids, in order.

        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> for node, populations in [("e", []), ("d", ["msm"]), ("c", ["pwid", "msm"]), ("b", ["pwid"])]:
        ...     G.add_node(node, district="Waterberg", services=["art"], populations=populations)
        >>> offers = Offers(G)
        >>> offers.local_providers("Waterberg", "art", frozenset(["msm"]))
        (3, ['c', 'd', 'e'])
        >>> offers.local_providers("Waterberg", "art", frozenset()), offers.local_providers(None, "art", frozenset())
        ((4, ['b', 'c', 'd', 'e']), (0, []))
        """
        key = (district, service, populations)
        found = self._local.get(key)
        if found is None:
            if district is None:
                found = (0, [])
            else:
                everyone, general, explicit = self._split(district, service)
                if not populations:
                    found = everyone
                else:
                    wanted = 0
                    for population in populations:
                        wanted |= self._bits.get(population, 0)
                    parts = [general, *(part for bits, part in explicit.items() if bits & wanted)]
                    found = (sum(count for count, _ in parts), sorted(chain(*(f for _, f in parts)))[:FIRST])
            self._local[key] = found
        return found

    def _split(self, district: str, service: str) -> tuple[_Part, _Part, dict[int, _Part]]:
        """Of the organisations offering ``service`` in ``district``: all, those serving everyone, and those
        naming populations, by the populations they name (as bits), each as its count and first ids."""
        split = self._by_population.get((district, service))
        if split is None:
            offering = sorted(self.offering.get((district, service), ()))
            groups: dict[int, list[str]] = defaultdict(list)
            for node in offering:
                bits = self._bits_of.get(self.populations[node])
                if bits is None:
                    bits = self._bits_of[self.populations[node]] = sum(self._bits[p] for p in self.populations[node])
                groups[bits].append(node)
            parts = {bits: (len(nodes), nodes[:FIRST]) for bits, nodes in groups.items()}
            general = parts.pop(0, (0, []))
            split = self._by_population[district, service] = ((len(offering), offering[:FIRST]), general, parts)
        return split

    def provider_count(self, service: str, population: str) -> int:
        """How many active organisations offer ``service`` to ``population``.

        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_nodes_from([("a", {"services": ["art"]}), ("b", {"services": ["art"], "populations": ["msm"]})])
        >>> G.add_node("c", services=["art", "prep"], populations=["pwid"])
        >>> offers = Offers(G)
        >>> [offers.provider_count(*asked) for asked in [("art", "msm"), ("art", "pwid"), ("prep", "msm")]]
        [2, 2, 0]
        """
        general, explicit = self._totals
        return general[service] + explicit[service, population]

    @cached_property
    def _totals(self) -> tuple[Counter[str], Counter[tuple[str, str]]]:
        """How many active organisations serving everyone offer each service, and how many naming each population
        offer each service to it; counted once per distinct list of services and populations."""
        general: Counter[str] = Counter()
        explicit: Counter[tuple[str, str]] = Counter()
        profiles = Counter(zip(self.services.values(), self.populations.values(), strict=True))
        for (services, populations), count in profiles.items():
            for service in services:
                if not populations:
                    general[service] += count
                for population in populations:
                    explicit[service, population] += count
        return general, explicit


def _own(index: dict[tuple[str, str], list[str]], key: tuple[str, str], copied: set[tuple[str, str]]) -> list[str]:
    """The list of ``key`` in ``index``, copied first unless ``copied`` holds the key."""
    if key not in copied:
        copied.add(key)
        index[key] = list(index.get(key, ()))
    return index[key]


def _rows(found: list[frozenset[str]], every: Iterable[frozenset[str]]) -> tuple[dict[str, int], np.ndarray]:
    """The codes of ``every`` set, numbered in sorted order, and a row per code of flags: whether each set of
    ``found`` holds it.

    Each distinct set is read once (a network has far fewer distinct lists of services than organisations).
    """
    distinct = {codes: i for i, codes in enumerate(dict.fromkeys(found))}
    numbers = {code: i for i, code in enumerate(sorted(set().union(*dict.fromkeys(every))))}
    table = np.zeros((len(numbers), len(distinct)), dtype=bool)
    for codes, i in distinct.items():
        table[[numbers[code] for code in codes], i] = True
    which = np.fromiter(map(distinct.__getitem__, found), dtype=np.int64, count=len(found))
    return numbers, table[:, which]
