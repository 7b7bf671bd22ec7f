"""The coordination agenda: findings grouped by root cause, one action each, ranked by impact and urgency."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from network.analysis.finding import SEVERITIES, Finding, plain
from network.analysis.words import count, join, long_date, lower_first, name, names, populations, services
from network.gcpause import gc_paused
from network.meanings import in_force, is_active
from network.model import Vocabulary, seed_dir, today, vocabulary

__all__ = ["ACTIONS", "AgendaItem", "agenda", "agenda_weights", "SCOPES"]

#: The kinds of scope an agenda can be limited to.
SCOPES = ("province", "district", "programme")
#: Link kinds through which organisations meet in a forum.
_FORUM_KINDS = ("membership", "coordination")
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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
        ``{"province": name}``, ``{"district": name}`` or
        ``{"programme": name}``: keep the items about organisations located
        there (or, for a programme, at either end of a link of that
        ``programme``). None keeps every item.
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
        groups = _root_causes(findings, G)
        attrs = dict(G.nodes(data=True))
        score = _Scorer(weights, as_of)
        counts = {kind: float(share) for kind, share in weights["counts"].items()}
        scored = []
        for group in groups:
            _measure(group, findings, attrs, counts, as_of)
            if keep is None or keep(group):
                scored.append((score(group), group))
        chosen = _choose(scored, weights, limit)
        words = _Words(G, voc, as_of)
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


@dataclass
class _Group:
    """One root cause: its findings, and what the ranking needs to know about it."""

    key: str
    action: str
    members: list[int] = field(default_factory=list)
    anchor: int = 0
    severity: str = "low"
    affected: set[str] = field(default_factory=set)
    affected_count: int = 0
    weighted_count: float = 0.0
    people: int | None = None
    weighted_people: float = 0.0
    district: str | None = None
    due: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _root_causes(findings: Sequence[Finding], G: nx.MultiDiGraph) -> list[_Group]:
    groups: dict[str, _Group] = {}

    def add(key: str, action: str, i: int) -> _Group:
        group = groups.get(key)
        if group is None:
            groups[key] = group = _Group(key, action, anchor=i)
        group.members.append(i)
        return group

    later: list[int] = []
    cut_vertices: dict[str, list[int]] = defaultdict(list)
    bridges: list[int] = []
    overlaps: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        kind = f.type
        if kind == "expiring_agreement" and f.links:
            add(f"renew:{f.links[0]}", "renew_agreement", i)
        elif kind == "single_point_of_failure":
            if f.details.get("bridge") and f.links:
                bridges.append(i)
            elif f.organisations:
                cut_vertices[f.organisations[0]].append(i)
        elif kind == "unreachable" or (kind == "donor_dependency" and f.details.get("scope") != "district"):
            later.append(i)
        elif kind == "uncovered" and f.district:
            add(f"provide:{f.district}:{f.population or ''}", "find_provider", i)
        elif kind == "service_overlap":
            if f.details.get("uncoordinated", True) and f.district and f.service:
                overlaps[f.district, f.service].append(i)
        elif kind in _SIMPLE and f.organisations:
            action, key = _SIMPLE[kind](f)
            add(key, action, i)
        else:
            add(f"{kind}:{i}", "act", i)
    kinds = {hub: G.nodes[hub].get("kind") for hub in cut_vertices if hub in G}
    _single_points(findings, groups, cut_vertices, bridges, add, kinds)
    blocking: dict[tuple[str, str], _Group] = {}
    for group in groups.values():
        if group.action == "second_route":
            for service in group.extra["services"]:
                area = (findings[group.anchor].district or "", service)
                other = blocking.get(area)
                if other is None or (group.extra["cut_off"], other.key) > (other.extra["cut_off"], group.key):
                    blocking[area] = group
    for i in later:
        f = findings[i]
        if f.type == "donor_dependency":
            renew = next((groups[f"renew:{key}"] for key in f.links if f"renew:{key}" in groups), None)
            if renew is not None:
                renew.members.append(i)
            elif f.organisations:
                action, key = _SIMPLE["donor_dependency"](f)
                add(key, action, i)
            else:
                add(f"{f.type}:{i}", "act", i)
            continue
        joined = groups.get(f"provide:{f.district}:{f.population or ''}") or blocking.get(
            (f.district or "", f.service or ""))
        if joined is not None:
            joined.members.append(i)
        else:
            add(f"refer:{f.district}:{f.population or ''}", "agree_referral", i)
    _coordination(findings, overlaps, add)
    return list(groups.values())


_SIMPLE = {
    "duplicate_record": lambda f: ("merge_records", "merge:" + ":".join(sorted(f.organisations[:2]))),
    "isolated": lambda f: ("connect_organisation", f"connect:{f.organisations[0]}"),
    "broken_cascade": lambda f: ("close_cascade", f"cascade:{f.organisations[0]}"),
    "siloed_cluster": lambda f: ("connect_cluster", f"cluster:{min(f.organisations)}"),
    "funding_overlap": lambda f: ("review_funding", f"funding:{f.organisations[0]}:{f.district or ''}"),
    "stale_record": lambda f: ("verify_records", f"verify:{f.organisations[0]}"),
    "donor_dependency": lambda f: (
        ("plan_funding", f"funder:{f.organisations[0]}:{f.district or ''}") if f.details.get("scope") == "district"
        else ("second_funder", f"second-funder:{f.organisations[0]}")),
    "one_way_agreement": lambda f: ("record_two_way", "two-way:" + ":".join(sorted(f.organisations[:2]))),
}


def _single_points(
    findings: Sequence[Finding], groups: dict[str, _Group], cut_vertices: dict[str, list[int]], bridges: list[int],
    add: Any, kinds: dict[str, str | None],
) -> None:
    """Group the single points of failure: an organisation with the bridges at it and their other ends."""
    parent = {i: i for i in [*(i for held in cut_vertices.values() for i in held), *bridges]}
    for held in cut_vertices.values():
        for i in held[1:]:
            parent[i] = held[0]
    for b in bridges:
        link = findings[b].links[0]
        renew = groups.get(f"renew:{link}")
        if renew is not None:
            renew.members.append(b)
            del parent[b]
            continue
        for end in findings[b].organisations[:2]:
            if end in cut_vertices:
                parent[_root(parent, b)] = _root(parent, cut_vertices[end][0])
    parts: dict[int, list[int]] = defaultdict(list)
    for i in list(parent):
        parts[_root(parent, i)].append(i)
    for members in parts.values():
        members.sort()
        anchor = max(members, key=lambda i: (not findings[i].details.get("bridge"),
                                             findings[i].details.get("cut_off", 0), -i))
        f = findings[anchor]
        key = f"route:{f.links[0]}" if f.details.get("bridge") else f"route:{f.organisations[0]}"
        group = None
        for i in members:
            group = add(key, "second_route", i)
        assert group is not None
        group.anchor = anchor
        group.extra["services"] = {s for i in members for s in findings[i].details.get("services", ())}
        group.extra["cut_off"] = max(findings[i].details.get("cut_off", 0) for i in members)
        if not f.details.get("bridge") and f.organisations:
            group.extra["hub"] = kinds.get(f.organisations[0])


def _coordination(
    findings: Sequence[Finding], overlaps: dict[tuple[str, str], list[int]], add: Any,
) -> None:
    """Uncoordinated overlaps grouped: per district and service, per set of organisations that do not meet.

    The organisations of one district and service's overlaps that share no link or forum are split into the
    connected parts of their uncoordinated pairs; each overlap joins the part of its first pair. Within a district,
    a part whose organisations all belong to a larger part (of another service) joins it, so the same
    organisations doing several things are one item.
    """
    parts_of: dict[str, list[tuple[frozenset[str], str, list[int]]]] = defaultdict(list)
    for (district, service), members in sorted(overlaps.items()):
        parent: dict[str, str] = {}
        for i in members:
            pairs = findings[i].details.get("uncoordinated_pairs") or [findings[i].organisations]
            for pair in pairs:
                for other in pair[1:]:
                    parent[_root(parent, other)] = _root(parent, pair[0])
        split: dict[str, list[int]] = defaultdict(list)
        for i in members:
            pairs = findings[i].details.get("uncoordinated_pairs") or [findings[i].organisations]
            split[_root(parent, pairs[0][0])].append(i)
        every: dict[str, set[str]] = defaultdict(set)
        for o in list(parent):
            every[_root(parent, o)].add(o)
        for top, held in split.items():
            parts_of[district].append((frozenset(every[top]), service, held))
    for district, parts in parts_of.items():
        parts.sort(key=lambda part: (-len(part[0]), sorted(part[0]), part[1]))
        merged: list[tuple[frozenset[str], list[str], list[int]]] = []
        holding: dict[str, list[int]] = defaultdict(list)
        for involved, service, held in parts:
            first = min(involved)
            home = next((k for k in holding[first] if involved <= merged[k][0]), None)
            if home is None:
                home = len(merged)
                merged.append((involved, [], []))
                for o in involved:
                    holding[o].append(home)
            merged[home][1].append(service)
            merged[home][2].extend(held)
        for involved, services_, held in merged:
            ordered = sorted(set(services_))
            key = f"coordinate:{district}:{'+'.join(ordered)}:{min(involved)}"
            for i in sorted(held):
                group = add(key, "coordinate", i)
            group.extra["services"] = ordered
            group.extra["involved"] = involved


def _root(parent: dict[Any, Any], x: Any) -> Any:
    """The representative of ``x`` in the union-find forest ``parent`` (``x`` joins it alone if new)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _uncoordinated(f: Finding) -> list[str]:
    """The organisations of an overlap in some uncoordinated pair, most pairs first (all, if none listed)."""
    pairs = f.details.get("uncoordinated_pairs") or []
    tally = Counter(o for pair in pairs for o in pair)
    if not tally:
        return list(f.organisations)
    return sorted(tally, key=lambda o: (-tally[o], o))


