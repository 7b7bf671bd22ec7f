"""The recommendations' checks on many candidate links at once (numpy) give the answers of the plain rules.

Each test works the rule out one organisation or one arc at a time, as
:func:`network.analysis.recommend.recommend_links` (Notes) states it, on small
networks, and compares.
"""

from __future__ import annotations

import datetime as dt
import heapq

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import recommend_candidates
from network.analysis.gaps import linkage_gaps
from network.analysis.geography import km_between
from network.analysis.layers import Layers, referral_graph
from network.analysis.recommend import CLOSABLE_TYPES
from network.analysis.recommend_candidates import _area_arcs, _border_arcs, candidate_pairs
from network.analysis.recommend_cover import _Closing
from network.analysis.recommend_index import CANDIDATES_PER_GAP, PartnerIndex, expand
from network.graph.project import build_graph
from network.model import Link, Organisation, vocabulary

AS_OF = dt.date(2026, 1, 1)
SERVICES = ["tb_screening", "tb_treatment", "hiv_testing", "art"]
DISTRICTS = ["Waterberg", "Capricorn", "Sekhukhune", "OR Tambo", ""]


def network(draw: st.DrawFn) -> tuple:
    """Up to 12 organisations: services, populations, a district (or none), sometimes their own place."""
    G = draw(graphs())
    index = PartnerIndex(G, referral_graph(G, AS_OF), vocabulary(), draw(st.sampled_from([60.0, 150.0])))
    return index, [g for g in linkage_gaps(G, as_of=AS_OF) if g.type in CLOSABLE_TYPES]


@st.composite
def graphs(draw: st.DrawFn) -> nx.MultiDiGraph:
    """The graph of :func:`network`."""
    size = draw(st.integers(2, 12))
    orgs = []
    for i in range(size):
        district = draw(st.sampled_from(DISTRICTS))
        placed = draw(st.booleans())
        orgs.append(Organisation(
            f"o{i}", f"O{i}", "cbo", district=district or None,
            province=None if district else draw(st.sampled_from([None, "Limpopo"])),
            services=sorted(draw(st.sets(st.sampled_from(SERVICES), max_size=3))),
            populations=sorted(draw(st.sets(st.sampled_from(["mineworkers", "migrants", "msm"]), max_size=2))),
            latitude=draw(st.floats(-25.5, -23.0)) if placed else None,
            longitude=draw(st.floats(28.0, 30.5)) if placed else None))
    links = draw(st.sets(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1),
                                   st.sampled_from(["referral", "mou", "coordination"]), st.booleans()),
                         max_size=2 * size))
    return build_graph(orgs, [Link(f"l{i}", f"o{u}", f"o{v}", kind, two_way=two_way)
                              for i, (u, v, kind, two_way) in enumerate(sorted(links))])


networks = st.composite(network)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_the_index_of_the_numbered_reversed_arcs_is_the_index_of_the_referral_graph(G):
    """``PartnerIndex.of_backwards`` (the report's, from ``Layers.backwards``) holds what the index of the referral
    graph holds: organisations, partners, routes, providers and the providers abroad."""
    R = referral_graph(G, AS_OF)
    plain = PartnerIndex(G, R, vocabulary(), 150)
    numbered = PartnerIndex.of_backwards(G, Layers(G, AS_OF).backwards, vocabulary(), 150)
    assert numbered.ids == plain.ids == sorted(R) and numbered.members == list(R)
    for x in R:
        assert numbered.partners[x] == plain.partners[x] == set(R.pred[x]) | set(R.succ[x])
    assert numbered._routes.tolist() == plain._routes.tolist()
    assert numbered.partner_start.tolist() == plain.partner_start.tolist()
    assert numbered.partner_numbers.tolist() == plain.partner_numbers.tolist()
    n = len(plain.ids)
    xs, ys = np.divmod(np.arange(n * n), max(n, 1))
    assert numbered.routes(xs, ys).tolist() == [R.has_edge(plain.ids[x], plain.ids[y]) for x, y in zip(
        xs.tolist(), ys.tolist(), strict=True)]
    assert numbered.providers == plain.providers
    assert numbered.abroad.country == plain.abroad.country and numbered.abroad.providers == plain.abroad.providers


def keep(index: PartnerIndex, x: str, y: str) -> bool:
    mine, theirs = index.populations[x], index.populations[y]
    return (y != x and (not mine or not theirs or bool(mine & theirs))
            and (index.place[x] is None or index.near(x, y)))


def plain_partners(index: PartnerIndex, x: str, service: str) -> list[str]:
    """The partners for a broken cascade of ``x``: its partners' partners and the first providers district by
    district, each passing :func:`keep`, the best ``CANDIDATES_PER_GAP`` by preference."""
    two_steps = set().union(*(index.partners[p] for p in index.partners[x]))
    pool = {y for y in two_steps if service in index.services[y] and keep(index, x, y)}
    if index.place[x] is not None:
        pool.update(index.fits(service, index.district[x], lambda y: keep(index, x, y), here=index.place[x]))
    return heapq.nsmallest(CANDIDATES_PER_GAP, pool, key=lambda y: index.preference(x, y))


