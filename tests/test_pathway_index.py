"""Tests for network.analysis.pathway_index: the index updated for an edit equals the index built afresh."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.analysis.pathway_index import pathway_index
from tests.pathways_support import AS_OF, DISTRICTS, POPULATIONS, SERVICES, chain_network, networks


def test_an_organisation_moved_away_loses_its_arcs_and_its_place_in_lists():
    G = chain_network()
    index = pathway_index(G, as_of=AS_OF, include_unlinked=True)
    H = G.copy()
    H.nodes["clinic"].update(status="inactive")
    new = index.updated(G, H, ["clinic"])
    assert "clinic" not in new.names and "clinic" not in new.arcs
    assert new.arcs["cbo"] == {"clinic2": (1.5, "r2", "referral")}
    assert new.arcs["hospital"] == {"sassa": (1.55, "r3", "referral")}
    assert new.providers("Sekhukhune", "tb_screening") == ["clinic2"]
    # the index it came from is unchanged
    assert index.arcs["cbo"] == {"clinic": (1.0, "r1", "referral"), "clinic2": (1.5, "r2", "referral")}
    assert index.providers("Sekhukhune", "tb_screening") == ["clinic", "clinic2"]
    assert new.state() == pathway_index(H, as_of=AS_OF, include_unlinked=True).state()


def test_a_new_two_way_link_gives_arcs_both_ways():
    G = chain_network()
    index = pathway_index(G, as_of=AS_OF)
    H = G.copy()
    H.add_edge("sassa", "cbo", key="r9", kind="referral", status="active", formal=True, weight=5, two_way=True)
    new = index.updated(G, H, ["sassa", "cbo"])
    assert new.arcs["sassa"]["cbo"] == new.arcs["cbo"]["sassa"] == (0.9, "r9", "referral")
    assert new.two_way == {"r9": True}
    assert new.state() == pathway_index(H, as_of=AS_OF).state()


@st.composite
def edits(draw, G):
    """A few edits of ``G``: organisations changed, added or removed; links added, changed or removed."""
    H = G.copy()
    touched: set[str] = set()
    for i in range(draw(st.integers(1, 5))):
        nodes = sorted(H)
        what = draw(st.sampled_from(["node", "add_node", "del_node", "add_link", "link", "del_link"]))
        if what == "add_node" or not nodes:
            node = f"n{i}"
            H.add_node(node, name=node, status="active", services=[draw(st.sampled_from(SERVICES))],
                       populations=[], district=draw(st.sampled_from(DISTRICTS)), latitude=None, longitude=None)
            touched.add(node)
        elif what == "node":
            node = draw(st.sampled_from(nodes))
            H.nodes[node].update(
                status=draw(st.sampled_from(["active", "inactive"])),
                services=draw(st.lists(st.sampled_from(SERVICES), max_size=2, unique=True)),
                populations=draw(st.lists(st.sampled_from(POPULATIONS), max_size=1)),
                district=draw(st.sampled_from(DISTRICTS)), latitude=draw(st.sampled_from([None, -24.5])),
                longitude=-29.5, phone=draw(st.sampled_from([None, "012"])))
            touched.add(node)
        elif what == "del_node":
            node = draw(st.sampled_from(nodes))
            touched.add(node)
            H.remove_node(node)
        elif what == "add_link":
            u, v = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            H.add_edge(u, v, key=f"x{i}", kind=draw(st.sampled_from(["referral", "mou", "funding"])),
                       status="active", formal=draw(st.booleans()), weight=draw(st.integers(1, 5)),
                       two_way=draw(st.booleans()))
            touched |= {u, v}
        else:
            edges = sorted(H.edges(keys=True))
            if edges:
                u, v, key = draw(st.sampled_from(edges))
                if what == "link":
                    H.edges[u, v, key].update(status=draw(st.sampled_from(["active", "proposed"])),
                                              weight=draw(st.integers(1, 5)), two_way=draw(st.booleans()))
                else:
                    H.remove_edge(u, v, key)
                touched |= {u, v}
    return H, touched


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_updated_index_equals_a_fresh_one(data):
    G, _ = data.draw(networks())
    unlinked = data.draw(st.booleans())
    index = pathway_index(G, as_of=AS_OF, include_unlinked=unlinked)
    before = index.state()
    H, touched = data.draw(edits(G))
    new = index.updated(G, H, touched)
    assert new.state() == pathway_index(H, as_of=AS_OF).state()
    assert index.state() == before
    assert new.as_of == AS_OF == dt.date(2026, 3, 1)
