"""Referral outcomes: does the network work for the people sent through it?

Pure functions over referral records (``network.referrals.Referral``) and the
partner graph: completion rates and days to completion per agreement, provider
and district over a window, and two findings, ``failing_route`` (a route whose
referrals are mostly not completed) and ``paper_agreement`` (an agreement in
force that nobody refers along while its partners refer elsewhere).

A referral is in the window when it was created within ``months`` calendar
months up to ``as_of`` (both ends included). Its completion rate is the share
of the window's referrals that reached ``completed``; days to completion run
from the day it was sent to the day it was completed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from network.analysis.finding import Finding, gap_order
from network.analysis.layers import active_links
from network.analysis.words import join, name
from network.meanings import reach_directions
from network.model import today
from network.referrals import Referral, months_before, referral_vocabulary
from network.translation import N_

__all__ = ["Outcome", "WINDOW_MONTHS", "FAILING_BELOW", "ENOUGH_REFERRALS", "in_window", "outcomes",
           "outcome_figures", "failing_routes", "paper_agreements", "outcome_findings", "OUTCOME_TYPES",
           "CompletionRule", "COMPLETION_WEIGHT", "NEUTRAL_RATE"]

#: The window outcomes are judged over, in months up to the as-of date.
WINDOW_MONTHS = 6
#: A route completing fewer than this share of its referrals is failing ...
FAILING_BELOW = 0.5
#: ... when it has at least this many referrals in the window to judge by.
ENOUGH_REFERRALS = 10
#: A pathway step on a judged route costs ``COMPLETION_WEIGHT x (NEUTRAL_RATE - its completion rate)`` more.
COMPLETION_WEIGHT = 2.0
NEUTRAL_RATE = 0.75
#: The finding types of this module.
OUTCOME_TYPES = ("failing_route", "paper_agreement")


@dataclass(frozen=True)
class Outcome:
    """What became of the referrals of one agreement, provider, district or route in the window.

    ``open`` counts referrals still under way (sent, received or accepted);
    ``completion_rate`` is ``completed / referrals`` (``None`` without
    referrals) and ``median_days`` the median days from sent to completed
    (``None`` when none was completed).
    """

    referrals: int
    completed: int
    declined: int
    lost: int
    open: int
    completion_rate: float | None
    median_days: float | None

    def to_dict(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class CompletionRule:
    """A pathway ``StepRule``: a step along a route with enough referrals costs more the fewer were completed.

    ``routes`` maps (sender, provider) to the route's :class:`Outcome` over the
    window (``outcomes(in_window(...), lambda r: (r.source, r.target))``). A
    step from ``sender`` to ``receiver`` whose route has at least ``at_least``
    referrals costs ``weight x (NEUTRAL_RATE - completion rate)`` more: a route
    completing every referral is cheaper by 0.5, one completing none dearer by
    1.5 (with the default weight of 2). Its note says so in words. Routes with
    fewer referrals are left as the agreements make them.

    Examples
    --------
    >>> rule = CompletionRule({("a", "b"): Outcome(12, 3, 7, 2, 0, 0.25, 6)})
    >>> rule.extra_cost("a", "b", "l1"), rule.extra_cost("b", "a", "l1")
    (1.0, 0.0)
    >>> rule.notes("a", "b", "l1")
    ['3 of 12 referrals on this route were completed in the last 6 months.']
    """

    routes: Mapping[tuple[str, str], Outcome]
    at_least: int = ENOUGH_REFERRALS
    weight: float = COMPLETION_WEIGHT
    months: int = WINDOW_MONTHS

    @property
    def adds_cost(self) -> bool:
        """False when no route has enough referrals to be judged: then no step costs more or less."""
        return any(found.referrals >= self.at_least for found in self.routes.values())

    def _judged(self, sender: str | None, receiver: str) -> Outcome | None:
        found = self.routes.get((sender, receiver)) if sender is not None else None
        return found if found is not None and found.referrals >= self.at_least else None

    def extra_cost(self, sender: str, receiver: str, link: str | None) -> float:
        """What the route's observed completion adds to the step's cost (0 when it is not judged)."""
        found = self._judged(sender, receiver)
        return round(self.weight * (NEUTRAL_RATE - (found.completion_rate or 0.0)), 4) if found else 0.0

    def notes(self, sender: str | None, receiver: str, link: str | None) -> list[str]:
        """How many of the route's referrals were completed, in words (nothing when it is not judged)."""
        found = self._judged(sender, receiver)
        if found is None:
            return []
        return [N_("%(completed)s of %(referrals)s referrals on this route were completed in the last %(months)s "
                   "months.") % {"completed": found.completed, "referrals": found.referrals, "months": self.months}]


