"""The links resource: lists, filters, single links, writes, ETags and roles."""

from __future__ import annotations

import pytest

from tests.api_support import SENSITIVE_ID, Env

NEW = {"id": "l-new", "source": "ngo-d", "target": "clinic-a", "kind": "referral", "services": ["tb_treatment"]}



@pytest.mark.parametrize("query, expected", [
    ("", ["l-fund-4", "l-fund-5", "l-mou-2", "l-ref-1", "l-ref-3"]),
    ("kind=funding", ["l-fund-4", "l-fund-5"]),
    (f"organisation={SENSITIVE_ID}", ["l-fund-5", "l-mou-2", "l-ref-3"]),
    ("source=cbo-b", ["l-ref-1"]),
    ("target=clinic-a&kind=mou", ["l-mou-2"]),
    ("service=legal_aid", ["l-ref-3"]),
    ("status=expired", []),
    ("limit=1&offset=4", ["l-ref-3"]),
])
def test_list_filters(env: Env, query: str, expected: list[str]) -> None:
    body = env.client.get(f"/api/v1/links?{query}").get_json()
    assert [link["id"] for link in body["items"]] == expected


def test_list_totals_count_every_match(env: Env) -> None:
    assert env.client.get("/api/v1/links?limit=1").get_json()["total"] == 5


def test_unknown_link_kind_is_422(env: Env) -> None:
    body = env.client.get("/api/v1/links?kind=friendship").get_json()
    assert body["code"] == 422 and "friendship" in body["message"]


def test_read_one_with_etag_and_404(env: Env) -> None:
    response = env.client.get("/api/v1/links/l-ref-1")
    assert response.get_json()["source"] == "cbo-b" and response.headers["ETag"] == '"1"'
    assert env.client.get("/api/v1/links/none").status_code == 404


def test_create_roles_and_errors(env: Env) -> None:
    assert env.client.post("/api/v1/links", json=NEW).status_code == 401
    assert env.client.post("/api/v1/links", json=NEW, headers=env.auth("viewer")).status_code == 403
    assert env.client.post("/api/v1/links", json=NEW, headers=env.auth("editor")).status_code == 201
    assert env.client.post("/api/v1/links", json=NEW, headers=env.auth("editor")).status_code == 409
    missing_end = env.client.post("/api/v1/links", json={**NEW, "id": "l-x", "target": "ghost"},
                                  headers=env.auth("editor"))
    assert missing_end.status_code == 422 and "ghost" in missing_end.get_json()["message"]
    self_link = env.client.post("/api/v1/links", json={**NEW, "id": "l-y", "target": "ngo-d"},
                                headers=env.auth("editor"))
    assert self_link.status_code == 422 and "target" in self_link.get_json()["errors"]["json"]
    assert env.store.list_links().total == 6


def test_patch_put_and_stale_write(env: Env) -> None:
    etag = env.client.get("/api/v1/links/l-ref-3").headers["ETag"]
    headers = {**env.auth("editor"), "If-Match": etag}
    assert env.client.patch("/api/v1/links/l-ref-3", json={"weight": 5}, headers=env.auth("editor")).status_code == 428
    bad = env.client.patch("/api/v1/links/l-ref-3", json={"start_date": "2026-01-01", "end_date": "2025-01-01"},
                           headers=headers)
    assert bad.status_code == 422 and "end_date" in bad.get_json()["errors"]
    ok = env.client.patch("/api/v1/links/l-ref-3", json={"weight": 5}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["weight"] == 5
    stale = env.client.put("/api/v1/links/l-ref-3", json={**NEW, "id": "l-ref-3"}, headers=headers)
    assert stale.status_code == 412
    assert env.store.get_link("l-ref-3").weight == 5
    fresh = env.client.put("/api/v1/links/l-ref-3", json={**NEW, "id": "l-ref-3"},
                           headers={**env.auth("editor"), "If-Match": ok.headers["ETag"]})
    assert fresh.status_code == 200 and env.store.get_link("l-ref-3").source == "ngo-d"


def test_delete_needs_admin_and_current_version(env: Env) -> None:
    url = "/api/v1/links/l-fund-4"
    etag = env.client.get(url).headers["ETag"]
    assert env.client.delete(url, headers={**env.auth("editor"), "If-Match": etag}).status_code == 403
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": '"7"'}).status_code == 412
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": etag}).status_code == 204
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": etag}).status_code == 404
    audit = env.client.get("/api/v1/audit?entity_id=l-fund-4", headers=env.auth("admin")).get_json()
    assert audit["items"][0]["action"] == "delete" and audit["items"][0]["actor"] == "admin token"
