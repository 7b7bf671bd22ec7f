"""The organisation and link lists' pages encoded straight from the records, and ``Listings``, values kept by key.

``page_response`` answers a page of records as JSON without copying each
record to a dict first. ``Listings`` keeps values (encoded answers) by key
within a byte limit, least recently used dropped first: the answers
``network.api.readcache`` keeps per store revision.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from flask import Response, current_app

from network.graph.store import Page

__all__ = ["MAX_BYTES", "Listings", "page_body", "page_response"]

V = TypeVar("V")

#: The encoded answers one process keeps, in bytes.
MAX_BYTES = 32 * 1024 * 1024


def page_body(page: Page[Any]) -> bytes:
    """A page of records as the JSON envelope ``{items, total, limit, offset}``, encoded.

    Each item holds its record's fields in declaration order, dates and times in
    ISO 8601 (as :func:`network.api.records.plain` writes them), compact, ASCII.

    >>> from network.model import Organisation
    >>> body = page_body(Page([Organisation("a", "Hope CBO", "cbo", last_verified=dt.date(2026, 1, 2))], 1, 50, 0))
    >>> body[:30], body[-47:]
    (b'{"items":[{"id":"a","name":"Ho', b'"version":0}],"total":1,"limit":50,"offset":0}\\n')
    >>> json.loads(body)["items"][0]["last_verified"]
    '2026-01-02'
    """
    envelope = {"items": [item.__dict__ for item in page.items], "total": page.total, "limit": page.limit,
                "offset": page.offset}
    return (json.dumps(envelope, default=_iso, separators=(",", ":")) + "\n").encode()


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class Listings(Generic[V]):
    """Values (bytes by default) by key, at most ``limit`` bytes of them as ``size`` counts them.

    >>> pages = Listings(limit=10)
    >>> pages.put("a", b"12345"); pages.put("a", b"other"); pages.get("a")
    b'12345'
    >>> pages.put("b", b"123456789"); pages.get("a"), pages.get("b")
    (None, b'123456789')
    """

    def __init__(self, limit: int = MAX_BYTES, size: Callable[[V], int] = len) -> None:
        self.limit = limit
        self.size = size
        self._pages: OrderedDict[Hashable, V] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value kept under ``key``, if any."""
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        """Keep ``value`` under ``key`` (unless one is kept already or it alone exceeds the limit)."""
        size = self.size(value)
        with self._lock:
            if key in self._pages or size > self.limit:
                return
            self._pages[key] = value
            self._size += size
            while self._size > self.limit:
                _, dropped = self._pages.popitem(last=False)
                self._size -= self.size(dropped)


def page_response(page: Page[Any]) -> Response:
    """A page of records as the JSON response ``{items, total, limit, offset}`` (see :func:`page_body`)."""
    return current_app.response_class(page_body(page), mimetype="application/json")
