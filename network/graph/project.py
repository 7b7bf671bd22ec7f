"""Project the stored network into a NetworkX graph for analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import networkx as nx

from network.gcpause import gc_paused
from network.graph.store import GraphStore, OrganisationQuery
from network.model import Link, Organisation, today

__all__ = ["build_graph", "project"]


def build_graph(organisations: Iterable[Organisation], links: Iterable[Link]) -> nx.MultiDiGraph:
    """Build the analysis graph from organisations and links.

    Each organisation becomes a node keyed by its id with every other field as
    an attribute; each link an edge from ``source`` to ``target`` keyed by its
    id, with every other field as an attribute. Links whose ends are not among
    ``organisations`` are left out.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> G = build_graph([Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")],
    ...                 [Link("l1", "a", "b", "referral")])
    >>> list(G.edges(keys=True))
    [('a', 'b', 'l1')]
    """
    G = nx.MultiDiGraph()
    with gc_paused():
        for org in organisations:
            attrs = dict(vars(org))
            G.add_node(attrs.pop("id"), **attrs)
        for link in links:
            if link.source not in G or link.target not in G:
                continue
            attrs = dict(vars(link))
            G.add_edge(attrs.pop("source"), attrs.pop("target"), key=link.id, **attrs)
    return G


def project(
    store: GraphStore,
    *,
    as_of: dt.date | None = None,
    link_kinds: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    province: str | None = None,
    district: str | None = None,
) -> nx.MultiDiGraph:
    """Read the store into an analysis graph, optionally filtered.

    Parameters
    ----------
    store : GraphStore
    as_of : date, optional
        The day the network is looked at. A day before today reads the records
        as they stood at the end of that day, from their history (a link's
        status then, an organisation deleted since); today, a later day or
        None read the records as they are now. Links that start after this
        date are left out. An organisation sensitive today is sensitive in
        every past view too: protection follows the record as it stands now.
    link_kinds, statuses : iterables of str, optional
        Keep only links of these kinds / statuses.
    province, district : str, optional
        Keep only organisations located there (and links among them).
    """
    kinds = set(link_kinds) if link_kinds is not None else None
    wanted_statuses = set(statuses) if statuses is not None else None
    then = as_of if as_of is not None and as_of < today() else None
    stood = _protected_now(store, store.iter_organisations(as_of=then)) if then else store.iter_organisations()
    organisations = (
        o for o in stood
        if (province is None or o.province == province) and (district is None or o.district == district)
    )
    links = (
        link for link in store.iter_links(as_of=then)
        if (kinds is None or link.kind in kinds)
        and (wanted_statuses is None or link.status in wanted_statuses)
        and (as_of is None or link.start_date is None or link.start_date <= as_of)
    )
    return build_graph(organisations, links)


def _protected_now(store: GraphStore, organisations: Iterable[Organisation]) -> Iterator[Organisation]:
    """Past versions of organisations, each sensitive when it was then or is now."""
    sensitive_now = {o.id for o in store.list_organisations(OrganisationQuery(sensitive=True, limit=None)).items}
    for org in organisations:
        if org.id in sensitive_now:
            org.sensitive = True
        yield org
