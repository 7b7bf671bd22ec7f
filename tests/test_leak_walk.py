"""The leak walk: every GET route of the app, on the demo network, as anonymous and as viewer.

The demo network is imported into a real SQLite store through
``POST /api/v1/import``; the routes come from the app's URL map and its
OpenAPI document (a new GET route fails :func:`test_the_walk_covers_every_get_route`
until the walk requests it or :data:`NOT_WALKED` says why not); path
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
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from network.api import close_store
from network.graph.partners import Invitation
from network.graph.sqlite import SQLiteStore
from network.graph.store import Token
from network.monitoring import MonitoringReport
from network.service.invitations import INVITATION_ROLE
from network.service.tokens import hash_secret
from tests.api_support import Env, make_env
from tests.http_support import (
    DEMO_DIR,
    PROTECTED,
    csv_import_form,
    external_id_values,
    is_sensitive,
    read_csv,
    readable_text,
    route_key,
    routes,
    write_csv,
)

ROLES = (None, "viewer")

#: Routes the walk does not request, and why. A route that gains GET must be walked instead.
NOT_WALKED = {
    "/api/v1/import": "POST only (multipart upload, admins)",
    "/api/v1/merge": "POST only (editors)",
    "/api/v1/merge/preview": "POST only (editors)",
    "/api/v1/tokens/{token_id}": "DELETE only (admins)",
    "/api/v1/invitations/{invitation_id}": "DELETE only (admins)",
    "/api/v1/proposals/{proposal_id}/accept": "POST only (editors)",
    "/api/v1/proposals/{proposal_id}/reject": "POST only (editors)",
    "/api/v1/trusted/{org_id}": "PUT only (admins)",
    "/review/{proposal_id}/accept": "POST only (editors)",
    "/review/{proposal_id}/reject": "POST only (editors)",
    "/stale/invite/{org_id}": "POST only (admins)",
    "/sign-out": "POST only",
}

#: Routes for admins or editors only: anonymous and viewer callers are refused, and the refusal is searched too.
REFUSED = {"/api/v1/audit", "/api/v1/tokens", "/edit/organisation", "/edit/organisation/{org_id}", "/edit/link",
           "/edit/link/{link_id}", "/api/v1/invitations", "/api/v1/proposals", "/api/v1/proposals/{proposal_id}",
           "/api/v1/trusted", "/review", "/api/v1/surveys/{round_id}/answers", "/api/v1/referrals",
           "/api/v1/referrals/{code}", "/monitoring", "/referrals/send", "/referrals/inbox", "/referrals/slip/{code}"}

#: The secret of the invitation each walked store holds (for a public partner of a sensitive organisation: its
#: page names that partner and must show none of its protected fields).
WALK_SECRET = "walk-invitation-secret"
#: The secret of the same partner's invitation to answer the walk's survey round (its form names its ties).
WALK_SURVEY_SECRET = "walk-survey-invitation-secret"

#: The query parameters that name a record or a moment: the canary walk varies only these (filters are slow,
#: and the walk on the demo as it is tries them all).
RECORD_PARAMETERS = {"organisation", "source", "target", "start", "ego", "entity_id", "q", "as_of", "from"}

#: Operations that need exactly one of two optional parameters: the plain request is given the first.
ONE_OF = {"/api/v1/analysis/pathways": ("district", "start")}

#: Links the walk follows from the pages it reads: static files, and agenda items (their keys come from the agenda).
DISCOVERED = r'(?:src|href)="(/(?:assets|vendor)/[^"?#]+|/agenda/item\?[^"#]+)"'

#: The explorer groups a network of more than this many organisations by district (so /explore/members answers).
AGGREGATE_ABOVE = 100
#: A date in the demo's past, for the ``as_of`` parameters.
PAST = "2025-06-30"
MISSING_ORG, MISSING_LINK, MISSING_ROUND = "no-such-organisation", "no-such-link", "no-such-round"
#: The survey round each walk's store holds, inviting the sensitive organisations.
WALK_ROUND = "walk-round"
#: The monitoring report each walk's store holds: a sensitive organisation monitored a public facility.
WALK_REPORT = "MR-WALK"
OK, MISSING, REFUSAL = frozenset({200}), frozenset({404}), frozenset({401, 403})


@dataclass(frozen=True)
class Needle:
    """One way a protected value of a sensitive organisation could be written."""

    org_id: str
    field: str
    value: str
    literal: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        """Where the needle is in ``text`` (lower-cased): its literal found, then the pattern's bounds checked there.

        (Searching the patterns themselves, which start with a look-behind, takes seconds on a large page.)
        """
        at = text.find(self.literal)
        while at >= 0:
            match = self.pattern.match(text, at)
            if match:
                return match
            at = text.find(self.literal, at + 1)
        return None


def _number_patterns(written: str) -> list[tuple[str, str]]:
    """A coordinate as written, and rounded or cut to 3 decimals (sign left out: '-' may be dropped or moved)."""
    digits = written.strip().lstrip("+-")
    whole, _, frac = digits.partition(".")
    cut = f"{whole}.{frac[:3]}" if frac else whole
    rounded = f"{round(float(digits), 3):.3f}"
    return [(v, rf"(?<![\d.]){re.escape(v)}\d*") for v in dict.fromkeys((cut, rounded))]


def _text_pattern(value: str) -> tuple[str, str]:
    return value.lower(), rf"(?<!\w){re.escape(value.lower())}(?!\w)"


def needles(row: dict[str, str]) -> list[Needle]:
    """Every needle of a sensitive organisation's CSV row (protected fields only)."""
    found: list[tuple[str, str, tuple[str, str]]] = []
    for name in PROTECTED:
        value = " ".join(row.get(name, "").split())
        if not value:
            continue
        if name in ("latitude", "longitude"):
            found += [(name, value, p) for p in _number_patterns(value)]
        elif name == "phone":
            digits = re.sub(r"\D", "", value)
            national = "0" + digits[2:] if digits.startswith("27") else digits
            found += [(name, value, _text_pattern(value))]
            found += [(name, value, (d, rf"(?<!\d){d}(?!\d)")) for d in dict.fromkeys((digits, national))]
        elif name == "website":
            bare = re.sub(r"^https?://", "", value).rstrip("/")
            found += [(name, value, _text_pattern(v)) for v in dict.fromkeys((value, bare))]
        elif name == "description":
            pieces = [p.strip(" .,;") for p in re.split(r"[().;]", value)]
            found += [(name, value, _text_pattern(v)) for v in dict.fromkeys([value, *pieces]) if len(v) >= 12]
        elif name == "external_ids":
            for item in external_id_values(value):
                tokens = [t for t in item.split() if len(t) >= 5 and t != item]
                found += [(name, item, _text_pattern(v)) for v in (item, *tokens)]
        else:
            found.append((name, value, _text_pattern(value)))
    return [Needle(row["id"], name, value, literal, re.compile(pattern)) for name, value, (literal, pattern) in found]


