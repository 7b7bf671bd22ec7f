"""Every benchmark in one run, and one table of their figures.

    python -m bench.run                   # each benchmark's own sizes (10k and 50k organisations: long)
    python -m bench.run --quick           # small sizes: a minute or two in all
    python -m bench.run --sizes 10000     # every sized benchmark at 10,000 organisations
    python -m bench.run --only analysis_bench,load
    python -m bench.run --only regional   # opt-in: 250,000 organisations / 2,500,000 links (bench/regional.py)

Each benchmark runs as ``python -m bench.<name>`` in a process of its own (so
its peak memory is its own), bounded in time. Its own report goes to stderr
as it runs; the lines it prints with :func:`figure` are collected, and once all
have run one Markdown table of figures (what, size, figure) is printed to
stdout. The igraph floor (``bench.floor``) is measured by ``bench.analysis_bench``
on the same generated network in the same process as the report, so the
report / floor ratio comes from one run. A benchmark that fails is a row
saying so, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["figure", "size_of", "BENCHMARKS", "main"]

#: The mark of a figure line: ``figure<TAB>what<TAB>size<TAB>figure``.
MARK = "figure"


def figure(what: str, size: str, value: str) -> None:
    """Print one figure as a line ``bench.run`` collects (tabs and newlines in the parts become spaces)."""
    parts = (MARK, what, size, value)
    print("\t".join(" ".join(str(p).split()) for p in parts), flush=True)


def size_of(organisations: int, links: int | None = None) -> str:
    """A network's size in words: ``10,000 orgs / 100,000 links``."""
    return f"{organisations:,} orgs" + ("" if links is None else f" / {links:,} links")


@dataclass(frozen=True)
class Benchmark:
    """One benchmark module and its arguments: quick, at given sizes (one run per list), and otherwise."""

    module: str
    quick: tuple[str, ...]
    at: Callable[[list[int]], list[list[str]]] | None = None
    default: tuple[str, ...] = ()
    #: Runs only when named with ``--only`` (the regional run: 250,000 organisations, most of an hour).
    opt_in: bool = False


def _each(*options: str) -> Callable[[list[int]], list[list[str]]]:
    """Arguments giving each of the sizes to ``options`` (all of them the same count), one run per size."""
    return lambda sizes: [[part for option in options for part in (option, str(n))] for n in sizes]


def _joined(option: str, *rest: str) -> Callable[[list[int]], list[list[str]]]:
    """Arguments giving all the sizes to ``option`` at once, comma-separated, in one run."""
    return lambda sizes: [[option, ",".join(str(n) for n in sizes), *rest]]


BENCHMARKS = (
    Benchmark("bench.analysis_bench", ("--sizes", "1000"), _joined("--sizes")),
    Benchmark("bench.import_bench", ("--sqlite", "2000", "--bolt", "1000"), _each("--sqlite", "--bolt")),
    Benchmark("bench.io", ("--organisations", "1000"), _each("--organisations")),
    Benchmark("bench.load", ("--organisations", "1000", "--seconds", "3", "--requests", "500"),
              _each("--organisations")),
    Benchmark("bench.load", ("--organisations", "1000", "--seconds", "3", "--requests", "500", "--workers", "2"),
              lambda sizes: [["--organisations", str(n), "--workers", "2"] for n in sizes], ("--workers", "2")),
    Benchmark("bench.render", ("--sizes", "--runs", "1"),
              lambda sizes: [["--sizes", *(str(n) for n in sizes)]]),
    Benchmark("bench.dedup", ()),
    Benchmark("bench.referrals", ("--referrals", "10000", "--organisations", "1000")),
    Benchmark("bench.surveys", ("--organisations", "1000", "--runs", "1"), _each("--organisations")),
    Benchmark("bench.edits", ("--organisations", "1000", "--rounds", "1", "--whole-gaps"),
              lambda sizes: [["--organisations", str(n), "--whole-gaps"] for n in sizes], ("--whole-gaps",)),
    Benchmark("bench.regional", ("--organisations", "3000", "--deadline", "8"), _each("--organisations"),
              ("--deadline", "90"), opt_in=True),
)


def run(module: str, args: Sequence[str], timeout: float) -> tuple[list[tuple[str, str, str]], str | None]:
    """Run ``python -m module args``; its figures, and why it failed (None when it did not)."""
    command = [sys.executable, "-m", module, *args]
    print(f"== {' '.join(command[1:])}", file=sys.stderr, flush=True)
    found: list[tuple[str, str, str]] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        killed: list[bool] = []
        watchdog = threading.Timer(timeout, lambda: killed.append(True) or child.kill())
        watchdog.start()
        try:
            for line in child.stdout:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == MARK and len(parts) == 4:
                    found.append((parts[1], parts[2], parts[3]))
                else:
                    print(f"   {line}", end="", file=sys.stderr, flush=True)
            status = child.wait()
        finally:
            watchdog.cancel()
    if killed:
        return found, f"stopped after {timeout:.0f} s"
    return found, None if status == 0 else f"failed (exit {status})"


def table(rows: Sequence[tuple[str, str, str]]) -> str:
    """The rows as a Markdown table (what, size, figure).

    >>> print(table([("report", "1,000 orgs", "0.40 s")]))
    | what   | size       | figure |
    |--------|------------|--------|
    | report | 1,000 orgs | 0.40 s |
    """
    header = ("what", "size", "figure")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(3)]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in (header, *rows)]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks chosen and print the table; 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute or two in all")
    parser.add_argument("--sizes", help="comma-separated organisation counts for every sized benchmark")
    parser.add_argument("--only", help="comma-separated benchmark names (e.g. analysis_bench,load)")
    parser.add_argument("--timeout", type=float, help="seconds each benchmark run may take "
                                                      "(default 600 with --quick, else 7200)")
    args = parser.parse_args(argv)
    if args.quick and args.sizes:
        parser.error("give --quick or --sizes, not both")
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else None
    chosen = {f"bench.{name.strip()}" for name in args.only.split(",")} if args.only else None
    timeout = args.timeout or (600 if args.quick else 7200)
    rows: list[tuple[str, str, str]] = []
    failed = False
    started = time.monotonic()
    for bench in BENCHMARKS:
        if (chosen is None and bench.opt_in) or (chosen is not None and bench.module not in chosen):
            continue
        if args.quick:
            runs = [list(bench.quick)]
        elif sizes and bench.at is not None:
            runs = bench.at(sizes)
        else:
            runs = [list(bench.default)]
        for options in runs:
            found, problem = run(bench.module, options, timeout)
            rows.extend(found)
            if problem:
                failed = True
                rows.append((bench.module, " ".join(options) or "default sizes", problem))
    print(f"== all benchmarks in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(rows), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
