"""Fixtures and helpers for the API tests: an app on a real SQLite file with a small network and tokens."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from network.api import close_store, create_app
from network.cli import cli
from network.graph.records import now
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.http_support import live_server

#: The sensitive organisation's protected values: none may reach an anonymous or viewer caller.
SECRET_VALUES = {
    "phone": "+27 11 999 8877",
    "email": "hidden@kp.example.org",
    "municipality": "Secretville",
    "latitude": -25.123456,
    "longitude": 28.654321,
    "website": "https://hidden.example.org",
    "description": "Peer support room behind the Secretville taxi rank.",
    "external_ids": {"npo": "NPO-424242"},
}

SENSITIVE_ID = "kp-safe-space"


def small_network() -> tuple[list[Organisation], list[Link]]:
    """Five organisations in Sekhukhune (one sensitive) and a few links."""
    orgs = [
        Organisation("clinic-a", "Jane Furse Clinic", "clinic", district="Sekhukhune", province="Limpopo",
                     municipality="Makhuduthamaga", latitude=-24.75, longitude=29.87,
                     services=["tb_screening", "tb_treatment", "hiv_testing", "art"], phone="+27 13 265 0000"),
        Organisation("cbo-b", "Sekhukhune Miners Support", "cbo", district="Sekhukhune", province="Limpopo",
                     services=["tb_screening", "peer_education"], populations=["mineworkers", "artisanal_miners"],
                     aliases=["SMS"]),
        Organisation(SENSITIVE_ID, "Safe Space Collective", "kp_network", district="Sekhukhune", province="Limpopo",
                     services=["hiv_testing", "peer_education", "gbv_support"],
                     populations=["sex_workers", "artisanal_miners"], sensitive=True, **SECRET_VALUES),
        Organisation("ngo-d", "Limpopo Legal Aid Desk", "ngo", district="Sekhukhune", province="Limpopo",
                     services=["legal_aid", "social_grant_linkage"], populations=["sex_workers", "mineworkers"]),
        Organisation("donor-e", "Health Fund", "donor", services=["advocacy"]),
    ]
    links = [
        Link("l-ref-1", "cbo-b", "clinic-a", "referral", services=["tb_screening"], formal=True,
             start_date=dt.date(2024, 1, 1)),
        Link("l-mou-2", SENSITIVE_ID, "clinic-a", "mou", services=["hiv_testing", "art"], formal=True),
        Link("l-ref-3", SENSITIVE_ID, "ngo-d", "referral", services=["legal_aid"]),
        Link("l-fund-4", "donor-e", "cbo-b", "funding"),
        Link("l-fund-5", "donor-e", SENSITIVE_ID, "funding"),
    ]
    return orgs, links


def network_file(path: Path, network: tuple[list[Organisation], list[Link]] | None = None) -> Path:
    """``path``, a SQLite file holding ``network`` (default: the small test network), closed again for the CLI."""
    store = SQLiteStore(path)
    store.upsert(*(network or small_network()))
    store.close()
    return path


def run_cli(db: Path, *args: str) -> Result:
    """``cssnet --store DB ARGS...`` run in this process (an exception propagates instead of being caught)."""
    return CliRunner().invoke(cli, ["--store", str(db), *args], catch_exceptions=False)


@contextmanager
def served_small_network(path: Path, name: str) -> Iterator[tuple[SQLiteStore, str]]:
    """A store at ``path`` holding the small test network, and the app on it served over HTTP (secret key
    ``name``): the store and the base URL, both closed afterwards."""
    store = SQLiteStore(path)
    store.upsert(*small_network())
    try:
        with live_server(create_app({"STORE": store, "SECRET_KEY": name})) as url:
            yield store, url
    finally:
        store.close()


@dataclass
class Env:
    """An app, its client, its store and a token secret per role."""

    app: Flask
    client: FlaskClient
    store: SQLiteStore
    tokens: dict[str, str]

    def auth(self, role: str | None) -> dict[str, str]:
        """Headers authenticating as ``role`` (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def make_env(path: Path, *, seeded: bool = True, config: dict | None = None) -> Env:
    """An app on a fresh SQLite file with one token per role."""
    store = SQLiteStore(path)
    if seeded:
        store.upsert(*small_network())
    tokens = {role: create_token(store, f"{role} token", role, actor=CLI)[1]
              for role in ("viewer", "editor", "admin")}
    app = create_app({"STORE": store, "TESTING": True, **(config or {})})
    return Env(app, app.test_client(), store, tokens)


def env_fixture(tmp_path: Path, **options: object) -> Iterator[Env]:
    """Body of an ``env`` fixture: an app on a seeded store, closed afterwards."""
    e = make_env(tmp_path / "api.db", **options)  # type: ignore[arg-type]
    yield e
    close_store(e.app)


def signed_in_page(env: Env, role: str, organisation: str | None = None) -> tuple[FlaskClient, str]:
    """A test client signed in to the pages with a new token of ``role``, and its form token."""
    secret = create_token(env.store, f"{role} page", role, actor=CLI, organisation=organisation)[1]
    client = env.app.test_client()
    page = client.get("/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.post("/sign-in", data={"csrf": csrf, "token": secret}).status_code == 302
    home = client.get("/sign-in").get_data(as_text=True)  # signing in gives the session a new form token
    return client, re.search(r'name="csrf" value="([^"]+)"', home).group(1)


def send_referral_form(client: FlaskClient, csrf: str, **form: str):
    """Post the send-a-referral form as a signed-in page would."""
    return client.post("/referrals/send", data={"csrf": csrf, **form}, headers={"Origin": "http://localhost"})


def between() -> dt.datetime:
    """A moment strictly after the writes before it and strictly before those after it."""
    time.sleep(0.01)
    at = now()
    time.sleep(0.01)
    return at


def write(env: Env, method: str, url: str, role: str = "editor", **body: object) -> None:
    """``method`` ``url`` through ``env``'s API as ``role`` (with the record's ETag unless it creates), which
    must succeed."""
    headers = env.auth(role)
    if method != "post":
        headers["If-Match"] = env.client.get(url).headers["ETag"]
    answer = getattr(env.client, method)(url, headers=headers, json=body or None)
    assert answer.status_code in (200, 201, 204), answer.get_json()
