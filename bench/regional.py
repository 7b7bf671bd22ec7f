"""Regional scale: 250,000 organisations and 2,500,000 links, from CSV files to the agenda.

    python -m bench.regional                                  # 250,000 organisations, 10 links each
    python -m bench.regional --organisations 20000            # a rehearsal
    python -m bench.run --only regional                       # the same, as a row of the table (opt-in)

Generates the network (bench/generate.py, in a child process) as the two import
CSV files, then times each step on a SQLite file: ``import`` (``import_csv``: read,
validate, one all-or-nothing write), ``projection`` (``project``), ``report``
(``report_parts``, its records written as JSON lines to a file one at a time,
as ``cssnet report --format jsonl`` writes them) and ``agenda`` (of the
report's and the upkeep findings). Prints each time, the stream's size and the
peak memory of the process and of the child its report forks. ``--deadline`` bounds the whole run:
past it, the run stops after the step under way with the figures so far.

    python -m bench.regional --store /tmp/regional.db         # projection, report, agenda of a kept store

``--store FILE`` skips generating and importing: it measures the steps after
the import on that SQLite file, building it first (in a child process, by the
store's bulk write, not timed) when it does not exist, to measure again later.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate_network, sadc_countries
from bench.memory import MemoryWatch
from bench.run import figure, size_of
from network.analysis.agenda import agenda
from network.analysis.report import report_lines, report_parts
from network.analysis.upkeep import upkeep
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.service import import_csv


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=250_000)
    parser.add_argument("--links-per-org", type=float, default=10.0)
    parser.add_argument("--deadline", type=float, default=90, help="minutes the whole run may take")
    parser.add_argument("--import-with", choices=("csv", "upsert"), default="csv",
                        help="csv: import_csv (read, validate, write); upsert: the store's bulk write alone")
    parser.add_argument("--store", type=Path, help="a SQLite file of the network to measure (built when missing)")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        _build(args.build, args.organisations, args.links_per_org)
        return 0
    if args.store:
        return _kept(args)
    stop_at = time.monotonic() + args.deadline * 60
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        began = time.perf_counter()
        if args.import_with == "csv":  # in a child process, so the peak memory below is the steps' own
            subprocess.run([sys.executable, "-m", "bench.generate", "--organisations", str(args.organisations),
                            "--links-per-org", str(args.links_per_org), "--seed", "1", "--countries", "sadc",
                            "--out", str(root)],
                           check=True, stdout=subprocess.DEVNULL)
            size = size_of(args.organisations, round(args.organisations * args.links_per_org))
        else:
            organisations, links = generate_network(args.organisations, links_per_org=args.links_per_org, seed=1,
                                                   countries=sadc_countries())
            size = size_of(len(organisations), len(links))
        print(f"{size}: generated ({args.import_with}) in {time.perf_counter() - began:.0f} s; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        steps: list[tuple[str, float]] = []

        def step(name: str, seconds: float, note: str = "") -> bool:
            steps.append((name, seconds))
            print(f"{size}: {name} {seconds:.1f} s{note} (peak so far {_peak_mb():,.0f} MB)", flush=True)
            figure(f"regional {name}", size, f"{seconds:.1f} s{note}")
            if time.monotonic() > stop_at:
                print(f"past the deadline of {args.deadline:g} min: stopping after {name}", flush=True)
                return False
            return True

        store = SQLiteStore(root / "regional.db")
        started, cpu = time.perf_counter(), time.process_time()
        if args.import_with == "csv":
            result = import_csv(store, root / "organisations.csv", root / "links.csv")
            rows, how = result.organisations_created + result.links_created, "import (CSV, validate, write)"
        else:
            store.upsert(organisations, links)
            rows, how = len(organisations) + len(links), "import (store.upsert alone)"
            del organisations, links
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if not step(how, seconds, f", {rows:,} rows, {rows / seconds:,.0f} rows/s ({rows / cpu:,.0f} per CPU "
                    f"second), load average {os.getloadavg()[0]:.1f}"):
            return 1
        if not _after_import(store, root, size, step):
            return 1
        print(f"{size}: steps {sum(s for _, s in steps):.0f} s", flush=True)
    return 0


def _build(path: Path, organisations: int, links_per_org: float) -> None:
    """Write the regional network to a new SQLite store at ``path`` by the store's bulk write."""
    store = SQLiteStore(path)
    store.upsert(*generate_network(organisations, links_per_org=links_per_org, seed=1, countries=sadc_countries()))
    store.close()


def _kept(args: argparse.Namespace) -> int:
    """Projection, report and agenda of the store ``args.store`` (built first when missing)."""
    if not args.store.exists():
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.regional", "--build", str(args.store), "--organisations",
                        str(args.organisations), "--links-per-org", str(args.links_per_org)], check=True)
        print(f"built {args.store} in {time.perf_counter() - began:.0f} s", flush=True)
    store = SQLiteStore(args.store)
    counts = store.counts()
    size = size_of(sum(counts["organisations_by_kind"].values()), sum(counts["links_by_kind"].values()))
    stop_at = time.monotonic() + args.deadline * 60

    def step(name: str, seconds: float, note: str = "") -> bool:
        print(f"{size}: {name} {seconds:.1f} s{note} (peak so far {_peak_mb():,.0f} MB)", flush=True)
        figure(f"regional {name}", size, f"{seconds:.1f} s{note}")
        return time.monotonic() <= stop_at

    with tempfile.TemporaryDirectory() as tmp:
        return 0 if _after_import(store, Path(tmp), size, step) else 1


def _after_import(store: SQLiteStore, root: Path, size: str, step: Callable[..., bool]) -> bool:
    """Time the projection, the report written as JSON lines and the agenda; False when past the deadline.

    Their peak memory is watched (:class:`bench.memory.MemoryWatch`, a sample a second: reading a process of
    several gigabytes takes a tenth of a second), so that the child the report forks is counted too.
    """
    with MemoryWatch(interval=1.0) as watch:
        done = _steps_after_import(store, root, step)
    if done:
        figure("regional peak memory (PSS of the process and the report's child, sampled every second)", size,
               f"{watch.peak_mb:,.0f} MB")
        figure("regional peak memory of the process alone (max RSS)", size, f"{_peak_mb():,.0f} MB")
        print(f"{size}: peak memory {watch.peak_mb:,.0f} MB with the report's child ({_peak_mb():,.0f} MB the "
              "process alone)", flush=True)
    return done


def _steps_after_import(store: SQLiteStore, root: Path, step: Callable[..., bool]) -> bool:
    started = time.perf_counter()
    G = project(store)
    store.close()
    if not step("projection", time.perf_counter() - started):
        return False
    started = time.perf_counter()
    parts = report_parts(G)
    written = 0
    with open(root / "report.jsonl", "w", encoding="utf-8") as out:
        for line in report_lines(parts.records()):
            out.write(line)
            written += len(line)
    note = f", {len(parts.findings):,} findings, {written / 1e6:,.0f} MB of JSON lines"
    if not step("report (written as JSON lines)", time.perf_counter() - started, note):
        return False
    started = time.perf_counter()
    day = parts.as_of
    findings = parts.findings + upkeep(G, as_of=day)
    del parts
    items = agenda(findings, G, as_of=day)
    step("agenda (report and upkeep findings)", time.perf_counter() - started,
         f", {len(items)} items from {len(findings):,} findings")
    return True


if __name__ == "__main__":
    sys.exit(main())
