"""Tie survey scores after the PARTNER tool: value and trust per tie, per organisation and for the network.

Every answer (a :class:`~network.surveys.TieRating`) rates one partner on six
items from 1 to 4. Its **value** is the mean of power and influence, level of
involvement and resource contribution; its **trust** the mean of reliability,
support of the mission and openness to discussion. From the answers of a round:

- a **tie** (an unordered pair of organisations) has one side per organisation
  that rated the other; its score is the mean of its sides' scores;
- an **organisation** has the mean value and trust of the answers *about* it
  (as rated by others), with the number of organisations that rated it;
- the **network** value and trust scores are the mean over every answer of the
  round, also given as a percentage of the highest score (4);
- the **response rate** is the share of invited organisations that answered.

**Privacy.** :func:`public_results` keeps only the groups at least ``minimum``
(3) organisations answered for; smaller groups are withheld and say so. A tie
has at most two sides, so tie scores are for administrators only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from network.surveys import ITEMS, TieRating

__all__ = [
    "MINIMUM_RESPONDENTS",
    "tie_scores",
    "organisation_scores",
    "network_scores",
    "response_rate",
    "round_results",
    "public_results",
    "compare_rounds",
    "tie_key",
]

#: Aggregates over fewer organisations than this are withheld from everyone but administrators.
MINIMUM_RESPONDENTS = 3


def tie_key(a: str, b: str) -> tuple[str, str]:
    """The key of the tie between ``a`` and ``b``, whichever side answers.

    >>> tie_key("b", "a")
    ('a', 'b')
    """
    return (a, b) if a <= b else (b, a)


def _answers(r: TieRating) -> tuple[int, ...]:
    return r.power, r.involvement, r.resources, r.reliability, r.mission, r.openness


def _means(totals: Sequence[float], n: int, respondents: int) -> dict[str, Any]:
    """The means of a group of ``n`` answers whose item totals are ``totals`` (in the order of ITEMS)."""
    items = {item: total / n for item, total in zip(ITEMS, totals, strict=True)}
    return {
        "value": (totals[0] + totals[1] + totals[2]) / (3 * n),
        "trust": (totals[3] + totals[4] + totals[5]) / (3 * n),
        "items": items,
        "respondents": respondents,
        "answers": n,
    }


def tie_scores(ratings: Iterable[TieRating]) -> dict[tuple[str, str], dict[str, Any]]:
    """Scores of each rated tie: each side's answer and the mean of the sides.

    Parameters
    ----------
    ratings : iterable of TieRating
        The answers of one round (one per respondent and partner).

    Returns
    -------
    dict
        ``{(a, b): {"value", "trust", "respondents", "sides": {respondent: {"value", "trust"}}}}``
        keyed by :func:`tie_key`; the tie's ``value`` and ``trust`` are the means of its sides'.

    Examples
    --------
    >>> ratings = [TieRating("r", "a", "b", 4, 4, 4, 2, 2, 2), TieRating("r", "b", "a", 2, 2, 2, 4, 4, 4)]
    >>> s = tie_scores(ratings)[("a", "b")]
    >>> s["value"], s["trust"], s["respondents"], s["sides"]["a"]["trust"]
    (3.0, 3.0, 2, 2.0)
    """
    result: dict[tuple[str, str], dict[str, Any]] = {}
    for r in ratings:
        a = _answers(r)
        side = {"value": (a[0] + a[1] + a[2]) / 3, "trust": (a[3] + a[4] + a[5]) / 3}
        key = tie_key(r.respondent, r.partner)
        tie = result.get(key)
        if tie is None:
            result[key] = {"value": side["value"], "trust": side["trust"], "respondents": 1,
                           "sides": {r.respondent: side}}
            continue
        tie["sides"][r.respondent] = side
        tie["sides"] = dict(sorted(tie["sides"].items()))
        n = len(tie["sides"])
        tie["value"] = sum(x["value"] for x in tie["sides"].values()) / n
        tie["trust"] = sum(x["trust"] for x in tie["sides"].values()) / n
        tie["respondents"] = n
    return result


def organisation_scores(ratings: Iterable[TieRating]) -> dict[str, dict[str, Any]]:
    """Each rated organisation's mean value and trust as rated by others.

    Parameters
    ----------
    ratings : iterable of TieRating
        One answer per respondent and partner (as a round keeps them).

    Returns
    -------
    dict
        ``{organisation: {"value", "trust", "items", "respondents", "answers"}}``: means over the
        answers about it; ``respondents`` counts the organisations that rated it.

    Examples
    --------
    >>> ratings = [TieRating("r", x, "hub", 3, 3, 3, v, v, v) for x, v in (("a", 1), ("b", 2), ("c", 4))]
    >>> s = organisation_scores(ratings)["hub"]
    >>> round(s["trust"], 3), s["value"], s["respondents"]
    (2.333, 3.0, 3)
    """
    totals: dict[str, list[float]] = {}
    raters: dict[str, set[str]] = defaultdict(set)
    for r in ratings:
        acc = totals.get(r.partner)
        if acc is None:
            acc = totals[r.partner] = [0, 0, 0, 0, 0, 0, 0]
        a = _answers(r)
        acc[0] += a[0]
        acc[1] += a[1]
        acc[2] += a[2]
        acc[3] += a[3]
        acc[4] += a[4]
        acc[5] += a[5]
        acc[6] += 1
        raters[r.partner].add(r.respondent)
    return {org: _means(acc[:6], acc[6], len(raters[org])) for org, acc in sorted(totals.items())}


def network_scores(ratings: Iterable[TieRating]) -> dict[str, Any] | None:
    """The network's value and trust scores: means over every answer of the round (None without answers).

    The scores are also given as a percentage of the highest score (``value_percent``,
    ``trust_percent`` = mean / 4 x 100). ``contributions`` counts, for each thing a partner
    can bring, the organisations that said they bring it to at least one tie.

    Examples
    --------
    >>> s = network_scores([TieRating("r", "a", "b", 4, 4, 4, 3, 3, 3), TieRating("r", "b", "a", 2, 2, 2, 1, 1, 1)])
    >>> s["value"], s["trust"], s["trust_percent"], s["respondents"]
    (3.0, 2.0, 50.0, 2)
    """
    ratings = list(ratings)
    if not ratings:
        return None
    totals = [0.0] * 6
    for r in ratings:
        for i, answer in enumerate(_answers(r)):
            totals[i] += answer
    scores = _means(totals, len(ratings), len({r.respondent for r in ratings}))
    scores["value_percent"] = round(scores["value"] / 4 * 100, 1)
    scores["trust_percent"] = round(scores["trust"] / 4 * 100, 1)
    brings: dict[str, set[str]] = defaultdict(set)
    for r in ratings:
        for code in r.contributes:
            brings[code].add(r.respondent)
    scores["contributions"] = {code: len(who) for code, who in sorted(brings.items())}
    return scores


def response_rate(invited: Iterable[str], ratings: Iterable[TieRating]) -> dict[str, Any]:
    """How many invited organisations answered (about at least one tie), and the share.

    >>> response_rate(["a", "b", "c", "d"], [TieRating("r", "a", "b", 1, 1, 1, 1, 1, 1)])
    {'invited': 4, 'responded': 1, 'rate': 0.25}
    """
    invited = set(invited)
    responded = {r.respondent for r in ratings} & invited
    return {"invited": len(invited), "responded": len(responded),
            "rate": len(responded) / len(invited) if invited else 0.0}


def round_results(invited: Iterable[str], ratings: Iterable[TieRating], *, with_ties: bool = True) -> dict[str, Any]:
    """Every aggregate of one round, unprotected (for administrators): ties, organisations, network, response.

    ``with_ties=False`` leaves the tie scores out (empty): what :func:`public_results` keeps of them is
    nothing (a tie has at most two sides), so they need not be worked out for it.

    >>> r = round_results(["a", "b"], [TieRating("r", "a", "b", 2, 2, 2, 2, 2, 2)])
    >>> r["response"]["responded"], r["network"]["trust"], list(r["ties"])
    (1, 2.0, [('a', 'b')])
    """
    ratings = list(ratings)
    return {"ties": tie_scores(ratings) if with_ties else {}, "organisations": organisation_scores(ratings),
            "network": network_scores(ratings), "response": response_rate(invited, ratings)}


def public_results(results: Mapping[str, Any], minimum: int = MINIMUM_RESPONDENTS) -> dict[str, Any]:
    """The results anyone but an administrator may see: groups rated by at least ``minimum`` organisations.

    Parameters
    ----------
    results : dict
        From :func:`round_results`.
    minimum : int
        The fewest organisations behind an aggregate that is shown.

    Returns
    -------
    dict
        ``organisations`` and ``network`` keep shown groups only; ``withheld`` lists the organisations
        whose scores are withheld; ``network`` is None (and ``network_withheld`` True) when fewer than
        ``minimum`` organisations answered; ``ties`` keeps ties with enough sides (never, with at most
        two sides, for ``minimum`` above 2); ``response`` is shown as it is (counts, not answers).

    Examples
    --------
    >>> few = [TieRating("r", x, "hub", 3, 3, 3, 3, 3, 3) for x in ("a", "b")]
    >>> p = public_results(round_results(["a", "b", "hub"], few))
    >>> p["organisations"], p["withheld"], p["network"], p["network_withheld"]
    ({}, ['hub'], None, True)
    """
    organisations = results["organisations"]
    network = results["network"]
    shown_network = network if network and network["respondents"] >= minimum else None
    return {
        "ties": {k: v for k, v in results["ties"].items() if v["respondents"] >= minimum},
        "organisations": {k: v for k, v in organisations.items() if v["respondents"] >= minimum},
        "withheld": sorted(k for k, v in organisations.items() if v["respondents"] < minimum),
        "network": shown_network,
        "network_withheld": network is not None and shown_network is None,
        "response": results["response"],
        "minimum": minimum,
    }


def compare_rounds(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """This round against the last: changes of the network scores and of each organisation shown in both.

    Takes two results of the same kind (both :func:`round_results` or both :func:`public_results`), so a
    comparison shows no more than the results it compares.

    Examples
    --------
    >>> a = round_results(["x"], [TieRating("r", "x", "y", 2, 2, 2, 2, 2, 2)])
    >>> b = round_results(["x"], [TieRating("r", "x", "y", 3, 3, 3, 1, 1, 1)])
    >>> c = compare_rounds(b, a)
    >>> c["network"], c["organisations"]["y"]
    ({'value': 1.0, 'trust': -1.0}, {'value': 1.0, 'trust': -1.0})
    """
    def change(now: Mapping[str, Any] | None, then: Mapping[str, Any] | None) -> dict[str, float] | None:
        if not now or not then:
            return None
        return {score: round(now[score] - then[score], 6) for score in ("value", "trust")}

    before = previous["organisations"]
    return {
        "network": change(current["network"], previous["network"]),
        "organisations": {org: change(s, before[org]) for org, s in current["organisations"].items()
                          if org in before},
        "response": round(current["response"]["rate"] - previous["response"]["rate"], 6),
    }
