"""Results remembered per store revision: a write to the store makes every remembered result stale at once.

A result computed afresh passes the gate on heavy work (``gate.heavy``) first,
once: callers asking for a result another thread is computing wait for it
instead of computing it again (after an edit, several people opening the same
dashboard cost one computation, not one each).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from network.graph.store import GraphStore

from .gate import heavy

__all__ = ["Memo"]

T = TypeVar("T")


class Memo:
    """The ``room`` most recent results per store, each for the store revision it was computed at.

    Callers must not modify a result: the next caller with the same key gets the same object.
    A caller asking for a result being computed waits for it; if that computation fails, the
    next waiting caller computes it itself.

    >>> import tempfile, pathlib
    >>> from network.graph.sqlite import SQLiteStore
    >>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "memo.db")
    >>> memo, calls = Memo(2), []
    >>> [memo(store, "k", lambda: calls.append(1) or len(calls)) for _ in range(3)]
    [1, 1, 1]
    >>> store.close()
    """

    def __init__(self, room: int) -> None:
        self.room = room
        self._results: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = (
            weakref.WeakKeyDictionary())
        self._running: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], threading.Event]] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def __call__(self, store: GraphStore, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, or what it gave before for ``key`` at the store's current revision."""
        full = (store.revision(), key)
        while True:
            found, other = self._found(store, full)
            if found:
                return found[0]
            if other is None:
                with heavy():  # a place first, so no one waits on a computation that waits for a place
                    found, other = self._found(store, full, claim=True)
                    if found:
                        return found[0]
                    if other is None:
                        return self._compute(store, full, compute)
            other.wait()

    def _found(self, store: GraphStore, full: tuple[Any, ...], *, claim: bool = False
               ) -> tuple[tuple[Any] | tuple[()], threading.Event | None]:
        """``((result,), None)`` if remembered, else ``((), event)`` of the computation under way, if any.

        With ``claim``, a computation not under way is marked as this caller's (``((), None)``).
        """
        with self._lock:
            results = self._results.setdefault(store, OrderedDict())
            if full in results:
                results.move_to_end(full)
                return (results[full],), None
            running = self._running.setdefault(store, {})
            other = running.get(full)
            if other is None and claim:
                running[full] = threading.Event()
            return (), other

    def _compute(self, store: GraphStore, full: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` remembered under ``full``; then whoever waits for it is woken."""
        try:
            value = compute()
            with self._lock:
                results = self._results.setdefault(store, OrderedDict())
                results[full] = value
                while len(results) > self.room:
                    results.popitem(last=False)
            return value
        finally:
            with self._lock:
                done = self._running[store].pop(full)
            done.set()
