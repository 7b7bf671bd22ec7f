"""The OpenAPI document and the offline reference page."""

from __future__ import annotations

import schemathesis

from tests.api_support import Env

PATHS = {
    "/healthz": {"get"},
    "/api/v1/vocabulary": {"get"},
    "/api/v1/organisations": {"get", "post"},
    "/api/v1/organisations/{org_id}": {"get", "put", "patch", "delete"},
    "/api/v1/links": {"get", "post"},
    "/api/v1/links/{link_id}": {"get", "put", "patch", "delete"},
    "/api/v1/analysis/gaps": {"get"},
    "/api/v1/analysis/duplication": {"get"},
    "/api/v1/analysis/pathways": {"get"},
    "/api/v1/analysis/structure": {"get"},
    "/api/v1/analysis/recommendations": {"get"},
    "/api/v1/analysis/report": {"get"},
    "/api/v1/analysis/agenda": {"get"},
    "/api/v1/analysis/diff": {"get"},
    "/api/v1/organisations/{org_id}/history": {"get"},
    "/api/v1/links/{link_id}/history": {"get"},
    "/api/v1/visual/network": {"get"},
    "/api/v1/export": {"get"},
    "/api/v1/import": {"post"},
    "/api/v1/audit": {"get"},
    "/api/v1/tokens": {"get", "post"},
    "/api/v1/tokens/{token_id}": {"delete"},
    "/api/v1/merge": {"post"},
    "/api/v1/merge/preview": {"post"},
    "/api/v1/referrals": {"get", "post"},
    "/api/v1/programmes": {"get"},
    "/api/v1/programmes/{programme_id}/report": {"get"},
    "/api/v1/referrals/{code}": {"get"},
    "/api/v1/referrals/outcomes": {"get"},
    "/api/v1/referrals/{code}/status": {"post"},
    "/api/v1/monitoring": {"get", "post"},
    "/api/v1/monitoring/{report_id}": {"get", "patch"},
    "/api/v1/invitations": {"get", "post"},
    "/api/v1/invitations/{invitation_id}": {"delete"},
    "/api/v1/partner/{secret}": {"get", "post"},
    "/api/v1/proposals": {"get"},
    "/api/v1/proposals/{proposal_id}": {"get"},
    "/api/v1/proposals/{proposal_id}/accept": {"post"},
    "/api/v1/proposals/{proposal_id}/reject": {"post"},
    "/api/v1/trusted": {"get"},
    "/api/v1/trusted/{org_id}": {"put"},
    "/api/v1/surveys": {"get", "post"},
    "/api/v1/surveys/{round_id}": {"get"},
    "/api/v1/surveys/{round_id}/answers": {"get", "post"},
}



def test_spec_has_every_path_and_method(env: Env) -> None:
    spec = env.app.extensions["cssnet_api"].spec.to_dict()
    found = {path: set(item) - {"parameters"} for path, item in spec["paths"].items()}
    assert found == PATHS
    assert spec["openapi"].startswith("3.") and "bearerAuth" in spec["components"]["securitySchemes"]


def test_served_document_matches_the_spec(env: Env) -> None:
    served = env.client.get("/api/v1/openapi.json").get_json()
    assert served == env.app.extensions["cssnet_api"].spec.to_dict()


def test_write_operations_document_if_match(env: Env) -> None:
    spec = env.client.get("/api/v1/openapi.json").get_json()
    for method in ("put", "patch", "delete"):
        names = [p["name"] for p in spec["paths"]["/api/v1/organisations/{org_id}"][method]["parameters"]]
        assert "If-Match" in names


def test_responses_validate_against_the_document(env: Env) -> None:
    schema = schemathesis.openapi.from_dict(env.client.get("/api/v1/openapi.json").get_json())
    listing = schema["/api/v1/organisations"]["GET"]
    assert listing.is_valid_response(env.client.get("/api/v1/organisations"))
    assert schema["/api/v1/organisations/{org_id}"]["GET"].is_valid_response(
        env.client.get("/api/v1/organisations/clinic-a"))
    assert schema["/api/v1/links"]["GET"].is_valid_response(env.client.get("/api/v1/links"))
    assert listing.is_valid_response(env.client.get("/api/v1/organisations?kind=shop"))


def test_a_wrong_body_fails_validation(env: Env) -> None:
    schema = schemathesis.openapi.from_dict(env.client.get("/api/v1/openapi.json").get_json())
    wrong = env.client.get("/api/v1/links")
    wrong.set_data(b'{"items": "nope", "total": "many"}')
    assert not schema["/api/v1/organisations"]["GET"].is_valid_response(wrong)


def test_reference_page_lists_every_operation_offline(env: Env) -> None:
    response = env.client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for path, methods in PATHS.items():
        assert path in page
        for method in methods:
            assert f'<span class="m">{method}</span> {path}' in page
    assert "If-Match" in page and "OrganisationBody" in page
    assert "http://" not in page.replace("http://localhost", "") and "cdn" not in page.lower()
    assert "<script" not in page


def test_fast_list_output_equals_the_schema_dump(env: Env) -> None:
    from network.schemas import LinkSchema, OrganisationSchema

    organisations = env.client.get("/api/v1/organisations", headers=env.auth("admin")).get_json()["items"]
    links = env.client.get("/api/v1/links").get_json()["items"]
    assert organisations == OrganisationSchema(many=True).dump(list(env.store.iter_organisations()))
    assert links == LinkSchema(many=True).dump(list(env.store.iter_links()))
