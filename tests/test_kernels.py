"""The igraph kernels give NetworkX's answers: hand-built graphs with the answer stated, and generated graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import kernels
from network.analysis.kernels import Indexed, Undirected, brandes_sums, cut_points, immediate_dominators


def test_dominators_of_a_diamond_and_a_tail():
    # 1 reaches 5 by 2 or by 3-4, so only 1 dominates 5; 4 is reached only through 3; 6 is unreachable.
    G = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5), (6, 1)])
    assert immediate_dominators(G, 1) == {2: 1, 3: 1, 4: 3, 5: 1}
    assert immediate_dominators(G, 1) == nx.immediate_dominators(G, 1)


def test_dominators_of_a_lone_start_and_an_unknown_start():
    G = nx.DiGraph()
    G.add_node("a")
    assert immediate_dominators(G, "a") == {} == nx.immediate_dominators(G, "a")
    with pytest.raises(nx.NetworkXError):
        immediate_dominators(G, "b")


def test_dominators_from_a_sink_feeding_two_providers_in_a_subgraph():
    # Reversed reach graph: providers p and q; x reaches them only through h; y is left out of the subgraph.
    graph = Indexed(["p", "q", "h", "x", "y"], [("p", "h"), ("q", "h"), ("h", "x"), ("y", "x"), ("p", "y")])
    tree = graph.dominators_from([0, 1, 2, 3], [0, 1])
    assert {graph.nodes[x]: (graph.nodes[d] if d >= 0 else "sink") for x, d in tree.items()} == {
        "p": "sink", "q": "sink", "h": "sink", "x": "h"}
    assert graph.dominators_from([0, 1, 2, 3], []) == {}


@st.composite
def digraphs(draw, max_nodes: int = 12):
    n = draw(st.integers(1, max_nodes))
    arcs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    G = nx.DiGraph()
    G.add_nodes_from(f"n{i}" for i in draw(st.permutations(range(n))))
    G.add_edges_from((f"n{u}", f"n{v}") for u, v in arcs)
    return G


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_dominators_match_networkx(G, data):
    start = data.draw(st.sampled_from(sorted(G)))
    assert immediate_dominators(G, start) == nx.immediate_dominators(G, start)


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_dominators_from_a_sink_match_networkx_on_the_induced_subgraph(G, data):
    nodes = list(G)
    members = data.draw(st.lists(st.sampled_from(range(len(nodes))), unique=True, min_size=1))
    sources = data.draw(st.lists(st.sampled_from(members), unique=True, min_size=1))
    H = G.subgraph(nodes[i] for i in members).copy()
    H.add_edges_from((("sink",), nodes[s]) for s in sources)
    expected = nx.immediate_dominators(H, ("sink",))
    graph = Indexed(nodes, G.edges())
    found = graph.dominators_from(members, sources)
    assert {nodes[x]: ("sink",) if d == -1 else nodes[d] for x, d in found.items()} == expected


def test_dominators_past_a_sink_merged_with_its_providers():
    # Reversed reach graph: providers p and q; h is fed by p; x only through h; z only through x, or through y
    # fed by q; w only through p (a provider: merged into the sink); v is not reached; u is left out.
    graph = Indexed(["p", "q", "h", "x", "y", "z", "w", "v", "u"],
                    [("p", "h"), ("h", "x"), ("x", "z"), ("q", "y"), ("y", "z"), ("p", "w"), ("v", "h"),
                     ("u", "v"), ("x", "h"), ("z", "q")])
    kept, (tree, none) = graph.dominators_past([0, 1, 2, 3, 4, 5, 6, 7], [[0, 1], []])
    assert kept.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert {graph.nodes[x]: graph.nodes[kept[d]] if d >= 0 else d for x, d in enumerate(tree.tolist())} == {
        "p": -1, "q": -1, "h": -1, "x": "h", "y": -1, "z": -1, "w": -1, "v": -2}
    assert none.tolist() == [-2] * 8
    # an arc given twice is one way in: x is still reached only through h
    kept, (tree,) = Indexed(["p", "h", "x"], [("p", "h"), ("h", "x"), ("h", "x")]).dominators_past([0, 1, 2], [[0]])
    assert tree.tolist() == [-1, -1, 1]


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_dominators_past_the_sources_match_networkx_with_the_sources_merged_into_the_sink(G, data):
    nodes = list(G)
    members = data.draw(st.lists(st.sampled_from(range(len(nodes))), unique=True, min_size=1))
    source_sets = data.draw(st.lists(st.lists(st.sampled_from(members), unique=True), max_size=3))
    kept, trees = Indexed(nodes, G.edges()).dominators_past(members, source_sets)
    assert kept.tolist() == sorted(members)
    for sources, tree in zip(source_sets, trees, strict=True):
        H = G.subgraph(nodes[i] for i in members).copy()
        H.add_node(("sink",))
        H.add_edges_from((("sink",), nodes[s]) for s in sources)
        merged = {nodes[s] for s in sources} | {("sink",)}
        found = nx.immediate_dominators(H, ("sink",))
        expected = {x: -1 if found.get(x, ("sink",)) in merged else found[x] for x in found if x != ("sink",)}
        assert {nodes[kept[x]]: d if d < 0 else nodes[kept[d]] for x, d in enumerate(tree.tolist()) if d != -2} \
            == expected


@settings(max_examples=100, deadline=None)
@given(digraphs())
def test_reversed_of_a_graph_numbers_it_as_its_reversed_arcs(G):
    reversed_arcs = Indexed(list(G), ((v, u) for u, v in G.edges()))
    found = Indexed.reversed_of(G)
    assert found.nodes == reversed_arcs.nodes
    assert [a.tolist() for a in found.arcs] == [a.tolist() for a in reversed_arcs.arcs]


def test_spread_of_a_chain_with_a_member_left_out():
    # a -> b -> c -> d: what a holds reaches b in one step and c in two, not d (three); c's reaches d.
    graph = Indexed(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d")])
    held = np.array([[True, False], [False, False], [False, True], [False, False]])
    assert graph.spread([0, 1, 2, 3], held, 2).tolist() == [[True, False], [True, False], [True, True], [False, True]]
    assert graph.spread([0, 2, 3], held, 3).tolist() == [[True, False], [False, False], [False, True], [False, True]]
    assert graph.spread([0, 1, 2, 3], held, 0).tolist() == held.tolist()


def _spread_case(G, data):
    """The nodes of ``G``, some of their positions (the members) and a number of steps, drawn."""
    nodes = list(G)
    return nodes, data.draw(st.lists(st.sampled_from(range(len(nodes))), unique=True)), data.draw(st.integers(0, 4))


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_spread_matches_bounded_searches_in_networkx(G, data):
    nodes, members, steps = _spread_case(G, data)
    held = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=len(nodes),
                                       max_size=len(nodes))), dtype=bool).reshape(len(nodes), 3)
    H = G.subgraph(nodes[i] for i in members).reverse()
    expected = held.copy()
    for i in members:
        for v in nx.single_source_shortest_path_length(H, nodes[i], cutoff=steps):
            expected[i] |= held[nodes.index(v)]
    assert Indexed(nodes, G.edges()).spread(members, held, steps).tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(digraphs(), st.data())
def test_spread_of_more_columns_than_a_word_holds(G, data):
    """spread packs 64 columns into a word: 130 columns make three words, each searched as the columns alone."""
    nodes, members, steps = _spread_case(G, data)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    held = rng.random((len(nodes), 130)) < 0.05
    graph = Indexed(nodes, G.edges())
    expected = np.concatenate([graph.spread(members, held[:, [c]], steps) for c in range(130)], axis=1)
    assert graph.spread(members, held, steps).tolist() == expected.tolist()


@st.composite
def graphs(draw, max_nodes: int = 14):
    n = draw(st.integers(1, max_nodes))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    T = nx.Graph()
    T.add_nodes_from(f"n{i}" for i in draw(st.permutations(range(n))))
    T.add_edges_from((f"n{u}", f"n{v}") for u, v in pairs if u != v)
    return T


def _dependency_sums(T: nx.Graph, nodes: list, sources: list) -> list[float]:
    """Brandes' accumulation from each source, written out plainly (the reference)."""
    sums = dict.fromkeys(nodes, 0.0)
    for s in sources:
        order, preds, sigma, dist = [s], {v: [] for v in T}, dict.fromkeys(T, 0), {s: 0}
        sigma[s] = 1
        for v in order:
            for w in T[v]:
                if w not in dist:
                    dist[w] = dist[v] + 1
                    order.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = dict.fromkeys(T, 0.0)
        for w in reversed(order):
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
            if w != s:
                sums[w] += delta[w]
    return [sums[v] for v in nodes]


