"""The coordination agenda: findings grouped by root cause, one action each, ranked by impact and urgency."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from network.analysis.agenda_causes import root_causes
from network.analysis.agenda_context import Group, Words, uncoordinated
from network.analysis.agenda_score import Score, Scorer, choose, explain
from network.analysis.agenda_words import WORDING, word
from network.analysis.finding import SEVERITIES, Finding, plain
from network.analysis.geography import province_of
from network.analysis.words import count, join, name, populations
from network.gcpause import gc_paused
from network.model import Vocabulary, seed_dir, today, vocabulary
from network.translation import N_

__all__ = ["ACTIONS", "AgendaItem", "agenda", "agenda_weights", "SCOPES"]

#: The kinds of scope an agenda can be limited to.
SCOPES = ("province", "district", "programme", "intervention_area")


@dataclass
class AgendaItem:
    """One action on the coordination agenda and why it is there.

    ``key`` names the root cause and stays the same while it lasts (for
    comparing agendas over time); ``action`` is the kind of action (a key of
    ``actions`` in ``seed/vocabulary/agenda.json``); ``what`` and ``why`` are
    plain sentences naming organisations; ``findings`` holds the indexes of
    the findings it resolves, in the list given to :func:`agenda`;
    ``organisations`` the organisations named (who acts first);
    ``affected`` how many organisations the root cause touches,
    ``people`` the people a month they serve where capacity is known (else
    None) and ``populations`` the population codes concerned;
    ``score`` the rank score and ``score_explanation`` how it was made.
    """

    key: str
    action: str
    what: str
    why: str
    score: float
    score_explanation: str
    findings: list[int] = field(default_factory=list)
    finding_types: dict[str, int] = field(default_factory=dict)
    organisations: list[str] = field(default_factory=list)
    district: str | None = None
    province: str | None = None
    due: dt.date | None = None
    affected: int = 0
    people: int | None = None
    populations: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The item as a JSON-ready dict: organisations with their names, populations with their labels."""
        voc = vocabulary()
        weights = agenda_weights()
        return plain({
            "key": self.key,
            "action": self.action,
            "action_label": weights["actions"].get(self.action, {}).get("label", self.action),
            "what": self.what,
            "why": self.why,
            "score": self.score,
            "score_explanation": self.score_explanation,
            "due": self.due,
            "district": self.district,
            "province": self.province,
            "organisations": [{"id": o, "name": self.names.get(o, o)} for o in self.organisations],
            "affected": {"organisations": self.affected, "people_per_month": self.people,
                         "populations": [{"code": p, "label": voc.populations.get(p, p)} for p in self.populations]},
            "findings": list(self.findings),
            "finding_types": dict(self.finding_types),
        })