def plain_closes(index: PartnerIndex, gaps: list, x: str, y: str) -> set[int]:
    """The gaps the arc ``x -> y`` closes, one rule per gap type."""
    if index.R.has_edge(x, y):
        return set()
    closed = set()
    for i, gap in enumerate(gaps):
        first = gap.organisations[0] if gap.organisations else None
        if gap.type == "isolated":
            closes = first in (x, y)
        elif gap.type == "broken_cascade":
            mine, theirs = index.populations[x], index.populations[y]
            closes = (first == x and gap.service in index.services[y]
                      and (not mine or not theirs or bool(mine & theirs)))
        elif gap.type == "cross_border_gap":
            closes = gap.district == index.district[x] and index.abroad.closes(gap, y)
        else:
            closes = (gap.district == index.district[x] and gap.population in index.populations[x]
                      and index.offers(y, gap.service, gap.population)
                      and (gap.type == "unreachable" or index.near(x, y)))
        if closes:
            closed.add(i)
    return closed


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from([1, 2, recommend_candidates.CASCADES_AT_ONCE]))
def test_candidates_are_the_plain_rules(drawn, at_once):
    """Whether the broken cascades' partners are chosen in one pass or a few cascades at a time."""
    index, gaps = drawn
    arcs = set()
    for gap in gaps:
        if gap.type == "broken_cascade" and gap.organisations[0] in index.number:
            arcs.update((gap.organisations[0], y) for y in plain_partners(index, gap.organisations[0], gap.service))
        elif gap.type in ("uncovered", "unreachable"):
            arcs.update(_area_arcs(index, gap))
        elif gap.type == "cross_border_gap":
            arcs.update(_border_arcs(index, gap))
    expected = {(min(x, y), max(x, y)) for x, y in arcs if x != y and not index.R.has_edge(x, y)}
    kept = recommend_candidates.CASCADES_AT_ONCE
    recommend_candidates.CASCADES_AT_ONCE = at_once
    try:
        a, b = candidate_pairs(index, gaps)
    finally:
        recommend_candidates.CASCADES_AT_ONCE = kept
    assert [(index.ids[i], index.ids[j]) for i, j in zip(a, b, strict=True)] == sorted(expected)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_the_gaps_each_pair_closes_are_the_plain_rules(drawn):
    index, gaps = drawn
    n = len(index.ids)
    a, b = np.divmod(np.arange(n * n), n)
    a, b = a[a < b], b[a < b]  # every pair, candidate or not
    table = _Closing(index, gaps, a, b)
    for pair, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        x, y = index.ids[i], index.ids[j]
        forward, backward = plain_closes(index, gaps, x, y), plain_closes(index, gaps, y, x)
        if forward - backward and backward - forward:
            expected = (x, y, "mou", forward | backward)
        elif forward or backward:
            expected = (x, y, "referral", forward) if len(forward) >= len(backward) else (y, x, "referral", backward)
        else:
            assert table.size[pair] == 0
            continue
        bound, source, target, kind, _, bonus = table.option(pair)
        assert (source, target, kind, set(table.closes(pair))) == expected
        assert (bound, bonus) == (-(len(expected[3]) + 1.0), -1.0)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_near_and_distances_as_km_between(drawn):
    index, _ = drawn
    n = len(index.ids)
    a, b = np.divmod(np.arange(n * n), n)
    near = index.near_many(a, b)
    away = index.km_many(a, b)
    for i, j, close, measured in zip(a.tolist(), b.tolist(), near.tolist(), away.tolist(), strict=True):
        x, y = index.ids[i], index.ids[j]
        assert close == index.near(x, y)
        exact = index.distance(x, y)
        assert (exact is None) == np.isnan(measured)
        assert exact is None or abs(exact - measured) <= 1e-9


def test_a_partner_exactly_max_km_away_is_near():
    # The limit is the distance km_between gives, so the one measure in numpy may fall either side of it:
    # it is measured again.
    orgs = [Organisation("a", "A", "cbo", district="Waterberg", latitude=-24.1234567, longitude=28.7654321),
            Organisation("b", "B", "cbo", district="Capricorn", latitude=-23.3456789, longitude=29.9876543)]
    G = build_graph(orgs, [])
    R = referral_graph(G, AS_OF)
    exact = PartnerIndex(G, R, vocabulary(), 150).distance("a", "b")
    for limit in (exact, np.nextafter(exact, 0)):
        index = PartnerIndex(G, R, vocabulary(), limit)
        assert index.near_many(np.array([0]), np.array([1])).tolist() == [index.near("a", "b")]
    assert km_between(index.radians["a"], index.radians["b"]) == exact


def test_expand_lists_the_items_of_each_owner():
    # lists [10, 11], [], [12, 13, 14]; owners 2, 0, 2
    rows, at = expand(np.array([0, 2, 2, 5]), np.array([2, 0, 2]))
    assert rows.tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    assert (np.array([10, 11, 12, 13, 14])[at]).tolist() == [12, 13, 14, 10, 11, 12, 13, 14]
