"""Intervention areas: who works in each UNDP CSS intervention area, where, and whether government hears of it.

An organisation works in the areas its ``intervention_areas`` names; a link
carries the areas its own ``intervention_areas`` names. The areas' organisations
are those of the community and its partners: government, regional bodies and
donors are who they answer to, not members. An organisation is
*linked to government* when a link in force of any kind joins it to an
active government programme or department located in its province, or to a
national one (no province) of its country.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.borders import country_of
from network.analysis.edit_reach import EditReach, links_at
from network.analysis.finding import Finding
from network.analysis.geography import province_of
from network.analysis.layers import Layers, layers_for
from network.analysis.words import names
from network.model import vocabulary
from network.translation import N_

__all__ = ["area_members", "area_summary", "unlinked_areas", "NOT_MEMBERS"]

#: Kinds of organisation that do not count among an area's organisations.
NOT_MEMBERS = ("government", "regional_body", "donor")


def area_members(G: nx.MultiDiGraph, area: str, province: str | None = None) -> list[str]:
    """The active organisations (not of ``NOT_MEMBERS`` kinds) working in ``area``, optionally in one province.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", intervention_areas=["community_led_monitoring"], district="Sekhukhune")
    >>> G.add_node("b", intervention_areas=["community_led_monitoring"], district="Mangaung")
    >>> area_members(G, "community_led_monitoring", "Limpopo")
    ['a']
    """
    voc = vocabulary()
    return sorted(n for n, d in G.nodes(data=True)
                  if area in (d.get("intervention_areas") or ()) and d.get("status", "active") == "active"
                  and d.get("kind") not in NOT_MEMBERS and (province is None or province_of(d, voc) == province))


def _government(G: nx.MultiDiGraph, layers: Layers, among: set[str] | None = None) -> set[str]:
    """The organisations with a link in force with a government organisation in their province, or with a
    national one (no province) of their country (of ``among`` and the other ends of their links, if given)."""
    voc = vocabulary()
    nodes, tails, heads = layers.ends
    if among is not None:
        picked = links_at(layers, among)
        tails, heads = tails[picked], heads[picked]
    office = np.fromiter((G._node[n].get("kind") == "government" for n in nodes), dtype=bool, count=len(nodes))
    # each link both ways, from an organisation to a government organisation
    ours, theirs = np.concatenate([tails, heads]), np.concatenate([heads, tails])
    ours, theirs = ours[office[theirs]], theirs[office[theirs]]
    involved = np.zeros(len(nodes), dtype=bool)
    involved[ours] = involved[theirs] = True
    provinces: dict[str | None, int] = {None: 0}  # numbered, none known as 0
    countries: dict[str, int] = {}
    province, country = np.zeros(len(nodes), dtype=np.int64), np.zeros(len(nodes), dtype=np.int64)
    for i in np.flatnonzero(involved).tolist():
        province[i] = provinces.setdefault(province_of(G._node[nodes[i]], voc), len(provinces))
        country[i] = countries.setdefault(country_of(G, nodes[i]), len(countries))
    national = province[theirs] == 0
    linked = (province[ours] == province[theirs]) | (national & (country[ours] == country[theirs]))
    found = np.zeros(len(nodes), dtype=bool)
    found[ours[linked]] = True
    return {nodes[i] for i in np.flatnonzero(found).tolist()}


def unlinked_areas(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, layers: Layers | None = None,
                   within: EditReach | None = None) -> list[Finding]:
    """(intervention area, province) pairs whose organisations have no link in force with government there.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    layers : Layers, optional
        Views of ``G`` shared with other analyses.
    within : EditReach, optional
        Only the provinces this reach covers (after an edit, see
        :func:`network.analysis.gaps.caught_up_gaps`).

    Returns
    -------
    list of Finding
        One ``area_unlinked`` (severity medium) per intervention area and
        province where active organisations work in that area and none of
        them is linked to government (see the module notes).
        ``organisations`` lists them; ``details`` the ``area``, its
        ``area_label``, the ``province`` and the government organisations
        located there (``offices``). Ordered by province, then area.

    Examples
    --------
    >>> import datetime as dt
    >>> G = nx.MultiDiGraph()
    >>> for n in "abcd":
    ...     G.add_node(n, name=f"CBO {n.upper()}", kind="cbo", district="Sekhukhune",
    ...                intervention_areas=["community_led_monitoring"])
    >>> G.add_node("dho", name="Sekhukhune District Health Office", kind="government", district="Sekhukhune")
    >>> [f.explanation for f in unlinked_areas(G, as_of=dt.date(2026, 6, 1))]  # doctest: +NORMALIZE_WHITESPACE
    ['Community-led monitoring and research in Limpopo: 4 organisations (CBO A, CBO B, CBO C and CBO D), none
      linked to Sekhukhune District Health Office.']
    """
    layers = layers_for(G, as_of, layers)
    voc = vocabulary()
    offices: dict[str | None, list[str]] = defaultdict(list)
    working: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n, d in G.nodes(data=True):
        if d.get("status", "active") != "active":
            continue
        if d.get("kind") == "government":
            offices[province_of(d, voc)].append(n)
        if d.get("kind") in NOT_MEMBERS or not d.get("intervention_areas"):
            continue
        province = province_of(d, voc)
        if within is not None and province not in within.provinces:
            continue
        for area in d.get("intervention_areas") or ():
            if province:
                working[province, area].append(n)
    linked = _government(G, layers, None if within is None else {n for ns in working.values() for n in ns})
    findings = []
    for (province, area), members in sorted(working.items()):
        if any(n in linked for n in members):
            continue
        label = voc.intervention_areas.get(area, area)
        there = sorted(offices.get(province, []))
        values = {"area": label, "province": province, "names": names(G, sorted(members)),
                  "organisations": f"{len(members)} organisation{'s' if len(members) > 1 else ''}",
                  "offices": names(G, there)}
        findings.append(Finding(
            "area_unlinked", "medium", (_UNLINKED if there else _NO_OFFICE) % values,
            sorted(members), None, None, None,
            details={"area": area, "area_label": label, "province": province, "offices": there}))
    return findings


#: An ``area_unlinked`` finding's explanation, with government organisations in the province and without any.
_UNLINKED = N_("%(area)s in %(province)s: %(organisations)s (%(names)s), none linked to %(offices)s.")
_NO_OFFICE = N_("%(area)s in %(province)s: %(organisations)s (%(names)s), none linked to any health department or "
                "programme (none is recorded in %(province)s).")


def area_summary(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, province: str | None = None,
                 layers: Layers | None = None) -> dict[str, dict[str, Any]]:
    """Per intervention area: its organisations, where they are, the links among them and government's reach.

    Returns ``{area: {"label", "organisations", "provinces": {province: count}, "links", "linked_to_government"}}``
    for every area of the vocabulary (counts of active organisations, optionally of one province; ``links`` are
    the links in force among them, and those carrying the area in their own ``intervention_areas``).

    >>> import datetime as dt
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="cbo", district="Sekhukhune", intervention_areas=["community_led_advocacy"])
    >>> area_summary(G, as_of=dt.date(2026, 6, 1))["community_led_advocacy"]["provinces"]
    {'Limpopo': 1}
    """
    layers = layers_for(G, as_of, layers)
    voc = vocabulary()
    linked = _government(G, layers)
    summary = {}
    for area, label in voc.intervention_areas.items():
        members = set(area_members(G, area, province))
        among = [(u, v, d) for u, v, _, d in layers.links if u in members and v in members]
        carried = sum(1 for u, v, _, d in layers.links if area in (d.get("intervention_areas") or ())
                      and (province is None or u in members or v in members))
        where: dict[str, int] = defaultdict(int)
        for n in members:
            where[province_of(G.nodes[n], voc) or "national"] += 1
        summary[area] = {"label": label, "organisations": len(members), "provinces": dict(sorted(where.items())),
                         "links": len(among), "links_in_area": carried,
                         "linked_to_government": sum(1 for n in members if n in linked)}
    return summary
