"""Tests for network.analysis.pathways: k best referral pathways.

Properties on random small networks are in ``test_pathways_properties.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from network.analysis.pathways import Pathway, PathwayStep, pathway_index, referral_pathways
from network.graph.project import build_graph
from network.model import Link, Organisation
from tests.pathways_support import AS_OF, CASCADE, chain_network, link, org, route, routes


def test_chain_ranked_order_and_costs():
    G = chain_network()
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF)
    assert [(route(p), p.cost, p.hops) for p in found] == [
        (["cbo", "clinic", "hospital", "sassa"], pytest.approx(3.5), 3),
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(4.05), 3),
    ]
    best = found[0]
    assert [(s.services, s.link, s.link_kind, s.proposed) for s in best.steps] == [
        ([], None, None, False),
        (["tb_screening"], "r1", "referral", False),
        (["tb_treatment"], "m1", "mou", False),
        (["social_grant_linkage"], "r3", "referral", False),
    ]
    assert [s.hop_cost for s in best.steps] == pytest.approx([0.0, 1.0, 0.95, 1.55])
    assert best.steps[1].name == "Clinic"
    assert best.proposed_steps == 0


def test_k_limits_the_number_of_pathways():
    G = chain_network()
    assert [r for r, _ in routes(G, population="mineworkers", needs=CASCADE, start="cbo", k=1)] == [
        ["cbo", "clinic", "hospital", "sassa"]
    ]


@pytest.mark.parametrize("broken", [
    link("r1", "cbo", "clinic", status="expired"),
    link("r1", "cbo", "clinic", status="ended"),
    link("r1", "cbo", "clinic", status="proposed"),
    link("r1", "cbo", "clinic", end=dt.date(2026, 2, 28)),
    link("r1", "cbo", "clinic", start=dt.date(2026, 3, 2)),
])
def test_link_not_in_force_is_never_used(broken):
    G = chain_network(r1=broken)
    assert routes(G, population="mineworkers", needs=CASCADE, start="cbo") == [
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(4.05))
    ]


def test_expired_mou_is_never_part_of_a_pathway():
    G = chain_network(m1=link("m1", "hospital", "clinic", kind="mou", weight=4, end=dt.date(2025, 12, 31)))
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF)
    assert route(found[0]) == ["cbo", "clinic2", "hospital", "sassa"]
    assert all(step.link != "m1" for p in found for step in p.steps)


def test_mou_on_its_last_day_is_still_in_force():
    G = chain_network(m1=link("m1", "hospital", "clinic", kind="mou", weight=4, end=AS_OF))
    assert len(routes(G, population="mineworkers", needs=CASCADE, start="cbo")) == 2


def test_inactive_organisation_is_never_used():
    G = chain_network(clinic=org("clinic", ["tb_screening"], status="inactive"))
    assert routes(G, population="mineworkers", needs=CASCADE, start="cbo") == [
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(4.05))
    ]


def test_inactive_start_gives_no_pathway():
    G = chain_network(cbo=org("cbo", ["peer_education"], ["mineworkers"], status="inactive"))
    assert routes(G, population="mineworkers", needs=CASCADE, start="cbo") == []


def test_referral_is_one_way_and_mou_both_ways():
    G = chain_network()
    # r3 runs hospital -> sassa only, so SASSA cannot send a client back to the hospital.
    assert routes(G, population="mineworkers", needs=["tb_treatment"], start="sassa") == []
    # m1 was recorded hospital -> clinic but an MoU works both ways.
    assert routes(G, population="mineworkers", needs=["tb_treatment"], start="clinic") == [
        (["clinic", "hospital"], pytest.approx(0.95))
    ]


@pytest.mark.parametrize("bridge_populations, expected", [
    (["sex_workers"], []),
    (["mineworkers", "sex_workers"], [(["cbo", "bridge", "hospital"], pytest.approx(2.0))]),
    ([], [(["cbo", "bridge", "hospital"], pytest.approx(2.0))]),
])
def test_organisation_not_serving_the_population_is_never_a_bridge(bridge_populations, expected):
    G = build_graph(
        [org("cbo", [], ["mineworkers"]), org("bridge", ["peer_education"], bridge_populations),
         org("hospital", ["tb_treatment"])],
        [link("r1", "cbo", "bridge"), link("r2", "bridge", "hospital")],
    )
    assert routes(G, population="mineworkers", needs=["tb_treatment"], start="cbo") == expected


def test_provider_not_serving_the_population_does_not_deliver():
    G = build_graph(
        [org("cbo", [], ["mineworkers"]), org("kp_clinic", ["tb_treatment"], ["sex_workers"]),
         org("hospital", ["tb_treatment"])],
        [link("r1", "cbo", "kp_clinic"), link("r2", "cbo", "hospital", formal=False)],
    )
    assert routes(G, population="mineworkers", needs=["tb_treatment"], start="cbo") == [
        (["cbo", "hospital"], pytest.approx(1.5))
    ]


def unlinked_network():
    return build_graph(
        [org("cbo", [], ["mineworkers"]), org("clinic", ["tb_screening"]),
         org("far_clinic", ["tb_screening"], district="Waterberg"), org("hospital", ["tb_treatment"])],
        [link("r1", "clinic", "hospital")],
    )


def test_include_unlinked_proposes_a_same_district_provider_only_then():
    G = unlinked_network()
    query = dict(population="mineworkers", needs=["tb_screening", "tb_treatment"], start="cbo")
    assert routes(G, **query) == []
    found = referral_pathways(G, include_unlinked=True, as_of=AS_OF, k=1, **query)
    # The Waterberg clinic is in another district; the hospital only offers the second need.
    assert [(route(p), p.cost, p.proposed_steps) for p in found] == [
        (["cbo", "clinic", "hospital"], pytest.approx(7.5), 1),
    ]
    proposed = found[0].steps[1]
    assert (proposed.proposed, proposed.link, proposed.link_kind, proposed.hop_cost) == (True, None, None, 6.5)
    assert found[0].steps[2].proposed is False


def test_proposed_step_is_not_offered_when_a_link_exists():
    G = chain_network()
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF,
                              include_unlinked=True, k=5)
    assert [route(p) for p in found][:2] == [["cbo", "clinic", "hospital", "sassa"],
                                             ["cbo", "clinic2", "hospital", "sassa"]]
    for p in found:
        for step in p.steps:
            if step.proposed:
                assert not G.has_edge(step.referred_by, step.organisation)
                assert not G.has_edge(step.organisation, step.referred_by)


@pytest.mark.parametrize("needs, expected_steps", [
    (["tb_screening", "tb_treatment"], [("clinic", ["tb_screening"]), ("hospital", ["tb_treatment"])]),
    (["tb_screening"], [("clinic", ["tb_screening"])]),
])
def test_start_may_meet_the_first_need(needs, expected_steps):
    G = chain_network()
    found = referral_pathways(G, population="mineworkers", needs=needs, start="clinic", as_of=AS_OF)
    assert [(s.organisation, s.services) for s in found[0].steps] == expected_steps


def test_one_organisation_meets_consecutive_needs():
    G = build_graph(
        [org("cbo", [], ["mineworkers"]), org("hospital", ["tb_screening", "tb_treatment"]),
         org("sassa", ["social_grant_linkage"])],
        [link("r1", "cbo", "hospital"), link("r2", "hospital", "sassa")],
    )
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF)
    assert [(s.organisation, s.services) for s in found[0].steps] == [
        ("cbo", []), ("hospital", ["tb_screening", "tb_treatment"]), ("sassa", ["social_grant_linkage"])
    ]


@pytest.mark.parametrize("formal, weight, cost", [
    (True, 3, 1.0), (True, 5, 0.9), (True, 1, 1.1), (False, 3, 1.5), (False, 5, 1.4), (False, 1, 1.6),
])
def test_hop_cost_by_formality_and_weight(formal, weight, cost):
    G = build_graph([org("a", [], ["mineworkers"]), org("b", ["art"])],
                    [link("r1", "a", "b", formal=formal, weight=weight)])
    assert routes(G, population="mineworkers", needs=["art"], start="a") == [(["a", "b"], pytest.approx(cost))]


def test_distance_adds_one_unit_per_hundred_kilometres():
    # One degree of latitude is 111.195 km on the mean Earth radius.
    G = build_graph([org("a", [], lat=-24.0, lon=29.0), org("b", ["art"], lat=-25.0, lon=29.0),
                     org("c", ["art"])],
                    [link("r1", "a", "b"), link("r2", "a", "c", weight=2)])
    assert routes(G, population="mineworkers", needs=["art"], start="a") == [
        (["a", "c"], pytest.approx(1.05)), (["a", "b"], pytest.approx(1.0 + 1.11195, abs=1e-4)),
    ]


def test_ties_are_broken_by_hops_then_ids():
    G = build_graph(
        [org("s", []), org("b", ["art"]), org("a", ["art"]), org("m", []), org("z", ["art"])],
        [link("r1", "s", "b"), link("r2", "s", "a"), link("r3", "s", "m", weight=5),
         link("r4", "m", "z", weight=1)],
    )
    # s->a and s->b cost 1.0 each; s->m->z costs 0.9 + 1.1 = 2.0.
    assert [r for r, _ in routes(G, population="plhiv", needs=["art"], start="s")] == [
        ["s", "a"], ["s", "b"], ["s", "m", "z"]
    ]


def test_max_hops_bounds_the_pathway():
    G = chain_network()
    query = dict(population="mineworkers", needs=CASCADE, start="cbo")
    assert routes(G, max_hops=2, **query) == []
    assert len(routes(G, max_hops=3, **query)) == 2


def test_a_hub_sends_one_client_to_several_providers():
    # b has no route from a to c; as a hub it sends the client to a for testing, then to c for ART.
    G = build_graph(
        [org("a", ["hiv_testing"]), org("b", []), org("c", ["art"])],
        [link("m1", "a", "b", kind="mou"), link("r1", "b", "c")],
    )
    (plan,) = referral_pathways(G, population="plhiv", needs=["hiv_testing", "art"], start="b", as_of=AS_OF)
    assert [(s.referred_by, s.organisation, s.services, s.link) for s in plan.steps] == [
        (None, "b", [], None), ("b", "a", ["hiv_testing"], "m1"), ("b", "c", ["art"], "r1")]
    assert routes(G, population="plhiv", needs=["hiv_testing", "art"], start="a") == [
        (["a", "b", "c"], pytest.approx(2.0))
    ]


def test_the_masedi_plan_of_issue_9():
    # Defect 3: one organisation refers a client to two providers; no chain between them is needed.
    G = build_graph(
        [org("masedi", ["gbv_support", "peer_education"], ["sex_workers"], lat=-27.97, lon=26.73),
         Organisation("thabong", "Thabong Community Clinic", "clinic", district="Sekhukhune", services=["pep"],
                      latitude=-27.99, longitude=26.75, phone="057 555 0101"),
         org("paralegal", ["legal_aid"])],
        [link("r1", "masedi", "thabong"), link("r2", "masedi", "paralegal", formal=False)],
    )
    (plan,) = referral_pathways(G, population="sex_workers", needs=["gbv_support", "pep", "legal_aid"],
                                start="masedi", as_of=AS_OF)
    assert [(s.referred_by, s.organisation, s.services) for s in plan.steps] == [
        (None, "masedi", ["gbv_support"]), ("masedi", "thabong", ["pep"]), ("masedi", "paralegal", ["legal_aid"])]
    assert [s.explanation for s in plan.steps] == [
        "Start at Masedi for gender-based violence support.",
        "Masedi refers the client to Thabong Community Clinic for post-exposure prophylaxis, through its "
        "referral agreement r1, 3 km away. Contact: phone 057 555 0101.",
        "Masedi refers the client to Paralegal for legal aid, through its referral agreement r2.",
    ]
    assert plan.steps[1].distance_km == pytest.approx(3.0, abs=0.1)
    assert "cost" not in plan.explanation


def test_a_two_way_referral_carries_the_client_back():
    G = build_graph([org("hbc", [], ["plhiv"]), org("clinic", ["art"])], [link("r1", "clinic", "hbc")])
    assert routes(G, population="plhiv", needs=["art"], start="hbc") == []
    G = build_graph([org("hbc", [], ["plhiv"]), org("clinic", ["art"])],
                    [Link("r1", "clinic", "hbc", "referral", formal=True, two_way=True)])
    (plan,) = referral_pathways(G, population="plhiv", needs=["art"], start="hbc", as_of=AS_OF)
    assert plan.steps[1].explanation == ("Hbc refers the client to Clinic for antiretroviral therapy, through "
                                         "their two-way referral agreement r1.")


def test_district_start_uses_serving_organisations_of_that_district():
    G = build_graph(
        [org("cbo", [], ["mineworkers"]), org("kp", [], ["sex_workers"]), org("hospital", ["tb_treatment"]),
         org("other", [], district="Waterberg")],
        [link("r1", "cbo", "hospital"), link("r2", "kp", "hospital", weight=5),
         link("r3", "other", "hospital", weight=5)],
    )
    found = routes(G, population="mineworkers", needs=["tb_treatment"], district="Sekhukhune")
    assert found == [(["hospital"], 0.0), (["cbo", "hospital"], pytest.approx(1.0))]


def test_index_is_reused_and_gives_the_same_answer():
    G = chain_network()
    index = pathway_index(G, as_of=AS_OF, include_unlinked=True)
    query = dict(population="mineworkers", needs=CASCADE, start="cbo")
    assert referral_pathways(G, index=index, **query) == referral_pathways(G, as_of=AS_OF, **query)
    assert referral_pathways(G, index=index, as_of=AS_OF, **query)
    with pytest.raises(ValueError, match="index"):
        referral_pathways(G, index=index, as_of=dt.date(2026, 1, 1), **query)


def test_to_dict_is_plain_data():
    G = chain_network()
    best = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF, k=1)[0]
    assert isinstance(best, Pathway) and isinstance(best.steps[0], PathwayStep)
    data = best.to_dict()
    assert data["cost"] == pytest.approx(3.5) and data["hops"] == 3 and data["proposed_steps"] == 0
    assert data["steps"][1] == {
        "organisation": "clinic", "name": "Clinic", "services": ["tb_screening"], "link": "r1",
        "link_kind": "referral", "proposed": False, "hop_cost": 1.0, "referred_by": "cbo", "distance_km": None,
        "contact": {}, "explanation": "Cbo refers the client to Clinic for TB screening, through its referral "
                                      "agreement r1."}


@pytest.mark.parametrize("query, message", [
    (dict(start="nobody"), "unknown organisation"),
    (dict(needs=[]), "needs"),
    (dict(needs=["tb_screening", "teleportation"]), "unknown service"),
    (dict(population="martians"), "unknown population"),
    (dict(k=0), "k must"),
    (dict(max_hops=-1), "max_hops"),
    (dict(district="Sekhukhune"), "either start"),
    (dict(start=None), "either start"),
    (dict(start=None, district="Atlantis"), "unknown district"),
])
def test_bad_queries_raise_value_error(query, message):
    G = chain_network()
    arguments = dict(population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF) | query
    with pytest.raises(ValueError, match=message):
        referral_pathways(G, **arguments)
