"""Shared fixtures: real stores (a SQLite file, a Bolt server in its own process)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from network.graph.sqlite import SQLiteStore
from network.service import seed_demo

# Property tests are judged on what they find, not on speed: a busy 2-core CI machine must not fail them.
settings.register_profile("cssnet", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cssnet")

#: The backends every store-contract test runs on; the Bolt one carries the ``bolt`` marker at
#: collection time, so ``-m bolt`` selects it and ``-m "not bolt"`` leaves it out.
STORE_BACKENDS = ["sqlite", pytest.param("bolt", marks=pytest.mark.bolt)]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts or uses a Bolt server ``bolt`` before ``-m`` selects."""
    for item in items:
        uses_server = "bolt_server" in getattr(item, "fixturenames", ())
        if uses_server or item.path.name == "test_bolt_server_smoke.py":
            item.add_marker(pytest.mark.bolt)


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    """Connection details of a real Bolt server for the whole test session.

    With ``NEO4J_URI`` set, that server (a real Neo4j 5) is used; otherwise an
    ArcadeDB server from ``arcadedb-embedded`` is started in a child process.
    """
    if os.environ.get("NEO4J_URI"):
        yield {
            "uri": os.environ["NEO4J_URI"],
            "user": os.environ.get("NEO4J_USER", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD", ""),
            "database": os.environ.get("NEO4J_DATABASE") or None,
        }
        return
    from tests.bolt_server import start_bolt_server

    server = start_bolt_server(tmp_path_factory.mktemp("arcadedb"))
    try:
        yield {"uri": server.uri, "user": server.user, "password": server.password,
               "database": server.database}
    finally:
        server.stop()


@pytest.fixture(scope="session")
def bolt_store_session(bolt_server: dict[str, str | None]) -> Iterator[object]:
    """One Neo4j adapter (one driver) for the whole session."""
    from network.graph.neo4j import Neo4jStore

    store = Neo4jStore(bolt_server["uri"], user=bolt_server["user"], password=bolt_server["password"],
                       database=bolt_server["database"])
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def bolt_wipe(bolt_server: dict[str, str | None]) -> Iterator[object]:
    """Delete every node of the Bolt database (organisations, tokens, audit, history), with a driver of its own.

    The store's counters (``CssnetMeta``) stay, as the store created them when it opened.
    """
    import neo4j

    driver = neo4j.GraphDatabase.driver(bolt_server["uri"], auth=(bolt_server["user"], bolt_server["password"]))

    def wipe() -> None:
        with driver.session(database=bolt_server["database"]) as session:
            session.execute_write(lambda tx: tx.run("MATCH (n) WHERE NOT n:CssnetMeta DETACH DELETE n").consume())

    try:
        yield wipe
    finally:
        driver.close()


def make_sqlite_store(path: Path) -> SQLiteStore:
    """A SQLite store on a fresh file."""
    return SQLiteStore(path)


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An empty store of each backend: a temporary SQLite file, and the Bolt server (wiped whole)."""
    if request.param == "sqlite":
        sqlite_store = make_sqlite_store(tmp_path / "contract.db")
        yield sqlite_store
        sqlite_store.close()
        return
    bolt_store = request.getfixturevalue("bolt_store_session")
    wipe = request.getfixturevalue("bolt_wipe")
    wipe()
    yield bolt_store
    wipe()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """An empty SQLite store on a temporary file."""
    s = make_sqlite_store(tmp_path / "cssnet.db")
    yield s
    s.close()


@pytest.fixture
def env_options() -> dict[str, object]:
    """Options of the ``env`` fixture (``seeded``, ``config``); a test module overrides this to configure its app."""
    return {}


@pytest.fixture
def env(tmp_path: Path, env_options: dict[str, object]) -> Iterator[object]:
    """An app on a seeded SQLite file with one token per role (``tests.api_support.Env``), closed afterwards."""
    from tests.api_support import env_fixture

    yield from env_fixture(tmp_path, **env_options)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file seeded with the demo network, once per test module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = SQLiteStore(path)
    seed_demo(store)
    store.close()
    return path


@pytest.fixture(scope="module")
def demo_store(demo_path: Path) -> Iterator[SQLiteStore]:
    """The demo network in an open SQLite store (the file of ``demo_path``), once per test module."""
    store = SQLiteStore(demo_path)
    yield store
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for one test module (``tests.http_support.chromium``)."""
    from tests.http_support import chromium

    with chromium() as launched:
        yield launched
