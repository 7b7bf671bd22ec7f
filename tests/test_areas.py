"""Intervention areas (issue 14): organisations and links carry them; the filters (API, pages, CLI through the one
scope schema), the ``area_unlinked`` finding, the summary by area and the agenda of one area, with the answers
stated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.analysis.areas import area_summary, unlinked_areas
from network.api import create_app
from network.cli import cli
from network.errors import InvalidData
from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation, vocabulary
from network.schemas import load_link, load_organisation
from network.service import analyses
from tests.api_support import network_file

DAY = dt.date(2026, 6, 1)
CLM = "community_led_monitoring"


def network(*extra: Link) -> tuple[list[Organisation], list[Link]]:
    """Limpopo: four organisations doing community-led monitoring in Sekhukhune and Capricorn, one of them also
    advocacy; the Sekhukhune district health office; a Free State monitoring group linked to its provincial
    department; an inactive monitoring group in Limpopo."""
    def org(org_id: str, district: str, areas: list[str], kind: str = "cbo", **kw) -> Organisation:
        return Organisation(org_id, org_id.replace("-", " ").title(), kind, district=district,
                            province=vocabulary().districts[district], intervention_areas=areas, **kw)

    organisations = [
        org("tubatse-monitors", "Sekhukhune", [CLM, "community_led_advocacy"]),
        org("jane-furse-watch", "Sekhukhune", [CLM]),
        org("polokwane-clinic-committee", "Capricorn", [CLM]),
        org("lebowakgomo-treatment-literacy", "Capricorn", [CLM]),
        org("old-watch", "Capricorn", [CLM], status="inactive"),
        org("sekhukhune-dho", "Sekhukhune", [], "government"),
        org("mangaung-monitors", "Mangaung", [CLM]),
        org("free-state-health", "Mangaung", [], "government"),
    ]
    links = [Link("m1", "tubatse-monitors", "jane-furse-watch", "mou", intervention_areas=[CLM]),
             Link("c1", "mangaung-monitors", "free-state-health", "coordination"), *extra]
    return organisations, links


def test_the_schema_takes_areas_on_organisations_and_links():
    assert load_organisation({"id": "a", "name": "A", "kind": "cbo", "intervention_areas": [CLM]}) \
        .intervention_areas == [CLM]
    assert load_link({"id": "l", "source": "a", "target": "b", "kind": "mou",
                      "intervention_areas": ["linkages_coordination"]}).intervention_areas == ["linkages_coordination"]
    with pytest.raises(InvalidData) as refused:
        load_organisation({"id": "a", "name": "A", "kind": "cbo", "intervention_areas": ["monitoring"]})
    assert refused.value.errors["intervention_areas.0"][0] == "Unknown intervention area 'monitoring'."


def test_an_area_none_of_whose_organisations_is_linked_with_government_is_a_finding():
    # the answer: Limpopo's four active monitoring organisations have no link with the district health office
    # (the MoU between two of them is not one); Free State's is linked; Limpopo's advocacy likewise unlinked
    found = unlinked_areas(build_graph(*network()), as_of=DAY)
    assert [(f.details["province"], f.details["area"], f.organisations) for f in found] == [
        ("Limpopo", "community_led_advocacy", ["tubatse-monitors"]),
        ("Limpopo", CLM, ["jane-furse-watch", "lebowakgomo-treatment-literacy", "polokwane-clinic-committee",
                          "tubatse-monitors"]),
    ]
    assert found[1].explanation == (
        "Community-led monitoring and research in Limpopo: 4 organisations (Jane Furse Watch, Lebowakgomo Treatment "
        "Literacy, Polokwane Clinic Committee and Tubatse Monitors), none linked to Sekhukhune Dho.")


def test_one_link_in_force_with_government_links_the_area():
    linked = Link("r1", "sekhukhune-dho", "polokwane-clinic-committee", "data_sharing")
    assert [f.details["area"] for f in unlinked_areas(build_graph(*network(linked)), as_of=DAY)] == [
        "community_led_advocacy"]
    lapsed = Link("r1", "sekhukhune-dho", "polokwane-clinic-committee", "mou", end_date=dt.date(2026, 1, 1))
    assert len(unlinked_areas(build_graph(*network(lapsed)), as_of=DAY)) == 2


def test_the_summary_counts_each_area():
    summary = area_summary(build_graph(*network()), as_of=DAY)
    assert summary[CLM] == {"label": "Community-led monitoring and research", "organisations": 5,
                            "provinces": {"Free State": 1, "Limpopo": 4}, "links": 1, "links_in_area": 1,
                            "linked_to_government": 1}
    assert summary["enabling_environment"]["organisations"] == 0
    assert area_summary(build_graph(*network()), as_of=DAY, province="Limpopo")[CLM]["organisations"] == 4


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return network_file(tmp_path / "areas.db", network())


def test_the_api_pages_cli_and_agenda_filter_by_area(store_path: Path, tmp_path: Path):
    store = SQLiteStore(store_path)
    try:
        client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
        listed = client.get(f"/api/v1/organisations?intervention_area={CLM}&province=Limpopo").get_json()
        assert sorted(o["id"] for o in listed["items"]) == [
            "jane-furse-watch", "lebowakgomo-treatment-literacy", "old-watch", "polokwane-clinic-committee",
            "tubatse-monitors"]
        assert client.get("/api/v1/organisations?intervention_area=monitoring").status_code == 422
        explorer = client.get("/explore?intervention_area=community_led_advocacy").get_data(as_text=True)
        assert "1 organisations" in explorer
        agenda = client.get(f"/api/v1/analysis/agenda?intervention_area={CLM}&as_of=2026-06-01").get_json()
        assert agenda["scope"] == {"intervention_area": CLM}
        area_items = [i for i in agenda["items"] if i["action"] == "link_area"]
        assert sorted(i["what"] for i in area_items) == [
            "Link the community-led advocacy work in Limpopo with Sekhukhune Dho",
            "Link the community-led monitoring and research work in Limpopo with Sekhukhune Dho"]
        assert all(item["organisations"] for item in agenda["items"])
        both = client.get(f"/api/v1/analysis/agenda?intervention_area={CLM}&province=Limpopo")
        assert both.status_code == 422
        page = client.get(f"/agenda?intervention_area={CLM}").get_data(as_text=True)
        assert "Intervention area: Community-led monitoring and research" in page
        with pytest.raises(InvalidData):
            analyses.agenda(store, intervention_area=CLM, programme="Anything")
    finally:
        store.close()
    out = tmp_path / "clm.html"
    result = CliRunner().invoke(cli, ["--store", str(store_path), "viz", str(out), "--intervention-area", CLM,
                                      "--province", "Limpopo"], catch_exceptions=False)
    assert result.exit_code == 0 and "wrote" in result.output and ": 5 organisations" in result.output
    result = CliRunner().invoke(cli, ["--store", str(store_path), "agenda", "--intervention-area", CLM,
                                      "--as-of", "2026-06-01", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0 and "Link the community-led monitoring and research work in Limpopo" in result.output