def agenda(
    findings: Sequence[Finding],
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    scope: Mapping[str, str] | None = None,
    limit: int | None = 20,
    weights: Mapping[str, Any] | None = None,
) -> list[AgendaItem]:
    """The coordination agenda: the findings grouped by root cause, one action per item, best first.

    Parameters
    ----------
    findings : sequence of Finding
        Findings of ``G`` (the report's, and those of
        :func:`~network.analysis.upkeep.upkeep`), in any order; items refer
        to them by their index in this sequence.
    G : networkx.MultiDiGraph
        The projected partner graph the findings are of (for names,
        capacities, populations, providers and forums).
    as_of : date, optional
        The day the agenda is for (default today): urgency counts from it.
    scope : mapping, optional
        ``{"province": name}``, ``{"district": name}``,
        ``{"programme": name}`` or ``{"intervention_area": code}``: keep the
        items about organisations located there (for a programme, at either
        end of a link of that ``programme``; for an area, working in it).
        None keeps every item.
    limit : int or None, default 20
        Most items returned; None returns every item.
    weights : mapping, optional
        Scoring weights (default :func:`agenda_weights`, from
        ``seed/vocabulary/agenda.json``).

    Returns
    -------
    list of AgendaItem
        The best ``limit`` items, best first (ties by key).

    Raises
    ------
    ValueError
        If ``scope`` is not one of ``SCOPES`` with a name, if a province or
        district is not in the vocabulary, or if ``limit`` is negative.

    Notes
    -----
    Root causes (each finding joins one item; an overlap whose pairs are all
    coordinated calls for no action and joins none):

    * an agreement about to end: one item each (renew it); a single point of
      failure that is that very link joins it;
    * single points of failure: an organisation, the bridge links at it and
      the organisations at their other ends are one item (give those who
      depend on it a second route), and so is an ``unreachable`` service of
      its district that it stands in the way of;
    * a (district, population) with missing services (``uncovered``) is one
      item (find a provider), joined by its ``unreachable`` findings;
      ``unreachable`` findings left over are one item per (district,
      population) (agree a referral);
    * uncoordinated overlaps: per district and service, one item per set
      of organisations that do not meet (the connected parts of their
      uncoordinated pairs); a set all of whose organisations are in a larger
      set of the district (doing another service) joins it (bring them into
      a forum);
    * a duplicate record pair, an isolated organisation, an organisation's
      broken cascades, a siloed cluster, an organisation's stale records, a
      funder's overlapping grants in a district, a donor dependency and a
      one-way agreement: one item each.

    Score (every weight from ``weights``): (the action's weight + the
    severity weight of its worst finding + ``organisations.weight`` x
    log2(1 + organisations affected) + ``people.weight`` x log2(1 + people
    a month they serve / 100) + ``per_extra_finding`` for each finding
    resolved beyond the first) x ``stops_working`` x urgency. An affected
    organisation, and the people it serves, count as ``counts`` says for
    its kind (public clinics, hospitals and departments have the health
    system's own referral routes besides those recorded). ``stops_working``
    applies to a single point of failure: how likely an organisation of its
    kind is to stop working. Urgency is ``1 + boost * (horizon - days left)
    / horizon`` for an item due within ``horizon_days`` (an agreement or
    grant ending), else 1. Items are then taken best first, but after
    ``max_per_action`` items of one action (an action's own
    ``max_per_action`` overrides it) the others of that action wait until
    every other item has been taken (an agenda covers different business),
    except those due within the horizon. Grouping and scoring are one pass
    over the findings; only the items returned are worded.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> from network.analysis.finding import Finding
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", district="Sekhukhune", capacity_per_month=120)
    >>> G.add_node("b", name="Sizwe Clinic", district="Sekhukhune", capacity_per_month=900)
    >>> _ = G.add_edge("a", "b", key="m1", kind="mou", status="active", end_date=dt.date(2026, 12, 20))
    >>> findings = [Finding("expiring_agreement", "high", "...", ["a", "b"], "Sekhukhune", links=["m1"],
    ...                     details={"end_date": "2026-12-20", "days_left": 19})]
    >>> (item,) = agenda(findings, G, as_of=dt.date(2026, 12, 1))
    >>> item.what
    'Renew the MoU between Hope CBO and Sizwe Clinic before 20 December 2026'
    >>> item.findings, item.people, item.score
    ([0], 1020, 18.8)
    >>> item.score_explanation
    '9.9 for renewing an agreement, high severity, 2 organisations and 1,020 people a month; x1.89 as it is due \
in 19 days'
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    voc = vocabulary()
    weights = weights if weights is not None else agenda_weights()
    as_of = as_of or today()
    keep = _scope_filter(G, voc, scope)
    with gc_paused():
        groups = root_causes(findings, G)
        attrs = dict(G.nodes(data=True))
        score = Scorer(weights, as_of)
        counts = {kind: float(share) for kind, share in weights["counts"].items()}
        scored = []
        for group in groups:
            _measure(group, findings, attrs, counts, as_of)
            if keep is None or keep(group):
                scored.append((score(group), group))
        chosen = choose(scored, weights, limit)
        words = Words(G, voc, as_of)
        return [_item(group, value, findings, words, weights) for value, group in chosen]


def agenda_weights(seed: Path | None = None) -> dict[str, Any]:
    """The scoring weights and labels of the agenda, from ``seed/vocabulary/agenda.json``.

    >>> agenda_weights()["actions"]["renew_agreement"]["label"]
    'Renew an agreement'
    """
    return _load_weights(str((seed or seed_dir()) / "vocabulary" / "agenda.json"))


@lru_cache(maxsize=4)
def _load_weights(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _measure(
    group: Group, findings: Sequence[Finding], attrs: Mapping[str, Mapping[str, Any]], counts: Mapping[str, float],
    as_of: dt.date,
) -> None:
    """Fill in what ranking the group needs: severity, organisations and people affected, district and due date.

    ``attrs`` maps each organisation to its attributes; ``counts`` how much an affected organisation of a kind counts.
    """
    members = [findings[i] for i in group.members]
    if len(members) == 1:
        f = members[0]
        group.severity = f.severity
        affected = {o for o in _affected(f) if o in attrs}
        cut_off = int(f.details.get("cut_off") or 0)
        group.district = f.district
        group.due = _due(f, as_of)
    else:
        group.severity = min((f.severity for f in members), key=_severity_rank)
        affected = {o for f in members for o in _affected(f) if o in attrs}
        cut_off = max(int(f.details.get("cut_off") or 0) for f in members)
        districts = {f.district for f in members if f.district}
        group.district = districts.pop() if len(districts) == 1 else None
        group.due = min((d for f in members if (d := _due(f, as_of)) is not None), default=None)
    group.affected = affected
    group.affected_count = max(len(affected), cut_off)
    other = counts.get("other", 1.0)
    weighted = people = 0.0
    known = False
    for o in affected:
        data = attrs[o]
        share = counts.get(data.get("kind") or "other", other)
        weighted += share
        capacity = data.get("capacity_per_month")
        if capacity:
            known = True
            people += capacity
            group.weighted_people += capacity * share
    mean = weighted / len(affected) if affected else 1.0
    group.weighted_count = weighted + mean * (group.affected_count - len(affected))
    group.people = int(people) if known else None


def _populations(group: Group, findings: Sequence[Finding], G: nx.MultiDiGraph) -> list[str]:
    """The populations the group concerns: those its findings name, else those its organisations list."""
    named = {f.population for f in (findings[i] for i in group.members) if f.population}
    return sorted(named or {p for o in group.affected for p in G.nodes[o].get("populations") or ()})


def _affected(f: Finding) -> list[str]:
    """The organisations a finding is about, leaving out the funder or the organisation others depend on."""
    if f.type == "single_point_of_failure" and not f.details.get("bridge"):
        return f.organisations[1:]
    if f.type == "funding_overlap" or (f.type == "donor_dependency" and f.details.get("scope") == "district"):
        return f.organisations[1:]
    if f.type in ("donor_dependency", "repeated_barrier"):
        return f.organisations[:1]
    if f.type == "service_overlap":
        return uncoordinated(f)
    return list(f.organisations)


def _due(f: Finding, as_of: dt.date) -> dt.date | None:
    if f.type == "expiring_agreement":
        end = f.details.get("end_date")
        return dt.date.fromisoformat(end) if isinstance(end, str) else end
    if f.type == "donor_dependency" and f.severity == "high":
        end = f.details.get("ends")
        return dt.date.fromisoformat(end) if isinstance(end, str) else end
    return None


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _item(
    group: Group, score: Score, findings: Sequence[Finding], words: Words, weights: Mapping[str, Any]
) -> AgendaItem:
    what, why, named = word(group, findings, words)
    G, voc = words.G, words.voc
    action = weights["actions"].get(group.action, weights["actions"]["act"])
    resolved = Counter(findings[i].type for i in group.members)
    labels = weights.get("finding_types", {})
    resolves = join([f"{n} {labels.get(t, ['finding', 'findings'])[n != 1]}" for t, n in resolved.items()])
    concerned = _populations(group, findings, G)
    values = {"organisations": count(group.affected_count, "organisation"), "people": f"{group.people or 0:,}",
              "serving": populations(voc, concerned) if concerned else ""}
    affects = ((N_("Affects %(organisations)s serving %(serving)s, about %(people)s people a month.") if group.people
                else N_("Affects %(organisations)s serving %(serving)s.")) if concerned else
               (N_("Affects %(organisations)s, about %(people)s people a month.") if group.people
                else N_("Affects %(organisations)s.")))
    resolving = N_("Resolves %(findings)s.") % {"findings": resolves}
    why = f"{why} {resolving} {affects % values}".lstrip()
    return AgendaItem(
        key=group.key, action=group.action, what=what, why=why, score=score.value,
        score_explanation=explain(group, score, action, weights),
        findings=sorted(group.members), finding_types=dict(resolved), organisations=named,
        district=group.district, province=voc.districts.get(group.district or ""), due=group.due,
        affected=group.affected_count, people=group.people, populations=concerned,
        names={o: name(G, o) for o in named},
    )


#: Every action an agenda item can call for (``act``: a finding of a type the agenda does not know).
ACTIONS = (*WORDING, "act")


def _scope_filter(G: nx.MultiDiGraph, voc: Vocabulary, scope: Mapping[str, str] | None) -> Any:
    if not scope:
        return None
    if len(scope) != 1 or next(iter(scope)) not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)} with a name, not {dict(scope)!r}")
    (kind, value), = scope.items()
    if kind == "province":
        if value not in voc.provinces:
            raise ValueError(f"unknown province {value!r}")
        districts = set(voc.provinces[value])

        def located(node: str) -> bool:
            data = G.nodes[node]
            return province_of(data, voc) == value

        return lambda g: (g.district in districts) if g.district else any(located(o) for o in g.affected)
    if kind == "district":
        if value not in voc.districts:
            raise ValueError(f"unknown district {value!r}")
        return lambda g: g.district == value if g.district else any(
            G.nodes[o].get("district") == value for o in g.affected)
    if kind == "intervention_area":
        if value not in voc.intervention_areas:
            raise ValueError(f"unknown intervention area {value!r}")
        members = {n for n, areas in G.nodes(data="intervention_areas") if value in (areas or ())}
    else:
        members = {n for u, v, data in G.edges(data=True) if data.get("programme") == value for n in (u, v)}
    return lambda g: not members.isdisjoint(g.affected) or not members.isdisjoint(g.extra.get("involved", ()))