def _measure(
    group: _Group, findings: Sequence[Finding], attrs: Mapping[str, Mapping[str, Any]], counts: Mapping[str, float],
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


def _populations(group: _Group, findings: Sequence[Finding], G: nx.MultiDiGraph) -> list[str]:
    """The populations the group concerns: those its findings name, else those its organisations list."""
    named = {f.population for f in (findings[i] for i in group.members) if f.population}
    return sorted(named or {p for o in group.affected for p in G.nodes[o].get("populations") or ()})


def _affected(f: Finding) -> list[str]:
    """The organisations a finding is about, leaving out the funder or the organisation others depend on."""
    if f.type == "single_point_of_failure" and not f.details.get("bridge"):
        return f.organisations[1:]
    if f.type == "funding_overlap" or (f.type == "donor_dependency" and f.details.get("scope") == "district"):
        return f.organisations[1:]
    if f.type == "donor_dependency":
        return f.organisations[:1]
    if f.type == "service_overlap":
        return _uncoordinated(f)
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


@dataclass
class _Score:
    value: float
    base: float
    continuity: float
    urgency: float
    days: int | None


class _Scorer:
    """The score of a group (see :func:`agenda`), with the weights read once."""

    def __init__(self, weights: Mapping[str, Any], as_of: dt.date) -> None:
        actions = weights["actions"]
        self.action = {code: float(a["weight"]) for code, a in actions.items()}
        self.default = float(actions["act"]["weight"])
        self.severity = {k: float(v) for k, v in weights["severity"].items()}
        self.per_organisation, self.most_organisations = (float(weights["organisations"]["weight"]),
                                                          float(weights["organisations"]["most"]))
        self.per_people, self.most_people = float(weights["people"]["weight"]), float(weights["people"]["most"])
        self.per_finding, self.most_findings = (float(weights["per_extra_finding"]),
                                                int(weights["max_extra_findings"]))
        self.stops = {k: float(v) for k, v in weights["stops_working"].items()}
        self.horizon = int(weights["urgency"]["horizon_days"])
        self.boost = float(weights["urgency"]["boost"])
        self.as_of = as_of

    def __call__(self, group: _Group) -> _Score:
        base = (
            self.action.get(group.action, self.default)
            + self.severity.get(group.severity, 0.0)
            + self.per_organisation * math.log2(1 + min(group.weighted_count, self.most_organisations))
            + self.per_people * math.log2(1 + min(group.weighted_people, self.most_people) / 100)
            + self.per_finding * min(len(group.members) - 1, self.most_findings)
        )
        continuity = 1.0
        hub = group.extra.get("hub") if group.extra else None
        if hub is not None:
            continuity = self.stops.get(hub, self.stops.get("other", 1.0))
        urgency, days = 1.0, None
        if group.due is not None:
            days = (group.due - self.as_of).days
            if days <= self.horizon:
                share = 1.0 if self.horizon <= 0 else min(1.0, (self.horizon - days) / self.horizon)
                urgency = 1 + self.boost * share
        return _Score(round(base * continuity * urgency, 1), base, continuity, urgency, days)


def _choose(
    scored: list[tuple[_Score, _Group]], weights: Mapping[str, Any], limit: int | None,
) -> list[tuple[_Score, _Group]]:
    """Best first, but at most ``max_per_action`` items of one action (not due soon) before all the others."""
    scored.sort(key=lambda pair: (-pair[0].value, pair[1].key))
    actions, default = weights["actions"], weights.get("max_per_action")
    taken: Counter[str] = Counter()
    first, waiting = [], []
    for score, group in scored:
        cap = actions.get(group.action, {}).get("max_per_action", default)
        urgent = score.urgency > 1
        if urgent or not cap or taken[group.action] < cap:
            taken[group.action] += 0 if urgent else 1
            first.append((score, group))
        else:
            waiting.append((score, group))
    return (first + waiting)[:limit]


def _item(
    group: _Group, score: _Score, findings: Sequence[Finding], words: _Words, weights: Mapping[str, Any]
) -> AgendaItem:
    what, why, named = _WORDING.get(group.action, _act)(group, findings, words)
    G, voc = words.G, words.voc
    action = weights["actions"].get(group.action, weights["actions"]["act"])
    resolved = Counter(findings[i].type for i in group.members)
    labels = weights.get("finding_types", {})
    resolves = join([f"{n} {labels.get(t, ['finding', 'findings'])[n != 1]}" for t, n in resolved.items()])
    affected = [count(group.affected_count, "organisation")]
    concerned = _populations(group, findings, G)
    if concerned:
        affected.append("serving " + populations(voc, concerned))
    people = f", about {group.people:,} people a month" if group.people else ""
    why = f"{why} Resolves {resolves}. Affects {' '.join(affected)}{people}.".lstrip()
    return AgendaItem(
        key=group.key, action=group.action, what=what, why=why, score=score.value,
        score_explanation=_explain(group, score, action, weights),
        findings=sorted(group.members), finding_types=dict(resolved), organisations=named,
        district=group.district, province=voc.districts.get(group.district or ""), due=group.due,
        affected=group.affected_count, people=group.people, populations=concerned,
        names={o: name(G, o) for o in named},
    )


def _explain(group: _Group, score: _Score, action: Mapping[str, Any], weights: Mapping[str, Any]) -> str:
    organisations = count(group.affected_count, "organisation")
    if group.weighted_count < group.affected_count - 0.05:
        organisations += f" (counted as {group.weighted_count:.1f}: public facilities have other routes)"
    parts = [action.get("reason", "acting"), f"{group.severity} severity", organisations]
    if group.people:
        parts.append(f"{group.people:,} people a month")
    if len(group.members) > 1:
        parts.append(f"{len(group.members)} findings resolved")
    text = f"{round(score.base, 1):g} for {join(parts)}"
    if score.continuity != 1:
        kind = vocabulary().organisation_kinds.get(group.extra.get("hub") or "", "organisation")
        likely = "less" if score.continuity < 1 else "more"
        text += f"; x{score.continuity:g} as a {lower_first(kind)} is {likely} likely to stop working"
    if score.urgency > 1 and score.days is not None:
        when = "overdue" if score.days < 0 else "due today" if score.days == 0 else f"due in {count(score.days, 'day')}"
        text += f"; x{score.urgency:.2f} as it is {when}"
    return text


class _Words:
    """What wording the items needs from the graph: names, providers, forums, kinds; built on first use."""

    def __init__(self, G: nx.MultiDiGraph, voc: Vocabulary, as_of: dt.date) -> None:
        self.G, self.voc, self.as_of = G, voc, as_of
        self._providers: dict[str, dict[str | None, list[str]]] | None = None
        self._districts: dict[str, list[str]] | None = None
        self._nearby: dict[str, list[str | None]] = {}
        self._forums: dict[str, str | None] = {}

    def attrs(self, node: str) -> Mapping[str, Any]:
        """The organisation's attributes (none for an id not in the graph)."""
        return self.G.nodes[node] if node in self.G else {}

    def providers(self, service: str) -> dict[str | None, list[str]]:
        """Active organisations offering ``service`` by district (None: none or unknown), larger capacity first."""
        if self._providers is None:
            known = self.voc.district_centres
            found: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
            for node, data in self.G.nodes(data=True):
                if data.get("status", "active") == "active":
                    district = data.get("district")
                    for s in data.get("services") or ():
                        found[s][district if district in known else None].append(node)
            for by_district in found.values():
                for nodes in by_district.values():
                    nodes.sort(key=lambda n: (-(self.G.nodes[n].get("capacity_per_month") or 0), n))
            self._providers = found
        return self._providers.get(service, {})

    def nearest_provider(self, services_needed: Sequence[str], population: str | None, district: str | None,
                         exclude: Iterable[str] = ()) -> str | None:
        """The provider of the first of ``services_needed`` serving ``population`` nearest to ``district``.

        Nearest: in ``district``, else in the district with the nearest centre, else one with no known district;
        the larger capacity first within a district (then the smaller id).
        """
        skip = set(exclude)
        for service in services_needed:
            by_district = self.providers(service)
            for where in self._nearest_districts(district):
                for node in by_district.get(where, ()):
                    listed = self.G.nodes[node].get("populations") or ()
                    if node not in skip and not (population and listed and population not in listed):
                        return node
        return None

    def _nearest_districts(self, district: str | None) -> list[str | None]:
        """Every district of the vocabulary, ``district`` first and then by distance, and None last."""
        key = district or ""
        if key not in self._nearby:
            centres = self.voc.district_centres
            centre = centres.get(key)
            others = sorted(centres, key=lambda d: (0.0 if d == district else
                                                    _distance(centre, centres[d]) if centre else 1.0, d))
            self._nearby[key] = [*others, None]
        return self._nearby[key]

    def forum(self, members: Iterable[str], district: str | None = None) -> tuple[str | None, list[str]]:
        """The forum or body most of ``members`` meet in (membership or coordination in force), and who meets there.

        When none of them meets in any, the one most organisations of ``district`` meet in, and nobody.
        """
        attendance = self._attendance(members)
        if not attendance and district:
            if district not in self._forums:
                self._forums[district] = self._busiest(self._attendance(self.in_district(district)))[0]
            return self._forums[district], []
        return self._busiest(attendance)

    def in_district(self, district: str) -> list[str]:
        """The organisations of ``district``."""
        if self._districts is None:
            self._districts = defaultdict(list)
            for node, where in self.G.nodes(data="district"):
                if where:
                    self._districts[where].append(node)
        return self._districts.get(district, [])

    def _attendance(self, members: Iterable[str]) -> dict[str, set[str]]:
        attendance: dict[str, set[str]] = defaultdict(set)
        for member in members:
            if member not in self.G:
                continue
            for _, other, data in self.G.out_edges(member, data=True):
                if data.get("kind") in _FORUM_KINDS and self._in_force(member, other, data):
                    attendance[other].add(member)
            for other, _, data in self.G.in_edges(member, data=True):
                if data.get("kind") == "coordination" and self._in_force(other, member, data):
                    attendance[other].add(member)
        return attendance

    @staticmethod
    def _busiest(attendance: dict[str, set[str]]) -> tuple[str | None, list[str]]:
        if not attendance:
            return None, []
        forum = max(sorted(attendance), key=lambda f: len(attendance[f]))
        return forum, sorted(attendance[forum])

    def _in_force(self, u: str, v: str, data: Mapping[str, Any]) -> bool:
        return is_active(self.G, u) and is_active(self.G, v) and in_force(data, self.as_of)

    def kinds(self, nodes: Sequence[str]) -> str:
        """``community-based organisations`` when all share a kind, else ``organisations``."""
        kinds = {self.attrs(n).get("kind") for n in nodes}
        label = self.voc.organisation_kinds.get(kinds.pop() or "", "") if len(kinds) == 1 else ""
        if not label or " or " in label or "(" in label or len(nodes) == 1:
            return "organisation" if len(nodes) == 1 else "organisations"
        label = lower_first(label)
        return label[:-1] + "ies" if label.endswith("y") else label + "s"

    def agreement(self, f: Finding) -> str:
        """``the MoU between A and B`` or ``the referral agreement from A to B`` for a finding's first link."""
        u, v = f.organisations[:2]
        key = f.links[0] if f.links else None
        kind = self.G.edges[u, v, key].get("kind") if key and self.G.has_edge(u, v, key) else None
        if kind == "mou":
            return f"the MoU between {name(self.G, u)} and {name(self.G, v)}"
        if kind == "funding":
            return f"the grant from {name(self.G, u)} to {name(self.G, v)}"
        if kind in (None, "referral"):
            return f"the referral agreement from {name(self.G, u)} to {name(self.G, v)}"
        label = lower_first(self.voc.link_kinds.get(kind, kind).split(" (")[0])
        return f"the {label} agreement between {name(self.G, u)} and {name(self.G, v)}"


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + ((a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2))) ** 2


