"""Analysis at scale: projection, the full coordination report, and pathway queries.

    python -m bench.analysis_bench                    # 1k, 10k and 50k organisations, ~10 links each
    python -m bench.analysis_bench --sizes 1000

Each size runs in its own process, and the network is generated and written to
a SQLite file by a child process of that one. Prints projection time, the
report's time (the best of ``REPEATS`` runs, the first run's, and one run with
its two halves computed one after the other in one process), and median and
95th percentile pathway query time once the graph is loaded; and, on a line
before, the upkeep findings' time and the agenda's (of the report's and the
upkeep findings); and the igraph floor (``bench.floor``, best of
``REPEATS``, its runs taking turns with the report's) of the same network in
the same process, with the report / floor ratio; and two floors of the projection: what NetworkX takes to build the
same graph from its records already in memory (:func:`networkx_build`), and
what loading the finished graph from a pickle already in memory takes
(:func:`unpickle_floor`: every object made by C code); and, for comparison, the
projection from the store's rows in Python (``graph_from_rows``: the path of
the Neo4j store, of past days and of filtered views), where the SQLite store's
projection is built in C. Then
the peak memory, in a new process: projecting, reporting (the process and the
child the report forks, :mod:`network.side_by_side`), upkeep, agenda and the
pathway queries, watched by :class:`bench.memory.MemoryWatch` (which slows
what it watches, so nothing is timed there). ``bench.run`` collects the
figures.

"report" is one call of ``coordination_report(G)`` on the projected graph: the
linkage gaps (isolated, broken cascades, uncovered, unreachable, single points
of failure, siloed clusters, expiring agreements, cross-border, one-way data,
unlinked areas), duplication (service and funding overlaps, duplicate
records), the structure summary, the recommendations, the per-province counts
and the JSON-ready document with every finding's explanation. The projection
(store to graph) is timed on its own, outside it; so are the upkeep findings
and the agenda. Each run starts with no kernel's kept results
(:func:`report_afresh`), so a repeat is not helped by the one before.
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

from bench.floor import igraph_floor
from bench.generate import generate_network
from bench.memory import MemoryWatch
from bench.run import figure, size_of
from network.analysis import report as report_module
from network.analysis.agenda import agenda
from network.analysis.finding import Finding
from network.analysis.pathways import pathway_index, referral_pathways
from network.analysis.recent import forget_all
from network.analysis.report import coordination_report
from network.analysis.upkeep import upkeep
from network.gcpause import gc_paused
from network.graph.project import graph_from_rows, project
from network.graph.sqlite import SQLiteStore
from network.model import vocabulary

PATHWAY_QUERIES = 200
#: Runs of the report and of the igraph floor; the best of each is compared (the machine's noise is in the others).
REPEATS = 3


def run_size(n: int, links_per_org: float) -> None:
    """Measure one network size and print its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        subprocess.run([sys.executable, "-m", "bench.analysis_bench", "--build", str(path), "--one", str(n),
                        "--links-per-org", str(links_per_org)], check=True)
        size = _timings(path, n)
        done = subprocess.run([sys.executable, "-m", "bench.analysis_bench", "--memory", str(path)], check=True,
                              capture_output=True, text=True)
        peak_mb = float(done.stdout.split()[-1])
    print(f"{n:>7,} orgs | peak memory of projection, report (both processes), upkeep, agenda, pathways: "
          f"{peak_mb:,.0f} MB", flush=True)
    figure("peak memory (PSS of the process and the report's child) of projection, report, agenda, pathways", size,
           f"{peak_mb:,.0f} MB")


def _timings(path: Path, n: int) -> str:
    """Time the analyses of the store at ``path``, and the igraph floor, in this process; print the figures and
    return the network's size in words."""
    store = SQLiteStore(path)
    started = time.perf_counter()
    G = project(store)
    projection = time.perf_counter() - started
    first, report = _timed(partial(report_afresh, G))
    started = time.perf_counter()
    found = [Finding(**f) for f in report["findings"]] + upkeep(G)
    upkeep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    items = agenda(found, G)
    agenda_seconds = time.perf_counter() - started
    print(f"{n:>7,} orgs | upkeep findings {upkeep_seconds:6.2f} s | agenda {agenda_seconds:6.2f} s "
          f"({len(items)} items from {len(found):,} findings)", flush=True)
    index = pathway_index(G)
    timings = _pathway_timings(G, index)
    organisations, links = list(store.iter_organisations()), list(store.iter_links())
    # the report's runs and the floor's take turns, so a change in the machine's speed during the run is in both
    reports, floors = [first], [igraph_floor(organisations, links)]
    for _ in range(REPEATS - 1):
        reports.append(_timed(partial(report_afresh, G))[0])
        floors.append(igraph_floor(organisations, links))
    del organisations, links
    alone = _one_process(partial(report_afresh, G))
    size = size_of(G.number_of_nodes(), sum(store.counts()["links_by_kind"].values()))
    nodes, edges = list(G.nodes(data=True)), list(G.edges(keys=True, data=True))
    pickled = pickle.dumps(G, protocol=pickle.HIGHEST_PROTOCOL)
    del G, report, found, items, index
    build_floor = networkx_build(nodes, edges)
    del nodes, edges
    unpickled = min(unpickle_floor(pickled) for _ in range(REPEATS))
    del pickled
    started = time.perf_counter()
    from_rows = graph_from_rows(store.organisation_rows(), store.link_rows()).number_of_edges()
    rows_projection = time.perf_counter() - started
    store.close()
    report_seconds, floor = min(reports), min(floors)
    print(f"{size} | projection {projection:6.2f} s | report {report_seconds:6.2f} s (best of {REPEATS}; first "
          f"{first:.2f} s; in one process {alone:.2f} s) | pathway p50 {statistics.median(timings):6.1f} ms "
          f"p95 {_p95(timings):6.1f} ms ({len(timings)} queries)", flush=True)
    print(f"{n:>7,} orgs | igraph floor {floor:6.2f} s (best of {REPEATS}) | report / floor "
          f"{report_seconds / floor:4.1f}x | NetworkX build of the same graph from records in memory "
          f"{build_floor:6.2f} s | the graph loaded from a pickle in memory {unpickled:6.2f} s (best of {REPEATS}) | "
          f"projection from the rows in Python {rows_projection:6.2f} s ({from_rows:,} links)", flush=True)
    for what, value in (("projection", f"{projection:.2f} s"),
                        (f"report (best of {REPEATS})", f"{report_seconds:.2f} s"),
                        ("report, first run", f"{first:.2f} s"),
                        ("report in one process (not side by side)", f"{alone:.2f} s"),
                        (f"igraph floor (same network, same process, best of {REPEATS})", f"{floor:.2f} s"),
                        ("report / igraph floor", f"{report_seconds / floor:.1f}x"),
                        ("NetworkX build floor (add_nodes_from, add_edges_from of records in memory)",
                         f"{build_floor:.2f} s"),
                        (f"unpickle floor (the finished graph loaded from a pickle in memory, best of {REPEATS})",
                         f"{unpickled:.2f} s"),
                        ("projection from the rows in Python (Neo4j's, past days', filtered views')",
                         f"{rows_projection:.2f} s"),
                        ("upkeep findings", f"{upkeep_seconds:.2f} s"), ("agenda", f"{agenda_seconds:.2f} s"),
                        ("pathway query p50 / p95", f"{statistics.median(timings):.1f} / {_p95(timings):.1f} ms")):
        figure(what, size, value)
    return size