def in_window(referrals: Iterable[Referral], *, as_of: dt.date | None = None,
              months: int = WINDOW_MONTHS) -> list[Referral]:
    """The referrals created within ``months`` months up to ``as_of`` (default today), both ends included.

    >>> r = Referral("AAA-AAA", "a", "b", ["art"], dt.date(2026, 1, 31))
    >>> [len(in_window([r], as_of=dt.date(2026, d // 100, d % 100), months=1)) for d in (131, 228, 301, 130)]
    [1, 1, 0, 0]
    """
    day = as_of or today()
    start = months_before(day, months)
    return [r for r in referrals if start <= r.created <= day]


def outcomes(referrals: Iterable[Referral], key: Callable[[Referral], Hashable | None]) -> dict[Hashable, Outcome]:
    """The :class:`Outcome` of each group of ``referrals``, grouped by ``key`` (``None``: left out).

    Parameters
    ----------
    referrals : iterable of Referral
        The referrals to count (usually :func:`in_window` of all of them).
    key : callable
        Gives each referral its group: ``lambda r: r.link`` per agreement,
        ``lambda r: r.target`` per provider, ``lambda r: (r.source, r.target)`` per route.

    Returns
    -------
    dict
        ``{group: Outcome}``, in the order groups are first met.

    Examples
    --------
    >>> from network.referrals import StatusChange as S
    >>> day = dt.date(2026, 3, 1)
    >>> done = Referral("A", "a", "b", ["art"], day, history=[S("sent", day, "a"), S("received", day, "b"),
    ...     S("accepted", day, "b"), S("completed", day + dt.timedelta(days=4), "b")])
    >>> waiting = Referral("B", "a", "b", ["art"], day, history=[S("sent", day, "a")])
    >>> outcomes([done, waiting], lambda r: r.target)["b"]
    Outcome(referrals=2, completed=1, declined=0, lost=0, open=1, completion_rate=0.5, median_days=4)
    """
    tallies: dict[Hashable, list[Any]] = {}
    for referral in referrals:
        group = key(referral)
        if group is not None:
            _count(tallies, group, referral)
    return {group: _outcome(*tally) for group, tally in tallies.items()}


def _count(tallies: dict[Hashable, list[Any]], group: Hashable, referral: Referral) -> None:
    """Add ``referral`` to the tally of ``group``: [referrals, completed, declined, lost, days to completion]."""
    tally = tallies.get(group)
    if tally is None:
        tally = tallies[group] = [0, 0, 0, 0, []]
    tally[0] += 1
    last = referral.history[-1] if referral.history else None
    status = last.status if last else "sent"
    if status == "completed":
        tally[1] += 1
        tally[4].append((last.on - referral.created).days)  # type: ignore[union-attr]
    elif status == "declined":
        tally[2] += 1
    elif status == "lost_to_follow_up":
        tally[3] += 1


def _outcome(n: int, completed: int, declined: int, lost: int, days: list[int]) -> Outcome:
    return Outcome(n, completed, declined, lost, n - completed - declined - lost,
                   round(completed / n, 4) if n else None, statistics.median(days) if days else None)


def outcome_figures(referrals: Iterable[Referral], G: nx.MultiDiGraph | None = None, *,
                    as_of: dt.date | None = None, months: int = WINDOW_MONTHS) -> dict[str, Any]:
    """Completion figures per agreement, per provider and per district over the window.

    Parameters
    ----------
    referrals : iterable of Referral
        Every referral (those outside the window are left out here).
    G : nx.MultiDiGraph, optional
        The partner graph: a provider's district is its node's ``district``.
        Without it there are no district figures.
    as_of : date, optional
        The window's last day (default today).
    months : int, default ``WINDOW_MONTHS``
        The window's length.

    Returns
    -------
    dict
        ``{"as_of", "since", "months", "total": Outcome, "agreement": {link id: Outcome},
        "provider": {organisation id: Outcome}, "district": {district: Outcome}}``; a referral
        that names no agreement counts in the total, its provider and district only.

    Examples
    --------
    >>> from network.referrals import StatusChange as S
    >>> day = dt.date(2026, 3, 1)
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("b", district="Sekhukhune")
    >>> sent = [Referral(c, "a", "b", ["art"], day, link="l1", history=[S("sent", day, "a")]) for c in "AB"]
    >>> figures = outcome_figures(sent, G, as_of=day)
    >>> figures["agreement"]["l1"].referrals, figures["district"]["Sekhukhune"].completion_rate
    (2, 0.0)
    """
    day = as_of or today()
    districts = dict(G.nodes(data="district")) if G is not None else {}
    tallies: dict[str, dict[Hashable, list[Any]]] = {"total": {}, "agreement": {}, "provider": {}, "district": {}}
    total, agreement, provider, district = tallies.values()
    for referral in in_window(referrals, as_of=day, months=months):
        _count(total, "all", referral)
        if referral.link is not None:
            _count(agreement, referral.link, referral)
        _count(provider, referral.target, referral)
        place = districts.get(referral.target)
        if place is not None:
            _count(district, place, referral)
    found = {name: {group: _outcome(*tally) for group, tally in table.items()} for name, table in tallies.items()}
    return {"as_of": day, "since": months_before(day, months), "months": months,
            "total": found["total"].get("all", _outcome(0, 0, 0, 0, [])), "agreement": found["agreement"],
            "provider": found["provider"], "district": found["district"]}


