"""One drawing path: the part of the network a scope names, for the explorer, the API's drawing and ``cssnet viz``."""

from __future__ import annotations

from typing import Any

import networkx as nx

from network.errors import NotFound
from network.graph.store import GraphStore
from network.visual import default_highlights, ego_subgraph, filter_graph, network_html

from .analyses import analysis_graph
from .scope import DEPTH, FILTERS, filters_of

__all__ = ["view", "title", "page"]


def view(store: GraphStore, args: dict[str, Any], *, redacted: bool) -> nx.MultiDiGraph:
    """The organisations and links ``args`` (see ``scope.ViewArgs``) keep; ``NotFound`` for an unknown ego."""
    G = analysis_graph(store, as_of=args.get("as_of"), redacted=redacted)
    if args.get("ego"):
        if args["ego"] not in G:
            raise NotFound(f"No organisation '{args['ego']}'.", {"ego": [f"No organisation '{args['ego']}'."]})
        G = ego_subgraph(G, args["ego"], args.get("depth") or DEPTH[0])
    return filter_graph(G, **filters_of(args))


def title(args: dict[str, Any]) -> str:
    """The drawing's title, naming its filters and centre.

    >>> title({"district": "Sekhukhune", "ego": "clinic-a", "depth": 2})
    'cssnet network around clinic-a (depth 2): Sekhukhune'
    """
    parts = [str(args[k]) for k in FILTERS if args.get(k)]
    around = f" around {args['ego']} (depth {args.get('depth') or DEPTH[0]})" if args.get("ego") else ""
    return "cssnet network" + around + (f": {', '.join(parts)}" if parts else "")


def page(store: GraphStore, args: dict[str, Any], *, redacted: bool, colour_by: str = "kind") -> tuple[str, int]:
    """A standalone HTML drawing of ``view(store, args)`` and how many organisations it shows."""
    H = view(store, args, redacted=redacted).copy()
    as_of = args.get("as_of")
    html = network_html(H, title=title(args), colour_by=colour_by, hide_protected=redacted,
                        highlight=default_highlights(analysis_graph(store, as_of=as_of, redacted=redacted),
                                                     as_of=as_of, drawn=H), as_of=as_of)
    return html, H.number_of_nodes()
