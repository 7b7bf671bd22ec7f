"""Partners across a border: providers in a sending country that keep a client's care going when they go home."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence

import networkx as nx

from network.analysis.borders import country_of
from network.analysis.finding import Finding
from network.analysis.geography import km, place
from network.analysis.words import join
from network.meanings import serves
from network.model import Vocabulary
from network.translation import N_

__all__ = ["CONTINUITY_SERVICES", "PROVIDERS_PER_BORDER", "Abroad", "crossing"]

#: Services whose continuity a cross-border agreement is for, with the words for them in a sentence.
CONTINUITY_SERVICES = {"tb_treatment": N_("TB treatment"), "compensation_claims_support": N_("compensation claims"),
                       "occupational_health_compensation": N_("compensation claims")}
#: Providers in the sending country proposed per ``cross_border_gap``.
PROVIDERS_PER_BORDER = 3


class Abroad:
    """Who offers continuity of care in each country, among the organisations ``nodes`` of ``G``.

    A ``cross_border_gap`` (district D, sending country C) is closed by a
    referral from any organisation of D to a provider in C that offers one
    of ``CONTINUITY_SERVICES`` to a population the gap names.

    >>> import networkx as nx
    >>> from network.analysis.finding import Finding
    >>> from network.model import vocabulary
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("gaza", country="MZ", district="Gaza", services=["tb_treatment", "hiv_testing"])
    >>> G.add_node("npo", country="MZ", services=["advocacy"])
    >>> gap = Finding("cross_border_gap", "high", "", ["forum"], "Lejweleputswa", "ex_mineworkers", None,
    ...               details={"country": "MZ", "populations": ["ex_mineworkers"]})
    >>> abroad = Abroad(G, G.nodes, vocabulary())
    >>> abroad.providers_for(gap), abroad.closes(gap, "gaza"), abroad.closes(gap, "npo")
    (['gaza'], True, False)
    """

    def __init__(self, G: nx.MultiDiGraph, nodes: Collection[str], voc: Vocabulary) -> None:
        self.G, self.voc = G, voc
        self.country = {n: country_of(G, n) for n in nodes}
        self.providers: dict[str, list[str]] = defaultdict(list)
        for node in nodes:
            if CONTINUITY_SERVICES.keys() & set(G.nodes[node].get("services") or ()):
                self.providers[self.country[node]].append(node)

    def continuity(self, y: str, populations: Sequence[str]) -> list[str]:
        """The continuity services ``y`` offers to any of ``populations`` (in ``CONTINUITY_SERVICES`` order)."""
        data = self.G.nodes[y]
        if populations and not any(serves(data.get("populations"), p) for p in populations):
            return []
        offered = set(data.get("services") or ())
        return [s for s in CONTINUITY_SERVICES if s in offered]

    def keeps_all(self, y: str) -> bool:
        """True if ``y`` keeps every kind of continuity going (TB treatment and compensation claims)."""
        kept = {CONTINUITY_SERVICES[s] for s in self.continuity(y, ())}
        return kept == set(CONTINUITY_SERVICES.values())

    def closes(self, finding: Finding, y: str) -> bool:
        """True if a referral from the gap's district to ``y`` closes the ``cross_border_gap`` ``finding``."""
        return (self.country.get(y) == finding.details.get("country")
                and bool(self.continuity(y, finding.details.get("populations") or ())))

    def providers_for(self, finding: Finding) -> list[str]:
        """The best ``PROVIDERS_PER_BORDER`` providers in the gap's sending country.

        Those offering the most continuity services come first, then the
        nearest to the gap's district (those with no known place last), then
        by id.
        """
        home = self.voc.district_centres.get(finding.district or "")
        populations = finding.details.get("populations") or ()

        def rank(y: str) -> tuple[int, float, str]:
            there = place(self.G.nodes[y], self.voc, self.G.nodes[y].get("district"))
            distance = km(home, there) if home and there else math.inf
            return (-len(self.continuity(y, populations)), distance, y)

        fits = [y for y in self.providers.get(finding.details.get("country", ""), ()) if self.closes(finding, y)]
        return sorted(fits, key=rank)[:PROVIDERS_PER_BORDER]

    def effect(self, finding: Finding, target: str) -> str:
        """What a referral to ``target`` does for ``finding``, in words (for a recommendation's sentence)."""
        details = finding.details
        kept = join(list(dict.fromkeys(CONTINUITY_SERVICES[s] for s in
                                       self.continuity(target, details.get("populations") or ()))))
        people = join([self.voc.populations.get(p, p).lower() for p in details.get("populations") or ()])
        return N_("let %(kept)s follow %(people)s from %(district)s home to %(country)s") % {
            "kept": kept, "people": people, "district": finding.district,
            "country": self.voc.country_label(details.get("country"))}


def crossing(G: nx.MultiDiGraph, source: str, target: str) -> tuple[str, str] | None:
    """``(from, into)`` country codes when a link from ``source`` to ``target`` crosses a border, else None.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("welkom", district="Lejweleputswa")
    >>> G.add_node("maseru", country="LS")
    >>> crossing(G, "welkom", "maseru"), crossing(G, "welkom", "welkom")
    (('ZA', 'LS'), None)
    """
    here, there = country_of(G, source), country_of(G, target)
    return (here, there) if here != there else None
