"""Louvain communities (network.analysis.louvain): known answers, NetworkX agreement, order independence."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.louvain import louvain_communities


def cliques_in_a_ring(sizes: list[int]) -> nx.Graph:
    """Cliques of the given sizes (at least 4 nodes each), each joined to the next by one edge."""
    T = nx.Graph()
    cliques = []
    for k, size in enumerate(sizes):
        clique = [f"c{k}-{i:02d}" for i in range(size)]
        T.add_edges_from((u, v) for u in clique for v in clique if u < v)
        cliques.append(clique)
    if len(cliques) > 1:
        T.add_edges_from((cliques[k][0], cliques[(k + 1) % len(cliques)][-1]) for k in range(len(cliques)))
    return T


def test_two_triangles_joined_by_one_edge():
    T = nx.Graph(["ab", "bc", "ca", "cd", "de", "ef", "fd"])
    assert louvain_communities(T) == [["a", "b", "c"], ["d", "e", "f"]]


def test_every_node_once_isolated_nodes_and_loops_alone():
    T = nx.Graph(["ab", "bc", "ca", "dd"])
    T.add_node("e")
    # d has only a loop and e nothing: neither has a neighbour to join
    assert louvain_communities(T) == [["a", "b", "c"], ["d"], ["e"]]
    assert louvain_communities(nx.Graph()) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(4, 9), min_size=2, max_size=6), st.integers(0, 1000))
def test_cliques_in_a_ring_found_as_networkx_finds_them(sizes, seed):
    """Unambiguous communities: no clique is split (small ones may merge with a neighbour), as in NetworkX."""
    T = cliques_in_a_ring(sizes)
    ours = louvain_communities(T, seed)
    theirs = sorted((sorted(c) for c in nx.community.louvain_communities(T, seed=seed)),
                    key=lambda c: (-len(c), c))
    assert ours == theirs
    clique_of = {v: v.split("-")[0] for v in T}
    for clique in set(clique_of.values()):
        assert sum(any(clique_of[v] == clique for v in part) for part in ours) == 1  # not split


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.floats(0.0, 0.4), st.integers(0, 3), st.integers(0, 10_000))
def test_a_partition_of_the_nodes_the_same_on_every_run(n, p, loops, seed):
    G = nx.gnp_random_graph(n, p, seed=seed)
    G.add_edges_from((v, v) for v in list(G)[:loops])
    T = nx.relabel_nodes(G, {v: f"n{v:03d}" for v in G})
    parts = louvain_communities(T, seed)
    assert sorted(v for part in parts for v in part) == sorted(T)
    assert [len(part) for part in parts] == sorted((len(part) for part in parts), reverse=True)
    assert all(part == sorted(part) for part in parts)
    assert louvain_communities(T.copy(), seed) == parts
    # a community of several nodes is connected: nodes only ever join a community they have a tie to
    assert all(nx.is_connected(T.subgraph(part)) for part in parts)
