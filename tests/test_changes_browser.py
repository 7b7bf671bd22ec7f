"""The changes page prints on A4 from real headless Chromium: every change listed, the menus and forms left out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.service import history, records, seed_demo
from network.service.audit import CLI
from tests.http_support import chromium, live_server

pytestmark = pytest.mark.browser

SINCE = "2026-05-01"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("changes") / "changes.db")
    seed_demo(s)
    link = s.get_link("l-0015")
    records.update_link(s, "l-0015", {"status": "ended"}, expected_version=link.version, actor=CLI)
    yield s
    s.close()


@pytest.fixture(scope="module")
def base_url(store: SQLiteStore) -> Iterator[str]:
    app = create_app({"STORE": store, "SECRET_KEY": "changes-browser-test"})
    with live_server(app, threads=2) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[object]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()


def test_the_changes_page_prints_to_an_a4_pdf_with_every_change(page: object, base_url: str,
                                                                store: SQLiteStore) -> None:
    diff = history.diff(store, history.parse_moment(SINCE), None, redacted=True)
    explained = [c["explanation"] for items in diff["records"].values() for c in items]
    assert "Referral agreement from Virginia Mobile Health Point to Welkom Regional Hospital ended." in explained
    page.goto(f"{base_url}/changes?from={SINCE}")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    printed = page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert all(sentence in printed for sentence in explained)
    assert all(item["what"] in printed for item in diff["agenda"]["closed"])
    assert not re.search(r"\b(expiring_agreement|broken_cascade|service_overlap|mou|plhiv)\b", printed)
    assert not page.is_visible("header.top") and not page.is_visible("#changes-dates")  # type: ignore[attr-defined]
    pdf = page.pdf(format="A4", prefer_css_page_size=True)  # type: ignore[attr-defined]
    sizes = {tuple(round(float(v)) for v in box)
             for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:] and sizes == {(595, 842)}
    assert re.findall(rb"/Type\s*/Page\b", pdf)
