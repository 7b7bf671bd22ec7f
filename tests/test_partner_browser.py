"""A partner checks its record on a phone in real headless Chromium, and the coordinator accepts its new tie.

The invitation page is opened at phone width from a one-time link: the
partner confirms its record and proposes one tie; the coordinator signs in,
accepts the tie on the review page; the tie is then in the network, the
record is verified, and the link no longer opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from network.graph.sqlite import SQLiteStore
from network.graph.store import LinkQuery
from network.model import today
from network.service.audit import CLI
from network.service.invitations import create_invitation
from network.service.tokens import create_token
from tests.api_support import SECRET_VALUES, served_small_network
from tests.http_support import chromium

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[SQLiteStore, str]]:
    """The store holding the small test network and the base URL of the app serving it."""
    with served_small_network(tmp_path / "partner-browser.db", "partner-browser") as both:
        yield both


def test_a_partner_confirms_and_proposes_a_tie_the_coordinator_accepts(served):
    store, base_url = served
    _, secret = create_invitation(store, "cbo-b", actor=CLI)
    editor = create_token(store, "coordinator", "editor", actor=CLI)[1]
    ties_before = store.list_links(LinkQuery(organisation="cbo-b")).total
    hosts: set[str] = set()
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        context.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base_url}/invite/{secret}")
        assert page.inner_text("#partner-name") == "Sekhukhune Miners Support"
        text = page.inner_text("main")
        assert "Referral agreement to Jane Furse Clinic" in text and "Funding from Health Fund" in text
        assert "Never verified" in page.inner_text("#freshness")
        for code in ("tb_screening", "artisanal_miners", "referral", "cbo-b"):
            assert code not in text
        for value in SECRET_VALUES.values():
            assert str(value) not in page.content()
        # nothing wider than the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.check("#confirm")
        page.select_option("#new-other", label="Limpopo Legal Aid Desk")
        page.select_option("#new-kind", label="Referral agreement")
        page.select_option("#new-service", label="Legal aid")
        page.click("#send")
        page.wait_for_selector("#sent")
        assert "sent 2 changes" in page.inner_text("#sent")

        page.goto(f"{base_url}/invite/{secret}")
        assert "used on" in page.inner_text("main")

        page.goto(f"{base_url}/sign-in")
        page.fill("#f-token", editor)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(base_url + "/")
        page.goto(f"{base_url}/review")
        assert "2 waiting" in page.inner_text("#queue-count")
        card = page.locator("section.proposal", has_text="Proposes a new tie")
        assert "Referral agreement from Sekhukhune Miners Support to Limpopo Legal Aid Desk" in card.inner_text()
        card.locator("button.accept").click()
        page.wait_for_selector("p.flash.ok")
        assert "Accepted: proposes a new tie" in page.inner_text("p.flash.ok")
        assert "1 waiting" in page.inner_text("#queue-count")
        page.locator("section.proposal", has_text="Confirms its record").locator("button.accept").click()
        page.wait_for_selector("#queue-empty")
        page.goto(f"{base_url}/organisations/cbo-b")
        assert page.inner_text("#org-verified") == (f"{long_date(today())} by Sekhukhune Miners Support "
                                                    f"(the partner, by invitation)")
        assert "Limpopo Legal Aid Desk" in page.inner_text("#org-links")
        context.close()
    assert errors == []
    assert hosts == {urlsplit(base_url).netloc}, "the pages loaded something from elsewhere"
    ties = store.list_links(LinkQuery(organisation="cbo-b", limit=None)).items
    assert len(ties) == ties_before + 1
    new = next(t for t in ties if t.target == "ngo-d")
    assert (new.kind, new.source, new.services, new.status) == ("referral", "cbo-b", ["legal_aid"], "active")
    assert store.history("link", new.id)[-1].action == "create"
    assert {p.status for p in store.list_proposals().items} == {"accepted"}
    assert store.get_organisation("cbo-b").last_verified == today()


def long_date(day: dt.date) -> str:
    """A date as the pages write it."""
    return f"{day.day} {day:%B %Y}"
