"""Answers to the busiest reads kept per store revision, served before Flask is entered (WSGI middleware).

The organisation and link lists and the analyses (``KEPT_PATHS``) answer
``GET`` with a body that depends only on what the store holds, the day, the
query string, the caller's role and the language asked for (``?lang=``, the
``lang`` cookie or ``Accept-Language``). Every write that can change such a
body moves the store's ``revision()`` (in any process: it is read from the
store itself), so an answer is kept under ``(revision, day, path, query
string, role, Accept-Language, cookies)`` and served again, headers and body
as Flask made them, to the next request with the same key, without routing,
argument parsing, identifying the caller through the session, dumping or
encoding. The revision is read *before* the answer is made, so a kept answer
is never older than the revision it is kept under.

Only callers identified without Flask are served this way: anonymous ones
(no ``Authorization`` header, no session cookie) and bearer tokens (looked up
on every request, so a revoked token stops at once). A request with a session
cookie or an unknown token goes through Flask as usual. The role (and the
organisation a token is bound to) is in every key: a viewer is never served
what an editor or an administrator was answered. Only ``200`` answers that set
no cookie are kept. Kept answers carry a strong ``ETag``; a request whose
``If-None-Match`` names it is answered ``304``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import parse_etags

from network.model import today
from network.service.tokens import find_token

from .listing import Listings
from .state import store_of

__all__ = ["KEPT_PATHS", "ReadCache"]

#: The ``GET`` routes whose answers are kept per store revision: the lists and the analyses (whose results
#: the service already remembers per revision, day and options; here their encoded answers are kept too).
KEPT_PATHS = frozenset({"/api/v1/organisations", "/api/v1/links"} | {
    f"/api/v1/analysis/{name}"
    for name in ("pathways", "gaps", "duplication", "structure", "recommendations", "agenda", "report")})

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]


class ReadCache:
    """WSGI middleware around ``app.wsgi_app`` keeping the answers to ``KEPT_PATHS`` (see the module).

    At most ``limit`` bytes of bodies are kept per process, least recently used dropped first.
    """

    def __init__(self, app: Flask, limit: int | None = None) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.kept: Listings[tuple[str, Headers, bytes]] = Listings(size=lambda answer: len(answer[2]) + 200,
                                                                   **({"limit": limit} if limit else {}))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") not in KEPT_PATHS:
            return self.wsgi_app(environ, start_response)
        try:
            store = store_of(self.app)
            role = self._role(environ, store)
            revision = store.revision() if role is not None else None
        except Exception:  # the store cannot answer: Flask answers with the error in its usual form
            role = None
        if role is None:
            return self.wsgi_app(environ, start_response)
        key = (revision, today(), environ["PATH_INFO"], environ.get("QUERY_STRING", ""), role,
               environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_COOKIE", ""))
        answer = self.kept.get(key)
        if answer is None:
            answer = self._answer(environ)
            if answer[0].startswith("200 ") and not any(name.lower() == "set-cookie" for name, _ in answer[1]):
                answer = (answer[0], [*answer[1], ("ETag", _etag(answer[2]))], answer[2])
                self.kept.put(key, answer)
        status, headers, body = answer
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and status.startswith("200 "):
            tag = next((value for name, value in headers if name == "ETag"), None)
            if tag is not None and parse_etags(wanted).contains_raw(tag):
                start_response("304 NOT MODIFIED", [(name, value) for name, value in headers
                                                    if name in ("ETag", "X-Content-Type-Options", "Vary")])
                return [b""]
        start_response(status, list(headers))
        return [body]

    def _role(self, environ: dict[str, Any], store: Any) -> str | None:
        """The caller's role if it can be told here (``anonymous``, or a token's role and the organisation it
        is bound to), else ``None``."""
        header = environ.get("HTTP_AUTHORIZATION")
        if header is None:
            cookie = self.app.config["SESSION_COOKIE_NAME"]
            return None if cookie in environ.get("HTTP_COOKIE", "") else "anonymous"
        scheme, _, secret = header.partition(" ")
        token = find_token(store, secret) if scheme.lower() == "bearer" else None
        return None if token is None else f"{token.role}:{token.organisation or ''}"

    def _answer(self, environ: dict[str, Any]) -> tuple[str, Headers, bytes]:
        """Flask's answer to the request: status, headers and the whole body."""
        started: list[tuple[str, Headers]] = []
        chunks: list[bytes] = []

        def start(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            started.append((status, headers))
            return chunks.append

        result = self.wsgi_app(environ, start)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started[-1]
        return status, headers, b"".join(chunks)


def _etag(body: bytes) -> str:
    """A strong ETag naming ``body``."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
