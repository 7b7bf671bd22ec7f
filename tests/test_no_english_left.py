"""No English left on the pages in Portuguese or French (issue 14): every page a coordinator or outreach worker
reaches, on the demo network (Flask client, a real SQLite file), anonymous and signed in as an administrator, and
the API's refusals, hold no message of the catalogs in English where the language has its own words.

A text is English left over when it holds a catalog message (a page word, a vocabulary label, an error message,
an analysis's sentence template) whose Portuguese or French differs from it (``tests/words_audit.py``). The data's
own free text (organisations' names and descriptions, links' notes, programmes' names) is allowed: people write it.
A new page route fails :func:`test_every_page_route_is_audited` until it is requested here or said why not.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from network.api import create_app
from network.graph.referral_store import ReferralQuery
from network.graph.sqlite import SQLiteStore
from network.referrals import NEXT_STATUSES
from network.service import invitations, review, survey_invitations
from network.service.audit import CLI
from network.service.programmes import programmes
from network.service.tokens import create_token
from tests.http_support import routes
from tests.words_audit import Audit, Leftover, json_strings

LANGUAGES = ("pt", "fr")
#: Page routes not audited here, and why.
NOT_AUDITED = {
    "/assets/{filename}": "static files (scripts' words come from the page: see _queue_words.html)",
    "/vendor/{name}": "third-party files served offline",
    "/favicon.ico": "an image",
    "/healthz": "a probe for the operator, not a page",
    "/sw.js": "the offline worker (its words: tests/test_languages_pages.py)",
    "/review/{proposal_id}/accept": "POST only", "/review/{proposal_id}/reject": "POST only",
    "/sign-out": "POST only", "/stale/invite/{org_id}": "POST only",
}


@dataclass
class Site:
    """The demo app, the pages to read (anonymous and as administrator) and the data's own free text."""

    app: Flask
    store: SQLiteStore
    anonymous: list[str] = field(default_factory=list)
    signed: list[str] = field(default_factory=list)
    free_text: set[str] = field(default_factory=set)
    admin_secret: str = ""

    def admin(self, code: str) -> FlaskClient:
        """A client signed in as an administrator, in language ``code`` (the welcome is in it too)."""
        client = self.app.test_client()
        client.set_cookie("lang", code)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)).group(1)
        assert client.post("/sign-in", data={"csrf": csrf, "token": self.admin_secret}).status_code == 302
        return client


def _free_text(store: SQLiteStore) -> set[str]:
    texts: set[str] = set()
    for org in store.iter_organisations():
        texts.update([org.name, *org.aliases, org.description or "", org.municipality or ""])
    for link in store.iter_links():
        texts.update([link.notes or "", link.document or ""])
    for report in store.iter_monitoring_reports():
        texts.add(report.note or "")
    for found in programmes():
        texts.update([found.name, found.description or ""])
    return {t for t in texts if t}


