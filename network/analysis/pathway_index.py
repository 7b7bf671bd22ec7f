"""What the pathway engine needs of one graph on one day, prepared once and updated for each edit."""

from __future__ import annotations

import bisect
import copy
import datetime as dt
from collections import defaultdict, deque
from collections.abc import Collection, Iterable
from typing import Any

import networkx as nx

from network.analysis.geography import km
from network.analysis.layers import referral_graph
from network.meanings import serves
from network.model import today

__all__ = ["PathwayIndex", "pathway_index", "CONTACT_FIELDS", "FORMAL_HOP", "INFORMAL_HOP", "WEIGHT_STEP",
           "KM_PER_UNIT"]

#: Cost of a hop along a formal (signed) agreement of weight 3.
FORMAL_HOP = 1.0
#: Cost of a hop along an informal agreement of weight 3.
INFORMAL_HOP = 1.5
#: Cost taken off a hop for each point of weight above 3 (added below 3).
WEIGHT_STEP = 0.05
#: Kilometres (great-circle, between the two organisations) that cost as much as one unit.
KM_PER_UNIT = 100.0
#: Contact fields of an organisation shown on a step, when the node carries them.
CONTACT_FIELDS = ("phone", "email", "website")

Arc = tuple[float, str, str]
_ABSENT = object()


class _NodeTables:
    """What an index knows of each active organisation, one table per field (see :class:`PathwayIndex`)."""

    #: The tables, by attribute name.
    TABLES = ("names", "districts", "services", "populations", "contacts", "_coordinates")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.districts: dict[str, str | None] = {}
        self.services: dict[str, frozenset[str]] = {}
        self.populations: dict[str, frozenset[str]] = {}
        self.contacts: dict[str, dict[str, str]] = {}
        self._coordinates: dict[str, tuple[float, float]] = {}

    def _read_node(self, node: str, data: dict[str, Any]) -> None:
        self.names[node] = data.get("name") or node
        self.districts[node] = data.get("district") or None
        self.services[node] = frozenset(data.get("services") or ())
        self.populations[node] = frozenset(data.get("populations") or ())
        self.contacts[node] = {f: str(data[f]) for f in CONTACT_FIELDS if data.get(f) not in (None, "")}
        if data.get("latitude") is not None and data.get("longitude") is not None:
            self._coordinates[node] = (data["latitude"], data["longitude"])


