"""Linkage gaps on tiny hand-built networks, with the right answers worked out by hand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import gaps
from network.analysis.finding import SEVERITIES
from network.analysis.gaps import (
    broken_cascades,
    expiring_agreements,
    isolated,
    linkage_gaps,
    siloed_clusters,
    single_points_of_failure,
    uncovered,
    unreachable,
)
from network.analysis.layers import referral_graph
from network.graph.project import build_graph
from network.model import Link, Organisation, vocabulary

AS_OF = dt.date(2026, 1, 1)
DAY = dt.timedelta(days=1)
TREATMENT = ["tb_treatment", "tb_adherence_support", "tb_contact_tracing"]


def org(id: str, **fields) -> Organisation:
    return Organisation(id, fields.pop("name", id.title()), fields.pop("kind", "cbo"), **fields)


def link(id: str, source: str, target: str, kind: str = "referral", **fields) -> Link:
    return Link(id, source, target, kind, **fields)


def net(organisations: list[Organisation], links: list[Link] = ()) -> nx.MultiDiGraph:
    return build_graph(organisations, links)


def keyed(findings, *fields):
    return [tuple(getattr(f, name) for name in fields) for f in findings]


# isolated ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "is_isolated"),
    [
        ({}, False),
        ({"kind": "coordination"}, False),
        ({"kind": "funding"}, False),
        ({"status": "proposed"}, True),
        ({"status": "expired"}, True),
        ({"status": "ended"}, True),
        ({"end_date": AS_OF - DAY}, True),
        ({"end_date": AS_OF}, False),
        ({"start_date": AS_OF + DAY}, True),
        ({"start_date": AS_OF, "end_date": AS_OF + DAY}, False),
    ],
)
def test_isolated_depends_on_the_link_being_in_force(fields, is_isolated):
    G = net([org("a"), org("b", status="inactive"), org("c")],
            [link("l1", "a", "c", **{"kind": "mou", **fields})])
    expected = [["a"], ["c"]] if is_isolated else []
    assert [f.organisations for f in isolated(G, as_of=AS_OF)] == expected


def test_inactive_organisation_is_never_isolated():
    G = net([org("a", status="inactive"), org("b")], [link("l1", "b", "b", "mou")])
    # b's only link is to itself, which does not count.
    assert keyed(isolated(G, as_of=AS_OF), "organisations", "links") == [(["b"], [])]


def test_organisation_whose_only_link_is_proposed_is_isolated():
    G = net([org("a", name="Hope CBO", district="Waterberg"), org("b"), org("c")],
            [link("l1", "a", "b", status="proposed"), link("l2", "b", "c", "mou")])
    (finding,) = isolated(G, as_of=AS_OF)
    assert (finding.type, finding.organisations, finding.links, finding.district) == (
        "isolated", ["a"], ["l1"], "Waterberg")
    assert finding.details == {"links_not_in_force": 1}
    assert finding.explanation.startswith("Hope CBO has no link in force with any other organisation (1 ")


def test_link_to_an_inactive_organisation_leaves_the_other_isolated():
    G = net([org("a"), org("b", status="inactive")], [link("l1", "a", "b", "mou")])
    assert keyed(isolated(G, as_of=AS_OF), "organisations", "links") == [(["a"], ["l1"])]


@pytest.mark.parametrize(
    ("services", "severity"),
    [(["tb_treatment"], "high"), (["peer_education", "art"], "high"), (["research"], "medium"), ([], "low")],
)
def test_isolated_severity_follows_what_the_organisation_offers(services, severity):
    G = net([org("a", services=services)])
    assert keyed(isolated(G, as_of=AS_OF), "severity") == [(severity,)]


# broken_cascades --------------------------------------------------------------------------------------------


def _cascade_net(links: list[Link], cbo_populations=("mineworkers",), clinic_populations=(), **clinic):
    return net([
        org("cbo", name="Hope CBO", district="Sekhukhune", services=["tb_screening"],
            populations=list(cbo_populations)),
        org("clinic", name="Sizwe Clinic", kind="clinic", district="Sekhukhune",
            services=["tb_screening", *TREATMENT], populations=list(clinic_populations), **clinic),
    ], links)


def test_clinic_offering_both_steps_is_not_a_broken_cascade():
    G = _cascade_net([link("r1", "cbo", "clinic")])
    assert broken_cascades(G, as_of=AS_OF) == []


@pytest.mark.parametrize(
    ("links", "broken"),
    [
        ([link("r1", "cbo", "clinic")], False),
        ([link("m1", "clinic", "cbo", "mou")], False),
        ([link("m1", "cbo", "clinic", "mou")], False),
        ([link("r1", "clinic", "cbo")], True),
        ([link("m1", "cbo", "clinic", "mou", status="expired")], True),
        ([link("m1", "cbo", "clinic", "mou", status="proposed")], True),
        ([link("m1", "cbo", "clinic", "mou", end_date=AS_OF - DAY)], True),
        ([link("m1", "cbo", "clinic", "mou", end_date=AS_OF - DAY), link("r2", "cbo", "clinic")], False),
        ([link("c1", "cbo", "clinic", "coordination")], True),
        ([link("f1", "cbo", "clinic", "funding")], True),
        ([], True),
    ],
)
def test_only_an_active_referral_or_mou_from_x_closes_the_cascade(links, broken):
    G = _cascade_net(links)
    details = {"after": "tb_screening", "providers_in_district": 1}
    found = keyed(broken_cascades(G, as_of=AS_OF), "organisations", "service", "details")
    assert found == ([(["cbo"], "tb_treatment", details)] if broken else [])


@pytest.mark.parametrize(
    ("cbo_populations", "clinic_populations", "broken"),
    [
        (["mineworkers"], [], False),
        ([], ["mineworkers"], False),
        (["mineworkers", "migrants"], ["migrants"], False),
        (["mineworkers"], ["sex_workers"], True),
    ],
)
def test_the_provider_must_serve_a_population_x_serves(cbo_populations, clinic_populations, broken):
    G = _cascade_net([link("r1", "cbo", "clinic")], cbo_populations, clinic_populations)
    found = [f.organisations for f in broken_cascades(G, as_of=AS_OF) if f.service == "tb_treatment"]
    assert found == ([["cbo"]] if broken else [])


def test_inactive_provider_does_not_close_the_cascade():
    G = _cascade_net([link("r1", "cbo", "clinic")], status="inactive")
    assert keyed(broken_cascades(G, as_of=AS_OF), "organisations", "service", "severity") == [
        (["cbo"], "tb_treatment", "high")]


def test_one_finding_per_step_with_the_previous_step_in_details():
    G = net([org("a", services=["gbv_support"], populations=["agyw"])])
    assert keyed(broken_cascades(G, as_of=AS_OF), "service", "details") == [
        ("legal_aid", {"after": "gbv_support", "providers_in_district": 0}),
        ("pep", {"after": "gbv_support", "providers_in_district": 0}),
    ]


def test_broken_cascade_severity():
    G = net([
        # tb_treatment is essential for mineworkers and nobody in Waterberg offers it: high.
        org("a", district="Waterberg", services=["tb_screening"], populations=["mineworkers"]),
        # ... in Bojanala a clinic offers it, just not linked: medium.
        org("b", district="Bojanala", services=["tb_screening"], populations=["mineworkers"]),
        org("c", district="Bojanala", kind="clinic", services=TREATMENT),
        # opioid substitution is in no essential package of sex workers: low.
        org("d", district="Bojanala", services=["harm_reduction"], populations=["sex_workers"]),
    ])
    assert keyed(broken_cascades(G, as_of=AS_OF), "severity", "organisations", "service") == [
        ("high", ["a"], "tb_treatment"),
        ("medium", ["b"], "tb_treatment"),
        ("low", ["d"], "opioid_substitution"),
    ]
    finding = broken_cascades(G, as_of=AS_OF)[1]
    assert finding.explanation == (
        "B offers TB screening but has no active referral or MoU to any organisation that offers "
        "TB treatment to mineworkers; agree one with C.")


# uncovered --------------------------------------------------------------------------------------------------


def test_uncovered_lists_missing_essential_services_of_a_population_served_in_the_district():
    G = net([
        org("kp", district="Bojanala", populations=["msm"], services=["hiv_testing", "prep", "art"]),
        org("other", district="Bojanala", populations=["sex_workers"],
            services=["hiv_testing", "art", "prep", "sti", "condom_distribution", "gbv_support",
                      "legal_aid"]),
        org("far", district="Waterberg", services=["sti", "condom_distribution"]),
    ])
    details = {"serving": 1, "providers_for_others": 1}
    found = keyed(uncovered(G), "district", "population", "service", "severity", "organisations", "details")
    assert found == [
        ("Bojanala", "msm", "condom_distribution", "medium", ["kp"], details),
        ("Bojanala", "msm", "sti", "medium", ["kp"], details),
    ]


@pytest.mark.parametrize(
    ("provider", "flagged"),
    [
        (org("p", district="Bojanala", services=["family_planning"]), False),
        (org("p", district="Bojanala", services=["family_planning"], populations=["agyw"]), False),
        (org("p", district="Bojanala", services=["family_planning"], populations=["agyw", "msm"]), False),
        (org("p", district="Bojanala", services=["family_planning"], populations=["msm"]), True),
        (org("p", district="Bojanala", services=["family_planning"], status="inactive"), True),
        (org("p", district="Waterberg", services=["family_planning"]), True),
        (org("p", services=["family_planning"]), True),
    ],
)
def test_uncovered_needs_an_active_provider_in_the_district_for_that_population(provider, flagged):
    agyw = org("a", district="Bojanala", populations=["agyw"],
               services=["hiv_testing", "prep", "gbv_support", "condom_distribution"])
    G = net([agyw, provider])
    found = [f.service for f in uncovered(G) if f.population == "agyw"]
    assert found == (["family_planning"] if flagged else [])


def test_only_explicit_active_populations_make_a_population_served():
    G = net([
        org("clinic", district="Bojanala", kind="clinic"),
        org("gone", district="Bojanala", populations=["pwid"], status="inactive"),
        org("national", populations=["pwid"]),
    ])
    assert uncovered(G) == []


def test_uncovered_severity_and_explanation():
    G = net([org("a", name="Hope CBO", district="Bojanala", populations=["tb_patients"], services=TREATMENT
                 + ["hiv_testing", "nutrition_support"])])
    (finding,) = uncovered(G)
    assert (finding.service, finding.severity) == ("social_grant_linkage", "high")
    assert finding.explanation == (
        "No organisation in Bojanala offers social grant linkage, though 1 organisation there serves "
        "people with TB and their households; find or fund a provider, or agree referrals to a "
        "neighbouring district.")


# unreachable ------------------------------------------------------------------------------------------------


def _chain(*links: Link, provider_district: str = "Waterberg", provider_populations=()) -> nx.MultiDiGraph:
    """msm group in Bojanala -> b -> c -> a PrEP provider for everyone in Waterberg; e offers PrEP in Bojanala."""
    return net([
        org("a", district="Bojanala", populations=["msm"],
            services=["hiv_testing", "art", "sti", "condom_distribution"]),
        org("b", district="Bojanala"),
        org("c", district="Waterberg"),
        org("d", district=provider_district, populations=list(provider_populations), services=["prep"]),
        org("e", name="Bojanala Clinic", district="Bojanala", services=["prep"]),
    ], list(links))


CHAIN = [link("r1", "a", "b"), link("m2", "b", "c", "mou"), link("r3", "c", "d")]


@pytest.mark.parametrize(("max_hops", "flagged"), [(3, False), (4, False), (2, True), (0, True)])
def test_unreachable_counts_referral_steps(max_hops, flagged):
    found = unreachable(_chain(*CHAIN), as_of=AS_OF, max_hops=max_hops)
    assert keyed(found, "district", "population", "service", "organisations") == (
        [("Bojanala", "msm", "prep", ["a"])] if flagged else [])


@pytest.mark.parametrize(
    "links",
    [
        [link("r1", "b", "a"), *CHAIN[1:]],
        [CHAIN[0], link("m2", "b", "c", "mou", status="expired"), CHAIN[2]],
        [CHAIN[0], link("m2", "b", "c", "mou", status="expired", end_date=AS_OF - DAY), CHAIN[2]],
        [CHAIN[0], link("m2", "b", "c", "mou", end_date=AS_OF - DAY), CHAIN[2]],
        [CHAIN[0], CHAIN[1], link("r3", "d", "c")],
    ],
)
def test_unreachable_when_the_route_is_backwards_or_not_in_force(links):
    found = unreachable(_chain(*links), as_of=AS_OF)
    assert keyed(found, "service", "severity", "details") == [
        ("prep", "medium", {"serving": 1, "providers": 2, "providers_in_district": 1, "max_hops": 3})]


def test_inactive_intermediate_breaks_the_route():
    G = _chain(*CHAIN)
    G.nodes["c"]["status"] = "inactive"
    assert keyed(unreachable(G, as_of=AS_OF), "service") == [("prep",)]


def test_an_expired_link_whose_own_dates_still_hold_is_in_force():
    links = [CHAIN[0], link("m2", "b", "c", "mou", status="expired", end_date=AS_OF + DAY), CHAIN[2]]
    assert unreachable(_chain(*links), as_of=AS_OF) == []


def test_a_provider_in_the_group_reaches_itself_and_nonexistent_services_are_not_unreachable():
    G = _chain(provider_district="Bojanala", provider_populations=["msm"])
    # d is in Bojanala and lists msm: it is part of the group and provides PrEP in 0 hops.
    assert unreachable(G, as_of=AS_OF, max_hops=0) == []


def test_unreachable_explanation_names_the_provider_in_the_district():
    (finding,) = unreachable(_chain(), as_of=AS_OF)
    assert (finding.severity, finding.details["providers"], finding.details["providers_in_district"]) == (
        "medium", 2, 1)
    assert finding.explanation == (
        "In Bojanala, A, the only organisation serving men who have sex with men, cannot refer them to "
        "PrEP within 3 steps of agreements in force, though Bojanala Clinic there offers it to them; agree a "
        "referral or MoU with Bojanala Clinic.")


def test_an_uncovered_gap_is_not_also_unreachable():
    # Defect 6 of issue 9: one cause, one finding. Nobody in Bojanala offers PrEP once e has gone.
    G = _chain()
    G.remove_node("e")
    assert unreachable(G, as_of=AS_OF) == []
    assert keyed(uncovered(G, as_of=AS_OF), "district", "population", "service") == [
        ("Bojanala", "msm", "prep")]


def test_every_step_of_a_route_must_serve_the_population():
    # b serves only mineworkers: the msm client cannot be passed on through it.
    G = _chain(*CHAIN)
    G.nodes["b"]["populations"] = ["mineworkers"]
    assert keyed(unreachable(G, as_of=AS_OF), "service") == [("prep",)]


def test_a_two_way_referral_reaches_back():
    # Defect 6 of issue 9: a referral recorded one way, from the clinic to the group, runs both ways.
    one_way = _chain(link("r9", "e", "a"))
    assert keyed(unreachable(one_way, as_of=AS_OF), "service") == [("prep",)]
    assert unreachable(_chain(link("r9", "e", "a", two_way=True)), as_of=AS_OF) == []


@pytest.mark.parametrize("function", [unreachable, linkage_gaps])
def test_negative_max_hops_is_refused(function):
    with pytest.raises(ValueError, match="max_hops"):
        function(_chain(), as_of=AS_OF, max_hops=-1)


# single_points_of_failure -----------------------------------------------------------------------------------


def _hub(*extra: Link, **hub_fields) -> nx.MultiDiGraph:
    """Two sex workers' groups reach ART only through a drop-in centre; a far clinic offers ART too."""
    return net([
        org("a", name="Hope CBO", populations=["sex_workers"]),
        org("b", name="Thusong CBO", populations=["sex_workers"]),
        org("hub", name="Drop-in Centre", **{"populations": ["sex_workers"], **hub_fields}),
        org("c", name="Sizwe Clinic", services=["art"]), org("far", services=["art"]),
    ], [link("r1", "a", "hub"), link("r2", "b", "hub"), link("r3", "hub", "c"), *extra])


