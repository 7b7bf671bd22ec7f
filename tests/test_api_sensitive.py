"""A sensitive organisation's protected values never reach anonymous or viewer callers, anywhere."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from network.service.transfer import EXPORT_FORMATS
from tests.api_support import SECRET_VALUES, SENSITIVE_ID, Env

#: Every way the protected values could be written: as given, without spaces, rounded.
NEEDLES = [b"+27 11 999 8877", b"27119998877", b"999 8877", b"hidden@kp.example.org", b"hidden.example.org",
           b"secretville", b"25.123456", b"28.654321", b"25.1235", b"28.6543", b"25.123", b"28.654",
           b"taxi rank", b"npo-424242"]

GET_PATHS = [
    "/healthz",
    "/api/v1/vocabulary",
    "/api/v1/organisations",
    "/api/v1/organisations?sensitive=true",
    "/api/v1/organisations?population=sex_workers&limit=500",
    "/api/v1/organisations?q=safe",
    f"/api/v1/organisations/{SENSITIVE_ID}",
    "/api/v1/links",
    f"/api/v1/links?organisation={SENSITIVE_ID}",
    "/api/v1/links/l-mou-2",
    "/api/v1/analysis/gaps",
    "/api/v1/analysis/gaps?district=Sekhukhune",
    "/api/v1/analysis/duplication",
    "/api/v1/analysis/duplication?threshold=50",
    "/api/v1/analysis/pathways?population=sex_workers&needs=hiv_testing&needs=art&district=Sekhukhune",
    f"/api/v1/analysis/pathways?population=sex_workers&needs=hiv_testing&needs=legal_aid&start={SENSITIVE_ID}",
    "/api/v1/analysis/pathways?population=artisanal_miners&needs=tb_screening&needs=tb_treatment"
    "&district=Sekhukhune&include_unlinked=true",
    "/api/v1/analysis/structure",
    "/api/v1/analysis/structure?by=province",
    "/api/v1/analysis/recommendations",
    "/api/v1/analysis/report",
    "/api/v1/analysis/report?province=Limpopo",
    "/api/v1/visual/network",
    f"/api/v1/visual/network?ego={SENSITIVE_ID}&depth=2",
    "/api/v1/visual/network?population=sex_workers&colour_by=district",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    *[f"/api/v1/export?format={fmt}" for fmt in EXPORT_FORMATS],
]



def _all_bytes(data: bytes) -> bytes:
    """The response bytes, with every member of a zip (csv, hsds, xlsx) unpacked and appended."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return data + b"".join(_all_bytes(bundle.read(name)) for name in bundle.namelist())


def test_every_path_is_walked() -> None:
    from network.api import create_app

    spec_paths = set(create_app({"STORE": ":memory:"}).extensions["cssnet_api"].spec.to_dict()["paths"])
    walked = {p.split("?")[0] for p in GET_PATHS}
    get_paths = {"/healthz", "/api/v1/vocabulary", "/api/v1/organisations", "/api/v1/organisations/{org_id}",
                 "/api/v1/links", "/api/v1/links/{link_id}", "/api/v1/analysis/gaps", "/api/v1/analysis/duplication",
                 "/api/v1/analysis/pathways", "/api/v1/analysis/structure", "/api/v1/analysis/recommendations",
                 "/api/v1/analysis/report", "/api/v1/visual/network", "/api/v1/export"}
    assert get_paths <= spec_paths
    assert {p.replace(SENSITIVE_ID, "{org_id}").replace("l-mou-2", "{link_id}") for p in walked} >= get_paths


@pytest.mark.parametrize("role", [None, "viewer"])
def test_no_protected_value_reaches_anonymous_or_viewer(env: Env, role: str | None) -> None:
    for path in GET_PATHS:
        response = env.client.get(path, headers=env.auth(role))
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        content = _all_bytes(response.get_data()).lower()
        leaked = [needle for needle in NEEDLES if needle.lower() in content]
        assert leaked == [], (path, leaked)


def test_the_walk_would_notice_a_leak(env: Env) -> None:
    content = _all_bytes(env.client.get("/api/v1/export?format=csv", headers=env.auth("admin")).get_data()).lower()
    assert b"secretville" in content and b"hidden@kp.example.org" in content


def test_editors_and_admins_see_the_protected_fields(env: Env) -> None:
    for role in ("editor", "admin"):
        record = env.client.get(f"/api/v1/organisations/{SENSITIVE_ID}", headers=env.auth(role)).get_json()
        assert {k: record[k] for k in SECRET_VALUES} == SECRET_VALUES


def test_anonymous_sees_the_safe_fields_of_a_sensitive_record(env: Env) -> None:
    record = env.client.get(f"/api/v1/organisations/{SENSITIVE_ID}").get_json()
    assert record["name"] == "Safe Space Collective" and record["district"] == "Sekhukhune"
    assert record["description"] == "" and record["external_ids"] == {}
    assert all(record[k] is None for k in SECRET_VALUES if k not in ("description", "external_ids"))


@pytest.mark.parametrize("role", [None, "viewer"])
def test_a_district_named_like_a_protected_municipality_shows_as_itself(env: Env, role: str | None) -> None:
    """Protection removes fields; it never rewrites matching text (which would also tell where groups are)."""
    sensitive = env.store.get_organisation(SENSITIVE_ID)
    sensitive.municipality = "Sekhukhune"
    env.store.update_organisation(sensitive)
    gaps = env.client.get("/api/v1/analysis/gaps", headers=env.auth(role)).get_json()["items"]
    assert "Sekhukhune" in {f.get("district") for f in gaps}
    listed = env.client.get("/api/v1/organisations?district=Sekhukhune", headers=env.auth(role)).get_json()
    assert {o["district"] for o in listed["items"]} == {"Sekhukhune"}
    assert b"[hidden]" not in env.client.get("/api/v1/analysis/report", headers=env.auth(role)).get_data()
    record = env.client.get(f"/api/v1/organisations/{SENSITIVE_ID}", headers=env.auth(role)).get_json()
    assert record["municipality"] is None and record["district"] == "Sekhukhune"


@pytest.mark.parametrize("role", [None, "viewer"])
def test_an_organisation_made_sensitive_is_protected_in_views_of_the_past(env: Env, role: str | None) -> None:
    """Its version of yesterday was not sensitive, but protection follows what the organisation is now."""
    clinic = env.store.get_organisation("clinic-a")
    clinic.sensitive = True
    env.store.update_organisation(clinic)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for path in (f"/api/v1/visual/network?as_of={yesterday}",
                 f"/api/v1/analysis/pathways?population=mineworkers&needs=tb_screening&start=cbo-b&as_of={yesterday}",
                 f"/api/v1/analysis/report?as_of={yesterday}"):
        response = env.client.get(path, headers=env.auth(role))
        assert response.status_code == 200, path
        assert b"265 0000" not in response.get_data() and b"Makhuduthamaga" not in response.get_data(), path