class PathwayIndex(_NodeTables):
    """What :func:`~network.analysis.pathways.referral_pathways` needs of one graph on one date, prepared once.

    Build it with :func:`pathway_index` and pass it to many queries on the
    same graph and date; after an edit, :meth:`updated` gives the index of
    the edited graph without rebuilding it. Only active organisations appear.
    An index is never changed once built, so queries may share it across threads.

    Attributes
    ----------
    as_of : date
        The date the agreements were read on.
    arcs : dict
        ``arcs[u][v] = (hop_cost, link_id, link_kind)`` for every arc of the
        reach graph (:func:`network.meanings.reach_graph`), its strongest link.
    out : dict
        ``out[u]``: the arcs from ``u`` as ``(hop_cost, v, link_id, link_kind)``, cheapest first.
    names, districts : dict
        Organisation name and district by id.
    services, populations : dict of frozenset
        Services offered and populations served (empty: everyone) by id.
    by_district : dict
        Active organisation ids (sorted) by district.
    two_way : dict
        ``True`` for every link id (of any organisation) marked ``two_way``.
    """

    def __init__(self, G: nx.MultiDiGraph, as_of: dt.date, include_unlinked: bool) -> None:
        super().__init__()
        self.as_of = as_of
        R = referral_graph(G, as_of)
        for node in R:
            self._read_node(node, G.nodes[node])
        self.by_district = _grouped((node, [d]) for node, d in self.districts.items() if d)
        self._by_service = _grouped(self.services.items())
        self.arcs: dict[str, dict[str, Arc]] = {u: self._arcs_of(u, R[u].items()) for u in R}
        self.out: dict[str, tuple[tuple[float, str, str, str], ...]] = {
            u: _cheapest_first(targets) for u, targets in self.arcs.items()}
        self.two_way: dict[str, bool] = {key: True for _, _, key, flag in G.edges(keys=True, data="two_way") if flag}
        self._providers: dict[tuple[str, str], list[str]] | None = None
        self._reach: dict[tuple[str, ...], dict[str, bool]] = {}
        self._serving: dict[str, frozenset[str]] = {}
        if include_unlinked:
            self._providers = self._providers_by_district()

    def serves(self, node: str, population: str) -> bool:
        """True if the active organisation ``node`` serves ``population`` (see :func:`network.meanings.serves`)."""
        return serves(self.populations[node], population)

    def serving(self, population: str) -> frozenset[str]:
        """The active organisations serving ``population`` (remembered per index)."""
        found = self._serving.get(population)
        if found is None:
            found = self._serving[population] = frozenset(
                node for node, served in self.populations.items() if serves(served, population))
        return found

    def offered(self, service: str, population: str) -> bool:
        """True if some active organisation offers ``service`` to ``population``."""
        return any(self.serves(node, population) for node in self._by_service.get(service, ()))

    def providers(self, district: str | None, service: str) -> list[str]:
        """Active organisations in ``district`` offering ``service`` (sorted ids)."""
        if not district:
            return []
        if self._providers is None:
            self._providers = self._providers_by_district()
        return self._providers.get((district, service), [])

    def hop_cost(self, u: str, v: str, formal: bool, weight: int | None) -> float:
        """The cost of referring a client from ``u`` to ``v`` along an agreement."""
        strength = min(max(int(weight or 3), 1), 5)
        base = (FORMAL_HOP if formal else INFORMAL_HOP) - WEIGHT_STEP * (strength - 3)
        return base + (self.distance_km(u, v) or 0.0) / KM_PER_UNIT

    def distance_km(self, u: str, v: str) -> float | None:
        """Great-circle kilometres between ``u`` and ``v`` (None when either has no coordinates)."""
        a, b = self._coordinates.get(u), self._coordinates.get(v)
        if a is None or b is None:
            return None
        return km(a, b)

    def reaches(self, start: str, population: str, needs: Collection[str]) -> bool:
        """True if a provider of every need serving ``population`` is ``start`` or reached from it (any hops).

        A breadth-first walk that stops once every need is found, or once it
        meets an organisation known to reach them all. Answers are remembered
        per index: a start that does reach them, and every organisation a
        start that does not reaches (they cannot either).
        """
        known = self._reach.setdefault((population, *sorted(set(needs))), {})
        found = known.get(start)
        if found is None:
            found = self._walk(start, population, needs, known)
        return found

    def _walk(self, start: str, population: str, needs: Collection[str], known: dict[str, bool]) -> bool:
        missing = set(needs).difference(self.services[start])
        serving = self.serving(population)
        seen = {start}
        queue = deque([start])
        while queue and missing:
            for _, target, _, _ in self.out[queue.popleft()]:
                if target not in seen and target in serving:
                    if known.get(target):
                        missing.clear()
                        break
                    seen.add(target)
                    queue.append(target)
                    missing.difference_update(self.services[target])
        if missing:
            known.update(dict.fromkeys(seen, False))
        known[start] = not missing
        return not missing

    def updated(self, before: nx.MultiDiGraph, G: nx.MultiDiGraph, touched: Iterable[str]) -> PathwayIndex:
        """The index of ``G``, the graph ``before`` (this index's graph) after edits touching ``touched``.

        ``touched`` names every organisation that was created, changed or
        deleted and both ends (before and after) of every link that was. The
        result equals ``pathway_index(G)`` on the same date; this index is left
        as it was (the two share what did not change).

        Examples
        --------
        >>> import datetime as dt
        >>> G = nx.MultiDiGraph()
        >>> G.add_nodes_from(["a", "b"], status="active")
        >>> index = pathway_index(G, as_of=dt.date(2026, 1, 1))
        >>> H = G.copy()
        >>> _ = H.add_edge("a", "b", key="r1", kind="referral", status="active", formal=True)
        >>> index.updated(G, H, ["a", "b"]).arcs["a"], index.arcs["a"]
        ({'b': (1.0, 'r1', 'referral')}, {})
        """
        touched = set(touched)
        new = copy.copy(self)
        new._reach = {}
        # Every link at a touched organisation, before and after: the arcs they give are all that changed.
        edges = {(u, v, key) for t in touched if t in G
                 for u, v, key in (*G.out_edges(t, keys=True), *G.in_edges(t, keys=True))}
        small = nx.MultiDiGraph()
        ends = {t for t in touched if t in G} | {n for u, v, _ in edges for n in (u, v)}
        small.add_nodes_from((n, G.nodes[n]) for n in ends)
        small.add_edges_from((u, v, key, G.edges[u, v, key]) for u, v, key in sorted(edges))
        R = referral_graph(small, self.as_of)
        read = _NodeTables()
        for t in touched:
            if t in R:
                read._read_node(t, G.nodes[t])
        for name in _NodeTables.TABLES:
            setattr(new, name, _written(getattr(self, name), touched, getattr(read, name)))
        near = touched | {n for t in touched for H in (before, G) if t in H for n in (*H._succ[t], *H._pred[t])}
        arcs: dict[str, dict[str, Arc] | None] = {}
        for u in near:
            if u not in new.names:
                arcs[u] = None
                continue
            kept = {} if u in touched else {v: arc for v, arc in self.arcs[u].items() if v not in touched}
            fresh = ((v, a) for v, a in (R[u].items() if u in R else ()) if u in touched or v in touched)
            arcs[u] = {**kept, **new._arcs_of(u, fresh)}
        new.arcs = _written(self.arcs, arcs, {u: found for u, found in arcs.items() if found is not None})
        if new.arcs is not self.arcs:
            new.out = _written(self.out, arcs, {u: _cheapest_first(found) for u, found in arcs.items()
                                                if found is not None})
        flags = {key: None for t in touched for H in (before, G) if t in H
                 for _, _, key in (*H.out_edges(t, keys=True), *H.in_edges(t, keys=True))}
        new.two_way = _written(self.two_way, flags,
                               {key: True for _, _, key, flag in small.edges(keys=True, data="two_way") if flag})
        new._regroup(self, touched)
        new._serving = {population: new._still_serving(members, touched, population)
                        for population, members in self._serving.items()}
        return new

    def _still_serving(self, members: frozenset[str], touched: set[str], population: str) -> frozenset[str]:
        """``members`` (who served ``population`` before an edit touching ``touched``) as it stands now.

        The same set when no touched organisation joined or left it, so an edit costs
        the touched organisations, not a copy of everyone serving the population.
        """
        now = {t for t in touched if t in self.names and serves(self.populations[t], population)}
        if all((t in members) == (t in now) for t in touched):
            return members
        return members.difference(touched).union(now)

    def _regroup(self, old: PathwayIndex, touched: set[str]) -> None:
        """Take touched organisations out of the sorted district, service and provider lists, and put them back."""
        before = [(t, old.districts[t], old.services[t]) for t in touched if t in old.names]
        after = [(t, self.districts[t], self.services[t]) for t in touched if t in self.names]
        self.by_district = _edited(old.by_district, [(d, t) for t, d, _ in before if d],
                                   [(d, t) for t, d, _ in after if d])
        self._by_service = _edited(old._by_service, [(s, t) for t, _, offered in before for s in offered],
                                   [(s, t) for t, _, offered in after for s in offered])
        if old._providers is not None:
            self._providers = _edited(old._providers, [((d, s), t) for t, d, offered in before if d for s in offered],
                                      [((d, s), t) for t, d, offered in after if d for s in offered])

    def _arcs_of(self, u: str, targets: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Arc]:
        return {v: (self.hop_cost(u, v, a["formal"], a["weight"]), a["link"], a["kind"]) for v, a in targets}

    def _providers_by_district(self) -> dict[tuple[str, str], list[str]]:
        table: dict[tuple[str, str], list[str]] = defaultdict(list)
        for service, nodes in self._by_service.items():
            for node in nodes:
                if self.districts[node]:
                    table[self.districts[node], service].append(node)
        return dict(table)

    def state(self) -> dict[str, Any]:
        """Everything the index holds that a query reads, as plain data (to compare two indexes)."""
        return {"as_of": self.as_of, "names": self.names, "districts": self.districts, "services": self.services,
                "populations": self.populations, "contacts": self.contacts, "coordinates": self._coordinates,
                "arcs": self.arcs, "out": self.out, "two_way": self.two_way, "by_district": self.by_district,
                "by_service": self._by_service, "providers": self.providers_table()}

    def providers_table(self) -> dict[tuple[str, str], list[str]]:
        """Active organisations offering each service by (district, service), sorted ids."""
        if self._providers is None:
            self._providers = self._providers_by_district()
        return self._providers


