"""The web UI's pages through Flask's test client, on a real SQLite store seeded with the demo network."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.model import Organisation
from network.service import seed_demo
from network.service.audit import CLI
from network.service.tokens import create_token

SCRIPT_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
SECRET_PHONE = "+27 82 555 0177"
FORMULA_NAME = '=HYPERLINK("http://evil.example","open")'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("pages") / "pages.db")
    seed_demo(s)
    s.create_organisation(Organisation("xss-org", SCRIPT_NAME, "cbo", province="Limpopo", district="Sekhukhune",
                                       services=["tb_screening"], description="<b>not bold</b>"))
    s.create_organisation(Organisation("hidden-kp", "Hidden KP Group", "kp_network", province="Limpopo",
                                       district="Sekhukhune", sensitive=True, phone=SECRET_PHONE,
                                       email="secret@hidden-kp.example.org", municipality="Hiddenville",
                                       latitude=-24.71234, longitude=29.91234, services=["hiv_testing"],
                                       populations=["sex_workers"], external_ids={"npo": "NPO-777001"},
                                       description="Drop-in room behind the Hiddenville taxi rank."))
    s.create_organisation(Organisation("formula-org", FORMULA_NAME, "cbo", province="Limpopo", district="Sekhukhune"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def app(store: SQLiteStore):
    return create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def editor_secret(store: SQLiteStore) -> str:
    return create_token(store, "page tester", "editor", actor=CLI)[1]


#: Protected fields whose values are unique to their organisation (municipalities are shared place names).
UNIQUE_FIELDS = ("latitude", "longitude", "phone", "email", "website", "description")


def _protected(store: SQLiteStore) -> list[str]:
    """Protected values of every sensitive organisation that no other organisation shares."""
    sensitive, public = {"Hiddenville"}, set()
    for org in store.iter_organisations():
        values = {str(getattr(org, f)) for f in UNIQUE_FIELDS if getattr(org, f) not in (None, "")}
        (sensitive if org.sensitive else public).update(values)
    return sorted(sensitive - public) + ["NPO-777001"]


PAGES = [
    "/",
    "/explore",
    "/explore?province=Limpopo&kind=clinic&size_by=degree",
    "/explore?district=Sekhukhune&service=tb_screening&population=artisanal_miners&link_kind=referral",
    "/explore?ego=hidden-kp&depth=2",
    "/organisations/hidden-kp",
    "/organisations/xss-org",
    "/referrals",
    "/referrals?district=Sekhukhune&population=artisanal_miners&need=tb_screening&need=tb_treatment",
    "/referrals?start=hidden-kp&population=sex_workers&need=hiv_testing&need=art&include_unlinked=1",
    "/findings/gaps",
    "/findings/gaps?type=isolated&province=Limpopo&severity=high",
    "/findings/duplication",
    "/findings/gaps?format=csv",
    "/findings/duplication?format=csv",
    "/sign-in",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_answers_200(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.data


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_sees_no_protected_value(client, store, url):
    page = client.get(url).get_data(as_text=True)
    leaked = [v for v in _protected(store) if v in page]
    assert leaked == []


def test_sensitive_profile_says_contacts_are_hidden(client):
    page = client.get("/organisations/hidden-kp").get_data(as_text=True)
    assert "Hidden KP Group" in page
    assert "Sign in as an editor to see its location and contacts" in page


def test_editor_sees_protected_fields(client, editor_secret):
    _sign_in(client, editor_secret)
    page = client.get("/organisations/hidden-kp").get_data(as_text=True)
    assert SECRET_PHONE in page and "Hiddenville" in page


@pytest.mark.parametrize("url", ["/organisations/xss-org", "/explore?district=Sekhukhune",
                                 "/referrals?start=xss-org&population=artisanal_miners&need=tb_screening"])
def test_script_bearing_name_is_escaped(client, url):
    page = client.get(url).get_data(as_text=True)
    assert SCRIPT_NAME not in page
    assert "<b>not bold</b>" not in page
    assert "<script>window.__xss" not in page


def test_pages_forbid_inline_and_foreign_scripts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize("url", [u for u in PAGES if "format=csv" not in u])
def test_pages_reference_only_this_server(client, url):
    page = client.get(url).get_data(as_text=True)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)


def test_unknown_filter_value_is_explained(client):
    response = client.get("/explore?province=Atlantis")
    assert response.status_code == 422
    assert "Unknown province &#39;Atlantis&#39;." in response.get_data(as_text=True)


def test_referral_question_needs_population_and_need(client):
    response = client.get("/referrals?district=Sekhukhune")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a population." in page and "Choose at least one need." in page


def test_referral_finder_lists_pathway_steps(client):
    page = client.get("/referrals?district=Sekhukhune&population=artisanal_miners"
                      "&need=tb_screening&need=tb_treatment").get_data(as_text=True)
    assert re.search(r'<ol class="steps">\s*<li', page)


def test_findings_filter_and_csv(client):
    csv_text = client.get("/findings/gaps?type=isolated&format=csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0] == "type,severity,district,population,service,organisations,links,explanation,details"
    assert lines[1:] and all(line.startswith("isolated,") for line in lines[1:])


def test_unknown_organisation_is_a_404_page(client):
    response = client.get("/organisations/no-such-org")
    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_edit_needs_an_editor(client):
    assert client.get("/edit/organisation").status_code == 403


def test_editor_gets_the_forms(client, editor_secret):
    _sign_in(client, editor_secret)
    page = client.get("/edit/organisation/xss-org").get_data(as_text=True)
    assert 'data-method="PUT"' in page and 'data-api="/api/v1/organisations/xss-org"' in page
    assert client.get("/edit/link").status_code == 200


def test_wrong_token_is_refused(client):
    csrf = _csrf(client)
    response = client.post("/sign-in", data={"token": "nope", "csrf": csrf})
    assert response.status_code == 401
    assert "unknown or revoked" in response.get_data(as_text=True)


def test_form_post_without_csrf_token_is_refused(client, editor_secret):
    client.get("/sign-in")
    assert client.post("/sign-in", data={"token": editor_secret}).status_code == 400


def test_sign_out_forgets_the_token(client, editor_secret):
    _sign_in(client, editor_secret)
    client.post("/sign-out", data={"csrf": _csrf(client)})
    assert client.get("/edit/organisation").status_code == 403


def _csrf(client) -> str:
    page = client.get("/sign-in").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def _sign_in(client, secret: str) -> None:
    response = client.post("/sign-in", data={"token": secret, "csrf": _csrf(client)})
    assert response.status_code == 302


@pytest.fixture(scope="module")
def grouped(store: SQLiteStore):
    """The explorer of the demo network drawn as districts (it aggregates above 100 organisations)."""
    app = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only", "CSSNET_AGGREGATE_ABOVE": 100})
    return app.test_client()


def _page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_grouped_explorer_page_carries_districts_not_organisations(grouped, store):
    html = grouped.get("/explore").get_data(as_text=True)
    data = _page_data(html)
    assert data["nodes"] == [] and data["edges"] == []
    counts = {c["id"]: c["count"] for c in data["clusters"]}
    assert sum(counts.values()) == len(list(store.iter_organisations())) > 100
    page_data = json.dumps(data)
    assert "xss-org" not in page_data and "Hidden KP Group" not in page_data
    bundled = sum(b["count"] for b in data["bundles"])
    between = sum(1 for link in store.iter_links()
                  if _home(store, link.source) != _home(store, link.target))
    assert bundled == between


def _home(store: SQLiteStore, org_id: str) -> str:
    org = store.get_organisation(org_id)
    return org.district or org.province or "national"


def test_grouped_explorer_fetches_a_district_with_its_links(grouped, store):
    response = grouped.get("/explore/members?cluster=Sekhukhune")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    ids = {n["id"] for n in body["nodes"]}
    expected = {o.id for o in store.iter_organisations() if _home(store, o.id) == "Sekhukhune"}
    assert ids == expected and {"xss-org", "hidden-kp"} <= ids
    touching = {link.id for link in store.iter_links() if link.source in expected or link.target in expected}
    assert {e["id"] for e in body["edges"]} == touching
    text = response.get_data(as_text=True)
    assert all(value not in text for value in _protected(store))


def test_grouped_explorer_keeps_the_filters_when_fetching(grouped, store):
    body = grouped.get("/explore/members?cluster=Sekhukhune&link_kind=referral").get_json()
    members = {n["id"] for n in body["nodes"]}
    referrals = {link.id for link in store.iter_links()
                 if link.kind == "referral" and (link.source in members or link.target in members)}
    assert referrals and {e["id"] for e in body["edges"]} == referrals
    assert grouped.get("/explore/members?cluster=Sekhukhune&kind=clinic").status_code == 404  # too few to group


@pytest.mark.parametrize(("query", "status", "message"), [
    ("", 422, "Group: Missing data"),
    ("?cluster=Atlantis", 404, "No group 'Atlantis'"),
    ("?cluster=Sekhukhune&province=Narnia", 422, "Province: Unknown province 'Narnia'"),
    ("?cluster=Sekhukhune&ego=nobody", 404, "No organisation 'nobody'"),
])
def test_grouped_explorer_refuses_bad_requests_clearly(grouped, query, status, message):
    response = grouped.get("/explore/members" + query)
    assert response.status_code == status
    assert response.get_json()["message"].startswith(message)


def test_the_findings_csv_never_starts_a_cell_with_a_formula(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/findings/gaps?type=isolated&format=csv").get_data(
        as_text=True))))
    mine = [r for r in rows if r["organisations"] == "formula-org"]
    assert mine and all(not value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())
    assert FORMULA_NAME in mine[0]["explanation"]
