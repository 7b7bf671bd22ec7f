"""Cross-border partners from a spreadsheet (issue 14, "Done when"): a Lesotho ex-miners association, a Mozambican
clinic and a SADC body, in a real .xlsx built with openpyxl, go through the real importer (the API's upload and
the ``cssnet import`` command) into a real SQLite file, and then appear in pathways that say they cross a border,
on the pages and in the HSDS and GeoJSON exports with their country. A bad country or division in the workbook is
refused with the sheet, row, field and a precise message, and the store is left as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from tests.api_support import Env, close_store, make_env

DAY = dt.date(2026, 6, 1)
ORG_HEADER = ("id", "name", "kind", "country", "province", "district", "municipality", "latitude", "longitude",
              "services", "populations", "status", "sensitive", "aliases", "phone", "email", "website",
              "capacity_per_month", "description")
#: The three partners of the issue and the South African clinic between them. The Lesotho association writes its
#: country in the province column, as partners' files do; the SADC desk sits in Gaborone (Botswana).
ORGS = [
    ("lenepwha", "Maseru Ex-Miners Association", "ex_mineworkers_association", None, "Lesotho", "Maseru", None,
     -29.31, 27.48, "peer_education", "ex_mineworkers", "active", False),
    ("xai-xai", "Xai-Xai Health Centre", "clinic", "MZ", "Gaza", None, "Xai-Xai", -25.05, 33.64,
     "tb_screening;tb_treatment", None, "active", False),
    ("sadc-desk", "SADC Mineworkers Grievance Desk", "regional_body", "BW", None, "South-East", "Gaborone",
     -24.65, 25.91, "grievance_redress;compensation_claims_support", "mineworkers;ex_mineworkers", "active", False),
    ("welkom-ohc", "Welkom Occupational Health Centre", "clinic", None, None, "Lejweleputswa", "Welkom",
     -27.98, 26.73, "silicosis_screening", None, "active", False),
]
LINK_HEADER = ("id", "source", "target", "kind", "services", "status", "start_date", "end_date", "weight", "formal",
               "notes")
LINKS = [
    ("r-ls-za", "lenepwha", "welkom-ohc", "referral", "silicosis_screening", "active", dt.date(2025, 1, 1), None, 4,
     True, "Ex-miners sent for silicosis screening"),
    ("r-za-mz", "welkom-ohc", "xai-xai", "referral", "tb_treatment", "active", dt.date(2025, 1, 1), None, 4, True,
     None),
    ("m-ls-sadc", "lenepwha", "sadc-desk", "mou", "grievance_redress", "active", dt.date(2025, 3, 1), None, 3, True,
     None),
]
COUNTRIES = {"lenepwha": ("LS", "Maseru", "Maseru"), "xai-xai": ("MZ", "Gaza", None),
             "sadc-desk": ("BW", "South-East", "South-East"), "welkom-ohc": ("ZA", "Free State", "Lejweleputswa")}


def workbook(orgs: list[tuple] = ORGS, links: list[tuple] = LINKS) -> bytes:
    """A real .xlsx: an ``organisations`` and a ``links`` sheet, typed cells (numbers, booleans, dates) as Excel
    keeps them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "organisations"
    sheet.append(ORG_HEADER)
    for row in orgs:
        sheet.append([*row, *([None] * (len(ORG_HEADER) - len(row)))])
    other = book.create_sheet("links")
    other.append(LINK_HEADER)
    for row in links:
        other.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(env: Env, content: bytes):
    return env.client.post("/api/v1/import", data={"format": "xlsx", "file": (io.BytesIO(content), "partners.xlsx")},
                           headers=env.auth("admin"), content_type="multipart/form-data")


def through_cli(path: Path, content: bytes):
    book = path.parent / "partners.xlsx"
    book.write_bytes(content)
    return CliRunner().invoke(cli, ["--store", str(path), "import", str(book), "--no-progress"])


