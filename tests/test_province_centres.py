"""Organisations placed by province only (issue 14): they take their province's approximate centre, so analyses
measuring distances (proposed partners, providers across a border) reach them as they reach one in a district."""

from __future__ import annotations

import datetime as dt

import pytest

from network.analysis.border_partners import Abroad
from network.analysis.borders import cross_border_gaps
from network.analysis.geography import km, place
from network.analysis.recommend import recommend_links
from network.graph.project import build_graph
from network.model import Link, Organisation, vocabulary
from tests.api_support import close_store, make_env

DAY = dt.date(2026, 6, 1)


def test_a_province_centre_is_the_vocabularys_or_the_mean_of_its_districts():
    voc = vocabulary()
    # Limpopo has no centre of its own: the mean of Capricorn (-23.90, 29.45), Mopani (-23.60, 30.70),
    # Sekhukhune (-24.70, 29.90), Vhembe (-22.90, 30.45) and Waterberg (-24.30, 28.20)
    assert voc.province_centres["Limpopo"] == (-23.88, 29.74)
    assert voc.province_centres["Gaza"] == (-23.0, 32.7)  # Mozambique's provinces carry their own centres
    assert set(voc.province_centres) == set(voc.provinces)
    for country in voc.countries:
        for province in voc.provinces_of(country):
            lat, lon = voc.province_centres[province]
            assert -35 < lat < 5.5 and 11 < lon < 64, province


@pytest.mark.parametrize(("data", "district", "expected"), [
    ({"latitude": -24.0, "longitude": 29.0, "province": "Limpopo"}, "Capricorn", (-24.0, 29.0)),  # its own point
    ({"province": "Limpopo"}, "Capricorn", (-23.90, 29.45)),  # its district's centre
    ({"province": "Limpopo"}, None, (-23.88, 29.74)),  # its province's centre
    ({"province": "Gaza"}, None, (-23.0, 32.7)),
    ({}, None, None),  # a national body: nowhere
])
def test_an_organisation_is_placed_by_point_then_district_then_province(data, district, expected):
    assert place(data, vocabulary(), district) == expected


def test_a_partner_is_proposed_to_an_organisation_known_only_by_its_province():
    """Hope CBO (Limpopo, no district) screens artisanal miners for TB and refers nobody. Capricorn Clinic is
    29.6 km from Limpopo's centre, Vhembe Clinic 130.9 km and Sekhukhune Clinic 92.6 km (all within the 150 km of
    ``max_km``), OR Tambo Clinic 856.9 km. Capricorn is nearest: it is the partner proposed, with its distance
    as the reason; before province centres Hope CBO had no place and got no proposal at all."""
    voc = vocabulary()
    assert round(km(voc.province_centres["Limpopo"], voc.district_centres["Capricorn"]), 1) == 29.6
    assert round(km(voc.province_centres["Limpopo"], voc.district_centres["Sekhukhune"]), 1) == 92.6
    orgs = [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", services=["tb_screening"],
                         populations=["artisanal_miners"])]
    orgs += [Organisation(f"{d.lower().replace(' ', '-')}-clinic", f"{d} Clinic", "clinic", district=d,
                          services=["tb_treatment"]) for d in ("Capricorn", "Vhembe", "Sekhukhune", "OR Tambo")]
    found = recommend_links(build_graph(orgs, []), as_of=DAY, limit=1)
    assert [(r.source, r.target, r.kind) for r in found] == [("hope", "capricorn-clinic", "referral")]
    assert "30 km apart" in found[0].reasons


