"""Upkeep: records nobody has confirmed lately, partners resting on one funder, agreements recorded one way."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.finding import SEVERITIES, Finding, not_negative
from network.analysis.geography import shared_district
from network.analysis.kernels import in_sorted
from network.analysis.layers import Layers, active_organisations, layers_for
from network.analysis.words import Names, join, long_date, lower_first, name, names, services
from network.gcpause import gc_paused
from network.model import Vocabulary, vocabulary
from network.translation import N_

__all__ = ["upkeep", "stale_records", "donor_dependency", "one_way_agreements"]

#: A record not verified for more than this many days is stale.
MAX_AGE_DAYS = 365
#: Funding ending within this many days makes a dependency on one funder urgent.
ENDING_WITHIN_DAYS = 180
#: Link kinds through which a client can be referred (an MoU reaches both ways).
_REFERRAL, _MOU = "referral", "mou"


def upkeep(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    max_age_days: int = MAX_AGE_DAYS,
    ending_within_days: int = ENDING_WITHIN_DAYS,
    layers: Layers | None = None,
) -> list[Finding]:
    """Every upkeep finding: stale records, donor dependency and one-way agreements.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The day the network is looked at (default today).
    max_age_days : int, default ``MAX_AGE_DAYS``
        Age from which a record is stale (see :func:`stale_records`).
    ending_within_days : int, default ``ENDING_WITHIN_DAYS``
        Horizon that makes a dependency urgent (see :func:`donor_dependency`).
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses.

    Returns
    -------
    list of Finding
        The findings of :func:`stale_records`, :func:`donor_dependency` and
        :func:`one_way_agreements`, most severe first, then by type and
        organisations.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fund", name="Ubuntu Fund", last_verified=dt.date(2026, 5, 1))
    >>> G.add_node("a", name="Hope CBO", last_verified=dt.date(2024, 5, 1))
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", status="active",
    ...                last_verified=dt.date(2026, 5, 1))
    >>> [(f.type, f.organisations) for f in upkeep(G, as_of=dt.date(2026, 6, 1))]
    [('donor_dependency', ['a', 'fund']), ('stale_record', ['a'])]
    """
    not_negative(max_age_days=max_age_days, ending_within_days=ending_within_days)
    layers = layers_for(G, as_of, layers)
    voc = vocabulary()
    with gc_paused():
        findings = [
            *_stale_records(G, layers, max_age_days),
            *_donor_dependency(G, layers, ending_within_days),
            *_one_way_agreements(G, layers, voc),
        ]
        return sorted(findings, key=_order)


def stale_records(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, max_age_days: int = MAX_AGE_DAYS,
    layers: Layers | None = None,
) -> list[Finding]:
    """Active organisations and links in force that nobody has verified for ``max_age_days``, or ever.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    max_age_days : int, default ``MAX_AGE_DAYS`` (365)
        A record whose ``last_verified`` is more than this many days before
        ``as_of``, or missing, is stale.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses.

    Returns
    -------
    list of Finding
        One ``stale_record`` finding per organisation that should verify
        something: its own record, if it is active and stale, and every link
        in force that it is the **source** of and that is stale (whoever
        recorded a link as its source confirms it). ``organisations`` is that
        organisation, ``links`` the stale links, ``details`` holds
        ``verifier`` (the organisation, again), ``own_record`` (whether its
        own record is stale), ``last_verified`` (of its own record),
        ``stale_links``, ``never_verified`` (records never verified),
        ``oldest`` (the oldest verification date among the stale records,
        None if none was ever verified) and ``max_age_days``.

    Raises
    ------
    ValueError
        If ``max_age_days`` is negative.

    Notes
    -----
    Inactive organisations and links not in force on ``as_of`` (proposed,
    ended, expired, or touching an inactive organisation) need no
    verification. Severity: ``medium`` when a record has never been
    verified or was last verified more than twice ``max_age_days`` ago,
    ``low`` otherwise (an unconfirmed record is a doubt about the register,
    not yet a risk to clients).

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", last_verified=dt.date(2026, 5, 1))
    >>> G.add_node("b", name="Sizwe Clinic", last_verified=dt.date(2025, 1, 10))
    >>> G.add_node("c", name="Old Trust", status="inactive")
    >>> _ = G.add_edge("a", "b", key="r1", kind="referral", status="active")
    >>> _ = G.add_edge("b", "a", key="r2", kind="referral", status="active",
    ...                last_verified=dt.date(2026, 4, 1))
    >>> found = stale_records(G, as_of=dt.date(2026, 6, 1))
    >>> [(f.organisations, f.links, f.severity) for f in found]
    [(['a'], ['r1'], 'medium'), (['b'], [], 'low')]
    >>> found[0].explanation
    'Hope CBO should confirm 1 link it recorded as the source (1 never verified): \
its referral agreement to Sizwe Clinic.'
    """
    not_negative(max_age_days=max_age_days)
    return sorted(_stale_records(G, layers_for(G, as_of, layers), max_age_days), key=_order)


def donor_dependency(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, ending_within_days: int = ENDING_WITHIN_DAYS,
    layers: Layers | None = None,
) -> list[Finding]:
    """Organisations funded by one funder only, and districts where one funder carries most funded partners.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    ending_within_days : int, default ``ENDING_WITHIN_DAYS`` (180)
        Funding that ends within this many days of ``as_of`` is urgent.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses.

    Returns
    -------
    list of Finding
        ``donor_dependency`` findings of two scopes (``details["scope"]``):

        * ``"organisation"``: an active organisation whose funding links in
          force on ``as_of`` all come from one funder. ``organisations`` is
          ``[recipient, funder]``, ``links`` the funder's grants to it;
          ``details`` holds ``funder``, ``ends`` (when the last of those
          grants ends; None when one has no end date) and ``days_left``.
        * ``"district"``: a district where one funder's grants in force reach
          more than half of the active organisations of the district that
          have any funding in force, and at least two of them.
          ``organisations`` is ``[funder, *recipients]``, ``links`` the
          grants; ``details`` holds ``funder``, ``funded`` (funded
          organisations in the district), ``carried`` (how many the funder
          funds), ``ending`` (recipients whose last grant from the funder
          ends within ``ending_within_days``) and ``ends`` (the earliest of
          those ends, else None).

    Raises
    ------
    ValueError
        If ``ending_within_days`` is negative.

    Notes
    -----
    A funding link runs funder -> recipient; links from an organisation to
    itself are ignored. Severity: ``high`` (urgent) when the funding at
    stake ends within ``ending_within_days`` of ``as_of`` (for a district,
    the funding of at least one recipient), ``medium`` otherwise.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fund", name="Ubuntu Fund", kind="donor")
    >>> G.add_node("trust", name="Mining Trust", kind="donor")
    >>> for n in "abc":
    ...     G.add_node(n, name=f"CBO {n.upper()}", district="Bojanala")
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", status="active", end_date=dt.date(2026, 9, 30))
    >>> _ = G.add_edge("fund", "b", key="f2", kind="funding", status="active")
    >>> _ = G.add_edge("trust", "b", key="f3", kind="funding", status="active")
    >>> found = donor_dependency(G, as_of=dt.date(2026, 6, 1))
    >>> [(f.details["scope"], f.organisations, f.severity) for f in found]
    [('district', ['fund', 'a', 'b'], 'high'), ('organisation', ['a', 'fund'], 'high')]
    >>> found[1].explanation
    'All the funding of CBO A comes from Ubuntu Fund, and it ends on 30 September 2026, in 121 days; \
help it find a second funder or plan for the grant ending.'
    """
    not_negative(ending_within_days=ending_within_days)
    return sorted(_donor_dependency(G, layers_for(G, as_of, layers), ending_within_days), key=_order)


def one_way_agreements(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, layers: Layers | None = None
) -> list[Finding]:
    """Pairs that refer to each other's services but record their referral agreement one way only.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses.

    Returns
    -------
    list of Finding
        One ``one_way_agreement`` finding per pair of active organisations
        A and B where

        1. one or more ``referral`` links from A to B are in force on
           ``as_of`` and none of them is ``two_way``;
        2. nothing lets B refer back to A: no ``referral`` link from B to A
           and no ``mou`` between them is in force; and
        3. the return direction is evidenced, either
           (a) *by the record*: a referral from A to B names a service that
           A offers and B does not (the agreement itself says B's clients
           get it from A), or
           (b) *by the services*: B offers a service S, a care-cascade rule
           says S -> T, A offers T and B does not, and A serves a population
           B serves (B's clients need what A offers).

        ``organisations`` is ``[A, B]``, ``links`` the one-way referrals,
        ``service`` the first service that evidences the return, and
        ``details`` holds ``services_back`` (every such service),
        ``by_record`` (whether (a) holds) and ``by_cascade`` (whether (b)
        holds).

    Notes
    -----
    This is a likely recording gap, not a network gap: partners who need
    each other's services and already refer one way usually refer both
    ways. A pair with a ``two_way`` referral, referrals both ways or an MoU
    is never flagged. Severity: ``medium`` when the record itself
    evidences the return (a), ``low`` when only the services do (b).

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", services=["tb_screening", "tb_adherence_support"])
    >>> G.add_node("b", name="Sizwe Clinic", services=["tb_screening", "tb_treatment"])
    >>> G.add_node("c", name="Thusong HBC", services=["tb_adherence_support"])
    >>> _ = G.add_edge("a", "b", key="r1", kind="referral", status="active", services=["tb_treatment"])
    >>> _ = G.add_edge("c", "b", key="r2", kind="referral", status="active", two_way=True)
    >>> found = one_way_agreements(G, as_of=dt.date(2026, 6, 1))
    >>> [(f.organisations, f.links, f.service, f.severity) for f in found]
    [(['a', 'b'], ['r1'], 'tb_adherence_support', 'low')]
    >>> found[0].explanation
    'Hope CBO refers clients to Sizwe Clinic, whose clients need TB treatment adherence support, which \
Hope CBO offers and Sizwe Clinic does not; yet their referral agreement is recorded one way only. \
If they refer both ways, record it as two-way.'
    """
    return sorted(_one_way_agreements(G, layers_for(G, as_of, layers), vocabulary()), key=_order)


def _stale_records(G: nx.MultiDiGraph, layers: Layers, max_age_days: int) -> list[Finding]:
    cutoff = layers.as_of - dt.timedelta(days=max_age_days)
    old = layers.as_of - dt.timedelta(days=2 * max_age_days)
    nodes = G._node  # the dict behind G.nodes, without a view per lookup
    own: dict[str, dt.date | None] = {}
    for node in active_organisations(G):
        verified = nodes[node].get("last_verified")
        if verified is None or verified < cutoff:
            own[node] = verified
    links: dict[str, list[tuple[str, str, dt.date | None, Any]]] = defaultdict(list)
    for u, v, key, data in layers.links:
        verified = data.get("last_verified")
        if verified is None or verified < cutoff:
            links[u].append((key, v, verified, data.get("kind")))
    words = _Words(G)
    findings = []
    for node in sorted(own.keys() | links.keys()):
        stale = sorted(links.get(node, ()))
        dates = [verified for _, _, verified, _ in stale]
        if node in own:
            dates.append(own[node])
        known = [d for d in dates if d is not None]
        never = len(dates) - len(known)
        severity = "medium" if never or min(known) < old else "low"
        data = nodes[node]
        findings.append(Finding(
            "stale_record", severity, _stale_explanation(words, node, own, stale, never),
            organisations=[node], district=data.get("district"), links=[key for key, _, _, _ in stale],
            details={"verifier": node, "own_record": node in own, "last_verified": data.get("last_verified"),
                     "stale_links": len(stale), "never_verified": never, "oldest": min(known, default=None),
                     "max_age_days": max_age_days},
        ))
    return findings


class _Words(Names):
    """The organisations' names (:class:`~network.analysis.words.Names`), each looked up once, and dates in words."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        super().__init__(G)
        self.days: dict[dt.date, str] = {}
        self.link_kinds = vocabulary().link_kinds

    def day(self, day: dt.date) -> str:
        """:func:`~network.analysis.words.long_date`."""
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = long_date(day)
        return text


def _stale_explanation(
    words: _Words, node: str, own: dict[str, dt.date | None], stale: list[tuple[str, str, dt.date | None, Any]],
    never: int,
) -> str:
    # each sentence and each of its parts from a template marked with N_, so the pages can show it in another language
    parts = []
    if node in own:
        verified = own[node]
        parts.append(N_("its own record (never verified)") if verified is None else
                     N_("its own record (last verified on %(day)s)") % {"day": words.day(verified)})
    if stale:
        parts.append(N_("1 link it recorded as the source") if len(stale) == 1 else
                     N_("%(num)s links it recorded as the source") % {"num": len(stale)})
    values = {"name": words[node], "parts": join(parts), "num": never}
    if not stale:
        return N_("%(name)s should confirm %(parts)s.") % values
    listed = [_link_words(words, other, kind) for _, other, _, kind in stale[:3]]
    if len(stale) > 3:
        listed.append(N_("1 other") if len(stale) == 4 else f"{len(stale) - 3} " + N_("others"))
    values["links"] = join(listed)
    return (N_("%(name)s should confirm %(parts)s (%(num)s never verified): %(links)s.") if never else
            N_("%(name)s should confirm %(parts)s: %(links)s.")) % values


#: How a stale link is named from the end that recorded it, by kind.
_LINK_WORDS = {"mou": N_("its MoU with %(name)s"), "referral": N_("its referral agreement to %(name)s"),
               "funding": N_("its funding of %(name)s"), "membership": N_("its membership of %(name)s"),
               "coordination": N_("its coordination with %(name)s")}


def _link_words(words: _Words, other: str, kind: Any) -> str:
    """A stale link of ``kind`` named from the end that recorded it, ``other`` its other end."""
    if kind in _LINK_WORDS:
        return _LINK_WORDS[kind] % {"name": words[other]}
    label = lower_first(words.link_kinds.get(kind or "", "link").split(" (")[0])
    return N_("its %(kind)s link with %(name)s") % {"kind": label, "name": words[other]}


def _donor_dependency(G: nx.MultiDiGraph, layers: Layers, within: int) -> list[Finding]:
    as_of = layers.as_of
    grants: dict[str, dict[str, list[tuple[str, dt.date | None]]]] = defaultdict(lambda: defaultdict(list))
    for u, v, key, data in layers.links_of(("funding",)):
        if u != v:
            grants[v][u].append((key, data.get("end_date")))
    findings = []
    funded_in: dict[str, list[str]] = defaultdict(list)
    for recipient in sorted(grants):
        district = G.nodes[recipient].get("district")
        if district:
            funded_in[district].append(recipient)
        funders = grants[recipient]
        if len(funders) != 1:
            continue
        (funder, held), = funders.items()
        ends = _last_end(held)
        days = None if ends is None else (ends - as_of).days
        urgent = days is not None and days <= within
        values = {"name": name(G, recipient), "funder": name(G, funder),
                  "day": long_date(ends) if ends else "", "when": _in_days(days or 0)}
        text = (N_("All the funding of %(name)s comes from %(funder)s; help it find a second funder.") if ends is None
                else N_("All the funding of %(name)s comes from %(funder)s, and it ends on %(day)s, %(when)s; help it "
                        "find a second funder or plan for the grant ending.") if urgent
                else N_("All the funding of %(name)s comes from %(funder)s, and it ends on %(day)s, %(when)s; help it "
                        "find a second funder."))
        findings.append(Finding(
            "donor_dependency", "high" if urgent else "medium", text % values,
            organisations=[recipient, funder], district=district, links=sorted(k for k, _ in held),
            details={"scope": "organisation", "funder": funder, "ends": ends, "days_left": days},
        ))
    for district in sorted(funded_in):
        recipients = funded_in[district]
        by_funder: dict[str, list[str]] = defaultdict(list)
        for recipient in recipients:
            for funder in grants[recipient]:
                by_funder[funder].append(recipient)
        for funder in sorted(by_funder):
            carried = by_funder[funder]
            if len(carried) < 2 or 2 * len(carried) <= len(recipients):
                continue
            ends = {r: _last_end(grants[r][funder]) for r in carried}
            ending = [r for r in carried if ends[r] is not None and (ends[r] - as_of).days <= within]
            first = min((ends[r] for r in ending), default=None)
            values = {"funder": name(G, funder), "carried": len(carried), "funded": len(recipients),
                      "district": district, "names": names(G, ending), "num": len(ending),
                      "day": long_date(first) if first else ""}
            text = (N_("%(funder)s funds %(carried)s of the %(funded)s funded organisations in %(district)s; plan "
                       "with the funder and the district how this work continues if its funding stops.")
                    if first is None else
                    N_("%(funder)s funds %(carried)s of the %(funded)s funded organisations in %(district)s, and its "
                       "grants to %(names)s end by %(day)s; plan with the funder and the district how this work "
                       "continues if its funding stops.") if len(ending) == 1 else
                    N_("%(funder)s funds %(carried)s of the %(funded)s funded organisations in %(district)s, and its "
                       "grants to %(num)s of them end from %(day)s; plan with the funder and the district how this "
                       "work continues if its funding stops."))
            findings.append(Finding(
                "donor_dependency", "high" if ending else "medium", text % values,
                organisations=[funder, *carried], district=district,
                links=sorted(k for r in carried for k, _ in grants[r][funder]),
                details={"scope": "district", "funder": funder, "funded": len(recipients), "carried": len(carried),
                         "ending": ending, "ends": first},
            ))
    return findings


def _last_end(held: Iterable[tuple[str, dt.date | None]]) -> dt.date | None:
    ends = [end for _, end in held]
    return None if any(end is None for end in ends) else max(ends)  # type: ignore[type-var]


def _one_way_agreements(G: nx.MultiDiGraph, layers: Layers, voc: Vocabulary) -> list[Finding]:
    services_of = _CodeBits()
    names = layers.ends[0]
    a, b, keys, scopes = _one_way_referrals(layers, services_of)
    # each organisation's services, populations and needs worked out once, however many pairs it is in; the
    # pairs then tested all at once (Python ints in object arrays: as many services as there are, one bit each)
    involved = np.unique(np.concatenate((a, b)))
    offered, served, needs = _profiles(G, [names[i] for i in involved.tolist()], services_of, voc)
    a, b = np.searchsorted(involved, a), np.searchsorted(involved, b)
    by_record = np.array(scopes, dtype=object) & offered[a] & ~offered[b]
    shared = (served[a] == 0) | (served[b] == 0) | ((served[a] & served[b]) != 0)
    by_cascade = np.where(shared, needs[b] & offered[a], 0)
    words = _Words(G)
    findings = []
    for i in np.flatnonzero((by_record | by_cascade) != 0).tolist():
        x, y = names[involved[a[i]]], names[involved[b[i]]]
        record, cascade = services_of.named(by_record[i]), services_of.named(by_cascade[i])
        back_services = services_of.named(by_record[i] | by_cascade[i])
        findings.append(Finding(
            "one_way_agreement", "medium" if record else "low",
            _one_way_explanation(words, voc, x, y, record, cascade),
            organisations=[x, y], district=shared_district(G, [x, y]), links=sorted(keys[i]),
            service=back_services[0],
            details={"services_back": back_services, "by_record": bool(record), "by_cascade": bool(cascade)},
        ))
    return findings


def _profiles(
    G: nx.MultiDiGraph, involved: list[str], services_of: _CodeBits, voc: Vocabulary
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of each of ``involved``: the services it offers, the populations it names (bits of their own) and what
    its clients need next (by the care-cascade rules) that it does not offer, as object arrays of ints."""
    nodes = G._node  # the dict behind G.nodes, without a view per lookup
    populations = _CodeBits()
    rules = [(services_of.bits([after]), need) for after, need in voc.cascade_rules]
    offered = [services_of.bits(nodes[n].get("services")) for n in involved]
    served = [populations.bits(nodes[n].get("populations")) for n in involved]
    # organisations offering the same services need the same: worked out once per distinct offer
    needed = {mine: services_of.bits([need for after, need in rules if after & mine]) & ~mine for mine in set(offered)}
    needs = list(map(needed.__getitem__, offered))
    return tuple(np.array(values, dtype=object) for values in (offered, served, needs))


def _one_way_referrals(
    layers: Layers, services_of: _CodeBits
) -> tuple[np.ndarray, np.ndarray, list[list[str]], list[int]]:
    """The pairs ``(a, b)`` referring one way only (see :func:`one_way_agreements`, 1 and 2), as the numbers of
    ``a`` and of ``b`` in ``layers.ends``, in the order of their first referral; each one's referrals' ids and
    the services they name (as ``services_of`` bits)."""
    names, tails, heads = layers.ends
    links = layers.links
    codes = {_REFERRAL: 1, _MOU: 2}
    kind = np.fromiter(map(codes.get, layers.kinds, [0] * len(links)), dtype=np.int64, count=len(links))
    apart = tails != heads
    mou, referral = (kind == 2) & apart, (kind == 1) & apart
    rows = np.flatnonzero(referral)
    two_way = np.zeros(len(links), dtype=bool)
    two_way[rows] = [bool(links[i][3].get("two_way")) for i in rows.tolist()]
    # each arc as a number, to look the way back up among the arcs that let the target refer back
    n = len(names)
    ahead, behind = tails * n + heads, heads * n + tails
    back = np.concatenate([ahead[mou | referral], behind[mou]])
    both = np.concatenate([ahead[two_way], behind[two_way]])
    one_way = referral & ~two_way & ~in_sorted(behind, np.sort(back)) & ~in_sorted(ahead, np.sort(both))
    keys: dict[int, list[str]] = {}  # by arc number, in the order of each pair's first referral
    scopes: dict[int, int] = {}
    rows = np.flatnonzero(one_way)
    for i, arc in zip(rows.tolist(), ahead[rows].tolist(), strict=True):
        _, _, key, data = links[i]
        bits = services_of.bits(data.get("services"))
        if arc in keys:
            keys[arc].append(key)
            scopes[arc] |= bits
        else:
            keys[arc], scopes[arc] = [key], bits
    arcs = np.fromiter(keys, dtype=np.int64, count=len(keys))
    return arcs // max(n, 1), arcs % max(n, 1), list(keys.values()), list(scopes.values())


class _CodeBits:
    """Sets of codes (services, populations) as the bits of an int, a bit per code in the order they are met."""

    def __init__(self) -> None:
        self.bit: dict[str, int] = {}
        self.names: list[str] = []
        self._lists: dict[tuple[str, ...], int] = {}

    def bits(self, codes: Iterable[str] | None) -> int:
        """The bits of ``codes`` (None is none)."""
        key = tuple(codes or ())
        found = self._lists.get(key)
        if found is None:
            found = 0
            for code in key:
                if code not in self.bit:
                    self.bit[code] = 1 << len(self.names)
                    self.names.append(code)
                found |= self.bit[code]
            self._lists[key] = found
        return found

    def named(self, bits: int) -> list[str]:
        """The codes of ``bits``, sorted."""
        return sorted(self.names[i] for i in range(bits.bit_length()) if bits >> i & 1)


def _one_way_explanation(
    words: _Words, voc: Vocabulary, a: str, b: str, by_record: list[str], by_cascade: list[str]
) -> str:
    values = {"a": words[a], "b": words[b], "services": services(voc, by_record or by_cascade)}
    return (N_("%(a)s refers clients to %(b)s, and their agreement names %(services)s, which %(a)s offers and %(b)s "
               "does not; yet their referral agreement is recorded one way only. If they refer both ways, record it "
               "as two-way.") if by_record else
            N_("%(a)s refers clients to %(b)s, whose clients need %(services)s, which %(a)s offers and %(b)s does "
               "not; yet their referral agreement is recorded one way only. If they refer both ways, record it as "
               "two-way.")) % values


def _order(finding: Finding) -> tuple[Any, ...]:
    return (SEVERITIES.index(finding.severity), finding.type, finding.details.get("scope", ""),
            finding.organisations, finding.links)


def _in_days(days: int) -> str:
    if days < 0:
        return N_("1 day ago") if days == -1 else N_("%(days)s days ago") % {"days": -days}
    return (N_("today") if days == 0 else N_("in 1 day") if days == 1 else
            N_("in %(days)s days") % {"days": days})
