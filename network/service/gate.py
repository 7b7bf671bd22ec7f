"""A bound on heavy work: at most ``room`` analyses computed at once per process, the rest refused as ``Busy``.

A computation that finds no answer remembered (a projection, an analysis, a
drawing) passes the gate first. When every place is taken for longer than a
short wait, the caller gets ``network.errors.Busy`` (the API answers 503 with
``Retry-After``) instead of piling up behind the others. A computation that
calls another inside it holds one place, not two. ``CSSNET_HEAVY_ANALYSES``
sets the room (default 4).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from network.errors import Busy

__all__ = ["Gate", "heavy"]


class Gate:
    """At most ``room`` holders at once; a newcomer waits ``wait`` seconds for a place, then gets ``Busy``.

    >>> gate = Gate(1, wait=0.01)
    >>> with gate():
    ...     with gate():  # the same thread again: no second place
    ...         "inside"
    'inside'
    """

    def __init__(self, room: int, wait: float = 2.0) -> None:
        self.room = room
        self.wait = wait
        self._places = threading.BoundedSemaphore(room)
        self._held = threading.local()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        if not self._places.acquire(timeout=self.wait):
            raise Busy(f"The server is busy with {self.room} other analyses; try again in a moment.")
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            self._places.release()


#: The process's gate for analyses, projections and drawings computed afresh.
heavy = Gate(max(1, int(os.environ.get("CSSNET_HEAVY_ANALYSES", "4") or 4)))
