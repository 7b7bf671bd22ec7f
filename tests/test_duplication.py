"""Tests for network.analysis.duplication: service overlaps, funding overlaps, all three together.

Duplicate records (hand-built cases, properties, the demo's planted ones and the labelled set) are in
``test_duplicate_records.py``.
"""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.duplication import duplication, funding_overlaps, service_overlaps
from network.graph.project import build_graph
from tests.duplication_support import AS_OF, link, org, overlaps

# --- service overlaps -----------------------------------------------------------------------

def test_two_unlinked_providers_are_an_uncoordinated_overlap():
    G = build_graph([org("a", name="Hope CBO"), org("b", name="Sizwe Clinic")], [])
    [finding] = service_overlaps(G, as_of=AS_OF)
    assert finding.type == "service_overlap"
    assert (finding.district, finding.population, finding.service) == ("Sekhukhune", "mineworkers", "tb_screening")
    assert finding.organisations == ["a", "b"]
    assert finding.severity == "high"
    assert finding.details == {"uncoordinated": True, "uncoordinated_pairs": [["a", "b"]],
                               "uncoordinated_pair_count": 1, "pair_count": 1}
    assert finding.explanation.startswith("Hope CBO and Sizwe Clinic both offer TB screening to mineworkers "
                                          "in Sekhukhune but share no active link")


@pytest.mark.parametrize("links, severity", [
    ([link("l1", "a", "b")], "low"),
    ([link("l1", "b", "a", kind="advocacy")], "low"),
    ([link("l1", "a", "b", status="expired")], "high"),
    ([link("l1", "a", "b", end=dt.date(2026, 2, 1))], "high"),
    ([link("l1", "a", "forum", kind="coordination"), link("l2", "forum", "b", kind="coordination")], "low"),
    ([link("l1", "a", "forum", kind="membership"), link("l2", "b", "forum", kind="membership")], "low"),
    ([link("l1", "a", "forum", kind="membership"), link("l2", "b", "forum", kind="membership",
                                                        status="ended")], "high"),
    # A common neighbour through another kind of link is not a shared forum.
    ([link("l1", "a", "forum", kind="referral"), link("l2", "b", "forum", kind="referral")], "high"),
])
def test_coordination_lowers_severity(links, severity):
    forum = org("forum", services=(), populations=(), district=None)
    assert overlaps([org("a"), org("b"), forum], links) == [
        ("Sekhukhune", "mineworkers", "tb_screening", ["a", "b"], severity)
    ]


def test_partly_coordinated_group_is_medium_and_lists_the_unlinked_pairs():
    G = build_graph([org("a"), org("b"), org("c")], [link("l1", "a", "b")])
    [finding] = service_overlaps(G, as_of=AS_OF)
    assert finding.severity == "medium"
    assert finding.details["uncoordinated_pairs"] == [["a", "c"], ["b", "c"]]
    assert (finding.details["uncoordinated_pair_count"], finding.details["pair_count"]) == (2, 3)
    assert "2 of the 3 pairs" in finding.explanation


@pytest.mark.parametrize("second", [
    org("b", district="Waterberg"),
    org("b", populations=("sex_workers",)),
    org("b", services=("tb_treatment",)),
    org("b", status="inactive"),
    org("b", district=None),
])
def test_no_overlap_across_districts_populations_services_or_with_inactive(second):
    assert overlaps([org("a"), second]) == []


def test_general_population_providers_are_coverage_not_overlap():
    # Two public clinics (no population listed) and one CBO targeting mineworkers: no overlap at all.
    orgs = [org("a", populations=("mineworkers",)), org("g1", populations=()), org("g2", populations=()),
            org("s", populations=("sex_workers",))]
    assert overlaps(orgs) == []


def test_only_organisations_naming_the_population_overlap_for_it():
    orgs = [org("a", populations=("mineworkers", "sex_workers")), org("b", populations=("mineworkers",)),
            org("g", populations=()), org("s", populations=("sex_workers",))]
    assert overlaps(orgs) == [
        ("Sekhukhune", "mineworkers", "tb_screening", ["a", "b"], "high"),
        ("Sekhukhune", "sex_workers", "tb_screening", ["a", "s"], "high"),
    ]


def test_general_population_recipients_are_not_a_funding_overlap():
    G = funded(link("f1", "fund", "a", kind="funding"), link("f2", "fund", "b", kind="funding"),
               recipients=[org("a", populations=()), org("b", populations=())])
    assert funding_overlaps(G, as_of=AS_OF) == []


def naive_overlaps(G):
    """Reference: test every pair of every group directly."""
    active = [(u, v, d) for u, v, d in G.edges(data=True)
              if d["status"] == "active" and G.nodes[u]["status"] == G.nodes[v]["status"] == "active"]
    ties = {frozenset((u, v)) for u, v, _ in active}
    forums = {}
    for u, v, d in active:
        if d["kind"] in ("coordination", "membership") and u != v:
            forums.setdefault(u, set()).add(v)
            forums.setdefault(v, set()).add(u)
    result = {}
    for f in service_overlaps(G, as_of=AS_OF):
        unlinked = [[a, b] for a, b in combinations(f.organisations, 2)
                    if frozenset((a, b)) not in ties and not forums.get(a, set()) & forums.get(b, set())]
        result[f.district, f.population, f.service] = (len(unlinked), unlinked[:20])
    return result


