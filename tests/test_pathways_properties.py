"""Properties of referral pathways on random small networks: plans are valid, ranked, and found whenever a chain
exists."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings

from network.analysis.layers import referral_graph
from network.analysis.pathways import referral_pathways
from network.model import is_link_active
from tests.pathways_support import AS_OF, networks, route


def haversine(G, u, v):
    a, b = G.nodes[u], G.nodes[v]
    if a["latitude"] is None or b["latitude"] is None:
        return 0.0
    p1, p2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dl = math.radians(b["longitude"] - a["longitude"])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def chain_exists(G, population, needs, start=None, district=None, **_):
    """True if some simple chain through active agreements meets the needs in order (no hop limit)."""
    R = referral_graph(G, AS_OF)
    R = R.subgraph(n for n in R if not G.nodes[n]["populations"] or population in G.nodes[n]["populations"])

    def walk(path, met):
        while met < len(needs) and needs[met] in G.nodes[path[-1]]["services"]:
            met += 1
        return met == len(needs) or any(walk([*path, v], met) for v in R[path[-1]] if v not in path)

    starts = [start] if start is not None else [n for n in R if G.nodes[n]["district"] == district]
    return any(walk([s], 0) for s in starts if s in R)


def plan_possible(G, population, needs, start=None, district=None, **_):
    """True if, from one start, a provider of every need is reached (a hub may send the client anywhere)."""
    R = referral_graph(G, AS_OF)
    R = R.subgraph(n for n in R if not G.nodes[n]["populations"] or population in G.nodes[n]["populations"])
    starts = [start] if start is not None else [n for n in R if G.nodes[n]["district"] == district]
    return any(all(any(need in G.nodes[n]["services"] for n in {s} | nx.descendants(R, s)) for need in needs)
               for s in starts if s in R)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_plans_are_valid_ranked_and_found_whenever_a_chain_exists(case):
    G, query = case
    found = referral_pathways(G, as_of=AS_OF, **query)
    population, needs = query["population"], query["needs"]
    assert len(found) <= query["k"]
    assert len({frozenset((s.organisation, s.referred_by, s.link) for s in p.steps) for p in found}) == len(found)
    keys = [(round(p.cost, 6), p.hops) for p in found]
    assert keys == sorted(keys)
    for p in found:
        assert len(set(route(p))) == len(p.steps) == p.hops + 1 <= query["max_hops"] + 1
        assert sorted(service for step in p.steps for service in step.services) == sorted(needs)
        assert p.cost == pytest.approx(sum(step.hop_cost for step in p.steps), abs=1e-5)
        for i, step in enumerate(p.steps):
            node = G.nodes[step.organisation]
            assert node["status"] == "active"
            assert not node["populations"] or population in node["populations"]
            assert set(step.services) <= set(node["services"])
            assert step.explanation and "cost" not in step.explanation
            if i == 0:
                assert step.referred_by is None and step.link is None and not step.proposed
                continue
            assert step.referred_by in route(p)[:i]
            if step.proposed:
                assert step.link is None and node["district"] == G.nodes[step.referred_by]["district"]
            else:
                u, v, data = next((u, v, d) for u, v, key, d in G.edges(keys=True, data=True) if key == step.link)
                assert is_link_active(data["status"], data["start_date"], data["end_date"], AS_OF)
                assert data["kind"] in ("referral", "mou")
                assert (u, v) == (step.referred_by, step.organisation) or (
                    data["kind"] == "mou" and (v, u) == (step.referred_by, step.organisation))
        if "start" in query:
            assert p.steps[0].organisation == query["start"]
        else:
            assert G.nodes[p.steps[0].organisation]["district"] == query["district"]
    unlimited = {**query, "max_hops": 10, "include_unlinked": False}
    assert bool(referral_pathways(G, as_of=AS_OF, **unlimited)) == plan_possible(G, **query)
    if chain_exists(G, **query):
        assert referral_pathways(G, as_of=AS_OF, **unlimited)
