"""Cross-border continuity of care and data flows (issue 14): ``cross_border_gap`` and ``one_way_data`` on small
hand-built networks with the answers stated, through the gaps, the agenda and the API."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from network.analysis.borders import cross_border_gaps, data_flows, one_way_data
from network.analysis.gaps import linkage_gaps
from network.api import create_app
from network.errors import InvalidData
from network.graph.project import build_graph
from network.model import Link, Organisation
from network.schemas import load_link, load_organisation
from network.service import analyses
from tests.conftest import make_sqlite_store

DAY = dt.date(2026, 6, 1)


def org(org_id: str, kind: str = "cbo", district: str | None = "Lejweleputswa", **kw) -> Organisation:
    return Organisation(org_id, org_id.replace("-", " ").title(), kind, district=district, **kw)


def border_network(*links: Link) -> nx.MultiDiGraph:
    """Lejweleputswa (Free State): an ex-miners' forum whose members come from Lesotho and Mozambique, a mine
    clinic serving mineworkers from Mozambique, and a public clinic; a clinic in Maseru (Lesotho) and one in
    Gaza (Mozambique); an association in Maseru that offers nothing."""
    return build_graph([
        org("thabong-forum", "ex_mineworkers_association", populations=["ex_mineworkers"],
            countries_served=["LS", "MZ"]),
        org("mine-clinic", "clinic", populations=["mineworkers"], services=["tb_treatment"],
            countries_served=["MZ"]),
        org("welkom-clinic", "clinic", services=["tb_treatment"]),
        org("maseru-clinic", "clinic", "Maseru", country="LS", services=["tb_treatment"]),
        org("maseru-association", "ex_mineworkers_association", "Maseru", country="LS"),
        org("gaza-clinic", "clinic", "Gaza", country="MZ", services=["tb_treatment"]),
    ], list(links))


def gaps_of(G: nx.MultiDiGraph) -> list[tuple[str, str, list[str], list[str]]]:
    return [(f.district, f.details["country"], f.organisations, f.details["populations"])
            for f in cross_border_gaps(G, as_of=DAY)]


# cross_border_gap ------------------------------------------------------------------------------------------------


def test_a_district_serving_people_from_two_countries_with_no_agreement_has_two_gaps():
    # the answer: Lejweleputswa serves ex-mineworkers from Lesotho (the forum) and ex-mineworkers and mineworkers
    # from Mozambique (the forum and the mine clinic); nothing links it to either country
    assert gaps_of(border_network()) == [
        ("Lejweleputswa", "LS", ["thabong-forum"], ["ex_mineworkers"]),
        ("Lejweleputswa", "MZ", ["mine-clinic", "thabong-forum"], ["mineworkers", "ex_mineworkers"]),
    ]


def test_any_of_the_districts_organisations_with_an_agreement_in_force_closes_the_gap():
    # the public clinic (which names no sending country) refers to Maseru: Lesotho is linked, Mozambique is not
    referral = Link("r1", "welkom-clinic", "maseru-clinic", "referral", start_date=dt.date(2025, 1, 1))
    assert gaps_of(border_network(referral)) == [
        ("Lejweleputswa", "MZ", ["mine-clinic", "thabong-forum"], ["mineworkers", "ex_mineworkers"])]
    # an MoU recorded from the Gaza side counts both ways
    mou = Link("m1", "gaza-clinic", "thabong-forum", "mou")
    assert gaps_of(border_network(referral, mou)) == []


def test_agreements_not_in_force_or_to_no_provider_or_of_other_kinds_do_not_count():
    expired = Link("r1", "welkom-clinic", "maseru-clinic", "referral", end_date=dt.date(2026, 1, 31))
    proposed = Link("m1", "thabong-forum", "gaza-clinic", "mou", status="proposed")
    no_services = Link("m2", "thabong-forum", "maseru-association", "mou")
    membership = Link("s1", "mine-clinic", "gaza-clinic", "membership")
    assert [g[1] for g in gaps_of(border_network(expired, proposed, no_services, membership))] == ["LS", "MZ"]


def test_a_country_served_that_is_the_organisations_own_is_no_border():
    G = build_graph([org("maseru-forum", "ex_mineworkers_association", "Maseru", country="LS",
                         populations=["ex_mineworkers"], countries_served=["LS"])], [])
    assert cross_border_gaps(G, as_of=DAY) == []


def test_the_gap_explains_itself_and_joins_the_linkage_gaps():
    (finding,) = [f for f in linkage_gaps(border_network(), as_of=DAY)
                  if f.type == "cross_border_gap" and f.details["country"] == "LS"]
    assert finding.severity == "high"
    assert finding.explanation == (
        "Lejweleputswa serves ex-mineworkers from Lesotho (Thabong Forum), but no agreement in force links any of "
        "its organisations with a provider in Lesotho: TB treatment and compensation claims cannot follow a client "
        "home. Agree a referral or MoU with a clinic, TB programme or ex-miners' association in Lesotho.")


def test_countries_served_are_country_codes():
    assert load_organisation({"id": "a", "name": "A", "kind": "cbo", "countries_served": ["LS", "MZ"]}) \
        .countries_served == ["LS", "MZ"]
    with pytest.raises(InvalidData) as refused:
        load_organisation({"id": "a", "name": "A", "kind": "cbo", "countries_served": ["Lesotho"]})
    assert list(refused.value.errors) == ["countries_served.0"]


# data flows and one_way_data -------------------------------------------------------------------------------------


def data_network(*extra: Link) -> nx.MultiDiGraph:
    """Three community organisations send data to the national TB programme; one of them also to SADC."""
    return build_graph([
        org("hope-cbo", services=["tb_screening"]), org("sizwe-cbo"), org("miners-union", "trade_union"),
        org("ntp", "government", None), org("sadc", "regional_body", None, country="BW"),
        org("mine-hospital", "hospital"),
    ], [
        Link("d1", "hope-cbo", "ntp", "data_sharing", data=["tb_notifications", "referral_outcomes"]),
        Link("d2", "sizwe-cbo", "ntp", "data_sharing", data=["monitoring_reports"]),
        Link("d3", "miners-union", "ntp", "data_sharing", data=["tb_notifications"]),
        Link("d4", "miners-union", "sadc", "data_sharing", data=["human_rights_violations"]),
        Link("d5", "mine-hospital", "ntp", "data_sharing", data=["tb_notifications"]),
        *extra,
    ])


def test_flows_run_source_to_target_and_both_ways_when_two_way():
    G = data_network()
    flows = data_flows(G, [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)])
    assert flows[("hope-cbo", "ntp")] == {"tb_notifications", "referral_outcomes"}
    assert ("ntp", "hope-cbo") not in flows
    two_way = [("a", "b", "x", {"kind": "data_sharing", "two_way": True, "data": ["feedback"]})]
    assert data_flows(G, two_way) == {("a", "b"): {"feedback"}, ("b", "a"): {"feedback"}}


def test_receivers_that_share_nothing_back_are_one_way():
    # the answer: the NTP gets data from three community organisations (the hospital is not one) and returns
    # nothing; SADC gets the union's violation reports and returns nothing
    found = one_way_data(data_network(), as_of=DAY)
    assert [(f.organisations, f.links, f.details["senders"], f.details["data"]) for f in found] == [
        (["ntp", "hope-cbo", "miners-union", "sizwe-cbo"], ["d1", "d2", "d3"], 3,
         ["monitoring_reports", "referral_outcomes", "tb_notifications"]),
        (["sadc", "miners-union"], ["d4"], 1, ["human_rights_violations"]),
    ]
    assert found[0].explanation.startswith(
        "3 community organisations send Community-led monitoring reports, Referral outcomes and TB notifications "
        "to Ntp, which shares nothing back with any of them: agree what it returns")
    assert found[1].explanation == (
        "1 community organisation sends Human rights violation reports to Sadc, which shares nothing back with it: "
        "agree what it returns to them (analysed results, referral outcomes) so the data serves the communities that "
        "collect it.")


def test_feedback_to_some_senders_narrows_the_finding_and_to_all_closes_it():
    back = Link("f1", "ntp", "hope-cbo", "data_sharing", data=["feedback"])
    two_way = Link("d4", "miners-union", "sadc", "data_sharing", data=["human_rights_violations"], two_way=True)
    G = data_network(back)
    G.remove_edge("miners-union", "sadc", "d4")
    G.add_edge("miners-union", "sadc", key="d4", **{k: v for k, v in vars(two_way).items()
                                                       if k not in ("id", "source", "target")})
    (ntp,) = one_way_data(G, as_of=DAY)
    assert ntp.organisations == ["ntp", "miners-union", "sizwe-cbo"] and ntp.details["answered"] == ["hope-cbo"]
    assert "shares nothing back with 2 of them (Miners Union and Sizwe Cbo)" in ntp.explanation
    for sender, key in (("miners-union", "f2"), ("sizwe-cbo", "f3")):
        G.add_edge("ntp", sender, key=key, kind="data_sharing", status="active", data=["feedback"])
    assert one_way_data(G, as_of=DAY) == []


def test_only_data_sharing_links_name_the_data_they_carry():
    link = load_link({"id": "d1", "source": "a", "target": "b", "kind": "data_sharing",
                      "data": ["tb_notifications"]})
    assert link.data == ["tb_notifications"]
    with pytest.raises(InvalidData) as refused:
        load_link({"id": "m1", "source": "a", "target": "b", "kind": "mou", "data": ["tb_notifications"]})
    assert refused.value.errors["data"][0] == (
        "Only a data sharing link names the data it carries, not a link of the kind 'Memorandum of understanding'.")
    with pytest.raises(InvalidData) as refused:
        load_link({"id": "d1", "source": "a", "target": "b", "kind": "data_sharing", "data": ["gossip"]})
    assert refused.value.errors["data.0"][0] == "Unknown kind of data 'gossip'."


# through the store, the agenda and the API ------------------------------------------------------------------------


def test_the_agenda_and_the_api_name_both_findings(tmp_path):
    store = make_sqlite_store(tmp_path / "borders.db")
    try:
        G = border_network()
        D = data_network()
        orgs = {n: Organisation(n, d["name"], d["kind"], **{k: d[k] for k in ("district", "country", "services",
                                                                              "populations", "countries_served")})
                for H in (G, D) for n, d in H.nodes(data=True)}
        links = [Link(k, u, v, d["kind"], data=d.get("data", [])) for u, v, k, d in D.edges(keys=True, data=True)]
        store.upsert(list(orgs.values()), links)
        items = analyses.agenda(store, as_of=DAY, limit=None)["items"]
        border = [i for i in items if i["action"] == "link_across_border"]
        assert sorted(i["what"] for i in border) == [
            "Agree a referral or MoU between Mine Clinic and Thabong Forum in Lejweleputswa and a provider in "
            "Mozambique",
            "Agree a referral or MoU between Thabong Forum in Lejweleputswa and a provider in Lesotho"]
        assert all("TB treatment and compensation claims cannot follow a client home" in i["why"] for i in border)
        back = [i for i in items if i["action"] == "share_data_back"]
        assert sorted(i["what"] for i in back) == [
            "Agree with Ntp what it shares back with Hope Cbo, Miners Union and Sizwe Cbo",
            "Agree with Sadc what it shares back with Miners Union"]
        client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
        found = client.get("/api/v1/analysis/gaps?type=cross_border_gap&type=one_way_data&as_of=2026-06-01")
        assert found.status_code == 200
        body = found.get_json()
        rows = body["items"] if isinstance(body, dict) else body
        assert sorted((f["type"], f["organisations"][0]) for f in rows) == [
            ("cross_border_gap", "mine-clinic"), ("cross_border_gap", "thabong-forum"),
            ("one_way_data", "ntp"), ("one_way_data", "sadc")]
    finally:
        store.close()


# pathways across a border ----------------------------------------------------------------------------------------


def test_a_pathway_crosses_a_border_through_an_agreement_in_force_and_says_so(tmp_path):
    # the answer: from the Thabong forum (Free State) the only TB treatment it reaches for ex-mineworkers is the
    # Maseru clinic, through the forum's referral to it; the step names the border it crosses
    store = make_sqlite_store(tmp_path / "pathway.db")
    try:
        G = border_network()
        store.upsert([Organisation(n, d["name"], d["kind"], **{k: d[k] for k in (
            "district", "country", "services", "populations", "countries_served")}) for n, d in G.nodes(data=True)],
            [Link("r1", "thabong-forum", "maseru-clinic", "referral", services=["tb_treatment"], formal=True),
             Link("r2", "thabong-forum", "gaza-clinic", "referral", status="proposed")])
        (plan,) = analyses.pathways(store, population="ex_mineworkers", needs=["tb_treatment"],
                                    start="thabong-forum", as_of=DAY)
        step = plan["steps"][1]
        assert (step["organisation"], step["link"]) == ("maseru-clinic", "r1")
        assert step["notes"] == [
            "Crosses the border from South Africa into Lesotho under this agreement: give the client a transfer "
            "letter with their treatment record and any compensation claim number, so care continues."]
        assert step["explanation"].endswith(step["notes"][0])
        assert "notes" not in plan["steps"][0]
        # within one country, no note
        home = analyses.pathways(store, population="mineworkers", needs=["tb_treatment"], start="mine-clinic",
                                 as_of=DAY)
        assert home and all("notes" not in s for p in home for s in p["steps"])
    finally:
        store.close()
