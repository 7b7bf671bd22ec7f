"""The leak walk on an organisation made sensitive: its history and past views hide what is protected today."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path

from network.api import close_store
from tests.leak_walk_plan import url_of
from tests.leak_walk_support import made_sensitive, report, walk_made_sensitive


def test_the_history_of_an_organisation_made_sensitive_hides_its_old_contacts(tmp_path: Path) -> None:
    env, public = made_sensitive(tmp_path)
    try:
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        quoted = urllib.parse.quote(public["id"])
        urls = [f"/api/v1/organisations/{quoted}/history", f"/organisations/{quoted}",
                url_of("/api/v1/analysis/diff", [("from", yesterday)]), url_of("/changes", [("from", yesterday)])]
        walk = walk_made_sensitive(env, public, urls)
        assert walk.leaks == [], f"{walk.summary()}\n{report(walk.leaks)}"
    finally:
        close_store(env.app)


def test_an_organisation_made_sensitive_is_protected_in_past_views_too(tmp_path: Path) -> None:
    """Sensitivity as it stands now protects every version: a past view must not show what is protected today."""
    env, public = made_sensitive(tmp_path)
    try:
        doc = env.client.get("/api/v1/openapi.json").get_json()
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        populations = [p for p in public["populations"].split(";") if p] or ["mineworkers"]
        past = [("as_of", yesterday)]
        urls = [url_of(path, past) for path, item in doc["paths"].items()
                if any(p["name"] == "as_of" for p in item.get("get", {}).get("parameters", []))
                and path != "/api/v1/analysis/pathways" and "{" not in path]  # a path parameter needs a record
        urls.append(url_of("/api/v1/analysis/pathways", [("population", populations[0]),
                                                         ("district", public["district"]),
                                                         ("needs", public["services"].split(";")[0]), *past]))
        walk = walk_made_sensitive(env, public, urls)
        assert len(urls) >= 7 and walk.leaks == [], f"{walk.summary()}\n{report(walk.leaks)}"
    finally:
        close_store(env.app)