def test_dependency_sums_of_a_star():
    # Every pair of leaves passes through the centre: 4 leaves, 12 ordered pairs.
    T = nx.star_graph(4)
    assert brandes_sums(T, list(T), None) == [12.0, 0.0, 0.0, 0.0, 0.0]
    assert brandes_sums(T, list(T), [1]) == [3.0, 0.0, 0.0, 0.0, 0.0]


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_dependency_sums_match_brandes_and_networkx(T, data):
    nodes = list(T)
    sources = data.draw(st.lists(st.sampled_from(nodes), unique=True))
    assert brandes_sums(T, nodes, sources) == pytest.approx(_dependency_sums(T, nodes, sources), rel=1e-12, abs=1e-12)
    exact = nx.betweenness_centrality(T, normalized=False)
    assert brandes_sums(T, nodes, None) == pytest.approx([2 * exact[v] for v in nodes], rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_cut_points_match_networkx(T):
    points, bridges = cut_points(T)
    assert sorted(points) == sorted(nx.articulation_points(T))
    assert sorted(tuple(sorted(b)) for b in bridges) == sorted(tuple(sorted(b)) for b in nx.bridges(T))


@settings(max_examples=150, deadline=None)
@given(digraphs(), st.data())
def test_dominators_from_each_set_of_sources_match_one_at_a_time(G, data):
    graph = Indexed(list(G), G.edges())
    members = data.draw(st.lists(st.sampled_from(range(len(graph.nodes))), unique=True, min_size=1))
    source_sets = data.draw(st.lists(st.lists(st.sampled_from(members), unique=True), max_size=4))
    assert graph.dominators_from_each(members, source_sets) == [graph.dominators_from(members, s) for s in source_sets]


def test_graph_of_arcs_joins_each_pair_once():
    # a <-> b recorded both ways, b -> c twice, a loop at c and d alone: ties a-b and b-c; b cuts; both are bridges
    graph = Undirected.of_arcs(["a", "b", "c", "d"], np.array([0, 1, 1, 1, 2]), np.array([1, 0, 2, 2, 2]))
    assert graph.degrees().tolist() == [1, 2, 1, 0]
    assert graph.cut_points() == (["b"], [("a", "b"), ("b", "c")])
    assert graph.component_sizes() == [3, 1] and graph.isolated() == 1


@settings(max_examples=200, deadline=None)
@given(digraphs(), st.data())
def test_graph_of_arcs_is_the_undirected_graph_networkx_makes(G, data):
    nodes = data.draw(st.permutations(list(G)))
    index = {n: i for i, n in enumerate(nodes)}
    tails = np.array([index[u] for u, _ in G.edges()], dtype=np.int64)
    heads = np.array([index[v] for _, v in G.edges()], dtype=np.int64)
    T = nx.Graph(G)
    T.remove_edges_from(list(nx.selfloop_edges(T)))
    graph = Undirected.of_arcs(nodes, tails, heads)
    assert graph.degrees().tolist() == [T.degree(n) for n in nodes]
    assert sorted(graph.component_sizes()) == sorted(len(c) for c in nx.connected_components(T))
    points, bridges = graph.cut_points()
    assert sorted(points) == sorted(nx.articulation_points(T))
    assert sorted(tuple(sorted(b)) for b in bridges) == sorted(tuple(sorted(b)) for b in nx.bridges(T))
    assert graph.brandes_sums(None) == pytest.approx(Undirected(T, nodes).brandes_sums(None), rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_numbering_a_graph_keeps_its_edges_as_networkx_lists_them(T, data):
    T.add_edges_from((n, n) for n in data.draw(st.lists(st.sampled_from(list(T)), max_size=2)))  # left out
    nodes = data.draw(st.permutations(list(T)))
    graph = Undirected(T, nodes)
    near, far = graph.ends
    assert [(nodes[u], nodes[v]) for u, v in zip(near.tolist(), far.tolist(), strict=True)] == [
        (u, v) for u, v in T.edges() if u != v]
    assert graph.degrees().tolist() == [T.degree(n) - 2 * T.has_edge(n, n) for n in nodes]


def test_dominator_trees_found_again_when_only_members_without_arcs_changed(monkeypatch):
    # reversed reach graph p -> h -> x -> y; then an organisation registered (no links yet) is a member too, and
    # numbered first: the trees are those found before, without computing them again
    arcs = [("p", "h"), ("h", "x"), ("x", "y")]
    before = Indexed(["p", "h", "x", "y"], arcs)
    kept, (tree,) = before.dominators_past([0, 1, 2, 3], [[0]])
    named = {before.nodes[kept[i]]: d if d < 0 else before.nodes[kept[d]] for i, d in enumerate(tree.tolist())}
    assert named == {"p": -1, "h": -1, "x": "h", "y": "x"}
    monkeypatch.setattr(kernels, "_dominators_past", lambda *args: pytest.fail("computed again"))
    after = Indexed(["a-new", "p", "h", "x", "y"], arcs)
    for sources, new in (([1], -2), ([0, 1], -1)):  # the new one unreached, or a provider itself
        kept, (tree,) = after.dominators_past([0, 1, 2, 3, 4], [sources])
        assert {after.nodes[kept[i]]: d if d < 0 else after.nodes[kept[d]] for i, d in enumerate(tree.tolist())} \
            == {**named, "a-new": new}


def test_reach_found_again_when_only_members_without_arcs_changed(monkeypatch):
    arcs = [("p", "h"), ("h", "x"), ("x", "y")]
    before = Indexed(["p", "h", "x", "y"], arcs)
    reach = before.spread([0, 1, 2, 3], np.array([[True], [False], [False], [False]]), 2)
    assert reach[:, 0].tolist() == [True, True, True, False]
    monkeypatch.setattr(kernels, "_spread", lambda *args: pytest.fail("computed again"))
    after = Indexed(["a-new", "p", "h", "x", "y"], arcs)
    for new in (True, False):  # a member without arcs keeps what it holds
        reach = after.spread([0, 1, 2, 3, 4], np.array([[new], [True], [False], [False], [False]]), 2)
        assert reach[:, 0].tolist() == [new, True, True, True, False]
    monkeypatch.undo()
    # a changed arc is a different reach graph: computed afresh
    assert Indexed(["p", "h", "x", "y"], [("p", "h"), ("h", "x"), ("p", "y")]).spread(
        [0, 1, 2, 3], np.array([[True], [False], [False], [False]]), 1)[:, 0].tolist() == [True, True, False, True]
