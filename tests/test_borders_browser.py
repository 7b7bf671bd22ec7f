"""Issue 14's pages in a real headless Chromium on the demo network: the grouped province and district drop-downs
work (a Lesotho district picked from its country's group filters the explorer), and the cross-border partner, the
programme, the cross-border gaps and a referral plan crossing a border load nothing from the internet."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.service import programmes
from tests.http_support import live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(demo_store: SQLiteStore) -> Iterator[str]:
    app = create_app({"STORE": demo_store, "SECRET_KEY": "borders-browser-test"})
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    foreign: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((base_url, "data:")) else None)
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert foreign == [], f"requests left the server: {foreign}"
    assert errors == [], errors


def test_a_lesotho_district_picked_from_its_group_filters_the_explorer(page, base_url: str) -> None:
    page.goto(base_url + "/explore")
    groups = page.evaluate("Array.from(document.querySelectorAll('#f-district optgroup')).map(g => g.label)")
    assert groups[0] == "South Africa" and "Lesotho" in groups and "LS" not in groups
    lesotho = page.evaluate("Array.from(document.querySelectorAll('#f-district optgroup[label=\"Lesotho\"] option'))"
                            ".map(o => o.value)")
    assert "Maseru" in lesotho and "Sekhukhune" not in lesotho
    page.select_option("#f-district", "Maseru")
    page.click("#explorer-filters button[type=submit]")
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["district"] == ["Maseru"]
    assert page.evaluate("document.querySelector('#f-district').value") == "Maseru"
    assert page.evaluate("document.querySelector('#f-district option:checked').parentElement.label") == "Lesotho"
    assert page.inner_text("#explorer-summary").startswith("2 organisations")


def test_the_issue_14_pages_load_nothing_from_the_internet(page, base_url: str) -> None:
    record = next(p for p in programmes.programmes() if "illustrative" in p.name.lower())
    visits = {
        "/organisations/khotso-ex-miners-association": "Lesotho",
        f"/programmes/{record.id}": record.name,
        "/findings/gaps?type=cross_border_gap": "Vhembe serves migrants and cross-border workers from Zimbabwe",
        "/referrals?start=lejweleputswa-ex-mineworkers-association&population=ex_mineworkers"
        "&need=benefit_medical_examination": "Crosses the border from South Africa into Lesotho",
    }
    for path, words in visits.items():
        response = page.goto(base_url + path)
        assert response.status == 200, path
        assert words in page.evaluate("document.body.innerText"), path
