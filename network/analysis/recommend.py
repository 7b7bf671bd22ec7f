"""Recommendations: the new referral agreements and MoUs that would close the most linkage gaps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from network.analysis import words
from network.analysis.border_partners import crossing
from network.analysis.finding import SEVERITIES, Finding
from network.analysis.gaps import linkage_gaps
from network.analysis.layers import Layers, layers_for
from network.analysis.recommend_candidates import candidate_pairs
from network.analysis.recommend_cover import bonuses, pick, proposed
from network.analysis.recommend_index import PartnerIndex
from network.model import vocabulary
from network.translation import N_

__all__ = ["Recommendation", "CLOSABLE_TYPES", "recommend_links"]

#: Finding types a new link can close.
CLOSABLE_TYPES = ("broken_cascade", "unreachable", "uncovered", "isolated", "cross_border_gap")


@dataclass
class Recommendation:
    """One new link worth agreeing.

    ``kind`` is ``referral`` (``source`` refers clients to ``target``) or
    ``mou`` (both ways). ``score`` is the number of gaps it closes plus tie-break
    bonuses, ``closes`` identifies those gaps, ``reasons`` lists the evidence
    and ``explanation`` says it in one sentence. ``border`` is ``{"from":
    country, "into": country}`` (ISO codes) when the link crosses a border,
    else None.
    """

    source: str
    target: str
    kind: str
    score: float
    closes: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    explanation: str = ""
    border: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The recommendation as a JSON-ready dict."""
        return asdict(self)


def recommend_links(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    gaps: Sequence[Finding] | None = None,
    limit: int = 20,
    max_km: float = 150,
    layers: Layers | None = None,
) -> list[Recommendation]:
    """Rank new referral agreements and MoUs by the linkage gaps they would close.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    gaps : sequence of Finding, optional
        Findings of ``linkage_gaps`` to close (computed when not given); those of
        other types than ``CLOSABLE_TYPES`` are ignored.
    limit : int, default 20
        Most recommendations returned.
    max_km : float, default 150
        How far apart, in kilometres, two organisations in different districts
        may be for a link between them to be suggested.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).

    Returns
    -------
    list of Recommendation
        Best first. Each closes at least one gap that no recommendation above it
        closes; ``closes`` lists those gaps (``type``, ``severity``,
        ``organisation``, ``district``, ``population``, ``service``).

    Notes
    -----
    Candidates come from the gaps. For a ``broken_cascade`` (organisation X has
    no route to service T), the partners are active organisations offering T to
    a population X serves, in X's district or within ``max_km`` (X with no
    location: anywhere): those among X's referral partners' partners, and the
    first ``CANDIDATES_PER_GAP`` others, district by district outwards, the
    widest offers first. For an ``uncovered`` or ``unreachable`` (district,
    population, service), the nearest providers of the service to the
    population are paired with organisations serving the population in the
    district. At most ``CANDIDATES_PER_GAP`` partners are kept per gap,
    preferring the same district, then common referral partners, shared
    populations and distance. For a ``cross_border_gap``, the providers in
    the sending country offering the most of that continuity, nearest first,
    are paired with the district's organisations naming that country. Scanning stops early, so a 50,000-organisation
    network costs seconds, not all pairs.

    Each candidate arc X -> Y is then checked against every gap it touches, by
    the gap's own rule as if the arc were in force: it closes a
    ``broken_cascade`` of X when Y offers the missing service to a population X
    serves; an ``unreachable`` or ``uncovered`` finding when X serves the
    population in that district and Y offers the service to it in the district
    or within ``max_km`` (an uncovered service is then reached by referral
    rather than offered locally); an ``isolated`` finding of X or Y; and a
    ``cross_border_gap`` (district D, sending country C) when X is in D and Y
    is in C and offers TB treatment or compensation claims support to a
    population the gap names (see
    :class:`~network.analysis.border_partners.Abroad`). When
    each of the arcs X -> Y and Y -> X closes a gap the other does not, an MoU
    is suggested, otherwise a referral the way that closes more.

    Recommendations are picked greedily, as for set cover: each next one is the
    link closing the most gaps still open, plus bonuses below 1 in total
    (``SAME_DISTRICT_BONUS`` or ``NEARBY_BONUS``, ``SHARED_POPULATION_BONUS`` per
    shared population, ``COMMON_PARTNER_BONUS`` per common referral partner,
    ``PROPOSED_BONUS`` when a link between them is already proposed,
    ``CONTINUITY_BONUS`` when it crosses a border to a provider keeping both TB
    treatment and compensation claims going), then by
    ids. Existing routes of the reach graph (:func:`network.meanings.reach_graph`:
    a referral, both ways when ``two_way``, or an MoU in force), self-links and
    inactive organisations are never suggested.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [
    ...     Organisation("cbo", "Hope CBO", "cbo", district="Waterberg", services=["tb_screening"]),
    ...     Organisation("clinic", "Sizwe Clinic", "clinic", district="Waterberg", services=["tb_treatment"]),
    ...     Organisation("far", "Far Clinic", "clinic", district="OR Tambo", services=["tb_treatment"]),
    ...     Organisation("hbc", "Thusong HBC", "cbo", district="Waterberg", services=["home_based_care"]),
    ...     Organisation("forum", "Forum", "other", district="Waterberg"),
    ... ]
    >>> links = [Link("c1", "cbo", "forum", "coordination"), Link("c2", "clinic", "forum", "coordination"),
    ...          Link("c3", "hbc", "forum", "coordination"), Link("c4", "far", "forum", "coordination")]
    >>> best = recommend_links(build_graph(orgs, links), as_of=dt.date(2026, 1, 1))[0]
    >>> best.source, best.target, best.kind, [c["service"] for c in best.closes]
    ('cbo', 'clinic', 'referral', ['tb_treatment'])
    >>> best.explanation
    'Agree a referral agreement from Hope CBO to Sizwe Clinic; it would give Hope CBO a route to TB treatment.'
    """
    layers = layers_for(G, as_of, layers)
    if gaps is None:
        gaps = linkage_gaps(G, layers=layers)
    open_gaps = [f for f in gaps if f.type in CLOSABLE_TYPES]
    if limit <= 0 or not open_gaps:
        return []
    index = PartnerIndex.of_backwards(G, layers.backwards, vocabulary(), max_km)
    sources, targets = candidate_pairs(index, open_gaps)
    return [_recommendation(index, open_gaps, *found) for found in pick(index, open_gaps, sources, targets, limit)]


