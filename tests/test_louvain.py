"""Louvain communities (network.analysis.louvain): known answers, NetworkX agreement, the same answer every time."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import igraph
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import louvain
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
    """Unambiguous communities: no clique is split (small ones may merge with a neighbour), as in NetworkX.

    Where a clique of 4 may merge with either neighbour, the two may merge it differently (2 of 3,000 rings drawn
    at random, e.g. cliques of 4, 4, 9, 9, 8 and 4 with seed 476), never into a partition of lower modularity.
    """
    T = cliques_in_a_ring(sizes)
    ours, theirs = louvain_communities(T, seed), networkx_louvain(T, seed)
    assert ours == theirs or (min(sizes) == 4 and nx.community.modularity(T, ours) >= nx.community.modularity(
        T, theirs) - 1e-12)
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


def planted(groups: list[int], ties: list[bool], missing: int) -> tuple[nx.Graph, list[list[str]]]:
    """Groups of the given sizes, each a clique less ``missing`` edges of its first node, and at most one tie
    between two groups (``ties``, one per pair of groups in order): the groups are the best partition."""
    T = nx.Graph()
    parts = [[f"g{k}-{i:02d}" for i in range(size)] for k, size in enumerate(groups)]
    for part in parts:
        T.add_edges_from((u, v) for u in part for v in part if u < v)
        T.remove_edges_from((part[0], v) for v in part[1:1 + missing])
    pairs = [(a, b) for a in range(len(parts)) for b in range(a + 1, len(parts))]
    T.add_edges_from((parts[a][-1], parts[b][-2]) for (a, b), tie in zip(pairs, ties, strict=False) if tie)
    return T, parts


def networkx_louvain(T: nx.Graph, seed: int) -> list[list[str]]:
    """NetworkX's Louvain communities in the order louvain_communities gives them."""
    return sorted((sorted(c) for c in nx.community.louvain_communities(T, seed=seed)), key=lambda c: (-len(c), c))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(6, 10), min_size=2, max_size=5), st.lists(st.booleans(), min_size=10, max_size=10),
       st.integers(0, 2), st.integers(0, 1000))
def test_planted_groups_found_as_networkx_finds_them(groups, ties, missing, seed):
    T, parts = planted(groups, ties, missing)
    expected = sorted(parts, key=lambda c: (-len(c), c))
    assert networkx_louvain(T, seed) == expected  # the planted groups are the unambiguous answer ...
    assert louvain_communities(T, seed) == expected  # ... and igraph's Louvain finds them too


def test_cliques_joined_by_single_ties():
    # three cliques of five, a chain of single ties between them: the cliques, as NetworkX finds them
    T = nx.Graph()
    for k in "abc":
        T.add_edges_from((f"{k}{i}", f"{k}{j}") for i in range(5) for j in range(i + 1, 5))
    T.add_edges_from([("a4", "b0"), ("b4", "c0")])
    expected = [[f"{k}{i}" for i in range(5)] for k in "abc"]
    assert louvain_communities(T) == expected
    assert networkx_louvain(T, 42) == expected


def ambiguous() -> nx.Graph:
    """A random graph with no clear communities, where the seed decides the partition."""
    G = nx.gnp_random_graph(60, 0.08, seed=1)
    return nx.relabel_nodes(G, {v: f"n{v:02d}" for v in G})


def test_the_seed_decides_the_same_partition_on_every_call():
    T = ambiguous()
    first = {seed: louvain_communities(T, seed) for seed in range(6)}
    assert len({str(parts) for parts in first.values()}) > 1  # the seed reaches igraph's random numbers
    assert all(louvain_communities(T, seed) == parts for seed, parts in first.items())


def test_the_same_partition_in_a_fresh_process():
    code = ("import json, networkx as nx; from network.analysis.louvain import louvain_communities;"
            "G = nx.gnp_random_graph(60, 0.08, seed=1); T = nx.relabel_nodes(G, {v: f'n{v:02d}' for v in G});"
            "print(json.dumps([louvain_communities(T, s) for s in range(3)]))")
    tree = Path(louvain.__file__).parents[2]  # this tree's network package, whatever is installed
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [louvain_communities(ambiguous(), s) for s in range(3)]


def test_the_same_partition_from_threads_and_igraph_given_back_its_generator():
    T = ambiguous()
    expected = [louvain_communities(T, seed) for seed in range(4)]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda seed: louvain_communities(T, seed), [*range(4)] * 3)) == expected * 3
    # afterwards igraph draws from Python's random module again, as it does by default
    random.seed(5)
    drawn = igraph.Graph.Erdos_Renyi(30, 0.2).get_edgelist()
    random.seed(5)
    assert igraph.Graph.Erdos_Renyi(30, 0.2).get_edgelist() == drawn


def test_the_same_graph_again_is_partitioned_once(monkeypatch):
    # an edit that leaves the ties as they were: the communities are those found before, without igraph
    T = cliques_in_a_ring([4, 5, 6])
    first = louvain_communities(T)
    monkeypatch.setattr(louvain, "_partition", lambda *args: pytest.fail("partitioned again"))
    again = louvain_communities(T)
    assert again == first and again[0] is not first[0]  # new lists: a caller may keep or change its own
    again[0].append("changed")
    assert louvain_communities(T) == first


