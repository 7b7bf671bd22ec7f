"""Low trust where partners depend on each other: the ``low_trust_dependency`` finding, from tie survey scores.

**Depend.** Two organisations depend on each other when at least one
agreement between them is in force on the day asked about: an MoU, a referral
agreement, funding, a secondment or data sharing (the agreement kinds of
``expiring_agreement``; :func:`network.meanings.in_force`). A shared
coordination forum, a membership, mentoring, training or an advocacy
coalition is a tie, not a dependency.

**Low trust.** A tie's trust score (the mean of its sides' trust answers in a
survey round, 1-4; ``network.analysis.ties.tie_scores``) below ``below``
(default 2: on average the partners trust each other less than "a small
amount").

A tie's score rests on one or two answers, so these findings are for
administrators (``network.service.surveys`` gives the scores to them only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from network.analysis.finding import Finding
from network.analysis.gaps import AGREEMENT_KINDS
from network.analysis.words import join, name
from network.meanings import in_force
from network.model import today, vocabulary
from network.translation import N_

__all__ = ["low_trust_dependencies", "word_trust", "LOW_TRUST_BELOW", "dependencies", "LowTrustSteps"]

#: A tie whose trust score is below this is a low-trust tie.
LOW_TRUST_BELOW = 2.0
#: Agreements that carry clients: a low-trust tie holding one is the more urgent.
_CARRIES_CLIENTS = ("referral", "mou")


def dependencies(G: nx.MultiDiGraph, as_of: dt.date) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The pairs of organisations that depend on each other on ``as_of``, with their agreements in force.

    Returns ``{(a, b): [(link id, kind), ...]}`` with ``a < b``, links ordered by id.

    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")],
    ...                 [Link("l1", "a", "b", "referral"), Link("l2", "a", "b", "coordination")])
    >>> dependencies(G, dt.date(2026, 1, 1))
    {('a', 'b'): [('l1', 'referral')]}
    """
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        if data.get("kind") in AGREEMENT_KINDS and in_force(data, as_of):
            pair = (u, v) if u <= v else (v, u)
            found.setdefault(pair, []).append((str(key), data["kind"]))
    return {pair: sorted(links) for pair, links in found.items()}


def low_trust_dependencies(
    G: nx.MultiDiGraph,
    scores: Mapping[tuple[str, str], Mapping[str, Any]],
    *,
    as_of: dt.date | None = None,
    below: float = LOW_TRUST_BELOW,
    survey: str = "the latest survey",
) -> list[Finding]:
    """Ties with low trust between partners that depend on each other (``low_trust_dependency`` findings).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph (its links say who depends on whom).
    scores : mapping
        Tie scores keyed by ``(a, b)`` with ``a < b``, each with ``trust``, ``value`` and ``respondents``
        (``network.analysis.ties.tie_scores``).
    as_of : date, optional
        The day agreements must be in force on (default today).
    below : float, default 2.0
        Trust scores below this are low.
    survey : str
        The survey round's name, for the explanation.

    Returns
    -------
    list of Finding
        One per pair: ``organisations`` the two, ``links`` their agreements in force, severity ``high``
        when an agreement carries clients (referral or MoU), else ``medium``; lowest trust first.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "Hope CBO", "cbo"), Organisation("b", "Sizwe Clinic", "clinic"),
    ...                  Organisation("c", "Forum", "ngo")],
    ...                 [Link("l1", "a", "b", "referral"), Link("l2", "b", "c", "coordination")])
    >>> scores = {("a", "b"): {"trust": 1.5, "value": 3.0, "respondents": 2},
    ...           ("b", "c"): {"trust": 1.0, "value": 2.0, "respondents": 1}}
    >>> [(f.type, f.organisations, f.links, f.severity) for f in low_trust_dependencies(G, scores)]
    [('low_trust_dependency', ['a', 'b'], ['l1'], 'high')]
    """
    day = as_of or today()
    depend = dependencies(G, day)
    kinds = vocabulary().link_kinds
    findings = []
    for pair, score in sorted(scores.items(), key=lambda kv: (kv[1]["trust"], kv[0])):
        if score["trust"] >= below or pair not in depend:
            continue
        links = depend[pair]
        agreements = join(sorted({kinds.get(k, k).split(" (")[0].lower() for _, k in links}))
        a, b = pair
        explanation = N_("%(a)s and %(b)s depend on each other (%(agreements)s) but rate their trust in each other "
                         "low: %(trust)s of 4 in %(survey)s. Talk with both before the agreement is needed.") % {
            "a": name(G, a), "b": name(G, b), "agreements": agreements, "trust": f"{score['trust']:.2f}",
            "survey": survey}
        district = G.nodes[a].get("district") if G.nodes[a].get("district") == G.nodes[b].get("district") else None
        severity = "high" if any(k in _CARRIES_CLIENTS for _, k in links) else "medium"
        findings.append(Finding("low_trust_dependency", severity, explanation, [a, b], district=district,
                                links=[i for i, _ in links],
                                details={"trust": round(score["trust"], 2), "value": round(score["value"], 2),
                                         "sides": score["respondents"], "survey": survey, "agreements": agreements,
                                         "kinds": sorted({k for _, k in links})}))
    return findings