def _recommendation(
    index: PartnerIndex, gaps: list[Finding], source: str, target: str, kind: str, closes: list[int], score: float
) -> Recommendation:
    G, voc = index.G, index.voc
    found = sorted((gaps[i] for i in closes), key=lambda f: (
        SEVERITIES.index(f.severity), CLOSABLE_TYPES.index(f.type), f.organisations[:1], f.district or "",
        f.population or "", f.service or ""))
    counts = defaultdict(int)
    for f in found:
        counts[f.type] += 1
    # each reason from a template marked with N_, so the pages and reports can show it in another language
    reasons = [N_("closes %(gaps)s") % {"gaps": _gaps(t, n)} for t, n in counts.items()]
    extra = bonuses(index, source, target)
    if "district" in extra:
        reasons.append(N_("same district (%(district)s)") % {"district": index.district[source]})
    elif "near" in extra:
        sensitive = G.nodes[source].get("sensitive") or G.nodes[target].get("sensitive")
        distance = index.distance(source, target) or 0.0
        reasons.append(N_("within %(km)s km") % {"km": f"{index.max_km:g}"} if sensitive else
                       N_("%(km)s km apart") % {"km": f"{distance:.0f}"})
    if "populations" in extra:
        shared = sorted(index.populations[source] & index.populations[target])
        reasons.append(N_("both serve %(people)s") % {
            "people": words.join([words.label(voc.populations, p) for p in shared])})
    if "partners" in extra:
        common = sorted(index.partners[source] & index.partners[target])
        reasons.append((N_("1 common referral partner: %(names)s") if len(common) == 1 else
                        N_("%(num)s common referral partners: %(names)s")) % {"num": len(common),
                                                                              "names": _names(G, common)})
    if "proposed" in extra:
        reasons.append(N_("already proposed (%(links)s)") % {"links": ", ".join(proposed(G, source, target))})
    border = crossing(G, source, target)
    if border:
        reasons.append(N_("crosses the border from %(from)s into %(into)s") % {
            "from": voc.country_label(border[0]), "into": voc.country_label(border[1])})
    if "continuity" in extra:
        reasons.append(N_("%(name)s keeps both TB treatment and compensation claims going") % {
            "name": words.name(G, target)})
    return Recommendation(
        source=source, target=target, kind=kind, score=round(score, 6),
        closes=[{"type": f.type, "severity": f.severity,
                 "organisation": source if f.type in ("unreachable", "uncovered", "cross_border_gap")
                 else f.organisations[0],
                 "district": f.district, "population": f.population, "service": f.service} for f in found],
        reasons=reasons, explanation=_sentence(index, source, target, kind, found),
        border={"from": border[0], "into": border[1]} if border else None,
    )