def test_a_changed_tie_is_partitioned_afresh(monkeypatch):
    T = cliques_in_a_ring([4, 5, 6])
    louvain_communities(T)
    T.remove_edge(*next(iter(T.edges())))
    calls, partition = [], louvain._partition
    monkeypatch.setattr(louvain, "_partition", lambda *args: calls.append(1) or partition(*args))
    found = louvain_communities(T)
    monkeypatch.undo()
    louvain._RECENT.forget()
    assert calls == [1] and found == louvain_communities(T)


def test_an_organisation_without_ties_leaves_the_others_communities_unpartitioned(monkeypatch):
    # registering an organisation with no links yet (or removing one) does not run igraph again
    T = cliques_in_a_ring([4, 5, 6])
    first = louvain_communities(T)
    monkeypatch.setattr(louvain, "_partition", lambda *args: pytest.fail("partitioned again"))
    T.add_nodes_from(["a-new-clinic", "c1-01a", "zz-last"])
    assert louvain_communities(T) == [*first, ["a-new-clinic"], ["c1-01a"], ["zz-last"]]
    T.remove_nodes_from(["a-new-clinic", "c1-01a", "zz-last"])
    assert louvain_communities(T) == first


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), p=st.floats(0.05, 0.5), alone=st.sets(st.text("xyz", min_size=1, max_size=4), max_size=6),
       seed=st.integers(0, 3))
def test_nodes_without_edges_are_alone_and_change_no_other_community(n, p, alone, seed):
    T = nx.gnp_random_graph(n, p, seed=seed)
    T = nx.relabel_nodes(T, {i: f"n{i:02d}" for i in T})
    tied = T.subgraph([v for v in T if T.degree(v)]).copy()
    louvain._RECENT.forget()
    expected = louvain_communities(tied, seed)
    T.add_nodes_from(alone)
    louvain._RECENT.forget()
    found = louvain_communities(T, seed)
    loners = [[v] for v in T if not T.degree(v)]
    assert found == sorted([*expected, *loners], key=lambda c: (-len(c), c))


def test_a_partition_started_ahead_is_found_in_a_helper_process(monkeypatch):
    # what the helper process finds is what this process would: taken from it, not partitioned here
    T = cliques_in_a_ring([4, 5, 6, 7])
    louvain._RECENT.forget()
    expected = louvain_communities(T, 3)
    louvain._RECENT.forget()
    nodes = sorted(T)
    index = {v: i for i, v in enumerate(nodes)}
    near, far = (np.array([index[e[k]] for e in T.edges()], dtype=np.int64) for k in (0, 1))
    monkeypatch.setattr(louvain, "AHEAD_FROM_EDGES", 1)
    louvain.partition_ahead(nodes, near, far, 3)
    assert len(louvain._PENDING) == 1
    louvain.partition_ahead(nodes, near, far, 3)  # started once
    assert len(louvain._PENDING) == 1
    next(iter(louvain._PENDING.values())).result(timeout=120)  # sent to the helper before this process is patched
    monkeypatch.setattr(louvain, "_partition", lambda *args: pytest.fail("partitioned here"))
    assert louvain.numbered_louvain(nodes, near, far, 3) == expected
    assert louvain._PENDING == {}
    louvain.partition_ahead(nodes, near, far, 3)  # kept: nothing to start
    assert louvain._PENDING == {}


def test_a_small_graph_is_not_partitioned_ahead():
    T = cliques_in_a_ring([4, 5])
    nodes = sorted(T)
    index = {v: i for i, v in enumerate(nodes)}
    near, far = (np.array([index[e[k]] for e in T.edges()], dtype=np.int64) for k in (0, 1))
    louvain.partition_ahead(nodes, near, far, 11)
    assert louvain._PENDING == {}


def test_a_partition_the_helper_failed_is_found_here():
    T = cliques_in_a_ring([4, 5, 6])
    nodes = sorted(T)
    index = {v: i for i, v in enumerate(nodes)}
    near, far = (np.array([index[e[k]] for e in T.edges()], dtype=np.int64) for k in (0, 1))
    louvain._RECENT.forget()
    expected = louvain.numbered_louvain(nodes, near, far, 5)
    louvain._RECENT.forget()
    failed: Future = Future()
    failed.set_exception(BrokenProcessPool("the helper was stopped"))
    louvain._PENDING[louvain._tied(nodes, near, far, 5)[0]] = failed
    assert louvain.numbered_louvain(nodes, near, far, 5) == expected and louvain._PENDING == {}


def test_the_helper_never_runs_the_callers_script_again(tmp_path):
    # a script with no main guard, as a coordinator's own might be: the helper is a process of its own, which
    # imports nothing of the caller's (a multiprocessing worker would run the script again, writes and all)
    marks = tmp_path / "marks"
    script = tmp_path / "caller.py"
    script.write_text(f"""
import numpy as np
from network.analysis import louvain
with open({str(marks)!r}, "a") as f:
    f.write("ran\\n")
louvain.AHEAD_FROM_EDGES = 1
nodes = list("abcdef")
near, far = np.array([0, 1, 0, 2, 3, 4, 3]), np.array([1, 2, 2, 3, 4, 5, 5])
louvain.partition_ahead(nodes, near, far, 42)
print(next(iter(louvain._PENDING.values())).result(timeout=60), louvain.numbered_louvain(nodes, near, far, 42))
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert marks.read_text() == "ran\n"
    assert done.stdout.split() == "[['a', 'b', 'c'], ['d', 'e', 'f']] [['a', 'b', 'c'], ['d', 'e', 'f']]".split()