def report_afresh(G: Any) -> dict[str, Any]:
    """``coordination_report(G)`` with no kernel's kept results (:mod:`network.analysis.recent`): each run is timed
    as a first one, not as one after an edit that left most of the network as it was."""
    forget_all()
    return coordination_report(G)


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``work`` takes, and what it returns."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _one_process(work: Callable[[], Any]) -> float:
    """Seconds ``work`` takes with the report's halves computed one after the other, in this process."""
    apart = report_module.REPORT_APART_FROM_LINKS
    report_module.REPORT_APART_FROM_LINKS = sys.maxsize
    try:
        return _timed(work)[0]
    finally:
        report_module.REPORT_APART_FROM_LINKS = apart


def peak_memory(path: Path) -> float:
    """MB that projecting the store at ``path``, its report (the two processes), upkeep, agenda and the pathway
    queries take at their peak (:class:`bench.memory.MemoryWatch`), in a new process."""
    with MemoryWatch() as watch:
        store = SQLiteStore(path)
        G = project(store)
        report = coordination_report(G)
        agenda([Finding(**f) for f in report["findings"]] + upkeep(G), G)
        _pathway_timings(G, pathway_index(G))
        store.close()
    return watch.peak_mb


def networkx_build(nodes: list[tuple[Any, dict[str, Any]]], edges: list[tuple[Any, Any, Any, dict[str, Any]]]
                   ) -> float:
    """Seconds NetworkX takes to build the projection's graph from its nodes and links already in memory.

    It is the same graph (a new attribute dict per record, as ``add_edges_from`` makes them), without reading
    the store: a projection that builds it through NetworkX's methods cannot beat it.
    """
    started = time.perf_counter()
    with gc_paused():
        G = nx.MultiDiGraph()
        G.add_nodes_from(nodes)
        G.add_edges_from(edges)
    seconds = time.perf_counter() - started
    del G
    return seconds


def unpickle_floor(pickled: bytes) -> float:
    """Seconds loading a projected graph from its pickle (``pickled``, already in memory) takes.

    Every object of the graph (the ids, the adjacency, an attribute dict per
    organisation and per link) is made by the pickle module's C code, with no
    store to read and no Python code run per record: a projection made in
    Python, which must make the same objects, is not expected to be faster.
    """
    with gc_paused():
        started = time.perf_counter()
        G = pickle.loads(pickled)
        seconds = time.perf_counter() - started
        del G
    return seconds


def build_store(path: Path, n: int, links_per_org: float) -> None:
    """Generate the benchmark network and write it to a new SQLite store at ``path``."""
    organisations, links = generate_network(n, links_per_org=links_per_org, seed=1)
    store = SQLiteStore(path)
    store.upsert(organisations, links)
    store.close()


def _pathway_timings(G, index) -> list[float]:
    rng = random.Random(7)
    vocab = vocabulary()
    starts = sorted(n for n, d in G.nodes(data=True) if d.get("status") == "active")
    needs_by_rule = [[after, needs] for after, needs in vocab.cascade_rules]
    timings = []
    for _ in range(PATHWAY_QUERIES):
        start = rng.choice(starts)
        populations = G.nodes[start].get("populations") or list(vocab.populations)
        needs = rng.choice(needs_by_rule)
        began = time.perf_counter()
        referral_pathways(G, population=rng.choice(populations), needs=needs, start=start, k=3, index=index)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated organisation counts")
    parser.add_argument("--links-per-org", type=float, default=10.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(f"{peak_memory(args.memory):.1f}")
        return
    if args.build:
        build_store(args.build, args.one, args.links_per_org)
        return
    if args.one:
        run_size(args.one, args.links_per_org)
        return
    for n in (int(s) for s in args.sizes.split(",")):
        subprocess.run([sys.executable, "-m", "bench.analysis_bench", "--one", str(n),
                        "--links-per-org", str(args.links_per_org)], check=True)


if __name__ == "__main__":
    main()
