"""What the write fuzz checks afterwards: the pages and reads to request, restores to compare, a signed-in session."""

from __future__ import annotations

import html
import math
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from network.api import close_store
from tests.api_support import Env, make_env
from tests.fuzz_live import TIMEOUT, Live, openapi, quote_id
from tests.fuzz_machine import Fuzzed
from tests.fuzz_values import HOSTILE_TEXT
from tests.http_support import live_server, routes


def page_urls(live: Live, orgs: list[str], links: list[str]) -> list[str]:
    """Every page route of the URL map (the API's routes are in the OpenAPI document), filled with the fuzzed ids."""
    explorer = requests.get(f"{live.base}/explore", timeout=TIMEOUT).text
    groups = re.search(r'"clusters":\s*\[(.*?)\]', explorer)
    districts = re.findall(r'"id":\s*"([^"]+)"', groups.group(1)) if groups else []
    assert districts, "the explorer groups no districts (CSSNET_AGGREGATE_ABOVE)"
    fills: dict[str, list[str]] = {
        "/": ["/"], "/explore": ["/explore", "/explore?ego=" + quote_id(orgs[0])],
        "/explore/members": [f"/explore/members?cluster={urllib.parse.quote(d)}" for d in districts[:3]],
        "/findings/{topic}": [f"/findings/{t}{f}" for t in ("gaps", "duplication") for f in ("", "?format=csv")],
        "/organisations/{org_id}": [f"/organisations/{quote_id(i)}" for i in orgs],
        "/edit/organisation": ["/edit/organisation"], "/edit/link": ["/edit/link"],
        "/edit/organisation/{org_id}": [f"/edit/organisation/{quote_id(i)}" for i in orgs],
        "/edit/link/{link_id}": [f"/edit/link/{quote_id(i)}" for i in links],
        "/referrals": ["/referrals", f"/referrals?start={quote_id(orgs[0])}&population=sex_workers&need=hiv_testing"],
        "/sign-in": ["/sign-in"], "/api/v1/docs": ["/api/v1/docs"], "/api/v1/openapi.json": [],
        "/changes": ["/changes", "/changes?from=2020-01-01"], "/agenda": ["/agenda"],
        "/history/{entity}/{record_id}": [f"/history/organisation/{quote_id(i)}" for i in orgs[:10]]
        + [f"/history/link/{quote_id(i)}" for i in links[:10]],
        "/review": ["/review"], "/stale": ["/stale"],
        "/programmes": ["/programmes"], "/programmes/{programme_id}": ["/programmes/ubuntu-bojanala-tb"],
        "/monitoring": ["/monitoring"], "/sw.js": ["/sw.js"], "/referrals/send": ["/referrals/send"],
        "/referrals/inbox": ["/referrals/inbox", f"/referrals/inbox?organisation={quote_id(orgs[0])}"],
        "/referrals/slip/{code}": [],
        "/surveys": ["/surveys"], "/surveys/answer/{secret}": [],
        "/surveys/{round_id}": [f"/surveys/{quote_id(r['id'])}" for r in requests.get(
            f"{live.base}/api/v1/surveys", timeout=TIMEOUT).json()["items"][:3]],
        "/invite/{secret}": [f"/invite/{quote_id(invitation(live, orgs[0]))}"],
        "/agenda/item": [html.unescape(u) for u in re.findall(r'href="(/agenda/item\?[^"#]+)"', requests.get(
            f"{live.base}/agenda", timeout=TIMEOUT).text)][:3],
    }
    # files shipped with the app: no stored value reaches them
    static = {"/assets/{filename}", "/vendor/{name}", "/favicon.ico"}
    get_routes = {r for r, methods in routes(live.env.app).items() if "GET" in methods and r not in static}
    pages = {r for r in get_routes if r not in openapi(live.base)["paths"]}
    assert pages <= set(fills), f"pages the check does not know how to fill: {sorted(pages - set(fills))}"
    return [url for r in sorted(pages) for url in fills[r]]


def invitation(live: Live, org_id: str) -> str:
    """The secret of a new invitation for ``org_id``."""
    response = requests.post(f"{live.base}/api/v1/invitations", json={"organisation": org_id},
                             headers=live.headers("admin"), timeout=TIMEOUT)
    assert response.status_code == 201, response.text[:200]
    return response.json()["secret"]


def api_urls(live: Live, orgs: list[str]) -> list[str]:
    """The API's analysis, visual and list reads after the fuzz (every GET of the document, plainly filled)."""
    doc = openapi(live.base)
    urls = []
    required = {"population": "sex_workers", "needs": "hiv_testing", "format": None}
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None or "{" in path or path == "/api/v1/export":
            continue
        query = {p["name"]: required.get(p["name"]) for p in op.get("parameters", []) if p.get("required")}
        if path.endswith("/pathways"):
            query["start"] = orgs[0]
        urls.append(path + ("?" + urllib.parse.urlencode(query) if query else ""))
    return urls


