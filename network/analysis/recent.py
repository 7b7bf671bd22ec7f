"""The results of the last few calls of a pure kernel, found again when it is called with the same input.

After an edit, most of the network is as it was: a population's reach graph
that the edit did not touch gives the same dominator trees and the same reach
as before. A kernel that keeps its recent results in a :class:`Recent`, keyed
by its whole input, answers such a call without computing. Arrays are keyed
by their :func:`fingerprint` (256 bits of BLAKE2b over every byte, its shape
and its type), not by a sample or a count: two different inputs share a key
with a chance of about 2**-128, and the kept keys cost 32 bytes each, not the
megabytes of a population's reach graph.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import numpy as np

__all__ = ["Recent", "fingerprint", "forget_all"]

T = TypeVar("T")

_every: list[Recent] = []


class Recent(Generic[T]):
    """The results of the last ``size`` distinct inputs of one kernel, the least recently used forgotten first.

    >>> calls = []
    >>> squares = Recent(2)
    >>> [squares.get(n, lambda m: calls.append(m) or m * m, n) for n in (3, 4, 3, 5, 4)], calls
    ([9, 16, 9, 25, 16], [3, 4, 5, 4])
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._found: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        _every.append(self)

    def get(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """The result kept for ``key``, or ``compute(*args)``'s, then kept (callers must not change it)."""
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        found = compute(*args)
        with self._lock:
            self._found[key] = found
            while len(self._found) > self.size:
                self._found.popitem(last=False)
        return found

    def has(self, key: Hashable) -> bool:
        """Whether a result is kept for ``key``."""
        with self._lock:
            return key in self._found

    def forget(self) -> None:
        """Drop every kept result."""
        with self._lock:
            self._found.clear()


def fingerprint(*arrays: np.ndarray) -> bytes:
    """BLAKE2b (32 bytes) of ``arrays``: each one's type, shape and bytes, in order.

    >>> fingerprint(np.array([1, 2])) == fingerprint(np.array([1, 2])) != fingerprint(np.array([[1, 2]]))
    True
    """
    digest = hashlib.blake2b(digest_size=32)
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.digest()


def forget_all() -> None:
    """Drop the kept results of every kernel (a benchmark timing a first computation calls this before it)."""
    for recent in _every:
        recent.forget()
