"""``cssnet serve --workers 2``: two processes on one socket and one store see each other's writes.

The real server runs in its own process group on 127.0.0.1; each client
session keeps its connection, so it talks to one process throughout (``/healthz``
names the process). Both processes warm their caches (an analysis, the
explorer's drawing), an edit goes through one, and the other's next answers show it. Every wait is bounded in
tries and seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from network.graph.sqlite import SQLiteStore
from network.graph.store import GraphStore
from network.model import Organisation
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.http_support import serving, stop

START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30
PIN_TRIES = 1000
PIN_PAUSE_S = 0.05
PIN_TIMEOUT_S = 90
REQUEST_TIMEOUT_S = 120

NEW = {"id": "cbo-k-new", "name": "Kopano Workers CBO", "kind": "cbo", "district": "Waterberg",
       "services": ["hiv_testing"], "populations": ["mineworkers"]}
SEEDED = [Organisation("clinic-k1", "Mogalakwena Clinic", "clinic", district="Waterberg"),
          Organisation("cbo-k2", "Lephalale Youth CBO", "cbo", district="Waterberg")]


def _seed(store: GraphStore) -> str:
    """Two organisations and an admin token; the token's secret."""
    for org in SEEDED:
        store.create_organisation(org)
    return create_token(store, "workers test", "admin", actor=CLI)[1]


@contextmanager
def _server(location: str, env: dict[str, str]) -> Iterator[str]:
    """``cssnet serve --workers 2`` on a free loopback port; its base URL. Stopped (SIGTERM) afterwards."""
    command = [sys.executable, "-c", "from network.cli import main; main()", "--store", location,
               "serve", "--host", "127.0.0.1", "--port", "0", "--workers", "2", "--threads", "4"]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        yield serving(process, START_TIMEOUT_S)[0]
    finally:
        stop(process, STOP_TIMEOUT_S)
        assert process.returncode == 0


def _pinned_sessions(base: str, stack: ExitStack) -> dict[int, requests.Session]:
    """Two sessions whose connections are served by two different processes, by process id."""
    found: dict[int, requests.Session] = {}
    deadline = time.monotonic() + PIN_TIMEOUT_S
    for _ in range(PIN_TRIES):
        if len(found) == 2 or time.monotonic() > deadline:
            break
        session = requests.Session()
        pid = session.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT_S).json()["process"]
        if pid in found:
            session.close()
            time.sleep(PIN_PAUSE_S)  # the other process may still be starting
        else:
            found[pid] = stack.enter_context(session)
    assert len(found) == 2, f"one process answered {PIN_TRIES} connections"
    return found


def _health(session: requests.Session, base: str) -> dict[str, int]:
    return session.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT_S).json()


def _nodes(session: requests.Session, base: str) -> int:
    response = session.get(f"{base}/api/v1/analysis/structure", timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.json()["nodes"]


def _drawn(session: requests.Session, base: str) -> str:
    """The explorer page (its drawing is remembered per store revision)."""
    response = session.get(f"{base}/explore", timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.text


def _check_two_processes_see_each_others_writes(location: str, secret: str, env: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {secret}"}
    with _server(location, env) as base, ExitStack() as stack:
        (pid_a, a), (pid_b, b) = _pinned_sessions(base, stack).items()
        before = {pid: _nodes(s, base) for pid, s in ((pid_a, a), (pid_b, b))}  # each process caches its graph
        assert before[pid_a] == before[pid_b] == len(SEEDED)
        assert not any(NEW["name"] in _drawn(s, base) for s in (a, b))

        created = a.post(f"{base}/api/v1/organisations", json=NEW, headers=auth, timeout=REQUEST_TIMEOUT_S)
        assert created.status_code == 201, created.text
        assert _health(a, base)["process"] == pid_a
        seen = b.get(f"{base}/api/v1/organisations/{NEW['id']}", timeout=REQUEST_TIMEOUT_S)
        assert seen.status_code == 200 and seen.json()["name"] == NEW["name"]
        assert _nodes(b, base) == _nodes(a, base) == len(SEEDED) + 1
        assert NEW["name"] in _drawn(b, base) and NEW["name"] in _drawn(a, base)
        assert _health(b, base)["process"] == pid_b

        gone = b.delete(f"{base}/api/v1/organisations/{NEW['id']}", headers={**auth, "If-Match": seen.headers["ETag"]},
                        timeout=REQUEST_TIMEOUT_S)
        assert gone.status_code == 204, gone.text
        assert a.get(f"{base}/api/v1/organisations/{NEW['id']}", timeout=REQUEST_TIMEOUT_S).status_code == 404
        assert _nodes(a, base) == len(SEEDED) and NEW["name"] not in _drawn(a, base)
        assert _health(a, base)["process"] == pid_a
        # A response without a body closes its connection (waitress): pin two fresh sessions to read again.
        again = _pinned_sessions(base, stack)
        assert set(again) == {pid_a, pid_b}
        assert [_nodes(s, base) for s in again.values()] == [len(SEEDED)] * 2
        assert not any(NEW["name"] in _drawn(s, base) for s in again.values())
        assert len({_health(s, base)["revision"] for s in again.values()}) == 1


def test_two_processes_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "workers.db"
    store = SQLiteStore(path)
    try:
        secret = _seed(store)
    finally:
        store.close()
    _check_two_processes_see_each_others_writes(str(path), secret, {})


def test_two_processes_on_bolt(bolt_server: dict[str, str | None], bolt_store_session: GraphStore,
                               bolt_wipe: object) -> None:
    bolt_wipe()  # type: ignore[operator]
    secret = _seed(bolt_store_session)
    env = {"NEO4J_USER": bolt_server["user"] or "", "NEO4J_PASSWORD": bolt_server["password"] or "",
           "NEO4J_DATABASE": bolt_server["database"] or ""}
    _check_two_processes_see_each_others_writes(str(bolt_server["uri"]), secret, env)


def test_a_worker_that_dies_is_started_again(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "restart.db")
    store.close()
    with _server(str(tmp_path / "restart.db"), {}) as base, ExitStack() as stack:
        pids = set(_pinned_sessions(base, stack))
        time.sleep(6)  # past the start-up grace, so the parent restarts the worker rather than stops
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        answered: set[int] = set()
        deadline = time.monotonic() + PIN_TIMEOUT_S
        for _ in range(PIN_TRIES):
            if len(answered) == 2 or time.monotonic() > deadline:
                break
            with requests.Session() as session:
                answered.add(_health(session, base)["process"])
            time.sleep(PIN_PAUSE_S)
        assert len(answered) == 2 and victim not in answered and len(answered & pids) == 1
