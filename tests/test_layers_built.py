"""The shared layers fill NetworkX's dicts directly: the graphs equal those NetworkX's own methods build.

The tie graph and the reach graph are built without ``add_edges_from`` (issue 15); here they are rebuilt
edge by edge with NetworkX's public methods from the links in force, and compared node by node and
neighbour by neighbour, in order (the analyses iterate them: Louvain's result depends on the order).
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import _in_force
from network.analysis.kernels import Indexed
from network.analysis.layers import Layers, active_links, layers_for, referral_graph, tie_graph
from network.analysis.louvain import louvain_communities
from network.meanings import in_force, reach_directions
from tests.threads_support import others_ran_during

DAY = dt.date(2026, 6, 1)
KINDS = ["referral", "mou", "coordination", "funding", "membership"]


@st.composite
def partner_graphs(draw):
    n = draw(st.integers(1, 9))
    G = nx.MultiDiGraph()
    for i in draw(st.permutations(range(n))):
        G.add_node(f"o{i}", status=draw(st.sampled_from(["active", "active", "inactive"])),
                   populations=draw(st.sampled_from([[], ["msm"], ["sex_workers", "msm"]])))
    for k in range(draw(st.integers(0, 3 * n))):
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        G.add_edge(f"o{u}", f"o{v}", key=f"l{k}", kind=draw(st.sampled_from(KINDS)),
                   status=draw(st.sampled_from(["active", "active", "proposed", "expired", "ended", None])),
                   start_date=draw(st.sampled_from([None, None, DAY, dt.date(2026, 9, 1)])),
                   end_date=draw(st.sampled_from([None, dt.date(2026, 1, 1), DAY, dt.date(2027, 1, 1)])),
                   two_way=draw(st.booleans()), formal=draw(st.booleans()), weight=draw(st.integers(0, 3)))
    return G


def as_built(H: nx.Graph) -> tuple[list, list]:
    """Nodes, and each node's neighbours with the edge data, in iteration order."""
    return list(H.nodes(data=True)), [(n, list(nbrs.items())) for n, nbrs in H.adjacency()]


def networkx_ties(G: nx.MultiDiGraph, links: list) -> nx.Graph:
    """The tie graph of ``links`` among the active organisations of ``G``, built by NetworkX's own methods."""
    expected = nx.Graph()
    expected.add_nodes_from(n for n, status in G.nodes(data="status") if status == "active")
    for u, v, key, data in links:
        if u == v:
            continue
        if expected.has_edge(u, v):
            expected[u][v]["links"].append(key)
            expected[u][v]["kinds"].add(data["kind"])
        else:
            expected.add_edge(*sorted((u, v)), links=[key], kinds={data["kind"]})
    return expected


@settings(max_examples=200, deadline=None)
@given(partner_graphs())
def test_tie_graph_equals_the_one_networkx_builds(G):
    expected = networkx_ties(G, list(active_links(G, DAY)))
    T = Layers(G, DAY).ties
    assert as_built(T) == as_built(expected)
    assert sorted(T.degree()) == sorted(expected.degree())
    assert nx.utils.graphs_equal(T, expected)


@settings(max_examples=200, deadline=None)
@given(partner_graphs())
def test_reach_graph_equals_the_one_networkx_builds(G):
    R = Layers(G, DAY).referral
    expected = nx.DiGraph()
    expected.add_nodes_from(R.nodes)
    expected.add_edges_from(R.edges(data=True))
    assert as_built(R) == as_built(expected)
    # predecessors are in the order the arcs were made (link order), as R.add_edges_from over them gave;
    # expected, built from R's successors, orders them by source, so compare who and what, not the order
    assert {n: sorted(p.items()) for n, p in R.pred.items()} == {n: sorted(p.items()) for n, p in expected.pred.items()}
    assert nx.utils.graphs_equal(R, expected)
    # every arc is carried by a referral or an MoU in force between two active organisations, and no other
    carried = {(a, b) for u, v, _, data in active_links(G, DAY) if u != v
               for (a, b), on in zip(((u, v), (v, u)), reach_directions(data["kind"], data["two_way"]), strict=True)
               if on}
    assert set(R.edges()) == carried


