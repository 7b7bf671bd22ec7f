"""Agenda items for the findings across borders, along data flows and by intervention area (issue 14).

Each finding is its own root cause: a (district, sending country) without a
cross-border agreement, a receiver of community data that shares nothing back,
an intervention area of a province that government does not hear from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from network.analysis.finding import Finding
from network.analysis.words import join, name, names
from network.translation import N_

if TYPE_CHECKING:
    from network.analysis.agenda_context import Group, Words

__all__ = ["GROUPS", "WORDING"]

#: Finding type -> (action, the key of its item).
GROUPS: dict[str, Callable[[Finding], tuple[str, str]]] = {
    "cross_border_gap": lambda f: ("link_across_border", f"border:{f.district}:{f.details.get('country', '')}"),
    "one_way_data": lambda f: ("share_data_back", f"data-back:{f.organisations[0]}"),
    "area_unlinked": lambda f: ("link_area", f"area:{f.details.get('province', '')}:{f.details.get('area', '')}"),
}


def _across_border(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    place = f.details.get("country_name") or f.details.get("country", "")
    who = list(f.organisations)
    values = {"names": names(w.G, who), "district": f.district, "place": place,
              "people": " and ".join(w.voc.populations.get(p, p).lower() for p in f.details.get("populations", ()))}
    what = N_("Agree a referral or MoU between %(names)s in %(district)s and a provider in %(place)s") % values
    why = N_("%(district)s serves %(people)s from %(place)s, but no agreement in force reaches a provider there: TB "
             "treatment and compensation claims cannot follow a client home.") % values
    return what, why, who


def _share_back(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    receiver, silent = f.organisations[0], list(f.organisations[1:])
    data = [w.voc.data_kinds.get(d, w.voc.services.get(d, d)) for d in f.details.get("data", ())]
    values = {"receiver": name(w.G, receiver), "names": names(w.G, silent),
              "data": join(data) if data else N_("their data")}
    what = N_("Agree with %(receiver)s what it shares back with %(names)s") % values
    why = N_("They send %(data)s to %(receiver)s, and nothing comes back to them.") % values
    return what, why, [receiver, *silent]


def _link_area(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    offices = list(f.details.get("offices", ()))
    label = f.details.get("area_label", "")
    to = names(w.G, offices) if offices else N_("the provincial or district health department")
    what = N_("Link the %(area)s work in %(province)s with %(to)s") % {"area": label.lower(),
                                                                      "province": f.details.get("province"), "to": to}
    return what, f.explanation, [*f.organisations, *offices]


#: Action -> its wording: what to do, why, and the organisations named.
WORDING: dict[str, Callable[[Group, Sequence[Finding], Words], tuple[str, str, list[str]]]] = {
    "link_across_border": _across_border,
    "share_data_back": _share_back,
    "link_area": _link_area,
}
