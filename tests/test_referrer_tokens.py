"""Tokens bound to one organisation, and the ``referrer`` role: on both stores, in the service and over the API."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from network.errors import InvalidData
from network.graph import sqlite_sql
from network.graph.sqlite import SQLiteStore
from network.graph.store import Token
from network.model import Organisation
from network.service.audit import CLI
from network.service.tokens import TOKEN_ROLES, create_token, find_token
from tests.api_support import Env

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_token_keeps_its_organisation(store) -> None:
    store.add_token(Token("t1", "clinic desk", "referrer", "hash-1", AT, organisation="clinic-a"))
    store.add_token(Token("t2", "reader", "viewer", "hash-2", AT + dt.timedelta(days=1)))
    assert store.find_token("hash-1").organisation == "clinic-a"
    assert store.find_token("hash-2").organisation is None
    assert [(t.id, t.organisation) for t in store.list_tokens()] == [("t2", None), ("t1", "clinic-a")]


def test_service_binds_a_referrer_to_a_stored_organisation(store) -> None:
    store.create_organisation(Organisation("clinic-a", "Clinic A", "clinic"))
    token, secret = create_token(store, "clinic desk", "referrer", actor=CLI, organisation="clinic-a")
    assert find_token(store, secret).organisation == "clinic-a" == token.organisation
    assert store.list_audit().items[0].changes == {"name": "clinic desk", "role": "referrer",
                                                   "organisation": "clinic-a"}


@pytest.mark.parametrize("role, organisation, message", [
    ("referrer", None, "acts for one organisation"),
    ("referrer", "nobody", "No organisation with id 'nobody'"),
    ("viewer", "clinic-a", "not bound to an organisation"),
])
def test_service_refuses_a_wrong_binding_and_writes_nothing(store, role, organisation, message) -> None:
    store.create_organisation(Organisation("clinic-a", "Clinic A", "clinic"))
    with pytest.raises(InvalidData, match=message) as refused:
        create_token(store, "desk", role, actor=CLI, organisation=organisation)
    assert "organisation" in refused.value.errors
    assert store.list_tokens() == [] and store.list_audit().total == 0


def test_an_older_sqlite_file_gains_the_column_and_keeps_its_tokens(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    before = sqlite_sql.MIGRATIONS.index("ALTER TABLE tokens ADD COLUMN organisation TEXT;")
    for number, script in enumerate(sqlite_sql.MIGRATIONS[:before], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version={number}")
    conn.execute("INSERT INTO tokens VALUES ('t1', 'ops', 'admin', 'hash-1', ?, 0)", (AT.isoformat(),))
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert store.schema_version() == len(sqlite_sql.MIGRATIONS)
    kept = store.find_token("hash-1")
    assert (kept.id, kept.role, kept.organisation) == ("t1", "admin", None)
    store.close()


def test_admin_creates_a_referrer_over_the_api(env: Env) -> None:
    assert "referrer" in TOKEN_ROLES
    created = env.client.post("/api/v1/tokens", json={"name": "clinic desk", "role": "referrer",
                                                      "organisation": "clinic-a"}, headers=env.auth("admin"))
    assert created.status_code == 201
    assert created.get_json()["token"]["organisation"] == "clinic-a"
    listed = env.client.get("/api/v1/tokens", headers=env.auth("admin")).get_json()
    assert [t["organisation"] for t in listed if t["role"] == "referrer"] == ["clinic-a"]


@pytest.mark.parametrize("body, field", [
    ({"name": "desk", "role": "referrer"}, "organisation"),
    ({"name": "desk", "role": "referrer", "organisation": "ghost"}, "organisation"),
    ({"name": "desk", "role": "editor", "organisation": "clinic-a"}, "organisation"),
])
def test_a_wrong_binding_is_422_over_the_api(env: Env, body: dict, field: str) -> None:
    before = len(env.store.list_tokens())
    answer = env.client.post("/api/v1/tokens", json=body, headers=env.auth("admin"))
    assert answer.status_code == 422 and field in answer.get_json()["errors"]
    assert len(env.store.list_tokens()) == before


def test_only_an_admin_creates_a_referrer(env: Env) -> None:
    body = {"name": "desk", "role": "referrer", "organisation": "clinic-a"}
    assert env.client.post("/api/v1/tokens", json=body, headers=env.auth("editor")).status_code == 403


def test_a_referrer_reads_as_a_viewer_and_writes_nothing_else(env: Env) -> None:
    _, secret = create_token(env.store, "desk", "referrer", actor=CLI, organisation="cbo-b")
    referrer = {"Authorization": f"Bearer {secret}"}
    listed = env.client.get("/api/v1/organisations", headers=referrer)
    viewed = env.client.get("/api/v1/organisations", headers=env.auth("viewer"))
    assert listed.status_code == 200 and listed.get_json() == viewed.get_json()
    new = {"id": "new-org", "name": "New", "kind": "cbo"}
    assert env.client.post("/api/v1/organisations", json=new, headers=referrer).status_code == 403
    assert env.client.get("/api/v1/tokens", headers=referrer).status_code == 403
    assert env.client.get("/api/v1/audit", headers=referrer).status_code == 403


def test_cli_creates_a_referrer_for_an_existing_organisation(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from network.cli import cli

    db = tmp_path / "cli.db"
    store = SQLiteStore(db)
    store.create_organisation(Organisation("clinic-a", "Clinic A", "clinic"))
    store.close()

    def run(*args: str):
        return CliRunner().invoke(cli, ["--store", str(db), "token", *args], catch_exceptions=False)

    made = run("create", "--name", "clinic desk", "--role", "referrer", "--organisation", "clinic-a")
    assert made.exit_code == 0 and "acting for clinic-a" in made.output
    assert "acts for clinic-a" in run("list").output
    missing = run("create", "--name", "desk", "--role", "referrer")
    unknown = run("create", "--name", "desk", "--role", "referrer", "--organisation", "ghost")
    assert missing.exit_code == unknown.exit_code == 1
    assert "No organisation with id 'ghost'" in unknown.output
    store = SQLiteStore(db)
    assert [(t.role, t.organisation) for t in store.list_tokens()] == [("referrer", "clinic-a")]
    store.close()
