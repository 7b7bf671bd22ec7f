"""The store an app serves: opened lazily once per app, closed when the app is done with it."""

from __future__ import annotations

import threading
import weakref

from flask import Flask, current_app

from network.graph.open import open_store
from network.graph.store import GraphStore

__all__ = ["StoreHolder", "init_store", "get_store", "store_of", "close_store"]

_KEY = "cssnet"


class StoreHolder:
    """Opens the store named by ``location`` on first use, once, and closes it on demand.

    A store handed in already open belongs to the caller: the holder never closes it.
    """

    def __init__(self, location: str | None, store: GraphStore | None = None):
        self.location = location
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    @property
    def store(self) -> GraphStore:
        """The open store (opened now if this is the first use)."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.location)
        return self._store

    def close(self) -> None:
        """Close the store if this holder opened it."""
        with self._lock:
            if self._store is not None and self._owned:
                self._store.close()
                self._store = None


def init_store(app: Flask) -> None:
    """Register a store holder for ``app`` (``STORE`` may be a location or an open store)."""
    configured = app.config.get("STORE")
    if isinstance(configured, str) or configured is None:
        holder = StoreHolder(configured)
    else:
        holder = StoreHolder(None, configured)
    app.extensions[_KEY] = holder
    weakref.finalize(app, holder.close)


def get_store() -> GraphStore:
    """The current app's store."""
    return store_of(current_app)


def store_of(app: Flask) -> GraphStore:
    """``app``'s store (opened now if this is the first use)."""
    return app.extensions[_KEY].store


def close_store(app: Flask) -> None:
    """Close ``app``'s store (the next request would open it again)."""
    app.extensions[_KEY].close()
