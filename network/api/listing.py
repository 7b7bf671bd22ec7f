"""The organisation and link lists' pages: encoded once per store revision, query and protection.

A page of a list depends only on the records stored, the query and whether the
caller may see protected fields. The store's ``revision()`` grows with every
committed write to organisations or links (in any process), so a page encoded
at one revision is the page of that revision for as long as the revision
stands. The revision is read *before* the page: a page cached under revision
``r`` is never older than ``r``. Each process keeps its own pages, at most
``MAX_BYTES`` of them, least recently used dropped first.
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

__all__ = ["MAX_BYTES", "Listings", "listings", "page_body"]

V = TypeVar("V")

#: The encoded pages one process keeps, in bytes.
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
    """Values (encoded pages by default) by key, at most ``limit`` bytes of them as ``size`` counts them.

    >>> pages = Listings(limit=10)
    >>> pages.body(("a", 1), lambda: b"12345"), pages.body(("a", 1), lambda: b"other")
    (b'12345', b'12345')
    >>> _ = pages.body(("b", 1), lambda: b"123456789")
    >>> pages.body(("a", 1), lambda: b"new"), pages.get(("b", 1))
    (b'new', None)
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

    def body(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under ``key``, or ``make()`` kept under it now."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def response(self, key: Hashable, make: Callable[[], Page[Any]]) -> Response:
        """The JSON response of the page under ``key`` (``make`` reads it when it is not kept)."""
        body = self.body(key, lambda: page_body(make()))  # type: ignore[arg-type]
        return current_app.response_class(body, mimetype="application/json")


def listings() -> Listings[bytes]:
    """The current app's kept pages (made on first use)."""
    found = current_app.extensions.get("cssnet_listings")
    if found is None:
        found = current_app.extensions.setdefault("cssnet_listings", Listings())
    return found
