"""Unreachable services and single points of failure on tiny hand-built networks, the answers worked out by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from network.analysis.gaps import (
    linkage_gaps,
    single_points_of_failure,
    uncovered,
    unreachable,
)
from network.model import Link
from tests.gaps_support import AS_OF, DAY, keyed, link, net, org

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