#: The gaps a recommendation closes, by type, as nouns (one, several).
_GAP_NOUNS = {
    "broken_cascade": (N_("broken cascade gap"), N_("broken cascade gaps")),
    "unreachable": (N_("unreachable gap"), N_("unreachable gaps")),
    "uncovered": (N_("uncovered gap"), N_("uncovered gaps")),
    "cross_border_gap": (N_("cross border gap"), N_("cross border gaps")),
    "isolated": (N_("isolated gap"), N_("isolated gaps")),
}


def _gaps(finding_type: str, num: int) -> str:
    """``1 broken cascade gap``, ``2 cross border gaps``: a count of gaps of a type."""
    noun = finding_type.replace("_", " ")
    noun = noun if noun.endswith(" gap") else f"{noun} gap"
    one, many = _GAP_NOUNS.get(finding_type, (noun, f"{noun}s"))
    return f"{num} {one if num == 1 else many}"


def _sentence(index: PartnerIndex, source: str, target: str, kind: str, found: list[Finding]) -> str:
    G, voc = index.G, index.voc
    border = crossing(G, source, target)
    ends = {"a": words.name(G, source), "b": words.name(G, target), "from": "", "into": ""}
    if border:
        ends.update({"from": voc.country_label(border[0]), "into": voc.country_label(border[1])})
    if kind == "mou":
        action = (N_("Sign an MoU between %(a)s and %(b)s across the border between %(from)s and %(into)s") if border
                  else N_("Sign an MoU between %(a)s and %(b)s")) % ends
    else:
        action = (N_("Agree a referral agreement from %(a)s to %(b)s across the border into %(into)s") if border
                  else N_("Agree a referral agreement from %(a)s to %(b)s")) % ends
    effects: dict[str, int] = {}
    for f in found:
        values = {"name": words.name(G, f.organisations[0]), "district": f.district,
                  "service": words.label(voc.services, f.service) if f.service else "",
                  "people": words.label(voc.populations, f.population) if f.population else ""}
        if f.type == "broken_cascade":
            effect = N_("give %(name)s a route to %(service)s") % values
        elif f.type == "unreachable":
            effect = N_("bring %(service)s within reach of %(people)s in %(district)s") % values
        elif f.type == "uncovered":
            effect = N_("link %(people)s in %(district)s to %(service)s, which nobody there offers them") % values
        elif f.type == "cross_border_gap":
            effect = index.abroad.effect(f, target)
        else:
            effect = N_("connect %(name)s, which has no link in force") % values
        effects[effect] = effects.get(effect, 0) + 1
    shown = list(effects)[:3]
    rest = len(found) - sum(effects[e] for e in shown)
    if rest:
        shown.append(N_("close 1 other gap") if rest == 1 else N_("close %(num)s other gaps") % {"num": rest})
    return N_("%(action)s; it would %(effects)s.") % {"action": action, "effects": words.join(shown)}


def _names(G: nx.MultiDiGraph, nodes: Sequence[str], shown: int = 3) -> str:
    names = [words.name(G, n) for n in nodes[:shown]]
    if len(nodes) > shown:
        names.append(words.count(len(nodes) - shown, "other"))
    return words.join(names)
