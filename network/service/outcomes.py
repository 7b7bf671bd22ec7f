"""Referral outcomes over a store: the figures coordinators see (counts and rates, never individual referrals) and
the ``failing_route`` and ``paper_agreement`` findings the agenda takes up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from network.analysis.finding import Finding
from network.analysis.outcomes import WINDOW_MONTHS, Outcome, in_window, outcome_figures, outcome_findings, outcomes
from network.analysis.words import name
from network.errors import InvalidData
from network.graph.store import GraphStore
from network.model import today
from network.referrals import months_before

__all__ = ["findings", "figures", "route_outcomes"]


def findings(store: GraphStore, G: nx.MultiDiGraph, *, as_of: dt.date | None = None,
             months: int = WINDOW_MONTHS) -> list[Finding]:
    """The ``failing_route`` and ``paper_agreement`` findings of the referrals in the window up to ``as_of``."""
    day = as_of or today()
    return outcome_findings(G, store.iter_referrals(since=months_before(day, months)), as_of=day, months=months)


def route_outcomes(store: GraphStore, *, as_of: dt.date | None = None,
                   months: int = WINDOW_MONTHS) -> dict[tuple[str, str], Outcome]:
    """The outcome of each route (sender, provider) over the window: what pathways weigh a step by."""
    day = as_of or today()
    window = in_window(store.iter_referrals(since=months_before(day, months)), as_of=day, months=months)
    return outcomes(window, lambda r: (r.source, r.target))  # type: ignore[return-value]


def figures(store: GraphStore, *, as_of: dt.date | None = None, months: int = WINDOW_MONTHS,
            redacted: bool = False) -> dict[str, Any]:
    """Completion figures per agreement, provider and district over the window, and the outcome findings.

    Returns ``{"as_of", "since", "months", "total", "agreements", "providers", "districts", "findings"}``:
    each figure row names its agreement (with both organisations), provider or district beside
    ``referrals``, ``completed``, ``declined``, ``lost``, ``open``, ``completion_rate`` and
    ``median_days``; rows by most referrals first. Counts and rates only: no referral code or date.
    ``InvalidData`` for a window outside 1-60 months.
    """
    from .analyses import analysis_graph, jsonable

    if not 1 <= months <= 60:
        raise InvalidData(f"months: Give a window of 1 to 60 months, not {months}.", {"months": ["1 to 60."]})
    day = as_of or today()
    G = analysis_graph(store, redacted=redacted)
    referrals = list(store.iter_referrals(since=months_before(day, months)))
    found = outcome_figures(referrals, G, as_of=day, months=months)
    ends = {key: (u, v) for u, v, key in G.edges(keys=True)}

    def rows(table: dict[Any, Outcome], describe: Any) -> list[dict[str, Any]]:
        ordered = sorted(table.items(), key=lambda item: (-item[1].referrals, str(item[0])))
        return [{**describe(key), **outcome.to_dict()} for key, outcome in ordered]

    def agreement(link_id: str) -> dict[str, Any]:
        u, v = ends.get(link_id, (None, None))
        return {"link": link_id, "source": u, "target": v, "source_name": name(G, u) if u else None,
                "target_name": name(G, v) if v else None}

    return jsonable({
        "as_of": day, "since": found["since"], "months": months, "total": found["total"].to_dict(),
        "agreements": rows(found["agreement"], agreement),
        "providers": rows(found["provider"], lambda o: {"organisation": o, "name": name(G, o)}),
        "districts": rows(found["district"], lambda d: {"district": d}),
        "findings": [f.to_dict() for f in outcome_findings(G, referrals, as_of=day, months=months)],
    })