@settings(max_examples=150, deadline=None)
@given(partner_graphs())
def test_numbered_ends_and_kinds_are_those_of_the_links_in_force(G):
    layers = Layers(G, DAY)
    nodes, tails, heads = layers.ends
    assert nodes == [n for n in G if G.nodes[n]["status"] == "active"]
    assert [(nodes[t], nodes[h]) for t, h in zip(tails.tolist(), heads.tolist(), strict=True)] == [
        (u, v) for u, v, _, _ in active_links(G, DAY)]
    assert layers.kinds == [data["kind"] for _, _, _, data in active_links(G, DAY)]
    assert layers.end_dates == [data["end_date"] for _, _, _, data in active_links(G, DAY)]
    assert layers.in_force.two_way.tolist() == [data["two_way"] for _, _, _, data in active_links(G, DAY)]


def test_a_links_two_way_is_read_as_python_tests_its_truth():
    G = nx.MultiDiGraph()
    G.add_nodes_from(["a", "b"])
    for key, value in [("l1", True), ("l2", False), ("l3", None), ("l4", 1), ("l5", "yes"), ("l6", "")]:
        G.add_edge("a", "b", key=key, kind="referral", two_way=value)
    G.add_edge("b", "a", key="l7", kind="referral")
    assert Layers(G, DAY).in_force.two_way.tolist() == [True, False, False, True, True, False, False]


@settings(max_examples=200, deadline=None)
@given(partner_graphs(), st.sets(st.sampled_from(KINDS)))
def test_links_in_force_are_the_edges_in_force_in_edge_order(G, kinds):
    active = {n for n, status in G.nodes(data="status") if status == "active"}
    expected = [(u, v, key, data) for u, v, key, data in G.edges(keys=True, data=True)
                if u in active and v in active and in_force(data, DAY)]
    assert list(active_links(G, DAY)) == expected
    layers = Layers(G, DAY)
    assert layers.links == expected
    of_kinds = [link for link in expected if link[3]["kind"] in kinds]
    assert list(active_links(G, DAY, kinds)) == of_kinds
    assert list(layers.links_of(kinds)) == of_kinds
    assert list(layers.links_of(kinds)) == of_kinds  # picked once, given again
    assert as_built(tie_graph(G, DAY, kinds)) == as_built(networkx_ties(G, of_kinds))


@settings(max_examples=100, deadline=None)
@given(partner_graphs(), st.data())
def test_a_views_links_in_force_are_those_of_its_copy(G, data):
    """A subgraph view's adjacency is not made of dicts: its links are found all the same, the same dicts."""
    keep = data.draw(st.sets(st.sampled_from(sorted(G))))
    view = G.subgraph(keep)
    found = list(active_links(view, DAY))
    assert found == list(active_links(view.copy(), DAY))
    assert all(data is G.edges[u, v, key] for u, v, key, data in found)


def test_links_in_force_refuse_an_adjacency_not_made_of_dicts():
    with pytest.raises(TypeError, match="a link's data must be a dict, not list"):
        _in_force.links({"a": {"b": {"l1": ["mou"]}}}, {"a": 0, "b": 1}, DAY, None)
    with pytest.raises(TypeError, match="must be dict, not list"):
        _in_force.links([], {}, DAY, None)


def test_other_threads_run_while_the_links_in_force_are_found():
    """The C pass lets the GIL go between organisations now and then: a server's other requests go on."""
    G = nx.MultiDiGraph()
    G.add_nodes_from((f"o{n}" for n in range(2000)), status="active")
    G.add_edges_from((f"o{n % 2000}", f"o{(n * 7 + 1) % 2000}", f"l{n}", {"kind": "mou", "status": "active"})
                     for n in range(400_000))
    found, ran = others_ran_during(lambda: active_links(G, DAY))
    assert len(list(found)) == 400_000 and ran > 0


MISSING = object()
DATES = st.one_of(st.just(MISSING), st.none(), st.dates(dt.date(2025, 12, 1), dt.date(2026, 12, 1)))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.just(MISSING), st.sampled_from(["active", "expired", "proposed", "ended", "", None, "Active"])),
       DATES, DATES, st.sampled_from([DAY, dt.date(2026, 1, 1), dt.date(2026, 12, 1)]))
