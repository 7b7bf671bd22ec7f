"""Tokens, roles, the session sign-in and the audit log."""

from __future__ import annotations

import pytest

from network.api.auth import sign_in
from network.errors import InvalidData
from network.service.audit import CLI
from network.service.tokens import create_token, hash_secret
from tests.api_support import Env


def test_secrets_are_stored_only_as_hashes(env: Env) -> None:
    token, secret = create_token(env.store, "partner tool", "viewer", actor=CLI)
    assert len(secret) >= 40 and token.token_hash == hash_secret(secret) != secret
    assert all(secret not in repr(t) for t in env.store.list_tokens())


@pytest.mark.parametrize("name, role", [("", "viewer"), ("x", "superuser")])
def test_create_token_refuses_bad_input(env: Env, name: str, role: str) -> None:
    with pytest.raises(InvalidData):
        create_token(env.store, name, role, actor=CLI)


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic abc", "Bearer "])
def test_a_bad_token_is_401_even_for_reads(env: Env, header: str) -> None:
    response = env.client.get("/api/v1/organisations", headers={"Authorization": header})
    assert response.status_code == 401 and response.get_json()["code"] == 401


def test_token_management_needs_an_admin(env: Env) -> None:
    assert env.client.get("/api/v1/tokens").status_code == 401
    assert env.client.get("/api/v1/tokens", headers=env.auth("editor")).status_code == 403
    created = env.client.post("/api/v1/tokens", json={"name": "partner", "role": "viewer"}, headers=env.auth("admin"))
    assert created.status_code == 201
    body = created.get_json()
    listed = env.client.get("/api/v1/tokens", headers=env.auth("admin")).get_json()
    assert body["token"]["name"] == "partner" and "secret" not in str(listed) and body["secret"] not in str(listed)
    as_partner = {"Authorization": f"Bearer {body['secret']}"}
    assert env.client.get("/api/v1/organisations", headers=as_partner).status_code == 200
    assert env.client.delete(f"/api/v1/tokens/{body['token']['id']}", headers=env.auth("admin")).status_code == 204
    assert env.client.get("/api/v1/organisations",
                          headers={"Authorization": f"Bearer {body['secret']}"}).status_code == 401
    assert env.client.delete("/api/v1/tokens/tok_nope", headers=env.auth("admin")).status_code == 404


def test_token_body_is_validated(env: Env) -> None:
    response = env.client.post("/api/v1/tokens", json={"name": "x", "role": "root", "extra": 1},
                               headers=env.auth("admin"))
    assert response.status_code == 422 and set(response.get_json()["errors"]["json"]) == {"role", "extra"}


def test_session_sign_in_identifies_the_web_ui_caller(env: Env) -> None:
    with env.app.test_request_context():
        assert sign_in(env.tokens["editor"]) == "editor"
        assert sign_in("nonsense") is None
    with env.client.session_transaction() as session:
        session["token"] = env.tokens["editor"]
    body = {"id": "web-1", "name": "From the web", "kind": "cbo"}
    assert env.client.post("/api/v1/organisations", json=body).status_code == 201
    with env.client.session_transaction() as session:
        session["token"] = "revoked-or-wrong"
    assert env.client.post("/api/v1/organisations", json={**body, "id": "web-2"}).status_code == 401


def test_audit_log_is_for_admins_and_filters(env: Env) -> None:
    env.client.post("/api/v1/tokens", json={"name": "p", "role": "viewer"}, headers=env.auth("admin"))
    assert env.client.get("/api/v1/audit", headers=env.auth("viewer")).status_code == 403
    log = env.client.get("/api/v1/audit?actor=admin%20token", headers=env.auth("admin")).get_json()
    assert log["total"] == 1 and log["items"][0]["entity"] == "token"
    assert env.client.get("/api/v1/audit?actor=nobody", headers=env.auth("admin")).get_json()["total"] == 0
