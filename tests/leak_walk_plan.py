"""The leak walk's plan: which GET requests it makes, with which ids and filters, expecting which statuses.

A new GET route fails ``test_the_walk_covers_every_get_route`` until :func:`api_requests` or
:func:`page_requests` requests it, or :data:`NOT_WALKED` says why not.
"""

from __future__ import annotations

import itertools
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from tests.http_support import is_sensitive

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

#: A date in the demo's past, for the ``as_of`` parameters.
PAST = "2025-06-30"
MISSING_ORG, MISSING_LINK, MISSING_ROUND = "no-such-organisation", "no-such-link", "no-such-round"
#: The survey round each walk's store holds, inviting the sensitive organisations.
WALK_ROUND = "walk-round"
#: The monitoring report each walk's store holds: a sensitive organisation monitored a public facility.
WALK_REPORT = "MR-WALK"
OK, MISSING, REFUSAL = frozenset({200}), frozenset({404}), frozenset({401, 403})


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


def url_of(path: str, query: list[tuple[str, str]] | None = None) -> str:
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
            out.append((url_of(concrete, base + plain), REFUSAL if path in REFUSED else status))
        for p in query:
            if p.get("required") or p["name"] == "limit":
                continue
            schema = p.get("schema", {})
            values = fills.get(p["name"]) or (schema.get("enum") if filters else None) or []
            given = bases[0] + ([] if p["name"] in one_of else plain)
            out += [(url_of(paths[0][0], given + [(p["name"], v)]), None) for v in values]
    for row in demo.sensitive:
        own = [("population", row["populations"].split(";")[0]), ("needs", row["services"].split(";")[0]),
               ("needs", "legal_aid")]
        out.append((url_of("/api/v1/analysis/pathways", [*own, ("start", row["id"])]), OK))
        out.append((url_of("/api/v1/analysis/pathways", [*own, ("district", row["district"]),
                                                       ("include_unlinked", "true")]), OK))
    return out


def page_requests(demo: Demo, filters: bool = True) -> list[tuple[str, frozenset[int] | None]]:
    """The pages (not in the OpenAPI document), with the same ids and (with ``filters``) filters."""
    ids = [r["id"] for r in demo.sensitive]
    out: list[tuple[str, frozenset[int] | None]] = [("/", OK), ("/explore", OK), ("/referrals", OK),
                                                     ("/sign-in", OK), ("/api/v1/docs", OK),
                                                     ("/api/v1/openapi.json", OK), ("/changes", OK),
                                                     (url_of("/changes", [("from", PAST)]), OK), ("/agenda", OK),
                                                     ("/favicon.ico", OK)]
    out += [(url_of("/agenda", [("district", d)]), OK) for d in demo.frequent("district", 2)]
    if filters:
        out += [(url_of("/explore", [("district", d)]), OK) for d in demo.frequent("district", 3)]
        out += [(url_of("/explore", [("province", p)]), OK) for p in demo.frequent("province", 2)]
        out += [(url_of("/explore", [("population", p)]), OK) for p in demo.values("populations")]
    out += [(url_of("/explore", [("ego", i), ("depth", "2")]), OK) for i in ids]
    out += [(url_of("/explore/members", [("cluster", d)]), OK) for d in demo.values("district")]
    for row in demo.sensitive:
        populations = row["populations"].split(";")
        out.append((url_of("/explore/members", [("cluster", row["district"]), ("population", populations[0])]), OK))
        needs = [("need", s) for s in row["services"].split(";")[:2]] + [("need", "legal_aid")]
        out.append((url_of("/referrals", [("start", row["id"]), ("population", populations[0]), *needs]), OK))
        out.append((url_of("/referrals", [("district", row["district"]), ("population", populations[0]), *needs,
                                        ("include_unlinked", "true")]), OK))
    for topic in ("gaps", "duplication"):
        out += [(f"/findings/{topic}", OK), (f"/findings/{topic}?format=csv", OK)]
        out += [(url_of(f"/findings/{topic}", [("province", p), ("format", f)]), OK)
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


def plan(app: Flask, demo: Demo, filters: bool = True) -> list[tuple[str, frozenset[int] | None]]:
    """Every request of the walk: the OpenAPI document's GET operations, then the pages."""
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    return api_requests(doc, demo, filters) + page_requests(demo, filters)