def _number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


# Wording: each returns (what, why, organisations named).

def _renew(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    agreement = w.agreement(f)
    end = group.due
    what = f"Renew {agreement}" + (f" before {long_date(end)}" if end else "")
    why = f"It ends on {long_date(end)}." if end else "It is about to end."
    for dependent in (findings[i] for i in group.members if findings[i].type == "donor_dependency"):
        why += f" It is all the funding {name(w.G, dependent.organisations[0])} has."
    cut = [findings[i] for i in group.members if findings[i].type == "single_point_of_failure"]
    if cut:
        lost = sorted({s for c in cut for s in c.details.get("services", ())})
        why += (f" It is also the only referral route to {services(w.voc, lost)} for "
                f"{count(max(c.details.get('cut_off', 0) for c in cut), 'organisation')}.")
    return what, why, f.organisations[:2]


def _second_route(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    routes = Counter(route[-1] for route in f.details.get("routes_lost", ()) if route)
    lost = sorted(f.details.get("services", ()), key=lambda s: (-routes[s], s))
    G = w.G
    if f.details.get("bridge"):
        what = f"Add a second referral route alongside {w.agreement(f)} for {services(w.voc, lost)}"
        why = (f"It is the only route to these services for {count(f.details.get('cut_off', 0), 'organisation')}.")
        return what, why, f.organisations[:2]
    hub, dependants = f.organisations[0], f.organisations[1:]
    what = f"Give {names(G, dependants)} a second referral route to {services(w.voc, lost)}, besides {name(G, hub)}"
    why = (f"If {name(G, hub)} stopped working, {count(f.details.get('cut_off', len(dependants)), 'organisation')} "
           "would lose every referral route to them.")
    unreachable = [findings[i] for i in group.members if findings[i].type == "unreachable"]
    if unreachable:
        far = services(w.voc, sorted({u.service for u in unreachable if u.service}))
        why += (f" Some in {join(sorted({u.district for u in unreachable if u.district}))} cannot reach "
                f"{far} within a few steps even now.")
    return what, why, [*dependants, hub]


def _find_provider(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    missing = sorted({f.service for f in members if f.type == "uncovered" and f.service})
    population = members[0].population
    district = group.district or members[0].district
    served = populations(w.voc, [population]) if population else "the people"
    what = f"Find a provider of {services(w.voc, missing)} for {served} in {district}"
    serving = sorted({o for f in members for o in f.organisations})
    why = (f"Nobody in {district} offers {'it' if len(missing) == 1 else 'them'} to {served}, though "
           f"{names(w.G, serving)} serve{'s' if len(serving) == 1 else ''} them there.")
    nearest = w.nearest_provider(missing, population, district)
    if nearest is not None:
        where = w.G.nodes[nearest].get("district")
        why += f" The nearest provider is {name(w.G, nearest)}" + (f" in {where}." if where else ".")
    return what, why, [*serving[:3], *([nearest] if nearest else [])]


def _agree_referral(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    needed = sorted({f.service for f in members if f.service})
    population = members[0].population
    district = group.district or members[0].district
    serving = sorted({o for f in members for o in f.organisations},
                     key=lambda o: (-(w.attrs(o).get("capacity_per_month") or 0), o))
    provider = w.nearest_provider(needed, population, district, exclude=serving)
    served = populations(w.voc, [population]) if population else "their clients"
    start = name(w.G, serving[0])
    others = f" (and the {count(len(serving) - 1, 'other organisation')} serving {served} there)" \
        if len(serving) > 1 else ""
    to = f" to {name(w.G, provider)}" if provider else ""
    what = f"Agree a referral from {start}{others}{to} for {services(w.voc, needed)}"
    why = (f"In {district}, the organisations serving {served} cannot refer them to "
           f"{services(w.voc, needed)} within a few steps.")
    return what, why, [serving[0], *([provider] if provider else [])]


def _close_cascade(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    node = members[0].organisations[0]
    needed = sorted({f.service for f in members if f.service})
    after = sorted({f.details.get("after") for f in members if f.details.get("after")})
    listed = w.attrs(node).get("populations") or [None]
    provider = w.nearest_provider(needed, listed[0], w.attrs(node).get("district"), exclude=[node])
    what = f"Agree a referral from {name(w.G, node)}" + (f" to {name(w.G, provider)}" if provider else "") + \
        f" for {services(w.voc, needed)}"
    why = (f"{name(w.G, node)} offers {services(w.voc, after)} but cannot refer its clients on to "
           f"{services(w.voc, needed)}.")
    return what, why, [node, *([provider] if provider else [])]


def _coordinate(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    involved = _ordered_involved(group, findings)
    district = group.district or findings[group.anchor].district
    doing = services(w.voc, group.extra["services"])
    forum, present = w.forum(involved, district)
    outside = [o for o in involved if o not in present] or involved
    where = name(w.G, forum) if forum else "a shared district forum"
    if len(outside) == 1:
        what = f"Bring {name(w.G, outside[0])}, which does {doing} in {district}, into {where}"
    else:
        what = (f"Bring the {_number(len(outside))} {w.kinds(outside)} doing {doing} in {district} "
                f"into {where}: {names(w.G, outside)}")
    why = (f"{_number(len(involved)).capitalize()} organisations offer {doing} to the same people in {district}, "
           "some without a link or a shared forum between them; agree who covers whom.")
    if forum and present:
        why += f" {names(w.G, present)} already meet{'s' if len(present) == 1 else ''} there."
    return what, why, [*outside, *([forum] if forum else [])]


def _ordered_involved(group: _Group, findings: Sequence[Finding]) -> list[str]:
    tally: Counter[str] = Counter()
    for i in group.members:
        for rank, o in enumerate(_uncoordinated(findings[i])):
            tally[o] += 1000 - rank
    return sorted(tally, key=lambda o: (-tally[o], o))


def _merge(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    merge = f.details.get("merge") or {}
    keep = merge.get("keep", f.organisations[0])
    drop = merge.get("drop", f.organisations[1] if len(f.organisations) > 1 else keep)
    same = name(w.G, keep) == name(w.G, drop)
    what = f"Merge the two records of {name(w.G, keep)}" + ("" if same else f" and {name(w.G, drop)}")
    reasons = {"name": "similar names", "phone": "the same phone number", "email": "the same email address"}
    why_words = join([reasons.get(r, r) for r in f.details.get("reasons", ())])
    why = (f"They look like one organisation ({why_words}); check with them, then keep {name(w.G, keep)}'s record."
           if why_words else f"They look like one organisation; check with them, then keep {name(w.G, keep)}'s record.")
    return what, why, [keep, drop]


def _review_funding(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    funder = members[0].organisations[0]
    recipients = sorted({o for f in members for o in f.organisations[1:]})
    funded = services(w.voc, sorted({f.service for f in members if f.service}))
    people = populations(w.voc, sorted({f.population for f in members if f.population}), "and")
    where = f" in {group.district}" if group.district else ""
    what = (f"Review with {name(w.G, funder)} its grants to {names(w.G, recipients)} for {funded}"
            + (f" among {people}" if people else "") + where)
    why = (f"{name(w.G, funder)} funds {_number(len(recipients))} organisations for the same work{where}; "
           "agree who covers whom, or fund what is missing instead.")
    return what, why, [funder, *recipients]


def _connect_organisation(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node = f.organisations[0]
    lapsed = f.details.get("links_not_in_force", 0)
    where = f" in {f.district}" if f.district else ""
    what = (f"Renew or replace the lapsed agreement of {name(w.G, node)}" if lapsed else
            f"Agree a referral or MoU with {name(w.G, node)}, or bring it into a forum{where}")
    why = f"{name(w.G, node)} has no link in force with any other organisation, so it cannot refer or be referred to."
    return what, why, [node]


def _connect_cluster(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    members = list(f.organisations)
    where = f" in {f.district}" if f.district else ""
    what = (f"Connect the cluster of {_number(len(members))} organisations{where} to the wider network: "
            f"bring {names(w.G, members)} into a district forum or agree referrals beyond it")
    ties = f.details.get("external_ties", 0)
    why = ("They have no tie to the rest of the network." if not ties else
           "They reach the rest of the network through a single tie.")
    return what, why, members


def _verify(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node = f.organisations[0]
    parts = []
    if f.details.get("own_record"):
        parts.append("its record")
    if f.links:
        parts.append(f"the {count(len(f.links), 'link')} it recorded")
    what = f"Ask {name(w.G, node)} to confirm {join(parts) or 'its records'}"
    age = int(f.details.get("max_age_days", 365))
    years = (count(age, "day") if not age or age % 365 else "a year" if age == 365 else count(age // 365, "year"))
    why = f"Nobody has verified them for more than {years}, or ever."
    return what, why, [node]


def _second_funder(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node, funder = f.organisations[:2]
    what = f"Help {name(w.G, node)} find a second funder"
    why = f"All its funding comes from {name(w.G, funder)}"
    why += f", and that grant ends on {long_date(group.due)}." if group.due else "."
    return what, why, [node, funder]


def _plan_funding(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    funder, carried = f.organisations[0], f.organisations[1:]
    what = (f"Plan with {name(w.G, funder)} how the work of the {_number(len(carried))} organisations it funds in "
            f"{f.district} continues if its funding stops")
    why = (f"{name(w.G, funder)} funds {f.details.get('carried', len(carried))} of the "
           f"{f.details.get('funded', len(carried))} funded organisations there")
    why += f", and some of its grants end from {long_date(group.due)}." if group.due else "."
    return what, why, [funder, *carried]


def _record_two_way(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    a, b = f.organisations[:2]
    what = (f"Check with {name(w.G, a)} and {name(w.G, b)} whether they refer both ways, and if so record their "
            "agreement as two-way")
    back = f.details.get("services_back") or ([f.service] if f.service else [])
    why = (f"{name(w.G, a)} refers to {name(w.G, b)}, and {name(w.G, b)}'s clients need "
           f"{services(w.voc, back)} from {name(w.G, a)}, but the agreement is recorded one way only.")
    return what, why, [a, b]


def _act(group: _Group, findings: Sequence[Finding], w: _Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    return f.explanation.rstrip("."), "", list(f.organisations[:4])


_WORDING = {
    "renew_agreement": _renew,
    "second_route": _second_route,
    "find_provider": _find_provider,
    "agree_referral": _agree_referral,
    "close_cascade": _close_cascade,
    "coordinate": _coordinate,
    "merge_records": _merge,
    "review_funding": _review_funding,
    "connect_organisation": _connect_organisation,
    "connect_cluster": _connect_cluster,
    "verify_records": _verify,
    "second_funder": _second_funder,
    "plan_funding": _plan_funding,
    "record_two_way": _record_two_way,
}

#: Every action an agenda item can call for (``act``: a finding of a type the agenda does not know).
ACTIONS = (*_WORDING, "act")


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
            return (data.get("province") or voc.districts.get(data.get("district") or "")) == value

        return lambda g: (g.district in districts) if g.district else any(located(o) for o in g.affected)
    if kind == "district":
        if value not in voc.districts:
            raise ValueError(f"unknown district {value!r}")
        return lambda g: g.district == value if g.district else any(
            G.nodes[o].get("district") == value for o in g.affected)
    members = {n for u, v, data in G.edges(data=True) if data.get("programme") == value for n in (u, v)}
    return lambda g: not members.isdisjoint(g.affected) or not members.isdisjoint(g.extra.get("involved", ()))