def _pages(store: SQLiteStore, client: FlaskClient) -> tuple[list[str], list[str], dict[str, str]]:
    """The pages read anonymously and as an administrator, with real ids from the demo."""
    orgs = list(store.iter_organisations())
    links = list(store.iter_links())
    sensitive = next(o for o in orgs if o.sensitive)
    linked = {end for link in links for end in (link.source, link.target)}
    clinic = next(o for o in orgs if o.kind == "clinic" and o.id in linked)
    abroad = next(o for o in orgs if getattr(o, "country", "ZA") not in ("ZA", None))
    mou = next(link for link in links if link.kind == "mou" and link.status == "active")
    population = sensitive.populations[0]
    needs = [("need", s) for s in sensitive.services[:2]] + [("need", "legal_aid")]
    inv, secret = invitations.create_invitation(store, clinic.id, actor=CLI)
    review.submit(store, inv, {"confirm": True, "corrections": {"phone": "+27 15 555 0101"},
                               "ended_ties": [{"link": mou.id, "end_date": "2026-06-30"}]
                               if clinic.id in (mou.source, mou.target) else []})
    _, verify_secret = invitations.create_invitation(store, clinic.id, actor=CLI)
    round_id = client.get("/api/v1/surveys").get_json()["items"][0]["id"]
    survey_secret = survey_invitations.invite(store, round_id, actor=CLI)[0][1]
    q = urllib.parse.urlencode
    anonymous = [
        "/", "/explore", f"/explore?{q({'ego': sensitive.id, 'depth': 2})}",
        f"/explore/members?{q({'cluster': clinic.district})}", "/referrals",
        f"/referrals?{q([('start', sensitive.id), ('population', population), *needs])}",
        f"/referrals?{q([('district', sensitive.district), ('population', population), *needs])}"
        "&include_unlinked=true",
        "/sign-in", "/changes", "/agenda", f"/agenda?{q({'district': sensitive.district})}",
        "/findings/gaps", "/findings/duplication",
        *(f"/organisations/{o.id}" for o in (sensitive, clinic, abroad)), "/organisations/no-such-organisation",
        f"/history/organisation/{clinic.id}", f"/history/link/{mou.id}", "/surveys", f"/surveys/{round_id}",
        f"/surveys/answer/{survey_secret}", "/programmes",
        *(f"/programmes/{p.id}" for p in programmes()), "/programmes/no-such-programme",
        f"/invite/{verify_secret}", "/invite/not-a-secret", "/stale", "/review", "/monitoring",
    ]
    agenda = client.get("/agenda").get_data(as_text=True)
    anonymous += [html.unescape(u) for u in re.findall(r'href="(/agenda/item\?[^"]+)"', agenda)[:2]]
    waiting = store.list_referrals(ReferralQuery(limit=None)).items
    target = next(r.target for r in waiting if NEXT_STATUSES.get(r.status))
    signed = [
        "/", f"/organisations/{sensitive.id}", "/explore?ties_by=trust", "/edit/organisation",
        f"/edit/organisation/{sensitive.id}", "/edit/link", f"/edit/link/{mou.id}", "/review", "/monitoring",
        "/referrals/send", f"/referrals/inbox?{q({'organisation': target})}", f"/referrals/slip/{waiting[0].code}",
        "/stale", f"/history/organisation/{sensitive.id}",
    ]
    return anonymous, signed, {"secret": secret}


@pytest.fixture(scope="module")
def site(demo_path: Path) -> Iterator[Site]:
    store = SQLiteStore(demo_path)
    app = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "no-english-left",
                      "CSSNET_AGGREGATE_ABOVE": 100})
    made = Site(app, store)
    made.anonymous, made.signed, _ = _pages(store, app.test_client())
    made.free_text = _free_text(store)
    made.admin_secret = create_token(store, "audit admin", "admin", actor=CLI)[1]
    yield made
    store.close()


def _read(client: FlaskClient, url: str, code: str, audit: Audit) -> list[Leftover]:
    response = client.get(url, headers={"Accept-Language": f"{code},en;q=0.5"})
    assert response.status_code < 500, url
    if response.mimetype == "application/json":  # the explorer's cluster members, read by its script
        return [Leftover(code, m, t, url) for t in json_strings(response.get_json()) for m in audit.leftovers(t)]
    assert response.mimetype == "text/html", url
    page = response.get_data(as_text=True)
    assert f'<html lang="{code}">' in page, url
    return audit.page(url, page)


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_page_shows_english_left(site: Site, code: str) -> None:
    audit = Audit(code, site.free_text)
    anonymous = site.app.test_client()
    found = [lo for url in site.anonymous for lo in _read(anonymous, url, code, audit)]
    admin = site.admin(code)
    found += [Leftover(lo.language, lo.message, lo.text, f"admin {lo.where}")
              for url in site.signed for lo in _read(admin, url, code, audit)]
    assert audit.texts > 3000, "the pages were read"
    shown = sorted({str(lo) for lo in found})
    print("\n".join(shown))
    assert shown == []


