"""Duplication: overlapping services, duplicate records and overlapping funding.

Duplicate records are matched in :mod:`network.analysis.record_matching`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations, filterfalse, islice, product
from typing import Any

import networkx as nx
import numpy as np

from network.analysis import words
from network.analysis.finding import Finding, duplication_order
from network.analysis.layers import Layers, layers_for
from network.analysis.overlap_pairs import Coordinated, Profile
from network.analysis.record_matching import duplicate_records
from network.model import vocabulary
from network.translation import N_

__all__ = ["duplication", "service_overlaps", "duplicate_records", "funding_overlaps"]

#: Link kinds through which two organisations meet in the same forum or body.
FORUM_KINDS = ("coordination", "membership")

#: At most this many uncoordinated pairs are listed in a finding (all are counted).
MAX_LISTED_PAIRS = 20

_Pair = tuple[str, str]


def duplication(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, threshold: float = 85, layers: Layers | None = None
) -> list[Finding]:
    """Every duplication finding: service overlaps, duplicate records, funding overlaps.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The date on which links must be in force (default today).
    threshold : float, optional
        Name similarity (0-100) from which two records in one district are
        taken for one organisation (default 85).
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).

    Returns
    -------
    list of Finding
        ``service_overlap``, ``duplicate_record`` and ``funding_overlap``
        findings, most severe first, then by type and organisation ids.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, name in [("a", "Hope CBO"), ("b", "Hope C.B.O."), ("c", "Sizwe Clinic")]:
    ...     G.add_node(n, name=name, district="Sekhukhune", services=["peer_education"],
    ...                populations=["mineworkers"])
    >>> G.add_node("f", name="Mining Fund", kind="donor")
    >>> for key, (u, v) in enumerate([("f", "a"), ("f", "c")]):
    ...     _ = G.add_edge(u, v, key=f"l{key}", kind="funding", status="active")
    >>> [(f.type, f.severity, f.organisations) for f in duplication(G)]
    [('funding_overlap', 'high', ['f', 'a', 'c']), ('service_overlap', 'high', ['a', 'b', 'c']), \
('duplicate_record', 'medium', ['a', 'b'])]
    """
    ties = _Ties(G, layers_for(G, as_of, layers))
    findings = _service_overlaps(G, ties) + duplicate_records(G, threshold=threshold) + _funding_overlaps(G, ties)
    return sorted(findings, key=duplication_order)


def service_overlaps(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Active organisations targeting one population with the same service in one district.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The date on which links must be in force (default today).

    Returns
    -------
    list of Finding
        One ``service_overlap`` finding per (district, population, service)
        offered by two or more active organisations that name the population
        in their ``populations``. ``organisations`` lists
        them by id; ``details`` holds ``uncoordinated`` (some pair of them
        shares neither an active link nor a forum), ``uncoordinated_pairs``
        (the first ``MAX_LISTED_PAIRS`` of those pairs, in id order),
        ``uncoordinated_pair_count`` and ``pair_count``.

    Notes
    -----
    Two organisations are coordinated when an active link joins them or
    both have an active ``coordination`` or ``membership`` link to the same
    third organisation (a shared forum or body). Organisations with no
    district (regional and national bodies) are left out.

    Populations: only organisations that *target* a population (name it in
    a non-empty ``populations`` list) overlap for it. An organisation with an
    empty list serves the general population (a public clinic): that is
    coverage, not duplication, and it is in no overlap.

    Severity: ``high`` when no two members are coordinated, ``medium`` when
    some pairs are and some are not, ``low`` when every pair is (a known,
    presumably agreed overlap).

    Coordinated pairs are found from the links and forums, not by testing
    every pair of a group, so large groups stay cheap.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", district="Waterberg", services=["tb_screening"],
    ...            populations=["mineworkers"])
    >>> G.add_node("b", name="Thusong CBO", district="Waterberg", services=["tb_screening"],
    ...            populations=["mineworkers", "sex_workers"])
    >>> G.add_node("c", name="Sizwe Clinic", district="Waterberg", services=["tb_screening"])
    >>> G.add_node("d", name="Waterberg AIDS Council", kind="government")
    >>> _ = G.add_edge("a", "d", key="m1", kind="membership", status="active")
    >>> _ = G.add_edge("b", "d", key="m2", kind="membership", status="active")
    >>> [(f.population, f.severity, f.organisations) for f in service_overlaps(G)]
    [('mineworkers', 'low', ['a', 'b'])]
    """
    return sorted(_service_overlaps(G, _Ties(G, Layers(G, as_of))), key=duplication_order)


