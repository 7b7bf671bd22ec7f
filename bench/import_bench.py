"""Import throughput: CSV files through validation into SQLite, and over Bolt.

    python -m bench.import_bench                       # 100k + 500k into SQLite, 10k + 50k over Bolt
    python -m bench.import_bench --sqlite 10000 --bolt 0

Prints rows per second for the whole `cssnet import` path (read, validate,
one all-or-nothing write), also per CPU second of the process with the load
average (on a shared machine the wall figure depends on the load), and for the
store write alone.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.generate import generate_network, write_csv_files
from bench.run import figure, size_of
from network.graph.sqlite import SQLiteStore
from network.graph.store import GraphStore
from network.service import import_csv


def measure(store: GraphStore, folder: Path, label: str) -> None:
    """Import the two CSV files in ``folder`` into ``store`` and print the throughput."""
    started, cpu = time.perf_counter(), time.process_time()
    result = import_csv(store, folder / "organisations.csv", folder / "links.csv", progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = result.organisations_created + result.links_created
    print(f"{label}: {result.organisations_created:,} organisations + {result.links_created:,} links "
          f"in {seconds:.1f} s = {rows / seconds:,.0f} rows/s (read, validate, write); {rows / cpu:,.0f} rows per "
          f"CPU second of this process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    figure(f"import CSV into {label} (read, validate, write)",
           size_of(result.organisations_created, result.links_created),
           f"{rows / seconds:,.0f} rows/s ({rows / cpu:,.0f} per CPU second, load {os.getloadavg()[0]:.1f})")


def measure_write(store: GraphStore, n: int, label: str) -> None:
    """Time the store's bulk upsert alone on a generated network."""
    organisations, links = generate_network(n, seed=2)
    started = time.perf_counter()
    store.upsert(organisations, links)
    seconds = time.perf_counter() - started
    print(f"{label}: store.upsert of {len(organisations) + len(links):,} rows in {seconds:.1f} s = "
          f"{(len(organisations) + len(links)) / seconds:,.0f} rows/s", flush=True)
    figure(f"{label} store.upsert alone", size_of(len(organisations), len(links)),
           f"{(len(organisations) + len(links)) / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", type=int, default=100_000, help="organisations for the SQLite run (0 skips)")
    parser.add_argument("--bolt", type=int, default=10_000, help="organisations for the Bolt run (0 skips)")
    parser.add_argument("--links-per-org", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n, backend in ((args.sqlite, "sqlite"), (args.bolt, "bolt")):
            if not n:
                continue
            folder = root / f"{backend}-csv"
            organisations, links = generate_network(n, links_per_org=args.links_per_org, seed=1)
            write_csv_files(organisations, links, folder)
            del organisations, links
            if backend == "sqlite":
                store = SQLiteStore(root / "bench.db")
                measure(store, folder, "SQLite")
                store.close()
                measure_write(SQLiteStore(root / "write.db"), n, "SQLite")
            else:
                from network.graph.neo4j import Neo4jStore
                from tests.bolt_server import start_bolt_server

                server = start_bolt_server(root / "arcadedb")
                try:
                    store = Neo4jStore(server.uri, user=server.user, password=server.password,
                                       database=server.database)
                    measure(store, folder, "Bolt (ArcadeDB)")
                    store.close()
                finally:
                    server.stop()


if __name__ == "__main__":
    main()
