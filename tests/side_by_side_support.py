"""The cases of tests/test_side_by_side.py that fork, each run in a new process (tests/fresh_process.py)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from network.side_by_side import can_fork, side_by_side


def there_runs_in_a_child_process_and_its_result_comes_back() -> None:
    assert can_fork()
    parent = os.getpid()
    here, there = side_by_side(lambda: (os.getpid(), "here"), lambda: (os.getpid(), {"found": [1, 2, 3]}))
    assert here == (parent, "here")
    assert there[0] != parent
    assert there[1] == {"found": [1, 2, 3]}


def apart_false_runs_both_here() -> None:
    assert can_fork()
    parent = os.getpid()
    assert side_by_side(os.getpid, os.getpid, apart=False) == (parent, parent)


def an_error_in_the_child_is_raised_here_after_running_there_here(folder: str) -> None:
    assert can_fork()
    calls = Path(folder) / "calls"

    def there() -> None:
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        raise ZeroDivisionError("no services to divide")

    try:
        side_by_side(lambda: "here", there)
    except ZeroDivisionError as error:
        assert str(error) == "no services to divide"
    else:
        raise AssertionError("the error was not raised")
    pids = calls.read_text().split()
    assert len(pids) == 2 and pids[1] == str(os.getpid()) and pids[0] != pids[1]


def a_child_the_system_ends_is_replaced_by_running_there_here() -> None:
    assert can_fork()
    parent = os.getpid()

    def there() -> str:
        if os.getpid() != parent:
            os._exit(9)  # as if the system had ended it
        return "computed here"

    assert side_by_side(lambda: "here", there) == ("here", "computed here")


def an_error_here_stops_the_child_and_reaps_it(folder: str) -> None:
    assert can_fork()
    started = Path(folder) / "child"

    def there() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    def here() -> None:
        deadline = time.monotonic() + 10
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise ValueError("here failed")

    began = time.monotonic()
    try:
        side_by_side(here, there)
    except ValueError as error:
        assert str(error) == "here failed"
    else:
        raise AssertionError("the error was not raised")
    assert time.monotonic() - began < 20
    try:
        os.kill(int(started.read_text()), 0)
    except ProcessLookupError:
        return  # killed and reaped: no process, not even a zombie
    raise AssertionError("the child is still there")


def a_child_that_is_done_leaves_while_here_goes_on(folder: str) -> None:
    """The child's result (a megabyte: more than a pipe holds) is read while ``here`` runs, so the child ends
    (a zombie until reaped) before ``here`` does and its memory is free."""
    assert can_fork()
    started = Path(folder) / "child"

    def there() -> bytes:
        started.write_text(str(os.getpid()))
        return b"x" * 1_000_000

    def here() -> str:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if started.exists() and _state(int(started.read_text())) == "Z":
                return "the child had ended"
            time.sleep(0.01)
        return "the child was still there"

    assert side_by_side(here, there) == ("the child had ended", b"x" * 1_000_000)


def _state(pid: int) -> str:
    """The state letter of process ``pid`` (``Z`` for ended and not yet reaped) from ``/proc``."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def the_report_is_the_same_computed_in_two_processes_or_in_one() -> None:
    """The whole report, and one province's, computed side by side equal the report computed in one process, on
    the demo network and a generated one."""
    from bench.generate import generate_network
    from network.analysis import report
    from network.graph.project import build_graph, project
    from network.graph.sqlite import SQLiteStore
    from network.service.transfer import seed_demo

    assert can_fork()
    day = dt.date(2026, 11, 30)
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "demo.db")
        seed_demo(store)
        demo = project(store)
        store.close()
    for G in (demo, build_graph(*generate_network(1500, links_per_org=8, seed=3))):
        for province in (None, "Limpopo"):
            report.REPORT_APART_FROM_LINKS = 0
            apart = report.coordination_report(G, as_of=day, province=province)
            report.REPORT_APART_FROM_LINKS = 10 ** 12
            alone = report.coordination_report(G, as_of=day, province=province)
            assert apart == alone, (len(G), province)
            assert apart["findings"] and apart["recommendations"] and apart["structure"]["communities"]