@pytest.fixture(params=["api", "cli"])
def imported(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    """An empty store the workbook was imported into, by the API's upload or by ``cssnet import``."""
    path = tmp_path / "borders.db"
    if request.param == "cli":
        result = through_cli(path, workbook())
        assert result.exit_code == 0, result.output
        assert "imported: 4 organisations created, 0 updated; 3 links created, 0 updated" in result.output
    env = make_env(path, seeded=False)
    if request.param == "api":
        response = upload(env, workbook())
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {"organisations_created": 4, "organisations_updated": 0, "links_created": 3,
                                       "links_updated": 0}
    yield env
    close_store(env.app)


def test_the_partners_are_stored_in_their_countries(imported: Env) -> None:
    assert {o.id: (o.country, o.province, o.district) for o in imported.store.iter_organisations()} == COUNTRIES
    assert imported.store.get_link("r-ls-za").start_date == dt.date(2025, 1, 1)


def test_a_pathway_crosses_two_borders_and_says_so(imported: Env) -> None:
    """The answer: from the Maseru association, silicosis screening is in Welkom (across the border into South
    Africa, by r-ls-za) and TB treatment in Xai-Xai (across the border into Mozambique, by r-za-mz)."""
    response = imported.client.get("/api/v1/analysis/pathways?start=lenepwha&population=ex_mineworkers"
                                   f"&needs=silicosis_screening&needs=tb_treatment&as_of={DAY}")
    assert response.status_code == 200, response.get_json()
    steps = response.get_json()["items"][0]["steps"]
    assert [(s["organisation"], s["link"], s["services"]) for s in steps] == [
        ("lenepwha", None, []), ("welkom-ohc", "r-ls-za", ["silicosis_screening"]),
        ("xai-xai", "r-za-mz", ["tb_treatment"])]
    assert [s.get("notes", [""])[0].split(" under ")[0] for s in steps[1:]] == [
        "Crosses the border from Lesotho into South Africa", "Crosses the border from South Africa into Mozambique"]
    assert steps[2]["distance_km"] == pytest.approx(760.6, abs=0.1)


def test_a_grievance_route_reaches_the_sadc_body_across_the_border(imported: Env) -> None:
    steps = imported.client.get("/api/v1/analysis/pathways?start=lenepwha&population=ex_mineworkers"
                                f"&needs=grievance_redress&as_of={DAY}").get_json()["items"][0]["steps"]
    assert [(s["organisation"], s["link"]) for s in steps] == [("lenepwha", None), ("sadc-desk", "m-ls-sadc")]
    assert steps[1]["notes"][0].startswith("Crosses the border from Lesotho into Botswana under this agreement")


def test_the_pages_show_them_with_their_country(imported: Env) -> None:
    client = imported.client
    for org_id, name, country in [("lenepwha", "Maseru Ex-Miners Association", "Lesotho"),
                                  ("xai-xai", "Xai-Xai Health Centre", "Mozambique"),
                                  ("sadc-desk", "SADC Mineworkers Grievance Desk", "Botswana")]:
        page = client.get(f"/organisations/{org_id}").get_data(as_text=True)
        assert f'<h1 id="org-name">{name}</h1>' in page and f'<span id="org-country">{country}</span>' in page, org_id
    finder = client.get("/referrals?start=lenepwha&population=ex_mineworkers&need=silicosis_screening"
                        "&need=tb_treatment").get_data(as_text=True)
    assert "Xai-Xai Health Centre" in finder and "Welkom Occupational Health Centre" in finder
    assert "Crosses the border from South Africa into Mozambique" in finder
    explorer = client.get("/explore?country=LS").get_data(as_text=True)
    assert 'id="explorer-summary">1 organisation' in explorer and "Maseru Ex-Miners Association" in explorer
    portuguese = imported.app.test_client().get("/organisations/xai-xai?lang=pt").get_data(as_text=True)
    assert '<span id="org-country">Moçambique</span>' in portuguese


def test_the_hsds_and_geojson_exports_carry_their_country(imported: Env) -> None:
    geo = imported.client.get("/api/v1/export?format=geojson")
    assert geo.status_code == 200
    features = {f["id"]: f for f in json.loads(geo.get_data())["features"]}
    assert {k: f["properties"]["country"] for k, f in features.items()} == {k: v[0] for k, v in COUNTRIES.items()}
    assert features["xai-xai"]["geometry"]["coordinates"] == [33.64, -25.05]
    hsds = imported.client.get("/api/v1/export?format=hsds")
    assert hsds.status_code == 200
    with zipfile.ZipFile(io.BytesIO(hsds.get_data())) as archive:
        tables = {name.rsplit("/", 1)[-1]: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
                  for name in archive.namelist() if name.endswith(".csv")}
    names = {row["id"]: row["name"] for row in tables["organizations.csv"]}
    located = {row["id"]: names[row["organization_id"]] for row in tables["locations.csv"]}
    countries = {located[row["location_id"]]: row["country"] for row in tables["addresses.csv"]}
    assert countries == {"Maseru Ex-Miners Association": "LS", "Xai-Xai Health Centre": "MZ",
                         "SADC Mineworkers Grievance Desk": "BW", "Welkom Occupational Health Centre": "ZA"}


# refusals ----------------------------------------------------------------------------------------------------------

BAD = [
    # an unknown country code
    (ORGS[1][:3] + ("XX",) + ORGS[1][4:], 3, "country", "Unknown country 'XX'"),
    # a Lesotho district under Mozambique
    (ORGS[1][:3] + ("MZ", None, "Maseru") + ORGS[1][6:], 3, "district",
     "District 'Maseru' is in Lesotho (LS), not Mozambique (MZ): give country LS."),
    # a division Mozambique does not have
    (ORGS[1][:4] + ("Gaza Province",) + ORGS[1][5:], 3, "province", "Unknown province 'Gaza Province'."),
]


@pytest.mark.parametrize(("row", "line", "field", "message"), BAD)
def test_a_bad_country_or_division_is_refused_by_the_api_and_nothing_is_written(
        tmp_path: Path, row: tuple, line: int, field: str, message: str) -> None:
    env = make_env(tmp_path / "refused.db")
    try:
        before = (env.store.revision(), sorted(o.id for o in env.store.iter_organisations()))
        response = upload(env, workbook([ORGS[0], row, *ORGS[2:]]))
        body = response.get_json()
        assert response.status_code == 422 and "nothing was written" in body["message"]
        problems = [r for r in body["errors"]["rows"] if r["field"] == field]
        assert [(r["row"], r["file"]) for r in problems] == [(line, "partners.xlsx:organisations")]
        assert problems[0]["problem"].startswith(message)
        assert (env.store.revision(), sorted(o.id for o in env.store.iter_organisations())) == before
    finally:
        close_store(env.app)


@pytest.mark.parametrize(("row", "line", "field", "message"), BAD)
def test_a_bad_country_or_division_is_refused_by_the_command_and_nothing_is_written(
        tmp_path: Path, row: tuple, line: int, field: str, message: str) -> None:
    path = tmp_path / "refused.db"
    result = through_cli(path, workbook([ORGS[0], row, *ORGS[2:]]))
    assert result.exit_code != 0
    assert f"partners.xlsx:organisations row {line}" in result.output and message in result.output
    store = SQLiteStore(path)
    try:
        assert list(store.iter_organisations()) == [] and list(store.iter_links()) == []
    finally:
        store.close()
