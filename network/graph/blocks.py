"""The thread's unit-of-work state both adapters keep: how deep the blocks nest and who writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from network.graph.store import SYSTEM_ACTOR

__all__ = ["ThreadBlocks"]


class ThreadBlocks:
    """A mixin of the stores: ``_local`` holds, per thread, ``depth`` (nested ``transaction()`` blocks),
    ``actor`` (who writes in them) and ``network`` (whether an organisation or link was written)."""

    _local: threading.local

    def _actor(self) -> str:
        return getattr(self._local, "actor", SYSTEM_ACTOR)

    @contextmanager
    def _joined(self) -> Iterator[None]:
        """A block opened inside another: it joins the outer one, which alone commits or rolls back."""
        self._local.depth += 1
        try:
            yield
        finally:
            self._local.depth -= 1
