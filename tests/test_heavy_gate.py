"""Issue 17 item 9 over HTTP: heavy analyses are bounded per process; beyond the bound, 503 with Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from network.api import close_store
from network.service.gate import Gate, heavy
from tests.api_support import Env, make_env
from tests.http_support import live_server

TIMEOUT = 60


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Env, str]]:
    """A live server whose gate has one place and waits a tenth of a second."""
    narrow = Gate(1, wait=0.1)
    for name in ("room", "wait", "_places", "_held"):
        monkeypatch.setattr(heavy, name, getattr(narrow, name))
    env = make_env(tmp_path / "gate.db")
    try:
        with live_server(env.app) as base:
            yield env, base
    finally:
        close_store(env.app)


def _held() -> tuple[threading.Event, threading.Thread]:
    """Another computation holding the gate's one place until the event is set."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with heavy():
            taken.set()
            release.wait(TIMEOUT)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(TIMEOUT)
    return release, thread


def test_beyond_the_bound_an_analysis_is_503_with_retry_after(served: tuple[Env, str]) -> None:
    _, base = served
    remembered = requests.get(f"{base}/api/v1/analysis/gaps", timeout=TIMEOUT)
    assert remembered.status_code == 200
    release, thread = _held()
    try:
        again = requests.get(f"{base}/api/v1/analysis/gaps", timeout=TIMEOUT)
        fresh = requests.get(f"{base}/api/v1/analysis/gaps?as_of=2025-06-30", timeout=TIMEOUT)
        page = requests.get(f"{base}/findings/duplication", timeout=TIMEOUT)
    finally:
        release.set()
        thread.join(TIMEOUT)
    assert again.status_code == 200 and again.json() == remembered.json()
    assert fresh.status_code == 503 and fresh.headers["Retry-After"].isdigit()
    assert "busy" in fresh.json()["message"] and fresh.headers["X-Content-Type-Options"] == "nosniff"
    assert page.status_code == 503 and "busy" in page.text and page.headers["Retry-After"].isdigit()
    assert requests.get(f"{base}/api/v1/analysis/gaps?as_of=2025-06-30", timeout=TIMEOUT).status_code == 200
