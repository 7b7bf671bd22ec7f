"""How far an edit reaches: the organisations and districts whose district-bound findings it can change."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.finding import Finding
from network.analysis.geography import province_of
from network.analysis.layers import Layers
from network.model import vocabulary

__all__ = ["BOUND_TYPES", "EditReach", "links_at", "links_of_kinds"]

#: The linkage-gap types whose findings each read one district, or one link, and what is next to it: after an
#: edit they are found again only within its reach (:class:`EditReach`); every other type is found again whole.
BOUND_TYPES = ("broken_cascade", "uncovered", "expiring_agreement", "cross_border_gap", "one_way_data",
               "area_unlinked")


class EditReach:
    """The organisations, districts and provinces whose district-bound and link-bound findings an edit can have
    changed.

    Each finding of :data:`BOUND_TYPES` reads little: a broken cascade of
    ``x`` reads ``x``, the organisations it refers to and every organisation
    of its district; an uncovered service its district's organisations; a
    cross-border gap its district's organisations, their links and who is at
    the other end; an unlinked intervention area its province's
    organisations, their links and who is at the other end; one-way data its
    receiver, the receiver's links and who is at the other end; an expiring
    agreement its link and the link's two ends. So for the ``touched``
    organisations (those whose records, or whose links, an edit wrote) the
    reach is:

    - ``near``: the touched ones and their neighbours along any link, before
      the edit or after;
    - ``districts``: the districts (``None`` for none) the touched ones whose
      records changed were in, before or after (what a district's
      organisations offer and to whom does not change with a link);
      ``members``: the organisations now in one of them;
    - ``organisations``: ``near`` with ``members``;
    - ``wide_districts`` and ``provinces``: the districts and provinces any
      of ``near`` was in, before or after (a cross-border gap or an
      unlinked area reads the links of a whole district or province).

    A finding of those types outside the reach reads nothing the edit changed.

    Parameters
    ----------
    before, after : networkx.MultiDiGraph
        The projected graph before the edit and after it.
    touched : iterable of str
        Every organisation whose record, or one of whose links, differs
        between ``before`` and ``after``.

    Examples
    --------
    >>> import networkx as nx
    >>> before = nx.MultiDiGraph()
    >>> before.add_nodes_from([("a", {"district": "Waterberg"}), ("b", {"district": "Capricorn"}),
    ...                        ("c", {"district": "Capricorn"}), ("d", {"district": "Vhembe"})])
    >>> _ = before.add_edge("a", "b", key="r1", kind="referral")
    >>> after = before.copy()
    >>> after.nodes["a"]["services"] = ["art"]
    >>> reach = EditReach(before, after, ["a"])
    >>> sorted(reach.organisations), sorted(reach.districts), sorted(reach.wide_districts)
    (['a', 'b'], ['Waterberg'], ['Capricorn', 'Waterberg'])
    >>> reach.covers(Finding("uncovered", "high", "...", ["d"], "Vhembe"))
    False
    """

    def __init__(self, before: nx.MultiDiGraph, after: nx.MultiDiGraph, touched: Iterable[str]) -> None:
        touched = set(touched)
        near = set(touched)
        for G in (before, after):
            for node in touched:
                if node in G:
                    near.update(G._succ[node], G._pred[node])
        voc = vocabulary()
        self.near = frozenset(near)
        changed = [node for node in touched if before._node.get(node) != after._node.get(node)]
        self.districts = _districts((before, after), changed)
        self.members = _members(after, self.districts)
        self.organisations = frozenset(near.union(self.members))
        self.wide_districts = _districts((before, after), near)
        self.provinces = frozenset(province_of(G._node[n], voc) for G in (before, after) for n in near if n in G)
        self._after = after
        self._positions: tuple[Layers, list[int]] | None = None

    def wide_members(self) -> list[str]:
        """The organisations now in one of :attr:`wide_districts`, in node order."""
        return _members(self._after, self.wide_districts)

    def covers(self, finding: Finding) -> bool:
        """Whether ``finding`` (of the graph before the edit) may have changed: it is found again if so.

        True for every finding of a type not in :data:`BOUND_TYPES`.
        """
        if finding.type in ("broken_cascade", "one_way_data"):
            return finding.organisations[0] in self.organisations
        if finding.type == "uncovered":
            return finding.district in self.districts
        if finding.type == "cross_border_gap":
            return finding.district in self.wide_districts
        if finding.type == "area_unlinked":
            return finding.details["province"] in self.provinces
        if finding.type == "expiring_agreement":
            return not self.organisations.isdisjoint(finding.organisations)
        return True

    def link_positions(self, layers: Layers) -> list[int]:
        """The positions in ``layers.links`` of the links in force with an end among :attr:`organisations` (found
        once for the last ``layers`` asked about)."""
        if self._positions is None or self._positions[0] is not layers:
            self._positions = (layers, links_at(layers, self.organisations).tolist())
        return self._positions[1]

    def links(self, layers: Layers, kinds: Iterable[str]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """The links in force of ``kinds`` with an end among :attr:`organisations`, in the order of
        ``layers.links``."""
        return links_of_kinds(layers, self.link_positions(layers), kinds)


def _districts(graphs: Iterable[nx.MultiDiGraph], nodes: Iterable[str]) -> frozenset[str | None]:
    """The districts (None for none) of ``nodes`` in any of ``graphs``."""
    nodes = list(nodes)
    return frozenset(G._node[n].get("district") or None for G in graphs for n in nodes if n in G)


def _members(G: nx.MultiDiGraph, districts: frozenset[str | None]) -> list[str]:
    """The organisations of ``G`` in one of ``districts``, in node order."""
    if not districts:
        return []
    return [n for n, data in G._node.items() if (data.get("district") or None) in districts]


def links_at(layers: Layers, among: frozenset[str] | set[str]) -> np.ndarray:
    """The positions in ``layers.links`` of the links in force with an end among ``among``, in order.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edges_from([("a", "b", "m1", {"kind": "mou"}), ("b", "c", "m2", {"kind": "mou"})])
    >>> links_at(Layers(G), {"c"}).tolist()
    [1]
    """
    nodes, tails, heads = layers.ends
    inside = np.fromiter(map(among.__contains__, nodes), dtype=bool, count=len(nodes))
    return np.flatnonzero(inside[tails] | inside[heads])


def links_of_kinds(layers: Layers, positions: Iterable[int], kinds: Iterable[str]
                   ) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """The links in force at ``positions`` of ``layers.links`` that are of one of ``kinds``, in that order."""
    wanted = frozenset(kinds)
    return (layers.links[i] for i in positions if layers.kinds[i] in wanted)
