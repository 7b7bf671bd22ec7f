"""The wording of agenda items: what to do about a root cause and why, in sentences naming organisations.

``Group`` and ``Words`` (what the wording reads) are in :mod:`network.analysis.agenda_context`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from network.analysis.agenda_borders import WORDING as BORDER_WORDING
from network.analysis.agenda_context import Group, Words, uncoordinated
from network.analysis.barriers import word_barrier
from network.analysis.finding import Finding
from network.analysis.trust import word_trust
from network.analysis.words import count, join, long_date, name, names, populations, services

__all__ = ["Group", "Words", "WORDING", "uncoordinated", "word"]

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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
    "build_trust": word_trust,
    **BORDER_WORDING,
}


def word(group: Group, findings: Sequence[Finding], words: Words) -> tuple[str, str, list[str]]:
    """What to do about ``group`` and why, in plain sentences, and the organisations named (who acts first)."""
    return WORDING.get(group.action, _act)(group, findings, words)
