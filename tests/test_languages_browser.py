"""The pages in another language, in real headless Chromium whose browser language chooses it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.monitoring import MonitoringQuery
from seed import catalogs
from tests.http_support import live_server

pytestmark = pytest.mark.browser

#: The dashboard's own words: its template, the frame around every page, and the parts it includes.
DASHBOARD_SOURCES = ("web/templates/dashboard.html", "web/templates/base.html", "web/templates/_agenda_list.html",
                     "web/templates/_findings_table.html", "network/pages/dashboard.py", "seed/vocabulary/")
#: Where the dashboard shows words from the catalogs (agenda sentences and finding explanations are the analyses').
CATALOG_PARTS = "header nav a, h1, h2, th, .card td:first-child, td.muted, #changes-link, #stale-link"


def _translations(code: str) -> dict[str, str]:
    with catalogs._po_path(code).open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=code)
                if m.id and isinstance(m.id, str) and catalogs.translated(m)}


@pytest.fixture(scope="module")
def base_url(demo_store: SQLiteStore) -> Iterator[str]:
    app = create_app({"STORE": demo_store, "SECRET_KEY": "languages-browser-test"})
    with live_server(app, threads=2) as url:
        yield url


def _page_in(browser, locale: str):
    return browser.new_context(locale=locale, viewport={"width": 390, "height": 844}).new_page()


def test_the_dashboard_in_portuguese_has_no_english_left_from_the_catalogs(browser, base_url):
    page = _page_in(browser, "pt-MZ")
    page.goto(f"{base_url}/")
    assert page.locator("html").get_attribute("lang") == "pt"
    shown = "\n".join(page.locator(CATALOG_PARTS).all_inner_texts())
    with catalogs._po_path("pt").open("rb") as handle:
        dashboard = [m for m in read_po(handle, locale="pt")
                     if m.id and isinstance(m.id, str) and "%(" not in m.id
                     and any(path.startswith(DASHBOARD_SOURCES) for path, _line in m.locations)]
    english_left = [m.id for m in dashboard if m.string != m.id and re.search(rf"\b{re.escape(m.id)}\b", shown)]
    assert english_left == []
    assert "Painel da rede de parceiros" in shown and "Organizações por tipo" in shown
    page.context.close()


def test_the_referral_finder_in_sesotho_finds_a_pathway(browser, base_url):
    st = _translations("st")
    page = _page_in(browser, "st")
    page.goto(f"{base_url}/referrals")
    assert page.locator("h1").inner_text() == st["Referral finder"]
    page.select_option("#f-district", "Sekhukhune")
    page.select_option("#f-population", "artisanal_miners")
    page.locator("#f-need").first.select_option("tb_screening")
    page.get_by_role("button", name=st["Find pathways"]).click()
    page.wait_for_selector("#pathways")
    heading = page.locator("main h2").first.inner_text()
    assert re.fullmatch(r"(tsela e|ditsela tse) \d+", heading), heading
    assert st["Best plan"] in page.locator("#pathways").inner_text()
    assert st["TB screening"] in page.locator("#pathways").inner_text()
    page.context.close()


def test_the_language_switch_keeps_the_question_and_remembers_the_choice(browser, base_url):
    page = _page_in(browser, "en-ZA")
    page.goto(f"{base_url}/agenda?district=Sekhukhune")
    page.locator('nav.languages a[hreflang="fr"]').click()
    page.wait_for_url(re.compile(r"lang=fr"))
    assert "district=Sekhukhune" in page.url
    assert page.locator("h1").inner_text() == "Ordre du jour de coordination"
    page.goto(f"{base_url}/")
    assert page.locator("h1").inner_text() == "Tableau de bord du réseau de partenaires"
    page.context.close()


def test_the_monitoring_form_speaks_portuguese_on_the_phone(browser, tmp_path):
    from network.service.audit import CLI
    from network.service.tokens import create_token
    from tests.api_support import served_small_network

    pt = _translations("pt")
    with served_small_network(tmp_path / "monitoring-pt.db", "monitoring-pt") as (store, url):
        secret = create_token(store, "browser monitor", "editor", actor=CLI)[1]
        page = _page_in(browser, "pt-MZ")
        page.goto(f"{url}/sign-in")
        page.fill("#f-token", secret)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/monitoring")
        assert page.locator("h1").inner_text() == pt["Record a monitoring visit"]
        page.wait_for_function("ready => document.getElementById('queue-status').textContent !== ready",
                               arg=pt["Ready."])
        assert page.inner_text("#queue-status") == pt["Nothing waiting to be sent."]
        page.select_option("#f-monitor", "cbo-b")
        page.select_option("#f-facility", "clinic-a")
        page.click("#monitoring-form button[type=submit]")
        assert page.inner_text("#queue-error") == pt["Tick at least one thing people met."]
        page.check("#f-barriers input[value=long_wait]")
        page.click("#monitoring-form button[type=submit]")
        page.wait_for_function("() => document.getElementById('queue-status').textContent === '1 relatório enviado.'",
                               timeout=15000)
        assert store.list_monitoring_reports(MonitoringQuery()).total == 1
        page.context.close()
