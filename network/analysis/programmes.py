"""A programme's report: its grants, sub-recipients, their coverage, the gaps in its area and grants ending soon.

A programme's *grants* are the funding links naming it in ``programme``; its
*sub-recipients* the organisations those grants fund. Its *area* is the
provinces it names, and the countries it names beyond them (a country named
with none of its provinces counts whole); a programme naming neither works
wherever its sub-recipients are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from network.analysis.borders import country_of
from network.analysis.finding import Finding, plain
from network.analysis.geography import province_of
from network.meanings import in_force
from network.model import Programme, today, vocabulary

__all__ = ["ENDING_WITHIN_DAYS", "programme_grants", "in_area", "programme_report"]

#: A grant in force ending within this many days of the as-of date is ending soon.
ENDING_WITHIN_DAYS = 180


def programme_grants(G: nx.MultiDiGraph, name: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The funding links naming the programme ``name``: ``(funder, recipient, link id, data)``, by link id.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", programme="CSS")
    >>> _ = G.add_edge("fund", "b", key="f2", kind="funding")
    >>> [key for _, _, key, _ in programme_grants(G, "CSS")]
    ['f1']
    """
    return sorted(((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                   if d.get("kind") == "funding" and d.get("programme") == name), key=lambda e: e[2])


def in_area(programme: Programme, data: Mapping[str, Any]) -> bool:
    """True if an organisation with attributes ``data`` is located in the programme's area (see the module notes).

    An organisation (or a finding's district) with no country recorded is in
    its province's country (South Africa when that is unknown too).

    >>> p = Programme("p", "P", provinces=("Limpopo",), countries=("LS",))
    >>> in_area(p, {"district": "Sekhukhune"}), in_area(p, {"country": "LS"}), in_area(p, {"district": "Mangaung"})
    (True, True, False)
    >>> in_area(p, {"district": "Maseru"}), in_area(p, {"district": "Gaza"})
    (True, False)
    """
    voc = vocabulary()
    province = province_of(data, voc)
    if province in programme.provinces:
        return True
    whole = {c for c in programme.countries if not any(voc.province_countries.get(p) == c
                                                       for p in programme.provinces)}
    return (data.get("country") or voc.province_countries.get(province or "") or "ZA") in whole


def programme_report(
    G: nx.MultiDiGraph,
    programme: Programme,
    findings: Iterable[Finding],
    *,
    as_of: dt.date | None = None,
    within_days: int = ENDING_WITHIN_DAYS,
) -> dict[str, Any]:
    """The report of one programme.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    programme : Programme
        The programme record.
    findings : iterable of Finding
        The network's gap findings; those located in the programme's area are
        its gaps (a finding with a district by that district; otherwise by
        any of its organisations).
    as_of : date, optional
        The day the programme is looked at (default today).
    within_days : int, default ``ENDING_WITHIN_DAYS``
        A grant in force ending within this many days is ending soon.

    Returns
    -------
    dict
        ``programme`` (the record), ``grants`` (each with funder, recipient,
        grant_ref, dates, ``in_force`` and ``days_left``), ``sub_recipients``
        (each with its place, services, populations and intervention areas),
        ``coverage`` (``services`` and ``populations``: code -> the
        sub-recipients in force offering or naming it; ``areas``: each of the
        programme's intervention areas -> its sub-recipients working in it,
        empty when none does), ``gaps`` (the findings in its area, as dicts)
        with ``gaps_by_type``, and ``ending_soon`` (grants in force ending
        within ``within_days``, soonest first).

    Examples
    --------
    >>> import datetime as dt
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fund", name="Ubuntu Fund", kind="donor")
    >>> G.add_node("a", name="Hope CBO", kind="cbo", district="Sekhukhune", services=["tb_screening"])
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", status="active", programme="CSS",
    ...                grant_ref="G-1", end_date=dt.date(2026, 8, 1))
    >>> report = programme_report(G, Programme("css", "CSS", provinces=("Limpopo",)), [], as_of=dt.date(2026, 6, 1))
    >>> report["coverage"]["services"], [(g["grant_ref"], g["days_left"]) for g in report["ending_soon"]]
    ({'tb_screening': ['a']}, [('G-1', 61)])
    """
    as_of = as_of or today()
    grants = []
    for funder, recipient, key, data in programme_grants(G, programme.name):
        live = in_force(data, as_of)
        end = data.get("end_date")
        grants.append({"link": key, "funder": funder, "funder_name": _name(G, funder), "recipient": recipient,
                       "recipient_name": _name(G, recipient), "grant_ref": data.get("grant_ref"),
                       "start_date": data.get("start_date"), "end_date": end, "in_force": live,
                       "days_left": (end - as_of).days if live and end else None, "services": data.get("services")})
    funded = sorted({g["recipient"] for g in grants})
    live = sorted({g["recipient"] for g in grants if g["in_force"]})
    services: dict[str, list[str]] = defaultdict(list)
    populations: dict[str, list[str]] = defaultdict(list)
    for node in live:
        for code in G.nodes[node].get("services") or ():
            services[code].append(node)
        for code in G.nodes[node].get("populations") or ("general",):
            populations[code].append(node)
    areas = {a: [n for n in live if a in (G.nodes[n].get("intervention_areas") or ())]
             for a in programme.intervention_areas}
    area = programme if programme.provinces or programme.countries else dataclasses.replace(
        programme, provinces=tuple(sorted({p for n in funded if (p := province_of(G.nodes[n], vocabulary()))})))
    gaps = [f for f in findings if _located(G, area, f)]
    ending = sorted((g for g in grants if g["days_left"] is not None and 0 <= g["days_left"] <= within_days),
                    key=lambda g: (g["days_left"], g["link"]))
    return plain({
        "as_of": as_of, "programme": vars(programme),
        "grants": grants, "sub_recipients": [_recipient(G, n) for n in funded],
        "coverage": {"services": dict(sorted(services.items())), "populations": dict(sorted(populations.items())),
                     "areas": areas},
        "gaps": [f.to_dict() for f in gaps], "gaps_by_type": _tally(f.type for f in gaps),
        "ending_soon": ending,
    })


def _name(G: nx.MultiDiGraph, node: str) -> str:
    return G.nodes[node].get("name") or node if node in G else node


def _recipient(G: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    data = G.nodes[node]
    return {"id": node, "name": _name(G, node), "kind": data.get("kind"), "district": data.get("district"),
            "province": province_of(data, vocabulary()), "country": country_of(G, node),
            "services": list(data.get("services") or ()), "populations": list(data.get("populations") or ()),
            "intervention_areas": list(data.get("intervention_areas") or ())}


def _located(G: nx.MultiDiGraph, programme: Programme, finding: Finding) -> bool:
    if finding.district:
        return in_area(programme, {"district": finding.district})
    return any(in_area(programme, G.nodes[n]) for n in finding.organisations if n in G)


def _tally(types: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for t in types:
        counts[t] += 1
    return dict(sorted(counts.items()))
