"""Known answers for low trust between partners that depend on each other (network.analysis.trust), and who sees it."""

from __future__ import annotations

import datetime as dt

from network.analysis.trust import dependencies, low_trust_dependencies
from network.graph.project import build_graph
from network.model import Link, Organisation
from network.service import analyses, surveys
from network.service.audit import CLI

DAY = dt.date(2026, 6, 1)


def network():
    """Five organisations in Sekhukhune; which pairs depend on each other is stated link by link."""
    orgs = [Organisation(i, n, k, district="Sekhukhune", province="Limpopo")
            for i, n, k in [("cbo", "Hope CBO", "cbo"), ("clinic", "Sizwe Clinic", "clinic"),
                            ("donor", "Health Fund", "donor"), ("forum", "District Forum", "ngo"),
                            ("old", "Old Partner", "ngo")]]
    links = [
        Link("ref", "cbo", "clinic", "referral"),  # cbo-clinic: a referral agreement in force: depend
        Link("fund", "donor", "cbo", "funding", end_date=dt.date(2026, 12, 31)),  # donor-cbo: funding in force
        Link("forum", "forum", "clinic", "coordination"),  # forum-clinic: a forum only: no dependency
        Link("gone", "old", "clinic", "mou", status="expired", end_date=dt.date(2026, 1, 31)),  # lapsed: none
        Link("soon", "old", "cbo", "mou", status="proposed"),  # proposed: none
    ]
    return orgs, links


def score(trust: float, value: float = 3.0, sides: int = 2) -> dict:
    return {"trust": trust, "value": value, "respondents": sides}


def test_depend_means_an_agreement_in_force():
    G = build_graph(*network())
    assert dependencies(G, DAY) == {("cbo", "clinic"): [("ref", "referral")], ("cbo", "donor"): [("fund", "funding")]}
    # after the funding's end date, only the referral remains
    assert list(dependencies(G, dt.date(2027, 1, 1))) == [("cbo", "clinic")]


def test_only_low_trust_ties_that_are_dependencies_are_found():
    G = build_graph(*network())
    scores = {("cbo", "clinic"): score(1.5), ("cbo", "donor"): score(1.99, sides=1),
              ("clinic", "forum"): score(1.0), ("clinic", "old"): score(1.0), ("cbo", "old"): score(1.0)}
    found = low_trust_dependencies(G, scores, as_of=DAY, survey="Round one")
    # cbo-clinic (1.5, a referral: high) and cbo-donor (1.99, funding: medium); the forum, the lapsed MoU and
    # the proposed one are no dependency; lowest trust first
    assert [(f.organisations, f.links, f.severity, f.details["trust"]) for f in found] == [
        (["cbo", "clinic"], ["ref"], "high", 1.5), (["cbo", "donor"], ["fund"], "medium", 1.99)]
    assert found[0].district == "Sekhukhune"
    assert found[0].explanation == ("Hope CBO and Sizwe Clinic depend on each other (referral agreement) but rate "
                                    "their trust in each other low: 1.50 of 4 in Round one. Talk with both before "
                                    "the agreement is needed.")
    # trust of exactly 2 is not low
    assert low_trust_dependencies(G, {("cbo", "clinic"): score(2.0)}, as_of=DAY) == []


def test_the_agenda_and_report_name_them_for_administrators_only(sqlite_store):
    store = sqlite_store
    store.upsert(*network())
    _rate_low_trust(store)
    admin = analyses.report(store, as_of=DAY, admin=True)
    found = [f for f in admin["findings"] if f["type"] == "low_trust_dependency"]
    # the tie's trust: (1 + 2) / 2 = 1.5
    assert [(f["organisations"], f["details"]["trust"]) for f in found] == [(["cbo", "clinic"], 1.5)]
    items = [i for i in admin["agenda"]["items"] if i["action"] == "build_trust"]
    assert [i["what"] for i in items] == ["Meet Hope CBO and Sizwe Clinic about trust in their referral agreement"]
    others = analyses.report(store, as_of=DAY)
    assert not [f for f in others["findings"] if f["type"] == "low_trust_dependency"]
    assert not [i for i in analyses.agenda(store, as_of=DAY)["items"] if i["action"] == "build_trust"]


def test_a_pathway_step_along_a_low_trust_tie_says_so_for_administrators(sqlite_store):
    store = sqlite_store
    # a CBO screens mineworkers for TB and refers them to the clinic for treatment; they rate their tie's trust 1.5
    store.upsert([Organisation("cbo", "Hope CBO", "cbo", district="Sekhukhune", province="Limpopo",
                               services=["tb_screening"], populations=["mineworkers"]),
                  Organisation("clinic", "Sizwe Clinic", "clinic", district="Sekhukhune", province="Limpopo",
                               services=["tb_treatment"])],
                 [Link("ref", "cbo", "clinic", "referral", formal=True)])
    _rate_low_trust(store)
    asked = {"population": "mineworkers", "needs": ["tb_screening", "tb_treatment"], "start": "cbo", "as_of": DAY}
    step = analyses.pathways(store, admin=True, **asked)[0]["steps"][-1]
    assert step["organisation"] == "clinic" and step["notes"] == ["Trust on this tie is low (1.50 of 4 in Round one)."]
    assert "Trust on this tie is low (1.50 of 4 in Round one)." in step["explanation"]
    others = analyses.pathways(store, **asked)[0]["steps"][-1]
    assert "notes" not in others and "Trust" not in others["explanation"]


def _rate_low_trust(store) -> None:
    """A survey round in which cbo and clinic rate the trust of their tie 1 and 2 (1.5 on average)."""
    surveys.create_round(store, {"id": "r1", "name": "Round one", "opens": "2026-01-01", "closes": "2026-12-31",
                                 "invited": ["cbo", "clinic"]}, actor=CLI)
    for respondent, partner, trust in (("cbo", "clinic", 1), ("clinic", "cbo", 2)):
        surveys.answer(store, "r1", {"respondent": respondent, "partner": partner, "power": 3, "involvement": 3,
                                     "resources": 3, "reliability": trust, "mission": trust, "openness": trust},
                       actor=CLI, on=dt.date(2026, 3, 1))
