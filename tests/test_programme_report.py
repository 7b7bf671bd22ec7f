"""Programme records and the programme report (issue 14): grants, sub-recipients, coverage, gaps in the area and
grants ending soon, with the answers stated; the record file, the API, the page and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.analysis.finding import Finding
from network.analysis.programmes import programme_report
from network.api import create_app
from network.cli import cli
from network.errors import InvalidData
from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation, Programme, seed_dir
from network.schemas import load_programme
from network.service import programmes

DAY = dt.date(2026, 6, 1)
NAME = "Limpopo CSS programme (illustrative)"
RECORD = {"id": "limpopo-css", "name": NAME, "funder": "fund", "start_date": "2025-01-01",
          "end_date": "2027-12-31", "intervention_areas": ["community_led_monitoring", "community_led_advocacy"],
          "provinces": ["Limpopo"], "countries": ["ZA"], "description": "Illustrative."}


def network() -> tuple[list[Organisation], list[Link]]:
    """A fund's programme grants: Hope CBO (ends in 45 days), Sizwe CBO (no end date), Thaba CBO (ended); a grant
    to Mangaung CBO outside the programme; an isolated CBO in Sekhukhune and one in Mangaung."""
    def org(org_id: str, district: str, services: list[str], **kw) -> Organisation:
        return Organisation(org_id, org_id.replace("-", " ").title(), "cbo", district=district,
                            province="Free State" if district == "Mangaung" else "Limpopo", services=services, **kw)

    return [
        Organisation("fund", "Ubuntu Fund", "donor"),
        org("hope-cbo", "Sekhukhune", ["tb_screening", "peer_education"], populations=["mineworkers"],
            intervention_areas=["community_led_monitoring"]),
        org("sizwe-cbo", "Capricorn", ["tb_screening"], populations=["ex_mineworkers", "mineworkers"]),
        org("thaba-cbo", "Capricorn", ["legal_aid"]),
        org("mangaung-cbo", "Mangaung", ["tb_screening"]),
        org("lonely-cbo", "Sekhukhune", []),
        org("lonely-fs", "Mangaung", []),
    ], [
        Link("g1", "fund", "hope-cbo", "funding", programme=NAME, grant_ref="LCSS-001",
             start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 7, 16)),
        Link("g2", "fund", "sizwe-cbo", "funding", programme=NAME, grant_ref="LCSS-002"),
        Link("g3", "fund", "thaba-cbo", "funding", programme=NAME, grant_ref="LCSS-003",
             end_date=dt.date(2025, 12, 31)),
        Link("g4", "fund", "mangaung-cbo", "funding"),
    ]


def test_the_report_of_a_programme():
    G = build_graph(*network())
    findings = [Finding("isolated", "low", "Lonely CBO ...", ["lonely-cbo"], "Sekhukhune"),
                Finding("isolated", "low", "Lonely FS ...", ["lonely-fs"], "Mangaung"),
                Finding("one_way_data", "medium", "...", ["sizwe-cbo"])]
    report = programme_report(G, load_programme(RECORD), findings, as_of=DAY)
    # the answer: three grants, two in force; Thaba's ended; Hope's ends in 45 days
    assert [(g["grant_ref"], g["recipient"], g["in_force"], g["days_left"]) for g in report["grants"]] == [
        ("LCSS-001", "hope-cbo", True, 45), ("LCSS-002", "sizwe-cbo", True, None),
        ("LCSS-003", "thaba-cbo", False, None)]
    assert [r["id"] for r in report["sub_recipients"]] == ["hope-cbo", "sizwe-cbo", "thaba-cbo"]
    assert report["coverage"] == {
        "services": {"peer_education": ["hope-cbo"], "tb_screening": ["hope-cbo", "sizwe-cbo"]},
        "populations": {"ex_mineworkers": ["sizwe-cbo"], "mineworkers": ["hope-cbo", "sizwe-cbo"]},
        "areas": {"community_led_monitoring": ["hope-cbo"], "community_led_advocacy": []},
    }
    # gaps in Limpopo only: the Sekhukhune isolate (by district) and Sizwe's finding (by its organisation)
    assert [f["organisations"][0] for f in report["gaps"]] == ["lonely-cbo", "sizwe-cbo"]
    assert report["gaps_by_type"] == {"isolated": 1, "one_way_data": 1}
    assert [g["grant_ref"] for g in report["ending_soon"]] == ["LCSS-001"]
    assert programme_report(G, load_programme(RECORD), [], as_of=DAY, within_days=30)["ending_soon"] == []


def test_a_programme_without_an_area_works_where_its_sub_recipients_are():
    G = build_graph(*network())
    findings = [Finding("isolated", "low", "...", ["lonely-cbo"], "Sekhukhune"),
                Finding("isolated", "low", "...", ["lonely-fs"], "Mangaung")]
    report = programme_report(G, Programme("p", NAME), findings, as_of=DAY)
    assert [f["district"] for f in report["gaps"]] == ["Sekhukhune"]


def test_programme_records_are_validated_field_by_field():
    with pytest.raises(InvalidData) as refused:
        load_programme({**RECORD, "provinces": ["Atlantis"]})
    assert refused.value.errors["provinces.0"] == ["Unknown province 'Atlantis'."]
    with pytest.raises(InvalidData) as refused:
        load_programme({**RECORD, "end_date": "2024-01-01"})
    assert refused.value.errors["end_date"][0] == "End date 2024-01-01 is before start date 2025-01-01."


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seed folder whose programmes.json holds RECORD, and a store holding the network."""
    seed = tmp_path / "seed"
    shutil.copytree(seed_dir() / "vocabulary", seed / "vocabulary")
    (seed / "vocabulary" / "programmes.json").write_text(json.dumps([RECORD]), encoding="utf-8")
    monkeypatch.setenv("CSSNET_SEED_DIR", str(seed))
    path = tmp_path / "programme.db"
    store = SQLiteStore(path)
    store.upsert(*network())
    store.close()
    return path


def test_the_api_page_and_cli_show_the_report(seeded: Path):
    assert [p.id for p in programmes.programmes()] == ["limpopo-css"]
    store = SQLiteStore(seeded)
    try:
        client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
        assert client.get("/api/v1/programmes").get_json()["items"][0]["name"] == NAME
        report = client.get("/api/v1/programmes/limpopo-css/report?as_of=2026-06-01").get_json()
        assert [g["grant_ref"] for g in report["ending_soon"]] == ["LCSS-001"]
        missing = client.get("/api/v1/programmes/nothing/report")
        assert missing.status_code == 404 and "Known programmes: limpopo-css" in missing.get_json()["message"]
        page = client.get("/programmes/limpopo-css").get_data(as_text=True)
        assert f'<h1 id="programme-name">{NAME}</h1>' in page
        assert "Funded by" in page and "Ubuntu Fund" in page and "Hope Cbo" in page
        assert "Nobody funded works in community-led advocacy." in page
        assert "LCSS-003" in page and "Community-led monitoring and research" in page
        assert NAME in client.get("/programmes").get_data(as_text=True)
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["--store", str(seeded), "programme", "limpopo-css", "--as-of", "2026-06-01"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "3 grants to 3 sub-recipients" in result.output
    assert "Grants ending soon\n  - LCSS-001 to Hope Cbo ends on 16 July 2026 (45 days)\n" in result.output
    refused = CliRunner().invoke(cli, ["--store", str(seeded), "programme", "nothing"])
    assert refused.exit_code == 1 and "No programme 'nothing'" in refused.output