def test_an_organisation_on_every_route_is_one_finding_with_the_agreements_leading_to_it():
    (finding,) = single_points_of_failure(_hub(), as_of=AS_OF)
    assert keyed([finding], "severity", "organisations", "links", "population", "service") == [
        ("low", ["hub", "a", "b"], ["r1", "r2"], "sex_workers", "art")]
    assert finding.details == {"cut_off": 2, "services": ["art"], "populations": ["sex_workers"],
                               "routes_lost": [["a", "sex_workers", "art"], ["b", "sex_workers", "art"]]}


def test_a_second_route_or_a_provider_on_the_way_is_no_single_point():
    assert single_points_of_failure(_hub(link("r4", "a", "c"), link("r5", "b", "far")), as_of=AS_OF) == []
    assert single_points_of_failure(_hub(services=["art"]), as_of=AS_OF) == []


def test_one_organisation_relying_on_one_partner_is_not_a_weak_point_of_the_network():
    G = _hub()
    G.remove_edge("b", "hub", "r2")
    assert single_points_of_failure(G, as_of=AS_OF) == []


def test_a_referral_from_an_organisation_cuts_nobody_off_through_it():
    # Defect 1 of issue 9: the mine's only tie is a referral *from* it, and it serves only mineworkers;
    # the ex-mineworkers associations have no route to a benefit medical examination at all.
    G = net([
        org("assoc", populations=["ex_mineworkers"]), org("assoc2", populations=["ex_mineworkers"]),
        org("clinic", kind="clinic"),
        org("mine", kind="mining_company", populations=["mineworkers"]),
        org("bme", kind="clinic", services=["benefit_medical_examination"]),
    ], [link("r1", "assoc", "clinic"), link("r2", "assoc2", "clinic"), link("l-0460", "mine", "clinic"),
        link("r3", "bme", "mine")])
    assert single_points_of_failure(G, as_of=AS_OF) == []


