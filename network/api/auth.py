"""Who is calling, and may they do this? Roles, the caller of a request, and the ``require`` guard.

Roles rank ``anonymous < viewer < editor < admin``. Anonymous callers may read
what a viewer may; writes need an editor; imports, deletes, merges, the audit
log and token management need an admin. A ``referrer`` token is bound to one
organisation (``Caller.organisation``): it reads what a viewer reads, and the
referral service lets it send referrals from that organisation and update
those sent to it; nothing else. A token arrives as
``Authorization: Bearer <secret>``; the web UI's signed session cookie holds
a session id instead (``session["sid"]``, set by the sign-in page through
``start_session``, ended by ``end_session`` at sign-out). A write identified by
the cookie must come from this site: its ``Origin`` (or ``Referer``) must name
this host, or it is refused with 403. Tokens and sessions themselves are made
and looked up by ``network.service.tokens``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Request, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from network.errors import CssnetError
from network.service import tokens
from network.service.audit import Actor
from network.service.tokens import ROLES, find_token, reads_as
from network.translation import N_, translate

from .state import get_store

__all__ = ["Caller", "Unauthorised", "Forbidden", "caller", "require", "sign_in", "start_session", "end_session",
           "SessionCookies", "can_see_protected"]

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorised(CssnetError):
    """No valid token where one is needed."""

    status = 401


class Forbidden(CssnetError):
    """The token's role is too low for this."""

    status = 403


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's name (``anonymous`` without one), its role, its id and its organisation.

    ``organisation`` is set for a role bound to one organisation (``referrer``).
    """

    name: str
    role: str
    token_id: str | None = None
    organisation: str | None = None

    def at_least(self, role: str) -> bool:
        """True if the caller's role ranks at or above ``role`` (a bound role ranks as it reads)."""
        return ROLES.index(reads_as(self.role)) >= ROLES.index(role)

    @property
    def actor(self) -> Actor:
        """The caller as the author of a write: ``token:<id>`` in the history, the token's name in the audit log."""
        return Actor(f"token:{self.token_id}" if self.token_id else self.name, self.name)


ANONYMOUS = Caller("anonymous", "anonymous")


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie (HttpOnly, SameSite=Lax by the app's config), ``Secure`` when served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session for a request without the cookie (no signer is made for it), else the cookie's."""
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _identify(req: Request) -> Caller:
    header = req.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorised(translate("Use 'Authorization: Bearer <token>'."))
        token = find_token(get_store(), secret)
        if token is None:
            raise Unauthorised(translate("That token is unknown or revoked."))
        return Caller(token.name, token.role, token.id, token.organisation)
    held = session.get("sid")
    if isinstance(held, str):
        token = tokens.find_session(get_store(), held)
        if token is not None:
            if req.method not in _SAFE_METHODS and not _same_origin(req):
                raise Forbidden(translate("This change came from another site; make it from this site's own pages."))
            return Caller(token.name, token.role, token.id, token.organisation)
        session.pop("sid", None)
    return ANONYMOUS


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _same_origin(req: Request) -> bool:
    """True if the request's ``Origin`` (or, without one, its ``Referer``) names this host."""
    source = req.headers.get("Origin") or req.headers.get("Referer") or ""
    try:
        return bool(source) and urlsplit(source).netloc == req.host
    except ValueError:
        return False


def caller() -> Caller:
    """The caller of the current request (identified once per request)."""
    if "caller" not in g:
        g.caller = _identify(request)
    return g.caller


def can_see_protected() -> bool:
    """True if the caller may see sensitive organisations' protected fields (editors and admins)."""
    return caller().at_least("editor")


#: Each role in words, for the refusals (translated where they are raised).
_ROLE_WORDS = {"anonymous": N_("anonymous"), "viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("admin"),
               "referrer": N_("referrer")}


def _role_word(role: str) -> str:
    """``role`` in the caller's language (the code itself in English)."""
    return translate(_ROLE_WORDS.get(role, role))


def require(role: str) -> Callable[[F], F]:
    """Refuse the view with 401 (no valid token) or 403 (role too low) unless the caller has ``role``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = caller()
            if not who.at_least(role):
                if who.role == "anonymous":
                    raise Unauthorised(translate("This needs a token with the %(role)s role.", role=_role_word(role)))
                raise Forbidden(translate("This needs the %(role)s role; your token has the %(has)s role.",
                                          role=_role_word(role), has=_role_word(who.role)))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def sign_in(token_secret: str) -> str | None:
    """The role of the token with this secret, or ``None`` if it is unknown or revoked."""
    token = find_token(get_store(), token_secret)
    return token.role if token is not None else None


def start_session(token_secret: str) -> str | None:
    """Sign the browser in with a token's secret: its role, or ``None`` if the token is unknown or revoked.

    The session cookie then holds a new session id (``session["sid"]``), never the secret.
    """
    started = tokens.start_session(get_store(), token_secret)
    if started is None:
        return None
    token, session_id = started
    session.clear()
    session["sid"] = session_id
    return token.role


def end_session() -> None:
    """Sign the browser out: its session id stops working, wherever a copy of the cookie is."""
    held = session.get("sid")
    if isinstance(held, str):
        tokens.end_session(get_store(), held)
    session.clear()
