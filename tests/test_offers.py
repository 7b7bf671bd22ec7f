"""Offers reads each distinct list of services and populations once: its flags and counts are the plain rule's."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.offers import Offers

SERVICES = ["art", "prep", "hiv_testing", "tb_treatment"]
POPULATIONS = ["msm", "pwid", "sex_workers"]
DISTRICTS = ["Bojanala", "Waterberg", None, ""]


@st.composite
def organisations(draw):
    G = nx.MultiDiGraph()
    for i in range(draw(st.integers(0, 12))):
        G.add_node(f"o{i}", status=draw(st.sampled_from(["active", "active", "inactive"])),
                   services=draw(st.lists(st.sampled_from(SERVICES), max_size=3)),
                   populations=draw(st.lists(st.sampled_from(POPULATIONS), max_size=2)),
                   district=draw(st.sampled_from(DISTRICTS)))
    return G


def test_known_answer():
    G = nx.MultiDiGraph()
    G.add_node("a", services=["art"], populations=[])
    G.add_node("b", services=["art", "prep"], populations=["msm"])
    G.add_node("c", services=["prep"], populations=["pwid", "msm"])
    G.add_node("d", services=["art"], populations=["pwid"], status="inactive")
    offers = Offers(G)
    flags = offers.flags(["c", "a", "b"])
    assert flags.services == {"art": 0, "prep": 1}
    assert flags.provides.tolist() == [[False, True, True], [True, False, True]]
    assert flags.populations == {"msm": 0, "pwid": 1}
    assert flags.names.tolist() == [[True, False, True], [True, False, False]]
    # art to msm: a (everyone) and b; art to pwid: a only (d is inactive); prep to pwid: c
    assert [offers.provider_count("art", "msm"), offers.provider_count("art", "pwid"),
            offers.provider_count("prep", "pwid"), offers.provider_count("tb_treatment", "msm")] == [2, 1, 1, 0]


@settings(max_examples=200, deadline=None)
@given(organisations(), st.randoms(use_true_random=False))
def test_flags_and_counts_follow_the_plain_rule(G, rng):
    active = [n for n, status in G.nodes(data="status") if status == "active"]
    nodes = rng.sample(active, len(active))
    offers = Offers(G)
    flags = offers.flags(nodes)
    offered = sorted({s for n in active for s in G.nodes[n]["services"]})
    named = sorted({p for n in active for p in G.nodes[n]["populations"]})
    assert list(flags.services) == offered and list(flags.services.values()) == list(range(len(offered)))
    assert list(flags.populations) == named and list(flags.populations.values()) == list(range(len(named)))
    assert flags.provides.tolist() == [[s in G.nodes[n]["services"] for n in nodes] for s in offered]
    assert flags.names.tolist() == [[p in G.nodes[n]["populations"] for n in nodes] for p in named]
    for service in SERVICES:
        for population in POPULATIONS:
            assert offers.provider_count(service, population) == sum(
                1 for n in active if service in G.nodes[n]["services"]
                and (not G.nodes[n]["populations"] or population in G.nodes[n]["populations"]))


@settings(max_examples=200, deadline=None)
@given(organisations(), st.sets(st.sampled_from(POPULATIONS)))
def test_local_providers_follow_the_plain_rule(G, populations):
    active = [n for n, status in G.nodes(data="status") if status == "active"]
    offers = Offers(G)
    for district in DISTRICTS:
        for service in SERVICES:
            found = sorted(n for n in active if district and G.nodes[n]["district"] == district
                           and service in G.nodes[n]["services"]
                           and (not populations or not G.nodes[n]["populations"]
                                or populations & set(G.nodes[n]["populations"])))
            assert offers.local_providers(district or None, service, frozenset(populations)) == (
                len(found), found[:4])
