"""Tokens, roles, the session sign-in and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from network.api import close_store
from network.api.auth import sign_in
from network.errors import InvalidData
from network.graph.store import Token
from network.service.audit import CLI
from network.service.tokens import (
    SESSION_HOURS,
    create_token,
    end_session,
    find_session,
    hash_secret,
    start_session,
)
from tests.api_support import Env, make_env


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
    cookie = _sign_in(env, "editor")
    assert env.tokens["editor"] not in cookie
    body = {"id": "web-1", "name": "From the web", "kind": "cbo"}
    assert env.client.post("/api/v1/organisations", json=body, headers=SAME_SITE).status_code == 201
    with env.client.session_transaction() as session:
        session["sid"] = "revoked-or-wrong"
    assert env.client.post("/api/v1/organisations", json={**body, "id": "web-2"}, headers=SAME_SITE).status_code == 401


SAME_SITE = {"Origin": "http://localhost"}


def _sign_in(env: Env, role: str, base_url: str = "http://localhost") -> str:
    """Sign the test client in through the sign-in page as ``role``; the Set-Cookie header it answered."""
    env.client.get("/sign-in", base_url=base_url)
    with env.client.session_transaction() as session:
        csrf = session["csrf"]
    answer = env.client.post("/sign-in", data={"token": env.tokens[role], "csrf": csrf}, base_url=base_url)
    assert answer.status_code == 302
    return answer.headers["Set-Cookie"]


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://evil.example"}, {"Origin": "null"},
                                     {"Referer": "http://evil.example/localhost/form"}])
def test_a_cookie_write_from_another_site_is_refused(env: Env, headers: dict[str, str]) -> None:
    _sign_in(env, "admin")
    response = env.client.post("/api/v1/organisations", json={"id": "csrf-1", "name": "Cross", "kind": "cbo"},
                               headers=headers)
    assert response.status_code == 403 and "another site" in response.get_json()["message"]
    assert env.client.delete("/api/v1/organisations/ngo-d", headers=headers).status_code == 403
    assert env.client.get("/api/v1/audit", headers=headers).status_code == 200
    assert env.client.post("/api/v1/organisations", json={"id": "csrf-2", "name": "Bearer", "kind": "cbo"},
                           headers={**headers, **env.auth("editor")}).status_code == 201
    with pytest.raises(Exception, match="csrf-1"):
        env.store.get_organisation("csrf-1")


def test_sign_out_ends_the_session_everywhere(env: Env) -> None:
    _sign_in(env, "admin")
    with env.client.session_transaction() as session:
        copied = session["sid"]
    assert env.client.get("/api/v1/audit").status_code == 200
    assert env.client.get("/api/v1/tokens", headers=env.auth("admin")).get_json()[0]["role"] != "session"
    assert env.client.get("/api/v1/audit", headers={"Authorization": f"Bearer {copied}"}).status_code == 401
    with env.client.session_transaction() as session:
        csrf = session["csrf"]
    env.client.post("/sign-out", data={"csrf": csrf})
    with env.client.session_transaction() as session:
        session["sid"] = copied
    assert env.client.get("/api/v1/audit").status_code == 401


def test_a_new_session_deletes_expired_and_ended_sessions(env: Env) -> None:
    """Sessions do not pile up: signing in deletes every session past SESSION_HOURS or signed out."""
    secret = create_token(env.store, "session owner", "viewer", actor=CLI)[1]
    live, ended = start_session(env.store, secret), start_session(env.store, secret)
    assert live is not None and ended is not None
    end_session(env.store, ended[1])
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=SESSION_HOURS, minutes=1)
    env.store.add_token(Token("ses_expired", "h", "session", hash_secret("expired"), long_ago))
    assert len([t for t in env.store.list_tokens() if t.role == "session"]) == 3
    newest = start_session(env.store, secret)
    assert newest is not None
    sessions = [t for t in env.store.list_tokens() if t.role == "session"]
    assert len(sessions) == 2 and not any(t.revoked for t in sessions)
    assert "ses_expired" not in {t.id for t in sessions}
    assert find_session(env.store, live[1]) is not None and find_session(env.store, newest[1]) is not None
    assert "session owner" in {t.name for t in env.store.list_tokens()}


def test_revoking_the_token_ends_its_sessions(env: Env) -> None:
    _sign_in(env, "editor")
    assert env.client.post("/api/v1/organisations", json={"id": "web-3", "name": "Web", "kind": "cbo"},
                           headers=SAME_SITE).status_code == 201
    token_id = next(t.id for t in env.store.list_tokens() if t.name == "editor token")
    assert env.client.delete(f"/api/v1/tokens/{token_id}", headers=env.auth("admin")).status_code == 204
    assert env.client.post("/api/v1/organisations", json={"id": "web-4", "name": "Web", "kind": "cbo"},
                           headers=SAME_SITE).status_code == 401


def test_the_session_cookie_is_secure_behind_an_https_proxy(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSSNET_SECURE_COOKIES", "1")
    proxied = make_env(tmp_path / "proxied.db")
    try:
        assert "; secure" in _sign_in(proxied, "viewer").lower()
    finally:
        close_store(proxied.app)


@pytest.mark.parametrize("base_url, secure", [("http://localhost", False), ("https://localhost", True)])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(env: Env, base_url: str, secure: bool) -> None:
    cookie = _sign_in(env, "viewer", base_url).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and ("; secure" in cookie) == secure


def test_audit_log_is_for_admins_and_filters(env: Env) -> None:
    env.client.post("/api/v1/tokens", json={"name": "p", "role": "viewer"}, headers=env.auth("admin"))
    assert env.client.get("/api/v1/audit", headers=env.auth("viewer")).status_code == 403
    log = env.client.get("/api/v1/audit?actor=admin%20token", headers=env.auth("admin")).get_json()
    assert log["total"] == 1 and log["items"][0]["entity"] == "token"
    assert env.client.get("/api/v1/audit?actor=nobody", headers=env.auth("admin")).get_json()["total"] == 0
