"""One-way agreements on generated networks: the pairs, links and services the rule, written out plainly, finds."""

from __future__ import annotations

import datetime as dt

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.upkeep import one_way_agreements
from network.model import vocabulary

DAY = dt.date(2026, 6, 1)
KINDS = ["referral", "referral", "mou", "funding"]
SERVICES = ["tb_screening", "tb_treatment", "tb_adherence_support", "hiv_testing", "art", "prep"]


@st.composite
def networks(draw):
    n = draw(st.integers(2, 8))
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(f"o{i}", name=f"Org {i}", status=draw(st.sampled_from(["active", "active", "inactive"])),
                   services=draw(st.lists(st.sampled_from(SERVICES), unique=True, max_size=4)),
                   populations=draw(st.sampled_from([[], ["msm"], ["sex_workers"], ["msm", "sex_workers"]])))
    for k in range(draw(st.integers(0, 4 * n))):
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        G.add_edge(f"o{u}", f"o{v}", key=f"l{k}", kind=draw(st.sampled_from(KINDS)),
                   status=draw(st.sampled_from(["active", "active", "proposed"])), two_way=draw(st.booleans()),
                   services=draw(st.lists(st.sampled_from(SERVICES), unique=True, max_size=2)))
    return G


def by_the_rule(G: nx.MultiDiGraph) -> list[tuple[list[str], list[str], list[str], bool, bool]]:
    """Each pair's (organisations, links, services back, by record, by cascade), as the docstring states it."""
    active = {n for n, data in G.nodes(data=True) if data["status"] == "active"}
    links = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
             if u != v and u in active and v in active and d["status"] == "active"]
    found = []
    for a, b in sorted({(u, v) for u, v, _, d in links if d["kind"] == "referral"}):
        ahead = [(k, d) for u, v, k, d in links if (u, v) == (a, b) and d["kind"] == "referral"]
        if any(d["two_way"] for _, d in ahead):
            continue
        if any(d["kind"] == "mou" and {u, v} == {a, b} or d["kind"] == "referral" and (u, v) == (b, a)
               for u, v, _, d in links):
            continue
        offers_a, offers_b = set(G.nodes[a]["services"]), set(G.nodes[b]["services"])
        named = {s for _, d in ahead for s in d["services"]}
        record = sorted(s for s in named if s in offers_a and s not in offers_b)
        pa, pb = G.nodes[a]["populations"], G.nodes[b]["populations"]
        cascade = sorted({need for after, need in vocabulary().cascade_rules
                          if after in offers_b and need in offers_a and need not in offers_b}) \
            if not pa or not pb or set(pa) & set(pb) else []
        if record or cascade:
            found.append(([a, b], sorted(k for k, _ in ahead), sorted(set(record) | set(cascade)), bool(record),
                          bool(cascade)))
    return found


@settings(max_examples=300, deadline=None)
@given(networks())
def test_one_way_agreements_are_the_pairs_the_rule_finds(G):
    found = one_way_agreements(G, as_of=DAY)
    assert sorted((f.organisations, f.links, f.details["services_back"], f.details["by_record"],
                   f.details["by_cascade"]) for f in found) == by_the_rule(G)
    assert all(f.service == f.details["services_back"][0] for f in found)
    assert all(f.severity == ("medium" if f.details["by_record"] else "low") for f in found)
