"""The monitoring form in real headless Chromium: it keeps working without signal and sends each report once.

Offline (``context.set_offline(True)``), the page reloads from the service
worker's cache and queues three reports on the phone (IndexedDB); back
online, the queue is sent and exactly three reports are stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from network.graph.sqlite import SQLiteStore
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.api_support import served_small_network
from tests.http_support import chromium

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: Resolves once the service worker controls the page (evaluated by the driver, not eval'd under the page's CSP).
_CONTROLLED = """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ? true :
    new Promise(resolve => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true))))"""


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[SQLiteStore, str]]:
    """The store holding the small test network and the base URL of the app serving it."""
    with served_small_network(tmp_path / "monitoring-browser.db", "monitoring-browser") as both:
        yield both


def _sign_in(page, base_url: str, secret: str) -> None:
    page.goto(base_url + "/sign-in")
    page.fill("#f-token", secret)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(base_url + "/")


def _queue_report(page, facility: str, barrier: str, waiting: int) -> None:
    page.select_option("#f-monitor", "cbo-b")
    page.select_option("#f-facility", facility)
    page.check(f"#f-barriers input[value={barrier}]")
    page.fill("#f-note", "The queue was out of the door by eight.")
    page.click("#monitoring-form button[type=submit]")
    page.wait_for_selector(f'#queue-status[data-waiting="{waiting}"]')


def test_offline_form_queues_three_reports_and_sends_each_once(served):
    store, base_url = served
    secret = create_token(store, "browser monitor", "editor", actor=CLI)[1]
    requests: list[str] = []
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        _sign_in(page, base_url, secret)
        page.goto(base_url + "/monitoring")
        assert page.evaluate(_CONTROLLED) is True
        assert page.locator("#f-barriers").inner_text().count("Turned away without documents") == 1
        assert "refused_no_documents" not in page.locator("#f-barriers").inner_text()

        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#monitoring-form")
        assert "Record a monitoring visit" in page.inner_text("h1")
        _queue_report(page, "clinic-a", "stockout", 1)
        _queue_report(page, "clinic-a", "long_wait", 2)
        _queue_report(page, "ngo-d", "refused_no_documents", 3)
        assert "3 reports kept on this phone" in page.inner_text("#queue-status")
        assert store.list_monitoring_reports().total == 0

        context.set_offline(False)
        page.wait_for_selector('#queue-status[data-waiting="0"]', timeout=15000)
        assert "Sent 3 reports" in page.inner_text("#queue-status")
        page.reload()
        page.wait_for_selector('#queue-status[data-waiting="0"]')
        stored = store.list_monitoring_reports().items
        assert len(stored) == 3
        assert sorted((r.facility, r.barriers[0]) for r in stored) == [
            ("clinic-a", "long_wait"), ("clinic-a", "stockout"), ("ngo-d", "refused_no_documents")]
        assert len({r.key for r in stored}) == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        context.close()
    host = urlsplit(base_url).netloc
    assert [u for u in requests if urlsplit(u).netloc != host] == []
    assert errors == []


def test_viewers_get_a_plain_refusal(served):
    store, base_url = served
    secret = create_token(store, "browser viewer", "viewer", actor=CLI)[1]
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        _sign_in(page, base_url, secret)
        response = page.goto(base_url + "/monitoring")
        assert response.status == 403
        assert "Sign in as an editor" in page.inner_text("main")


def test_offline_inbox_keeps_a_step_sent_twice_to_one(served):
    store, base_url = served
    from network.service import referrals

    sent = referrals.send_referral(store, {"source": "cbo-b", "target": "clinic-a", "needs": ["tb_treatment"],
                                           "link": "l-ref-1"}, acting=referrals.ADMIN, actor=CLI)
    secret = create_token(store, "clinic inbox", "referrer", actor=CLI, organisation="clinic-a")[1]
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        _sign_in(page, base_url, secret)
        page.goto(base_url + "/referrals/inbox")
        assert page.evaluate(_CONTROLLED) is True
        assert sent.code in page.inner_text("#inbox")

        context.set_offline(True)
        for waiting in (1, 2):  # the same step twice: the page reloaded from the phone's copy still offers it
            page.reload()
            page.wait_for_selector(f'form.step-form[data-code="{sent.code}"]')
            page.select_option(f'form.step-form[data-code="{sent.code}"] select[name=status]', "received")
            page.click(f'form.step-form[data-code="{sent.code}"] button')
            page.wait_for_selector(f'#queue-status[data-waiting="{waiting}"]')
        assert store.get_referral(sent.code).status == "sent"

        context.set_offline(False)
        page.wait_for_selector('#queue-status[data-waiting="0"]', timeout=15000)
        assert "Saved 2 steps" in page.inner_text("#queue-status")
        assert page.locator("#queue-error").is_hidden()
        context.close()
    assert [step.status for step in store.get_referral(sent.code).history] == ["sent", "received"]
    assert errors == []
