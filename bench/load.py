"""HTTP load on loopback: 8 concurrent clients against ``cssnet serve`` (its own process) on the 10k network.

    python -m bench.load                                  # 10,000 organisations, 8 clients, 15 s per scenario
    python -m bench.load --organisations 2000 --seconds 5
    python -m bench.load --store /tmp/load10k.db          # build the network there once, reuse it next time

Loads the benchmark network (bench/generate.py) into a SQLite store (a
temporary one, or ``--store``: built there when the file does not exist, used
as it is when it does), then starts the real server as its own process,
``cssnet serve --port 0 --workers N --threads T`` (waitress, N processes on one
socket), so the server's threads do not share a GIL or a process with the
clients. Once every server process has loaded the network for analysis (as each
does when it starts: the projection and the pathway index), each scenario is
warmed once in every server process, then run by N
client threads here, each with one keep-alive ``http.client`` connection to
127.0.0.1 (opened again if the server closes it), every client bounded by a
request count and a time limit. Prints requests per second and p50/p95 latency
per scenario, and the CPU time the server processes used per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from bench.generate import generate_network
from bench.run import figure, size_of
from network.graph.sqlite import SQLiteStore
from network.graph.store import LinkQuery, OrganisationQuery
from network.model import vocabulary

SCENARIOS: dict[str, Callable[[int], str]] = {
    "GET /api/v1/organisations": lambda i: f"/api/v1/organisations?limit=50&offset={(i * 50) % 5000}",
    "GET /api/v1/organisations?district=..&service=..": lambda i: (
        f"/api/v1/organisations?district={_DISTRICTS[i % len(_DISTRICTS)]}&service=tb_screening"),
    "GET /api/v1/analysis/pathways": lambda i: (
        "/api/v1/analysis/pathways?population=mineworkers&needs=tb_screening&needs=tb_treatment"
        f"&needs=social_grant_linkage&district={_DISTRICTS[i % len(_DISTRICTS)]}"),
}
#: The districts queried: South Africa's 52, as in earlier runs (the vocabulary also holds the SADC states').
_DISTRICTS = [quote(d) for d in sorted(vocabulary().districts) if vocabulary().country_of(None, d) == "ZA"]
#: How long the server may take to say where it listens.
_START_TIMEOUT_S = 120.0


class Client:
    """One keep-alive HTTP/1.1 connection to the server; opened again when the server closes it."""

    def __init__(self, port: int, timeout: float = 600) -> None:
        self.port, self.timeout = port, timeout
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path``: the status and the body (one retry on a connection the server had closed)."""
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self._conn.request("GET", path)
                response = self._conn.getresponse()
                body = response.read()
            except (ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def run_scenario(port: int, path_of: Callable[[int], str], clients: int, seconds: float,
                 per_client: int) -> tuple[int, int, float, list[float]]:
    """Run one scenario; return (requests, failures, elapsed seconds, latencies in ms)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    start = time.perf_counter()
    deadline = start + seconds

    def client(n: int) -> None:
        connection = Client(port, timeout=60)
        try:
            for i in range(per_client):
                if time.perf_counter() >= deadline:
                    return
                began = time.perf_counter()
                status, _ = connection.get(path_of(n * per_client + i))
                latencies[n].append((time.perf_counter() - began) * 1000)
                if status != 200:
                    failures[n] += 1
        finally:
            connection.close()

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
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads per server process")
    parser.add_argument("--seconds", type=float, default=15, help="time limit per scenario")
    parser.add_argument("--requests", type=int, default=2000, help="request limit per client per scenario")
    parser.add_argument("--workers", type=int, default=1, help="server processes (cssnet serve --workers)")
    parser.add_argument("--store", type=Path, help="SQLite file: built when missing, reused when present")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "load.db"
        organisations, links = _network(path, args.organisations, args.links_per_org)
        size = size_of(organisations, links)
        processes = f", {args.workers} processes" if args.workers > 1 else ""
        with _serving(path, args.threads, args.workers) as (port, pids, loaded):
            print("server: " + "; ".join(line.removeprefix("cssnet: ") for line in loaded), flush=True)
            figure(f"network loaded for analysis as the server starts{processes}", size,
                   ", ".join(line.rsplit(" in ", 1)[1] for line in loaded))
            print(f"server: cssnet serve in its own process{'es' if args.workers > 1 else ''} (waitress, "
                  f"{args.workers} x {args.threads} threads) on 127.0.0.1:{port}; clients: {args.clients} threads "
                  f"in this process, one keep-alive http.client connection each, at most {args.seconds:g} s and "
                  f"{args.requests} requests each per scenario")
            for name, path_of in SCENARIOS.items():
                warm_ms = _warm(port, path_of(0), args.workers)
                cpu_before = _cpu_seconds(pids)
                count, failed, elapsed, latencies = run_scenario(port, path_of, args.clients, args.seconds,
                                                                 args.requests)
                server_ms = (_cpu_seconds(pids) - cpu_before) / max(count, 1) * 1000
                q = statistics.quantiles(latencies, n=100)
                print(f"{name}: {count / elapsed:.0f} req/s, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms "
                      f"({count} requests in {elapsed:.1f} s, {failed} failed; server CPU {server_ms:.2f} ms "
                      f"per request; first request {warm_ms:.0f} ms)")
                figure(f"{name}, {args.clients} clients{processes}", size,
                       f"{count / elapsed:.0f} req/s, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, {failed} failed")
                figure(f"{name}, first request{processes}", size, f"{warm_ms:.0f} ms")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _network(path: Path, organisations: int, links_per_org: float) -> tuple[int, int]:
    """The benchmark network in the store at ``path`` (built there unless the file exists): its counts."""
    began = time.perf_counter()
    built = not path.exists()
    store = SQLiteStore(path)
    try:
        if built:
            orgs, links = generate_network(organisations, links_per_org=links_per_org, seed=1)
            store.upsert(orgs, links)
            del orgs, links
        counts = (store.list_organisations(OrganisationQuery(limit=1)).total,
                  store.list_links(LinkQuery(limit=1)).total)
    finally:
        store.close()
    print(f"network: {counts[0]} organisations, {counts[1]} links {'loaded' if built else 'found'} in {path.name} "
          f"in {time.perf_counter() - began:.1f} s")
    return counts


@contextmanager
def _serving(path: Path, threads: int, workers: int) -> Iterator[tuple[int, list[int], list[str]]]:
    """``cssnet serve`` on the store at ``path``, in its own process, once it has loaded the network for analysis:
    its port, the serving processes' ids and the lines in which they said how long loading took."""
    command = [sys.executable, "-c", "from network.cli import main; main()", "--store", str(path), "serve",
               "--port", "0", "--workers", str(workers), "--threads", str(threads)]
    loaded: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        threading.Thread(target=_pass_errors, args=(server, loaded), daemon=True).start()
        try:
            port = _port_of(server)
            _wait_until_loaded(loaded, workers)
            yield port, [server.pid, *_children(server.pid)], loaded
        finally:
            server.terminate()
            server.wait(timeout=60)


def _port_of(server: subprocess.Popen[str]) -> int:
    """The port named by the server's ``serving on http://host:port/`` line."""
    assert server.stdout is not None
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.extend(
        line for _, line in zip(range(10), server.stdout, strict=False) if line.startswith("serving on ")),
        daemon=True)
    reader.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not found and reader.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not found:
        raise SystemExit("cssnet serve did not say where it listens")
    return int(found[0].split()[2].rstrip("/").rsplit(":", 1)[1])