def public_corpus(organisations: list[dict[str, str]], links_csv: str) -> str:
    """Everything a public caller may legitimately see of the demo, lower-cased: to tell needles apart."""
    public_fields = [k for k in organisations[0] if k not in PROTECTED]
    rows = ["|".join(r.values() if not is_sensitive(r) else (r[k] for k in public_fields)) for r in organisations]
    vocabulary = [p.read_text(encoding="utf-8") for p in sorted((DEMO_DIR.parent / "vocabulary").glob("*.json"))]
    return "\n".join([*rows, links_csv, *vocabulary]).lower()


def canary_rows(organisations: list[dict[str, str]]) -> list[dict[str, str]]:
    """The demo organisations, each sensitive one's protected values replaced by values found nowhere else."""
    out = []
    for n, row in enumerate((r for r in organisations if is_sensitive(r)), start=1):
        out.append({**row, "municipality": f"Qzm{n:02d}ville", "latitude": f"-34.{n:02d}123",
                    "longitude": f"19.{n:02d}321", "phone": f"+27 87 190 {n:04d}",
                    "email": f"qze{n:02d}@qzmail.example.org", "website": f"https://qzw{n:02d}.example.org",
                    "description": f"Qzd{n:02d} protected free text, ending qzt{n:02d}.",
                    "external_ids": f"npo=QZX{n:02d}-NPO;dhis2=qzh{n:02d}"})
    by_id = {r["id"]: r for r in out}
    return [by_id.get(r["id"], r) for r in organisations]


