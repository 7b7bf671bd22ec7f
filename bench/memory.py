"""The peak memory of a piece of work together with the processes it forks.

    with MemoryWatch() as watch:
        ...                                   # the work, forks included
    print(watch.peak_mb)

A process's own peak (max RSS) misses the child that the coordination report
forks (:mod:`network.side_by_side`), and adding the child's max RSS counts
twice every page the two share. So a watcher process (a thread would stop
the report from forking) sums the proportional set size (``Pss`` of
``/proc/PID/smaps_rollup``: each shared page counted once, split among the
processes sharing it) of this process and of its children but the watcher,
every few hundredths of a second. Reading it walks the page tables (some 20 ms
per gigabyte), so a watch slows the work: time it without one.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from types import TracebackType

__all__ = ["MemoryWatch"]

class MemoryWatch:
    """Watch this process and its children from a watcher process while the body runs; ``peak_mb`` after it.

    ``interval`` is the seconds between two samples: a peak shorter than that may be missed.
    """

    peak_mb: float

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval

    def __enter__(self) -> MemoryWatch:
        self._watcher = subprocess.Popen([sys.executable, "-m", "bench.memory", str(os.getpid()), str(self.interval)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._watcher.stdout is not None
        self._watcher.stdout.readline()  # it has taken its first sample
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        out, _ = self._watcher.communicate("")
        self.peak_mb = int(out.split()[-1]) / 1024


def _tree(pid: int, leave_out: int) -> list[int]:
    """``pid`` and its descendants, but ``leave_out``."""
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [p for child in f.read().split() if (c := int(child)) != leave_out for p in _tree(c, leave_out)]
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):  # it ended between the listing and the reading
        pass
    return 0


def _watch(pid: int, interval: float) -> None:
    """Sample ``pid``'s tree until standard input closes; print the largest total, in kB."""
    def sample() -> int:
        try:
            return sum(map(_pss_kb, _tree(pid, os.getpid())))
        except (FileNotFoundError, ProcessLookupError):
            return 0

    peak = sample()
    print("watching", flush=True)
    while not select.select([sys.stdin], [], [], interval)[0]:
        peak = max(peak, sample())
    print(max(peak, sample()), flush=True)


if __name__ == "__main__":
    _watch(int(sys.argv[1]), float(sys.argv[2]))
