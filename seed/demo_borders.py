"""Across borders in the demo (issue 14; all illustrative): partners in Lesotho and Mozambique, the SADC health desk
in Botswana, grievance bodies, the countries clients come from, data flows, intervention areas and one Beyond
Zero-like programme.

Organisations come from ``seed/roster/borders.csv`` and links from ``seed/roster/border_links.csv``; they are
added after every other plant, so no earlier random draw changes. What it plants (AS_OF 2026-11-23):

* cross_border_gap: Lejweleputswa serves ex-mineworkers and mineworkers from Lesotho and Mozambique; its
  ex-mineworkers association has an MoU and a referral with Maseru, but nothing reaches Mozambique (one gap);
  Vhembe's migrant rights centre serves migrants from Zimbabwe and Mozambique, with no partner in either (two);
* one_way_data: the SADC health desk receives violation reports and unpaid claims from Lejweleputswa's
  ex-mineworkers association and shares nothing back (the regional alliance's reports to it do not count: it is
  a regional body itself); the Lesotho programme returns outcomes to the Maseru association (no finding there);
* a pathway from Lejweleputswa to TB treatment in Maseru that crosses the border and says so;
* intervention areas derived from what organisations do (monitoring, advocacy, capacity, coordination);
* the programme "Community systems strengthening programme (illustrative, Beyond Zero-like)": the Khanyisa
  Global Health Fund's grants in the Eastern Cape, Free State and Limpopo, each with a grant reference
  (its record: ``seed/vocabulary/programmes.json``).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

ROSTER = Path(__file__).resolve().parent / "roster"
PROGRAMME = "Community systems strengthening programme (illustrative, Beyond Zero-like)"
PROGRAMME_FUNDER = "khanyisa-global-health-fund"
PROGRAMME_PROVINCES = {"Eastern Cape": "EC", "Free State": "FS", "Limpopo": "LP"}
#: Where the clients of some South African organisations come from.
COUNTRIES_SERVED = {
    "lejweleputswa-ex-mineworkers-association": ["LS", "MZ"],
    "lejweleputswa-mineworkers-union-branch": ["LS", "MZ"],
    "musina-migrant-rights-centre": ["ZW", "MZ"],
}
#: Regional bodies that act as grievance mechanisms, and the countries of regional bodies' seats (no district:
#: a regional body serves the region, not the district it sits in).
GRIEVANCE_BODIES = ("sadc", "arasa", "southern-african-ex-mineworkers-alliance")
SEATS = {"sadc": "BW"}
#: Intervention areas an organisation works in, by the services it offers; and a link's, by its kind.
AREAS_BY_SERVICE = {
    "community_led_monitoring": "community_led_monitoring", "human_rights_monitoring": "community_led_monitoring",
    "research": "community_led_monitoring", "advocacy": "community_led_advocacy",
    "legal_aid": "enabling_environment", "capacity_building": "institutional_capacity",
}
AREAS_BY_LINK = {"coordination": "linkages_coordination", "membership": "linkages_coordination",
                 "mentoring": "institutional_capacity", "training": "institutional_capacity",
                 "data_sharing": "community_led_monitoring", "advocacy": "community_led_advocacy"}


def add_borders(d: Any) -> None:
    """Add the cross-border partners, flows, areas and the programme to the demo ``d`` (a ``demo_network.Demo``)."""
    for row in _rows("borders.csv"):
        oid = d.org(row["name"], row["role"], row["district"] or None, municipality=row["municipality"] or None,
                    services=_list(row["services"]), populations=_list(row["populations"]), contacts=False,
                    description=row["description"])
        d.orgs[oid].update(country=row["country"], intervention_areas=_list(row["intervention_areas"]))
    for oid, countries in COUNTRIES_SERVED.items():
        d.orgs[oid]["countries_served"] = countries
    for oid in GRIEVANCE_BODIES:
        d.orgs[oid]["services"].append("grievance_redress")
    for oid, country in SEATS.items():
        d.orgs[oid]["country"] = country
    for row in _rows("border_links.csv"):
        link = d.link(row["source"], row["target"], row["kind"], _list(row["services"]),
                      start=_day(row["start"]), end=_day(row["end"]), formal=True, weight=4, notes=row["notes"])
        link["data"] = _list(row["data"])
    _areas(d)
    _programme(d)


def _areas(d: Any) -> None:
    for org in d.orgs.values():
        if not org.get("intervention_areas"):
            org["intervention_areas"] = sorted({AREAS_BY_SERVICE[s] for s in org["services"] if s in AREAS_BY_SERVICE})
        if org["role"] == "council":
            org["intervention_areas"] = sorted({*org["intervention_areas"], "linkages_coordination"})
    for link in d.links:
        if link["kind"] in AREAS_BY_LINK:
            link["intervention_areas"] = [AREAS_BY_LINK[link["kind"]]]


def _programme(d: Any) -> None:
    numbers: dict[str, int] = {}
    for link in d.links:
        province = d.orgs[link["target"]]["province"]
        if (link["source"] == PROGRAMME_FUNDER and link["kind"] == "funding" and link["status"] == "active"
                and province in PROGRAMME_PROVINCES):
            code = PROGRAMME_PROVINCES[province]
            numbers[code] = numbers.get(code, 0) + 1
            link.update(programme=PROGRAMME, grant_ref=f"CSS-{code}-{numbers[code]:03d}")


def _rows(name: str) -> list[dict[str, str]]:
    with open(ROSTER / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _list(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


def _day(cell: str) -> dt.date | None:
    return dt.date.fromisoformat(cell) if cell else None
