"""The demo network, loaded into a real SQLite store, shows every case planted in seed/build_demo.py."""

from __future__ import annotations

import datetime as dt

import pytest

from network.analysis.duplication import duplication
from network.analysis.gaps import linkage_gaps
from network.analysis.pathways import referral_pathways
from network.graph.project import project
from network.io.formats import import_path
from network.model import seed_dir
from network.service import drawing
from network.visual import default_highlights, ego_subgraph
from tests.conftest import make_sqlite_store

AS_OF = dt.date(2026, 11, 23)
APEL = "apel-cross-community-clinic"
APEL_CBOS = ["atok-womens-health-circle", "fetakgomo-chrome-diggers-support-group", "ga-mampuru-home-based-care",
             "mecklenburg-youth-health-club"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = make_sqlite_store(tmp_path_factory.mktemp("demo") / "demo.db")
    demo = seed_dir() / "demo"
    import_path(store, [demo / "organisations.csv", demo / "links.csv"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def G(store):
    return project(store)


@pytest.fixture(scope="module")
def gaps(G):
    return linkage_gaps(G, as_of=AS_OF)


def of_type(findings, kind):
    return [f for f in findings if f.type == kind]


def test_isolated(gaps):
    assert sorted(f.organisations[0] for f in of_type(gaps, "isolated")) == [
        "botshabelo-mineworkers-hospice", "lephalale-mine-widows-support-group", "ntabankulu-youth-against-tb",
        "phuthaditjhaba-mens-health-forum"]


def test_broken_cascades(gaps):
    assert sorted((f.organisations[0], f.service) for f in of_type(gaps, "broken_cascade")) == [
        ("driekop-artisanal-miners-association", "occupational_health_compensation"),
        ("sekgakgapeng-satellite-clinic", "tb_treatment"),
        ("tsolo-occupational-lung-screening-site", "occupational_health_compensation"),
        ("virginia-mobile-health-point", "tb_treatment"),
    ]


def test_uncovered_and_never_also_unreachable(gaps):
    uncovered = {(f.district, f.population, f.service) for f in of_type(gaps, "uncovered")}
    unreachable = {(f.district, f.population, f.service) for f in of_type(gaps, "unreachable")}
    assert {("Chris Hani", "ex_mineworkers", "benefit_medical_examination"),
            ("Chris Hani", "ex_mineworkers", "silicosis_screening"),
            ("Alfred Nzo", "ex_mineworkers", "occupational_health_compensation"),
            ("Lejweleputswa", "artisanal_miners", "silicosis_screening"),
            ("West Rand", "pwid", "opioid_substitution")} <= uncovered
    assert not uncovered & unreachable
    assert {("Alfred Nzo", "migrants", "tb_treatment"), ("Waterberg", "mining_communities", "tb_treatment")} <= (
        unreachable)


def test_the_two_way_agreements_reach_back(gaps):
    # Defect 6 of issue 9: the Giyani home-based-care group's facilities' referrals run both ways.
    assert not [f for f in of_type(gaps, "unreachable") if "giyani-home-based-care-network" in f.organisations]


def test_single_points_of_failure(gaps):
    found = of_type(gaps, "single_point_of_failure")
    assert len(found) <= 25
    (apel,) = [f for f in found if f.organisations[0] == APEL]
    assert sorted(apel.organisations[1:]) == APEL_CBOS
    assert "tb_treatment" in apel.details["services"]
    assert "bushveld-ridge-platinum-ltd" not in {f.organisations[0] for f in found}


def test_siloed_cluster(gaps):
    (silo,) = of_type(gaps, "siloed_cluster")
    assert silo.organisations == sorted([
        "musina-cross-border-health-committee", "beitbridge-road-womens-savings-and-health-club",
        "madimbo-corridor-farmworkers-group", "musina-faith-healing-fellowship", "limpopo-river-youth-drama-troupe",
        "nancefield-community-care-group"])


def test_expiring_agreements_of_every_kind_by_days_left(gaps):
    found = of_type(gaps, "expiring_agreement")
    assert sorted(f.links[0] for f in found) == [*(f"l-000{i}" for i in range(1, 8)), "l-0955"]
    (grant,) = [f for f in found if f.details["kind"] == "funding"]
    assert (grant.details["end_date"], grant.details["days_left"]) == ("2026-12-20", 27)
    by_severity = {}
    for f in found:
        by_severity.setdefault(f.severity, []).append(f.details["days_left"])
    assert all(days == sorted(days) for days in by_severity.values())


def test_duplication_plants(G):
    found = duplication(G, as_of=AS_OF)
    assert sorted(f.organisations for f in of_type(found, "duplicate_record")) == [
        ["ksd-migrant-support-centre", "mthatha-migrant-workers-support-centre"],
        ["mogalakwena-mine-affected-communities-network", "mokopane-mining-communities-forum"],
        ["sekhukhune-ex-mine-workers-assoc", "sekhukhune-ex-mineworkers-association"],
    ]
    assert {f.organisations[0] for f in of_type(found, "funding_overlap")} == {"ubuntu-health-fund"}
    overlaps = {tuple(f.organisations) for f in of_type(found, "service_overlap")
                if f.district == "Lejweleputswa" and f.details.get("uncoordinated")}
    assert ("goldfields-informal-miners-support-project", "meloding-diggers-wellness-group",
            "virginia-artisanal-miners-health-outreach") in overlaps


def test_inactive_organisations(store):
    assert {o.id for o in store.iter_organisations() if o.status == "inactive"} >= {
        "no-7-shaft-wellness-centre", "lusikisiki-youth-health-forum"}


def test_the_masedi_plan(G):
    # Defect 3 of issue 9.
    plans = referral_pathways(G, population="sex_workers", needs=["gbv_support", "pep", "legal_aid"],
                              start="masedi-womens-health-collective", as_of=AS_OF)
    assert [(s.referred_by, s.organisation, s.services) for s in plans[0].steps] == [
        (None, "masedi-womens-health-collective", ["gbv_support"]),
        ("masedi-womens-health-collective", "thabong-community-clinic", ["pep"]),
        ("masedi-womens-health-collective", "lejweleputswa-paralegal-advice-office", ["legal_aid"]),
    ]
    assert all("km away" in s.explanation and "Contact: phone" in s.explanation for s in plans[0].steps[1:])


def test_the_outreach_workers_question(G):
    (plan,) = referral_pathways(G, population="artisanal_miners", start="sekhukhune-chrome-diggers-health-project",
                                needs=["tb_screening", "tb_treatment", "social_grant_linkage"], as_of=AS_OF, k=1)
    assert [s.organisation for s in plan.steps] == [
        "sekhukhune-chrome-diggers-health-project", "praktiseer-community-clinic",
        "sekhukhune-district-social-grants-office"]


def test_no_route_for_the_ex_mineworkers_through_a_mine(G):
    # Defect 1 of issue 9: nothing to cut off where there is no route.
    assert referral_pathways(G, population="ex_mineworkers", needs=["benefit_medical_examination"],
                             start="or-tambo-ex-mineworkers-association", as_of=AS_OF) == []


def test_explorer_warnings_come_from_the_same_findings(G, gaps, store, tmp_path):
    # Defect 5 of issue 9: an ego drawing around Apel Cross warns about Apel Cross, as the report does.
    ego = ego_subgraph(G, APEL, 2)
    reasons = default_highlights(G, as_of=AS_OF, drawn=ego)
    assert "single point of failure" in reasons[APEL]
    named = {f.organisations[0] for f in gaps if f.type in ("isolated", "broken_cascade", "single_point_of_failure")}
    assert set(reasons) == named & set(ego)
    out = tmp_path / "apel.html"
    out.write_text(drawing.page(store, {"ego": APEL, "depth": 2, "as_of": AS_OF}, redacted=True)[0], encoding="utf-8")
    assert "⚠ single point of failure" in out.read_text(encoding="utf-8")


def test_the_population_filter_finds_public_facilities_that_serve_everyone(store):
    # Issue 9, defect 2: public facilities with no populations listed serve the general population, artisanal
    # miners included, so the API's population filter must return them.
    from network.api import create_app

    client = create_app({"STORE": store, "TESTING": True}).test_client()
    body = client.get("/api/v1/organisations?district=Sekhukhune&service=tb_treatment"
                      "&population=artisanal_miners&limit=100").get_json()
    general = sorted(o["id"] for o in body["items"] if not o["populations"])
    assert len(general) == 5
    assert all(o["kind"] in ("clinic", "hospital", "government") for o in body["items"] if not o["populations"])
    assert all(not o["populations"] or "artisanal_miners" in o["populations"] for o in body["items"])
    assert body["total"] == len(body["items"])
