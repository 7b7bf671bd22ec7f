"""Two pieces of work at once (network.side_by_side): the child process, its failures, and the report it serves.

The cases that fork run in a new process each (tests/side_by_side_support.py): the test session has threads
and child processes of its own, and a process with other threads does not fork.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from network.side_by_side import can_fork, side_by_side
from tests.fresh_process import in_fresh_process

CASES = "tests.side_by_side_support"


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


@pytest.mark.parametrize("case", ["there_runs_in_a_child_process_and_its_result_comes_back",
                                  "apart_false_runs_both_here",
                                  "a_child_the_system_ends_is_replaced_by_running_there_here",
                                  "the_report_is_the_same_computed_in_two_processes_or_in_one"])
def test_in_a_process_that_forks(case: str) -> None:
    in_fresh_process(f"{CASES}:{case}")


@pytest.mark.parametrize("case", ["an_error_in_the_child_is_raised_here_after_running_there_here",
                                  "an_error_here_stops_the_child_and_reaps_it",
                                  "a_child_that_is_done_leaves_while_here_goes_on"])
def test_in_a_process_that_forks_with_a_folder(case: str, tmp_path: Path) -> None:
    in_fresh_process(f"{CASES}:{case}", str(tmp_path))