def word_trust(group: Any, findings: Sequence[Finding], w: Any) -> tuple[str, str, list[str]]:
    """The agenda's wording of a low-trust dependency: meet both partners about the agreement."""
    f = findings[group.members[0]]
    a, b = f.organisations[:2]
    values = {"a": name(w.G, a), "b": name(w.G, b), "agreements": f.details.get("agreements"),
              "num": len(f.links), "trust": f.details.get("trust"), "survey": f.details.get("survey")}
    what = N_("Meet %(a)s and %(b)s about trust in their %(agreements)s") % values
    why = (N_("They depend on each other through 1 agreement in force, but their trust in each other is %(trust)s "
              "of 4 in %(survey)s.") if len(f.links) == 1 else
           N_("They depend on each other through %(num)s agreements in force, but their trust in each other is "
              "%(trust)s of 4 in %(survey)s.")) % values
    return what, why, [a, b]


class LowTrustSteps:
    """A pathway step rule (``network.analysis.pathways.StepRule``): a step along a low-trust tie says so.

    ``scores`` are tie scores keyed by ``(a, b)`` with ``a < b``; a step from ``sender`` to ``receiver``
    whose tie's trust is below ``below`` gets a note naming the score and ``survey``. The cost is not
    changed: a low-trust route may still be the only one, and the coordinator decides.

    >>> rule = LowTrustSteps({("a", "b"): {"trust": 1.5}}, survey="Round one")
    >>> rule.notes("b", "a", "l1"), rule.notes("a", "c", "l2"), rule.notes(None, "a", None)
    (['Trust on this tie is low (1.50 of 4 in Round one).'], [], [])
    """

    def __init__(self, scores: Mapping[tuple[str, str], Mapping[str, Any]], *, below: float = LOW_TRUST_BELOW,
                 survey: str = "the latest survey"):
        self._low = {pair: float(s["trust"]) for pair, s in scores.items() if s["trust"] < below}
        self._survey = survey
        #: What remembered pathway answers are told apart by (survey answers also move the store's revision).
        self.key = ("low_trust", survey, below)
        #: The rule never changes a step's cost (the pathway search need not ask it).
        self.adds_cost = False

    def extra_cost(self, sender: str, receiver: str, link: str | None) -> float:
        """No extra cost: the rule only tells."""
        return 0.0

    def notes(self, sender: str | None, receiver: str, link: str | None) -> list[str]:
        """A sentence when the step runs along a low-trust tie (nothing for the start or a proposed step)."""
        if sender is None or link is None:
            return []
        trust = self._low.get((sender, receiver) if sender <= receiver else (receiver, sender))
        values = {"trust": f"{trust:.2f}" if trust is not None else "", "survey": self._survey}
        return [] if trust is None else [N_("Trust on this tie is low (%(trust)s of 4 in %(survey)s).") % values]