def test_organisations_that_do_not_serve_the_population_carry_nobody():
    G = _hub()
    G.nodes["hub"]["populations"] = ["mineworkers"]
    assert single_points_of_failure(G, as_of=AS_OF) == []


def test_cycle_has_no_single_point_of_failure():
    G = _hub(link("m4", "c", "a", "mou"), link("m5", "c", "b", "mou"))
    assert single_points_of_failure(G, as_of=AS_OF) == []


def test_many_cut_off_is_high():
    leaves = [org(f"l{i}", populations=["msm"]) for i in range(10)]
    G = net([org("hub"), org("clinic", services=["art"]), org("other", services=["art"]), *leaves],
            [link("m0", "hub", "clinic", "mou"), link("m1", "clinic", "other", "mou"),
             link("m2", "other", "hub", "mou"), *(link(f"r{i}", f"l{i}", "hub") for i in range(10))])
    (finding,) = single_points_of_failure(G, as_of=AS_OF)
    assert (finding.severity, finding.organisations[0], finding.details["cut_off"]) == ("high", "hub", 10)
    assert finding.links == sorted(f"r{i}" for i in range(10))
    assert finding.explanation.startswith("If Hub stopped working, L0, L1, L2 and 7 others would lose every")


# siloed_clusters --------------------------------------------------------------------------------------------


