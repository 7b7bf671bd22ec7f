"""Two pieces of one analysis at once: one in this process, the other in a forked copy of it."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import NoReturn, TypeVar

__all__ = ["can_fork", "side_by_side"]

A = TypeVar("A")
B = TypeVar("B")


def can_fork() -> bool:
    """Whether :func:`side_by_side` may run a piece in a child process now.

    Only on Linux (where a forked child is a safe copy of a process that uses
    no system frameworks), with at least two CPUs for this process, and with
    no other Python thread running: a thread holding a lock when the process
    forks leaves the child's copy of that lock held for ever. So a server,
    with its request threads, runs the pieces one after the other; the
    command line and the benchmarks run them at once.
    """
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) >= 2 and threading.active_count() == 1


def side_by_side(here: Callable[[], A], there: Callable[[], B], *, apart: bool = True) -> tuple[A, B]:
    """``(here(), there())``, the two computed at the same time when they can be.

    Parameters
    ----------
    here, there : callables of no arguments
        Two independent pieces of work. ``there`` must not change anything
        ``here`` reads, and its result must pickle.
    apart : bool, default True
        False runs them one after the other (for work too small to be worth a
        process).

    Returns
    -------
    tuple
        ``(here(), there())``, the same whichever way they ran.

    Notes
    -----
    ``there`` runs in a child process forked from this one: it sees every
    object this process has built (the graph and the views of it), without
    a copy but of the memory pages it writes to; its result comes back
    pickled through a pipe while ``here`` runs in this process (a thread
    here reads it as it comes, so a child that is done leaves at once and
    its memory is free while ``here`` goes on). When
    :func:`can_fork` says no, or ``apart`` is false, ``there`` runs here
    after ``here``. When the child fails (an error, or the system ends it),
    ``there`` runs here too, so its error is raised here, with its
    traceback. If ``here`` fails, the child is stopped before the error goes
    on.

    Examples
    --------
    >>> import os
    >>> here, there = side_by_side(os.getpid, os.getpid)
    >>> here == os.getpid() and (there != here) == can_fork()
    True
    """
    if not (apart and can_fork()):
        return here(), there()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(read, write, there)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.append(pipe.read()), name="cssnet-side-by-side")
        reader.start()
        try:
            mine = here()
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            raise
        finally:
            reader.join()
            _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0 and received and received[0]:
        return mine, pickle.loads(received[0])
    return mine, there()


def _child(read: int, write: int, there: Callable[[], B]) -> NoReturn:
    """Run ``there``, write its result pickled to ``write`` and leave at once: no ``atexit`` handler, no flush of
    what this process inherited."""
    code = 1
    try:
        os.close(read)
        payload = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)
