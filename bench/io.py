"""Export and import throughput of every format, into and out of SQLite.

    python -m bench.io                          # 10k organisations / 100k links
    python -m bench.io --organisations 2000 --formats csv,json

For each format: export the whole network to bytes, then (for the importable
formats) import those bytes into an empty SQLite store -- read, validate and
one all-or-nothing write. Prints rows (organisations + links) per second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.generate import generate_network
from bench.run import figure, size_of
from network.graph.sqlite import SQLiteStore
from network.io.formats import EXPORT_FORMATS, IMPORT_FORMATS, export_bytes, import_bytes

_UPLOAD = {"csv": "cssnet-csv.zip", "xlsx": "cssnet.xlsx", "json": "cssnet.json", "graphml": "cssnet.graphml"}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one line per format and direction."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--links-per-org", type=float, default=10.0)
    parser.add_argument("--formats", default=",".join(EXPORT_FORMATS), help="comma-separated formats")
    args = parser.parse_args(argv)
    organisations, links = generate_network(args.organisations, links_per_org=args.links_per_org, seed=1)
    rows = len(organisations) + len(links)
    size = size_of(len(organisations), len(links))
    print(f"network: {len(organisations):,} organisations + {len(links):,} links = {rows:,} rows", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = SQLiteStore(Path(tmp) / "source.db")
        source.upsert(organisations, links)
        del organisations, links
        for fmt in args.formats.split(","):
            started = time.perf_counter()
            content, _, _ = export_bytes(source, fmt, hide_protected=False)
            seconds = time.perf_counter() - started
            print(
                f"{fmt:8} export: {seconds:6.1f} s  {rows / seconds:10,.0f} rows/s  "
                f"{len(content) / 2**20:7.1f} MB",
                flush=True,
            )
            figure(f"export {fmt}", size, f"{rows / seconds:,.0f} rows/s, {len(content) / 2**20:.1f} MB")
            if fmt not in IMPORT_FORMATS:
                continue
            target = SQLiteStore(Path(tmp) / f"{fmt}.db")
            started = time.perf_counter()
            result = import_bytes(target, fmt, {_UPLOAD[fmt]: content})
            seconds = time.perf_counter() - started
            written = result.organisations_created + result.links_created
            assert written == rows, (fmt, written, rows)
            print(
                f"{fmt:8} import: {seconds:6.1f} s  {rows / seconds:10,.0f} rows/s  (read, validate, write)",
                flush=True,
            )
            figure(f"import {fmt} (read, validate, write)", size, f"{rows / seconds:,.0f} rows/s")
            target.close()
        source.close()


if __name__ == "__main__":
    main()