def _triangles(*extra: tuple[str, str]) -> nx.MultiDiGraph:
    pairs = ["ab", "bc", "ca", "de", "ef", "fd", *extra]
    return net([org(c, district="Waterberg" if c in "abc" else None) for c in "abcdefg"],
               [link(f"{u}{v}", u, v, "coordination") for u, v in pairs])


def test_two_triangles_joined_by_one_tie_are_both_siloed():
    found = siloed_clusters(_triangles("cd"), as_of=AS_OF)
    assert keyed(found, "severity", "organisations", "links", "district", "details") == [
        ("medium", ["a", "b", "c"], ["cd"], "Waterberg", {"size": 3, "external_ties": 1}),
        ("medium", ["d", "e", "f"], ["cd"], None, {"size": 3, "external_ties": 1}),
    ]


def test_unconnected_triangle_is_siloed_with_no_tie():
    found = siloed_clusters(_triangles(), as_of=AS_OF)
    assert keyed(found, "severity", "organisations", "details") == [
        ("high", ["a", "b", "c"], {"size": 3, "external_ties": 0}),
        ("high", ["d", "e", "f"], {"size": 3, "external_ties": 0})]


def test_two_ties_or_a_small_community_are_not_siloed():
    assert siloed_clusters(_triangles("cd", "be"), as_of=AS_OF) == []
    assert siloed_clusters(_triangles(), as_of=AS_OF, min_size=4) == []


