"""The meanings every analysis, filter, page and visual shares: who serves whom, what is in force, who reaches whom.

One rule each, written once:

* **serves** — an organisation serves a population when it names it, or
  when it names none (the general population: a public clinic serves
  everyone);
* **in force** — a link counts on a day when it is not proposed or ended
  and its own dates hold the day;
* **reaches** — a client can be referred along a link in force:
  ``referral`` from source to target (both ways when the link is
  ``two_way``), ``mou`` both ways; other kinds carry no client.

The reach graph (:func:`reach_graph`) applies all three: active
organisations only, links in force only and, for a population, only
organisations that serve it, so that every step of a route serves the
client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

__all__ = [
    "REACH_KINDS",
    "serves",
    "in_force",
    "is_active",
    "reach_directions",
    "reach_graph",
]

#: Link kinds a client can be referred along.
REACH_KINDS = ("referral", "mou")

#: Link statuses that may be in force (``expired`` only while its own end date holds the day).
_FORCE_STATUSES = ("active", "expired")


def serves(populations: Sequence[str] | None, population: str | None) -> bool:
    """True if an organisation listing ``populations`` serves ``population``.

    Parameters
    ----------
    populations : sequence of str or None
        The population codes the organisation names; empty or None means the
        general population.
    population : str or None
        The population asked about; None asks about nobody in particular.

    Returns
    -------
    bool
        True when ``population`` is None, ``populations`` is empty, or
        ``population`` is among ``populations``.

    Examples
    --------
    >>> serves([], "sex_workers"), serves(["msm"], "sex_workers"), serves(["msm"], "msm")
    (True, False, True)
    """
    return population is None or not populations or population in populations


def in_force(link: Mapping[str, Any] | Any, day: dt.date) -> bool:
    """True if ``link`` is in force on ``day``.

    Parameters
    ----------
    link : mapping or Link
        The link's fields (an edge's attribute dict of the projected graph,
        or a :class:`~network.model.Link`), as the link stood on ``day``: for
        a past day the projection supplies the version that stood then.
    day : date
        The day asked about.

    Returns
    -------
    bool
        True when the status is ``active``, or ``expired`` with an end date
        on or after ``day`` (the record was marked expired, but its own
        dates still hold the day); and the start date, when set, is on or
        before ``day`` and the end date, when set, on or after it.
        ``proposed`` and ``ended`` links are never in force.

    Examples
    --------
    >>> import datetime as dt
    >>> day = dt.date(2026, 6, 1)
    >>> in_force({"status": "active"}, day), in_force({"status": "proposed"}, day)
    (True, False)
    >>> in_force({"status": "active", "end_date": dt.date(2026, 5, 31)}, day)
    False
    >>> in_force({"status": "expired", "end_date": dt.date(2026, 12, 31)}, day), in_force({"status": "expired"}, day)
    (True, False)
    """
    get = link.get if type(link) is dict or isinstance(link, Mapping) else \
        lambda name, default=None: getattr(link, name, default)
    status = get("status", "active") or "active"
    if status not in _FORCE_STATUSES:
        return False
    start, end = get("start_date"), get("end_date")
    if status == "expired" and end is None:
        return False
    return (start is None or start <= day) and (end is None or end >= day)


def is_active(G: nx.MultiDiGraph, node: str) -> bool:
    """True if the organisation ``node`` of ``G`` is active (inactive organisations are never used).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a")
    >>> G.add_node("b", status="inactive")
    >>> is_active(G, "a"), is_active(G, "b")
    (True, False)
    """
    return (G.nodes[node].get("status") or "active") == "active"


def reach_directions(kind: str | None, two_way: bool = False) -> tuple[bool, bool]:
    """Whether a link of ``kind`` carries a client (forwards, backwards).

    Parameters
    ----------
    kind : str
        The link kind.
    two_way : bool, default False
        The link's ``two_way`` flag (a referral agreement both ways).

    Returns
    -------
    tuple of bool
        ``(source -> target, target -> source)``.

    Examples
    --------
    >>> reach_directions("referral"), reach_directions("referral", True), reach_directions("mou")
    ((True, False), (True, True), (True, True))
    >>> reach_directions("funding", True)
    (False, False)
    """
    if kind == "mou":
        return True, True
    if kind == "referral":
        return True, bool(two_way)
    return False, False


def reach_graph(
    G: nx.MultiDiGraph, day: dt.date, population: str | None = None, *,
    links: Iterable[tuple[str, str, str, dict[str, Any]]] | None = None,
) -> nx.DiGraph:
    """Who can refer a client to whom on ``day``: the directed reach graph.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph: organisations as nodes, links as edges
        keyed by link id, from ``source`` to ``target``.
    day : date
        The day the links must be in force.
    population : str, optional
        Keep only organisations serving this population, so that every step
        of every route serves the client. None keeps every active
        organisation.
    links : iterable of (source, target, link_id, data), optional
        The links to read instead of every edge of ``G`` (the caller has
        already picked those in force); links of other kinds are ignored.

    Returns
    -------
    networkx.DiGraph
        Nodes: the active organisations (serving ``population``). An arc
        ``u -> v`` when a ``referral`` from ``u`` to ``v`` (or a ``two_way``
        one from ``v`` to ``u``) or an ``mou`` between them is in force.
        Each arc keeps ``links`` (the ids of every link behind it) and, of
        the strongest of them (formal before informal, then higher weight,
        then smaller id), ``link``, ``kind``, ``formal`` and ``weight``.

    Notes
    -----
    A link from an organisation to itself carries nobody.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("cbo", populations=["sex_workers"])
    >>> G.add_node("clinic")
    >>> G.add_node("union", populations=["mineworkers"])
    >>> G.add_node("shut", status="inactive")
    >>> _ = G.add_edge("clinic", "cbo", key="r1", kind="referral", status="active", two_way=True)
    >>> _ = G.add_edge("union", "clinic", key="m1", kind="mou", status="active")
    >>> _ = G.add_edge("cbo", "shut", key="r2", kind="referral", status="active")
    >>> _ = G.add_edge("cbo", "union", key="f1", kind="funding", status="active")
    >>> day = dt.date(2026, 1, 1)
    >>> sorted(reach_graph(G, day).edges())
    [('cbo', 'clinic'), ('clinic', 'cbo'), ('clinic', 'union'), ('union', 'clinic')]
    >>> sorted(reach_graph(G, day, "sex_workers").edges())
    [('cbo', 'clinic'), ('clinic', 'cbo')]
    """
    # R.add_nodes_from and R.add_edges_from, in their order, filling R's dicts without their per-arc checks:
    # each arc is made when its first link is read, so both dicts hold the arcs in that order
    succ: dict[str, dict[str, dict[str, Any]]] = {
        node: {} for node, data in G.nodes(data=True)
        if (data.get("status") or "active") == "active" and serves(data.get("populations"), population)
    }
    pred: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in succ}
    for u, v, key, data in _in_force(G, day) if links is None else links:
        kind = data.get("kind")
        if kind not in REACH_KINDS or u == v:
            continue
        out, into = succ.get(u), pred.get(v)
        if out is None or into is None:
            continue
        formal, weight = bool(data.get("formal")), int(data.get("weight") or 0)
        _add_link(out, into, v, u, key, kind, formal, weight)
        # reach_directions(kind, two_way): an MoU carries both ways, a referral forwards (and back when two-way)
        if kind == "mou" or data.get("two_way"):
            _add_link(succ[v], pred[u], u, v, key, kind, formal, weight)
    R = nx.DiGraph()
    R._node = {node: {} for node in succ}
    R._adj = succ
    R._pred = pred
    return R


def _add_link(out: dict[str, dict[str, Any]], into: dict[str, dict[str, Any]], head: str, tail: str, key: str,
              kind: str, formal: bool, weight: int) -> None:
    """Add the link ``key`` to the arc ``tail -> head`` of :func:`reach_graph` (``out``: the tail's successors,
    ``into``: the head's predecessors), made when its first link comes; the arc keeps the strongest link's
    fields: formal before informal, then higher weight, then smaller id."""
    arc = out.get(head)
    if arc is None:
        out[head] = into[tail] = {"links": [key], "link": key, "kind": kind, "formal": formal, "weight": weight}
        return
    arc["links"].append(key)
    if (not formal, -weight, key) < (not arc["formal"], -arc["weight"], arc["link"]):
        arc.update(link=key, kind=kind, formal=formal, weight=weight)


def _in_force(G: nx.MultiDiGraph, day: dt.date) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for u, v, key, data in G.edges(keys=True, data=True):
        if data.get("kind") in REACH_KINDS and in_force(data, day):
            yield u, v, key, data
