"""Graph kernels in C (igraph) for the analyses' hot loops, giving the same answers as NetworkX.

The analyses are written against NetworkX graphs. Where one NetworkX algorithm
dominates the report's time, the same algorithm runs here on an integer-indexed
igraph copy of the graph, and the answer comes back in the NetworkX graph's
node names. ``tests/test_kernels.py`` checks each kernel against NetworkX on
hand-built and hypothesis-generated graphs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from functools import cached_property
from itertools import chain

import igraph
import networkx as nx
import numpy as np

from network.analysis.recent import Recent, fingerprint

__all__ = [
    "Indexed", "Runs", "Undirected", "brandes_sums", "broker_array", "broker_counts", "cut_points", "distinct",
    "igraph_graph", "immediate_dominators", "in_sorted", "joined_by", "tally",
]

#: Edges :func:`igraph_graph` turns into Python pairs at a time.
EDGE_BATCH = 65_536
#: The dominator trees and the reaches of the last few reach graphs: a network's populations, before and after an
#: edit, and a district's.
_PAST: Recent[np.ndarray] = Recent(256)
_SPREAD: Recent[np.ndarray] = Recent(64)


def immediate_dominators(G: nx.DiGraph, start: Hashable) -> dict[Hashable, Hashable]:
    """The immediate dominators of every node reachable from ``start``: :func:`networkx.immediate_dominators`.

    Parameters
    ----------
    G : networkx.DiGraph
        A directed graph.
    start : node
        The root of the dominator tree.

    Returns
    -------
    dict
        ``{node: immediate dominator}`` for every node reachable from
        ``start`` except ``start`` itself, as NetworkX returns it.

    Notes
    -----
    Immediate dominators are unique, so igraph's Lengauer-Tarjan gives the
    same answer as NetworkX's Cooper-Harvey-Kennedy, in C.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    >>> sorted(immediate_dominators(G, 1).items())
    [(2, 1), (3, 1), (4, 3), (5, 1)]
    """
    if start not in G:
        raise nx.NetworkXError("start is not in G")
    indexed = Indexed(list(G), G.edges())
    everyone = list(range(len(indexed.nodes)))
    tree = indexed.dominators_from(everyone, [indexed.index[start]])
    return {indexed.nodes[x]: indexed.nodes[d] for x, d in tree.items() if d >= 0 and x != indexed.index[start]}


def brandes_sums(T: nx.Graph, nodes: Sequence[Hashable], sources: Sequence[Hashable] | None) -> list[float]:
    """For each of ``nodes``, the sum of its dependencies from each of ``sources`` (all when None) in ``T``.

    One round of Brandes' algorithm per source, as :func:`networkx.betweenness_centrality`
    counts before it normalises: an undirected graph's pair is counted from both ends
    when both are sources. The same sums as NetworkX's up to rounding (the order of the
    floating-point additions differs), by igraph's betweenness in C.

    >>> import networkx as nx
    >>> brandes_sums(nx.path_graph(4), [0, 1, 2, 3], None)
    [0.0, 4.0, 4.0, 0.0]
    >>> brandes_sums(nx.path_graph(4), [0, 1, 2, 3], [0])
    [0.0, 2.0, 1.0, 0.0]
    """
    return Undirected(T, nodes).brandes_sums(sources)


def cut_points(T: nx.Graph) -> tuple[list[Hashable], list[tuple[Hashable, Hashable]]]:
    """The articulation points and the bridges of the undirected graph ``T``, by igraph.

    The nodes lying in more than one biconnected component, and the edges that
    form a biconnected component of their own (whose removal disconnects their
    ends), as :func:`networkx.articulation_points` and :func:`networkx.bridges`
    find them; in no particular order.

    >>> import networkx as nx
    >>> points, bridges = cut_points(nx.Graph([(1, 2), (2, 3), (3, 1), (3, 4)]))
    >>> points, sorted(tuple(sorted(b)) for b in bridges)
    ([3], [(3, 4)])
    """
    return Undirected(T).cut_points()


class Undirected:
    """An undirected graph numbered once, for several igraph kernels.

    Parameters
    ----------
    T : networkx.Graph
        The graph (loops are left out).
    nodes : sequence, optional
        Its nodes in the order to number them (default ``list(T)``).

    See :meth:`of_arcs` for the graph of the pairs that numbered arcs join.

    >>> import networkx as nx
    >>> graph = Undirected(nx.Graph([(1, 2), (2, 3), (4, 4)]))
    >>> graph.component_sizes(), graph.brandes_sums(None), graph.cut_points()
    ([3, 1], [0.0, 2.0, 0.0, 0.0], ([2], [(1, 2), (2, 3)]))
    >>> graph.degrees().tolist()
    [1, 2, 1, 0]
    """

    def __init__(self, T: nx.Graph, nodes: Sequence[Hashable] | None = None) -> None:
        adjacency = T.adj
        own = list(adjacency)  # T's order, in which T.edges() meets each edge first from its earlier end
        position = {n: i for i, n in enumerate(own)}
        degree = np.fromiter(map(len, adjacency.values()), dtype=np.int64, count=len(own))
        far = np.fromiter(map(position.__getitem__, chain.from_iterable(adjacency.values())), dtype=np.int64,
                          count=int(degree.sum()))
        near = np.repeat(np.arange(len(own), dtype=np.int64), degree)
        kept = far > near  # each edge once, as T.edges() gives it; loops left out
        near, far = near[kept], far[kept]
        if nodes is not None:
            nodes = list(nodes)
            index = {n: i for i, n in enumerate(nodes)}
            renumber = np.fromiter(map(index.__getitem__, own), dtype=np.int64, count=len(own))
            near, far = renumber[near], renumber[far]
        self._number(own if nodes is None else nodes, near, far)

    @classmethod
    def of_arcs(cls, nodes: Sequence[Hashable], tails: np.ndarray, heads: np.ndarray) -> Undirected:
        """The undirected graph of the pairs of ``nodes`` that the arcs ``tails[i] -> heads[i]`` join (numbers).

        Repeats, the second direction of a pair and loops are left out; its
        edges are the distinct pairs, low number first, in increasing order.

        >>> graph = Undirected.of_arcs("abc", np.array([0, 1, 1, 2]), np.array([1, 0, 2, 2]))
        >>> graph.cut_points(), graph.degrees().tolist()
        ((['b'], [('a', 'b'), ('b', 'c')]), [1, 2, 1])
        """
        graph = cls.__new__(cls)
        pairs = _pairs(len(nodes), tails, heads)
        graph._number(list(nodes), *np.divmod(pairs, max(len(nodes), 1)))
        return graph

    def _number(self, nodes: list[Hashable], near: np.ndarray, far: np.ndarray) -> None:
        self.nodes = nodes
        self.index = {n: i for i, n in enumerate(nodes)}
        self.ends = near, far
        self.graph = igraph_graph(len(nodes), near, far)

    def brandes_sums(self, sources: Sequence[Hashable] | None) -> list[float]:
        """:func:`brandes_sums` of the graph, its nodes in this numbering."""
        return self.brandes_array(sources).tolist()

    def brandes_array(self, sources: Sequence[Hashable] | None) -> np.ndarray:
        """:meth:`brandes_sums` as an array."""
        if sources is None:
            halves = self.graph.betweenness(directed=False)
        elif sources:
            halves = self.graph.betweenness(directed=False, sources=[self.index[v] for v in sources])
        else:
            halves = [0.0] * len(self.nodes)
        return np.array(halves, dtype=np.float64).reshape(-1) * 2.0

    def cut_points(self) -> tuple[list[Hashable], list[tuple[Hashable, Hashable]]]:
        """:func:`cut_points` of the graph."""
        nodes, (near, far) = self.nodes, self.ends
        bridges = self.graph.bridges()
        return ([nodes[i] for i in self.graph.articulation_points()],
                [(nodes[u], nodes[v]) for u, v in zip(near[bridges].tolist(), far[bridges].tolist(), strict=True)])

    def component_sizes(self) -> list[int]:
        """The number of nodes of each connected component."""
        return list(self.graph.connected_components().sizes())

    def isolated(self) -> int:
        """The number of nodes with no edge (a loop is none)."""
        return int(np.count_nonzero(self.degrees() == 0))

    def degrees(self) -> np.ndarray:
        """The number of edges at each node (loops left out)."""
        near, far = self.ends
        n = len(self.nodes)
        return np.bincount(near, minlength=n) + np.bincount(far, minlength=n)


def broker_counts(n: int, sources: Sequence[int], targets: Sequence[int], group: Sequence[int]) -> list[list[int]]:
    """Gould-Fernandez brokerage counts of nodes ``0 .. n-1``: the open two-paths each brokers, by role.

    Parameters
    ----------
    n : int
        The number of nodes.
    sources, targets : sequence of int
        The arcs ``sources[i] -> targets[i]`` (repeats and loops are ignored).
    group : sequence of int
        Each node's group.

    Returns
    -------
    list of list of int
        Per node ``b``, the number of two-paths ``a -> b -> c`` with ``a != c``
        and no arc ``a -> c``, as ``[coordinator, gatekeeper, representative,
        consultant, liaison]`` (``A = B = C``, ``A != B = C``, ``A = B != C``,
        ``A = C != B``, all different, for the groups ``A``, ``B``, ``C`` of
        ``a``, ``b``, ``c``).

    Notes
    -----
    Every two-path through ``b`` is counted from the group tallies of its in-
    and out-neighbours; those closed by an arc ``a -> c`` lie on a triangle of
    the undirected graph, listed by igraph in C, and those with ``a = c`` on a
    pair of opposite arcs: both are subtracted, all with numpy.

    >>> broker_counts(3, [0, 1], [1, 2], [0, 1, 2])
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    >>> broker_counts(3, [0, 1, 0], [1, 2, 2], [0, 0, 0])
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    """
    return broker_array(n, sources, targets, group).tolist()


def broker_array(
    n: int, sources: Sequence[int], targets: Sequence[int], group: Sequence[int], ties: Undirected | None = None
) -> np.ndarray:
    """:func:`broker_counts` as an array of shape ``(n, 5)``.

    ``ties``, if given, is ``Undirected.of_arcs`` of ``n`` nodes and the same
    arcs (its triangles are the ones to list), so a caller that has built it
    already does not build it twice.

    >>> broker_array(3, [0, 1], [1, 2], [0, 1, 2])[1].tolist()
    [0, 0, 0, 0, 1]
    """
    g = np.array(group, dtype=np.int64).reshape(-1)
    a, b = np.array(sources, dtype=np.int64).reshape(-1), np.array(targets, dtype=np.int64).reshape(-1)
    keys = distinct((a * n + b)[a != b])
    a, b = np.divmod(keys, n)
    same = g[a] == g[b]
    indeg, outdeg = np.bincount(b, minlength=n), np.bincount(a, minlength=n)
    own_in, own_out = np.bincount(b[same], minlength=n), np.bincount(a[same], minlength=n)
    k = int(g.max(initial=0)) + 1
    # consultant two-paths: in- and out-neighbours of one group other than the broker's
    ins, in_count = tally(b[~same] * k + g[a[~same]])
    outs, out_count = tally(a[~same] * k + g[b[~same]])
    both, i, o = np.intersect1d(ins, outs, assume_unique=True, return_indices=True)
    consultant = np.zeros(n, dtype=np.int64)
    np.add.at(consultant, both // k, in_count[i] * out_count[o])
    counts = np.stack([own_in * own_out, (indeg - own_in) * own_out, own_in * (outdeg - own_out), consultant,
                       (indeg - own_in) * (outdeg - own_out) - consultant])
    # each pair of nodes an arc joins, low number first, and which ways its arcs go
    pair_keys = np.minimum(a, b) * n + np.maximum(a, b)
    pairs = distinct(pair_keys)
    pair_of = np.searchsorted(pairs, pair_keys)
    up, down = np.zeros(len(pairs), dtype=bool), np.zeros(len(pairs), dtype=bool)
    up[pair_of[a < b]] = True
    down[pair_of[a > b]] = True
    # a -> b -> a: a coordinator's when a is of b's group, else a consultant's
    back = up[pair_of] & down[pair_of]
    np.subtract.at(counts, (np.where(same[back], 0, 3), b[back]), 1)
    # a -> b -> c closed by a -> c: on a triangle of the undirected graph
    low, high = np.divmod(pairs, n)
    graph = (ties or Undirected.of_arcs(range(n), low, high)).graph
    triangles = np.sort(np.array(graph.list_triangles(), dtype=np.int64).reshape(-1, 3), axis=1)
    ends = (triangles[:, 0], triangles[:, 1], triangles[:, 2])
    side = {(p, q): np.searchsorted(pairs, ends[p] * n + ends[q]) for p, q in ((0, 1), (0, 2), (1, 2))}

    def arc(p: int, q: int) -> np.ndarray:
        return up[side[p, q]] if p < q else down[side[q, p]]

    for x, y, z in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        closed = arc(x, y) & arc(y, z) & arc(x, z)
        p, q, r = ends[x][closed], ends[y][closed], ends[z][closed]
        np.subtract.at(counts, (_role(g[p], g[q], g[r]), q), 1)
    return counts.T


def _pairs(n: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """The distinct pairs the arcs ``tails[i] -> heads[i]`` of ``n`` nodes join, as sorted keys ``low * n + high``."""
    tails, heads = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
    apart = tails != heads
    return distinct(np.minimum(tails, heads)[apart] * n + np.maximum(tails, heads)[apart])


class Runs:
    """Items grouped by an integer key (say a pair of numbers ``low * n + high``), found by key.

    Parameters
    ----------
    keys : numpy.ndarray
        The key of each item.
    positions : numpy.ndarray
        What each item stands for (say a link's position in a list).

    Attributes
    ----------
    keys : numpy.ndarray
        The distinct keys, sorted.
    first : numpy.ndarray
        For each of :attr:`keys`, the index (in the items given) of its first item.
    leading : numpy.ndarray
        For each of :attr:`keys`, the position of its first item.

    Examples
    --------
    >>> runs = Runs(np.array([5, 2, 5, 2]), np.array([10, 11, 12, 13]))
    >>> runs.keys.tolist(), runs.first.tolist(), runs.leading.tolist(), runs.of(5), runs.of(3)
    ([2, 5], [1, 0], [11, 10], [10, 12], [])
    """

    def __init__(self, keys: np.ndarray, positions: np.ndarray) -> None:
        grouped = np.argsort(keys, kind="stable")  # each key's items together, in the order given
        self._starts = np.flatnonzero(np.diff(keys[grouped], prepend=-1))
        self.keys = keys[grouped][self._starts]
        self.first = grouped[self._starts]
        self.leading = positions[self.first]
        self._positions = positions[grouped]

    def of(self, key: int) -> list[int]:
        """The positions of the items of ``key``, in the order given (empty for a key no item has)."""
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or self.keys[at] != key:
            return []
        end = int(self._starts[at + 1]) if at + 1 < len(self._starts) else len(self._positions)
        return self._positions[self._starts[at]:end].tolist()


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct ``values``, sorted (``np.unique``, by sorting: numpy 2.4's hashing is slower here).

    >>> distinct(np.array([3, 1, 3])).tolist()
    [1, 3]
    """
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def tally(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``values``, sorted, and how often each occurs (the lengths of their runs once sorted).

    >>> [a.tolist() for a in tally(np.array([3, 1, 3, 3]))], [a.tolist() for a in tally(np.array([], dtype=int))]
    ([[1, 3], [1, 3]], [[], []])
    """
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if len(ordered) else \
        np.zeros(0, dtype=np.int64)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def in_sorted(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``pool``, sorted (``np.isin``, by binary search).

    >>> in_sorted(np.array([2, 5, 9]), np.array([1, 2, 5])).tolist(), in_sorted(np.array([1]), np.array([])).tolist()
    ([True, True, False], [False])
    """
    if not len(pool):
        return np.zeros(len(values), dtype=bool)
    return pool[np.minimum(np.searchsorted(pool, values), len(pool) - 1)] == values


def _role(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """The role (index into ``broker_counts``' rows) of ``b`` on each two-path ``a -> b -> c``."""
    return np.where(ga == gb, np.where(gc == gb, 0, 2), np.where(gc == gb, 1, np.where(ga == gc, 3, 4)))


class Indexed:
    """A directed graph numbered once, for kernels run on many of its induced subgraphs.

    Parameters
    ----------
    nodes : sequence
        The nodes, numbered by their position.
    arcs : iterable of (u, v)
        The arcs, between nodes of ``nodes``.

    Examples
    --------
    >>> graph = Indexed(["a", "b", "c"], [("a", "b"), ("b", "c")])
    >>> graph.dominators_from([0, 1, 2], [0])
    {0: -1, 1: 0, 2: 1}
    """

    def __init__(self, nodes: Sequence[Hashable], arcs: Iterable[tuple[Hashable, Hashable]]) -> None:
        self.nodes = list(nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        pairs = list(arcs)
        tails, heads = zip(*pairs, strict=True) if pairs else ((), ())
        number = self.index.__getitem__
        #: The arcs' tails and heads (numbers), as two arrays, in the order given.
        self.arcs = (np.fromiter(map(number, tails), dtype=np.int64, count=len(pairs)),
                     np.fromiter(map(number, heads), dtype=np.int64, count=len(pairs)))

    @classmethod
    def of_numbers(cls, nodes: Sequence[Hashable], tails: np.ndarray, heads: np.ndarray) -> Indexed:
        """The graph of ``nodes`` with the arcs ``tails[i] -> heads[i]`` (numbers, positions in ``nodes``).

        >>> Indexed.of_numbers(["a", "b"], np.array([1]), np.array([0])).arcs
        (array([1]), array([0]))
        """
        graph = cls(nodes, ())
        graph.arcs = (tails, heads)
        return graph

    @classmethod
    def reversed_of(cls, R: nx.DiGraph) -> Indexed:
        """``R`` with every arc reversed, as ``Indexed(list(R), ((v, u) for u, v in R.edges()))``, read from R's
        adjacency at once.

        >>> import networkx as nx
        >>> Indexed.reversed_of(nx.DiGraph([("a", "b"), ("a", "c"), ("c", "b")])).arcs
        (array([1, 2, 1]), array([0, 0, 2]))
        """
        graph = cls(list(R), ())
        successors = list(R._adj.values())
        number = graph.index.__getitem__
        count = sum(map(len, successors))
        tails = np.fromiter(map(number, chain.from_iterable(successors)), dtype=np.int64, count=count)
        heads = np.repeat(np.fromiter(map(number, R._adj), dtype=np.int64, count=len(successors)),
                          list(map(len, successors)))
        graph.arcs = (tails, heads)
        return graph

    @cached_property
    def graph(self) -> igraph.Graph:
        """The graph in igraph, its vertices numbered as :attr:`nodes` (kept as the vertex attribute ``i``)."""
        tails, heads = self.arcs
        graph = igraph_graph(len(self.nodes), tails, heads, directed=True)
        graph.vs["i"] = range(len(self.nodes))
        return graph

    @cached_property
    def _distinct_arcs(self) -> tuple[np.ndarray, np.ndarray]:
        """:attr:`arcs`, each once, sorted by tail then head."""
        tails, heads = self.arcs
        n = max(len(self.nodes), 1)
        return np.divmod(distinct(tails * n + heads), n)

    @cached_property
    def _by_head(self) -> tuple[np.ndarray, np.ndarray]:
        """:attr:`arcs` sorted by head (in the order given among those of one head)."""
        tails, heads = self.arcs
        order = np.argsort(heads, kind="stable")
        return tails[order], heads[order]

    def spread(self, members: Sequence[int], flags: np.ndarray, steps: int) -> np.ndarray:
        """What each member holds or can reach within ``steps`` arcs of the subgraph induced by ``members``.

        Parameters
        ----------
        members : sequence of int
            The numbers of the nodes the arcs may pass through.
        flags : numpy.ndarray of bool, shape (number of nodes, k)
            What each node holds (rows of nodes outside ``members`` are left as they are).
        steps : int
            The most arcs a path may take.

        Returns
        -------
        numpy.ndarray of bool
            ``flags`` with each member's row or-ed with the rows of every
            member with a path of at most ``steps`` arcs to it, all inside
            ``members``: one breadth-first search per column, all at once.

        Notes
        -----
        The reach of the members joined by arcs is kept for the next call
        (:class:`~network.analysis.recent.Recent`), as for
        :meth:`dominators_past`.

        >>> graph = Indexed(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d")])
        >>> graph.spread([0, 1, 2, 3], np.array([[True], [False], [False], [False]]), 2)[:, 0].tolist()
        [True, True, True, False]
        >>> graph.spread([0, 2, 3], np.array([[True], [False], [False], [False]]), 3)[:, 0].tolist()
        [True, False, False, False]
        """
        inside = np.zeros(len(self.nodes), dtype=bool)
        inside[np.asarray(members, dtype=np.int64)] = True
        tails, heads = self._by_head
        kept = inside[tails] & inside[heads]
        reach = flags.copy()
        if not kept.any():
            return reach
        joined, _, (tails, heads) = joined_by(len(self.nodes), tails[kept], heads[kept])
        held = flags[joined]
        reach[joined] = _SPREAD.get((len(joined), fingerprint(tails, heads, held), steps), _spread, tails, heads, held,
                                    steps)
        return reach

    def dominators_from(self, members: Sequence[int], sources: Sequence[int]) -> dict[int, int]:
        """Immediate dominators in the subgraph induced by ``members``, rooted at a new node feeding ``sources``.

        The new root has an arc to each of ``sources`` (members). Returns
        ``{x: immediate dominator of x}`` for every member reachable from the
        root, in this graph's numbering, with ``-1`` standing for the root.
        """
        return self.dominators_from_each(members, [sources])[0]

    def dominators_from_each(
        self, members: Sequence[int], source_sets: Sequence[Sequence[int]]
    ) -> list[dict[int, int]]:
        """:meth:`dominators_from` for each of ``source_sets``, the subgraph induced by ``members`` built once.

        Each set of sources gets a root of its own; no arc enters a root, so
        one root's tree never reaches another root.
        """
        kept, trees = self.dominator_arrays(members, source_sets)
        found = []
        for parent in trees:
            reached = np.flatnonzero(parent >= -1)
            dominators = parent[reached]
            named = np.where(dominators >= 0, kept[np.maximum(dominators, 0)], -1)
            found.append(dict(zip(kept[reached].tolist(), named.tolist(), strict=True)))
        return found

    def dominator_arrays(
        self, members: Sequence[int], source_sets: Sequence[Sequence[int]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The trees of :meth:`dominators_from_each` as arrays over the subgraph's own numbering.

        Returns ``kept``, this graph's numbers of the subgraph's nodes (its
        own number ``j`` is this graph's ``kept[j]``), and per set of sources
        an array holding, for each ``j``, the subgraph number of its immediate
        dominator, ``-1`` when that is the root and ``-2`` when the root does
        not reach ``j``.

        >>> graph = Indexed(["a", "b", "c"], [("a", "b"), ("b", "c")])
        >>> kept, (tree,) = graph.dominator_arrays([1, 2], [[1]])
        >>> kept.tolist(), tree.tolist()
        ([1, 2], [-1, 0])
        """
        sub = self.graph.induced_subgraph(members)
        kept = np.array(sub.vs["i"], dtype=np.int64)
        first = len(kept)
        local = np.full(len(self.nodes), -1, dtype=np.int64)
        local[kept] = np.arange(first)
        sub.add_vertices(len(source_sets))
        sub.add_edges([(first + k, s) for k, sources in enumerate(source_sets) for s in local[sources].tolist()])
        trees = []
        for k, sources in enumerate(source_sets):
            if not len(sources):
                trees.append(np.full(first, -2, dtype=np.int64))
                continue
            dominators = np.array(sub.dominator(first + k, mode="out")[:first], dtype=np.float64)
            parent = np.full(first, -2, dtype=np.int64)
            reached = dominators >= 0  # not NaN (unreachable) nor -1 (the root itself)
            # every dominator is a member or this root (no arc enters the other roots)
            parent[reached] = dominators[reached].astype(np.int64)
            parent[parent >= first] = -1
            trees.append(parent)
        return kept, trees

    def dominators_past(
        self, members: Sequence[int], source_sets: Sequence[Sequence[int]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The trees of :meth:`dominator_arrays` with each set of sources merged into its root.

        ``kept`` holds the members sorted; each array gives, for each of them,
        the subgraph number of its immediate dominator among the members that
        are not sources, ``-1`` when there is none (the member is a source, or
        its dominators are its root and perhaps one source) and ``-2`` when
        the root does not reach it. The sources must be members.

        The trees of the members joined by arcs are kept for the next call
        (:class:`~network.analysis.recent.Recent`): after an edit, a
        population's reach graph the edit left as it was, but for members
        without arcs (an organisation just registered), finds them again.

        Notes
        -----
        A source's immediate dominator is the root, so a source is the last
        dominator before the root on any chain; merging the sources into the
        root drops them from the chains and changes nothing else. Nor does
        dropping an arc into a member that a source feeds (an arc from the
        merged root): a route through that arc has a shortcut from the root
        whose members are a subset of its own. So only the members no source
        feeds, reached through the members that are fed, need Lengauer-Tarjan;
        in a network where most organisations are one step from a provider,
        that is a small graph.

        >>> graph = Indexed(["p", "h", "x", "y"], [("p", "h"), ("h", "x"), ("x", "y")])
        >>> kept, (tree,) = graph.dominators_past([0, 1, 2, 3], [[0]])
        >>> kept.tolist(), tree.tolist()
        ([0, 1, 2, 3], [-1, -1, 1, 2])
        """
        kept = distinct(np.asarray(members, dtype=np.int64))
        local = np.full(len(self.nodes), -1, dtype=np.int64)
        local[kept] = np.arange(len(kept))
        tails, heads = self._distinct_arcs
        tails, heads = local[tails], local[heads]
        inside = (tails >= 0) & (heads >= 0)
        tails, heads = tails[inside], heads[inside]  # still sorted: members are numbered in order
        # only the members an arc joins take part: one without arcs is a root's child (a source) or unreached
        joined, number, (tails, heads) = joined_by(len(kept), tails, heads)
        firsts = np.searchsorted(tails, np.arange(len(joined) + 1))
        arcs = (len(joined), fingerprint(tails, heads))
        trees = []
        for given in source_sets:
            sources = local[np.asarray(given, dtype=np.int64)]
            inner = number[sources]
            inner = inner[inner >= 0]
            tree = _PAST.get((*arcs, fingerprint(inner)), _past_tree, firsts, tails, heads, inner)
            parent = np.full(len(kept), -2, dtype=np.int64)
            parent[sources] = -1
            parent[joined] = np.where(tree >= 0, joined[np.maximum(tree, 0)], tree)
            trees.append(parent)
        return kept, trees


def joined_by(n: int, tails: np.ndarray, heads: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The nodes (of ``0 .. n-1``) at an end of an arc ``tails[i] -> heads[i]``, sorted; each node's number among
    them (-1 for the others); and the arcs with their ends so numbered (in the same order, so arcs sorted by either
    end stay sorted).

    >>> joined, number, (tails, heads) = joined_by(4, np.array([3, 1]), np.array([1, 3]))
    >>> joined.tolist(), number.tolist(), tails.tolist(), heads.tolist()
    ([1, 3], [-1, 0, -1, 1], [1, 0], [0, 1])
    """
    joined = np.zeros(n, dtype=bool)
    joined[tails] = True
    joined[heads] = True
    which = np.flatnonzero(joined)
    number = np.full(n, -1, dtype=np.int64)
    number[which] = np.arange(len(which))
    return which, number, (number[tails], number[heads])


def _spread(tails: np.ndarray, heads: np.ndarray, held: np.ndarray, steps: int) -> np.ndarray:
    """:meth:`Indexed.spread` of nodes ``0 .. len(held)-1`` holding ``held``, along the arcs ``tails -> heads``
    (sorted by head), every node a member."""
    starts = np.flatnonzero(np.concatenate(([True], heads[1:] != heads[:-1])))
    ends = heads[starts]
    reach = held.copy()
    # each node's flags as the bits of one integer per 64 columns: a step moves a word per arc, not a byte per
    # flag, and the columns are searched apart (none depends on another)
    for first in range(0, reach.shape[1], 64):
        shifts = np.arange(min(64, reach.shape[1] - first), dtype=np.uint64)
        columns = reach[:, first:first + len(shifts)]
        bits = (columns.astype(np.uint64) << shifts).sum(axis=1, dtype=np.uint64)
        for _ in range(steps):
            gained = np.bitwise_or.reduceat(bits[tails], starts) & ~bits[ends]
            if not gained.any():
                break
            bits[ends] |= gained
        columns[:] = (bits[:, None] >> shifts) & np.uint64(1)
    return reach


def _past_tree(firsts: np.ndarray, tails: np.ndarray, heads: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """:func:`_dominators_past` as kept (numbers of 32 bits: half the memory)."""
    return _dominators_past(firsts, tails, heads, sources).astype(np.int32)


def _dominators_past(firsts: np.ndarray, tails: np.ndarray, heads: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """One tree of :meth:`Indexed.dominators_past`, of nodes ``0 .. n-1`` with distinct arcs ``tails -> heads``
    sorted by tail, those of node ``i`` from ``firsts[i]`` to ``firsts[i + 1]``."""
    n = len(firsts) - 1
    parent = np.full(n, -2, dtype=np.int64)
    if not len(sources):
        return parent
    # first the members whose only dominator is the root: the sources, the members they feed, and those that
    # two such members feed (a route through either avoids any other member), found breadth first
    top = np.zeros(n, dtype=bool)
    top[sources] = True
    top[heads[_arcs_from(firsts, sources)]] = True
    feeding = np.zeros(n, dtype=np.int64)
    added = np.flatnonzero(top)
    while len(added):
        fed = heads[_arcs_from(firsts, added)]
        np.add.at(feeding, fed[~top[fed]], 1)
        added = np.flatnonzero((feeding >= 2) & ~top)
        top[added] = True
    parent[top] = -1
    into = ~top[heads]  # the arcs kept: into a member not yet placed, from any member but a source
    tails, heads = tails[into], heads[into]
    used = np.zeros(n, dtype=bool)
    used[tails] = used[heads] = True
    nodes = np.flatnonzero(used)
    if not len(nodes):
        return parent
    root = len(nodes)
    number = np.full(n, -1, dtype=np.int64)
    number[nodes] = np.arange(root)
    starts = number[nodes[top[nodes]]]
    graph = igraph_graph(root + 1, np.concatenate([np.full(len(starts), root), number[tails]]),
                         np.concatenate([starts, number[heads]]), directed=True)
    dominators = np.array(graph.dominator(root, mode="out")[:root], dtype=np.float64)
    reached = (dominators >= 0) & ~top[nodes]  # not NaN (unreachable) nor -1 (the root itself); top stay -1
    dominator = dominators[reached].astype(np.int64)
    parent[nodes[reached]] = np.where(dominator == root, -1, nodes[np.minimum(dominator, root - 1)])
    return parent


def igraph_graph(n: int, tails: np.ndarray, heads: np.ndarray, *, directed: bool = False) -> igraph.Graph:
    """The igraph graph of ``n`` vertices and the edges ``tails[i] - heads[i]``, edge ``i`` numbered ``i``.

    python-igraph reads pairs of Python ints faster than an array, but a
    list of the 430,000 ties of 50,000 organisations holds some 55 MB of
    small lists and numbers, and each ``add_edges`` call indexes the whole
    graph again (in batches, 2,500,000 edges took 13 s). So the pairs are
    streamed into one constructor call, made from ``EDGE_BATCH`` edges at a
    time: on random graphs, 0.11 s for 430,000 edges and 1.1 s for
    2,500,000, against 0.29 s and 13.4 s in batches of ``add_edges``.

    >>> igraph_graph(3, np.array([0, 1]), np.array([1, 2])).get_edgelist()
    [(0, 1), (1, 2)]
    """
    pairs = chain.from_iterable(zip(tails[start:start + EDGE_BATCH].tolist(), heads[start:start + EDGE_BATCH].tolist(),
                                    strict=True) for start in range(0, len(tails), EDGE_BATCH))
    return igraph.Graph(n=n, edges=pairs, directed=directed)


def _arcs_from(firsts: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The positions of the arcs leaving ``nodes``, in arcs sorted by tail (see :func:`_dominators_past`)."""
    counts = firsts[nodes + 1] - firsts[nodes]
    ends = np.cumsum(counts)
    return np.repeat(firsts[nodes] - ends + counts, counts) + np.arange(int(ends[-1]) if len(ends) else 0)