def test_the_whole_network_is_not_a_silo():
    G = net([org(c) for c in "abc"], [link("ab", "a", "b", "mou"), link("bc", "b", "c", "mou")])
    assert siloed_clusters(G, as_of=AS_OF) == []


# expiring_agreements ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "severity"),
    [(0, "high"), (30, "high"), (31, "medium"), (60, "medium"), (61, "low"), (90, "low"), (91, None),
     (-1, None), (400, None)],
)
def test_expiring_window_and_severity(days, severity):
    end = AS_OF + dt.timedelta(days=days)
    G = net([org("a", name="Hope CBO"), org("b", name="Sizwe Clinic")],
            [link("m1", "a", "b", "mou", end_date=end)])
    found = expiring_agreements(G, as_of=AS_OF)
    if severity is None:
        assert found == []
    else:
        assert keyed(found, "severity", "links", "organisations", "details") == [
            (severity, ["m1"], ["a", "b"], {"end_date": end.isoformat(), "days_left": days, "kind": "mou"})]


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        ({"kind": "referral"}, True),
        ({"kind": "mou"}, True),
        ({"kind": "coordination"}, False),
        ({"kind": "membership"}, False),
        ({"kind": "funding"}, True),
        ({"kind": "secondment"}, True),
        ({"kind": "data_sharing"}, True),
        ({"kind": "mou", "status": "ended"}, False),
        ({"kind": "mou", "status": "expired"}, True),
        ({"kind": "mou", "status": "proposed"}, False),
        ({"kind": "mou", "start_date": AS_OF + DAY}, False),
        ({"kind": "mou", "end_date": None}, False),
    ],
)
def test_only_agreements_in_force_are_expiring(fields, flagged):
    G = net([org("a"), org("b")], [link("l1", "a", "b", **{"end_date": AS_OF + 10 * DAY, **fields})])
    assert len(expiring_agreements(G, as_of=AS_OF)) == int(flagged)


