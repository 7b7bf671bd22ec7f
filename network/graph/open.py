"""Open the store a ``CSSNET_STORE`` value or ``--store`` option names."""

from __future__ import annotations

import os

from network.graph.store import GraphStore
from network.translation import translate

__all__ = ["open_store", "DEFAULT_STORE"]

DEFAULT_STORE = "cssnet.db"
_BOLT_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(location: str | None = None) -> GraphStore:
    """Open the store at ``location`` (default ``CSSNET_STORE``, else ``./cssnet.db``).

    A path or ``sqlite:///path`` opens the embedded SQLite store; a ``neo4j://``,
    ``bolt://`` or ``neo4j+s://`` URI opens Neo4j with ``NEO4J_USER``,
    ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` from the environment.
    """
    location = location or os.environ.get("CSSNET_STORE") or DEFAULT_STORE
    if location.startswith(_BOLT_SCHEMES):
        from network.graph.neo4j import Neo4jStore

        return Neo4jStore(
            location,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE") or None,
        )
    from network.graph.sqlite import SQLiteStore

    if location.startswith("sqlite:///"):
        location = location[len("sqlite:///"):]
    elif "://" in location:
        raise ValueError(translate("Unknown store '%(location)s': use a file path, sqlite:///path, bolt:// or neo4j://.",
                                   location=location))
    return SQLiteStore(location)
