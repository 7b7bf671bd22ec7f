"""An organisation's page: its profile, links, findings and suggested partners."""

from __future__ import annotations

from typing import Any

from flask import render_template

from network.api.state import get_store
from network.graph.store import LinkQuery
from network.model import PROTECTED_FIELDS, vocabulary
from network.schemas import dump_link, dump_organisation
from network.service import analyses, monitoring, records

from .blueprint import bp
from .common import findings, hide, names, ranked
from .place import place_map

__all__ = ["organisation"]


@bp.get("/organisations/<path:org_id>")
def organisation(org_id: str) -> str:
    """An organisation's profile, links, findings and suggested partners."""
    store, hidden = get_store(), hide()
    org = records.organisation(store, org_id, redacted=hidden)
    shown = names(hidden)
    links = [_link_row(dump_link(link), org_id, shown)
             for link in store.list_links(LinkQuery(organisation=org_id, limit=None)).items]
    found = [f for f in ranked(findings("gaps", hidden) + findings("duplication", hidden))
             if org_id in f.get("organisations", [])]
    suggestions = _suggestions(analyses.recommendations(store, limit=200, redacted=hidden), org_id)
    shown_org = dump_organisation(org)
    located = {k: v for k, v in shown_org.items() if not (hidden and org.sensitive and k in PROTECTED_FIELDS)}
    return render_template("organisation.html", org=shown_org, place=place_map(located),
                           links=links, findings=found, rows=found, suggestions=suggestions, names=shown,
                           protected=PROTECTED_FIELDS, hidden=hidden and org.sensitive,
                           countries=vocabulary().countries,
                           barriers=monitoring.recent_at(store, [org_id]).get(org_id, []))


def _link_row(link: dict[str, Any], org_id: str, shown: dict[str, str]) -> dict[str, Any]:
    other = link["target"] if link["source"] == org_id else link["source"]
    directed = link["kind"] in vocabulary().directed_link_kinds
    direction = ("→" if link["source"] == org_id else "←") if directed else ""
    return {**link, "other": other, "other_name": shown.get(other, other), "direction": direction}


def _suggestions(recommendations: list[dict[str, Any]], org_id: str) -> list[dict[str, str]]:
    found = []
    for r in recommendations:
        ends = [r.get("source"), r.get("target")]
        if org_id in ends:
            other = ends[1] if ends[0] == org_id else ends[0]
            found.append({"other": other, "kind": r.get("kind", ""), "reason": r.get("explanation", "")})
    return found[:10]
