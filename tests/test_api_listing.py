"""List pages kept per store revision: never stale after a write (here or in another process), never
shared between callers who may and may not see protected fields, and the same as the records they list."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.api.listing import Listings, page_body
from network.graph.sqlite import SQLiteStore
from network.graph.store import OrganisationQuery, Page
from network.model import Organisation
from tests.api_support import SECRET_VALUES, SENSITIVE_ID, Env, env_fixture


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    yield from env_fixture(tmp_path)


def _names(env: Env, headers: dict[str, str] | None = None, **query: str) -> dict[str, str]:
    response = env.client.get("/api/v1/organisations", query_string=query, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return {item["id"]: item["name"] for item in response.get_json()["items"]}


def test_a_write_through_the_api_shows_in_the_next_page(env: Env) -> None:
    assert _names(env)["cbo-b"] == "Sekhukhune Miners Support"
    version = env.client.get("/api/v1/organisations/cbo-b").headers["ETag"]
    changed = env.client.patch("/api/v1/organisations/cbo-b", json={"name": "Sekhukhune Miners Forum"},
                               headers={**env.auth("editor"), "If-Match": version})
    assert changed.status_code == 200
    assert _names(env)["cbo-b"] == "Sekhukhune Miners Forum"


def test_a_write_by_another_process_shows_in_the_next_page(env: Env) -> None:
    assert "new-cbo" not in _names(env, limit="500")
    other = SQLiteStore(env.store.path)  # another connection to the same file, as another process has
    try:
        other.upsert([Organisation("new-cbo", "Moroke Youth Group", "cbo", district="Sekhukhune")], [])
    finally:
        other.close()
    assert _names(env, limit="500")["new-cbo"] == "Moroke Youth Group"


@pytest.mark.parametrize("first", ["editor", None])
def test_protected_fields_follow_the_caller_whoever_asked_first(env: Env, first: str | None) -> None:
    def sensitive(role: str | None) -> dict:
        items = env.client.get("/api/v1/organisations", headers=env.auth(role)).get_json()["items"]
        return next(item for item in items if item["id"] == SENSITIVE_ID)

    for role in (first, "viewer" if first == "editor" else "editor", None):
        shown = sensitive(role)
        if role == "editor":
            assert shown["phone"] == SECRET_VALUES["phone"] and shown["description"] == SECRET_VALUES["description"]
        else:
            assert shown["phone"] is None and shown["municipality"] is None and shown["description"] == ""
            assert shown["external_ids"] == {} and shown["latitude"] is None


def test_links_page_follows_writes(env: Env) -> None:
    before = env.client.get("/api/v1/links").get_json()
    other = SQLiteStore(env.store.path)
    try:
        other.delete_link("l-fund-5")
    finally:
        other.close()
    after = env.client.get("/api/v1/links").get_json()
    assert after["total"] == before["total"] - 1
    assert "l-fund-5" in {i["id"] for i in before["items"]} - {i["id"] for i in after["items"]}


def test_the_page_lists_every_field_of_each_record_with_iso_dates(env: Env) -> None:
    page = env.store.list_organisations(OrganisationQuery(limit=2))
    page.items[0].last_verified = dt.date(2026, 3, 4)
    items = json.loads(page_body(page))["items"]
    assert [list(item) for item in items] == [list(o.__dict__) for o in page.items]
    assert items[0]["last_verified"] == "2026-03-04"
    assert items[0]["updated_at"] == page.items[0].updated_at.isoformat()
    assert items[1]["services"] == page.items[1].services


def test_the_kept_pages_stay_within_their_limit() -> None:
    bodies = [page_body(Page([Organisation(f"o{i}", "Hope", "cbo")], 1, 50, 0)) for i in range(3)]
    pages = Listings(limit=2 * len(bodies[0]) + 1)
    for i, body in enumerate(bodies):
        pages.put(i, body)
        assert pages.get(i) == body
    pages.put(2, b"again")
    assert pages.get(2) == bodies[2]
    assert pages.get(0) is None  # the oldest was dropped to keep within the limit
