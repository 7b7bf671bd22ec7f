"""The security headers of every response: one ``after_request`` for the API, the pages, exports and errors.

Every response says ``X-Content-Type-Options: nosniff``. HTML gets a
Content-Security-Policy: the pages load scripts and styles from the server
only and may not be framed; a standalone HTML document the API writes (the
network drawing, the API reference) carries its scripts inline, so only those
exact scripts (by hash) may run, nothing loads from anywhere, and only this
site may frame it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Response, request

__all__ = ["PAGE_POLICY", "standalone_policy", "security_headers"]

#: The pages' policy: everything from this server, no inline scripts, never framed.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def standalone_policy(html: bytes) -> str:
    """The policy of a self-contained HTML document: its own inline scripts (by hash) and styles, nothing else.

    >>> policy = standalone_policy(b"<script>go()</script>")
    >>> "'sha256-" in policy and "frame-ancestors 'self'" in policy and "connect-src" not in policy
    True
    """
    hashes = sorted({base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()
                     for m in _INLINE_SCRIPT.finditer(html)})
    scripts = " ".join(f"'sha256-{h}'" for h in hashes) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def security_headers(response: Response) -> Response:
    """Add ``nosniff`` to every response, and a Content-Security-Policy to HTML that has none."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        pages = request.blueprint == "pages" or response.is_streamed
        policy = PAGE_POLICY if pages else standalone_policy(response.get_data())
        response.headers["Content-Security-Policy"] = policy
    return response
