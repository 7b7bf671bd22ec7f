"""Two pieces of work at once (network.side_by_side): the child process, its failures, and the report it serves."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from network.side_by_side import can_fork, side_by_side

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def forking() -> None:
    """These tests are about the child process: they need a process that may fork."""
    if not can_fork():
        pytest.fail(f"cannot fork here: platform {sys.platform}, CPUs {len(os.sched_getaffinity(0))}, "
                    f"threads {[t.name for t in threading.enumerate()]}")


def test_there_runs_in_a_child_process_and_its_result_comes_back(forking: None) -> None:
    parent = os.getpid()
    here, there = side_by_side(lambda: (os.getpid(), "here"), lambda: (os.getpid(), {"found": [1, 2, 3]}))
    assert here == (parent, "here")
    assert there[0] != parent
    assert there[1] == {"found": [1, 2, 3]}


def test_apart_false_runs_both_here(forking: None) -> None:
    parent = os.getpid()
    assert side_by_side(os.getpid, os.getpid, apart=False) == (parent, parent)


def test_with_another_thread_running_nothing_forks() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert not can_fork()
        parent = os.getpid()
        assert side_by_side(os.getpid, os.getpid) == (parent, parent)
    finally:
        stop.set()
        thread.join()


def test_an_error_in_the_child_is_raised_here_after_running_there_here(forking: None, tmp_path: Path) -> None:
    calls = tmp_path / "calls"

    def there() -> None:
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        raise ZeroDivisionError("no services to divide")

    with pytest.raises(ZeroDivisionError, match="no services to divide"):
        side_by_side(lambda: "here", there)
    pids = calls.read_text().split()
    assert len(pids) == 2 and pids[1] == str(os.getpid()) and pids[0] != pids[1]


def test_a_child_the_system_ends_is_replaced_by_running_there_here(forking: None) -> None:
    parent = os.getpid()

    def there() -> str:
        if os.getpid() != parent:
            os._exit(9)  # as if the system had ended it
        return "computed here"

    assert side_by_side(lambda: "here", there) == ("here", "computed here")


def test_an_error_here_stops_the_child_and_reaps_it(forking: None, tmp_path: Path) -> None:
    started = tmp_path / "child"

    def there() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    def here() -> None:
        deadline = time.monotonic() + 10
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise ValueError("here failed")

    began = time.monotonic()
    with pytest.raises(ValueError, match="here failed"):
        side_by_side(here, there)
    assert time.monotonic() - began < 20
    with pytest.raises(ProcessLookupError):  # killed and reaped: no process, not even a zombie
        os.kill(int(started.read_text()), 0)


def test_the_report_is_the_same_computed_in_two_processes_or_in_one() -> None:
    """In a fresh process (no other thread, so it forks): the whole report, and one province's, computed side by
    side equal the report computed in one process, on the demo network and a generated one."""
    script = textwrap.dedent("""
        import datetime as dt
        import sys
        import tempfile
        from pathlib import Path
        from bench.generate import generate_network
        from network.analysis import report as R
        from network.graph.project import build_graph, project
        from network.graph.sqlite import SQLiteStore
        from network.service.transfer import seed_demo
        from network.side_by_side import can_fork

        assert can_fork()
        day = dt.date(2026, 11, 30)
        with tempfile.TemporaryDirectory() as folder:
            store = SQLiteStore(Path(folder) / "demo.db")
            seed_demo(store)
            demo = project(store)
            store.close()
        for G in (demo, build_graph(*generate_network(1500, links_per_org=8, seed=3))):
            for province in (None, "Limpopo"):
                R.REPORT_APART_FROM_LINKS = 0
                apart = R.coordination_report(G, as_of=day, province=province)
                R.REPORT_APART_FROM_LINKS = 10 ** 12
                alone = R.coordination_report(G, as_of=day, province=province)
                assert apart == alone, (len(G), province)
                assert apart["findings"] and apart["recommendations"] and apart["structure"]["communities"]
        print("same")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["same"]
