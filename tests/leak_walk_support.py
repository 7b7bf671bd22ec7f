"""The leak walk's machinery: a store holding the demo, a walker that requests and searches, what it saw."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.api import close_store
from network.graph.partners import Invitation
from network.graph.sqlite import SQLiteStore
from network.graph.store import Token
from network.monitoring import MonitoringReport
from network.service.invitations import INVITATION_ROLE
from network.service.tokens import hash_secret
from tests.api_support import Env, make_env
from tests.http_support import DEMO_DIR, csv_import_form, is_sensitive, read_csv, readable_text, route_key, write_csv
from tests.leak_walk_needles import Needle, canary_rows, needles, public_corpus
from tests.leak_walk_plan import OK, WALK_REPORT, WALK_ROUND, WALK_SECRET, WALK_SURVEY_SECRET, Demo, plan, url_of

ROLES = (None, "viewer")
#: Links the walk follows from the pages it reads: static files, and agenda items (their keys come from the agenda).
DISCOVERED = r'(?:src|href)="(/(?:assets|vendor)/[^"?#]+|/agenda/item\?[^"#]+)"'

#: The explorer groups a network of more than this many organisations by district (so /explore/members answers).
AGGREGATE_ABOVE = 100


@dataclass
class Hit:
    role: str
    url: str
    org_id: str
    field: str
    value: str
    context: str


@dataclass
class Walk:
    """What one walk saw: requests per route, statuses, leaks and ``[hidden]`` rewrites."""

    name: str
    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    ok_by_route: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    leaks: list[Hit] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    ambiguous: list[Needle] = field(default_factory=list)
    #: Routes answering without ``nosniff``, or HTML without a CSP that sets ``frame-ancestors`` (issue 17 item 13).
    unguarded: set[str] = field(default_factory=set)

    def summary(self) -> str:
        leaked = Counter((h.org_id, h.field) for h in self.leaks)
        return (f"{self.name} walk: {self.requests} requests over {len(self.by_route)} routes, "
                f"statuses {dict(sorted(self.statuses.items()))}, {len(self.server_errors)} 5xx, "
                f"{len(self.leaks)} leaks ({len(leaked)} distinct organisation/field pairs), "
                f"{len(self.rewritten)} responses with [hidden], {len(self.unexpected)} unexpected statuses; "
                f"{len(self.ambiguous)} needles left to the canary walk (also in public data)")


class Walker:
    """Requests every planned URL as each role and searches every response for every needle."""

    def __init__(self, env: Env, walk: Walk, needles: list[Needle]):
        self.env, self.walk, self.needles = env, walk, needles
        self.adapter = env.app.url_map.bind("localhost")

    def route_of(self, url: str) -> str:
        rule, _ = self.adapter.match(urllib.parse.urlsplit(url).path, method="GET", return_rule=True)
        return route_key(rule.rule)

    def get(self, url: str, role: str | None, expected: frozenset[int] | None) -> Any:
        response = self.env.client.get(url, headers=self.env.auth(role))
        who = role or "anonymous"
        w = self.walk
        w.requests += 1
        route = self.route_of(url)
        w.by_route[route] += 1
        w.statuses[response.status_code] += 1
        if response.status_code == 200:
            w.ok_by_route[route] += 1
        if response.status_code >= 500:
            w.server_errors.append(f"{who} GET {url} -> {response.status_code}")
        elif expected is not None and response.status_code not in expected:
            w.unexpected.append(f"{who} GET {url} -> {response.status_code}, expected {sorted(expected)}: "
                                f"{response.get_data(as_text=True)[:200]}")
        text = readable_text(response.get_data(), dict(response.headers))
        for needle in self.needles:
            match = needle.search(text)
            if match:
                context = text[max(0, match.start() - 80):match.end() + 40].replace("\n", " ")
                w.leaks.append(Hit(who, url, needle.org_id, needle.field, needle.value, context))
        if "[hidden]" in text:
            w.rewritten.append(f"{who} GET {url}")
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            w.unguarded.add(f"{route} ({response.status_code} {response.mimetype}): no X-Content-Type-Options: nosniff")
        if response.mimetype == "text/html" and "frame-ancestors" not in response.headers.get(
                "Content-Security-Policy", ""):
            w.unguarded.add(f"{route}: HTML without a Content-Security-Policy with frame-ancestors")
        return response

    def run(self, plan: list[tuple[str, frozenset[int] | None]], roles: tuple[str | None, ...] = ROLES) -> None:
        for role in roles:
            found: set[str] = set()
            for url, expected in plan:
                response = self.get(url, role, expected)
                self._follow_pages(url, response, role)
                if response.mimetype == "text/html":
                    body = response.get_data(as_text=True)
                    found.update(html.unescape(link) for link in re.findall(DISCOVERED, body))
            items = sorted(u for u in found if u.startswith("/agenda/item"))
            for url in sorted(u for u in found if not u.startswith("/agenda/item")) + items[:6]:
                self.get(url, role, OK)

    def _follow_pages(self, url: str, response: Any, role: str | None) -> None:
        """Walk the further pages of a list answered with ``{items, total, limit, offset}``."""
        body = response.get_json(silent=True) if response.status_code == 200 else None
        if not isinstance(body, dict) or not {"total", "limit", "offset"} <= set(body):
            return
        parts = urllib.parse.urlsplit(url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "offset"]
        for offset in range(body["offset"] + body["limit"], body["total"], body["limit"]):
            self.get(url_of(parts.path, [*query, ("offset", str(offset))]), role, OK)


def demo_env(folder: Path, organisations: list[dict[str, str]]) -> Env:
    """An app on a fresh SQLite store holding ``organisations`` and the demo's links, imported over the API."""
    env = make_env(folder / "walk.db", seeded=False, config={"CSSNET_AGGREGATE_ABOVE": AGGREGATE_ABOVE})
    orgs_csv = write_csv(folder / "organisations.csv", organisations).read_bytes()
    response = env.client.post("/api/v1/import", headers=env.auth("admin"), content_type="multipart/form-data",
                               data=csv_import_form(orgs_csv, (DEMO_DIR / "links.csv").read_bytes()))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    _invite(env.store, organisations)
    invited = [o["id"] for o in organisations if o["sensitive"] == "true"][:20]
    survey = {"id": WALK_ROUND, "name": "Walk round", "opens": "2026-01-01", "closes": "2026-12-31", "invited": invited}
    assert env.client.post("/api/v1/surveys", json=survey, headers=env.auth("admin")).status_code == 201
    facility = next(o["id"] for o in organisations if o["sensitive"] != "true")
    env.store.create_monitoring_report(MonitoringReport(WALK_REPORT, invited[0], facility, dt.date(2026, 6, 1),
                                                        ["stigma"], note="Walk report.", key="walk-report-key"))
    return env


