"""Properties of the linkage gaps on random small networks: what adding or removing a link may change."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import gaps
from network.analysis.gaps import (
    expiring_agreements,
    isolated,
    linkage_gaps,
    single_points_of_failure,
    unreachable,
)
from network.analysis.layers import referral_graph
from network.model import Link, Organisation, vocabulary
from tests.gaps_support import AS_OF, DAY, link, net, org

# properties -------------------------------------------------------------------------------------------------

SERVICES = ["tb_screening", "tb_treatment", "hiv_testing", "art", "legal_aid", "peer_education"]
POPULATIONS = ["mineworkers", "sex_workers", "migrants"]
ORGANISATION_ROWS = st.tuples(
    st.sampled_from(["active", "active", "active", "inactive"]),
    st.sampled_from(["Bojanala", "Waterberg", None]),
    st.integers(0, 2 ** len(SERVICES) - 1), st.integers(0, 2 ** len(POPULATIONS) - 1),
)
LINK_ROWS = st.tuples(
    st.integers(0, 6), st.integers(0, 6),
    st.sampled_from(["referral", "mou", "mou", "coordination", "funding"]),
    st.sampled_from(["active", "active", "active", "proposed", "expired", "ended"]),
    st.none() | st.integers(-30, 30), st.none() | st.integers(-30, 120),
)


def networks(max_links: int = 12) -> st.SearchStrategy:
    """Random networks of 2-7 organisations and up to ``max_links`` links around ``AS_OF``."""
    return st.builds(_network, st.lists(ORGANISATION_ROWS, min_size=2, max_size=7),
                     st.lists(LINK_ROWS, max_size=max_links))


def _network(organisation_rows, link_rows) -> tuple[list[Organisation], list[Link]]:
    organisations = [
        org(f"o{i}", status=status, district=district, services=_subset(SERVICES, services),
            populations=_subset(POPULATIONS, populations))
        for i, (status, district, services, populations) in enumerate(organisation_rows)
    ]
    n = len(organisations)
    links = [
        link(f"l{k}", f"o{u % n}", f"o{v % n}", kind, status=status,
             start_date=None if start is None else AS_OF + start * DAY,
             end_date=None if end is None else AS_OF + end * DAY)
        for k, (u, v, kind, status, start, end) in enumerate(link_rows)
    ]
    return organisations, links


def _subset(options: list[str], mask: int) -> list[str]:
    return [option for k, option in enumerate(options) if mask >> k & 1]


def _isolated_ids(G: nx.MultiDiGraph) -> set[str]:
    return {f.organisations[0] for f in isolated(G, as_of=AS_OF)}


@settings(max_examples=75, deadline=None)
@given(networks(), st.data())
def test_adding_an_active_link_never_adds_an_isolated_finding(network, data):
    organisations, links = network
    before = _isolated_ids(net(organisations, links))
    ids = [o.id for o in organisations]
    extra = link("new", data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids)),
                 data.draw(st.sampled_from(["referral", "mou", "coordination"])))
    assert _isolated_ids(net(organisations, [*links, extra])) <= before


@settings(max_examples=75, deadline=None)
@given(networks())
def test_removing_an_organisations_only_link_makes_it_isolated(network):
    organisations, links = network
    active = {o.id for o in organisations if o.status == "active"}
    for o in active:
        own = [x for x in links if o in (x.source, x.target)]
        if len(own) == 1 and own[0].source != own[0].target:
            remaining = [x for x in links if x is not own[0]]
            assert o in _isolated_ids(net(organisations, remaining))


@settings(max_examples=75, deadline=None)
@given(networks(), st.integers(0, 100))
def test_every_expiring_finding_ends_within_the_window(network, within_days):
    G = net(*network)
    for finding in expiring_agreements(G, as_of=AS_OF, within_days=within_days):
        (key,) = finding.links
        data = G.edges[finding.organisations[0], finding.organisations[1], key]
        assert data["kind"] in gaps.AGREEMENT_KINDS and data["status"] in ("active", "expired")
        assert 0 <= (data["end_date"] - AS_OF).days == finding.details["days_left"] <= within_days


@settings(max_examples=75, deadline=None)
@given(networks(), st.integers(0, 3))
def test_unreachable_matches_a_search_from_every_organisation(network, max_hops):
    G = net(*network)
    R = referral_graph(G, AS_OF)
    voc = vocabulary()
    groups = defaultdict(list)
    for node, data in G.nodes(data=True):
        if data["status"] == "active" and data["district"]:
            for population in data["populations"]:
                groups[data["district"], population].append(node)
    expected = set()
    for (district, population), group in groups.items():
        serving = R.subgraph(n for n in R if not G.nodes[n]["populations"] or population in G.nodes[n]["populations"])
        for service in voc.essential_services[population]:
            providers = {n for n in serving if service in G.nodes[n]["services"]}
            local = {n for n in providers if G.nodes[n]["district"] == district}
            near = {n for u in group for n in nx.single_source_shortest_path_length(serving, u, cutoff=max_hops)}
            if local and not providers & near:
                expected.add((district, population, service))
    found = unreachable(G, as_of=AS_OF, max_hops=max_hops)
    assert {(f.district, f.population, f.service) for f in found} == expected


@settings(max_examples=100, deadline=None)
@given(networks(max_links=14))
def test_single_points_of_failure_match_removing_each_organisation(network):
    G = net(*network)
    listed = {p for n, data in G.nodes(data=True) if data["status"] == "active" for p in data["populations"]}
    before = _routes(G, listed)
    expected = {}
    for a in list(G):
        H = G.copy()
        H.remove_node(a)
        after = _routes(H, listed)
        lost = {(x, p, s) for (x, p, s) in before
                if x != a and (x, p, s) not in after and s not in G.nodes[a]["services"]}
        if len({x for x, _, _ in lost}) >= gaps.MIN_CUT_OFF:
            expected[a] = lost
    found = single_points_of_failure(G, as_of=AS_OF)
    assert {f.organisations[0]: {tuple(r) for r in f.details["routes_lost"]} for f in found} == expected


def _routes(G: nx.MultiDiGraph, populations: set[str]) -> dict[tuple[str, str, str], set[str]]:
    """(organisation naming the population, population, service) it reaches a provider of -> the providers."""
    voc = vocabulary()
    R = referral_graph(G, AS_OF)
    routes = {}
    for population in populations:
        serving = R.subgraph(n for n in R if not G.nodes[n]["populations"] or population in G.nodes[n]["populations"])
        for service in voc.essential_services[population]:
            providers = {n for n in serving if service in G.nodes[n]["services"]}
            for x in serving:
                named = population in G.nodes[x]["populations"]
                if named and x not in providers and nx.descendants(serving, x) & providers:
                    routes[x, population, service] = providers
    return routes


@settings(max_examples=50, deadline=None)
@given(networks())
def test_findings_do_not_depend_on_the_order_records_are_read(network):
    organisations, links = network
    forward = linkage_gaps(net(organisations, links), as_of=AS_OF)
    assert linkage_gaps(net(organisations[::-1], links[::-1]), as_of=AS_OF) == forward
