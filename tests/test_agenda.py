"""The coordination agenda: root causes grouped and worded on hand-built findings.

Scores, scope and invariants are in ``test_agenda_scores.py``, the demo's planted cases in ``test_agenda_demo.py``.
"""

from __future__ import annotations

import pytest

from network.analysis.finding import Finding
from tests.agenda_support import AS_OF, DAY, bridge, expiring, gap, items, network, overlap, spof


@pytest.fixture
def G():
    return network()


# Root causes

def test_an_expiring_agreement_is_one_item_and_the_single_point_of_failure_on_it_joins_it(G):
    (item,) = items([expiring(), bridge("apel", "tubatse", "m1", cut_off=3)], G)
    assert (item.action, item.key, item.findings, item.due) == ("renew_agreement", "renew:m1", [0, 1],
                                                                AS_OF + 20 * DAY)
    assert item.what == "Renew the MoU between Apel Cross Clinic and Tubatse Hospital before 21 June 2026"
    assert "only referral route to TB treatment for 3 organisations" in item.why
    assert item.finding_types == {"expiring_agreement": 1, "single_point_of_failure": 1}


def test_a_grant_about_to_end_that_is_all_an_organisations_funding_is_one_item(G):
    grant = Finding("expiring_agreement", "high", "...", ["fund", "ga"], None, links=["g1"],
                    details={"end_date": (AS_OF + 10 * DAY).isoformat()})
    alone = Finding("donor_dependency", "high", "...", ["ga", "fund"], "Sekhukhune", links=["g1"],
                    details={"scope": "organisation", "ends": (AS_OF + 10 * DAY).isoformat()})
    G.add_edge("fund", "ga", key="g1", kind="funding", status="active", end_date=AS_OF + 10 * DAY)
    (item,) = items([alone, grant], G)
    assert (item.key, item.findings) == ("renew:g1", [0, 1])
    assert item.what == "Renew the grant from Ubuntu Fund to Ga-Mampuru HBC before 11 June 2026"
    assert "It is all the funding Ga-Mampuru HBC has." in item.why


def test_each_expiring_agreement_is_its_own_item(G):
    found = items([expiring(), expiring("r1", ends_ab=("atok", "apel"))], G)
    assert sorted(i.key for i in found) == ["renew:m1", "renew:r1"]
    assert {i.what for i in found} >= {"Renew the referral agreement from Atok Circle to Apel Cross Clinic before "
                                       "21 June 2026"}


def test_a_single_point_of_failure_its_bridges_and_the_unreachables_it_causes_are_one_item(G):
    findings = [
        spof("apel", ["atok", "ga"], links=["r1", "r2"]),
        bridge("atok", "apel", "r1"),                        # a bridge at the hub joins it
        spof("tubatse", ["apel"], severity="low"),
        bridge("apel", "tubatse", "x9"),                     # joins both ends' findings: apel and tubatse
        gap("unreachable", "Sekhukhune", "artisanal_miners", "tb_treatment", ["atok", "ga"], "medium"),
        gap("unreachable", "Lejweleputswa", "artisanal_miners", "tb_treatment", ["virginia"], "medium"),
    ]
    route, refer = sorted(items(findings, G), key=lambda i: i.action, reverse=True)
    assert (route.action, route.findings) == ("second_route", [0, 1, 2, 3, 4])
    assert route.what == "Give Atok Circle and Ga-Mampuru HBC a second referral route to TB treatment, besides " \
                         "Apel Cross Clinic"
    assert route.organisations == ["atok", "ga", "apel"]
    assert (refer.action, refer.findings, refer.district) == ("agree_referral", [5], "Lejweleputswa")
    assert refer.what == "Agree a referral from Virginia Outreach to Mangaung TB Hospital for TB treatment"


def test_the_services_most_routes_would_lose_come_first(G):
    finding = spof("apel", ["atok", "ga"], services=["documentation_support", "tb_treatment"])
    finding.details["routes_lost"] = [["atok", "artisanal_miners", "tb_treatment"],
                                      ["ga", "artisanal_miners", "tb_treatment"],
                                      ["ga", "artisanal_miners", "documentation_support"]]
    (item,) = items([finding], G)
    assert "a second referral route to TB treatment and ID and documentation support," in item.what


def test_uncovered_services_of_a_district_and_population_are_one_item_with_their_unreachables(G):
    findings = [
        gap("uncovered", "Lejweleputswa", "artisanal_miners", "silicosis_screening", ["virginia", "meloding"]),
        gap("unreachable", "Lejweleputswa", "artisanal_miners", "silicosis_screening", ["virginia", "meloding"]),
        gap("uncovered", "Lejweleputswa", "mineworkers", "silicosis_screening", ["welkom"]),
    ]
    first, second = sorted(items(findings, G), key=lambda i: i.key)
    assert (first.key, first.findings) == ("provide:Lejweleputswa:artisanal_miners", [0, 1])
    assert first.what == "Find a provider of silicosis screening for artisanal and small-scale miners in Lejweleputswa"
    assert "The nearest provider is Mangaung TB Hospital in Mangaung." in first.why
    assert second.findings == [2]
    assert "nearest provider" not in second.why  # nobody offers it to mineworkers


