"""A partner answers a tie survey through its invitation link: once, for itself, about its own ties."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from network.errors import InvalidData
from network.graph.store import AuditQuery
from network.graph.surveys import surveys_of
from network.service import survey_invitations, surveys
from network.service.audit import CLI
from network.service.invitations import InvitationEnded
from tests.api_support import SENSITIVE_ID
from tests.http_support import chromium, live_server

TODAY = dt.date.today()


@pytest.fixture
def invited(env):
    surveys.create_round(env.store, {"id": "r1", "name": "Round one",
                                     "opens": (TODAY - dt.timedelta(days=5)).isoformat(),
                                     "closes": (TODAY + dt.timedelta(days=5)).isoformat(),
                                     "invited": ["clinic-a", "cbo-b"]}, actor=CLI)
    (invitation, secret), = survey_invitations.invite(env.store, "r1", actor=CLI, organisations=["clinic-a"])
    return env, secret


def rating(partner: str, value: int = 3, trust: int = 2) -> dict:
    return {"partner": partner, "power": value, "involvement": value, "resources": value, "reliability": trust,
            "mission": trust, "openness": trust, "contributes": ["referrals"]}


def test_the_form_lists_the_organisations_own_ties(invited):
    env, secret = invited
    form = survey_invitations.form(env.store, secret)
    # clinic-a's active ties: cbo-b (a referral) and the Safe Space Collective (an MoU)
    assert form["name"] == "Jane Furse Clinic" and form["open"] is True
    assert [(p["id"], p["name"]) for p in form["partners"]] == [("cbo-b", "Sekhukhune Miners Support"),
                                                                (SENSITIVE_ID, "Safe Space Collective")]


def test_a_refused_form_stores_nothing_and_the_link_still_works(invited):
    env, secret = invited
    audit_before = env.store.list_audit(AuditQuery(limit=None)).total
    with pytest.raises(InvalidData, match="answer 2: partner: 'clinic-a' has no active tie with 'ngo-d'"):
        survey_invitations.send(env.store, secret, [rating("cbo-b"), rating("ngo-d")])
    assert surveys_of(env.store).list_ratings("r1") == []
    assert env.store.list_audit(AuditQuery(limit=None)).total == audit_before
    with pytest.raises(InvalidData, match="Rate at least one organisation"):
        survey_invitations.send(env.store, secret, [])
    # a partner answers for itself, whatever the form says
    assert survey_invitations.send(env.store, secret, [{**rating("cbo-b"), "respondent": "ngo-d"}]) == 1
    stored = surveys_of(env.store).list_ratings("r1")
    assert [(r.respondent, r.partner, r.answered_on, r.trust) for r in stored] == [("clinic-a", "cbo-b", TODAY, 2.0)]
    # the link is used up: it neither opens nor takes answers again
    with pytest.raises(InvitationEnded):
        survey_invitations.form(env.store, secret)
    with pytest.raises(InvitationEnded):
        survey_invitations.send(env.store, secret, [rating(SENSITIVE_ID)])
    assert len(surveys_of(env.store).list_ratings("r1")) == 1


def test_only_the_rounds_organisations_are_invited(env):
    surveys.create_round(env.store, {"id": "r1", "name": "Round one", "opens": "2026-01-01", "closes": "2026-12-31",
                                     "invited": ["clinic-a"]}, actor=CLI)
    with pytest.raises(InvalidData, match="ngo-d not invited"):
        survey_invitations.invite(env.store, "r1", actor=CLI, organisations=["ngo-d"])


@pytest.mark.browser
def test_a_partner_answers_on_a_phone(invited):
    env, secret = invited
    with live_server(env.app) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 740})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/surveys/answer/{secret}")
        assert page.locator("#survey-respondent").inner_text() == "Jane Furse Clinic"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        first = page.locator("fieldset").first
        assert "Sekhukhune Miners Support" in first.locator("legend").inner_text()
        for item, value in (("power", "4"), ("involvement", "3"), ("resources", "3"), ("reliability", "2"),
                            ("mission", "2"), ("openness", "1")):
            first.locator(f"select[name$='-{item}']").select_option(value)
        first.locator("input[value='referrals']").check()
        page.click("#survey-send")
        assert re.search(r"about 1 organisation are saved", page.locator("#survey-sent").inner_text())
        assert all(r.startswith(url) for r in requests)
        again = page.goto(f"{url}/surveys/answer/{secret}")
        assert again.status == 410
    stored = surveys_of(env.store).list_ratings("r1")
    assert [(r.partner, r.power, r.openness, r.contributes) for r in stored] == [("cbo-b", 4, 1, ["referrals"])]


def test_a_half_rated_tie_comes_back_with_its_message_and_choices(invited):
    env, secret = invited
    page = env.client.get(f"/surveys/answer/{secret}").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    sent = env.client.post(f"/surveys/answer/{secret}", data={
        "csrf": csrf, "t001-partner": "cbo-b", "t001-power": "4", "t001-contributes": "data",
        "t002-partner": SENSITIVE_ID})
    body = sent.get_data(as_text=True)
    # five of the six answers are missing: refused, nothing stored, the choice made is kept
    assert sent.status_code == 422 and "answer 1: " in body and "involvement" in body
    assert '<option value="4" selected>' in body and 'value="data" checked' in body
    assert surveys_of(env.store).list_ratings("r1") == []
    assert env.client.get(f"/surveys/answer/{secret}").status_code == 200  # the link still works