def pathway_index(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, include_unlinked: bool = False
) -> PathwayIndex:
    """Prepare a graph once for many :func:`~network.analysis.pathways.referral_pathways` queries.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The date on which agreements must be in force (default today).
    include_unlinked : bool, optional
        Also prepare the table of providers by district that queries with
        ``include_unlinked=True`` use (otherwise it is built on first use).

    Returns
    -------
    PathwayIndex

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["a", "b", "c"], status="active")
    >>> G.nodes["c"]["status"] = "inactive"
    >>> _ = G.add_edge("a", "b", key="m1", kind="mou", status="active", formal=True, weight=5)
    >>> index = pathway_index(G)
    >>> sorted(index.names), index.arcs["b"]
    (['a', 'b'], {'a': (0.9, 'm1', 'mou')})
    """
    return PathwayIndex(G, as_of or today(), include_unlinked)


def _grouped(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, list[str]]:
    """``{group: sorted members}`` from ``(member, its groups)`` pairs."""
    table: dict[str, list[str]] = defaultdict(list)
    for member, groups in pairs:
        for group in groups:
            table[group].append(member)
    return {group: sorted(members) for group, members in table.items()}


def _cheapest_first(targets: dict[str, Arc]) -> tuple[tuple[float, str, str, str], ...]:
    return tuple(sorted((cost, v, link, kind) for v, (cost, link, kind) in targets.items()))


