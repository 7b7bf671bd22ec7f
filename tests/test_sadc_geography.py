"""The SADC states' first-level divisions (issue 14): every member state has its divisions with centres inside its
borders, and partners in Zambia and Tanzania import, are refused with the country's divisions named when a place is
unknown, and appear in pathways (with distances) and the GeoJSON export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.analysis import geography
from network.errors import InvalidData
from network.graph.sqlite import SQLiteStore
from network.io.formats import export_bytes, import_bytes
from network.model import vocabulary
from network.schemas import load_organisation
from network.service import analyses
from tests.api_support import make_env
from tests.conftest import make_sqlite_store

#: Each member state: how many first-level divisions it has, what they are called, and a box around the country
#: (south, north, west, east; outlying islands included) every centre must fall in.
STATES = {
    "ZA": (9, "province", (-35.0, -22.1, 16.4, 33.0)),
    "LS": (10, "district", (-30.7, -28.5, 27.0, 29.5)),
    "MZ": (11, "province", (-26.9, -10.4, 30.2, 40.9)),
    "SZ": (4, "region", (-27.4, -25.7, 30.7, 32.2)),
    "MW": (3, "region", (-17.2, -9.3, 32.6, 36.0)),
    "ZW": (10, "province", (-22.5, -15.6, 25.2, 33.1)),
    "BW": (10, "district", (-27.0, -17.7, 19.9, 29.4)),
    "NA": (14, "region", (-29.0, -16.9, 11.7, 25.3)),
    "ZM": (10, "province", (-18.1, -8.2, 21.9, 33.8)),
    "AO": (21, "province", (-18.1, -4.3, 11.6, 24.1)),
    "TZ": (31, "region", (-11.8, -0.9, 29.3, 40.5)),
    "CD": (26, "province", (-13.5, 5.4, 12.2, 31.4)),
    "MG": (23, "region", (-25.7, -11.9, 43.1, 50.6)),
    "MU": (10, "district", (-20.6, -10.3, 56.5, 63.6)),
    "SC": (27, "district", (-10.3, -3.7, 46.2, 56.3)),
    "KM": (3, "island", (-12.5, -11.3, 43.2, 44.6)),
}


@pytest.mark.parametrize("code", sorted(STATES))
def test_each_state_has_its_divisions_with_centres_inside_it(code):
    voc = vocabulary()
    count, word, (south, north, west, east) = STATES[code]
    divisions = voc.provinces_of(code)
    assert (len(divisions), voc.division_words[code]) == (count, word)
    centres = {d: voc.district_centres[d] for p in divisions for d in voc.provinces[p]}
    assert centres, code
    for district, (lat, lon) in centres.items():
        assert south < lat < north and west < lon < east, (code, district, lat, lon)


def test_the_division_sets_are_the_current_ones_and_say_so():
    voc = vocabulary()
    angola = voc.provinces_of("AO")
    # the 2024 reform: Cuando Cubango and Moxico split, Icolo e Bengo out of Luanda
    assert {"Cuando", "Cubango", "Moxico", "Moxico Leste", "Icolo e Bengo", "Luanda"} <= set(angola)
    assert "Cuando Cubango" not in angola
    assert {"Vatovavy", "Fitovinany"} <= set(voc.provinces_of("MG")) and "Vatovavy-Fitovinany" not in voc.provinces
    assert sum(voc.provinces_of("TZ").count(z) for z in ("Kaskazini Pemba", "Kusini Pemba", "Kaskazini Unguja",
                                                           "Kusini Unguja", "Mjini Magharibi")) == 5
    assert "Rodrigues" in voc.provinces_of("MU") and voc.provinces_of("KM") == ["Grande Comore", "Anjouan", "Mohéli"]
    with open(Path(__file__).resolve().parent.parent / "seed" / "vocabulary" / "geography.json",
              encoding="utf-8") as fh:
        notes = {c["code"]: c.get("notes", "") for c in json.load(fh)["countries"]}
    assert "2024" in notes["AO"] and "31 regions" in notes["TZ"] and "26 provinces" in notes["CD"]
    assert all(notes[c] for c in ("ZM", "AO", "TZ", "CD", "MG", "MU", "SC", "KM"))


def test_names_shared_across_borders_stay_apart():
    voc = vocabulary()
    # Botswana's Central district and Zambia's Central Province; Malawi's Mwanza district and Tanzania's region
    assert voc.country_of("Central") == "BW" and voc.country_of("Central Province") == "ZM"
    assert voc.country_of(None, "Mwanza") == "MW" and voc.country_of("Mwanza") == "TZ"
    assert voc.districts["Nyamagana"] == "Mwanza" and voc.districts["Kitwe"] == "Copperbelt"
    assert len(voc.districts) == sum(len(ds) for ds in voc.provinces.values())


# partners in Zambia and Tanzania -------------------------------------------------------------------------------

HEADER = ("id,name,kind,country,province,district,municipality,latitude,longitude,services,populations,status,"
          "sensitive,aliases,phone,email,website,capacity_per_month,description")
ROWS = [
    "lusaka-miners,Lusaka Ex-Miners Support,ex_mineworkers_association,ZM,Lusaka,Lusaka,,-15.41,28.29,"
    "compensation_claims_support;peer_education,ex_mineworkers,active,false,,,,,,",
    "kitwe-clinic,Kitwe Mine Clinic,clinic,ZM,,Kitwe,,-12.81,28.21,tb_screening;tb_treatment,,active,false,,,,,,",
    "temeke-clinic,Temeke TB Clinic,clinic,TZ,Dar es Salaam,Dar es Salaam,,-6.86,39.27,tb_treatment,,active,false,"
    ",,,,,",
    "mwanza-cbo,Nyamagana Miners CBO,cbo,TZ,Mwanza,Nyamagana,,-2.52,32.90,tb_screening,mineworkers,active,false,"
    ",,,,,",
]
LINKS = ("id,source,target,kind,services,status,start_date,end_date,weight,formal,notes\n"
         "zm1,lusaka-miners,kitwe-clinic,referral,tb_treatment,active,2025-01-01,,3,true,\n"
         "tz1,mwanza-cbo,temeke-clinic,referral,tb_treatment,active,2025-01-01,,3,true,\n")
DAY = dt.date(2026, 6, 1)


def files(*rows: str) -> dict[str, bytes]:
    return {"organisations.csv": "\n".join([HEADER, *rows, ""]).encode(), "links.csv": LINKS.encode()}


@pytest.fixture
def partners(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = make_sqlite_store(tmp_path / "sadc.db")
    result = import_bytes(store, "csv", files(*ROWS))
    assert (result.organisations_created, result.links_created) == (4, 2)
    yield store
    store.close()


def test_zambian_and_tanzanian_partners_import_in_their_places(partners):
    assert {o.id: (o.country, o.province, o.district) for o in partners.iter_organisations()} == {
        "lusaka-miners": ("ZM", "Lusaka", "Lusaka"), "kitwe-clinic": ("ZM", "Copperbelt", "Kitwe"),
        "temeke-clinic": ("TZ", "Dar es Salaam", "Dar es Salaam"), "mwanza-cbo": ("TZ", "Mwanza", "Nyamagana")}


@pytest.mark.parametrize(("row", "field", "named"), [
    (ROWS[0].replace(",Lusaka,Lusaka,", ",Lusaka Province,Lusaka,"), "province",
     "Zambia (ZM) is divided into 10 provinces: Central Province, Copperbelt, Eastern Province, Luapula, Lusaka, "
     "Muchinga, Northern Province, North-Western Province, Southern Province and Western Province."),
    (ROWS[2].replace(",Dar es Salaam,Dar es Salaam,", ",Dar,,"), "province",
     "Tanzania (TZ) is divided into 31 regions: Arusha, Dar es Salaam, Dodoma,"),
    (ROWS[3].replace(",Nyamagana,", ",Mwanza City,"), "district",
     "The districts of Mwanza (TZ) are Ilemela, Kwimba, Magu, Misungwi, Nyamagana, Sengerema and Ukerewe."),
])
def test_an_unknown_division_is_refused_naming_the_countrys_divisions(tmp_path, row, field, named):
    store = make_sqlite_store(tmp_path / "refused.db")
    try:
        with pytest.raises(InvalidData) as refused:
            import_bytes(store, "csv", {"organisations.csv": "\n".join([HEADER, row, ""]).encode()})
        assert f"{field}: Unknown {field} '" in str(refused.value) and named in str(refused.value)
        assert list(store.iter_organisations()) == []
    finally:
        store.close()


def test_the_api_refuses_an_unknown_division_with_422_and_names_the_divisions(tmp_path):
    env = make_env(tmp_path / "api.db")
    before = sorted(o.id for o in env.store.iter_organisations())
    body = {"id": "moroni-cbo", "name": "Moroni CBO", "kind": "cbo", "country": "KM", "province": "Ngazidja"}
    response = env.client.post("/api/v1/organisations", json=body, headers=env.auth("editor"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["province"] == [
        "Unknown province 'Ngazidja'.",
        "The Comoros (KM) is divided into 3 islands: Grande Comore, Anjouan and Mohéli."]
    assert sorted(o.id for o in env.store.iter_organisations()) == before
    created = env.client.post("/api/v1/organisations", json={**body, "province": "Grande Comore"},
                              headers=env.auth("editor"))
    assert created.status_code == 201 and created.get_json()["country"] == "KM"
    env.store.close()


def test_a_division_named_without_its_country_takes_the_country_from_the_vocabulary():
    org = load_organisation({"id": "a", "name": "A", "kind": "clinic", "district": "Ilemela"})
    assert (org.country, org.province) == ("TZ", "Mwanza")
    org = load_organisation({"id": "b", "name": "B", "kind": "clinic", "province": "Huíla"})
    assert org.country == "AO"


@pytest.mark.parametrize(("one", "other", "expected"), [
    # 2.66 degrees of latitude apart, a little west: 291 km
    ("Lusaka", "Kitwe", 291),
    # 4.3 degrees of latitude and 6.37 of longitude near the equator: 852 km
    ("Nyamagana", "Dar es Salaam", 852),
])
def test_centres_give_distances_between_districts(one, other, expected):
    centres = vocabulary().district_centres
    assert geography.km(centres[one], centres[other]) == pytest.approx(expected, abs=1)
    assert geography.place({}, vocabulary(), other) == centres[other]


@pytest.mark.parametrize(("start", "provider", "km"), [
    # the organisations' own points: Lusaka to Kitwe, 289 km; Mwanza to Temeke, 855 km
    ("lusaka-miners", "kitwe-clinic", 289),
    ("mwanza-cbo", "temeke-clinic", 855),
])
def test_pathways_run_through_the_partners_with_distances(partners, start, provider, km):
    population = "ex_mineworkers" if start == "lusaka-miners" else "mineworkers"
    found = analyses.pathways(partners, population=population, needs=["tb_treatment"], start=start, as_of=DAY)
    steps = found[0]["steps"]
    assert [s["organisation"] for s in steps] == [start, provider]
    assert steps[1]["distance_km"] == pytest.approx(km, abs=1)
    assert f"{steps[1]['distance_km']:.0f} km away" in steps[1]["explanation"]


def test_the_geojson_export_places_them_in_their_countries(partners):
    geo = json.loads(export_bytes(partners, "geojson", hide_protected=True)[0])
    assert {f["id"]: (f["properties"]["country"], f["geometry"]["coordinates"]) for f in geo["features"]} == {
        "lusaka-miners": ("ZM", [28.29, -15.41]), "kitwe-clinic": ("ZM", [28.21, -12.81]),
        "temeke-clinic": ("TZ", [39.27, -6.86]), "mwanza-cbo": ("TZ", [32.9, -2.52])}
