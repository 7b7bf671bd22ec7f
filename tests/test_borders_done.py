"""Issue 14's bullets that had no test of their own: files written before countries import as before, the drawing
filters and the analyses' place scope take other countries, grievance and compensation services make gaps and
routes for mineworkers, and the demo's data flows appear on the pages (small networks with the answers stated, the
Flask client, the real ``cssnet`` command and real SQLite files)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from network.analysis.gaps import linkage_gaps
from network.analysis.pathways import referral_pathways
from network.analysis.programmes import programme_report
from network.api import create_app
from network.cli import cli
from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.io.formats import import_bytes
from network.io.rows import REQUIRED_LINK_COLUMNS, REQUIRED_ORGANISATION_COLUMNS
from network.model import Link, Organisation, Programme
from network.service import analyses
from tests.agenda_support import DEMO_AS_OF
from tests.api_support import network_file
from tests.conftest import make_sqlite_store
from tests.test_areas import CLM
from tests.test_areas import network as areas_network

DAY = dt.date(2026, 6, 1)

# files written before countries ------------------------------------------------------------------------------------

#: Two partners as a file written before issue 14 gives them: no country column at all.
OLD_ROWS = [
    {"id": "jane-furse", "name": "Jane Furse Clinic", "kind": "clinic", "province": "Limpopo",
     "district": "Sekhukhune", "services": "tb_treatment", "status": "active", "sensitive": "false"},
    {"id": "hope", "name": "Hope CBO", "kind": "cbo", "district": "Sekhukhune", "services": "tb_screening",
     "populations": "artisanal_miners", "status": "active", "sensitive": "false"},
]
OLD_LINK = {"id": "r1", "source": "hope", "target": "jane-furse", "kind": "referral", "services": "tb_treatment",
            "status": "active", "weight": "3", "formal": "true"}


def old_csv() -> dict[str, bytes]:
    def table(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
        return "\n".join([",".join(columns), *(",".join(r.get(c, "") for c in columns) for r in rows), ""]).encode()
    return {"organisations.csv": table(REQUIRED_ORGANISATION_COLUMNS, OLD_ROWS),
            "links.csv": table(REQUIRED_LINK_COLUMNS, [OLD_LINK])}


def old_xlsx() -> dict[str, bytes]:
    book = Workbook()
    for sheet, columns, rows in ((book.active, REQUIRED_ORGANISATION_COLUMNS, OLD_ROWS),
                                 (book.create_sheet(), ("id", *REQUIRED_LINK_COLUMNS), [OLD_LINK])):
        sheet.title = "organisations" if rows is OLD_ROWS else "links"
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) or None for c in columns])
    out = io.BytesIO()
    book.save(out)
    return {"partners.xlsx": out.getvalue()}


@pytest.mark.parametrize(("fmt", "files"), [("csv", old_csv), ("xlsx", old_xlsx)])
def test_a_file_written_before_countries_imports_as_before(tmp_path: Path, fmt: str, files) -> None:
    assert "country" not in REQUIRED_ORGANISATION_COLUMNS
    store = make_sqlite_store(tmp_path / f"old-{fmt}.db")
    try:
        result = import_bytes(store, fmt, files())
        assert (result.organisations_created, result.links_created) == (2, 1)
        assert {o.id: (o.country, o.province, o.district) for o in store.iter_organisations()} == {
            "jane-furse": ("ZA", "Limpopo", "Sekhukhune"), "hope": ("ZA", "Limpopo", "Sekhukhune")}
    finally:
        store.close()


# the filters and scopes --------------------------------------------------------------------------------------------


def border_orgs() -> list[Organisation]:
    return [Organisation("maseru-assoc", "Maseru Ex-Miners Association", "ex_mineworkers_association", country="LS",
                         district="Maseru", populations=["ex_mineworkers"]),
            Organisation("qoaling", "Qoaling Clinic", "clinic", country="LS", district="Maseru",
                         services=["tb_treatment"]),
            Organisation("xai-xai", "Xai-Xai Health Centre", "clinic", country="MZ", province="Gaza",
                         services=["tb_treatment"]),
            Organisation("jane-furse", "Jane Furse Clinic", "clinic", district="Sekhukhune",
                         services=["tb_treatment"])]


@pytest.fixture
def border_store(tmp_path: Path) -> Iterator[tuple[Path, SQLiteStore]]:
    path = tmp_path / "borders.db"
    store = make_sqlite_store(path)
    store.upsert(border_orgs(), [Link("m1", "maseru-assoc", "qoaling", "mou")])
    yield path, store
    store.close()


def test_the_drawing_filters_take_the_country(border_store: tuple[Path, SQLiteStore], tmp_path: Path) -> None:
    path, store = border_store
    client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    page = client.get("/api/v1/visual/network?country=LS").get_data(as_text=True)
    assert "Maseru Ex-Miners Association" in page and "Qoaling Clinic" in page
    assert "Xai-Xai Health Centre" not in page and "Jane Furse Clinic" not in page
    refused = client.get("/api/v1/visual/network?country=XX")
    assert refused.status_code == 422 and "Unknown country 'XX'" in refused.get_data(as_text=True)
    out = tmp_path / "lesotho.html"
    result = CliRunner().invoke(cli, ["--store", str(path), "viz", str(out), "--country", "LS"])
    assert result.exit_code == 0 and ": 2 organisations" in result.output
    assert "Qoaling Clinic" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--store", str(path), "viz", str(out), "--country", "XX"])
    assert bad.exit_code != 0 and "Unknown country 'XX'" in bad.output


def test_the_analyses_scope_takes_another_countrys_divisions(border_store: tuple[Path, SQLiteStore]) -> None:
    """The answer: the Mozambican clinic is the only organisation in Gaza, and it is isolated; the Maseru pair is
    linked, so Maseru has no isolated organisation."""
    _, store = border_store
    client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    gaza = client.get(f"/api/v1/analysis/gaps?province=Gaza&as_of={DAY}&type=isolated").get_json()["items"]
    assert [(f["type"], f["organisations"]) for f in gaza] == [("isolated", ["xai-xai"])]
    assert client.get(f"/api/v1/analysis/gaps?district=Maseru&as_of={DAY}&type=isolated").get_json()["items"] == []
    maseru = client.get(f"/api/v1/analysis/gaps?district=Maseru&as_of={DAY}").get_json()["items"]
    assert maseru and {f["district"] for f in maseru} == {"Maseru"}
    assert {o for f in maseru for o in f["organisations"]} == {"maseru-assoc", "qoaling"}
    refused = client.get("/api/v1/analysis/gaps?province=Gaza%20Province")
    assert refused.status_code == 422 and "Unknown province 'Gaza Province'" in refused.get_data(as_text=True)


def test_the_report_counts_each_intervention_area_in_a_province(tmp_path: Path) -> None:
    """The answer (tests/test_areas.py's network): in Limpopo, four organisations do community-led monitoring, one
    link runs between two of them, and none is linked to government (the Free State one is, but it is elsewhere)."""
    store = SQLiteStore(network_file(tmp_path / "areas.db", areas_network()))
    try:
        client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
        report = client.get(f"/api/v1/analysis/report?province=Limpopo&as_of={DAY}").get_json()
        assert report["areas"][CLM] == {"label": "Community-led monitoring and research", "organisations": 4,
                                        "provinces": {"Limpopo": 4}, "links": 1, "links_in_area": 1,
                                        "linked_to_government": 0}
        unlinked = [f["explanation"] for f in report["findings"] if f["type"] == "area_unlinked"]
        assert unlinked[0].startswith("Community-led monitoring and research in Limpopo: 4 organisations (")
        assert unlinked[0].endswith("none linked to Sekhukhune Dho.")
    finally:
        store.close()


# grievance mechanisms ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("population", "service", "body"), [
    ("mineworkers", "grievance_redress", "Mine Grievance Desk"),
    ("ex_mineworkers", "compensation_claims_support", "Claims Help Desk"),
])
def test_grievance_and_claims_services_make_gaps_and_routes_for_miners(population: str, service: str,
                                                                        body: str) -> None:
    """In Bojanala a miners' group serves the population and nobody offers the service: ``uncovered`` (high). A
    desk offering it to everybody opens there: the service exists but the group cannot reach it, ``unreachable``.
    A referral agreement from the group to the desk closes it, and the pathway runs along it."""
    group = Organisation("group", "Rustenburg Miners Group", "trade_union", district="Bojanala",
                         populations=[population], services=["peer_education"])
    desk = Organisation("desk", body, "other", district="Bojanala", services=[service])

    def gaps(*orgs: Organisation, links: tuple[Link, ...] = ()) -> list[tuple[str, str | None, list[str]]]:
        found = linkage_gaps(build_graph(list(orgs), list(links)), as_of=DAY)
        return [(f.type, f.severity, f.organisations) for f in found
                if f.service == service and f.population == population]

    assert gaps(group) == [("uncovered", "high", ["group"])]
    assert gaps(group, desk) == [("unreachable", "medium", ["group"])]
    agreed = (Link("r1", "group", "desk", "referral", services=[service], formal=True),)
    assert gaps(group, desk, links=agreed) == []
    G = build_graph([group, desk], list(agreed))
    plan = referral_pathways(G, population=population, needs=[service], start="group", as_of=DAY)[0]
    assert [(s.organisation, s.link, s.services) for s in plan.steps] == [
        ("group", None, []), ("desk", "r1", [service])]


# the demo's data flows on the pages ----------------------------------------------------------------------------------


def test_the_demos_data_flows_appear_on_the_pages(demo_store: SQLiteStore) -> None:
    client = create_app({"STORE": demo_store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    khotso = client.get("/organisations/khotso-ex-miners-association").get_data(as_text=True)
    # the association shares TB notifications and referral outcomes with Lesotho's national TB programme
    row = khotso.split('<a href="/organisations/lesotho-national-tb-programme">')[1].split("</tr>")[0]
    assert "Lesotho National TB Programme" in row and "<td>TB notifications, Referral outcomes</td>" in row
    assert "Data sharing (formal) →" in khotso.split('href="/organisations/lesotho-national-tb-programme"')[0][-200:]
    found = analyses.gaps(demo_store, as_of=DEMO_AS_OF, types=["one_way_data"])
    sadc = next(f for f in found if f["organisations"][0] == "sadc")
    assert sadc["organisations"] == ["sadc", "lejweleputswa-ex-mineworkers-association"]
    page = client.get(f"/findings/gaps?type=one_way_data&as_of={DEMO_AS_OF}").get_data(as_text=True)
    assert page.count("<td>One-way data flow</td>") == len(found) == 2
    assert ("1 community organisation sends Compensation claim status and Human rights violation reports to "
            "Southern African Development Community (SADC), which shares nothing back with it") in page


# a programme across a border ---------------------------------------------------------------------------------------


def test_a_programme_across_a_border_reports_its_lesotho_sub_recipient_and_gaps():
    """A regional programme works in the Free State and in Lesotho (named with none of its districts, so all of it).
    The answer: its two grants fund a Mangaung CBO and a Maseru association (Lesotho); of four isolated
    organisations, those in Mangaung and Maseru are in its area, those in Sekhukhune (Limpopo) and Gaza
    (Mozambique) are not. (A finding is placed by its district, which records no country: Maseru's used to be read
    as South African and left out.)"""
    name = "Regional ex-miners programme (illustrative)"
    orgs = [Organisation("fund", "Ubuntu Fund", "donor"),
            Organisation("mangaung-cbo", "Mangaung CBO", "cbo", district="Mangaung", services=["tb_screening"]),
            Organisation("maseru-assoc", "Maseru Ex-Miners Association", "ex_mineworkers_association",
                         country="LS", district="Maseru", services=["compensation_claims_support"],
                         populations=["ex_mineworkers"]),
            *(Organisation(f"lonely-{d.lower()}", f"Lonely {d}", "cbo", country=c, district=d)
              for d, c in (("Mangaung", "ZA"), ("Maseru", "LS"), ("Sekhukhune", "ZA"), ("Gaza", "MZ")))]
    links = [Link("g1", "fund", "mangaung-cbo", "funding", programme=name, grant_ref="REG-ZA-1"),
             Link("g2", "fund", "maseru-assoc", "funding", programme=name, grant_ref="REG-LS-1",
                  start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 8, 31))]
    G = build_graph(orgs, links)
    findings = [f for f in linkage_gaps(G, as_of=DAY) if f.type == "isolated"]
    assert sorted(f.organisations[0] for f in findings) == [
        "lonely-gaza", "lonely-mangaung", "lonely-maseru", "lonely-sekhukhune"]
    programme = Programme("regional", name, funder="fund", provinces=("Free State",), countries=("ZA", "LS"))
    report = programme_report(G, programme, findings, as_of=DAY)
    assert [(r["id"], r["country"]) for r in report["sub_recipients"]] == [("mangaung-cbo", "ZA"),
                                                                          ("maseru-assoc", "LS")]
    assert report["coverage"]["services"] == {"compensation_claims_support": ["maseru-assoc"],
                                              "tb_screening": ["mangaung-cbo"]}
    assert sorted(f["organisations"][0] for f in report["gaps"]) == ["lonely-mangaung", "lonely-maseru"]
    assert [(g["grant_ref"], g["days_left"]) for g in report["ending_soon"]] == [("REG-LS-1", 91)]