def test_the_nearest_providers_across_the_border_are_found_by_province_centres():
    """Thabong's ex-miners (Lejweleputswa) come from Mozambique; four Mozambican clinics keep TB treatment going,
    each known only by its province: in Niassa (1,968 km from Lejweleputswa's centre), Cabo Delgado (2,190 km),
    Nampula (1,949 km) and Gaza (834 km). The three proposed are the nearest, nearest first; before province
    centres none had a place and the ids decided (Niassa's, Cabo Delgado's, Nampula's)."""
    provinces = {"a-niassa": "Niassa", "b-cabo": "Cabo Delgado", "c-nampula": "Nampula", "z-gaza": "Gaza"}
    orgs = [Organisation("thabong", "Thabong Forum", "ex_mineworkers_association", district="Lejweleputswa",
                         populations=["ex_mineworkers"], countries_served=["MZ"]),
            *(Organisation(i, f"{p} Clinic", "clinic", country="MZ", province=p, services=["tb_treatment"])
              for i, p in provinces.items()),
            Organisation("sadc", "SADC Desk", "regional_body", country="BW", district="South-East")]
    G = build_graph(orgs, [Link(f"m-{o.id}", o.id, "sadc", "membership") for o in orgs if o.id != "sadc"])
    voc = vocabulary()
    home = voc.district_centres["Lejweleputswa"]
    assert {i: round(km(home, voc.province_centres[p])) for i, p in provinces.items()} == {
        "a-niassa": 1968, "b-cabo": 2190, "c-nampula": 1949, "z-gaza": 834}
    gaps = cross_border_gaps(G, as_of=DAY)
    assert [(f.district, f.details["country"]) for f in gaps] == [("Lejweleputswa", "MZ")]
    assert Abroad(G, G.nodes, voc).providers_for(gaps[0]) == ["z-gaza", "c-nampula", "a-niassa"]


def test_a_provider_known_only_by_its_province_is_proposed_to_its_neighbours():
    """Hope CBO in Capricorn screens artisanal miners for TB and refers nobody; the only provider of TB treatment is
    Limpopo's TB outreach team, known only by its province (Limpopo's centre is 29.6 km from Capricorn's). It is
    read among Capricorn's providers (the district nearest its place) and proposed, 30 km apart. Before, a provider
    with no district was never looked for around a district, and nothing was proposed; an outreach team in the
    Western Cape (about 1,300 km away) is not proposed either."""
    hope = Organisation("hope", "Hope CBO", "cbo", district="Capricorn", services=["tb_screening"],
                        populations=["artisanal_miners"])
    outreach = Organisation("outreach", "Limpopo TB Outreach", "ngo", province="Limpopo", services=["tb_treatment"])
    found = recommend_links(build_graph([hope, outreach], []), as_of=DAY, limit=1)
    assert [(r.source, r.target, r.kind) for r in found] == [("hope", "outreach", "referral")]
    assert "30 km apart" in found[0].reasons
    assert [(c["type"], c["service"]) for c in found[0].closes] == [
        ("broken_cascade", "tb_treatment"), ("uncovered", "tb_treatment"), ("isolated", None), ("isolated", None)]
    far = Organisation("outreach", "Cape TB Outreach", "ngo", province="Western Cape", services=["tb_treatment"])
    assert recommend_links(build_graph([hope, far], []), as_of=DAY) == []


def test_the_organisation_page_rings_the_province_of_one_known_only_by_its_province(tmp_path) -> None:
    env = make_env(tmp_path / "map.db", seeded=False)
    try:
        env.store.upsert([Organisation("xai-xai", "Xai-Xai Clinic", "clinic", country="MZ", province="Gaza"),
                          Organisation("sadc", "SADC Desk", "regional_body", country="BW")], [])
        page = env.client.get("/organisations/xai-xai").get_data(as_text=True)
        drawn = page.split('<svg class="place-map"')[1].split("</svg>")[0]
        assert 'aria-label="Map: Xai-Xai Clinic in Gaza"' in drawn
        assert '<circle class="home"' in drawn and "<title>Gaza</title></circle><text" in drawn
        assert drawn.count('class="home"') == 1 and 'class="here"' not in drawn
        assert 'class="place-map"' not in env.client.get("/organisations/sadc").get_data(as_text=True)
    finally:
        close_store(env.app)
