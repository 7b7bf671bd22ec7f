"""One drawing path: the part of the network a scope names, for the explorer, the API's drawing and ``cssnet viz``."""

from __future__ import annotations

from typing import Any

import networkx as nx

from network.errors import NotFound
from network.graph.store import GraphStore
from network.translation import translate
from network.visual import colour_ties, default_highlights, ego_subgraph, filter_graph, network_html

from .analyses import analysis_graph
from .scope import DEPTH, FILTERS, filters_of
from .surveys import latest_tie_scores

__all__ = ["view", "title", "page", "colour_by_ties"]


def view(store: GraphStore, args: dict[str, Any], *, redacted: bool) -> nx.MultiDiGraph:
    """The organisations and links ``args`` (see ``scope.ViewArgs``) keep; ``NotFound`` for an unknown ego."""
    G = analysis_graph(store, as_of=args.get("as_of"), redacted=redacted)
    if args.get("ego"):
        if args["ego"] not in G:
            message = translate("No organisation '%(id)s'.", id=args["ego"])
            raise NotFound(message, {"ego": [message]})
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


def colour_by_ties(store: GraphStore, data: dict[str, Any], by: str, *, admin: bool) -> str | None:
    """Colour the links of a drawing (``network_data`` output) by the latest survey round's ``by`` score.

    Tie scores rest on one or two answers, so only administrators get them; returns why the links
    are not coloured (a sentence for the page), or None when they are.
    """
    if not admin:
        return ("Links are coloured by trust or value for administrators only: a tie's score rests on one or two "
                "answers.")
    survey_round, scores = latest_tie_scores(store, admin=True)
    if survey_round is None:
        return "No survey round has answers yet: links are not coloured."
    colour_ties(data, scores, by, survey_round.name)
    return None