def _written(table: dict[str, Any], keys: Iterable[str], now: dict[str, Any]) -> dict[str, Any]:
    """``table`` with the entries of ``keys`` as in ``now`` (absent there: taken out); itself if none changes.

    A copy is made only when some entry changes, so an edit costs a copy of
    the tables it changes and shares the others with the index it came from.
    """
    if all(table.get(key, _ABSENT) == now.get(key, _ABSENT) for key in keys):
        return table
    new = dict(table)
    for key in keys:
        if key in now:
            new[key] = now[key]
        else:
            new.pop(key, None)
    return new


def _edited(table: dict[Any, list[str]], removed: Iterable[tuple[Any, str]],
            added: Iterable[tuple[Any, str]]) -> dict[Any, list[str]]:
    """A copy of ``table`` (sorted lists by key) with members taken out and put in, each list kept sorted.

    Only the lists that change are copied (the table itself is returned when none does); a list left
    empty is dropped.
    """
    removed, added = set(removed), set(added)
    removed, added = removed - added, added - removed
    if not removed and not added:
        return table
    new, copied = dict(table), set()

    def own(key: Any) -> list[str]:
        if key not in copied:
            new[key] = list(new.get(key, ()))
            copied.add(key)
        return new[key]

    for key, member in removed:
        members = own(key)
        at = bisect.bisect_left(members, member)
        if at < len(members) and members[at] == member:
            del members[at]
    for key, member in added:
        members = own(key)
        at = bisect.bisect_left(members, member)
        if at == len(members) or members[at] != member:
            members.insert(at, member)
    for key in copied:
        if not new[key]:
            del new[key]
    return new
