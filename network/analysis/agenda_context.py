"""What the agenda's wording reads: a root cause (``Group``) and the graph looked up for it (``Words``)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from network.analysis.finding import Finding
from network.analysis.words import lower_first, name
from network.meanings import in_force, is_active
from network.model import Vocabulary
from network.translation import N_

__all__ = ["Group", "Words", "uncoordinated"]

#: Link kinds through which organisations meet in a forum.
_FORUM_KINDS = ("membership", "coordination")


@dataclass
class Group:
    """One root cause: its findings, and what the ranking and the wording need to know about it."""

    key: str
    action: str
    members: list[int] = field(default_factory=list)
    anchor: int = 0
    severity: str = "low"
    affected: set[str] = field(default_factory=set)
    affected_count: int = 0
    weighted_count: float = 0.0
    people: int | None = None
    weighted_people: float = 0.0
    district: str | None = None
    due: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def uncoordinated(f: Finding) -> list[str]:
    """The organisations of an overlap in some uncoordinated pair, most pairs first (all, if none listed)."""
    pairs = f.details.get("uncoordinated_pairs") or []
    tally = Counter(o for pair in pairs for o in pair)
    if not tally:
        return list(f.organisations)
    return sorted(tally, key=lambda o: (-tally[o], o))


class Words:
    """What wording the items needs from the graph: names, providers, forums, kinds; built on first use."""

    def __init__(self, G: nx.MultiDiGraph, voc: Vocabulary, as_of: dt.date) -> None:
        self.G, self.voc, self.as_of = G, voc, as_of
        self._providers: dict[str, dict[str | None, list[str]]] | None = None
        self._districts: dict[str, list[str]] | None = None
        self._nearby: dict[str, list[str | None]] = {}
        self._forums: dict[str, str | None] = {}

    def attrs(self, node: str) -> Mapping[str, Any]:
        """The organisation's attributes (none for an id not in the graph)."""
        return self.G.nodes[node] if node in self.G else {}

    def providers(self, service: str) -> dict[str | None, list[str]]:
        """Active organisations offering ``service`` by district (None: none or unknown), larger capacity first."""
        if self._providers is None:
            known = self.voc.district_centres
            found: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
            for node, data in self.G.nodes(data=True):
                if data.get("status", "active") == "active":
                    district = data.get("district")
                    for s in data.get("services") or ():
                        found[s][district if district in known else None].append(node)
            for by_district in found.values():
                for nodes in by_district.values():
                    nodes.sort(key=lambda n: (-(self.G.nodes[n].get("capacity_per_month") or 0), n))
            self._providers = found
        return self._providers.get(service, {})

    def nearest_provider(self, services_needed: Sequence[str], population: str | None, district: str | None,
                         exclude: Iterable[str] = ()) -> str | None:
        """The provider of the first of ``services_needed`` serving ``population`` nearest to ``district``.

        Nearest: in ``district``, else in the district with the nearest centre, else one with no known district;
        the larger capacity first within a district (then the smaller id).
        """
        skip = set(exclude)
        for service in services_needed:
            by_district = self.providers(service)
            for where in self._nearest_districts(district):
                for node in by_district.get(where, ()):
                    listed = self.G.nodes[node].get("populations") or ()
                    if node not in skip and not (population and listed and population not in listed):
                        return node
        return None

    def _nearest_districts(self, district: str | None) -> list[str | None]:
        """Every district of the vocabulary, ``district`` first and then by distance, and None last."""
        key = district or ""
        if key not in self._nearby:
            centres = self.voc.district_centres
            centre = centres.get(key)
            others = sorted(centres, key=lambda d: (0.0 if d == district else
                                                    _distance(centre, centres[d]) if centre else 1.0, d))
            self._nearby[key] = [*others, None]
        return self._nearby[key]

    def forum(self, members: Iterable[str], district: str | None = None) -> tuple[str | None, list[str]]:
        """The forum or body most of ``members`` meet in (membership or coordination in force), and who meets there.

        When none of them meets in any, the one most organisations of ``district`` meet in, and nobody.
        """
        attendance = self._attendance(members)
        if not attendance and district:
            if district not in self._forums:
                self._forums[district] = self._busiest(self._attendance(self.in_district(district)))[0]
            return self._forums[district], []
        return self._busiest(attendance)

    def in_district(self, district: str) -> list[str]:
        """The organisations of ``district``."""
        if self._districts is None:
            self._districts = defaultdict(list)
            for node, where in self.G.nodes(data="district"):
                if where:
                    self._districts[where].append(node)
        return self._districts.get(district, [])

    def _attendance(self, members: Iterable[str]) -> dict[str, set[str]]:
        attendance: dict[str, set[str]] = defaultdict(set)
        for member in members:
            if member not in self.G:
                continue
            for _, other, data in self.G.out_edges(member, data=True):
                if data.get("kind") in _FORUM_KINDS and self._in_force(member, other, data):
                    attendance[other].add(member)
            for other, _, data in self.G.in_edges(member, data=True):
                if data.get("kind") == "coordination" and self._in_force(other, member, data):
                    attendance[other].add(member)
        return attendance

    @staticmethod
    def _busiest(attendance: dict[str, set[str]]) -> tuple[str | None, list[str]]:
        if not attendance:
            return None, []
        forum = max(sorted(attendance), key=lambda f: len(attendance[f]))
        return forum, sorted(attendance[forum])

    def _in_force(self, u: str, v: str, data: Mapping[str, Any]) -> bool:
        return is_active(self.G, u) and is_active(self.G, v) and in_force(data, self.as_of)

    def kinds(self, nodes: Sequence[str]) -> str:
        """``community-based organisations`` when all share a kind, else ``organisations``."""
        kinds = {self.attrs(n).get("kind") for n in nodes}
        label = self.voc.organisation_kinds.get(kinds.pop() or "", "") if len(kinds) == 1 else ""
        if not label or " or " in label or "(" in label or len(nodes) == 1:
            return N_("organisation") if len(nodes) == 1 else N_("organisations")
        label = lower_first(label)
        return label[:-1] + "ies" if label.endswith("y") else label + "s"

    def agreement(self, f: Finding) -> str:
        """``the MoU between A and B`` or ``the referral agreement from A to B`` for a finding's first link."""
        u, v = f.organisations[:2]
        key = f.links[0] if f.links else None
        kind = self.G.edges[u, v, key].get("kind") if key and self.G.has_edge(u, v, key) else None
        ends = {"a": name(self.G, u), "b": name(self.G, v)}
        if kind == "mou":
            return N_("the MoU between %(a)s and %(b)s") % ends
        if kind == "funding":
            return N_("the grant from %(a)s to %(b)s") % ends
        if kind in (None, "referral"):
            return N_("the referral agreement from %(a)s to %(b)s") % ends
        label = lower_first(self.voc.link_kinds.get(kind, kind).split(" (")[0])
        return N_("the %(kind)s agreement between %(a)s and %(b)s") % {**ends, "kind": label}


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + ((a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2))) ** 2
