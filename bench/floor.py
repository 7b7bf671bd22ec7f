"""The igraph floor: the report's graph kernels in C, to measure the report against.

    python -m bench.floor --organisations 10000          # prints the floor in seconds

The floor is what the coordination report's graph work costs when done by
igraph's C kernels on the same network: build the graph from the links in
force, connected components, articulation points, biconnected components,
Louvain communities and 20 breadth-first searches. The report also does work
no kernel does (findings, explanations), so it cannot reach the floor; the
performance target is a ratio to it, measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import igraph

from network.gcpause import gc_paused
from network.model import Link, Organisation

__all__ = ["igraph_floor"]

BFS_SOURCES = 20


def igraph_floor(organisations: list[Organisation], links: list[Link], *, day: dt.date | None = None) -> float:
    """Seconds igraph takes for the report's graph kernels on this network.

    Parameters
    ----------
    organisations, links : the network, as the store holds it.
    day : the as-of date for links in force (default today).

    Returns
    -------
    float
        Wall-clock seconds for build, components, articulation points,
        biconnected components, Louvain (fixed seed) and 20 BFS, with
        Python's cyclic garbage collector paused as it is for the report
        (at 10,000 organisations a collection in the build added a third).
    """
    day = day or dt.date.today()
    with gc_paused():  # as the report runs: the collector would walk every record at each batch of new tuples
        return _floor(organisations, links, day)


def _floor(organisations: list[Organisation], links: list[Link], day: dt.date) -> float:
    started = time.perf_counter()
    index = {org.id: i for i, org in enumerate(organisations)}
    edges = [(index[link.source], index[link.target]) for link in links if link.is_active(day)]
    graph = igraph.Graph(n=len(index), edges=edges, directed=True)
    undirected = graph.as_undirected(mode="collapse")
    undirected.connected_components()
    undirected.articulation_points()
    undirected.biconnected_components()
    random.seed(1)
    igraph.set_random_number_generator(random)
    undirected.community_multilevel()
    rng = random.Random(1)
    for source in rng.sample(range(len(index)), min(BFS_SOURCES, len(index))):
        graph.bfs(source)
    return time.perf_counter() - started


def main() -> None:
    from bench.generate import generate_network

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--links-per-org", type=float, default=10.0)
    args = parser.parse_args()
    from bench.run import figure, size_of

    organisations, links = generate_network(args.organisations, links_per_org=args.links_per_org, seed=1)
    seconds = igraph_floor(organisations, links)
    print(f"igraph floor, {len(organisations):,} organisations / {len(links):,} links: {seconds:.2f} s", flush=True)
    figure("igraph floor", size_of(len(organisations), len(links)), f"{seconds:.2f} s")


if __name__ == "__main__":
    main()