def failing_routes(G: nx.MultiDiGraph, referrals: Iterable[Referral], *, as_of: dt.date | None = None,
                   months: int = WINDOW_MONTHS, below: float = FAILING_BELOW,
                   at_least: int = ENOUGH_REFERRALS) -> list[Finding]:
    """One ``failing_route`` finding per route (sender -> provider) whose referrals are mostly not completed.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The partner graph (names and districts).
    referrals : iterable of Referral
        Every referral; those created in the window are judged.
    as_of : date, optional
        The window's last day (default today).
    months : int, default ``WINDOW_MONTHS``
    below : float, default ``FAILING_BELOW``
        A route completing a smaller share of its referrals fails ...
    at_least : int, default ``ENOUGH_REFERRALS``
        ... when it has at least this many referrals in the window.

    Returns
    -------
    list of Finding
        ``failing_route`` findings (``organisations`` = [sender, provider], ``district`` the
        provider's, ``links`` the agreements used), high severity under half of ``below``, else
        medium; ``details`` hold the figures and the reasons referrals were declined.

    Examples
    --------
    >>> from network.referrals import StatusChange as S
    >>> day = dt.date(2026, 3, 1)
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO")
    >>> G.add_node("b", name="Sizwe Clinic", district="Waterberg")
    >>> turned_away = [Referral(f"R{i}", "a", "b", ["art"], day, link="l1", history=[S("sent", day, "a"),
    ...     S("received", day, "b"), S("declined", day, "b", "no_documents")]) for i in range(10)]
    >>> (found,) = failing_routes(G, turned_away, as_of=day)
    >>> found.explanation
    'Only 0 of 10 referrals from Hope CBO to Sizwe Clinic in the last 6 months were completed; 10 were turned \
away (10: no ID or other documents).'
    """
    day = as_of or today()
    window = in_window(referrals, as_of=day, months=months)
    links: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    reasons: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in window:
        if r.link:
            links[(r.source, r.target)][r.link] += 1
        if r.status == "declined" and r.history[-1].reason:
            reasons[(r.source, r.target)][r.history[-1].reason] += 1
    labels = referral_vocabulary().decline_reasons
    found = []
    for (source, target), o in outcomes(window, lambda r: (r.source, r.target)).items():
        if o.referrals < at_least or o.completion_rate is None or o.completion_rate >= below:
            continue
        why = ", ".join(_REASON % {"num": n, "reason": _lower(labels.get(code, code))}
                        for code, n in reasons[(source, target)].most_common(2))
        parts = [_ONLY % {"completed": o.completed, "referrals": o.referrals, "sender": name(G, source),
                          "provider": name(G, target), "months": months}]
        if o.declined:
            parts.append(_TURNED_AWAY[o.declined == 1, bool(why)] % {"num": o.declined, "why": why})
        if o.lost:
            parts.append((_LOST_ONE if o.lost == 1 else _LOST) % {"num": o.lost})
        found.append(Finding(
            "failing_route", "high" if o.completion_rate < below / 2 else "medium", "; ".join(parts) + ".",
            [source, target], district=G.nodes[target].get("district") if target in G else None,
            links=sorted(links[(source, target)]),
            details={**o.to_dict(), "declined_reasons": dict(reasons[(source, target)]), "months": months,
                     "since": months_before(day, months), "below": below}))
    return sorted(found, key=gap_order)