def test_overlaps_of_one_district_and_service_are_one_item_and_coordinated_ones_none(G):
    trio = ["goldfields", "meloding", "virginia"]
    pairs = [("goldfields", "meloding"), ("goldfields", "virginia"), ("meloding", "virginia")]
    findings = [
        overlap("Lejweleputswa", "artisanal_miners", "tb_screening", trio, pairs),
        overlap("Lejweleputswa", "migrants", "tb_screening", trio, pairs),
        overlap("Lejweleputswa", "artisanal_miners", "peer_education", trio, pairs),
        overlap("Sekhukhune", "mineworkers", "tb_screening", ["apel", "hope"], [], severity="low"),
    ]
    (item,) = items(findings, G)
    assert (item.action, item.findings) == ("coordinate", [0, 1, 2])
    assert item.what == ("Bring the three community-based organisations doing peer education and TB screening in "
                         "Lejweleputswa into Lejweleputswa District AIDS Council: Goldfields Project, "
                         "Meloding Diggers and Virginia Outreach")
    assert "Welkom Clinic already meets there" not in item.why  # Welkom is in none of the pairs


def test_organisations_that_do_not_meet_apart_are_items_apart(G):
    # one service, one district, two populations: two sets of organisations that do not meet.
    findings = [overlap("Sekhukhune", "artisanal_miners", "tb_screening", ["atok", "ga"], [("atok", "ga")]),
                overlap("Sekhukhune", "mineworkers", "tb_screening", ["apel", "hope"], [("apel", "hope")]),
                overlap("Sekhukhune", "mineworkers", "peer_education", ["hope", "apel"], [("apel", "hope")])]
    found = sorted((i.findings, i.organisations) for i in items(findings, G))
    assert found == [([0], ["ga", "forum"]), ([1, 2], ["apel", "hope", "forum"])]


def test_a_forum_some_of_them_attend_is_named_and_the_others_are_asked_in(G):
    pairs = [("apel", "atok"), ("atok", "hope")]
    (item,) = items([overlap("Sekhukhune", None, "tb_screening", ["apel", "atok", "hope"], pairs)], G)
    assert item.what == ("Bring the two organisations doing TB screening in Sekhukhune into Sekhukhune AIDS "
                         "Council: Apel Cross Clinic and Hope CBO")
    assert "Atok Circle already meets there." in item.why


def test_duplicates_one_item_per_pair(G):
    dup = Finding("duplicate_record", "medium", "...", ["apel", "sizwe"], "Sekhukhune",
                  details={"score": 96.0, "reasons": ["name", "phone"], "merge": {"keep": "sizwe", "drop": "apel"}})
    other = Finding("duplicate_record", "low", "...", ["atok", "ga"], "Sekhukhune", details={"reasons": ["email"]})
    found = {i.key: i for i in items([dup, other], G)}
    assert sorted(found) == ["merge:apel:sizwe", "merge:atok:ga"]
    assert found["merge:apel:sizwe"].what == "Merge the two records of Sizwe Clinic and Apel Cross Clinic"
    assert "similar names and the same phone number" in found["merge:apel:sizwe"].why


def test_one_item_per_organisation_for_isolation_cascades_stale_records_and_funding(G):
    findings = [
        Finding("isolated", "high", "...", ["hope"], "Sekhukhune", details={"links_not_in_force": 0}),
        Finding("broken_cascade", "medium", "...", ["hope"], "Sekhukhune", service="tb_treatment",
                details={"after": "tb_screening"}),
        Finding("broken_cascade", "low", "...", ["hope"], "Sekhukhune", service="tb_contact_tracing",
                details={"after": "tb_treatment"}),
        Finding("stale_record", "low", "...", ["atok"], "Sekhukhune", links=["r1", "c1"],
                details={"own_record": True, "max_age_days": 365}),
        Finding("funding_overlap", "low", "...", ["fund", "atok", "ga"], "Sekhukhune", "artisanal_miners",
                "tb_screening", details={"funder": "fund"}),
        Finding("funding_overlap", "low", "...", ["fund", "atok", "ga"], "Sekhukhune", "artisanal_miners",
                "peer_education", details={"funder": "fund"}),
        Finding("donor_dependency", "high", "...", ["ga", "fund"], "Sekhukhune",
                details={"scope": "organisation", "ends": (AS_OF + 30 * DAY).isoformat()}),
        Finding("one_way_agreement", "low", "...", ["atok", "apel"], "Sekhukhune", service="tb_screening",
                details={"services_back": ["tb_screening"]}),
        Finding("something_new", "low", "Talk to Hope CBO.", ["hope"]),
    ]
    found = {i.action: i for i in items(findings, G)}
    assert len(found) == 7
    assert found["connect_organisation"].what == ("Agree a referral or MoU with Hope CBO, or bring it into a forum "
                                                  "in Sekhukhune")
    assert found["close_cascade"].findings == [1, 2]
    assert found["close_cascade"].what == ("Agree a referral from Hope CBO to Tubatse Hospital for TB contact tracing "
                                           "and TB treatment")
    assert found["verify_records"].what == "Ask Atok Circle to confirm its record and the 2 links it recorded"
    assert found["review_funding"].findings == [4, 5]
    assert found["review_funding"].what == ("Review with Ubuntu Fund its grants to Atok Circle and Ga-Mampuru HBC "
                                            "for peer education and TB screening among artisanal and small-scale "
                                            "miners in Sekhukhune")
    assert found["second_funder"].due == AS_OF + 30 * DAY
    assert found["record_two_way"].what.startswith("Check with Atok Circle and Apel Cross Clinic whether they refer")
    assert found["act"].what == "Talk to Hope CBO"
