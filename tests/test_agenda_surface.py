"""The agenda in front of coordinators: `cssnet agenda`, the API, the report formats and the pages, on the demo."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from network.analysis import layers
from network.analysis.agenda import agenda
from network.analysis.agenda_text import agenda_html
from network.analysis.finding import Finding
from network.analysis.report import coordination_report
from network.analysis.upkeep import upkeep
from network.api import create_app
from network.cli import cli
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.model import PROTECTED_FIELDS
from network.service import analyses
from network.service.audit import CLI
from network.service.tokens import create_token
from network.service.transfer import seed_demo
from tests.agenda_support import DEMO_AS_OF, PLANTED, PLANTED_WITHIN

AS_OF = DEMO_AS_OF.isoformat()


@pytest.fixture(scope="module")
def client(demo_store: SQLiteStore) -> Any:
    app = create_app({"STORE": demo_store, "TESTING": True})
    return app.test_client()


@pytest.fixture(scope="module")
def admin(demo_store: SQLiteStore) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(demo_store, 'agenda admin', 'admin', actor=CLI)[1]}"}


def run(path: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(path), *args], catch_exceptions=False)
    return result


def found_findings(agenda: dict[str, Any]) -> list[Finding]:
    return [Finding(**{k: v for k, v in f.items() if k != "type_label"})
            for item in agenda["items"] for f in item["findings"]]


def planted_missing(agenda: dict[str, Any]) -> list[str]:
    findings = found_findings(agenda)
    return [case for case, (kind, which) in PLANTED.items()
            if not any(f.type == kind and which(f) for f in findings)]


def test_cli_agenda_json_has_every_planted_case_in_at_most_twenty_items(demo_path: Path) -> None:
    result = run(demo_path, "agenda", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    agenda = json.loads(result.output)
    assert agenda["as_of"] == AS_OF and agenda["scope"] == {} and 0 < len(agenda["items"]) <= 20
    assert [item["rank"] for item in agenda["items"]] == list(range(1, len(agenda["items"]) + 1))
    # every planted case within the first PLANTED_WITHIN items (issue 14's plants outrank two older ones: see
    # tests/test_agenda.py)
    longer = json.loads(run(demo_path, "agenda", "--as-of", AS_OF, "--format", "json", "--limit",
                            str(PLANTED_WITHIN)).output)
    assert planted_missing(longer) == []
    first = agenda["items"][0]
    assert first["what"] == ("Renew the MoU between Mangaung Harm Reduction Services and Mangaung Academic Hospital "
                             "before 1 December 2026")
    assert first["due"] == "2026-12-01" and first["findings"][0]["links"] == ["l-0007"]


def test_cli_agenda_text_reads_as_a_list_of_actions(demo_path: Path) -> None:
    result = run(demo_path, "agenda", "--as-of", AS_OF, "--limit", "3")
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert lines[0] == "Coordination agenda · 23 November 2026 · The whole network · 3 items"
    assert lines[2] == "1. Renew an agreement"
    assert lines[3].strip().startswith("Renew the MoU between Mangaung Harm Reduction Services")
    assert sum(line[:1].isdigit() for line in lines) == 3


def test_cli_agenda_of_a_district_keeps_its_items(demo_path: Path) -> None:
    result = run(demo_path, "agenda", "--as-of", AS_OF, "--district", "Lejweleputswa", "--format", "json")
    agenda = json.loads(result.output)
    assert agenda["scope"] == {"district": "Lejweleputswa"} and agenda["items"]
    assert all(item["district"] in ("Lejweleputswa", None) for item in agenda["items"])
    assert any(item["action"] == "coordinate" and "TB screening" in item["what"]
               for item in agenda["items"])


def test_cli_agenda_refuses_two_scopes(demo_path: Path) -> None:
    result = run(demo_path, "agenda", "--district", "Sekhukhune", "--province", "Limpopo")
    assert result.exit_code == 1 and "one scope" in result.output


def test_cli_agenda_html_is_a_standalone_printable_page(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "agenda.html"
    result = run(demo_path, "agenda", "--as-of", AS_OF, "--format", "html", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert result.exit_code == 0 and "20 items" in result.output
    assert page.startswith("<!DOCTYPE html>") and "@page{size:A4" in page and "@media print" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert page.count('<li id="item-') == 20 and "Renew the MoU between Mangaung Harm Reduction Services" in page


@pytest.mark.parametrize("fmt, marker", [("md", "## Agenda (20 items)"), ("html", '<ol class="agenda">')])
def test_every_report_format_leads_with_the_agenda(demo_path: Path, fmt: str, marker: str) -> None:
    result = run(demo_path, "report", "--as-of", AS_OF, "--format", fmt)
    assert result.exit_code == 0
    assert marker in result.output
    assert result.output.index(marker) < result.output.index("Findings")


def test_report_json_carries_the_agenda(demo_path: Path) -> None:
    report = json.loads(run(demo_path, "report", "--as-of", AS_OF, "--format", "json").output)
    cli_agenda = json.loads(run(demo_path, "agenda", "--as-of", AS_OF, "--format", "json").output)
    assert len(report["agenda"]["items"]) == 20
    assert [i["key"] for i in report["agenda"]["items"]] == [i["key"] for i in cli_agenda["items"]]


def test_api_agenda_is_the_cli_agenda(client: Any, demo_path: Path) -> None:
    body = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}").get_json()
    assert 0 < len(body["items"]) <= 20
    cli_agenda = json.loads(run(demo_path, "agenda", "--as-of", AS_OF, "--format", "json").output)
    assert [i["key"] for i in body["items"]] == [i["key"] for i in cli_agenda["items"]]
    assert set(body["items"][0]) >= {"rank", "action_label", "what", "why", "score", "score_explanation",
                                     "findings", "organisations", "affected"}


def test_api_agenda_scope_and_limit(client: Any) -> None:
    body = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}&province=Free State&limit=5").get_json()
    assert body["scope"] == {"province": "Free State"} and len(body["items"]) == 5
    assert all(item["province"] in ("Free State", None) for item in body["items"])


@pytest.mark.parametrize("query, field", [
    ("province=Limpopo&district=Sekhukhune", "district"),
    ("district=Atlantis", "district"),
    ("limit=0", "limit"),
    ("colour=blue", "colour"),
])
def test_api_agenda_input_is_checked(client: Any, query: str, field: str) -> None:
    response = client.get(f"/api/v1/analysis/agenda?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]["query"]


def test_api_agenda_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/analysis/agenda"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"as_of", "province", "district", "limit"}


def _protected_values(store: SQLiteStore) -> list[str]:
    values = []
    for org in store.iter_organisations():
        if org.sensitive:
            for name in set(PROTECTED_FIELDS) - {"municipality"}:  # municipalities share names with districts
                value = getattr(org, name, None)
                if isinstance(value, str) and len(value) > 4:
                    values.append(value)
                elif isinstance(value, float):
                    values.append(repr(value))
    return values


@pytest.mark.parametrize("role", [None, "viewer"])
def test_api_agenda_never_shows_protected_fields_to_the_public(client: Any, demo_store: SQLiteStore,
                                                               role: str | None) -> None:
    headers = {}
    if role:
        headers = {"Authorization": f"Bearer {create_token(demo_store, 'agenda viewer', role, actor=CLI)[1]}"}
    text = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}&limit=500", headers=headers).get_data(as_text=True)
    needles = _protected_values(demo_store)
    assert needles and not [v for v in needles if v in text]


def test_admin_gets_the_full_agenda(client: Any, admin: dict[str, str]) -> None:
    response = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}", headers=admin)
    assert response.status_code == 200 and len(response.get_json()["items"]) == 20


def test_service_agenda_is_remembered_per_revision(demo_store: SQLiteStore) -> None:
    first = analyses.agenda(demo_store, as_of=DEMO_AS_OF)
    assert analyses.agenda(demo_store, as_of=DEMO_AS_OF) is first
    assert analyses.report(demo_store, as_of=DEMO_AS_OF)["agenda"] is first


def test_standalone_page_escapes_the_data() -> None:
    item = {"rank": 1, "action_label": "Merge", "what": "<b>Merge</b>", "why": "x", "score": 1,
            "score_explanation": "y", "findings": []}
    page = agenda_html({"as_of": AS_OF, "scope": {}, "items": [item]})
    assert "<b>Merge" not in page and "&lt;b&gt;Merge&lt;/b&gt;" in page


# The pages

SENSITIVE = "bloemfontein-harm-reduction-peer-network"


@pytest.fixture(scope="module")
def pages(demo_store: SQLiteStore) -> Any:
    app = create_app({"STORE": demo_store, "TESTING": True, "SECRET_KEY": "agenda-pages"})
    return app.test_client


def _sign_in(client: Any, store: SQLiteStore, role: str) -> None:
    secret = create_token(store, f"pages {role}", role, actor=CLI)[1]
    page = client.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/sign-in", data={"token": secret, "csrf": csrf}).status_code == 302


def test_dashboard_leads_with_the_agenda_and_links_each_item_to_its_findings(pages: Any) -> None:
    html = pages().get("/").get_data(as_text=True)
    assert html.index('id="agenda"') < html.index('class="cards"') < html.index('id="lapsing"')
    items = re.findall(r'<li class="agenda-item" id="item-(\d+)">', html)
    assert items == [str(n) for n in range(1, 11)]
    why = re.findall(r'href="(/agenda/item\?key=[^"]+)"', html)
    assert len(why) == 10
    item = pages().get(why[0].replace("&amp;", "&"))
    assert item.status_code == 200 and "The finding it resolves (1)" in item.get_data(as_text=True)


def test_top_duplication_names_each_pair_once(pages: Any) -> None:
    html = pages().get("/").get_data(as_text=True)
    table = html.split("Top duplication", 1)[1]
    rows = re.findall(r"<tr><td><span class=\"badge[^>]*>.*?</tr>", table, re.S)
    pairs = [tuple(re.findall(r'href="/organisations/([^"]+)"', row)) for row in rows]
    assert pairs and len(pairs) == len(set(pairs))


def test_agenda_page_and_unknown_item(pages: Any) -> None:
    client = pages()
    html = client.get("/agenda?district=Lejweleputswa").get_data(as_text=True)
    assert "District: Lejweleputswa" in html and 'class="agenda"' in html and "print.css" in html
    assert client.get("/agenda/item?key=renew:nothing").status_code == 404
    assert client.get("/agenda?district=Atlantis").status_code == 200


def test_the_organisation_page_shows_where_it_is_without_a_protected_point(pages: Any,
                                                                          demo_store: SQLiteStore) -> None:
    client = pages()
    public = client.get("/organisations/apel-cross-community-clinic").get_data(as_text=True)
    assert 'id="place-map"' in public and 'class="here"' in public and 'class="home"' in public
    hidden = client.get(f"/organisations/{SENSITIVE}").get_data(as_text=True)
    assert 'id="place-map"' in hidden and 'class="here"' not in hidden and "location is protected" in hidden
    _sign_in(client, demo_store, "viewer")
    assert 'class="here"' not in client.get(f"/organisations/{SENSITIVE}").get_data(as_text=True)
    editor = pages()
    _sign_in(editor, demo_store, "editor")
    assert 'class="here"' in editor.get(f"/organisations/{SENSITIVE}").get_data(as_text=True)


def test_api_report_carries_the_agenda_of_its_province(client: Any) -> None:
    report = client.get(f"/api/v1/analysis/report?as_of={AS_OF}&province=Limpopo").get_json()
    assert report["agenda"]["scope"] == {"province": "Limpopo"} and report["agenda"]["items"]
    assert all(item["province"] in ("Limpopo", None) for item in report["agenda"]["items"])



def test_external_ids_read_as_key_and_value(pages: Any) -> None:
    html = pages().get("/organisations/apel-cross-community-clinic").get_data(as_text=True)
    assert "<dt>External ids</dt><dd>dhis2: W3v33BGPNLf</dd>" in html and "{&#39;" not in html


def test_the_service_agenda_is_the_agenda_of_the_report_findings(demo_store: SQLiteStore) -> None:
    G = project(demo_store)
    report = coordination_report(G, as_of=DEMO_AS_OF)
    findings = [Finding(**f) for f in report["findings"]] + upkeep(G, as_of=DEMO_AS_OF)
    expected = agenda(findings, G, as_of=DEMO_AS_OF)
    served = analyses.agenda(demo_store, as_of=DEMO_AS_OF)["items"]
    assert [i["key"] for i in served] == [i.key for i in expected]
    assert [sorted(f["explanation"] for f in i["findings"]) for i in served] == [
        sorted(findings[n].explanation for n in i.findings) for i in expected]


def test_an_item_beyond_the_top_twenty_has_its_page_too(pages: Any, demo_store: SQLiteStore) -> None:
    every = analyses.agenda(demo_store, limit=None, redacted=True)["items"]
    later = every[24]
    response = pages().get("/agenda/item", query_string={"key": later["key"]})
    assert len(every) > 25 and response.status_code == 200
    assert html.escape(later["what"]) in response.get_data(as_text=True)


def test_a_fresh_agenda_finds_the_links_in_force_once_for_its_gaps_duplication_and_upkeep(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agenda's gaps, duplication and upkeep share one set of views of the graph (the links in force of every
    kind are found once, not three times), and its items are those of the report's findings."""
    store = SQLiteStore(tmp_path / "fresh.db")
    seed_demo(store)
    every_kind = []
    real = layers._links_in_force
    monkeypatch.setattr(layers, "_links_in_force",
                        lambda G, day, wanted: every_kind.append(wanted is None) or real(G, day, wanted))
    served = analyses.agenda(store, as_of=DEMO_AS_OF)["items"]
    assert every_kind.count(True) == 1
    monkeypatch.undo()
    G = project(store)
    findings = [Finding(**f) for f in coordination_report(G, as_of=DEMO_AS_OF)["findings"]] + upkeep(
        G, as_of=DEMO_AS_OF)
    assert [i["key"] for i in served] == [i.key for i in agenda(findings, G, as_of=DEMO_AS_OF)]
    store.close()