def test_the_links_in_force_are_those_meanings_in_force_accepts(status, start, end, day):
    """active_links tests a link's status and dates in C (_in_force.c): the verdict of network.meanings.in_force."""
    data = {name: value for name, value in (("status", status), ("start_date", start), ("end_date", end))
            if value is not MISSING}
    G = nx.MultiDiGraph()
    G.add_nodes_from("ab", status="active")
    G.add_edge("a", "b", key="l1", kind="mou", **data)
    assert [key for _, _, key, _ in active_links(G, day)] == (["l1"] if in_force(G.edges["a", "b", "l1"], day) else [])


@settings(max_examples=200, deadline=None)
@given(partner_graphs())
def test_the_ties_read_from_numbers_are_those_of_the_tie_graph(G):
    """The report reads the ties from numbered arrays rather than building the tie graph: the same links per
    pair, the same organisations without a tie, the edges in the tie graph's order and so the same Louvain."""
    layers = Layers(G, DAY)
    T = tie_graph(G, DAY)
    for u in T:
        for v in T:
            assert layers.tie_links(u, v) == (T[u][v]["links"] if T.has_edge(u, v) else [])
    assert layers.untied() == [n for n in T if T.degree(n) == 0]
    assert all(layers.tie_links(n, m) == [] for n in G for m in G if n not in T or m not in T)
    nodes = layers.ends[0]
    assert [(nodes[a], nodes[b]) for a, b in zip(*(e.tolist() for e in layers._tie_edges), strict=True)] == list(
        T.edges())
    assert layers.communities(7) == louvain_communities(T, 7)


def networkx_reach(G: nx.MultiDiGraph, links: list) -> nx.DiGraph:
    """The reach graph of ``links`` among the active organisations of ``G``, built arc by arc by NetworkX's own
    methods in reading order (each link forwards, then back when it carries both ways), the strongest link's
    fields kept: formal before informal, then higher weight, then smaller id."""
    expected = nx.DiGraph()
    expected.add_nodes_from(n for n, status in G.nodes(data="status") if status == "active")
    for u, v, key, data in links:
        if u == v or data["kind"] not in ("referral", "mou"):
            continue
        fields = {"link": key, "kind": data["kind"], "formal": bool(data["formal"]), "weight": int(data["weight"])}
        for a, b in [(u, v), (v, u)] if data["kind"] == "mou" or data["two_way"] else [(u, v)]:
            if not expected.has_edge(a, b):
                expected.add_edge(a, b, links=[key], **fields)
                continue
            arc = expected[a][b]
            arc["links"].append(key)
            if (not fields["formal"], -fields["weight"], key) < (not arc["formal"], -arc["weight"], arc["link"]):
                arc.update(fields)
    return expected


@settings(max_examples=200, deadline=None)
@given(partner_graphs())
def test_reach_graph_is_the_one_built_arc_by_arc(G):
    R = Layers(G, DAY).referral
    expected = networkx_reach(G, list(active_links(G, DAY)))
    assert as_built(R) == as_built(expected)
    assert [(n, list(p.items())) for n, p in R.pred.items()] == [
        (n, list(p.items())) for n, p in expected.pred.items()]


@settings(max_examples=200, deadline=None)
@given(partner_graphs())
def test_the_reach_arcs_read_from_numbers_are_those_of_the_referral_graph(G):
    """The report numbers the referral graph's arcs with numpy rather than building it: the same arcs reversed
    for the kernels, in the same order, and the same links behind each arc."""
    layers = Layers(G, DAY)
    R = referral_graph(G, DAY)
    expected = Indexed.reversed_of(R)
    assert layers.backwards.nodes == expected.nodes
    assert [a.tolist() for a in layers.backwards.arcs] == [a.tolist() for a in expected.arcs]
    for x in R:
        for y in R:
            assert layers.reach_links(x, y) == (R[x][y]["links"] if R.has_edge(x, y) else [])


def test_views_given_to_an_analysis_must_be_of_its_graph_and_day() -> None:
    G, H = nx.MultiDiGraph([("a", "b")]), nx.MultiDiGraph([("a", "b")])
    views = Layers(G, DAY)
    assert layers_for(G, DAY, views) is views and layers_for(G, None, views) is views
    for graph, day in ((H, DAY), (G, DAY + dt.timedelta(days=1))):
        assert not views.fit(graph, day)
        with pytest.raises(ValueError, match="another graph or another day"):
            layers_for(graph, day, views)
