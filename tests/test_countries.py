"""Countries (issue 14): an organisation's ``country`` through the vocabulary, the schema, both stores and their
history, every file format, the filters, pathways and pages; a Lesotho ex-miners association, a Mozambican
clinic and a SADC body import from CSV and XLSX as the partners' files write them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from network.api import create_app
from network.errors import InvalidData
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.graph.store import OrganisationQuery
from network.io.formats import export_bytes, import_bytes
from network.io.hsds import hsds_tables
from network.model import Organisation, vocabulary
from network.schemas import load_organisation
from network.service import analyses
from tests.conftest import make_sqlite_store

SADC = {"AO", "BW", "KM", "CD", "SZ", "LS", "MG", "MW", "MU", "MZ", "NA", "SC", "ZA", "TZ", "ZM", "ZW"}
HEADER = ("id,name,kind,country,province,district,municipality,latitude,longitude,services,populations,status,"
          "sensitive,aliases,phone,email,website,capacity_per_month,description")
#: As the partners' files write them: the Lesotho association names its country in the province column.
ROWS = [
    "lenepwha,Maseru Ex-Miners Association,ex_mineworkers_association,,Lesotho,Maseru,,,,peer_education;"
    "occupational_health_compensation,ex_mineworkers,active,false,,,,,,",
    "maseru-ohc,Maseru Occupational Health Centre,clinic,LS,,Maseru,,,,silicosis_screening;"
    "benefit_medical_examination;tb_screening;tb_treatment,ex_mineworkers;mineworkers,active,false,,,,,,",
    "xai-xai,Xai-Xai Health Centre,clinic,MZ,Gaza,,,-25.05,33.64,tb_screening;tb_treatment,,active,false,,,,,,",
    "sadc-hs,SADC Health Desk,regional_body,BW,,South-East,,,,advocacy,,active,false,,,,,,",
    "welkom,Welkom Clinic,clinic,,,Lejweleputswa,,,,tb_screening;tb_treatment,,active,false,,,,,,",
]
LINKS = ("id,source,target,kind,services,status,start_date,end_date,weight,formal,notes\n"
         "r1,lenepwha,maseru-ohc,referral,silicosis_screening,active,2025-01-01,,4,true,\n"
         "m1,lenepwha,sadc-hs,membership,,active,,,3,false,\n"
         "x1,welkom,xai-xai,mou,tb_treatment,active,2025-01-01,,3,true,\n")
EXPECTED = {"lenepwha": ("LS", "Maseru", "Maseru"), "maseru-ohc": ("LS", "Maseru", "Maseru"),
            "xai-xai": ("MZ", "Gaza", None), "sadc-hs": ("BW", "South-East", "South-East"),
            "welkom": ("ZA", "Free State", "Lejweleputswa")}


def csv_files() -> dict[str, bytes]:
    return {"organisations.csv": "\n".join([HEADER, *ROWS, ""]).encode(), "links.csv": LINKS.encode()}


def xlsx_file() -> dict[str, bytes]:
    book = Workbook()
    sheet = book.active
    sheet.title = "organisations"
    for line in csv.reader(io.StringIO("\n".join([HEADER, *ROWS]))):
        sheet.append([cell or None for cell in line])
    links = book.create_sheet("links")
    for line in csv.reader(io.StringIO(LINKS)):
        links.append([cell or None for cell in line])
    out = io.BytesIO()
    book.save(out)
    return {"partners.xlsx": out.getvalue()}


def places(store) -> dict[str, tuple[str, str | None, str | None]]:
    return {o.id: (o.country, o.province, o.district) for o in store.iter_organisations()}


# the vocabulary and the schema ---------------------------------------------------------------------------------


def test_the_vocabulary_holds_the_sadc_states_and_their_divisions():
    voc = vocabulary()
    assert set(voc.countries) == SADC
    lesotho = [d for d, p in voc.districts.items() if voc.province_countries[p] == "LS"]
    assert sorted(lesotho) == ["Berea", "Butha-Buthe", "Leribe", "Mafeteng", "Maseru", "Mohale's Hoek",
                               "Mokhotlong", "Qacha's Nek", "Quthing", "Thaba-Tseka"]
    counts = {c: sum(voc.province_countries[p] == c for p in voc.provinces) for c in ("MZ", "SZ", "ZW", "MW", "NA")}
    assert counts == {"MZ": 11, "SZ": 4, "ZW": 10, "MW": 3, "NA": 14}
    assert len(voc.provinces["Southern Region"]) == 13 and voc.districts["Lilongwe"] == "Central Region"
    assert sum(voc.province_countries[p] == "ZA" for p in voc.districts.values()) == 52
    # every district has a centre (for distances) within the SADC region (each country's own box: test_sadc_geography)
    for district, (lat, lon) in voc.district_centres.items():
        assert -35 < lat < 5.5 and 11 < lon < 64, district
    assert len(voc.districts) == sum(len(ds) for ds in voc.provinces.values())


def test_country_defaults_to_south_africa_or_follows_the_place():
    assert load_organisation({"id": "a", "name": "A", "kind": "cbo", "district": "Sekhukhune"}).country == "ZA"
    assert load_organisation({"id": "a", "name": "A", "kind": "regional_body"}).country == "ZA"
    maseru = load_organisation({"id": "a", "name": "A", "kind": "ex_mineworkers_association", "district": "Maseru"})
    assert (maseru.country, maseru.province) == ("LS", "Maseru")
    written = load_organisation({"id": "a", "name": "A", "kind": "cbo", "province": "Lesotho", "district": "Maseru"})
    assert (written.country, written.province, written.district) == ("LS", "Maseru", "Maseru")


def test_a_place_in_another_country_is_refused_field_by_field():
    cases = {
        ("ZA", None, "Maseru"): ("district", "District 'Maseru' is in Lesotho (LS), not South Africa (ZA): "
                                             "give country LS."),
        ("MZ", "Limpopo", None): ("province", "Province 'Limpopo' is in South Africa (ZA), not Mozambique (MZ): "
                                              "give country ZA."),
        ("XX", None, None): ("country", "Unknown country 'XX'"),
    }
    for (country, province, district), (field, message) in cases.items():
        with pytest.raises(InvalidData) as refused:
            load_organisation({"id": "a", "name": "A", "kind": "cbo", "country": country, "province": province,
                               "district": district})
        assert list(refused.value.errors) == [field]
        assert refused.value.errors[field][0].startswith(message)
    with pytest.raises(InvalidData) as refused:
        load_organisation({"id": "a", "name": "A", "kind": "cbo", "country": "MZ", "province": "Lesotho"})
    assert refused.value.errors["province"] == ["'Lesotho' is a country (LS), but country says MZ."]


# the stores, their history and the projection ------------------------------------------------------------------


def test_the_stores_keep_filter_and_version_the_country(store):
    store.upsert([Organisation("ls", "Maseru Ex-Miners", "ex_mineworkers_association", country="LS",
                               province="Maseru", district="Maseru"),
                  Organisation("za", "Welkom Clinic", "clinic", province="Free State", district="Lejweleputswa")], [])
    before = dt.datetime.now(dt.UTC)
    moved = store.get_organisation("ls")
    moved.country, moved.province, moved.district = "MZ", "Gaza", "Gaza"
    store.update_organisation(moved, expected_version=moved.version)
    assert [o.id for o in store.list_organisations(OrganisationQuery(country="MZ")).items] == ["ls"]
    assert [o.id for o in store.list_organisations(OrganisationQuery(country="ZA")).items] == ["za"]
    assert store.counts()["organisations_by_country"] == {"MZ": 1, "ZA": 1}
    assert [v.record.country for v in store.history("organisation", "ls")] == ["LS", "MZ"]
    then = {o.id: o.country for o in store.iter_organisations(as_of=before)}
    assert (then["ls"], project(store).nodes["ls"]["country"]) == ("LS", "MZ")


def test_a_record_written_before_countries_reads_as_south_african(tmp_path):
    store = make_sqlite_store(tmp_path / "old.db")
    try:
        store.upsert([Organisation("old", "Old CBO", "cbo", district="Sekhukhune")], [])
        with store._write() as conn:  # as a record stored before the migration: no country in its data
            conn.execute("UPDATE organisations SET data = json_remove(data, '$.country')")
        assert "country" not in json.loads(store._conn().execute("SELECT data FROM organisations").fetchone()[0])
        assert store.get_organisation("old").country == "ZA"
        assert [o.id for o in store.list_organisations(OrganisationQuery(country="ZA")).items] == ["old"]
    finally:
        store.close()


# importing the partners' files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, files", [("csv", csv_files), ("xlsx", xlsx_file)])
def test_cross_border_partners_import_from_csv_and_xlsx(tmp_path, fmt, files):
    store = make_sqlite_store(tmp_path / f"{fmt}.db")
    try:
        result = import_bytes(store, fmt, files())
        assert (result.organisations_created, result.links_created) == (5, 3)
        assert places(store) == EXPECTED
    finally:
        store.close()


def test_a_file_placing_a_district_in_the_wrong_country_is_refused_whole(tmp_path):
    store = make_sqlite_store(tmp_path / "bad.db")
    try:
        bad = ROWS[3].replace(",BW,", ",ZA,")
        with pytest.raises(Exception) as refused:
            import_bytes(store, "csv", {"organisations.csv": "\n".join([HEADER, *ROWS[:3], bad, ""]).encode()})
        assert "District 'South-East' is in Botswana (BW), not South Africa (ZA)" in str(refused.value)
        assert list(store.iter_organisations()) == []
    finally:
        store.close()


@pytest.fixture
def partners(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = make_sqlite_store(tmp_path / "partners.db")
    import_bytes(store, "csv", csv_files())
    yield store
    store.close()


def test_every_export_carries_the_country(partners, tmp_path):
    content, _, _ = export_bytes(partners, "csv", hide_protected=True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("organisations.csv").decode())))
    assert {r["id"]: r["country"] for r in rows} == {k: v[0] for k, v in EXPECTED.items()}
    geo = json.loads(export_bytes(partners, "geojson", hide_protected=True)[0])
    assert {f["id"]: f["properties"]["country"] for f in geo["features"]} == {"xai-xai": "MZ"}
    tables = hsds_tables(partners, hide_protected=True)
    located = {row["id"]: row for row in tables["locations"]}
    countries = {located[a["location_id"]]["name"]: a["country"] for a in tables["addresses"]}
    assert countries["Maseru Ex-Miners Association (Maseru, Maseru, Lesotho)"] == "LS"
    assert countries["SADC Health Desk (South-East, South-East, Botswana)"] == "BW"
    assert countries["Welkom Clinic (Lejweleputswa, Free State)"] == "ZA"
    for fmt in ("xlsx", "json", "graphml"):
        content, _, filename = export_bytes(partners, fmt, hide_protected=False)
        other = make_sqlite_store(tmp_path / f"copy-{fmt}.db")
        try:
            import_bytes(other, fmt, {filename: content})
            assert places(other) == EXPECTED, fmt
        finally:
            other.close()


# pathways, the API's filters and the pages ---------------------------------------------------------------------


def test_a_pathway_runs_through_the_lesotho_partners(partners):
    found = analyses.pathways(partners, population="ex_mineworkers", needs=["silicosis_screening", "tb_treatment"],
                              start="lenepwha", as_of=dt.date(2026, 6, 1))
    steps = found[0]["steps"]
    assert [(s["organisation"], s["services"], s["link"]) for s in steps] == [
        ("lenepwha", [], None), ("maseru-ohc", ["silicosis_screening", "tb_treatment"], "r1")]
    assert "Maseru Occupational Health Centre" in steps[1]["explanation"]


def test_the_api_and_the_pages_filter_and_show_the_country(partners):
    client = create_app({"STORE": partners, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    listed = client.get("/api/v1/organisations?country=LS").get_json()
    assert sorted(o["id"] for o in listed["items"]) == ["lenepwha", "maseru-ohc"]
    refused = client.get("/api/v1/organisations?country=XX")
    assert refused.status_code == 422 and "Unknown country 'XX'" in json.dumps(refused.get_json())
    page = client.get("/organisations/xai-xai").get_data(as_text=True)
    assert '<span id="org-country">Mozambique</span>' in page
    explorer = client.get("/explore?country=LS").get_data(as_text=True)
    assert "2 organisations" in explorer and '<option value="LS" selected>Lesotho</option>' in explorer
    vocab = client.get("/api/v1/vocabulary").get_json()
    assert {"code": "LS", "name": "Lesotho"} in vocab["countries"]
