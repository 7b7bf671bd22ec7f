"""Kept answers (network.api.readcache): never stale after a write here or in another process, never served
to a caller of another role, a revoked token stops at once, and ETag / If-None-Match answer 304."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.api import close_store, create_app
from network.api.readcache import KEPT_PATHS, ReadCache
from network.service import records
from network.service.audit import CLI
from network.service.tokens import create_token, revoke_token
from tests.api_support import SECRET_VALUES, SENSITIVE_ID, Env, env_fixture, signed_in_page

PATHWAYS = "/api/v1/analysis/pathways?population=sex_workers&needs=hiv_testing&needs=art&district=Sekhukhune"
FROM_SENSITIVE = (f"/api/v1/analysis/pathways?population=sex_workers&needs=hiv_testing&needs=legal_aid"
                  f"&start={SENSITIVE_ID}")
LISTS = ("/api/v1/organisations", "/api/v1/organisations?sensitive=true", "/api/v1/links")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    yield from env_fixture(tmp_path)


def _kept(env: Env) -> int:
    """How many answers the app keeps."""
    cache = env.app.wsgi_app
    assert isinstance(cache, ReadCache)
    return len(cache.kept._pages)


ANALYSES = ("/api/v1/analysis/gaps?district=Sekhukhune", "/api/v1/analysis/duplication?threshold=50",
            "/api/v1/analysis/structure", "/api/v1/analysis/recommendations", "/api/v1/analysis/agenda",
            "/api/v1/analysis/report?province=Limpopo", PATHWAYS)


def test_the_lists_and_analyses_are_kept() -> None:
    assert {"/api/v1/organisations", "/api/v1/links", "/api/v1/analysis/pathways", "/api/v1/analysis/gaps",
            "/api/v1/analysis/report"} <= KEPT_PATHS
    assert not any(path.startswith(("/api/v1/referrals", "/api/v1/export", "/api/v1/tokens")) for path in KEPT_PATHS)


@pytest.mark.parametrize("role", [None, "admin"])
def test_kept_analyses_after_an_edit_are_what_a_fresh_process_answers(env: Env, role: str | None) -> None:
    for path in ANALYSES:
        assert env.client.get(path, headers=env.auth(role)).status_code == 200, path
    created = env.client.post("/api/v1/organisations", headers=env.auth("editor"), json={
        "id": "lone-cbo", "name": "Ga-Phaahla Home Based Care", "kind": "cbo", "district": "Sekhukhune",
        "province": "Limpopo", "services": ["home_based_care"], "populations": ["mineworkers"]})
    assert created.status_code == 201, created.get_json()
    fresh = create_app({"STORE": str(env.store.path)})
    try:
        for path in ANALYSES:
            kept = env.client.get(path, headers=env.auth(role))
            assert kept.get_json() == fresh.test_client().get(path, headers=env.auth(role)).get_json(), path
        assert b"lone-cbo" in env.client.get(ANALYSES[0], headers=env.auth(role)).get_data()
    finally:
        close_store(fresh)


def test_a_repeated_read_is_the_kept_answer_with_its_etag(env: Env) -> None:
    first = env.client.get("/api/v1/organisations?limit=2")
    assert first.status_code == 200 and _kept(env) == 1
    again = env.client.get("/api/v1/organisations?limit=2")
    assert again.get_data() == first.get_data() and _kept(env) == 1
    assert again.headers["ETag"] == first.headers["ETag"] and first.headers["ETag"].startswith('"')
    assert again.headers["Content-Type"] == "application/json"
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert len(first.get_json()["items"]) == 2


def test_if_none_match_answers_304_until_a_write_changes_the_answer(env: Env) -> None:
    tag = env.client.get(PATHWAYS).headers["ETag"]
    unchanged = env.client.get(PATHWAYS, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b"" and unchanged.headers["ETag"] == tag
    assert env.client.get(PATHWAYS, headers={"If-None-Match": '"other"'}).status_code == 200
    records.update_organisation(env.store, "clinic-a", {"name": "Jane Furse Gateway Clinic"}, expected_version=1,
                               actor=CLI)
    changed = env.client.get(PATHWAYS, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert b"Jane Furse Gateway Clinic" in changed.get_data()


def test_a_write_through_the_api_changes_the_kept_list_and_pathways(env: Env) -> None:
    assert b"Jane Furse Clinic" in env.client.get(PATHWAYS).get_data()
    assert "Jane Furse Clinic" in _names(env)
    version = env.client.get("/api/v1/organisations/clinic-a").headers["ETag"]
    changed = env.client.patch("/api/v1/organisations/clinic-a", json={"name": "Jane Furse Gateway Clinic"},
                               headers={**env.auth("editor"), "If-Match": version})
    assert changed.status_code == 200
    assert "Jane Furse Gateway Clinic" in _names(env) and "Jane Furse Clinic" not in _names(env)
    assert b"Jane Furse Gateway Clinic" in env.client.get(PATHWAYS).get_data()


def test_a_write_through_another_app_on_the_same_file_shows_at_once(env: Env) -> None:
    before = env.client.get("/api/v1/organisations?limit=500").get_json()
    assert env.client.get("/api/v1/organisations?limit=500").get_json() == before
    other = create_app({"STORE": str(env.store.path)})  # another process serving the same store file
    try:
        created = other.test_client().post("/api/v1/organisations", headers=env.auth("editor"), json={
            "id": "new-cbo", "name": "Moroke Youth Group", "kind": "cbo", "district": "Sekhukhune",
            "province": "Limpopo"})
        assert created.status_code == 201, created.get_json()
    finally:
        close_store(other)
    after = env.client.get("/api/v1/organisations?limit=500").get_json()
    assert after["total"] == before["total"] + 1
    assert {i["id"] for i in after["items"]} - {i["id"] for i in before["items"]} == {"new-cbo"}


def test_a_monitoring_report_shows_in_the_next_kept_pathways(env: Env) -> None:
    plans = "/api/v1/analysis/pathways?population=mineworkers&needs=tb_treatment&start=cbo-b"
    assert b"refused_no_documents" not in env.client.get(plans).get_data()
    report = {"monitor": "cbo-b", "facility": "clinic-a", "date": dt.date.today().isoformat(),
              "barriers": ["refused_no_documents"]}
    assert env.client.post("/api/v1/monitoring", json=report, headers=env.auth("editor")).status_code == 201
    steps = {step["organisation"]: step["barriers"] for plan in env.client.get(plans).get_json()["items"]
             for step in plan["steps"]}
    assert [b["barrier"] for b in steps["clinic-a"]] == ["refused_no_documents"]


@pytest.mark.parametrize("path", [*LISTS[:2], PATHWAYS, FROM_SENSITIVE])
def test_a_viewer_never_gets_an_editor_or_admin_answer(env: Env, path: str) -> None:
    seen = {role: env.client.get(path, headers=env.auth(role)) for role in ("admin", "editor", "viewer", None)}
    assert all(r.status_code == 200 for r in seen.values()), {k: r.get_json() for k, r in seen.items()}
    for role in ("viewer", None):
        assert not _secrets_in(seen[role].get_data()), (role, path)
    assert _secrets_in(seen["editor"].get_data()) and _secrets_in(seen["admin"].get_data())
    again = env.client.get(path, headers=env.auth("viewer"))  # now every role's answer is kept
    assert again.get_data() == seen["viewer"].get_data() and not _secrets_in(again.get_data())


def test_an_editors_etag_does_not_reveal_the_editors_answer_to_a_viewer(env: Env) -> None:
    editors = env.client.get(LISTS[0], headers=env.auth("editor"))
    shown = env.client.get(LISTS[0], headers={**env.auth("viewer"), "If-None-Match": editors.headers["ETag"]})
    assert shown.status_code == 200 and not _secrets_in(shown.get_data())


def test_a_revoked_token_is_refused_although_its_answer_is_kept(env: Env) -> None:
    token, secret = create_token(env.store, "short-lived", "editor", actor=CLI)
    headers = {"Authorization": f"Bearer {secret}"}
    assert env.client.get(LISTS[0], headers=headers).status_code == 200
    revoke_token(env.store, token.id, actor=CLI)
    refused = env.client.get(LISTS[0], headers=headers)
    assert refused.status_code == 401 and not _secrets_in(refused.get_data())
    assert env.client.get(LISTS[0], headers={"Authorization": "Bearer unknown"}).status_code == 401


def test_a_signed_in_browser_gets_its_own_roles_answer(env: Env) -> None:
    assert not _secrets_in(env.client.get(LISTS[0]).get_data())  # the anonymous answer is kept
    editor, _ = signed_in_page(env, "editor")
    assert _secrets_in(editor.get(LISTS[0]).get_data())
    viewer, _ = signed_in_page(env, "viewer")
    assert not _secrets_in(viewer.get(LISTS[0]).get_data())


def test_answers_are_kept_per_language_asked_for(env: Env) -> None:
    english = env.client.get(PATHWAYS).get_data()
    env.client.set_cookie("lang", "pt")
    assert env.client.get(PATHWAYS).status_code == 200 and _kept(env) == 2
    env.client.delete_cookie("lang")
    assert env.client.get(PATHWAYS, headers={"Accept-Language": "fr"}).status_code == 200 and _kept(env) == 3
    assert env.client.get(PATHWAYS).get_data() == english and _kept(env) == 3


def test_refusals_are_not_kept(env: Env) -> None:
    for _ in range(2):
        refused = env.client.get("/api/v1/organisations?limit=0")
        assert refused.status_code == 422 and "ETag" not in refused.headers
    assert _kept(env) == 0


def test_the_list_of_the_stale_filter_follows_the_day(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from network.api import readcache

    stale_today = _names(env, "stale=true")
    monkeypatch.setattr(readcache, "today", lambda: dt.date.today() + dt.timedelta(days=1))
    assert _names(env, "stale=true") == stale_today  # computed again for the new day, same records
    assert _kept(env) == 2


def _names(env: Env, query: str = "limit=500") -> set[str]:
    response = env.client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 200, response.get_json()
    return {item["name"] for item in response.get_json()["items"]}


def _secrets_in(body: bytes) -> bool:
    return any(str(value).encode() in body for value in SECRET_VALUES.values() if not isinstance(value, dict))