#: Pages that need a signed-in caller: anonymous callers are refused them.
SIGNED_IN_PAGES = ("/edit/", "/review", "/monitoring", "/referrals/send", "/referrals/inbox")


HOSTILE_QUERY = st.one_of(HOSTILE_TEXT, st.sampled_from(["", "0", "-1", "4", "1e999", "9" * 5000, "true", "national",
                                                         "Sekhukhune", "sex_workers", "hiv_testing", "csv"]))
PAGE_FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))


def page_parameters(live: Live, pages: list[str]) -> list[str]:
    """The query parameters the pages' own forms send (and the explorer's ``cluster``)."""
    names = {"cluster", "format", "ego", "depth"}
    for page in pages:
        names.update(re.findall(r'name="([A-Za-z_]+)"', requests.get(live.base + page, headers=live.headers("admin"),
                                                                     timeout=TIMEOUT).text))
    return sorted(names - {"csrf", "token"})


def records_of(base: str, headers: dict[str, str], collection: str) -> dict[str, dict[str, Any]]:
    """Every record of a collection as an admin reads it, without what a store sets itself."""
    found: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        page = requests.get(f"{base}/api/v1/{collection}?limit=500&offset={offset}", headers=headers,
                            timeout=TIMEOUT).json()
        found.update({r["id"]: {k: v for k, v in r.items() if k not in ("updated_at", "version")}
                      for r in page["items"]})
        offset += page["limit"]
        if offset >= page["total"]:
            return found


def same(a: Any, b: Any, exact: bool) -> bool:
    if not exact and isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-14)
    return a == b


@contextmanager
def restored(live: Live, fmt: str, path: Path) -> Iterator[tuple[Env, str, requests.Response]]:
    """The live store exported in ``fmt`` and imported into a fresh store at ``path``, served over HTTP while the
    block runs: the fresh app's env, its base URL and the import's answer."""
    exported = requests.get(f"{live.base}/api/v1/export?format={fmt}", headers=live.headers("admin"), timeout=TIMEOUT)
    assert exported.status_code == 200, (fmt, exported.status_code)
    fresh = make_env(path, seeded=False)
    try:
        with live_server(fresh.app) as base:
            name = f"cssnet-export.{'zip' if fmt == 'csv' else fmt}"
            response = requests.post(f"{base}/api/v1/import", headers=fresh.auth("admin"), data={"format": fmt},
                                     files={"file": (name, exported.content)}, timeout=TIMEOUT)
            yield fresh, base, response
    finally:
        close_store(fresh.app)


def restore_and_compare(fuzzed: Fuzzed, tmp_path: Path, exact: bool) -> None:
    """Every record the live store holds comes back the same from each importable format (floats to 14 significant
    digits unless ``exact``)."""
    live = fuzzed.live
    expected = {c: records_of(live.base, live.headers("admin"), c) for c in ("organisations", "links")}
    differences = []
    for fmt in live.import_formats:
        with restored(live, fmt, tmp_path / f"same-{fmt}.db") as (fresh, base, response):
            assert response.status_code == 200, (fmt, response.text[:500])
            for collection, records in expected.items():
                again_all = records_of(base, fresh.auth("admin"), collection)
                for record_id, record in records.items():
                    again = again_all.get(record_id, {})
                    changed = {k: (v, again.get(k)) for k, v in record.items() if not same(v, again.get(k), exact)}
                    if changed:
                        differences.append(f"{fmt} {collection} {record_id}: {changed}")
    assert differences == [], f"{len(differences)} records changed:\n" + "\n".join(d[:300] for d in differences[:30])


# --- issue 17 items 4, 6, 7 and 12 over HTTP ---

def signed_in(base: str, secret: str) -> requests.Session:
    """A browser session signed in through the sign-in page with ``secret``."""
    session = requests.Session()
    form = re.search(r'name="csrf" value="([^"]*)"', session.get(f"{base}/sign-in", timeout=TIMEOUT).text)
    signed = session.post(f"{base}/sign-in", data={"token": secret, "csrf": form.group(1) if form else ""},
                          allow_redirects=False, timeout=TIMEOUT)
    assert signed.status_code in (302, 303), signed.text[:300]
    return session


def cookie_text(part: str) -> str:
    """A cookie segment as text: base64 (zlib-compressed when it starts a compressed payload) decoded if it can be."""
    import base64
    import binascii
    import zlib

    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return part
    try:
        data = zlib.decompress(data)
    except zlib.error:
        pass
    return data.decode("utf-8", errors="replace")
