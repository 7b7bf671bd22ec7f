"""Freshness: who verified each record and when, kept by the records service, shown on the pages, and the list
of records to check (never verified, or not in 12 months) with an invitation for each organisation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from network.model import today
from network.service import records
from network.service.audit import Actor
from network.service.freshness import stale_cutoff
from network.service.invitations import create_invitation
from tests.api_support import SENSITIVE_ID
from tests.http_support import readable_text

EDITOR = Actor("token:tok_e", "Thandi (editor)")


def _sign_in(env, role: str) -> str:
    page = env.client.get("/sign-in").get_data(True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    env.client.post("/sign-in", data={"csrf": csrf, "token": env.tokens[role]})
    return re.search(r'name="csrf" value="([^"]+)"', env.client.get("/stale").get_data(True)).group(1)


def test_the_writer_becomes_the_verifier_when_last_verified_moves(env):
    store = env.store
    org = store.get_organisation("clinic-a")
    verified = records.update_organisation(store, "clinic-a", {"last_verified": today()},
                                           expected_version=org.version, actor=EDITOR)
    assert verified.verified_by == "Thandi (editor)"
    # a whole record without verified_by (the edit form) keeps who verified it
    renamed = dataclasses.replace(verified, name="Jane Furse Gateway Clinic", verified_by=None)
    kept = records.update_organisation(store, "clinic-a", renamed, expected_version=verified.version, actor=EDITOR)
    assert (kept.name, kept.verified_by, kept.last_verified) == ("Jane Furse Gateway Clinic", "Thandi (editor)",
                                                                 today())
    named = records.update_organisation(store, "clinic-a", {"verified_by": "District TB coordinator"},
                                        expected_version=kept.version, actor=EDITOR)
    assert named.verified_by == "District TB coordinator"
    cleared = records.update_organisation(store, "clinic-a", {"last_verified": None},
                                          expected_version=named.version, actor=EDITOR)
    assert cleared.verified_by is None
    assert store.history("organisation", "clinic-a")[-3].record.verified_by == "Thandi (editor)"


def test_pages_show_when_and_by_whom_and_flag_stale_records(env):
    store = env.store
    link = store.get_link("l-ref-1")
    records.update_link(store, "l-ref-1", {"last_verified": today()}, expected_version=link.version, actor=EDITOR)
    old = stale_cutoff() - dt.timedelta(days=1)
    org = store.get_organisation("cbo-b")
    records.update_organisation(store, "cbo-b", {"last_verified": old}, expected_version=org.version, actor=EDITOR)
    page = env.client.get("/organisations/cbo-b").get_data(True)
    verified = re.search(r'id="org-verified">(.*?)</dd>', page, re.S).group(1)
    assert f"{long_date(old)} by Thandi (editor)" in verified and "needs checking" in verified
    assert f"{long_date(today())} by Thandi (editor)" in page
    stale = env.client.get("/stale").get_data(True)
    assert "5 organisations" in stale and "4 ties" in stale
    assert "Sekhukhune Miners Support" in stale and "Invite to check" not in stale
    assert "secretville" not in stale.lower()


def test_an_admin_invites_a_stale_partner_from_its_page(env):
    csrf = _sign_in(env, "admin")
    answer = env.client.post(f"/stale/invite/{SENSITIVE_ID}", data={"csrf": csrf},
                             headers={"Origin": "http://localhost"})
    assert answer.status_code == 201
    link = re.search(r'id="invitation-link" readonly value="([^"]+)"', answer.get_data(True)).group(1)
    assert "/invite/" in link
    opened = env.client.get(link.replace("http://localhost", ""))
    assert opened.status_code == 200 and "Safe Space Collective" in opened.get_data(True)
    assert [i.organisation for i in env.store.list_invitations()] == [SENSITIVE_ID]


def test_only_admins_invite_from_the_page(env):
    csrf = _sign_in(env, "editor")
    answer = env.client.post("/stale/invite/cbo-b", data={"csrf": csrf}, headers={"Origin": "http://localhost"})
    assert answer.status_code == 403 and env.store.list_invitations() == []


def long_date(day: dt.date) -> str:
    """A date as the pages write it."""
    return f"{day.day} {day:%B %Y}"


def test_the_dashboard_counts_records_to_check(env):
    org = env.store.get_organisation("ngo-d")
    records.update_organisation(env.store, "ngo-d", {"last_verified": today()}, expected_version=org.version,
                                actor=EDITOR)
    page = env.client.get("/").get_data(True)
    assert re.search(r'id="stale-link"[^>]*>4 organisations and 5 links not verified in 12 months<', page)


def test_the_partners_form_names_problems_in_words(env):
    _, secret = create_invitation(env.store, "cbo-b", actor=EDITOR)
    page = env.client.get(f"/invite/{secret}").get_data(True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = env.client.post(f"/invite/{secret}", data={"csrf": csrf, "c_name": "Sekhukhune Miners Support",
                                                        "c_phone": "call us", "c_services": ["tb_screening"]})
    assert answer.status_code == 422
    problems = re.search(r'id="problems".*?</div>', answer.get_data(True), re.S).group(0)
    assert "Phone: Not a phone number" in problems and "corrections" not in problems
    assert env.store.list_proposals().total == 0
    assert env.client.get(f"/invite/{secret}").status_code == 200


def test_the_explorer_tooltips_say_when_and_by_whom(env):
    org = env.store.get_organisation("cbo-b")
    records.update_organisation(env.store, "cbo-b", {"last_verified": today()}, expected_version=org.version,
                                actor=EDITOR)
    page = readable_text(env.client.get("/explore").get_data())
    assert f"last verified {long_date(today())} by thandi (editor)".lower() in page
    assert "never verified" in page


def test_the_review_page_survives_a_record_deleted_while_its_change_waits(env):
    _, secret = create_invitation(env.store, "ngo-d", actor=EDITOR)
    sent = env.client.post(f"/api/v1/partner/{secret}", json={"confirm": True,
                                                               "ended_ties": [{"link": "l-ref-3"}]}).get_json()
    env.store.delete_link("l-ref-3")
    env.store.delete_organisation("ngo-d")
    csrf = _sign_in(env, "editor")
    page = env.client.get("/review")
    assert page.status_code == 200 and page.get_data(True).count("no longer exists") == 2
    end = next(p["id"] for p in sent if p["kind"] == "end_tie")
    answer = env.client.post(f"/review/{end}/accept", data={"csrf": csrf}, headers={"Origin": "http://localhost"},
                             follow_redirects=True)
    assert "Not accepted: No link with id" in answer.get_data(True)
    assert env.store.get_proposal(end).status == "pending"
