"""The wording of agenda items: what to do about a root cause and why, in sentences naming organisations."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from network.analysis.barriers import word_barrier
from network.analysis.finding import Finding
from network.analysis.words import count, join, long_date, lower_first, name, names, populations, services
from network.meanings import in_force, is_active
from network.model import Vocabulary

__all__ = ["Group", "Words", "WORDING", "uncoordinated", "word"]

#: Link kinds through which organisations meet in a forum.
_FORUM_KINDS = ("membership", "coordination")
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass
class Group:
    """One root cause: its findings, and what the ranking and the wording need to know about it."""

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


def uncoordinated(f: Finding) -> list[str]:
    """The organisations of an overlap in some uncoordinated pair, most pairs first (all, if none listed)."""
    pairs = f.details.get("uncoordinated_pairs") or []
    tally = Counter(o for pair in pairs for o in pair)
    if not tally:
        return list(f.organisations)
    return sorted(tally, key=lambda o: (-tally[o], o))


class Words:
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

def _renew(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _second_route(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _find_provider(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _agree_referral(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _close_cascade(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _coordinate(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _ordered_involved(group: Group, findings: Sequence[Finding]) -> list[str]:
    tally: Counter[str] = Counter()
    for i in group.members:
        for rank, o in enumerate(uncoordinated(findings[i])):
            tally[o] += 1000 - rank
    return sorted(tally, key=lambda o: (-tally[o], o))


def _merge(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _review_funding(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _connect_organisation(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node = f.organisations[0]
    lapsed = f.details.get("links_not_in_force", 0)
    where = f" in {f.district}" if f.district else ""
    what = (f"Renew or replace the lapsed agreement of {name(w.G, node)}" if lapsed else
            f"Agree a referral or MoU with {name(w.G, node)}, or bring it into a forum{where}")
    why = f"{name(w.G, node)} has no link in force with any other organisation, so it cannot refer or be referred to."
    return what, why, [node]


def _connect_cluster(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    members = list(f.organisations)
    where = f" in {f.district}" if f.district else ""
    what = (f"Connect the cluster of {_number(len(members))} organisations{where} to the wider network: "
            f"bring {names(w.G, members)} into a district forum or agree referrals beyond it")
    ties = f.details.get("external_ties", 0)
    why = ("They have no tie to the rest of the network." if not ties else
           "They reach the rest of the network through a single tie.")
    return what, why, members


def _verify(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
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


def _second_funder(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node, funder = f.organisations[:2]
    what = f"Help {name(w.G, node)} find a second funder"
    why = f"All its funding comes from {name(w.G, funder)}"
    why += f", and that grant ends on {long_date(group.due)}." if group.due else "."
    return what, why, [node, funder]


def _plan_funding(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    funder, carried = f.organisations[0], f.organisations[1:]
    what = (f"Plan with {name(w.G, funder)} how the work of the {_number(len(carried))} organisations it funds in "
            f"{f.district} continues if its funding stops")
    why = (f"{name(w.G, funder)} funds {f.details.get('carried', len(carried))} of the "
           f"{f.details.get('funded', len(carried))} funded organisations there")
    why += f", and some of its grants end from {long_date(group.due)}." if group.due else "."
    return what, why, [funder, *carried]


def _record_two_way(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    a, b = f.organisations[:2]
    what = (f"Check with {name(w.G, a)} and {name(w.G, b)} whether they refer both ways, and if so record their "
            "agreement as two-way")
    back = f.details.get("services_back") or ([f.service] if f.service else [])
    why = (f"{name(w.G, a)} refers to {name(w.G, b)}, and {name(w.G, b)}'s clients need "
           f"{services(w.voc, back)} from {name(w.G, a)}, but the agreement is recorded one way only.")
    return what, why, [a, b]


def _fix_route(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    sender, provider = f.organisations[:2]
    what = (f"Meet {name(w.G, provider)} and {name(w.G, sender)} about why clients referred between them do not "
            "get the service")
    return what, f.explanation, [provider, sender]


def _use_agreement(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    a, b = f.organisations[:2]
    what = f"Ask {name(w.G, a)} and {name(w.G, b)} why they do not refer along their agreement, and use or end it"
    return what, f.explanation, [a, b]


def _act(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    return f.explanation.rstrip("."), "", list(f.organisations[:4])


WORDING = {
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
    "fix_route": _fix_route,
    "use_agreement": _use_agreement,
    "raise_barrier": word_barrier,
}


def word(group: Group, findings: Sequence[Finding], words: Words) -> tuple[str, str, list[str]]:
    """What to do about ``group`` and why, in plain sentences, and the organisations named (who acts first)."""
    return WORDING.get(group.action, _act)(group, findings, words)
