"""The GC pause under threads: the collector is back on once every paused body has ended, whatever the order;
and the memory freed in a pause goes back to the operating system when the last pause ends."""

from __future__ import annotations

import gc
import os
import sys
import threading

from network.gcpause import gc_paused


def test_a_pause_outlasting_another_threads_pause_keeps_the_collector_off() -> None:
    """The first thread to pause leaves first; the second is still building, so the collector stays off."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_in.wait()
        first_out.set()

    def second() -> None:
        first_in.wait()
        with gc_paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [False]
    assert gc.isenabled()


def test_many_threads_pausing_at_random_leave_the_collector_on() -> None:
    def work() -> None:
        for _ in range(200):
            with gc_paused():
                assert not gc.isenabled()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_memory_freed_in_a_pause_goes_back_to_the_operating_system() -> None:
    """200 MB of 2 KB blocks (from malloc, not Python's small-object arenas) freed while a newer block pins the
    heap's top: free() alone keeps them as free heap; the end of the pause hands them back (glibc, as on CI)."""
    assert sys.platform == "linux"
    with gc_paused():
        blocks = [bytes(2048) for _ in range(100_000)]
        pin = bytes(2048)
        full = _resident_mb()
        del blocks
        kept = _resident_mb()
    back = _resident_mb()
    assert kept > full - 50, "free() alone returned the blocks: this test no longer shows the trim"
    assert back < full - 150
    assert len(pin) == 2048
