"""The leak walk: every GET route of the app, on the demo network, as anonymous and as viewer.

The demo network is imported into a real SQLite store through
``POST /api/v1/import``; the routes come from the app's URL map and its
OpenAPI document (a new GET route fails :func:`test_the_walk_covers_every_get_route`
until the walk requests it or ``NOT_WALKED`` says why not); path
parameters are filled with real ids (each sensitive organisation, a normal
one, links touching sensitive ones, ids that do not exist) and query
parameters with the sensitive organisations' districts, provinces,
populations, services, ids and names. Every body (zips and workbooks
unpacked, HTML/XML and JSON escapes undone) and every header is searched for
every protected value of every sensitive demo organisation.

Two walks: one on the demo as it is (values that also appear in public data,
such as a municipality shared with a public clinic, cannot be told apart
there and are left to the second walk), one on the demo with each sensitive
organisation's protected values replaced by unique canaries, so that every
field (municipality and website included) is a needle that can only come
from the protected record.

The plan (routes, ids, filters, expected statuses) is in ``tests/leak_walk_plan.py``, the needles in
``tests/leak_walk_needles.py``, the walker in ``tests/leak_walk_support.py``; an organisation made
sensitive is walked in ``tests/test_leak_walk_history.py``.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from collections.abc import Iterator

import pytest

from tests.http_support import PROTECTED, external_id_values, is_sensitive, readable_text, routes
from tests.leak_walk_needles import needles
from tests.leak_walk_plan import NOT_WALKED, OK, REFUSED, plan, url_of
from tests.leak_walk_support import ROLES, Walk, Walker, Walks, report, walk_the_demo


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walks]:
    """Both walks, done once for the module."""
    yield from walk_the_demo(tmp_path_factory.mktemp)


def test_the_walk_covers_every_get_route(walks: Walks) -> None:
    app = walks.real_env.app
    found = routes(app)
    get_routes = {r for r, methods in found.items() if "GET" in methods}
    walked = set(walks.real.by_route) | set(walks.canary.by_route)
    assert not {r for r in NOT_WALKED if "GET" in found.get(r, {"GET"})}, "a skipped route is gone or answers GET"
    assert get_routes - walked == set(), "GET routes the walk does not request"
    assert {r for r in get_routes if walks.real.ok_by_route[r] == 0} == REFUSED
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert {p for p, item in doc["paths"].items() if "get" in item} <= walked
    formats = next(p["schema"]["enum"] for p in doc["paths"]["/api/v1/export"]["get"]["parameters"]
                   if p["name"] == "format")
    assert len(formats) >= 7
    exported = {url for url in plan(app, walks.demo) if url[0].startswith("/api/v1/export?")}
    assert {f"/api/v1/export?format={f}" for f in formats} <= {u for u, _ in exported}


def test_no_server_error_and_the_expected_statuses(walks: Walks) -> None:
    summary = f"{walks.real.summary()}\n{walks.canary.summary()}"
    assert walks.real.server_errors + walks.canary.server_errors == [], summary
    assert walks.real.unexpected + walks.canary.unexpected == [], summary


def test_no_protected_value_of_the_demo_reaches_anonymous_or_viewer(walks: Walks) -> None:
    assert walks.real.requests > 500
    assert walks.real.leaks == [], f"{walks.real.summary()}\n{report(walks.real.leaks)}"


def test_no_protected_canary_reaches_anonymous_or_viewer(walks: Walks) -> None:
    assert walks.canary.requests > 250
    assert walks.canary.leaks == [], f"{walks.canary.summary()}\n{report(walks.canary.leaks)}"


def test_protection_removes_fields_and_never_rewrites_text(walks: Walks) -> None:
    assert walks.real.rewritten == [], f"{len(walks.real.rewritten)} responses: {walks.real.rewritten[:20]}"


def test_a_district_named_like_a_protected_municipality_is_shown_as_itself(walks: Walks) -> None:
    demo, client = walks.demo, walks.real_env.client
    districts = {r["district"] for r in demo.organisations}
    municipalities = {r["municipality"] for r in demo.sensitive}
    named_alike = sorted(municipalities & districts)
    assert named_alike, "the demo has no district named like a protected municipality"
    for name in named_alike:
        listed = client.get(url_of("/api/v1/organisations", [("district", name), ("limit", "500")])).get_json()
        assert listed["total"] > 0 and {o["district"] for o in listed["items"]} == {name}
        gaps = client.get(url_of("/api/v1/analysis/gaps", [("district", name)])).get_data(as_text=True)
        assert f'"{name}"' in gaps and "[hidden]" not in gaps
        page = client.get("/findings/gaps").get_data(as_text=True)
        assert name in page and "[hidden]" not in page


def test_a_public_organisation_sharing_a_protected_municipality_shows_it(walks: Walks) -> None:
    demo, client = walks.demo, walks.real_env.client
    protected = {r["municipality"] for r in demo.sensitive}
    sharing = [r for r in demo.organisations if not is_sensitive(r) and r["municipality"] in protected]
    assert sharing
    for row in sharing:
        record = client.get(f"/api/v1/organisations/{urllib.parse.quote(row['id'])}").get_json()
        assert record["municipality"] == row["municipality"], row["id"]


def test_searching_for_a_protected_value_finds_no_sensitive_organisation(walks: Walks) -> None:
    client = walks.canary_env.client
    asked = 0
    for row in walks.canary_demo.sensitive:
        terms = [row["municipality"], row["phone"], row["email"], row["website"], row["description"][:5],
                 *external_id_values(row["external_ids"])]
        for role, term in itertools.product(ROLES, terms):
            found = client.get(url_of("/api/v1/organisations", [("q", term)]), headers=walks.canary_env.auth(role))
            asked += 1
            assert found.status_code == 200 and found.get_json()["total"] == 0, (role, row["id"], term)
    assert asked >= 100


def test_the_walk_would_notice_a_leak(walks: Walks) -> None:
    env = walks.canary_env
    probe = Walk("admin probe")
    canary_needles = [n for r in walks.canary_demo.sensitive for n in needles(r)]
    walker = Walker(env, probe, canary_needles)
    for fmt in ("csv", "xlsx", "json"):
        response = env.client.get(f"/api/v1/export?format={fmt}", headers=env.auth("admin"))
        text = readable_text(response.get_data())
        for row in walks.canary_demo.sensitive:
            for name in ("municipality", "phone", "email", "website", "description"):
                assert row[name].lower() in text, (fmt, row["id"], name)
    walker.get(f"/api/v1/organisations/{walks.canary_demo.sensitive[0]['id']}", "admin", OK)
    assert {h.field for h in probe.leaks} == set(PROTECTED), json.dumps([h.field for h in probe.leaks])


def test_every_response_carries_the_security_headers(walks: Walks) -> None:
    assert walks.real.unguarded == set(), "\n".join(sorted(walks.real.unguarded))