def _invite(store: SQLiteStore, organisations: list[dict[str, str]]) -> None:
    """An invitation (secret ``WALK_SECRET``) for the first public organisation tied to a sensitive one."""
    sensitive = {r["id"] for r in organisations if is_sensitive(r)}
    public = next(end for link in read_csv(DEMO_DIR / "links.csv") for end, other in
                  ((link["source"], link["target"]), (link["target"], link["source"]))
                  if other in sensitive and end not in sensitive)
    at = dt.datetime.now(dt.UTC)
    with store.transaction():
        store.add_token(Token("inv_walk", "walk", INVITATION_ROLE, hash_secret(WALK_SECRET), at, organisation=public))
        store.add_invitation(Invitation("inv_walk", public, at, at + dt.timedelta(days=1), "walk"))
        store.add_token(Token("inv_walk_survey", "walk survey", INVITATION_ROLE, hash_secret(WALK_SURVEY_SECRET), at,
                              organisation=public))
        store.add_invitation(Invitation("inv_walk_survey", public, at, at + dt.timedelta(days=1), "walk",
                                        purpose="survey", subject=WALK_ROUND))


@dataclass
class Walks:
    real: Walk
    canary: Walk
    real_env: Env
    canary_env: Env
    demo: Demo
    canary_demo: Demo


