"""Who offers which service and who serves which population where: the index the linkage-gap analyses share."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

import networkx as nx
import numpy as np

__all__ = ["Flags", "Offers"]


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


class Offers:
    """Who offers which service and who serves which population where, among active organisations."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.district: dict[str, str | None] = {}
        self.offering: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.serving: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.general_total: Counter[str] = Counter()
        self.explicit_total: Counter[tuple[str, str]] = Counter()
        self._local: dict[tuple[str | None, str, frozenset[str]], set[str]] = {}
        self._by_population: dict[tuple[str, str], tuple[list[str], dict[str, list[str]]]] = {}
        self._flags: tuple[list[str], Flags] | None = None
        for node, data in G.nodes(data=True):
            if data.get("status", "active") != "active":
                continue
            services = frozenset(data.get("services") or ())
            populations = frozenset(data.get("populations") or ())
            district = data.get("district") or None
            self.services[node], self.populations[node], self.district[node] = services, populations, district
            for service in services:
                if not populations:
                    self.general_total[service] += 1
                for population in populations:
                    self.explicit_total[service, population] += 1
            if district is not None:
                for population in populations:
                    self.serving[district, population].append(node)
                for service in services:
                    self.offering[district, service].append(node)

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
        services = {s: i for i, s in enumerate(sorted({s for found in self.services.values() for s in found}))}
        populations = {p: i for i, p in enumerate(sorted({p for found in self.populations.values() for p in found}))}
        offered: tuple[list[int], list[int]] = ([], [])
        named: tuple[list[int], list[int]] = ([], [])
        for i, node in enumerate(nodes):
            for service in self.services[node]:
                offered[0].append(services[service])
                offered[1].append(i)
            for population in self.populations[node]:
                named[0].append(populations[population])
                named[1].append(i)
        provides = np.zeros((len(services), len(nodes)), dtype=bool)
        provides[offered] = True
        names = np.zeros((len(populations), len(nodes)), dtype=bool)
        names[named] = True
        flags = Flags(services, provides, populations, names)
        self._flags = (nodes, flags)
        return flags

    def serve_alike(self, populations: frozenset[str], other: str) -> bool:
        """True if ``other`` serves one of ``populations`` (either side empty: everyone)."""
        theirs = self.populations[other]
        return not populations or not theirs or not populations.isdisjoint(theirs)

    def local_providers(self, district: str | None, service: str, populations: frozenset[str]) -> set[str]:
        """Active organisations in ``district`` offering ``service`` to one of ``populations`` (or anyone)."""
        key = (district, service, populations)
        found = self._local.get(key)
        if found is None:
            if district is None:
                found = set()
            elif not populations:
                found = set(self.offering.get((district, service), ()))
            else:
                general, explicit = self._split(district, service)
                found = set(general).union(*(explicit.get(p, ()) for p in populations))
            self._local[key] = found
        return found

    def _split(self, district: str, service: str) -> tuple[list[str], dict[str, list[str]]]:
        """The organisations offering ``service`` in ``district`` to everyone, and to each population."""
        split = self._by_population.get((district, service))
        if split is None:
            general: list[str] = []
            explicit: dict[str, list[str]] = defaultdict(list)
            for node in self.offering.get((district, service), ()):
                if not self.populations[node]:
                    general.append(node)
                for population in self.populations[node]:
                    explicit[population].append(node)
            split = self._by_population[district, service] = (general, explicit)
        return split

    def provider_count(self, service: str, population: str) -> int:
        """How many active organisations offer ``service`` to ``population``."""
        return self.general_total[service] + self.explicit_total[service, population]
