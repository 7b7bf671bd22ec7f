"""Every error is JSON {code, status, message, errors}: never an HTML page or a stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import TestResponse

from network.api import create_app
from tests.api_support import Env


@pytest.fixture
def env_options() -> dict[str, object]:
    return {"config": {"MAX_BODY_MB": 0.01}}


def _is_json_error(response: TestResponse, status: int) -> dict:
    body = response.get_json()
    assert response.status_code == status and response.mimetype == "application/json"
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == status
    assert body["message"] and "<html" not in response.get_data(as_text=True).lower()
    return body


def test_unknown_paths_are_json_404(env: Env) -> None:
    _is_json_error(env.client.get("/api/v1/nothing"), 404)
    _is_json_error(env.client.get("/no/such/page"), 404)


def test_wrong_method_is_json_405_with_allow(env: Env) -> None:
    response = env.client.put("/api/v1/vocabulary", json={})
    _is_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_json_413(env: Env) -> None:
    big = {"id": "big", "name": "x", "kind": "cbo", "description": "y" * 20_000}
    _is_json_error(env.client.post("/api/v1/organisations", json=big, headers=env.auth("editor")), 413)


def test_non_json_body_is_415(env: Env) -> None:
    response = env.client.post("/api/v1/organisations", data="id=x", headers=env.auth("editor"),
                               content_type="application/x-www-form-urlencoded")
    _is_json_error(response, 415)


def test_malformed_json_is_400(env: Env) -> None:
    response = env.client.post("/api/v1/organisations", data="{not json", headers=env.auth("editor"),
                               content_type="application/json")
    _is_json_error(response, 400)


def test_validation_errors_are_422_per_field(env: Env) -> None:
    response = env.client.post("/api/v1/organisations", json={"id": "Bad Id", "kind": "cbo"},
                               headers=env.auth("editor"))
    body = _is_json_error(response, 422)
    assert set(body["errors"]["json"]) == {"id", "name"}


def test_unexpected_failure_is_json_500_without_trace(tmp_path: Path) -> None:
    app = create_app({"STORE": str(tmp_path / "missing-dir" / "x.db")})
    body = _is_json_error(app.test_client().get("/api/v1/organisations"), 500)
    assert "Traceback" not in body["message"] and "sqlite" not in body["message"].lower()


def test_unreachable_store_makes_health_503(tmp_path: Path) -> None:
    app = create_app({"STORE": str(tmp_path / "missing-dir" / "x.db")})
    _is_json_error(app.test_client().get("/healthz"), 503)


def test_health_reports_the_revision(env: Env) -> None:
    body = env.client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["revision"] == env.store.revision()


def test_secret_key_is_random_unless_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSSNET_SECRET_KEY", raising=False)
    first, second = create_app({"STORE": str(tmp_path / "a.db")}), create_app({"STORE": str(tmp_path / "a.db")})
    assert first.secret_key != second.secret_key and len(first.secret_key) >= 32
    monkeypatch.setenv("CSSNET_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CSSNET_MAX_BODY_MB", "2")
    monkeypatch.setenv("CSSNET_STORE", str(tmp_path / "env.db"))
    app = create_app()
    assert app.secret_key == "from-the-environment" and app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert app.config["STORE"] == str(tmp_path / "env.db")
    assert not (tmp_path / "env.db").exists()
    assert app.test_client().get("/healthz").status_code == 200 and (tmp_path / "env.db").exists()


@pytest.mark.parametrize("body, reason", [
    (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    (b'{"name": ' + b"9" * 5000 + b"}", "Exceeds the limit"),
    (b'{"name": ', "Expecting value"),
])
def test_a_body_no_parser_can_read_is_400_not_500(env: Env, body: bytes, reason: str) -> None:
    etag = env.client.get("/api/v1/organisations/ngo-d").headers["ETag"]
    response = env.client.patch("/api/v1/organisations/ngo-d", data=body, content_type="application/json",
                                headers={**env.auth("editor"), "If-Match": etag})
    assert response.status_code == 400 and reason in response.get_json()["message"]


def test_a_token_name_with_a_lone_surrogate_is_refused_not_500(env: Env) -> None:
    response = env.client.post("/api/v1/tokens", json={"name": "G\udcd5", "role": "viewer"},
                               headers=env.auth("admin"))
    assert response.status_code == 422 and "name" in response.get_json()["errors"]["json"]