def paper_agreements(G: nx.MultiDiGraph, referrals: Iterable[Referral], *, as_of: dt.date | None = None,
                     months: int = WINDOW_MONTHS, elsewhere: int = 1) -> list[Finding]:
    """One ``paper_agreement`` finding per agreement in force that nobody refers along while its partners refer
    elsewhere.

    An agreement is a referral or MoU link in force on ``as_of`` between active
    organisations that was already in force when the window began (no start
    date, or one on or before it). It is on paper when no referral in the
    window went between its two organisations (either way, whatever agreement
    it named) while a partner that can refer along it (the source of a
    referral link; either end of an MoU or a two-way referral) sent at least
    ``elsewhere`` referrals to other organisations.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The partner graph.
    referrals : iterable of Referral
        Every referral; those created in the window count.
    as_of : date, optional
        The window's last day (default today).
    months : int, default ``WINDOW_MONTHS``
    elsewhere : int, default 1
        Referrals a partner must have sent to others for the silence to tell.

    Returns
    -------
    list of Finding
        ``paper_agreement`` findings (``organisations`` = the link's ends, ``links`` = [its id]),
        medium severity when the partners sent 10 or more referrals elsewhere, else low;
        ``details["sent_elsewhere"]`` counts them per partner.

    Examples
    --------
    >>> from network.referrals import StatusChange as S
    >>> day = dt.date(2026, 3, 1)
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO"); G.add_node("b", name="Sizwe Clinic"); G.add_node("c", name="Lethu NGO")
    >>> _ = G.add_edge("a", "b", key="m1", kind="mou", status="active")
    >>> sent = [Referral("R1", "a", "c", ["legal_aid"], day, history=[S("sent", day, "a")])]
    >>> [(f.links, f.explanation) for f in paper_agreements(G, sent, as_of=day)]
    [(['m1'], 'The MoU between Hope CBO and Sizwe Clinic is in force, but no referral went between them in the \
last 6 months while Hope CBO sent 1 referral to other organisations.')]
    """
    day = as_of or today()
    start = months_before(day, months)
    window = in_window(referrals, as_of=day, months=months)
    between = {frozenset((r.source, r.target)) for r in window}
    sent: dict[str, Counter[str]] = defaultdict(Counter)
    for r in window:
        sent[r.source][r.target] += 1
    found = []
    for u, v, key, data in active_links(G, day, ("referral", "mou")):
        begins = data.get("start_date")
        if (begins is not None and begins > start) or frozenset((u, v)) in between:
            continue
        forwards, backwards = reach_directions(data.get("kind"), bool(data.get("two_way")))
        senders = [s for s, ok in ((u, forwards), (v, backwards)) if ok]
        away = {s: sum(n for to, n in sent[s].items() if to not in (u, v)) for s in senders}
        away = {s: n for s, n in away.items() if n >= elsewhere and n > 0}
        if not away:
            continue
        who = join([(_SENT_ONE if n == 1 else _SENT) % {"name": name(G, s), "num": n} for s, n in away.items()])
        values = {"names": join([name(G, u), name(G, v)]), "months": months, "who": who}
        found.append(Finding(
            "paper_agreement", "medium" if sum(away.values()) >= 10 else "low",
            (_PAPER_MOU if data.get("kind") == "mou" else _PAPER) % values,
            [u, v], district=G.nodes[v].get("district"), links=[key],
            details={"sent_elsewhere": away, "months": months, "since": start}))
    return sorted(found, key=gap_order)


def outcome_findings(G: nx.MultiDiGraph, referrals: Iterable[Referral], *, as_of: dt.date | None = None,
                     months: int = WINDOW_MONTHS, below: float = FAILING_BELOW,
                     at_least: int = ENOUGH_REFERRALS) -> list[Finding]:
    """The ``failing_route`` and ``paper_agreement`` findings together (see each function).

    >>> outcome_findings(nx.MultiDiGraph(), [], as_of=dt.date(2026, 1, 1))
    []
    """
    records = list(referrals)
    return sorted([*failing_routes(G, records, as_of=as_of, months=months, below=below, at_least=at_least),
                   *paper_agreements(G, records, as_of=as_of, months=months)], key=gap_order)


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


# The findings' wording: each sentence or clause from a template marked with N_ (context "sentence" in the
# catalogs), so pages, the API and the command line show it in their caller's language.
#: A failing route: how many referrals were completed; then, as clauses, how many were turned away (one, or
#: several; with the commonest reasons or without) and lost to follow-up.
_ONLY = N_("Only %(completed)s of %(referrals)s referrals from %(sender)s to %(provider)s in the last %(months)s "
           "months were completed")
_TURNED_AWAY = {(True, False): N_("%(num)s was turned away"), (False, False): N_("%(num)s were turned away"),
                (True, True): N_("%(num)s was turned away (%(why)s)"),
                (False, True): N_("%(num)s were turned away (%(why)s)")}
_REASON = N_("%(num)s: %(reason)s")
_LOST_ONE, _LOST = N_("%(num)s was lost to follow-up"), N_("%(num)s were lost to follow-up")
#: An agreement on paper (an MoU or a referral agreement), and what its partners sent elsewhere.
_PAPER_MOU = N_("The MoU between %(names)s is in force, but no referral went between them in the last %(months)s "
                "months while %(who)s to other organisations.")
_PAPER = N_("The referral agreement between %(names)s is in force, but no referral went between them in the last "
            "%(months)s months while %(who)s to other organisations.")
_SENT_ONE, _SENT = N_("%(name)s sent %(num)s referral"), N_("%(name)s sent %(num)s referrals")
