"""Results remembered per store revision (network.service.memo): computed once however many ask at once,
computed again after a write, and computed by a waiting caller when the first computation failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.graph.sqlite import SQLiteStore
from network.model import Organisation
from network.service.memo import Memo


class AskedStore(SQLiteStore):
    """A SQLite store that counts how often its revision was asked (each caller of a memo asks it once)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.asked = threading.Semaphore(0)

    def revision(self) -> int:
        found = super().revision()
        self.asked.release()
        return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AskedStore]:
    opened = AskedStore(tmp_path / "memo.db")
    yield opened
    opened.close()


def _ask_while_computing(store: AskedStore, memo: Memo, first: object) -> tuple[list[object], list[int]]:
    """Two callers ask for the same key; the second asks while the first is still computing ``first``."""
    go, calls, got = threading.Event(), [], []

    def compute() -> object:
        calls.append(1)
        if len(calls) == 1:
            assert go.wait(timeout=30)
            if isinstance(first, Exception):
                raise first
            return first
        return "computed again"

    def ask() -> None:
        try:
            got.append(memo(store, "k", compute))
        except ValueError as err:
            got.append(err)

    callers = [threading.Thread(target=ask) for _ in range(2)]
    callers[0].start()
    assert store.asked.acquire(timeout=30)  # the first caller is computing
    callers[1].start()
    assert store.asked.acquire(timeout=30)  # the second has asked too
    time.sleep(0.2)  # let it reach the wait (were it to compute instead, calls would count 2 below)
    go.set()
    for caller in callers:
        caller.join(timeout=30)
    return got, calls


def test_a_result_being_computed_is_waited_for_not_computed_again(store: AskedStore) -> None:
    result = {"findings": []}
    got, calls = _ask_while_computing(store, Memo(4), result)
    assert len(calls) == 1
    assert len(got) == 2 and got[0] is result and got[1] is result


def test_when_the_first_computation_fails_the_waiting_caller_computes_it(store: AskedStore) -> None:
    got, calls = _ask_while_computing(store, Memo(4), ValueError("broken"))
    assert len(calls) == 2
    assert sorted(map(str, got)) == ["broken", "computed again"]


def test_a_write_makes_the_result_computed_again(store: AskedStore) -> None:
    memo, calls = Memo(4), []
    assert memo(store, "k", lambda: calls.append(1) or len(calls)) == 1
    assert memo(store, "k", lambda: calls.append(1) or len(calls)) == 1
    store.upsert([Organisation("cbo-a", "Hope CBO", "cbo")], [])
    assert memo(store, "k", lambda: calls.append(1) or len(calls)) == 2