def test_agreement_with_an_inactive_organisation_is_not_expiring():
    G = net([org("a"), org("b", status="inactive")], [link("m1", "a", "b", "mou", end_date=AS_OF + DAY)])
    assert expiring_agreements(G, as_of=AS_OF) == []


def test_expiring_explanation_and_horizon():
    G = net([org("a", name="Hope CBO"), org("b", name="Sizwe Clinic")],
            [link("r1", "a", "b", end_date=AS_OF + 20 * DAY)])
    assert expiring_agreements(G, as_of=AS_OF, within_days=19) == []
    (finding,) = expiring_agreements(G, as_of=AS_OF, within_days=20)
    assert finding.explanation == ("The referral agreement from Hope CBO to Sizwe Clinic ends on 2026-01-21, "
                                   "in 20 days; renew it or agree what replaces it.")
    with pytest.raises(ValueError, match="within_days"):
        expiring_agreements(G, as_of=AS_OF, within_days=-1)


def test_as_of_defaults_to_today(monkeypatch):
    G = net([org("a"), org("b")], [link("m1", "a", "b", "mou", end_date=dt.date(2030, 3, 1))])
    monkeypatch.setattr(gaps, "today", lambda: dt.date(2030, 1, 1))
    assert keyed(expiring_agreements(G), "details") == [
        ({"end_date": "2030-03-01", "days_left": 59, "kind": "mou"},)]