@st.composite
def overlap_networks(draw):
    ids = [f"o{i}" for i in range(draw(st.integers(2, 9)))]
    orgs = [org(i, services=draw(st.lists(st.sampled_from(["art", "prep"]), max_size=2, unique=True)),
                populations=draw(st.lists(st.sampled_from(["msm", "sex_workers"]), max_size=2, unique=True)),
                district=draw(st.sampled_from(["Sekhukhune", "Waterberg"])),
                status=draw(st.sampled_from(["active", "active", "inactive"])))
            for i in ids]
    links = [link(f"l{n}", draw(st.sampled_from(ids)), draw(st.sampled_from(ids)),
                  kind=draw(st.sampled_from(["mou", "coordination", "membership", "funding"])),
                  status=draw(st.sampled_from(["active", "active", "expired"])))
             for n in range(draw(st.integers(0, 12)))]
    return build_graph(orgs, links)


@settings(max_examples=100, deadline=None)
@given(overlap_networks())
def test_coordinated_pairs_match_a_pairwise_check(G):
    for f in service_overlaps(G, as_of=AS_OF):
        count, listed = naive_overlaps(G)[f.district, f.population, f.service]
        assert f.details["uncoordinated_pair_count"] == count
        assert f.details["uncoordinated_pairs"] == listed
        assert f.details["uncoordinated"] == (count > 0)
        expected = "high" if count == f.details["pair_count"] else "medium" if count else "low"
        assert f.severity == expected


# --- funding overlaps -----------------------------------------------------------------------

def funded(*links, recipients=None):
    recipients = recipients or [org("a", services=("tb_screening", "art")), org("b", services=("tb_screening",)),
                                org("c", services=("art",))]
    donor = org("fund", services=(), populations=(), district=None, name="Mining Health Fund")
    return build_graph([donor, *recipients], links)


def test_funder_of_two_recipients_for_one_service():
    G = funded(link("f1", "fund", "a", kind="funding"), link("f2", "fund", "b", kind="funding"))
    [finding] = funding_overlaps(G, as_of=AS_OF)
    assert finding.type == "funding_overlap"
    assert finding.organisations == ["fund", "a", "b"]
    assert (finding.district, finding.population, finding.service) == ("Sekhukhune", "mineworkers", "tb_screening")
    assert finding.links == ["f1", "f2"]
    assert finding.details["funder"] == "fund" and finding.details["recipients"] == ["a", "b"]
    assert finding.severity == "high"
    assert finding.explanation.startswith("Mining Health Fund funds A and B for TB screening to mineworkers")


def test_link_services_scope_the_funding():
    G = funded(link("f1", "fund", "a", kind="funding", services=["art"]), link("f2", "fund", "b", kind="funding"))
    assert funding_overlaps(G, as_of=AS_OF) == []
    G = funded(link("f1", "fund", "a", kind="funding", services=["art"]), link("f3", "fund", "c", kind="funding"))
    assert [f.service for f in funding_overlaps(G, as_of=AS_OF)] == ["art"]


@pytest.mark.parametrize("second", [
    link("f2", "fund", "b", kind="funding", status="expired"),
    link("f2", "fund", "b", kind="funding", end=dt.date(2026, 1, 1)),
    link("f2", "b", "fund", kind="funding"),
    link("f2", "fund", "b", kind="referral"),
])
def test_no_funding_overlap_without_two_funding_links_in_force(second):
    assert funding_overlaps(funded(link("f1", "fund", "a", kind="funding"), second), as_of=AS_OF) == []


def test_coordinated_recipients_make_a_low_funding_overlap():
    G = funded(link("f1", "fund", "a", kind="funding"), link("f2", "fund", "b", kind="funding"),
               link("m1", "a", "b", kind="mou"))
    [finding] = funding_overlaps(G, as_of=AS_OF)
    assert finding.severity == "low" and finding.details["uncoordinated"] is False


# --- all together ---------------------------------------------------------------------------

def test_duplication_runs_all_three_in_order():
    G = funded(link("f1", "fund", "a", kind="funding"), link("f2", "fund", "b", kind="funding"),
               recipients=[org("a", name="Hope CBO"), org("b", name="Hope C.B.O."), org("c", name="Sizwe")])
    found = duplication(G, as_of=AS_OF)
    assert [(f.type, f.severity, f.organisations) for f in found] == [
        ("funding_overlap", "high", ["fund", "a", "b"]),
        ("service_overlap", "high", ["a", "b", "c"]),
        ("duplicate_record", "medium", ["a", "b"]),
    ]
    assert all(f.to_dict()["explanation"] for f in found)


def test_empty_graph_has_no_findings():
    assert duplication(build_graph([], []), as_of=AS_OF) == []
