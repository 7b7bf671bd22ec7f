"""The agenda's root causes: which findings one action answers (an agreement, a cut vertex, an overlap, ...)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import networkx as nx

from network.analysis.agenda_borders import GROUPS as BORDER_GROUPS
from network.analysis.agenda_context import Group
from network.analysis.finding import Finding

__all__ = ["root_causes"]


def root_causes(findings: Sequence[Finding], G: nx.MultiDiGraph) -> list[Group]:
    """The findings grouped by root cause, one ``Group`` (with its action) per cause; ``members`` index ``findings``.

    :func:`network.analysis.agenda.agenda` documents the grouping rules.
    """
    groups: dict[str, Group] = {}

    def add(key: str, action: str, i: int) -> Group:
        group = groups.get(key)
        if group is None:
            groups[key] = group = Group(key, action, anchor=i)
        group.members.append(i)
        return group

    later: list[int] = []
    cut_vertices: dict[str, list[int]] = defaultdict(list)
    bridges: list[int] = []
    overlaps: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        kind = f.type
        if kind == "expiring_agreement" and f.links:
            add(f"renew:{f.links[0]}", "renew_agreement", i)
        elif kind == "single_point_of_failure":
            if f.details.get("bridge") and f.links:
                bridges.append(i)
            elif f.organisations:
                cut_vertices[f.organisations[0]].append(i)
        elif kind == "unreachable" or (kind == "donor_dependency" and f.details.get("scope") != "district"):
            later.append(i)
        elif kind == "uncovered" and f.district:
            add(f"provide:{f.district}:{f.population or ''}", "find_provider", i)
        elif kind == "service_overlap":
            if f.details.get("uncoordinated", True) and f.district and f.service:
                overlaps[f.district, f.service].append(i)
        elif kind in _SIMPLE and f.organisations:
            action, key = _SIMPLE[kind](f)
            add(key, action, i)
        else:
            add(f"{kind}:{i}", "act", i)
    kinds = {hub: G.nodes[hub].get("kind") for hub in cut_vertices if hub in G}
    _single_points(findings, groups, cut_vertices, bridges, add, kinds)
    blocking: dict[tuple[str, str], Group] = {}
    for group in groups.values():
        if group.action == "second_route":
            for service in group.extra["services"]:
                area = (findings[group.anchor].district or "", service)
                other = blocking.get(area)
                if other is None or (group.extra["cut_off"], other.key) > (other.extra["cut_off"], group.key):
                    blocking[area] = group
    for i in later:
        f = findings[i]
        if f.type == "donor_dependency":
            renew = next((groups[f"renew:{key}"] for key in f.links if f"renew:{key}" in groups), None)
            if renew is not None:
                renew.members.append(i)
            elif f.organisations:
                action, key = _SIMPLE["donor_dependency"](f)
                add(key, action, i)
            else:
                add(f"{f.type}:{i}", "act", i)
            continue
        joined = groups.get(f"provide:{f.district}:{f.population or ''}") or blocking.get(
            (f.district or "", f.service or ""))
        if joined is not None:
            joined.members.append(i)
        else:
            add(f"refer:{f.district}:{f.population or ''}", "agree_referral", i)
    _coordination(findings, overlaps, add)
    return list(groups.values())


_SIMPLE = {
    "duplicate_record": lambda f: ("merge_records", "merge:" + ":".join(sorted(f.organisations[:2]))),
    "isolated": lambda f: ("connect_organisation", f"connect:{f.organisations[0]}"),
    "broken_cascade": lambda f: ("close_cascade", f"cascade:{f.organisations[0]}"),
    "siloed_cluster": lambda f: ("connect_cluster", f"cluster:{min(f.organisations)}"),
    "funding_overlap": lambda f: ("review_funding", f"funding:{f.organisations[0]}:{f.district or ''}"),
    "stale_record": lambda f: ("verify_records", f"verify:{f.organisations[0]}"),
    "donor_dependency": lambda f: (
        ("plan_funding", f"funder:{f.organisations[0]}:{f.district or ''}") if f.details.get("scope") == "district"
        else ("second_funder", f"second-funder:{f.organisations[0]}")),
    "one_way_agreement": lambda f: ("record_two_way", "two-way:" + ":".join(sorted(f.organisations[:2]))),
    "failing_route": lambda f: ("fix_route", "route:" + ":".join(f.organisations[:2])),
    "paper_agreement": lambda f: ("use_agreement", f"paper:{f.links[0]}"),
    "repeated_barrier": lambda f: ("raise_barrier", f"barrier:{f.organisations[0]}"),
    "low_trust_dependency": lambda f: ("build_trust", "trust:" + ":".join(sorted(f.organisations[:2]))),
    **BORDER_GROUPS,
}


def _single_points(
    findings: Sequence[Finding], groups: dict[str, Group], cut_vertices: dict[str, list[int]], bridges: list[int],
    add: Any, kinds: dict[str, str | None],
) -> None:
    """Group the single points of failure: an organisation with the bridges at it and their other ends."""
    parent = {i: i for i in [*(i for held in cut_vertices.values() for i in held), *bridges]}
    for held in cut_vertices.values():
        for i in held[1:]:
            parent[i] = held[0]
    for b in bridges:
        link = findings[b].links[0]
        renew = groups.get(f"renew:{link}")
        if renew is not None:
            renew.members.append(b)
            del parent[b]
            continue
        for end in findings[b].organisations[:2]:
            if end in cut_vertices:
                parent[_root(parent, b)] = _root(parent, cut_vertices[end][0])
    parts: dict[int, list[int]] = defaultdict(list)
    for i in list(parent):
        parts[_root(parent, i)].append(i)
    for members in parts.values():
        members.sort()
        anchor = max(members, key=lambda i: (not findings[i].details.get("bridge"),
                                             findings[i].details.get("cut_off", 0), -i))
        f = findings[anchor]
        key = f"route:{f.links[0]}" if f.details.get("bridge") else f"route:{f.organisations[0]}"
        group = None
        for i in members:
            group = add(key, "second_route", i)
        assert group is not None
        group.anchor = anchor
        group.extra["services"] = {s for i in members for s in findings[i].details.get("services", ())}
        group.extra["cut_off"] = max(findings[i].details.get("cut_off", 0) for i in members)
        if not f.details.get("bridge") and f.organisations:
            group.extra["hub"] = kinds.get(f.organisations[0])


def _coordination(
    findings: Sequence[Finding], overlaps: dict[tuple[str, str], list[int]], add: Any,
) -> None:
    """Uncoordinated overlaps grouped: per district and service, per set of organisations that do not meet.

    The organisations of one district and service's overlaps that share no link or forum are split into the
    connected parts of their uncoordinated pairs; each overlap joins the part of its first pair. Within a district,
    a part whose organisations all belong to a larger part (of another service) joins it, so the same
    organisations doing several things are one item.
    """
    parts_of: dict[str, list[tuple[frozenset[str], str, list[int]]]] = defaultdict(list)
    for (district, service), members in sorted(overlaps.items()):
        parent: dict[str, str] = {}
        for i in members:
            pairs = findings[i].details.get("uncoordinated_pairs") or [findings[i].organisations]
            for pair in pairs:
                for other in pair[1:]:
                    parent[_root(parent, other)] = _root(parent, pair[0])
        split: dict[str, list[int]] = defaultdict(list)
        for i in members:
            pairs = findings[i].details.get("uncoordinated_pairs") or [findings[i].organisations]
            split[_root(parent, pairs[0][0])].append(i)
        every: dict[str, set[str]] = defaultdict(set)
        for o in list(parent):
            every[_root(parent, o)].add(o)
        for top, held in split.items():
            parts_of[district].append((frozenset(every[top]), service, held))
    for district, parts in parts_of.items():
        parts.sort(key=lambda part: (-len(part[0]), sorted(part[0]), part[1]))
        merged: list[tuple[frozenset[str], list[str], list[int]]] = []
        holding: dict[str, list[int]] = defaultdict(list)
        for involved, service, held in parts:
            first = min(involved)
            home = next((k for k in holding[first] if involved <= merged[k][0]), None)
            if home is None:
                home = len(merged)
                merged.append((involved, [], []))
                for o in involved:
                    holding[o].append(home)
            merged[home][1].append(service)
            merged[home][2].extend(held)
        for involved, services_, held in merged:
            ordered = sorted(set(services_))
            key = f"coordinate:{district}:{'+'.join(ordered)}:{min(involved)}"
            for i in sorted(held):
                group = add(key, "coordinate", i)
            group.extra["services"] = ordered
            group.extra["involved"] = involved


def _root(parent: dict[Any, Any], x: Any) -> Any:
    """The representative of ``x`` in the union-find forest ``parent`` (``x`` joins it alone if new)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
