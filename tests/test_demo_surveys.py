"""The demo network's illustrative survey round: what its pages show, in Flask's test client and in Chromium."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.service import surveys
from network.service.audit import CLI
from network.service.tokens import create_token
from network.visual import TIE_BANDS
from tests.http_support import chromium, live_server

SEED = Path(__file__).resolve().parents[1] / "seed"
ROUND = "partner-survey-2026"


@pytest.fixture(scope="module")
def app(demo_store: SQLiteStore):
    return create_app({"STORE": demo_store, "TESTING": True, "SECRET_KEY": "test-only"})


def test_the_files_are_what_demo_surveys_writes(tmp_path):
    for name in ("organisations.csv", "links.csv"):
        shutil.copy(SEED / "demo" / name, tmp_path / name)
    spec = importlib.util.spec_from_file_location("demo_surveys", SEED / "demo_surveys.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path)
    for name in ("survey_round.json", "survey_responses.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (SEED / "demo" / name).read_text(encoding="utf-8")
    assert "Illustrative" in (SEED / "demo" / "survey_round.json").read_text(encoding="utf-8")


def test_the_demo_round_shows_scores_to_everyone(app):
    page = app.test_client().get(f"/surveys/{ROUND}").get_data(as_text=True)
    assert "Partner survey 2026 (illustrative)" in page
    # 63 of the 80 invited organisations of Sekhukhune, OR Tambo and Lejweleputswa answered (400 answers). The
    # answers are drawn over the whole demo, so issue 14's five cross-border organisations and nine links (and the
    # Lejweleputswa association's new partners) changed the draws: before them 64 answered, 425 answers.
    assert "63 of 80 invited organisations answered (79%)" in page
    assert "Value 3.08</strong> (77.0% of the highest score)" in page and "Trust 3.08</strong> (77.0%)" in page
    assert "from 400 answers by 63 organisations" in page
    # 67 organisations are rated by three or more partners; the others by fewer, withheld
    assert page.count("organisations</td>") == 67 and 'id="survey-withheld"' in page
    assert 'id="survey-ties"' not in page


def test_an_administrator_sees_the_planted_low_trust_ties_first(app, demo_store):
    _, secret = create_token(demo_store, "demo admin", "admin", actor=CLI)
    page = app.test_client().get(f"/surveys/{ROUND}", headers={"Authorization": f"Bearer {secret}"})
    ties = page.get_data(as_text=True).split('id="survey-ties"')[1]
    first_rows = ties.split("</tr>")[1:3]
    # the two planted ties come first: their sides rate trust 1 or 2 (tie means 1.17 and 1.33); every other
    # tie's trust is 2 or more
    planted = "Apel Cross Community Clinic and Ga-Mampuru Home-Based Care</td>\n<td>2.67</td><td>1.17</td>"
    assert planted in first_rows[0]
    assert "Apel Cross Community Clinic and Sekhukhune District AIDS Council" in first_rows[1]
    found = surveys.results(demo_store, ROUND, admin=True)["results"]["ties"]
    assert sorted(k for k, v in found.items() if v["trust"] < 2) == [
        ("apel-cross-community-clinic", "ga-mampuru-home-based-care"),
        ("apel-cross-community-clinic", "sekhukhune-district-aids-council")]


@pytest.mark.browser
def test_the_results_page_reads_on_a_phone(app):
    with live_server(app) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 740})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/surveys")
        page.click("text=Partner survey 2026 (illustrative)")
        assert page.locator("#survey-network").inner_text().startswith("The network's scores")
        assert "Trust 3.08" in page.locator("#survey-network").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, f"the page is {width}px wide on a 375px phone"
        assert all(r.startswith(url) or r.startswith("data:") for r in requests)


def _drawn(html: str) -> dict:
    return json.loads(html.split('id="network-data">')[1].split("</script>")[0])


def test_the_explorer_colours_links_by_trust_for_administrators(app, demo_store):
    _, secret = create_token(demo_store, "explorer admin", "admin", actor=CLI)
    client = app.test_client()
    page = client.get("/explore?ties_by=trust&district=Sekhukhune", headers={"Authorization": f"Bearer {secret}"})
    data = _drawn(page.get_data(as_text=True))
    planted = [e for e in data["edges"] if {e["from"], e["to"]} == {"ga-mampuru-home-based-care",
                                                                      "apel-cross-community-clinic"}]
    # the referral and the MoU between them: both red (trust 1.17 is below 2), the score in the tip
    assert len(planted) == 2 and {e["colour"] for e in planted} == {TIE_BANDS[0][1]}
    assert all("Trust 1.17 (Partner survey 2026 (illustrative))" in e["tip"] for e in planted)
    assert {x["label"] for x in data["tie_legend"]} == {"trust low (below 2)", "trust middling (2 to 3)",
                                                         "trust high (3 or more)", "not rated"}
    by_value = _drawn(client.get("/explore?ties_by=value&district=Sekhukhune",
                                 headers={"Authorization": f"Bearer {secret}"}).get_data(as_text=True))
    # value 2.67 on that tie (a draw; 3.67 before issue 14's organisations changed the draws): middling
    assert {e["colour"] for e in by_value["edges"] if e["from"] == "ga-mampuru-home-based-care"
            and e["to"] == "apel-cross-community-clinic"} == {TIE_BANDS[1][1]}
    viewer = client.get("/explore?ties_by=trust&district=Sekhukhune").get_data(as_text=True)
    assert "coloured by trust or value for administrators only" in viewer
    assert not any("colour" in e for e in _drawn(viewer)["edges"])


def test_the_referral_finder_tells_administrators_a_route_runs_through_a_low_trust_tie(app, demo_store):
    _, secret = create_token(demo_store, "finder admin", "admin", actor=CLI)
    url = "/referrals?start=ga-mampuru-home-based-care&population=plhiv&need=tb_treatment"
    page = app.test_client().get(url, headers={"Authorization": f"Bearer {secret}"}).get_data(as_text=True)
    # the route to TB treatment runs Ga-Mampuru -> Apel clinic (their MoU, trust 1.17) -> Tubatse hospital
    assert "Trust on this tie is low (1.17 of 4 in Partner survey 2026 (illustrative))." in page
    assert "Trust on this tie is low" not in app.test_client().get(url).get_data(as_text=True)
