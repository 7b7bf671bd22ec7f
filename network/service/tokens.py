"""API tokens: created with a secret shown once and stored hashed, looked up by secret, revoked; each write audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from network.errors import InvalidData
from network.graph.store import GraphStore, Token
from network.schemas import problem_lines

from . import audit
from .audit import Actor

__all__ = ["ROLES", "TOKEN_ROLES", "hash_secret", "create_token", "find_token", "revoke_token"]

#: Roles from least to most trusted; ``anonymous`` is the role of a caller without a token.
ROLES = ("anonymous", "viewer", "editor", "admin")
#: The roles a token can carry.
TOKEN_ROLES = ROLES[1:]


def hash_secret(secret: str) -> str:
    """The stored form of a token secret (SHA-256, hex).

    >>> hash_secret("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: GraphStore, name: str, role: str, *, actor: Actor) -> tuple[Token, str]:
    """Create a token for ``name`` with ``role``; return it and its secret (shown once, stored hashed).

    The token and its audit entry are written together. Raises ``InvalidData``
    for an empty name or an unknown role.
    """
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        problems["name"] = ["Give a name of 1-100 characters."]
    if role not in TOKEN_ROLES:
        problems["role"] = [f"Unknown role '{role}': use one of {', '.join(TOKEN_ROLES)}."]
    if problems:
        raise InvalidData("; ".join(problem_lines(problems)), problems)
    secret = secrets.token_urlsafe(32)
    token = Token(id=f"tok_{secrets.token_hex(6)}", name=name, role=role, token_hash=hash_secret(secret),
                  created_at=dt.datetime.now(dt.UTC).replace(microsecond=0))
    with store.transaction(actor=actor.key):
        store.add_token(token)
        audit.record(store, actor, "create", "token", token.id, {"name": token.name, "role": token.role})
    return token, secret


def find_token(store: GraphStore, secret: str) -> Token | None:
    """The active token with this secret, or ``None`` (unknown, revoked, or not a plausible secret)."""
    secret = (secret or "").strip()
    if not secret or len(secret) > 200:
        return None
    return store.find_token(hash_secret(secret))


def revoke_token(store: GraphStore, token_id: str, *, actor: Actor) -> None:
    """Revoke a token (``NotFound`` if unknown); the revocation and its audit entry are written together."""
    with store.transaction(actor=actor.key):
        store.revoke_token(token_id)
        audit.record(store, actor, "revoke", "token", token_id, {})
