"""The partner records every store keeps beside the network: invitations, proposed changes and trust settings.

An **invitation** lets one organisation read its own record and propose
changes through a one-time link; its secret is an organisation-bound token
(role ``invitation``) whose id the invitation shares. A **proposal** is one
change a partner asked for (confirm its record, correct fields, end a tie,
add a tie), waiting in the review queue until a coordinator accepts or
rejects it. A **trusted** organisation's proposals apply at once (still
audited). Every adapter passes ``tests/test_partner_store_contract.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from network.graph.records import stamp
from network.graph.store import Page

__all__ = ["Invitation", "Proposal", "ProposalQuery", "PartnerStore", "PROPOSAL_KINDS", "PROPOSAL_STATUSES",
           "encode", "decode_invitation", "decode_proposal"]

#: What a partner can propose: confirm its record, correct its fields, end one of its ties, add a tie.
PROPOSAL_KINDS = ("confirm", "correct", "end_tie", "new_tie")
#: A proposal waits (``pending``) until a coordinator accepts or rejects it.
PROPOSAL_STATUSES = ("pending", "accepted", "rejected")


@dataclass
class Invitation:
    """A one-time, expiring invitation for one organisation; ``id`` is the id of its token.

    ``purpose`` says what the partner is invited to do (``verify``: check its
    record and ties; other features add theirs, e.g. ``survey``), ``subject``
    what it concerns beyond the organisation (e.g. a survey round), if
    anything. ``used_at`` is set once, by the submission that uses it up.
    """

    id: str
    organisation: str
    created_at: dt.datetime
    expires_at: dt.datetime
    created_by: str
    purpose: str = "verify"
    subject: str | None = None
    used_at: dt.datetime | None = None
    used_for: str | None = None


@dataclass
class Proposal:
    """One change a partner proposed for its own record or ties, and the coordinator's decision on it.

    ``entity`` and ``entity_id`` name the record changed (for ``new_tie``, the
    id the new link will take); ``changes`` holds the proposed values by field
    (for ``new_tie``, the whole link); ``base_version`` is the version the
    partner saw (``None`` for a new tie).
    """

    id: str
    organisation: str
    kind: str
    entity: str
    entity_id: str
    changes: dict[str, Any]
    submitted_at: dt.datetime
    submitted_by: str
    base_version: int | None = None
    invitation: str | None = None
    status: str = "pending"
    decided_at: dt.datetime | None = None
    decided_by: str | None = None
    note: str = ""
    applied: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalQuery:
    """Filters and a page window over proposals, oldest first (the order of the queue)."""

    status: str | None = None
    organisation: str | None = None
    invitation: str | None = None
    limit: int | None = 50
    offset: int = 0


class PartnerStore(Protocol):
    """What a store keeps for partners; writes join the enclosing ``store.transaction``."""

    def add_invitation(self, invitation: Invitation) -> None:
        """Store a new invitation."""

    def get_invitation(self, invitation_id: str) -> Invitation:
        """The invitation with this id, or ``NotFound``."""

    def list_invitations(self, organisation: str | None = None) -> list[Invitation]:
        """Invitations (for one organisation if given), newest first."""

    def use_invitation(self, invitation_id: str, at: dt.datetime, used_for: str) -> Invitation:
        """Mark an invitation used (checked under its write lock): ``Conflict`` if it was used already,
        ``NotFound`` if unknown."""

    def add_proposals(self, proposals: list[Proposal]) -> None:
        """Store new proposals."""

    def get_proposal(self, proposal_id: str) -> Proposal:
        """The proposal with this id, or ``NotFound``."""

    def list_proposals(self, query: ProposalQuery = ProposalQuery()) -> Page[Proposal]:
        """Matching proposals, oldest first."""

    def decide_proposal(self, proposal_id: str, *, status: str, decided_by: str, decided_at: dt.datetime,
                        note: str = "", applied: dict[str, Any] | None = None) -> Proposal:
        """Record the decision on a pending proposal (checked under its write lock): ``Conflict`` if it was
        decided already, ``NotFound`` if unknown."""

    def set_trusted(self, organisation: str, trusted: bool) -> None:
        """Mark an organisation's proposals to apply directly (``trusted``) or to wait for review."""

    def trusted_organisations(self) -> list[str]:
        """The ids of the trusted organisations, sorted."""


_TIMES = ("created_at", "expires_at", "used_at", "submitted_at", "decided_at")
_MAPPINGS = ("changes", "applied")


def encode(record: Invitation | Proposal) -> dict[str, Any]:
    """An invitation or proposal as flat stored values: times as fixed-width UTC text (sorting as the times
    do), mappings as JSON text.

    >>> encode(Invitation("i1", "a", dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    ...                   dt.datetime(2026, 1, 16, tzinfo=dt.UTC), "admin"))["expires_at"]
    '2026-01-16T00:00:00.000000+00:00'
    """
    values = dict(vars(record))
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = stamp(values[name])
    for name in _MAPPINGS:
        if name in values:
            values[name] = json.dumps(values[name], sort_keys=True, default=str)
    return values


def decode_invitation(values: Mapping[str, Any]) -> Invitation:
    """The invitation :func:`encode` stored."""
    return Invitation(**_decoded(values, Invitation))


def decode_proposal(values: Mapping[str, Any]) -> Proposal:
    """The proposal :func:`encode` stored."""
    return Proposal(**_decoded(values, Proposal))


def _decoded(values: Mapping[str, Any], cls: type) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    found = {k: v for k, v in values.items() if k in names and v is not None}
    for name in _TIMES:
        if isinstance(found.get(name), str):
            found[name] = dt.datetime.fromisoformat(found[name])
    for name in _MAPPINGS:
        if isinstance(found.get(name), str):
            found[name] = json.loads(found[name])
    return found
