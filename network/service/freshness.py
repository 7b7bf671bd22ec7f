"""Freshness: when a record counts as stale (the upkeep rule, ``network.analysis.upkeep.MAX_AGE_DAYS``)."""

from __future__ import annotations

import datetime as dt

from network.analysis.upkeep import MAX_AGE_DAYS
from network.graph.store import GraphStore, LinkQuery, OrganisationQuery
from network.model import today

__all__ = ["MAX_AGE_DAYS", "stale_cutoff", "is_stale", "stale_counts"]


def stale_cutoff(as_of: dt.date | None = None) -> dt.date:
    """The day before which a last verification is too old: ``MAX_AGE_DAYS`` before ``as_of`` (default today).

    >>> stale_cutoff(dt.date(2026, 11, 30))
    datetime.date(2025, 11, 30)
    """
    return (as_of or today()) - dt.timedelta(days=MAX_AGE_DAYS)


def is_stale(last_verified: dt.date | str | None, as_of: dt.date | None = None) -> bool:
    """True if a record was never verified, or last verified before :func:`stale_cutoff`.

    >>> is_stale(None), is_stale("2025-11-29", dt.date(2026, 11, 30)), is_stale("2025-11-30", dt.date(2026, 11, 30))
    (True, True, False)
    """
    if not last_verified:
        return True
    day = dt.date.fromisoformat(last_verified) if isinstance(last_verified, str) else last_verified
    return day < stale_cutoff(as_of)


def stale_counts(store: GraphStore, as_of: dt.date | None = None) -> tuple[int, int]:
    """How many organisations and links are stale (see :func:`is_stale`), counted by the store."""
    cutoff = stale_cutoff(as_of)
    return (store.list_organisations(OrganisationQuery(verified_before=cutoff, limit=0)).total,
            store.list_links(LinkQuery(verified_before=cutoff, limit=0)).total)
