"""The part of the storage port that keeps referral records; both adapters provide it beside ``GraphStore``.

Referral writes join the enclosing ``store.transaction(actor=...)`` like any
other write and grow the store's ``revision()`` (outcome findings depend on them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from network.graph.records import now
from network.graph.store import Page
from network.referrals import Referral, ReferralCount

__all__ = ["ReferralQuery", "ReferralStore", "ReferralWrites", "stamped_referral"]


@dataclass(frozen=True)
class ReferralQuery:
    """Filters and a page window over referrals, newest first; ``None`` means no filter.

    ``organisation`` matches either end; ``since`` and ``until`` bound the created date (both included).
    """

    organisation: str | None = None
    source: str | None = None
    target: str | None = None
    status: str | None = None
    link: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int | None = 50
    offset: int = 0


class ReferralStore(Protocol):
    """Referral records in a store; every adapter passes ``tests/test_referral_store.py``."""

    def create_referral(self, referral: Referral) -> Referral:
        """Store a new referral (version 1); ``Conflict`` if its code is taken."""

    def add_referrals(self, referrals: Sequence[Referral]) -> int:
        """Store many new referrals at once, all or none (``Conflict`` if a code is taken); how many."""

    def get_referral(self, code: str) -> Referral:
        """The referral with this code, or ``NotFound``."""

    def update_referral(self, referral: Referral, *, expected_version: int | None = None) -> Referral:
        """Replace a referral; ``NotFound`` if unknown, ``StaleWrite`` if ``expected_version`` is stale."""

    def list_referrals(self, query: ReferralQuery = ReferralQuery()) -> Page[Referral]:
        """Matching referrals, newest created first (then by code)."""

    def iter_referrals(self, *, since: dt.date | None = None) -> Iterator[Referral]:
        """Every referral created on or after ``since`` (all without it), oldest first (streamed)."""

    def reduce_referrals(self, before: dt.date) -> int:
        """Reduce referrals created before ``before`` to counts (:class:`ReferralCount`); how many were reduced."""

    def referral_counts(self) -> list[ReferralCount]:
        """The counts left by :meth:`reduce_referrals`, by month, source, target, link and status."""


def stamped_referral(referral: Referral, version: int, stamp: dt.datetime) -> Referral:
    """A copy of ``referral`` as stored at ``version``, written at ``stamp``."""
    stored = Referral.from_record(referral.to_record())
    stored.version, stored.updated_at = version, stamp
    return stored


class ReferralWrites:
    """The referral creation both adapters share: one or many new referrals, each stored at version 1 by the
    adapter's ``_store_new`` (all or none; ``Conflict`` for a code in use or repeated)."""

    _store_new: Callable[[list[Referral]], None]

    def create_referral(self, referral: Referral) -> Referral:
        return self._insert([referral])[0]

    def add_referrals(self, referrals: Sequence[Referral]) -> int:
        return len(self._insert(referrals))

    def _insert(self, referrals: Sequence[Referral]) -> list[Referral]:
        stamp = now()
        stored = [stamped_referral(r, 1, stamp) for r in referrals]
        self._store_new(stored)
        return stored