@dataclass
class Demo:
    """The demo's records as the walk needs them: sensitive organisations, a normal one, links."""

    organisations: list[dict[str, str]]
    links: list[dict[str, str]]
    sensitive: list[dict[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.sensitive = [r for r in self.organisations if is_sensitive(r)]

    def values(self, key: str) -> list[str]:
        """The distinct, non-empty values of a column over the sensitive organisations (lists split)."""
        return sorted({v.strip() for r in self.sensitive for v in r.get(key, "").split(";") if v.strip()})

    def frequent(self, key: str, n: int) -> list[str]:
        """The ``n`` values of a column held by most sensitive organisations; districts named like a protected
        municipality first (analyses are slow, so filtered ones are walked for a few values only)."""
        municipalities = {r["municipality"] for r in self.sensitive}
        counts = Counter(v for r in self.sensitive for v in r.get(key, "").split(";") if v)
        return sorted(counts, key=lambda v: (v not in municipalities, -counts[v], v))[:n]

    @property
    def normal_id(self) -> str:
        return next(r["id"] for r in self.organisations if not is_sensitive(r) and r.get("municipality"))

    def links_of(self, org_id: str) -> list[dict[str, str]]:
        return [link for link in self.links if org_id in (link["source"], link["target"])]

    def partners(self, org_id: str) -> list[str]:
        return [link["target"] if link["source"] == org_id else link["source"] for link in self.links_of(org_id)]


def _url(path: str, query: list[tuple[str, str]] | None = None) -> str:
    return f"{path}?{urllib.parse.urlencode(query)}" if query else path


def _query_values(demo: Demo) -> dict[str, list[str]]:
    """Values for optional query parameters, by name: the sensitive organisations' own."""
    ids = [r["id"] for r in demo.sensitive]
    return {
        "district": demo.frequent("district", 2), "province": demo.frequent("province", 2),
        "population": demo.frequent("populations", 3), "service": demo.frequent("services", 2),
        "organisation": ids, "source": ids, "target": ids, "start": ids, "ego": ids[:3], "entity_id": ids,
        "q": [r["name"] for r in demo.sensitive] + ids, "kind": ["kp_network"], "link_kind": ["referral", "mou"],
        "sensitive": ["true"], "as_of": [PAST], "from": [PAST], "include_unlinked": ["true"], "depth": ["2"],
    }


def _required_values(name: str, schema: dict[str, Any], demo: Demo) -> list[list[str]]:
    """The values a required query parameter is walked with (each entry one request's values)."""
    enum = schema.get("enum") or schema.get("items", {}).get("enum")
    if enum:
        return [[v] for v in enum]
    known = {"population": [[demo.values("populations")[0]]], "needs": [["hiv_testing", "gbv_support", "legal_aid"]]}
    if name not in known:
        raise AssertionError(f"the walk does not know how to fill the required parameter {name!r}")
    return known[name]


def _path_values(name: str, demo: Demo) -> list[tuple[str, frozenset[int]]]:
    if name == "org_id":
        return [(r["id"], OK) for r in demo.sensitive] + [(demo.normal_id, OK), (MISSING_ORG, MISSING)]
    if name == "secret":
        return [(WALK_SECRET, OK), ("not-a-secret", MISSING)]
    if name == "proposal_id":
        return [("chg_missing", MISSING)]
    if name == "code":  # a referral code: referrals are for their two organisations and admins only
        return [("QQQ-QQQ", MISSING)]
    if name == "report_id":  # a monitoring report is about a facility, never a person
        return [(WALK_REPORT, OK), ("no-such-report", MISSING)]
    if name == "programme_id":  # issue 14: the programme records of seed/vocabulary/programmes.json
        return [("ubuntu-bojanala-tb", OK), ("css-ec-fs-lp", OK), ("no-such-programme", MISSING)]
    if name == "link_id":
        some = [link["id"] for r in demo.sensitive for link in demo.links_of(r["id"])[:2]]
        return [(i, OK) for i in dict.fromkeys(some)] + [(MISSING_LINK, MISSING)]
    if name == "round_id":  # survey results carry ids and scores, never an organisation's fields
        return [(WALK_ROUND, OK), (MISSING_ROUND, MISSING)]
    raise AssertionError(f"the walk does not know how to fill the path parameter {name!r}")


def api_requests(doc: dict[str, Any], demo: Demo, filters: bool = True) -> list[tuple[str, frozenset[int] | None]]:
    """Every GET operation of the OpenAPI document, with real ids and each filter a sensitive record could match.

    The expected statuses are given for the plain requests; a filtered one may be refused (``None``) but
    must not fail. Without ``filters`` only the parameters naming a record (ids, names, a past date) vary.
    """
    every = _query_values(demo)
    fills = every if filters else {k: v for k, v in every.items() if k in RECORD_PARAMETERS}
    out: list[tuple[str, frozenset[int] | None]] = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        params = [*item.get("parameters", []), *op.get("parameters", [])]
        in_path = [p["name"] for p in params if p["in"] == "path"]
        query = [p for p in params if p["in"] == "query"]
        paths = [(path, OK)]
        for name in in_path:
            paths = [(p.replace(f"{{{name}}}", urllib.parse.quote(v, safe="")), s)
                     for p, _ in paths for v, s in _path_values(name, demo)]
        required = [p for p in query if p.get("required")]
        bases: list[list[tuple[str, str]]] = [[]]
        for p in required:
            bases = [b + [(p["name"], v) for v in values] for b in bases
                     for values in _required_values(p["name"], p.get("schema", {}), demo)]
        limit = next((p for p in query if p["name"] == "limit"), None)
        if limit is not None and "maximum" in limit.get("schema", {}):
            bases = [b + [("limit", str(limit["schema"]["maximum"]))] for b in bases]
        one_of = ONE_OF.get(path, ())
        plain = [(one_of[0], every[one_of[0]][0])] if one_of else []
        for (concrete, status), base in itertools.product(paths, bases):
            out.append((_url(concrete, base + plain), REFUSAL if path in REFUSED else status))
        for p in query:
            if p.get("required") or p["name"] == "limit":
                continue
            schema = p.get("schema", {})
            values = fills.get(p["name"]) or (schema.get("enum") if filters else None) or []
            given = bases[0] + ([] if p["name"] in one_of else plain)
            out += [(_url(paths[0][0], given + [(p["name"], v)]), None) for v in values]
    for row in demo.sensitive:
        own = [("population", row["populations"].split(";")[0]), ("needs", row["services"].split(";")[0]),
               ("needs", "legal_aid")]
        out.append((_url("/api/v1/analysis/pathways", [*own, ("start", row["id"])]), OK))
        out.append((_url("/api/v1/analysis/pathways", [*own, ("district", row["district"]),
                                                       ("include_unlinked", "true")]), OK))
    return out


def page_requests(demo: Demo, filters: bool = True) -> list[tuple[str, frozenset[int] | None]]:
    """The pages (not in the OpenAPI document), with the same ids and (with ``filters``) filters."""
    ids = [r["id"] for r in demo.sensitive]
    out: list[tuple[str, frozenset[int] | None]] = [("/", OK), ("/explore", OK), ("/referrals", OK),
                                                     ("/sign-in", OK), ("/api/v1/docs", OK),
                                                     ("/api/v1/openapi.json", OK), ("/changes", OK),
                                                     (_url("/changes", [("from", PAST)]), OK), ("/agenda", OK),
                                                     ("/favicon.ico", OK)]
    out += [(_url("/agenda", [("district", d)]), OK) for d in demo.frequent("district", 2)]
    if filters:
        out += [(_url("/explore", [("district", d)]), OK) for d in demo.frequent("district", 3)]
        out += [(_url("/explore", [("province", p)]), OK) for p in demo.frequent("province", 2)]
        out += [(_url("/explore", [("population", p)]), OK) for p in demo.values("populations")]
    out += [(_url("/explore", [("ego", i), ("depth", "2")]), OK) for i in ids]
    out += [(_url("/explore/members", [("cluster", d)]), OK) for d in demo.values("district")]
    for row in demo.sensitive:
        populations = row["populations"].split(";")
        out.append((_url("/explore/members", [("cluster", row["district"]), ("population", populations[0])]), OK))
        needs = [("need", s) for s in row["services"].split(";")[:2]] + [("need", "legal_aid")]
        out.append((_url("/referrals", [("start", row["id"]), ("population", populations[0]), *needs]), OK))
        out.append((_url("/referrals", [("district", row["district"]), ("population", populations[0]), *needs,
                                        ("include_unlinked", "true")]), OK))
    for topic in ("gaps", "duplication"):
        out += [(f"/findings/{topic}", OK), (f"/findings/{topic}?format=csv", OK)]
        out += [(_url(f"/findings/{topic}", [("province", p), ("format", f)]), OK)
                for p in demo.frequent("province", 2) for f in ("html", "csv") if filters]
    partners = [p for i in ids for p in demo.partners(i)[:2]]
    out += [(f"/organisations/{urllib.parse.quote(i)}", OK) for i in dict.fromkeys([*ids, demo.normal_id, *partners])]
    out.append((f"/organisations/{MISSING_ORG}", MISSING))
    out += [(f"/history/organisation/{urllib.parse.quote(i)}", OK) for i in [*ids, demo.normal_id]]
    out += [(f"/history/link/{urllib.parse.quote(link['id'])}", OK) for i in ids for link in demo.links_of(i)[:1]]
    out.append((f"/history/organisation/{MISSING_ORG}", MISSING))
    out += [("/surveys", OK), (f"/surveys/{WALK_ROUND}", OK), (f"/surveys/{MISSING_ROUND}", MISSING),
            (f"/surveys/answer/{WALK_SURVEY_SECRET}", OK), ("/surveys/answer/not-a-secret", MISSING)]
    out += [("/programmes", OK), ("/programmes/ubuntu-bojanala-tb", OK), ("/programmes/css-ec-fs-lp", OK),
            ("/programmes/no-such-programme", MISSING)]
    out += [("/edit/organisation", REFUSAL), ("/edit/link", REFUSAL), ("/review", REFUSAL),
            (f"/invite/{WALK_SECRET}", OK), ("/invite/not-a-secret", MISSING), ("/stale", OK)]
    out += [("/monitoring", REFUSAL), ("/referrals/send", REFUSAL), ("/referrals/inbox", REFUSAL), ("/sw.js", OK),
            ("/referrals/slip/QQQ-QQQ", REFUSAL)]
    out += [(f"/edit/organisation/{i}", REFUSAL) for i in ids]
    out += [(f"/edit/link/{link['id']}", REFUSAL) for i in ids[:3] for link in demo.links_of(i)[:1]]
    return out


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
            self.get(_url(parts.path, [*query, ("offset", str(offset))]), role, OK)


def _demo_env(folder: Path, organisations: list[dict[str, str]]) -> Env:
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


def _plan(app: Flask, demo: Demo, filters: bool = True) -> list[tuple[str, frozenset[int] | None]]:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    return api_requests(doc, demo, filters) + page_requests(demo, filters)


@dataclass
class Walks:
    real: Walk
    canary: Walk
    real_env: Env
    canary_env: Env
    demo: Demo
    canary_demo: Demo


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walks]:
    """Both walks, done once for the module."""
    organisations = read_csv(DEMO_DIR / "organisations.csv")
    links = read_csv(DEMO_DIR / "links.csv")
    corpus = public_corpus(organisations, (DEMO_DIR / "links.csv").read_text(encoding="utf-8"))
    demo, canary_demo = Demo(organisations, links), Demo(canary_rows(organisations), links)
    real_needles = [n for r in demo.sensitive for n in needles(r)]
    canary_needles = [n for r in canary_demo.sensitive for n in needles(r)]
    assert not [n for n in canary_needles if n.search(corpus)], "a canary is not unique"
    real_env = _demo_env(tmp_path_factory.mktemp("walk-real"), organisations)
    canary_env = _demo_env(tmp_path_factory.mktemp("walk-canary"), canary_demo.organisations)
    real = Walk("real", ambiguous=[n for n in real_needles if n.search(corpus)])
    canary = Walk("canary")
    try:
        Walker(real_env, real, [n for n in real_needles if n not in real.ambiguous]).run(_plan(real_env.app, demo))
        # Anonymous only: a viewer is refused the same fields by the same rule, and the first walk tries both.
        Walker(canary_env, canary, canary_needles).run(_plan(canary_env.app, canary_demo, filters=False), (None,))
        print(f"\n{real.summary()}\n{canary.summary()}")
        yield Walks(real, canary, real_env, canary_env, demo, canary_demo)
    finally:
        close_store(real_env.app)
        close_store(canary_env.app)


def _report(hits: list[Hit], limit: int = 40) -> str:
    distinct = Counter((h.org_id, h.field, h.value) for h in hits)
    lines = [f"{n} x {org}.{name} = {value!r}" for (org, name, value), n in distinct.most_common()]
    examples = {}
    for h in hits:
        examples.setdefault((h.field, h.url.split("?")[0]), f"{h.role} {h.url}: ...{h.context}...")
    return "\n".join([*lines, "examples:", *list(examples.values())[:limit]])


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
    exported = {url for url in _plan(app, walks.demo) if url[0].startswith("/api/v1/export?")}
    assert {f"/api/v1/export?format={f}" for f in formats} <= {u for u, _ in exported}


def test_no_server_error_and_the_expected_statuses(walks: Walks) -> None:
    summary = f"{walks.real.summary()}\n{walks.canary.summary()}"
    assert walks.real.server_errors + walks.canary.server_errors == [], summary
    assert walks.real.unexpected + walks.canary.unexpected == [], summary


def test_no_protected_value_of_the_demo_reaches_anonymous_or_viewer(walks: Walks) -> None:
    assert walks.real.requests > 500
    assert walks.real.leaks == [], f"{walks.real.summary()}\n{_report(walks.real.leaks)}"


def test_no_protected_canary_reaches_anonymous_or_viewer(walks: Walks) -> None:
    assert walks.canary.requests > 250
    assert walks.canary.leaks == [], f"{walks.canary.summary()}\n{_report(walks.canary.leaks)}"


def test_protection_removes_fields_and_never_rewrites_text(walks: Walks) -> None:
    assert walks.real.rewritten == [], f"{len(walks.real.rewritten)} responses: {walks.real.rewritten[:20]}"


def test_a_district_named_like_a_protected_municipality_is_shown_as_itself(walks: Walks) -> None:
    demo, client = walks.demo, walks.real_env.client
    districts = {r["district"] for r in demo.organisations}
    municipalities = {r["municipality"] for r in demo.sensitive}
    named_alike = sorted(municipalities & districts)
    assert named_alike, "the demo has no district named like a protected municipality"
    for name in named_alike:
        listed = client.get(_url("/api/v1/organisations", [("district", name), ("limit", "500")])).get_json()
        assert listed["total"] > 0 and {o["district"] for o in listed["items"]} == {name}
        gaps = client.get(_url("/api/v1/analysis/gaps", [("district", name)])).get_data(as_text=True)
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
            found = client.get(_url("/api/v1/organisations", [("q", term)]), headers=walks.canary_env.auth(role))
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


def _made_sensitive(tmp_path: Path) -> tuple[Env, dict[str, str]]:
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


def _walk_made_sensitive(env: Env, public: dict[str, str], urls: list[str]) -> Walk:
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


def test_the_history_of_an_organisation_made_sensitive_hides_its_old_contacts(tmp_path: Path) -> None:
    env, public = _made_sensitive(tmp_path)
    try:
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        quoted = urllib.parse.quote(public["id"])
        urls = [f"/api/v1/organisations/{quoted}/history", f"/organisations/{quoted}",
                _url("/api/v1/analysis/diff", [("from", yesterday)]), _url("/changes", [("from", yesterday)])]
        walk = _walk_made_sensitive(env, public, urls)
        assert walk.leaks == [], f"{walk.summary()}\n{_report(walk.leaks)}"
    finally:
        close_store(env.app)


def test_an_organisation_made_sensitive_is_protected_in_past_views_too(tmp_path: Path) -> None:
    """Sensitivity as it stands now protects every version: a past view must not show what is protected today."""
    env, public = _made_sensitive(tmp_path)
    try:
        doc = env.client.get("/api/v1/openapi.json").get_json()
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        populations = [p for p in public["populations"].split(";") if p] or ["mineworkers"]
        past = [("as_of", yesterday)]
        urls = [_url(path, past) for path, item in doc["paths"].items()
                if any(p["name"] == "as_of" for p in item.get("get", {}).get("parameters", []))
                and path != "/api/v1/analysis/pathways" and "{" not in path]  # a path parameter needs a record
        urls.append(_url("/api/v1/analysis/pathways", [("population", populations[0]), ("district", public["district"]),
                                                       ("needs", public["services"].split(";")[0]), *past]))
        walk = _walk_made_sensitive(env, public, urls)
        assert len(urls) >= 7 and walk.leaks == [], f"{walk.summary()}\n{_report(walk.leaks)}"
    finally:
        close_store(env.app)


def test_every_response_carries_the_security_headers(walks: Walks) -> None:
    assert walks.real.unguarded == set(), "\n".join(sorted(walks.real.unguarded))
