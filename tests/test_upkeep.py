"""Upkeep findings on tiny hand-built networks, with the right answers worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from network.analysis.upkeep import donor_dependency, one_way_agreements, stale_records, upkeep
from network.graph.project import build_graph, project
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.service import seed_demo

AS_OF = dt.date(2026, 6, 1)
FRESH = dt.date(2026, 5, 1)  # verified last month
DAY = dt.timedelta(days=1)


def org(id: str, **fields) -> Organisation:
    fields.setdefault("last_verified", FRESH)
    return Organisation(id, fields.pop("name", id.title()), fields.pop("kind", "cbo"), **fields)


def link(id: str, source: str, target: str, kind: str = "referral", **fields) -> Link:
    fields.setdefault("last_verified", FRESH)
    return Link(id, source, target, kind, **fields)


def one_way(G):
    return one_way_agreements(G, as_of=AS_OF)


# stale_record

def test_a_record_verified_last_month_is_not_stale():
    G = build_graph([org("a"), org("b")], [link("r1", "a", "b")])
    assert stale_records(G, as_of=AS_OF) == []


def test_stale_records_are_grouped_by_who_verifies_them():
    G = build_graph(
        [org("a", last_verified=AS_OF - 366 * DAY), org("b"), org("c", last_verified=None),
         org("gone", status="inactive", last_verified=None)],
        [link("r1", "b", "a", last_verified=None),            # b verifies it: b is its source
         link("r2", "b", "c", last_verified=AS_OF - 400 * DAY),
         link("m1", "a", "b", "mou"),                         # fresh
         link("x1", "a", "c", status="ended", last_verified=None),  # not in force: nothing to verify
         link("x2", "gone", "a", last_verified=None)],        # an inactive end: not in force
    )
    found = {f.organisations[0]: f for f in stale_records(G, as_of=AS_OF)}
    assert sorted(found) == ["a", "b", "c"]
    assert (found["a"].links, found["a"].details["own_record"], found["a"].severity) == ([], True, "low")
    assert found["b"].links == ["r1", "r2"]
    assert found["b"].details == {
        "verifier": "b", "own_record": False, "last_verified": FRESH, "stale_links": 2, "never_verified": 1,
        "oldest": AS_OF - 400 * DAY, "max_age_days": 365,
    }
    assert found["b"].severity == "medium"
    assert "recorded as the source" in found["b"].explanation
    assert "its referral agreement to A" in found["b"].explanation
    assert (found["c"].severity, found["c"].details["oldest"]) == ("medium", None)
    assert "never verified" in found["c"].explanation


@pytest.mark.parametrize(("age", "stale"), [(365, False), (366, True)])
def test_stale_from_the_day_after_max_age(age, stale):
    G = build_graph([org("a", last_verified=AS_OF - age * DAY)], [])
    assert bool(stale_records(G, as_of=AS_OF)) is stale


def test_max_age_is_configurable_and_twice_it_is_medium():
    G = build_graph([org("a", last_verified=AS_OF - 100 * DAY)], [])
    assert stale_records(G, as_of=AS_OF) == []
    assert [f.severity for f in stale_records(G, as_of=AS_OF, max_age_days=30)] == ["medium"]
    with pytest.raises(ValueError):
        stale_records(G, as_of=AS_OF, max_age_days=-1)


# donor_dependency

def funded(*grants: tuple[str, str, dt.date | None], recipients=("a", "b", "c")):
    orgs = [org("fund", kind="donor"), org("trust", kind="donor"),
            *(org(r, district="Bojanala") for r in recipients)]
    links = [link(f"f{i}", funder, recipient, "funding", end_date=end)
             for i, (funder, recipient, end) in enumerate(grants)]
    return build_graph(orgs, links)


def test_an_organisation_with_two_funders_is_not_dependent():
    G = funded(("fund", "a", None), ("trust", "a", None), recipients=("a",))
    assert donor_dependency(G, as_of=AS_OF) == []


def test_one_funder_is_a_dependency_urgent_when_the_grant_ends_within_180_days():
    G = funded(("fund", "a", AS_OF + 180 * DAY), ("trust", "b", AS_OF + 181 * DAY),
               ("trust", "c", None), ("fund", "c", AS_OF + 10 * DAY))
    found = [(f.details["scope"], f.organisations, f.severity, f.links) for f in donor_dependency(G, as_of=AS_OF)]
    # c has two funders; a and b one each. In the district, fund and trust each fund two of the three.
    assert found == [
        ("district", ["fund", "a", "c"], "high", ["f0", "f3"]),
        ("organisation", ["a", "fund"], "high", ["f0"]),
        ("district", ["trust", "b", "c"], "medium", ["f1", "f2"]),
        ("organisation", ["b", "trust"], "medium", ["f1"]),
    ]


def test_a_grant_already_over_or_only_proposed_is_no_funding():
    G = build_graph(
        [org("fund", kind="donor"), org("trust", kind="donor"), org("a")],
        [link("f1", "fund", "a", "funding"), link("f2", "trust", "a", "funding", end_date=AS_OF - DAY),
         link("f3", "trust", "a", "funding", status="proposed")],
    )
    assert [f.organisations for f in donor_dependency(G, as_of=AS_OF)] == [["a", "fund"]]


def test_several_grants_of_one_funder_end_when_the_last_ends():
    G = funded(("fund", "a", AS_OF + 10 * DAY), ("fund", "a", AS_OF + 300 * DAY), recipients=("a",))
    (finding,) = donor_dependency(G, as_of=AS_OF)
    assert (finding.severity, finding.details["ends"], finding.links) == ("medium", AS_OF + 300 * DAY, ["f0", "f1"])


def test_district_share_must_be_more_than_half():
    # fund carries a and b of four funded organisations: exactly half, not more.
    G = funded(("fund", "a", None), ("fund", "b", None), ("trust", "c", None), ("trust", "d", None),
               ("trust", "a", None), ("trust", "b", None), recipients=("a", "b", "c", "d"))
    found = [(f.details["scope"], f.organisations[0]) for f in donor_dependency(G, as_of=AS_OF)]
    assert found == [("district", "trust"), ("organisation", "c"), ("organisation", "d")]


def test_district_urgency_and_the_ending_recipients():
    G = funded(("fund", "a", AS_OF + 30 * DAY), ("fund", "b", None), ("trust", "b", None), ("trust", "c", None))
    (district,) = [f for f in donor_dependency(G, as_of=AS_OF) if f.organisations[0] == "fund"]
    assert (district.details["scope"], district.organisations) == ("district", ["fund", "a", "b"])
    assert (district.severity, district.details["ending"], district.details["ends"]) == ("high", ["a"],
                                                                                          AS_OF + 30 * DAY)
    assert district.details["funded"] == 3


# one_way_agreement

TB = ["tb_screening", "tb_treatment"]


def pair(*links: Link, a_services=("tb_screening", "tb_adherence_support"), b_services=tuple(TB), **b_fields):
    return build_graph([org("a", services=list(a_services)), org("b", services=list(b_services), **b_fields)],
                       list(links))


def test_a_one_way_referral_between_complementary_partners_is_flagged():
    found = one_way(pair(link("r1", "a", "b", services=["tb_treatment"])))
    assert [(f.organisations, f.links, f.details) for f in found] == [
        (["a", "b"], ["r1"], {"services_back": ["tb_adherence_support"], "by_record": False, "by_cascade": True})]
    assert found[0].severity == "low"


@pytest.mark.parametrize("back", [
    link("r1", "a", "b", two_way=True),                 # a two-way pair
    link("r2", "b", "a"),                               # referrals both ways
    link("m1", "b", "a", "mou"),                        # an MoU reaches both ways
])
def test_a_pair_that_can_refer_both_ways_is_not_flagged(back):
    links = [back] if back.id == "r1" else [link("r1", "a", "b"), back]
    assert one_way(pair(*links)) == []


def test_no_evidence_of_the_return_is_not_flagged():
    # b offers everything a does: b's clients need nothing from a.
    assert one_way(pair(link("r1", "a", "b"), a_services=["tb_screening"])) == []
    # b's clients would need a's service, but a serves none of b's populations.
    G = build_graph([org("a", services=["tb_adherence_support"], populations=["sex_workers"]),
                     org("b", services=TB, populations=["mineworkers"])], [link("r1", "a", "b")])
    assert one_way(G) == []


def test_the_record_itself_can_evidence_the_return():
    G = pair(link("r1", "a", "b", services=["tb_treatment", "peer_education"]),
             a_services=["peer_education"], b_services=["tb_treatment"])
    (finding,) = one_way(G)
    assert (finding.severity, finding.service, finding.details["by_record"]) == ("medium", "peer_education", True)
    assert "peer education" in finding.explanation and "peer_education" not in finding.explanation


def test_links_not_in_force_do_not_count():
    # the referral back has expired: the pair is one-way again.
    G = pair(link("r1", "a", "b"), link("r2", "b", "a", status="expired"))
    assert [f.links for f in one_way(G)] == [["r1"]]
    # the only referral is proposed: nothing recorded one way.
    assert one_way(pair(link("r1", "a", "b", status="proposed"))) == []


def test_upkeep_runs_all_three():
    G = build_graph([org("fund", kind="donor"), org("a", services=["tb_screening", "tb_adherence_support"]),
                     org("b", services=TB, last_verified=None)],
                    [link("f1", "fund", "a", "funding"), link("r1", "a", "b")])
    assert [(f.type, f.organisations) for f in upkeep(G, as_of=AS_OF)] == [
        ("donor_dependency", ["a", "fund"]), ("stale_record", ["b"]), ("one_way_agreement", ["a", "b"])]


def test_the_demos_two_way_agreements_are_never_one_way(tmp_path):
    store = SQLiteStore(tmp_path / "demo.db")
    seed_demo(store)
    G = project(store)
    store.close()
    two_way = {frozenset((u, v)) for u, v, data in G.edges(data=True) if data.get("two_way")}
    assert len(two_way) >= 10  # the demo plants them: facilities and home-based-care groups
    flagged = {frozenset(f.organisations) for f in one_way_agreements(G, as_of=dt.date(2026, 11, 23))}
    assert flagged and not flagged & two_way
