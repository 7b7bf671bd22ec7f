"""Proposed partners cross borders (issue 14): a ``cross_border_gap`` gets a referral to a provider in the sending
country that keeps TB treatment and compensation claims going, and the proposal says it crosses a border."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from network.analysis.borders import cross_border_gaps
from network.analysis.recommend import recommend_links
from network.graph.project import build_graph
from network.model import Link, Organisation

DAY = dt.date(2026, 6, 1)


def org(org_id: str, kind: str, district: str | None, **kw) -> Organisation:
    return Organisation(org_id, org_id.replace("-", " ").title(), kind, district=district, **kw)


def network(*links: Link, **extra: Organisation) -> nx.MultiDiGraph:
    """Lejweleputswa's ex-miners' forum has members from Lesotho and Mozambique; Welkom Clinic has an MoU with a
    Maseru clinic, so only Mozambique is a gap. In Mozambique: Gaza Clinic treats TB, the Gaza miners' association
    follows up compensation claims and treats nobody, Chokwe Clinic treats TB and follows up claims, a Maputo
    network treats TB for sex workers only, and a Maputo advocacy group offers neither. Everybody belongs to the
    SADC desk, so nobody is isolated."""
    orgs = [
        org("thabong-forum", "ex_mineworkers_association", "Lejweleputswa", populations=["ex_mineworkers"],
            countries_served=["LS", "MZ"]),
        org("welkom-clinic", "clinic", "Lejweleputswa", services=["tb_treatment"]),
        org("maseru-clinic", "clinic", "Maseru", country="LS", services=["tb_treatment"]),
        org("gaza-clinic", "clinic", "Gaza", country="MZ", services=["tb_treatment"]),
        org("gaza-miners", "ex_mineworkers_association", "Gaza", country="MZ", populations=["ex_mineworkers"],
            services=["compensation_claims_support"]),
        org("chokwe-clinic", "clinic", "Gaza", country="MZ", services=["tb_treatment", "compensation_claims_support"]),
        org("maputo-kp", "kp_network", "Maputo City", country="MZ", populations=["sex_workers"],
            services=["tb_treatment"]),
        org("maputo-advocacy", "ngo", "Maputo City", country="MZ", services=["advocacy"]),
        org("sadc", "regional_body", "South-East", country="BW"),
        *extra.values(),
    ]
    ties = [Link(f"m-{o.id}", o.id, "sadc", "membership") for o in orgs if o.id != "sadc"]
    return build_graph(orgs, [Link("mou-ls", "welkom-clinic", "maseru-clinic", "mou"), *ties, *links])


def border_proposals(G: nx.MultiDiGraph, limit: int = 20):
    return recommend_links(G, as_of=DAY, gaps=cross_border_gaps(G, as_of=DAY), limit=limit)


def test_the_gap_gets_one_referral_home_to_the_provider_keeping_most_care_going():
    G = network()
    assert [(f.district, f.details["country"]) for f in cross_border_gaps(G, as_of=DAY)] == [("Lejweleputswa", "MZ")]
    found = border_proposals(G)
    # Chokwe keeps both TB treatment and claims going; Gaza Clinic or the association would keep only one.
    assert [(r.source, r.target, r.kind) for r in found] == [("thabong-forum", "chokwe-clinic", "referral")]
    best = found[0]
    assert best.border == {"from": "ZA", "into": "MZ"}
    assert best.closes == [{"type": "cross_border_gap", "severity": "high", "organisation": "thabong-forum",
                            "district": "Lejweleputswa", "population": "ex_mineworkers", "service": None}]
    assert "crosses the border from South Africa into Mozambique" in best.reasons
    assert best.explanation == (
        "Agree a referral agreement from Thabong Forum to Chokwe Clinic across the border into Mozambique; it would "
        "let TB treatment and compensation claims follow ex-mineworkers from Lejweleputswa home to Mozambique.")
    assert best.to_dict()["border"] == {"from": "ZA", "into": "MZ"}


def test_the_proposal_closes_the_gap_by_the_gaps_own_rule():
    G = network()
    best = border_proposals(G)[0]
    agreed = network(Link("new", best.source, best.target, best.kind))
    assert cross_border_gaps(agreed, as_of=DAY) == []
    assert border_proposals(agreed) == []


@pytest.mark.parametrize(("removed", "expected", "kept"), [
    # without Chokwe each keeps one continuity going: the association also serves ex-mineworkers by name
    (["chokwe-clinic"], "gaza-miners", "compensation claims"),
    (["chokwe-clinic", "gaza-miners"], "gaza-clinic", "TB treatment"),
])
def test_providers_of_one_continuity_serve_when_none_offers_both(removed, expected, kept):
    G = network()
    G.remove_nodes_from(removed)
    found = border_proposals(G)
    assert [(r.source, r.target) for r in found] == [("thabong-forum", expected)]
    assert found[0].explanation.endswith(f"it would let {kept} follow ex-mineworkers from Lejweleputswa home to "
                                         "Mozambique.")


def test_providers_who_do_not_serve_the_people_or_offer_no_continuity_are_never_proposed():
    G = network()
    G.remove_nodes_from(["chokwe-clinic", "gaza-clinic", "gaza-miners"])
    # left in Mozambique: TB treatment for sex workers only, and advocacy
    assert len(cross_border_gaps(G, as_of=DAY)) == 1
    assert border_proposals(G) == []


def test_a_gap_with_nobody_in_the_sending_country_gets_no_proposal():
    G = network()
    G.remove_nodes_from([n for n, c in G.nodes(data="country") if c == "MZ"])
    assert border_proposals(G) == []


def test_links_within_a_country_say_no_border():
    found = recommend_links(network(), as_of=DAY, limit=50)
    assert ("thabong-forum", "chokwe-clinic") in [(r.source, r.target) for r in found]
    for r in found:
        assert (r.border is not None) == (r.source in ("thabong-forum", "welkom-clinic")
                                          and r.target.startswith(("chokwe", "gaza", "maseru", "maputo"))), r
