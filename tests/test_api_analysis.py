"""The analysis endpoints and the network drawing."""

from __future__ import annotations

import pytest

from network.model import Organisation
from network.service import analyses
from tests.api_support import SENSITIVE_ID, Env


def test_gaps_lists_findings_and_filters_by_type(env: Env) -> None:
    body = env.client.get("/api/v1/analysis/gaps").get_json()
    assert body["total"] == len(body["items"]) > 0
    assert {"type", "severity", "explanation", "organisations"} <= set(body["items"][0])
    only = env.client.get("/api/v1/analysis/gaps?type=broken_cascade").get_json()["items"]
    assert only and {f["type"] for f in only} == {"broken_cascade"}


def test_gaps_reports_a_new_isolated_organisation(env: Env) -> None:
    env.store.create_organisation(Organisation("lonely", "Lonely CBO", "cbo", district="Sekhukhune"))
    found = env.client.get("/api/v1/analysis/gaps?type=isolated").get_json()["items"]
    assert ["lonely"] in [f["organisations"] for f in found]


def test_duplication_finds_a_duplicate_record(env: Env) -> None:
    env.store.create_organisation(Organisation("cbo-b2", "Sekhukhune Miners Support", "cbo", district="Sekhukhune",
                                               services=["tb_screening"], populations=["mineworkers"]))
    found = env.client.get("/api/v1/analysis/duplication?type=duplicate_record").get_json()["items"]
    assert any(set(f["organisations"]) == {"cbo-b", "cbo-b2"} for f in found)


def test_pathways_follow_existing_agreements(env: Env) -> None:
    body = env.client.get(f"/api/v1/analysis/pathways?population=sex_workers&needs=hiv_testing&needs=art"
                          f"&start={SENSITIVE_ID}").get_json()
    first = body["items"][0]
    assert [s["organisation"] for s in first["steps"]] == [SENSITIVE_ID, "clinic-a"]
    assert first["steps"][1]["link"] == "l-mou-2"


@pytest.mark.parametrize("query, field", [
    ("population=sex_workers&needs=art", "start"),
    ("population=aliens&needs=art&district=Sekhukhune", "population"),
    ("population=sex_workers&needs=flying&district=Sekhukhune", "needs"),
    ("needs=art&district=Sekhukhune", "population"),
    ("population=sex_workers&needs=art&district=Sekhukhune&k=0", "k"),
])
def test_pathway_input_is_checked(env: Env, query: str, field: str) -> None:
    response = env.client.get(f"/api/v1/analysis/pathways?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]["query"]


def test_pathways_from_an_unknown_start_are_422(env: Env) -> None:
    response = env.client.get("/api/v1/analysis/pathways?population=sex_workers&needs=art&start=ghost")
    assert response.status_code == 422 and "ghost" in response.get_json()["message"]


def test_structure_and_recommendations(env: Env) -> None:
    structure = env.client.get("/api/v1/analysis/structure?by=province").get_json()
    assert structure["nodes"] == 5
    recommendations = env.client.get("/api/v1/analysis/recommendations?limit=3").get_json()
    assert recommendations["total"] == len(recommendations["items"]) <= 3


def test_report_has_its_sections(env: Env) -> None:
    report = env.client.get("/api/v1/analysis/report?province=Limpopo").get_json()
    assert {"as_of", "province", "summary", "findings", "structure", "recommendations"} <= set(report)


def test_analysis_graph_is_cached_until_the_store_changes(env: Env) -> None:
    first = analyses.analysis_graph(env.store)
    assert analyses.analysis_graph(env.store) is first
    env.store.create_organisation(Organisation("new-one", "New", "cbo"))
    second = analyses.analysis_graph(env.store)
    assert second is not first and "new-one" in second
    assert analyses.pathway_index(second) is analyses.pathway_index(second)


def test_visual_draws_an_ego_network_offline(env: Env) -> None:
    response = env.client.get("/api/v1/visual/network?ego=cbo-b&depth=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Sekhukhune Miners Support" in page and "Jane Furse Clinic" in page and "Limpopo Legal Aid Desk" not in page
    assert "<script src=" not in page and "https://" not in page.split("<script")[0]


def test_visual_filters_and_unknown_ego(env: Env) -> None:
    page = env.client.get("/api/v1/visual/network?kind=clinic").get_data(as_text=True)
    assert "Jane Furse Clinic" in page and "Health Fund" not in page
    assert env.client.get("/api/v1/visual/network?ego=ghost").status_code == 404
    assert env.client.get("/api/v1/visual/network?link_kind=hugs").status_code == 422


@pytest.mark.parametrize("depth, status", [(0, 422), (1, 200), (4, 200), (5, 422)])
def test_the_drawing_and_the_explorer_take_one_depth_range(env: Env, depth: int, status: int) -> None:
    assert env.client.get(f"/api/v1/visual/network?ego=cbo-b&depth={depth}").status_code == status
    assert env.client.get(f"/explore?ego=cbo-b&depth={depth}").status_code == status


def test_an_unknown_centre_is_named_by_the_drawing_and_the_explorer(env: Env) -> None:
    drawing = env.client.get("/api/v1/visual/network?ego=nobody")
    assert drawing.status_code == 404 and drawing.get_json()["message"] == "No organisation 'nobody'."
    page = env.client.get("/explore?ego=nobody")
    assert page.status_code == 422 and "No organisation &#39;nobody&#39;." in page.get_data(as_text=True)