def test_grants_expire_too_and_agreements_are_sorted_by_days_left():
    # Defect 4 of issue 9: a funding link ending 2026-12-20 was not listed.
    as_of = dt.date(2026, 11, 23)
    G = net([org("donor", name="Health Fund", kind="donor"), org("cbo", name="Hope CBO"), org("clinic")], [
        link("g1", "donor", "cbo", "funding", end_date=dt.date(2026, 12, 20)),
        link("m1", "cbo", "clinic", "mou", end_date=dt.date(2026, 12, 1)),
        link("d1", "clinic", "cbo", "data_sharing", end_date=dt.date(2026, 12, 10)),
    ])
    found = expiring_agreements(G, as_of=as_of)
    assert keyed(found, "links", "severity") == [(["m1"], "high"), (["d1"], "high"), (["g1"], "high")]
    assert found[2].explanation == ("The funding agreement from Health Fund to Hope CBO ends on 2026-12-20, "
                                    "in 27 days; renew it or agree what replaces it.")


# linkage_gaps -----------------------------------------------------------------------------------------------


def test_linkage_gaps_runs_every_analysis_in_one_order():
    G = net([
        org("cbo", district="Sekhukhune", services=["tb_screening"], populations=["mineworkers"]),
        org("cbo2", district="Sekhukhune", services=["tb_screening"], populations=["mineworkers"]),
        org("hub", district="Sekhukhune"),
        org("clinic", district="Sekhukhune", services=TREATMENT),
        org("lone", district="Sekhukhune", services=["art"]),
        *(org(c) for c in "xyz"),
    ], [
        link("r1", "cbo", "hub"), link("r2", "cbo2", "hub"),
        link("m1", "hub", "clinic", "mou", end_date=AS_OF + 40 * DAY),
        *(link(f"c{i}", u, v, "coordination") for i, (u, v) in enumerate(["xy", "yz", "zx"])),
    ])
    parts = [isolated(G, as_of=AS_OF), broken_cascades(G, as_of=AS_OF), uncovered(G, as_of=AS_OF),
             unreachable(G, as_of=AS_OF), single_points_of_failure(G, as_of=AS_OF),
             siloed_clusters(G, as_of=AS_OF), expiring_agreements(G, as_of=AS_OF)]
    assert all(parts)
    combined = linkage_gaps(G, as_of=AS_OF)
    assert sorted(map(repr, combined)) == sorted(repr(f) for part in parts for f in part)
    ranks = [SEVERITIES.index(f.severity) for f in combined]
    assert ranks == sorted(ranks)
    assert combined == linkage_gaps(G, as_of=AS_OF)
    assert all(f.explanation.endswith(".") and f.organisations for f in combined)


@pytest.mark.parametrize(
    "function",
    [linkage_gaps, isolated, broken_cascades, uncovered, unreachable, single_points_of_failure,
     siloed_clusters, expiring_agreements],
)
def test_empty_network_has_no_gaps(function):
    assert function(nx.MultiDiGraph(), as_of=AS_OF) == []


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
