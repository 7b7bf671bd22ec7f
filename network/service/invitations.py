"""Invitations: one-time, expiring links that let one organisation read its own record and ties and propose
changes, without an account.

An admin creates an invitation for an organisation; its secret (shown once,
stored hashed) is an organisation-bound token of role ``invitation``, which
opens the partner's page and nothing else: it is not an API token. The link
works until it **expires** (``DEFAULT_DAYS`` after creation unless set) or
until it is **used up**. What uses it up is the partner's *submission*: the
one form the partner sends (confirmations, corrections, ended and new ties
together), which puts the proposals in the review queue. Opening and reading
the page does not use it, so a partner can look first and come back to send.
Other features invite partners the same way with a ``purpose`` of their own
(a tie survey names its round as ``subject``) and use the invitation up with
:func:`use_up` when their form is sent. An admin may withdraw an invitation.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from network.errors import CssnetError, InvalidData, NotFound
from network.graph.partners import Invitation
from network.graph.store import GraphStore, Token
from network.schemas import problem_lines
from network.translation import translate

from . import audit
from .audit import Actor
from .tokens import hash_secret

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "INVITATION_ROLE", "InvitationEnded", "create_invitation",
           "open_invitation", "use_up", "partner_actor", "list_invitations", "withdraw_invitation"]

#: How long an invitation works when its creator names no other period.
DEFAULT_DAYS = 14
#: The longest an invitation may work.
MAX_DAYS = 90
#: The role of an invitation's token: it opens the partner's page, never the API.
INVITATION_ROLE = "invitation"
_PURPOSE = re.compile(r"^[a-z][a-z_]{0,29}$")


class InvitationEnded(CssnetError):
    """The invitation was used already or has expired."""

    status = 410


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def create_invitation(store: GraphStore, organisation: str, *, actor: Actor, days: int = DEFAULT_DAYS,
                      purpose: str = "verify", subject: str | None = None) -> tuple[Invitation, str]:
    """Invite ``organisation`` for ``days``; return the invitation and its secret (shown once, stored hashed).

    The token, the invitation and the audit entry are written together.
    ``InvalidData`` names an unknown organisation, a period outside
    1-``MAX_DAYS`` days or a malformed purpose.
    """
    problems: dict[str, list[str]] = {}
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        problems["days"] = [translate("Give a whole number of days from 1 to %(most)s.", most=MAX_DAYS)]
    if not isinstance(purpose, str) or not _PURPOSE.match(purpose):
        problems["purpose"] = [translate("Give a purpose of 1-30 lower-case letters or '_', such as 'verify'.")]
    if subject is not None and (not isinstance(subject, str) or not 0 < len(subject) <= 100):
        problems["subject"] = [translate("Give a subject of 1-100 characters, or none.")]
    with store.transaction(actor=actor.key):
        try:
            org = store.get_organisation(organisation)
        except NotFound:
            problems["organisation"] = [translate("No organisation with id '%(id)s'.", id=organisation)]
        if problems:
            raise InvalidData("; ".join(problem_lines(problems)), problems)
        secret, at = secrets.token_urlsafe(32), _now()
        token = Token(id=f"inv_{secrets.token_hex(8)}", name=f"invitation for {org.id}"[:100], role=INVITATION_ROLE,
                      token_hash=hash_secret(secret), created_at=at, organisation=org.id)
        invitation = Invitation(token.id, org.id, created_at=at, expires_at=at + dt.timedelta(days=days),
                                created_by=actor.name, purpose=purpose, subject=subject)
        store.add_token(token)
        store.add_invitation(invitation)
        audit.record(store, actor, "create", "invitation", invitation.id,
                     {"organisation": org.id, "expires_at": invitation.expires_at.isoformat(), "purpose": purpose,
                      "subject": subject})
    return invitation, secret


def open_invitation(store: GraphStore, secret: str, *, purpose: str | None = None) -> Invitation:
    """The invitation this secret opens.

    ``NotFound`` for a secret that opens none (unknown, withdrawn, or of
    another ``purpose`` when one is asked for); ``InvitationEnded`` (410)
    once it was used or has expired.
    """
    secret = (secret or "").strip()
    token = store.find_token(hash_secret(secret)) if 0 < len(secret) <= 200 else None
    if token is None or token.role != INVITATION_ROLE:
        raise NotFound(translate("This invitation link is not known, or it was withdrawn; ask the coordinator for a "
                                 "new one."))
    invitation = store.get_invitation(token.id)
    if token.organisation != invitation.organisation or (purpose is not None and invitation.purpose != purpose):
        raise NotFound(translate("This invitation link is not known, or it was withdrawn; ask the coordinator for a "
                                 "new one."))
    if invitation.used_at is not None:
        raise InvitationEnded(translate("This invitation was used on %(day)s; each link works once. Ask the "
                                        "coordinator for a new one.", day=_day(invitation.used_at)))
    if _now() >= invitation.expires_at:
        raise InvitationEnded(translate("This invitation expired on %(day)s; ask the coordinator for a new one.",
                                        day=_day(invitation.expires_at)))
    return invitation


def use_up(store: GraphStore, invitation: Invitation, used_for: str) -> Invitation:
    """Mark the invitation used by ``used_for``; call it inside the transaction that writes what was sent, so a
    second submission racing the first is refused (``InvitationEnded``) and writes nothing."""
    try:
        return store.use_invitation(invitation.id, _now(), used_for)
    except CssnetError as err:
        if err.status == 409:
            raise InvitationEnded("This invitation was used already; each link works once.") from err
        raise


def partner_actor(invitation: Invitation) -> Actor:
    """The author of what a partner sends through an invitation, in the history and the audit log."""
    return Actor(f"invitation:{invitation.id}", f"partner {invitation.organisation} (invitation {invitation.id})")


def list_invitations(store: GraphStore, organisation: str | None = None) -> list[Invitation]:
    """Invitations (for one organisation if given), newest first."""
    return store.list_invitations(organisation)


def withdraw_invitation(store: GraphStore, invitation_id: str, *, actor: Actor) -> None:
    """Withdraw an invitation (``NotFound`` if unknown): its link stops working; audited."""
    with store.transaction(actor=actor.key):
        store.get_invitation(invitation_id)
        store.revoke_token(invitation_id)
        audit.record(store, actor, "withdraw", "invitation", invitation_id, {})


def _day(at: dt.datetime) -> str:
    return f"{at.day} {at:%B %Y}"
