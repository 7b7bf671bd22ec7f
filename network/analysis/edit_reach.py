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

__all__ = ["BOUND_TYPES", "EditReach", "links_at"]

#: The linkage-gap types whose findings each read one district, or one link, and what is next to it: after an
#: edit they are found again only within its reach (:class:`EditReach`); every other type is found again whole.
BOUND_TYPES = ("broken_cascade", "uncovered", "expiring_agreement", "cross_border_gap", "one_way_data",
               "area_unlinked")


class EditReach:
    """The organisations and districts whose district-bound and link-bound findings an edit can have changed.

    A broken cascade of ``x`` reads ``x``, the organisations it refers to and
    every organisation of its district; an uncovered service reads its
    district's organisations; a cross-border gap its district's organisations,
    their links and who is at the other end; one-way data its receiver, the
    receiver's links and who is at the other end; an unlinked intervention
    area its province's organisations, their links and who is at the other
    end; an expiring agreement its link and the link's two ends. So for the ``touched`` organisations (those
    whose records, or whose links, an edit wrote) the reach is: ``near``, the
    touched ones and their neighbours along any link, before the edit or
    after; ``districts``, the districts (``None`` for none) any of ``near``
    was in, before or after, and ``provinces`` likewise; ``members``, the
    organisations now in one of ``districts``; ``organisations``, ``near`` with ``members``. A finding
    of those types outside the reach reads nothing the edit changed.

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
    >>> sorted(reach.organisations), sorted(reach.districts)
    (['a', 'b', 'c'], ['Capricorn', 'Waterberg'])
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
        self.districts = frozenset(G._node[n].get("district") or None for G in (before, after) for n in near
                                   if n in G)
        voc = vocabulary()
        self.provinces = frozenset(province_of(G._node[n], voc) for G in (before, after) for n in near if n in G)
        self.members = [n for n, data in after._node.items() if (data.get("district") or None) in self.districts]
        self.organisations = frozenset(near.union(self.members))
        self._positions: tuple[Layers, list[int]] | None = None

    def covers(self, finding: Finding) -> bool:
        """Whether ``finding`` (of the graph before the edit) may have changed: it is found again if so.

        True for every finding of a type not in :data:`BOUND_TYPES`.
        """
        if finding.type == "broken_cascade":
            return finding.organisations[0] in self.organisations
        if finding.type in ("uncovered", "cross_border_gap"):
            return finding.district in self.districts
        if finding.type == "area_unlinked":
            return finding.details["province"] in self.provinces
        if finding.type == "one_way_data":
            return finding.organisations[0] in self.organisations
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
        wanted = frozenset(kinds)
        return (layers.links[i] for i in self.link_positions(layers) if layers.kinds[i] in wanted)


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
