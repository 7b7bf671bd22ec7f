"""The dashboard: counts, the top findings, and the agreements about to lapse."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template
from flask_babel import gettext

from network.api.state import get_store
from network.service.freshness import stale_counts

from .agenda import agenda_of
from .blueprint import bp
from .common import findings, hide, names, ranked
from .labels import label

__all__ = ["dashboard", "distinct"]

#: Agreements ending within this many days are shown as lapsing (the ``expiring_agreement`` window).
LAPSING_DAYS = 90
#: Agenda items the dashboard leads with (the agenda page has them all).
AGENDA_SHOWN = 10


@bp.get("/")
def dashboard() -> str:
    """Counts, the top findings and the agreements about to lapse."""
    hidden = hide()
    counts = get_store().counts()
    gaps = ranked(findings("gaps", hidden))
    dups = distinct(ranked(findings("duplication", hidden)))
    tables = [
        (gettext("Organisations by kind"), _labelled(counts.get("organisations_by_kind", {}), "organisation_kinds")),
        (gettext("Organisations by province"), _labelled(counts.get("organisations_by_province", {}), None)),
        (gettext("Organisations by country"), _labelled(counts.get("organisations_by_country", {}), "countries")),
        (gettext("Links by kind"), _labelled(counts.get("links_by_kind", {}), "link_kinds")),
    ]
    shown = names(hidden)
    return render_template(
        "dashboard.html", counts=tables, as_of=dt.date.today().isoformat(), within_days=LAPSING_DAYS,
        total_orgs=sum(counts.get("organisations_by_kind", {}).values()),
        total_links=sum(counts.get("links_by_kind", {}).values()), lapsing=_lapsing(gaps, shown), names=shown,
        top=[(gettext("Top linkage gaps"), "gaps", distinct(gaps)[:10]),
             (gettext("Top duplication"), "duplication", dups[:10])],
        agenda=agenda_of({}), agenda_shown=AGENDA_SHOWN, stale=stale_counts(get_store()))


def distinct(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first finding of each type about each set of organisations (one pair overlapping in several
    services or populations is shown once).

    >>> rows = [{"type": "service_overlap", "organisations": ["a", "b"], "service": s} for s in ("art", "sti")]
    >>> [r.get("service") for r in distinct(rows + [{"type": "service_overlap", "organisations": ["b", "c"]}])]
    ['art', None]
    """
    seen, kept = set(), []
    for row in rows:
        key = (row.get("type"), frozenset(row.get("organisations") or ()))
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _labelled(table: dict[str, int], facet: str | None) -> list[tuple[str, int]]:
    """Counts by label of ``facet`` (``None``: provinces, where ``none`` means national)."""
    named = ((label(k, facet) if facet else gettext("National") if k == "none" else k, n) for k, n in table.items())
    return sorted(named, key=lambda r: (-r[1], r[0]))


def _lapsing(gaps: list[dict[str, Any]], shown: dict[str, str]) -> list[dict[str, Any]]:
    """The ``expiring_agreement`` findings as table rows, the soonest first."""
    rows = []
    for f in gaps:
        if f.get("type") != "expiring_agreement" or len(f.get("organisations", [])) < 2:
            continue
        source, target = f["organisations"][:2]
        details = f.get("details") or {}
        rows.append({"end_date": details.get("end_date", ""), "days_left": details.get("days_left"),
                     "kind": label(details.get("kind"), "link_kinds"), "source": source,
                     "target": target, "source_name": shown.get(source, source),
                     "target_name": shown.get(target, target)})
    return sorted(rows, key=lambda r: r["end_date"])
