"""Linkage gaps on tiny hand-built networks, with the right answers worked out by hand.

Isolated organisations, broken cascades and uncovered services here; unreachable services and single
points of failure in ``test_gaps_routes.py``; silos, expiring agreements and the whole run in
``test_gaps_agreements.py``; properties in ``test_gaps_properties.py``; shared helpers in ``gaps_support.py``.
"""

from __future__ import annotations

import pytest

from network.analysis.gaps import (
    broken_cascades,
    isolated,
    uncovered,
)
from network.model import Link
from tests.gaps_support import AS_OF, DAY, TREATMENT, keyed, link, net, org

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
