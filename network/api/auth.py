"""Bearer tokens and roles: who is calling, and may they do this?

Roles rank ``anonymous < viewer < editor < admin``. Anonymous callers may read
what a viewer may; writes need an editor; imports, deletes, merges, the audit
log and token management need an admin. A token arrives as
``Authorization: Bearer <secret>`` or, for the web UI, in the signed session
cookie (``session["token"]``, set by the sign-in page through ``sign_in``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Request, g, request, session

from network.errors import CssnetError, InvalidData
from network.graph.store import GraphStore, Token

from .state import get_store

__all__ = [
    "ROLES",
    "Caller",
    "Unauthorised",
    "Forbidden",
    "create_token",
    "hash_secret",
    "role_of",
    "caller",
    "require",
    "sign_in",
    "can_see_protected",
]

#: Roles from least to most trusted; ``anonymous`` is the role of a caller without a token.
ROLES = ("anonymous", "viewer", "editor", "admin")
TOKEN_ROLES = ROLES[1:]

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorised(CssnetError):
    """No valid token where one is needed."""

    status = 401


class Forbidden(CssnetError):
    """The token's role is too low for this."""

    status = 403


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's name (``anonymous`` without one) and its role."""

    name: str
    role: str

    def at_least(self, role: str) -> bool:
        """True if the caller's role ranks at or above ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


ANONYMOUS = Caller("anonymous", "anonymous")


def hash_secret(secret: str) -> str:
    """The stored form of a token secret (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: GraphStore, name: str, role: str) -> tuple[Token, str]:
    """Create a token for ``name`` with ``role``; return it and its secret (shown once, stored hashed).

    Raises ``InvalidData`` for an empty name or an unknown role.
    """
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        problems["name"] = ["Give a name of 1-100 characters."]
    if role not in TOKEN_ROLES:
        problems["role"] = [f"Unknown role '{role}': use one of {', '.join(TOKEN_ROLES)}."]
    if problems:
        raise InvalidData("; ".join(f"{k}: {v[0]}" for k, v in problems.items()), problems)
    secret = secrets.token_urlsafe(32)
    token = Token(id=f"tok_{secrets.token_hex(6)}", name=name, role=role, token_hash=hash_secret(secret),
                  created_at=dt.datetime.now(dt.UTC).replace(microsecond=0))
    store.add_token(token)
    return token, secret


def _lookup(store: GraphStore, secret: str) -> Token | None:
    if not secret or len(secret) > 200:
        return None
    return store.find_token(hash_secret(secret))


def _identify(req: Request) -> Caller:
    header = req.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorised("Use 'Authorization: Bearer <token>'.")
        token = _lookup(get_store(), secret.strip())
        if token is None:
            raise Unauthorised("That token is unknown or revoked.")
        return Caller(token.name, token.role)
    held = session.get("token")
    if isinstance(held, str):
        token = _lookup(get_store(), held)
        if token is not None:
            return Caller(token.name, token.role)
        session.pop("token", None)
    return ANONYMOUS


def caller() -> Caller:
    """The caller of the current request (identified once per request)."""
    if "caller" not in g:
        g.caller = _identify(request)
    return g.caller


def role_of(req: Request | None = None) -> str:
    """The role of the current request's caller: ``anonymous``, ``viewer``, ``editor`` or ``admin``."""
    if req is not None and req is not request:
        return _identify(req).role
    return caller().role


def can_see_protected() -> bool:
    """True if the caller may see sensitive organisations' protected fields (editors and admins)."""
    return caller().at_least("editor")


def require(role: str) -> Callable[[F], F]:
    """Refuse the view with 401 (no valid token) or 403 (role too low) unless the caller has ``role``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = caller()
            if not who.at_least(role):
                if who.role == "anonymous":
                    raise Unauthorised(f"This needs a token with the {role} role.")
                raise Forbidden(f"This needs the {role} role; your token has the {who.role} role.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def sign_in(token_secret: str) -> str | None:
    """The role of the token with this secret, or ``None`` if it is unknown or revoked.

    The web UI's sign-in page calls this and, on success, keeps the secret in
    ``session["token"]``; later requests are then identified by the session cookie.
    """
    token = _lookup(get_store(), (token_secret or "").strip())
    return token.role if token is not None else None