def funding_overlaps(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """A funder funding several organisations for one service, population and district.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The date on which funding links must be in force (default today).

    Returns
    -------
    list of Finding
        One ``funding_overlap`` finding per (funder, district, population,
        service) with two or more recipients. ``organisations`` is the funder
        then the recipients, ``links`` the funding links, and ``details``
        holds ``funder``, ``recipients`` and the coordination figures of
        :func:`service_overlaps` among the recipients.

    Notes
    -----
    A funding link (funder -> recipient) in force on ``as_of`` funds the
    services it names, or all the recipient's services when it names none.
    The recipient's district and populations place it; recipients with no
    district, or with an empty population list (the general population), are
    left out, as in :func:`service_overlaps`. Severity: ``high`` when no two
    recipients are coordinated, ``medium`` when some are, ``low`` when all
    are.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fund", name="Mining Health Fund", kind="donor")
    >>> for n in "abc":
    ...     G.add_node(n, name=f"CBO {n.upper()}", district="Bojanala", services=["tb_screening", "art"],
    ...                populations=["mineworkers"])
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", status="active", services=["tb_screening"])
    >>> _ = G.add_edge("fund", "b", key="f2", kind="funding", status="active")
    >>> _ = G.add_edge("fund", "c", key="f3", kind="funding", status="expired")
    >>> [(f.service, f.details["recipients"]) for f in funding_overlaps(G)]
    [('tb_screening', ['a', 'b'])]
    """
    return sorted(_funding_overlaps(G, _Ties(G, Layers(G, as_of))), key=duplication_order)


class _Ties:
    """What the overlaps read of the network on one day: the placed organisations, who is coordinated with whom
    (:class:`~network.analysis.overlap_pairs.Coordinated`) and the funding links in force."""

    def __init__(self, G: nx.MultiDiGraph, layers: Layers) -> None:
        #: District, services and populations of each active organisation with a district that names populations.
        self.profiles: dict[str, Profile] = {
            node: (data["district"], frozenset(data.get("services") or ()), frozenset(data["populations"]))
            for node, data in G.nodes(data=True)
            if data.get("district") and data.get("populations") and data.get("status", "active") == "active"
        }
        meets = np.fromiter(map(FORUM_KINDS.__contains__, layers.kinds), bool, len(layers.kinds))
        self.coordinated = Coordinated(self.profiles, *layers.ends, meets)
        self.funding = [link for link in layers.links_of(("funding",)) if link[0] != link[1]]


def _service_overlaps(G: nx.MultiDiGraph, ties: _Ties) -> list[Finding]:
    offering: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for node, (district, services, populations) in ties.profiles.items():
        for key in product((district,), services, populations):
            offering[key].append(node)
    counts = ties.coordinated.counts()
    is_coordinated = ties.coordinated.__contains__
    voc = vocabulary()
    said = words.Names(G)
    findings = []
    for key, group in offering.items():
        if len(group) < 2:
            continue
        group.sort()
        district, service, population = key
        severity, details = _coordination_details(group, is_coordinated, counts.get(key, 0))
        values = {"names": said.names(group), "service": words.label(voc.services, service),
                  "people": words.label(voc.populations, population), "district": district, **_pairs(details)}
        findings.append(Finding(
            "service_overlap", severity, _OVERLAP[_coordination(details, pair=len(group) == 2)] % values,
            organisations=list(group), district=district, population=population, service=service,
            details=details,
        ))
    return findings


def _funding_overlaps(G: nx.MultiDiGraph, ties: _Ties) -> list[Finding]:
    funded: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    nodes = G._node  # the dict behind G.nodes, without a view per lookup
    for funder, recipient, key, data in ties.funding:
        placed = nodes[recipient]
        if placed.get("district"):
            for service in set(data.get("services") or placed.get("services") or ()):
                funded[funder, placed["district"], service][recipient].append(key)
    voc = vocabulary()
    said = words.Names(G)
    findings = []
    for (funder, district, service), recipients in funded.items():
        if len(recipients) < 2:
            continue
        members = [(r, nodes[r].get("populations") or ()) for r in recipients]
        for population, group in _population_groups(members).items():
            # recipients of a group are active (their links are in force), placed and name populations: profiled
            coordinated = sum(map(ties.coordinated.__contains__, combinations(group, 2)))
            severity, details = _coordination_details(group, ties.coordinated.__contains__, coordinated)
            values = {"funder": said[funder], "names": said.names(group), "district": district,
                      "service": words.label(voc.services, service),
                      "people": words.label(voc.populations, population)}
            explanation = _FUNDING[_coordination(details)] % {**values, **_pairs(details)}
            findings.append(Finding(
                "funding_overlap", severity, explanation, organisations=[funder, *group], district=district,
                population=population, service=service,
                links=sorted(key for r in group for key in recipients[r]),
                details={"funder": funder, "recipients": list(group), **details},
            ))
    return findings


def _population_groups(members: Iterable[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """Group organisations (sorted ids) by each population they name; keep groups of two or more.

    An organisation with no population listed serves the general population: it names none, so it
    joins no group (general-population public facilities are coverage, not duplication).
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for node, populations in members:
        for population in set(populations):
            groups[population].append(node)
    return {p: sorted(nodes) for p, nodes in groups.items() if len(nodes) >= 2}


def _coordination_details(group: Sequence[str], is_coordinated: Any, coordinated: int) -> tuple[str, dict]:
    """Severity and coordination figures of a group (sorted ids) with ``coordinated`` coordinated pairs."""
    total = len(group) * (len(group) - 1) // 2
    unlinked = total - coordinated
    pairs = combinations(group, 2)
    unlinked_pairs = pairs if not coordinated else filterfalse(is_coordinated, pairs) if unlinked else ()
    listed = [list(pair) for pair in islice(unlinked_pairs, MAX_LISTED_PAIRS)]
    severity = "high" if coordinated == 0 else "medium" if unlinked else "low"
    details = {
        "uncoordinated": unlinked > 0,
        "uncoordinated_pairs": listed,
        "uncoordinated_pair_count": unlinked,
        "pair_count": total,
    }
    return severity, details


def _coordination(details: dict[str, Any], pair: bool = False) -> str:
    """How coordinated a group is: ``linked`` (``linked pair`` for two when ``pair``), a ``pair`` without a link,
    or ``some`` pairs without one."""
    if details["uncoordinated_pair_count"] == 0:
        return "linked pair" if pair else "linked"
    return "pair" if details["pair_count"] == 1 else "some"


def _pairs(details: dict[str, Any]) -> dict[str, int]:
    return {"unlinked": details["uncoordinated_pair_count"], "total": details["pair_count"]}


#: A service overlap's explanation by how coordinated the group is (two organisations: both, more: all).
_OVERLAP = {
    "linked": N_("%(names)s all offer %(service)s to %(people)s in %(district)s, and they are linked or share a "
                 "forum; check that the overlap is agreed."),
    "pair": N_("%(names)s both offer %(service)s to %(people)s in %(district)s but share no active link or forum; "
               "agree who covers whom or link them."),
    "some": N_("%(names)s all offer %(service)s to %(people)s in %(district)s, and %(unlinked)s of the %(total)s "
               "pairs share no active link or forum; agree who covers whom or link them."),
    "linked pair": N_("%(names)s both offer %(service)s to %(people)s in %(district)s, and they are linked or share "
                      "a forum; check that the overlap is agreed."),
}

#: A funding overlap's explanation by how coordinated the recipients are.
_FUNDING = {
    "linked": N_("%(funder)s funds %(names)s for %(service)s to %(people)s in %(district)s, and they are linked or "
                 "share a forum; check that the overlap is agreed."),
    "pair": N_("%(funder)s funds %(names)s for %(service)s to %(people)s in %(district)s but share no active link "
               "or forum; agree who covers whom or link them."),
    "some": N_("%(funder)s funds %(names)s for %(service)s to %(people)s in %(district)s, and %(unlinked)s of the "
               "%(total)s pairs share no active link or forum; agree who covers whom or link them."),
}