def test_every_page_route_is_audited(site: Site) -> None:
    adapter = site.app.url_map.bind("localhost")
    asked = {adapter.match(urllib.parse.urlsplit(u).path, return_rule=True)[0].rule
             for u in site.anonymous + site.signed}
    audited = {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule) for rule in asked}
    pages = {r for r in routes(site.app) if not r.startswith("/api/")}
    assert pages - audited - set(NOT_AUDITED) == set()
    assert set(NOT_AUDITED) <= pages


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_api_refuses_in_the_callers_language(site: Site, code: str) -> None:
    editor = create_token(site.store, "audit editor", "editor", actor=CLI)[1]
    viewer = create_token(site.store, "audit viewer", "viewer", actor=CLI)[1]
    client = site.app.test_client()
    asked = {"Accept-Language": code}
    requests = [
        ("GET", "/api/v1/organisations/no-such-organisation", None, None, 404),
        ("GET", "/api/v1/links/no-such-link", None, None, 404),
        ("GET", "/api/v1/analysis/pathways?population=nobody&needs=tb_treatment&district=Sekhukhune", None, None,
         422),
        ("GET", "/api/v1/organisations?limit=-3&kind=spaceship", None, None, 422),
        ("POST", "/api/v1/organisations", editor, {"id": "x", "name": "", "kind": "spaceship",
                                                   "province": "Atlantis", "services": ["flying"]}, 422),
        ("POST", "/api/v1/links", editor, {"source": "nobody", "target": "nobody", "kind": "friendship"}, 422),
        ("POST", "/api/v1/organisations", viewer, {"id": "x", "name": "X", "kind": "cbo"}, 403),
        ("GET", "/api/v1/audit", None, None, 401),
        ("GET", "/api/v1/no-such-thing", None, None, 404),
        ("DELETE", "/api/v1/organisations", editor, None, 405),
    ]
    audit = Audit(code, site.free_text)
    found: list[str] = []
    for method, url, token, body, status in requests:
        headers = {**asked, **({"Authorization": f"Bearer {token}"} if token else {})}
        response = client.open(url, method=method, headers=headers, json=body)
        assert response.status_code == status, (url, response.get_data(as_text=True))
        answer = response.get_json()
        texts = list(json_strings(answer))
        assert texts, url
        english = client.open(url, method=method, json=body, headers={**headers, "Accept-Language": "en"})
        if english.get_json()["message"] == answer["message"]:
            found.append(f"{method} {url}: {answer['message']!r} is the English message")
        found += [f"{method} {url}: {m!r} in {t!r}" for t in texts for m in audit.leftovers(t)]
    print("\n".join(found))
    assert found == []


def test_the_audit_finds_english_where_it_is_left(site: Site) -> None:
    """The same reading of a page asked in English finds its words, labels and sentences as left over."""
    audit = Audit("pt", site.free_text)
    client = site.app.test_client()
    page = client.get("/agenda?lang=en").get_data(as_text=True)
    found = {lo.message for lo in audit.page("/agenda", page)}
    assert {"Coordination agenda", "Intervention area", "Community-led advocacy"} <= found
    clinic = next(u for u in site.anonymous if u.startswith("/organisations/") and "no-such" not in u)
    page = client.get(f"{clinic}?lang=en").get_data(as_text=True)
    assert "Suggested new partners" in {lo.message for lo in audit.page(clinic, page)}
    sentence = "Left over: Agree a referral agreement from A to B; it would give A a route to HIV testing."
    assert {"Agree a referral agreement from %(a)s to %(b)s", "give %(name)s a route to %(service)s"} <= set(
        audit.leftovers(sentence))
    assert audit.leftovers("Lejweleputswa Ex-Mineworkers Association") == []
    client.delete_cookie("lang")
