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
from network.translation import N_

__all__ = ["Group", "Words", "WORDING", "uncoordinated", "word"]

_NUMBERS = (N_("no"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"), N_("seven"), N_("eight"),
            N_("nine"), N_("ten"))


def _number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


# Wording: each returns (what, why, organisations named). Each sentence comes from one template marked with N_ (the
# catalogs hold it under the context "sentence"), so the pages can show it in another language.

def _renew(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    agreement = w.agreement(f)
    end = group.due
    what = (N_("Renew %(agreement)s before %(day)s") % {"agreement": agreement, "day": long_date(end)} if end
            else N_("Renew %(agreement)s") % {"agreement": agreement})
    why = N_("It ends on %(day)s.") % {"day": long_date(end)} if end else N_("It is about to end.")
    for dependent in (findings[i] for i in group.members if findings[i].type == "donor_dependency"):
        why += " " + N_("It is all the funding %(name)s has.") % {"name": name(w.G, dependent.organisations[0])}
    cut = [findings[i] for i in group.members if findings[i].type == "single_point_of_failure"]
    if cut:
        lost = sorted({s for c in cut for s in c.details.get("services", ())})
        why += " " + N_("It is also the only referral route to %(services)s for %(organisations)s.") % {
            "services": services(w.voc, lost),
            "organisations": count(max(c.details.get("cut_off", 0) for c in cut), "organisation")}
    return what, why, f.organisations[:2]


def _second_route(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    routes = Counter(route[-1] for route in f.details.get("routes_lost", ()) if route)
    lost = sorted(f.details.get("services", ()), key=lambda s: (-routes[s], s))
    G = w.G
    if f.details.get("bridge"):
        what = N_("Add a second referral route alongside %(agreement)s for %(services)s") % {
            "agreement": w.agreement(f), "services": services(w.voc, lost)}
        why = N_("It is the only route to these services for %(organisations)s.") % {
            "organisations": count(f.details.get("cut_off", 0), "organisation")}
        return what, why, f.organisations[:2]
    hub, dependants = f.organisations[0], f.organisations[1:]
    what = N_("Give %(names)s a second referral route to %(services)s, besides %(hub)s") % {
        "names": names(G, dependants), "services": services(w.voc, lost), "hub": name(G, hub)}
    why = N_("If %(hub)s stopped working, %(organisations)s would lose every referral route to them.") % {
        "hub": name(G, hub), "organisations": count(f.details.get("cut_off", len(dependants)), "organisation")}
    unreachable = [findings[i] for i in group.members if findings[i].type == "unreachable"]
    if unreachable:
        far = services(w.voc, sorted({u.service for u in unreachable if u.service}))
        why += " " + N_("Some in %(districts)s cannot reach %(services)s within a few steps even now.") % {
            "districts": join(sorted({u.district for u in unreachable if u.district})), "services": far}
    return what, why, [*dependants, hub]


def _find_provider(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    missing = sorted({f.service for f in members if f.type == "uncovered" and f.service})
    population = members[0].population
    district = group.district or members[0].district
    served = populations(w.voc, [population]) if population else N_("the people")
    what = N_("Find a provider of %(services)s for %(people)s in %(district)s") % {
        "services": services(w.voc, missing), "people": served, "district": district}
    serving = sorted({o for f in members for o in f.organisations})
    why = ((N_("Nobody in %(district)s offers it to %(people)s, though %(names)s serves them there.")
            if len(serving) == 1 else
            N_("Nobody in %(district)s offers it to %(people)s, though %(names)s serve them there."))
           if len(missing) == 1 else
           (N_("Nobody in %(district)s offers them to %(people)s, though %(names)s serves them there.")
            if len(serving) == 1 else
            N_("Nobody in %(district)s offers them to %(people)s, though %(names)s serve them there."))) % {
        "district": district, "people": served, "names": names(w.G, serving)}
    nearest = w.nearest_provider(missing, population, district)
    if nearest is not None:
        where = w.G.nodes[nearest].get("district")
        why += " " + (N_("The nearest provider is %(name)s in %(district)s.") % {"name": name(w.G, nearest),
                                                                                 "district": where}
                      if where else N_("The nearest provider is %(name)s.") % {"name": name(w.G, nearest)})
    return what, why, [*serving[:3], *([nearest] if nearest else [])]


def _agree_referral(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    needed = sorted({f.service for f in members if f.service})
    population = members[0].population
    district = group.district or members[0].district
    serving = sorted({o for f in members for o in f.organisations},
                     key=lambda o: (-(w.attrs(o).get("capacity_per_month") or 0), o))
    provider = w.nearest_provider(needed, population, district, exclude=serving)
    served = populations(w.voc, [population]) if population else N_("their clients")
    values = {"start": name(w.G, serving[0]), "provider": name(w.G, provider) if provider else "",
              "others": count(len(serving) - 1, "other organisation"), "people": served,
              "services": services(w.voc, needed), "district": district}
    if len(serving) > 1:
        what = (N_("Agree a referral from %(start)s (and the %(others)s serving %(people)s there) to %(provider)s "
                   "for %(services)s") if provider else
                N_("Agree a referral from %(start)s (and the %(others)s serving %(people)s there) for %(services)s"))
    else:
        what = (N_("Agree a referral from %(start)s to %(provider)s for %(services)s") if provider else
                N_("Agree a referral from %(start)s for %(services)s"))
    what %= values
    why = N_("In %(district)s, the organisations serving %(people)s cannot refer them to %(services)s within a few "
             "steps.") % values
    return what, why, [serving[0], *([provider] if provider else [])]


def _close_cascade(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    node = members[0].organisations[0]
    needed = sorted({f.service for f in members if f.service})
    after = sorted({f.details.get("after") for f in members if f.details.get("after")})
    listed = w.attrs(node).get("populations") or [None]
    provider = w.nearest_provider(needed, listed[0], w.attrs(node).get("district"), exclude=[node])
    what = (N_("Agree a referral from %(name)s to %(provider)s for %(services)s") if provider
            else N_("Agree a referral from %(name)s for %(services)s")) % {
        "name": name(w.G, node), "provider": name(w.G, provider) if provider else "",
        "services": services(w.voc, needed)}
    why = N_("%(name)s offers %(offered)s but cannot refer its clients on to %(services)s.") % {
        "name": name(w.G, node), "offered": services(w.voc, after), "services": services(w.voc, needed)}
    return what, why, [node, *([provider] if provider else [])]


def _coordinate(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    involved = _ordered_involved(group, findings)
    district = group.district or findings[group.anchor].district
    doing = services(w.voc, group.extra["services"])
    forum, present = w.forum(involved, district)
    outside = [o for o in involved if o not in present] or involved
    values = {"forum": name(w.G, forum) if forum else N_("a shared district forum"), "services": doing,
              "district": district, "name": name(w.G, outside[0]), "number": _number(len(outside)),
              "kinds": w.kinds(outside), "names": names(w.G, outside),
              "involved": _number(len(involved)).capitalize(), "present": names(w.G, present)}
    what = (N_("Bring %(name)s, which does %(services)s in %(district)s, into %(forum)s") if len(outside) == 1 else
            N_("Bring the %(number)s %(kinds)s doing %(services)s in %(district)s into %(forum)s: %(names)s")) % values
    why = N_("%(involved)s organisations offer %(services)s to the same people in %(district)s, some without a link "
             "or a shared forum between them; agree who covers whom.") % values
    if forum and present:
        why += " " + (N_("%(present)s already meets there.") if len(present) == 1 else
                      N_("%(present)s already meet there.")) % values
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
    what = (N_("Merge the two records of %(keep)s") % {"keep": name(w.G, keep)} if same else
            N_("Merge the two records of %(keep)s and %(drop)s") % {"keep": name(w.G, keep), "drop": name(w.G, drop)})
    reasons = {"name": N_("similar names"), "phone": N_("the same phone number"),
               "email": N_("the same email address")}
    why_words = join([reasons.get(r, r) for r in f.details.get("reasons", ())])
    why = (N_("They look like one organisation (%(reasons)s); check with them, then keep %(keep)s's record.")
           % {"reasons": why_words, "keep": name(w.G, keep)} if why_words else
           N_("They look like one organisation; check with them, then keep %(keep)s's record.")
           % {"keep": name(w.G, keep)})
    return what, why, [keep, drop]


def _review_funding(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    members = [findings[i] for i in group.members]
    funder = members[0].organisations[0]
    recipients = sorted({o for f in members for o in f.organisations[1:]})
    funded = services(w.voc, sorted({f.service for f in members if f.service}))
    people = populations(w.voc, sorted({f.population for f in members if f.population}), "and")
    values = {"funder": name(w.G, funder), "names": names(w.G, recipients), "services": funded, "people": people,
              "district": group.district, "number": _number(len(recipients))}
    if people:
        what = (N_("Review with %(funder)s its grants to %(names)s for %(services)s among %(people)s in "
                   "%(district)s") if group.district else
                N_("Review with %(funder)s its grants to %(names)s for %(services)s among %(people)s"))
    else:
        what = (N_("Review with %(funder)s its grants to %(names)s for %(services)s in %(district)s")
                if group.district else N_("Review with %(funder)s its grants to %(names)s for %(services)s"))
    what %= values
    why = (N_("%(funder)s funds %(number)s organisations for the same work in %(district)s; agree who covers whom, "
              "or fund what is missing instead.") if group.district else
           N_("%(funder)s funds %(number)s organisations for the same work; agree who covers whom, or fund what is "
              "missing instead.")) % values
    return what, why, [funder, *recipients]


def _connect_organisation(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node = f.organisations[0]
    lapsed = f.details.get("links_not_in_force", 0)
    named = {"name": name(w.G, node), "district": f.district}
    what = (N_("Renew or replace the lapsed agreement of %(name)s") if lapsed else
            N_("Agree a referral or MoU with %(name)s, or bring it into a forum in %(district)s") if f.district else
            N_("Agree a referral or MoU with %(name)s, or bring it into a forum")) % named
    why = N_("%(name)s has no link in force with any other organisation, so it cannot refer or be referred to.") % named
    return what, why, [node]


def _connect_cluster(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    members = list(f.organisations)
    values = {"number": _number(len(members)), "district": f.district, "names": names(w.G, members)}
    what = (N_("Connect the cluster of %(number)s organisations in %(district)s to the wider network: bring "
               "%(names)s into a district forum or agree referrals beyond it") if f.district else
            N_("Connect the cluster of %(number)s organisations to the wider network: bring %(names)s into a district "
               "forum or agree referrals beyond it")) % values
    ties = f.details.get("external_ties", 0)
    why = (N_("They have no tie to the rest of the network.") if not ties else
           N_("They reach the rest of the network through a single tie."))
    return what, why, members


def _verify(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node = f.organisations[0]
    values = {"name": name(w.G, node), "num": len(f.links)}
    if f.details.get("own_record") and f.links:
        what = (N_("Ask %(name)s to confirm its record and the 1 link it recorded") if len(f.links) == 1 else
                N_("Ask %(name)s to confirm its record and the %(num)s links it recorded"))
    elif f.links:
        what = (N_("Ask %(name)s to confirm the 1 link it recorded") if len(f.links) == 1 else
                N_("Ask %(name)s to confirm the %(num)s links it recorded"))
    else:
        what = N_("Ask %(name)s to confirm its record") if f.details.get("own_record") else \
            N_("Ask %(name)s to confirm its records")
    what %= values
    age = int(f.details.get("max_age_days", 365))
    if age and not age % 365:
        why = (N_("Nobody has verified them for more than a year, or ever.") if age == 365 else
               N_("Nobody has verified them for more than %(years)s years, or ever.") % {"years": age // 365})
    else:
        why = (N_("Nobody has verified them for more than %(days)s day, or ever.") if age == 1 else
               N_("Nobody has verified them for more than %(days)s days, or ever.")) % {"days": age}
    return what, why, [node]


def _second_funder(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    node, funder = f.organisations[:2]
    what = N_("Help %(name)s find a second funder") % {"name": name(w.G, node)}
    why = (N_("All its funding comes from %(funder)s, and that grant ends on %(day)s.") if group.due else
           N_("All its funding comes from %(funder)s.")) % {"funder": name(w.G, funder),
                                                             "day": long_date(group.due) if group.due else ""}
    return what, why, [node, funder]


def _plan_funding(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    funder, carried = f.organisations[0], f.organisations[1:]
    values = {"funder": name(w.G, funder), "number": _number(len(carried)), "district": f.district,
              "carried": f.details.get("carried", len(carried)), "funded": f.details.get("funded", len(carried)),
              "day": long_date(group.due) if group.due else ""}
    what = N_("Plan with %(funder)s how the work of the %(number)s organisations it funds in %(district)s continues "
              "if its funding stops") % values
    why = (N_("%(funder)s funds %(carried)s of the %(funded)s funded organisations there, and some of its grants end "
              "from %(day)s.") if group.due else
           N_("%(funder)s funds %(carried)s of the %(funded)s funded organisations there.")) % values
    return what, why, [funder, *carried]


def _record_two_way(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    a, b = f.organisations[:2]
    named = {"a": name(w.G, a), "b": name(w.G, b)}
    what = N_("Check with %(a)s and %(b)s whether they refer both ways, and if so record their agreement as "
              "two-way") % named
    back = f.details.get("services_back") or ([f.service] if f.service else [])
    why = N_("%(a)s refers to %(b)s, and %(b)s's clients need %(services)s from %(a)s, but the agreement is recorded "
             "one way only.") % {**named, "services": services(w.voc, back)}
    return what, why, [a, b]


def _fix_route(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    sender, provider = f.organisations[:2]
    what = N_("Meet %(provider)s and %(sender)s about why clients referred between them do not get the service") % {
        "provider": name(w.G, provider), "sender": name(w.G, sender)}
    return what, f.explanation, [provider, sender]


def _use_agreement(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    a, b = f.organisations[:2]
    what = N_("Ask %(a)s and %(b)s why they do not refer along their agreement, and use or end it") % {
        "a": name(w.G, a), "b": name(w.G, b)}
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
