"""Who is calling, and may they do this? Roles, the caller of a request, and the ``require`` guard.

Roles rank ``anonymous < viewer < editor < admin``. Anonymous callers may read
what a viewer may; writes need an editor; imports, deletes, merges, the audit
log and token management need an admin. A token arrives as
``Authorization: Bearer <secret>`` or, for the web UI, in the signed session
cookie (``session["token"]``, set by the sign-in page through ``sign_in``).
Tokens themselves are made and looked up by ``network.service.tokens``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Request, g, request, session

from network.errors import CssnetError
from network.service.audit import Actor
from network.service.tokens import ROLES, find_token

from .state import get_store

__all__ = ["Caller", "Unauthorised", "Forbidden", "caller", "require", "sign_in", "can_see_protected"]

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorised(CssnetError):
    """No valid token where one is needed."""

    status = 401


class Forbidden(CssnetError):
    """The token's role is too low for this."""

    status = 403


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's name (``anonymous`` without one), its role and its id."""

    name: str
    role: str
    token_id: str | None = None

    def at_least(self, role: str) -> bool:
        """True if the caller's role ranks at or above ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def actor(self) -> Actor:
        """The caller as the author of a write: ``token:<id>`` in the history, the token's name in the audit log."""
        return Actor(f"token:{self.token_id}" if self.token_id else self.name, self.name)


ANONYMOUS = Caller("anonymous", "anonymous")


def _identify(req: Request) -> Caller:
    header = req.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorised("Use 'Authorization: Bearer <token>'.")
        token = find_token(get_store(), secret)
        if token is None:
            raise Unauthorised("That token is unknown or revoked.")
        return Caller(token.name, token.role, token.id)
    held = session.get("token")
    if isinstance(held, str):
        token = find_token(get_store(), held)
        if token is not None:
            return Caller(token.name, token.role, token.id)
        session.pop("token", None)
    return ANONYMOUS


def caller() -> Caller:
    """The caller of the current request (identified once per request)."""
    if "caller" not in g:
        g.caller = _identify(request)
    return g.caller


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
    token = find_token(get_store(), token_secret)
    return token.role if token is not None else None
