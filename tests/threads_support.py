"""Whether a long call in C lets the process's other Python threads run while it works (a server's requests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def others_ran_during(work: Callable[[], Any]) -> tuple[Any, int]:
    """``work()``'s result, and how many times another Python thread ran in the middle half of its time.

    A thread notes the clock as often as it gets the GIL. A call that holds the GIL from start to end leaves no
    note in the middle of its time (the thread may slip in just before it starts or just after it ends).
    """
    notes: list[float] = []
    stop = threading.Event()

    def note() -> None:
        while not stop.is_set():
            notes.append(time.perf_counter())

    thread = threading.Thread(target=note, daemon=True)
    thread.start()
    while not notes:
        time.sleep(0.001)
    began = time.perf_counter()
    found = work()
    ended = time.perf_counter()
    stop.set()
    thread.join()
    quarter = (ended - began) / 4
    return found, sum(began + quarter < t < ended - quarter for t in notes)
