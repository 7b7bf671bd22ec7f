"""The cases of tests/test_bench_memory.py, each run in a new process (tests/fresh_process.py): the test
session's own children (the Bolt server) would be counted with the ones a case makes."""

from __future__ import annotations

import os
import time

from bench.memory import MemoryWatch

MB = 1024 * 1024


def _held(megabytes: int) -> bytearray:
    """Memory really in use (``bytearray`` writes every byte)."""
    return bytearray(megabytes * MB)


def _pss_mb() -> float:
    with open("/proc/self/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024


def the_peak_counts_what_the_process_held_then_freed() -> None:
    before = _pss_mb()
    with MemoryWatch() as watch:
        block = _held(300)
        time.sleep(0.3)
        del block
    assert 300 - 10 <= watch.peak_mb - before < 300 + 50, watch.peak_mb - before


def the_peak_counts_a_forked_child_and_the_pages_it_shares_once() -> None:
    shared = _held(200)  # written before the fork and only read after: in both processes, counted once
    before = _pss_mb()
    with MemoryWatch() as watch:
        child = os.fork()
        if child == 0:
            try:
                kept = _held(150)
                time.sleep(0.5)
                del kept
            finally:
                os._exit(0)
        os.waitpid(child, 0)
    assert len(shared) == 200 * MB
    assert 150 - 10 <= watch.peak_mb - before < 150 + 50, watch.peak_mb - before  # 200 more if counted twice