def _pass_errors(server: subprocess.Popen[str], loaded: list[str]) -> None:
    """Copy the server's error output here, except waitress's notes that requests are queueing (expected);
    the processes' lines saying the network is loaded for analysis go to ``loaded``."""
    assert server.stderr is not None
    for line in server.stderr:
        if "network loaded for analysis" in line:
            loaded.append(line.strip())
        elif "Task queue depth" not in line:
            sys.stderr.write(line)


def _wait_until_loaded(loaded: list[str], workers: int) -> None:
    """Wait until every server process has loaded the network for analysis (as each does when it starts), so
    the scenarios measure a server that is up, not one still loading."""
    deadline = time.monotonic() + _START_TIMEOUT_S
    while len(loaded) < workers and time.monotonic() < deadline:
        time.sleep(0.05)
    if len(loaded) < workers:
        raise SystemExit(f"cssnet serve did not load the network for analysis within {_START_TIMEOUT_S} s")


def _children(pid: int) -> list[int]:
    """The ids of the child processes of ``pid`` (the workers of ``serve --workers``), from /proc."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes ``pids`` (from /proc; 0 where unreadable)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _warm(port: int, path: str, workers: int) -> float:
    """Answer ``path`` once in each server process; the slowest of those first answers in ms.

    A keep-alive connection stays with one process (``/healthz`` names it), so one
    connection per process is found first, within a bounded number of tries.
    """
    connections: dict[int, Client] = {}
    deadline = time.monotonic() + 120
    for _ in range(2000):
        if len(connections) == workers or time.monotonic() > deadline:
            break
        connection = Client(port)
        pid = json.loads(connection.get("/healthz")[1])["process"]
        if pid in connections:
            connection.close()
            time.sleep(0.05)
        else:
            connections[pid] = connection
    slowest = 0.0
    for connection in connections.values():
        began = time.perf_counter()
        status, body = connection.get(path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
        slowest = max(slowest, (time.perf_counter() - began) * 1000)
        connection.close()
    return slowest


if __name__ == "__main__":
    main()
