"""The ``stale`` filter of the organisation and link lists: records not verified within the upkeep rule's
12 months (``network.service.freshness``)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from network.service.freshness import MAX_AGE_DAYS, stale_cutoff

__all__ = ["stale_field", "stale_filter"]


def stale_field() -> fields.Boolean:
    """The query field ``stale``: true keeps only records never verified or verified too long ago."""
    return fields.Boolean(metadata={"description": f"true: only records never verified, or last verified more "
                                                   f"than {MAX_AGE_DAYS} days ago."})


def stale_filter(args: dict[str, Any]) -> dict[str, Any]:
    """The list arguments with ``stale`` turned into the store's ``verified_before`` day."""
    found = dict(args)
    if found.pop("stale", False):
        found["verified_before"] = stale_cutoff()
    return found
