"""The reach graph of the links in force as numbered arcs, for the analyses that need who reaches whom, not the graph.

:func:`network.meanings.reach_graph` builds a ``networkx.DiGraph`` whose arcs
carry the ids and the strongest of the links behind them. The coordination
report asks it only who can refer to whom (numbered, for the kernels) and
which links are behind a few arcs: :class:`ReachArcs` finds the same arcs, in
the same order, from the numbered links in force with numpy.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from network.analysis.kernels import Runs
from network.meanings import REACH_KINDS

__all__ = ["ReachArcs", "reach_members"]

def reach_members(G: nx.MultiDiGraph) -> list[str]:
    """The nodes of the reach graph of ``G`` for every population: its active organisations, in node order.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {}), ("b", {"status": "inactive"}), ("c", {"status": None})])
    >>> reach_members(G)
    ['a', 'c']
    """
    return [node for node, status in G.nodes(data="status") if (status or "active") == "active"]


class ReachArcs:
    """The arcs of :func:`~network.meanings.reach_graph` (every population) of some links in force, numbered.

    Parameters
    ----------
    members : list of str
        The reach graph's nodes (:func:`reach_members`), numbered by position.
    links : list of (source, target, link_id, data)
        The links in force; those of other kinds than ``REACH_KINDS`` are
        left out.
    kinds : list
        The kind of each link.
    tails, heads : numpy.ndarray
        The numbers in ``members`` of each link's source and target.
    two_way : numpy.ndarray of bool
        Whether each link's ``two_way`` is true (as
        :attr:`~network.analysis.layers.InForce.two_way` reads it).

    Attributes
    ----------
    tails, heads : numpy.ndarray
        The arcs ``tails[a] -> heads[a]``, in the order the reach graph's
        ``edges()`` gives them: by source, then in the order each arc was
        made (when its first link was read: each link forwards, then back
        when it carries both ways).

    Examples
    --------
    >>> links = [("a", "b", "m1", {}), ("b", "c", "r1", {}), ("c", "b", "r2", {"two_way": True})]
    >>> arcs = ReachArcs(["a", "b", "c"], links, ["mou", "referral", "referral"], np.array([0, 1, 2]),
    ...                  np.array([1, 2, 1]), np.array([False, False, True]))
    >>> arcs.tails.tolist(), arcs.heads.tolist(), arcs.links_of("b", "c")
    ([0, 1, 1, 2], [1, 0, 2, 1], ['r1', 'r2'])
    """

    def __init__(
        self, members: list[str], links: list[tuple[str, str, str, Any]], kinds: list[Any], tails: np.ndarray,
        heads: np.ndarray, two_way: np.ndarray,
    ) -> None:
        self.members, self.links = members, links
        self.number = {node: i for i, node in enumerate(members)}
        n = len(members)
        kind = np.array(kinds, dtype=object)
        mou = kind == "mou"
        reach = np.logical_or.reduce([kind == k for k in REACH_KINDS])
        chosen = np.flatnonzero(reach & (tails != heads))
        # reach_directions(kind, two_way): an MoU carries both ways, a referral forwards (and back when two-way)
        back = np.flatnonzero((mou | two_way)[chosen])
        # the links as they are read: link j forwards as 2j, back as 2j + 1
        read = np.argsort(np.concatenate([2 * np.arange(len(chosen)), 2 * back + 1]), kind="stable")
        source = np.concatenate([tails[chosen], heads[chosen][back]])[read]
        target = np.concatenate([heads[chosen], tails[chosen][back]])[read]
        # each arc's links together, in reading order
        self._arcs = Runs(source * n + target, np.concatenate([chosen, chosen[back]])[read])
        made = self._arcs.first
        order = np.lexsort((made, source[made]))
        self.tails, self.heads = source[made][order], target[made][order]

    def links_of(self, x: str, y: str) -> list[str]:
        """The ids of the links behind the arc ``x -> y`` in reading order (the arc's ``links`` in the reach
        graph); empty when there is no such arc."""
        if x not in self.number or y not in self.number:
            return []
        return [self.links[i][2] for i in self._arcs.of(self.number[x] * len(self.members) + self.number[y])]
