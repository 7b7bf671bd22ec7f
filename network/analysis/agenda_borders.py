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
    what = f"Agree a referral or MoU between {names(w.G, who)} in {f.district} and a provider in {place}"
    people = " and ".join(w.voc.populations.get(p, p).lower() for p in f.details.get("populations", ()))
    why = (f"{f.district} serves {people} from {place}, but no agreement in force reaches a provider there: TB "
           "treatment and compensation claims cannot follow a client home.")
    return what, why, who


def _share_back(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    receiver, silent = f.organisations[0], list(f.organisations[1:])
    data = [w.voc.data_kinds.get(d, w.voc.services.get(d, d)) for d in f.details.get("data", ())]
    what = f"Agree with {name(w.G, receiver)} what it shares back with {names(w.G, silent)}"
    sent = join(data) if data else "their data"
    why = f"They send {sent} to {name(w.G, receiver)}, and nothing comes back to them."
    return what, why, [receiver, *silent]


def _link_area(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    f = findings[group.anchor]
    offices = list(f.details.get("offices", ()))
    label = f.details.get("area_label", "")
    to = names(w.G, offices) if offices else "the provincial or district health department"
    what = f"Link the {label.lower()} work in {f.details.get('province')} with {to}"
    return what, f.explanation, [*f.organisations, *offices]


#: Action -> its wording: what to do, why, and the organisations named.
WORDING: dict[str, Callable[[Group, Sequence[Finding], Words], tuple[str, str, list[str]]]] = {
    "link_across_border": _across_border,
    "share_data_back": _share_back,
    "link_area": _link_area,
}
