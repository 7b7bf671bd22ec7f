"""HTTP load on loopback: 8 concurrent clients against a waitress server on the 10k-organisation network.

    python -m bench.load                                  # 10,000 organisations, 8 clients, 15 s per scenario
    python -m bench.load --organisations 2000 --seconds 5

Starts the API with waitress (8 threads) on 127.0.0.1 on a free port, loads the
benchmark network (bench/generate.py) into a temporary SQLite store, warms each
scenario once, then runs each scenario with N client threads (one
requests.Session each), every client bounded by a request count and a time
limit. Prints requests per second and p50/p95 latency per scenario. With
``--workers N`` the server is ``cssnet serve --workers N`` (N processes on one
socket) and each scenario is warmed once in every process.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.generate import generate_network
from bench.run import figure, size_of
from network.api import close_store, create_app
from network.api.serve import serving_in_thread
from network.graph.sqlite import SQLiteStore
from network.model import vocabulary

SCENARIOS: dict[str, Callable[[int], str]] = {
    "GET /api/v1/organisations": lambda i: f"/api/v1/organisations?limit=50&offset={(i * 50) % 5000}",
    "GET /api/v1/organisations?district=..&service=..": lambda i: (
        f"/api/v1/organisations?district={_DISTRICTS[i % len(_DISTRICTS)]}&service=tb_screening"),
    "GET /api/v1/analysis/pathways": lambda i: (
        "/api/v1/analysis/pathways?population=mineworkers&needs=tb_screening&needs=tb_treatment"
        f"&needs=social_grant_linkage&district={_DISTRICTS[i % len(_DISTRICTS)]}"),
}
_DISTRICTS = sorted(vocabulary().districts)


def run_scenario(base: str, path_of: Callable[[int], str], clients: int, seconds: float,
                 per_client: int) -> tuple[int, int, float, list[float]]:
    """Run one scenario; return (requests, failures, elapsed seconds, latencies in ms)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    start = time.perf_counter()
    deadline = start + seconds

    def client(n: int) -> None:
        with requests.Session() as session:
            for i in range(per_client):
                if time.perf_counter() >= deadline:
                    return
                began = time.perf_counter()
                response = session.get(base + path_of(n * per_client + i), timeout=60)
                latencies[n].append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    failures[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = [x for part in latencies for x in part]
    return len(flat), sum(failures), elapsed, flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--links-per-org", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--seconds", type=float, default=15, help="time limit per scenario")
    parser.add_argument("--requests", type=int, default=2000, help="request limit per client per scenario")
    parser.add_argument("--workers", type=int, default=1, help="server processes (cssnet serve --workers)")
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        store = SQLiteStore(Path(tmp) / "load.db")
        organisations, links = generate_network(args.organisations, links_per_org=args.links_per_org, seed=1)
        store.upsert(organisations, links)
        print(f"network: {len(organisations)} organisations, {len(links)} links loaded in "
              f"{time.perf_counter() - began:.1f} s")
        size = size_of(len(organisations), len(links))
        del organisations, links
        processes = f", {args.workers} processes" if args.workers > 1 else ""
        with _serving(store, args.threads, args.workers) as base:
            print(f"server: waitress, {args.workers} x {args.threads} threads, {base}; {args.clients} clients, "
                  f"at most {args.seconds:g} s and {args.requests} requests each per scenario")
            for name, path_of in SCENARIOS.items():
                warm_ms = _warm(base, path_of(0), args.workers)
                count, failed, elapsed, latencies = run_scenario(base, path_of, args.clients, args.seconds,
                                                                 args.requests)
                q = statistics.quantiles(latencies, n=100)
                print(f"{name}: {count / elapsed:.0f} req/s, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms "
                      f"({count} requests in {elapsed:.1f} s, {failed} failed; first request {warm_ms:.0f} ms)")
                figure(f"{name}, {args.clients} clients{processes}", size,
                       f"{count / elapsed:.0f} req/s, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, {failed} failed")
                figure(f"{name}, first request{processes}", size, f"{warm_ms:.0f} ms")


@contextmanager
def _serving(store: SQLiteStore, threads: int, workers: int) -> Iterator[str]:
    """The base URL of the API on ``store``: waitress in a thread here, or ``cssnet serve --workers``."""
    if workers == 1:
        app = create_app({"STORE": store})
        try:
            with serving_in_thread(app, threads=threads) as base:
                yield base
        finally:
            close_store(app)
        return
    command = [sys.executable, "-c", "from network.cli import main; main()", "--store", store.path, "serve",
               "--port", "0", "--workers", str(workers), "--threads", str(threads)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            for _, line in zip(range(10), server.stdout, strict=False):
                if line.startswith("serving on "):
                    yield line.split()[2].rstrip("/")
                    break
            else:
                raise SystemExit("cssnet serve --workers did not start")
        finally:
            server.terminate()
            server.wait(timeout=60)


def _warm(base: str, path: str, workers: int) -> float:
    """Answer ``path`` once in each server process; the slowest of those first answers in ms.

    A keep-alive session stays with one process (``/healthz`` names it), so one
    session per process is found first, within a bounded number of tries.
    """
    sessions: dict[int, requests.Session] = {}
    deadline = time.monotonic() + 120
    for _ in range(2000):
        if len(sessions) == workers or time.monotonic() > deadline:
            break
        session = requests.Session()
        pid = session.get(base + "/healthz", timeout=60).json()["process"]
        if pid in sessions:
            session.close()
            time.sleep(0.05)
        else:
            sessions[pid] = session
    slowest = 0.0
    for session in sessions.values():
        began = time.perf_counter()
        session.get(base + path, timeout=600).raise_for_status()
        slowest = max(slowest, (time.perf_counter() - began) * 1000)
        session.close()
    return slowest


if __name__ == "__main__":
    main()