def walk_the_demo(folder: Callable[[str], Path]) -> Iterator[Walks]:
    """Both walks (the demo as it is, and with canaries), each on its own store made in ``folder(name)``."""
    organisations = read_csv(DEMO_DIR / "organisations.csv")
    links = read_csv(DEMO_DIR / "links.csv")
    corpus = public_corpus(organisations, (DEMO_DIR / "links.csv").read_text(encoding="utf-8"))
    demo, canary_demo = Demo(organisations, links), Demo(canary_rows(organisations), links)
    real_needles = [n for r in demo.sensitive for n in needles(r)]
    canary_needles = [n for r in canary_demo.sensitive for n in needles(r)]
    assert not [n for n in canary_needles if n.search(corpus)], "a canary is not unique"
    real_env = demo_env(folder("walk-real"), organisations)
    canary_env = demo_env(folder("walk-canary"), canary_demo.organisations)
    real = Walk("real", ambiguous=[n for n in real_needles if n.search(corpus)])
    canary = Walk("canary")
    try:
        Walker(real_env, real, [n for n in real_needles if n not in real.ambiguous]).run(plan(real_env.app, demo))
        # Anonymous only: a viewer is refused the same fields by the same rule, and the first walk tries both.
        Walker(canary_env, canary, canary_needles).run(plan(canary_env.app, canary_demo, filters=False), (None,))
        print(f"\n{real.summary()}\n{canary.summary()}")
        yield Walks(real, canary, real_env, canary_env, demo, canary_demo)
    finally:
        close_store(real_env.app)
        close_store(canary_env.app)


def report(hits: list[Hit], limit: int = 40) -> str:
    """The leaks found, counted by organisation, field and value, with one example request per field and route."""
    distinct = Counter((h.org_id, h.field, h.value) for h in hits)
    lines = [f"{n} x {org}.{name} = {value!r}" for (org, name, value), n in distinct.most_common()]
    examples = {}
    for h in hits:
        examples.setdefault((h.field, h.url.split("?")[0]), f"{h.role} {h.url}: ...{h.context}...")
    return "\n".join([*lines, "examples:", *list(examples.values())[:limit]])


def made_sensitive(tmp_path: Path) -> tuple[Env, dict[str, str]]:
    """An app on a few demo organisations imported yesterday-valid, one of them (public) made sensitive today."""
    rows = [row for row in read_csv(DEMO_DIR / "organisations.csv") if not is_sensitive(row)]
    districts = {r["district"] for r in rows}
    public = next(r for r in rows if r["phone"] and r["latitude"] and r["district"]
                  and r["municipality"] and r["municipality"] not in districts)
    partners = [link for link in read_csv(DEMO_DIR / "links.csv") if public["id"] in (link["source"], link["target"])]
    ends = {public["id"]} | {link["source"] for link in partners} | {link["target"] for link in partners}
    env = make_env(tmp_path / "history.db", seeded=False)
    orgs_csv = write_csv(tmp_path / "organisations.csv", [r for r in rows if r["id"] in ends]).read_bytes()
    links_csv = write_csv(tmp_path / "links.csv", partners).read_bytes()
    imported = env.client.post("/api/v1/import", headers=env.auth("admin"), content_type="multipart/form-data",
                               data=csv_import_form(orgs_csv, links_csv))
    assert imported.status_code == 200, imported.get_data(as_text=True)[:500]
    org_url = f"/api/v1/organisations/{urllib.parse.quote(public['id'])}"
    tag = env.client.get(org_url).headers["ETag"]
    made = env.client.patch(org_url, json={"sensitive": True}, headers={**env.auth("editor"), "If-Match": tag})
    assert made.status_code == 200
    return env, public


def walk_made_sensitive(env: Env, public: dict[str, str], urls: list[str]) -> Walk:
    """Walk ``urls`` looking for the protected values of ``public`` that no other demo organisation shares."""
    others = [r for r in read_csv(DEMO_DIR / "organisations.csv") if r["id"] != public["id"]]
    corpus = public_corpus([{**r, "sensitive": "false"} for r in others], "")
    own = [n for n in needles({**public, "description": ""}) if not n.search(corpus)]
    assert {n.field for n in own} >= {"phone", "email"}
    walk = Walk("made sensitive")
    walker = Walker(env, walk, own)
    for role, url in itertools.product(ROLES, urls):
        walker.get(url, role, OK)
    assert walk.unexpected == [], walk.unexpected
    return walk

