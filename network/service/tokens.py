"""API tokens: created with a secret shown once and stored hashed, looked up by secret, revoked; each write audited.

A signed-in browser holds a session id, never a token: the session is stored
like a token (hashed, role ``session``, named by the hash of the token it
stands for), ends at sign-out or after ``SESSION_HOURS``, and ends with its token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from network.errors import InvalidData, NotFound
from network.graph.store import GraphStore, Token
from network.schemas import problem_lines
from network.translation import translate

from . import audit
from .audit import Actor

__all__ = ["ROLES", "TOKEN_ROLES", "BOUND_ROLES", "reads_as", "SESSION_HOURS", "hash_secret", "create_token",
           "find_token", "revoke_token", "list_tokens", "start_session", "find_session", "end_session"]

#: Roles from least to most trusted; ``anonymous`` is the role of a caller without a token.
ROLES = ("anonymous", "viewer", "editor", "admin")
#: Roles bound to one organisation, each with the rank of ``ROLES`` it reads with. A ``referrer``
#: reads what a viewer reads, and besides creates referrals from its organisation and updates
#: referrals sent to it (``network.service.referrals``).
BOUND_ROLES: dict[str, str] = {"referrer": "viewer"}
#: The roles a token can carry.
TOKEN_ROLES = (*ROLES[1:], *BOUND_ROLES)
#: How long a browser session lasts after sign-in.
SESSION_HOURS = 12
_SESSION = "session"


def hash_secret(secret: str) -> str:
    """The stored form of a token secret (SHA-256, hex).

    >>> hash_secret("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def reads_as(role: str) -> str:
    """The rank of ``ROLES`` a role reads with: itself, or for a bound role the rank it is given.

    >>> reads_as("referrer"), reads_as("editor")
    ('viewer', 'editor')
    """
    return BOUND_ROLES.get(role, role)


def create_token(store: GraphStore, name: str, role: str, *, actor: Actor,
                 organisation: str | None = None) -> tuple[Token, str]:
    """Create a token for ``name`` with ``role``; return it and its secret (shown once, stored hashed).

    A role of ``BOUND_ROLES`` needs ``organisation``, the id of a stored
    organisation; other roles take none. The token and its audit entry are
    written together. Raises ``InvalidData`` for an empty name, an unknown
    role, or a missing, unknown or unwanted organisation.
    """
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        problems["name"] = [translate("Give a name of 1-100 characters.")]
    if role not in TOKEN_ROLES:
        problems["role"] = [translate("Unknown role '%(role)s': use one of %(roles)s.", role=role,
                                        roles=", ".join(TOKEN_ROLES))]
    with store.transaction(actor=actor.key):
        if role in BOUND_ROLES and not organisation:
            problems["organisation"] = [translate("A %(role)s token acts for one organisation: name it.", role=role)]
        elif role in BOUND_ROLES and not _stored(store, organisation or ""):
            problems["organisation"] = [translate("No organisation with id '%(id)s'.", id=organisation)]
        elif role not in BOUND_ROLES and organisation is not None:
            problems["organisation"] = [translate("A %(role)s token is not bound to an organisation: leave it out.",
                                                    role=role)]
        if problems:
            raise InvalidData("; ".join(problem_lines(problems)), problems)
        secret = secrets.token_urlsafe(32)
        token = Token(id=f"tok_{secrets.token_hex(6)}", name=name, role=role, token_hash=hash_secret(secret),
                      created_at=dt.datetime.now(dt.UTC).replace(microsecond=0), organisation=organisation)
        store.add_token(token)
        changes = {"name": token.name, "role": token.role}
        if organisation is not None:
            changes["organisation"] = organisation
        audit.record(store, actor, "create", "token", token.id, changes)
    return token, secret


def _stored(store: GraphStore, org_id: str) -> bool:
    try:
        store.get_organisation(org_id)
    except NotFound:
        return False
    return True


def find_token(store: GraphStore, secret: str) -> Token | None:
    """The active token with this secret, or ``None`` (unknown, revoked, or not a plausible secret)."""
    secret = (secret or "").strip()
    if not secret or len(secret) > 200:
        return None
    token = store.find_token(hash_secret(secret))
    return token if token is not None and token.role in TOKEN_ROLES else None


def list_tokens(store: GraphStore) -> list[Token]:
    """Every token, newest first (browser sessions left out)."""
    return [t for t in store.list_tokens() if t.role in TOKEN_ROLES]


def start_session(store: GraphStore, secret: str) -> tuple[Token, str] | None:
    """Sign in with a token's secret: the token and a new session id (stored hashed), or ``None`` if unknown.

    Sessions that have expired or ended (signed out) are deleted first, so they do not pile up.
    """
    token = find_token(store, secret)
    if token is None:
        return None
    session_id = secrets.token_urlsafe(32)
    started = dt.datetime.now(dt.UTC)
    with store.transaction(actor=f"token:{token.id}"):
        store.prune_tokens(_SESSION, started - dt.timedelta(hours=SESSION_HOURS))
        store.add_token(Token(id=f"ses_{secrets.token_hex(8)}", name=token.token_hash, role=_SESSION,
                              token_hash=hash_secret(session_id), created_at=started))
    return token, session_id


def _session(store: GraphStore, session_id: str) -> Token | None:
    found = store.find_token(hash_secret(session_id)) if 0 < len(session_id) <= 200 else None
    if found is None or found.role != _SESSION:
        return None
    if dt.datetime.now(dt.UTC) - found.created_at > dt.timedelta(hours=SESSION_HOURS):
        return None
    return found


def find_session(store: GraphStore, session_id: str) -> Token | None:
    """The token a live session stands for, or ``None`` (unknown, signed out, expired, or its token revoked)."""
    found = _session(store, session_id)
    token = store.find_token(found.name) if found is not None else None
    return token if token is not None and token.role in TOKEN_ROLES else None


def end_session(store: GraphStore, session_id: str) -> None:
    """Sign out: the session id stops working (nothing happens for an unknown or ended one)."""
    found = _session(store, session_id)
    if found is not None:
        with store.transaction(actor="system"):
            store.revoke_token(found.id)


def revoke_token(store: GraphStore, token_id: str, *, actor: Actor) -> None:
    """Revoke a token (``NotFound`` if unknown); the revocation and its audit entry are written together."""
    with store.transaction(actor=actor.key):
        store.revoke_token(token_id)
        audit.record(store, actor, "revoke", "token", token_id, {})
