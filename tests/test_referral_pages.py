"""Sending a referral from a pathway, its printable slip and the receiving organisation's inbox (Flask client,
real SQLite file): plain words, nothing about the client, a sensitive provider's place and contacts hidden."""

from __future__ import annotations

from network.model import vocabulary
from tests.api_support import SECRET_VALUES, SENSITIVE_ID, Env, send_referral_form, signed_in_page


def test_a_referrer_sends_from_a_pathway_and_prints_the_slip(env: Env) -> None:
    client, csrf = signed_in_page(env, "referrer", "cbo-b")
    finder = client.get("/referrals?population=mineworkers&need=tb_treatment&start=cbo-b").get_data(as_text=True)
    assert "Send a referral here" in finder
    form = client.get("/referrals/send?to=clinic-a&need=tb_treatment&population=mineworkers&link=l-ref-1")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "Sekhukhune Miners Support" in page
    assert vocabulary().services["tb_treatment"] in page
    assert "no name, ID number or phone number" in page
    sent = send_referral_form(client, csrf, to="clinic-a", need="tb_treatment", population="mineworkers",
                              link="l-ref-1")
    assert sent.status_code == 302 and "/referrals/slip/" in sent.headers["Location"]
    slip = client.get(sent.headers["Location"]).get_data(as_text=True)
    code = env.store.list_referrals().items[0].code
    assert f'id="slip-code">{code}<' in slip
    assert "Jane Furse Clinic" in slip and "Makhuduthamaga, Sekhukhune, Limpopo" in slip
    assert "+27 13 265 0000" in slip and "What to bring" in slip and "This slip with the referral code." in slip


def test_the_slip_of_a_sensitive_provider_hides_its_place_and_contacts(env: Env) -> None:
    client, csrf = signed_in_page(env, "referrer", "clinic-a")
    sent = send_referral_form(client, csrf, to=SENSITIVE_ID, need="hiv_testing", link="l-mou-2")
    assert sent.status_code == 302
    slip = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Safe Space Collective" in slip and "how to get there" in slip
    for value in SECRET_VALUES.values():
        assert str(value) not in slip
    admin, _ = signed_in_page(env, "admin")
    assert SECRET_VALUES["phone"] in admin.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_refused_referral_stores_nothing_and_says_why(env: Env) -> None:
    client, csrf = signed_in_page(env, "referrer", "cbo-b")
    refused = send_referral_form(client, csrf, to="cbo-b", need="tb_treatment")
    assert refused.status_code == 422 and env.store.list_referrals().total == 0
    viewer, _ = signed_in_page(env, "viewer")
    assert viewer.get("/referrals/send").status_code == 403
    assert viewer.get("/referrals/inbox").status_code == 403


def test_the_inbox_lists_what_was_sent_to_the_organisation_with_next_steps(env: Env) -> None:
    sender, csrf = signed_in_page(env, "referrer", "cbo-b")
    send_referral_form(sender, csrf, to="clinic-a", need="tb_treatment", population="mineworkers", link="l-ref-1")
    code = env.store.list_referrals().items[0].code
    receiver, _ = signed_in_page(env, "referrer", "clinic-a")
    inbox = receiver.get("/referrals/inbox").get_data(as_text=True)
    assert "Referrals sent to Jane Furse Clinic" in inbox and code in inbox
    assert "Sekhukhune Miners Support" in inbox and "Mineworkers" in inbox
    assert "Arrived" in inbox and "tb_treatment" not in inbox
    assert code not in sender.get("/referrals/inbox").get_data(as_text=True)  # the sender's inbox holds received ones
    moved = receiver.post(f"/api/v1/referrals/{code}/status", json={"status": "received"},
                          headers={"Origin": "http://localhost"})
    assert moved.status_code in (200, 201), moved.get_json()
    assert "Taken on" in receiver.get("/referrals/inbox").get_data(as_text=True)
