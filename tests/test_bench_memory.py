"""bench.memory: the peak memory of a process together with the children it forks (cases in
tests/bench_memory_support.py, each in a new process)."""

from __future__ import annotations

import pytest

from tests.fresh_process import in_fresh_process


@pytest.mark.parametrize("case", ["the_peak_counts_what_the_process_held_then_freed",
                                  "the_peak_counts_a_forked_child_and_the_pages_it_shares_once"])
def test_memory_watch(case: str) -> None:
    in_fresh_process(f"tests.bench_memory_support:{case}")
