"""Referral records over the API (and the service behind it): who may do what, what is refused, nothing about clients.

The network is ``tests.api_support.small_network``: cbo-b refers to clinic-a along ``l-ref-1``; kp-safe-space
has an MoU with clinic-a (``l-mou-2``); donor-e funds cbo-b (``l-fund-4``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from network.referrals import CODE_ALPHABET, Referral, StatusChange
from network.service import referrals
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.api_support import Env

TODAY = dt.date.today()


@pytest.fixture
def desks(env: Env) -> dict[str, dict[str, str]]:
    """Headers of a referrer token for cbo-b (sends), clinic-a (receives) and ngo-d (neither)."""
    found = {}
    for org in ("cbo-b", "clinic-a", "ngo-d"):
        _, secret = create_token(env.store, f"{org} desk", "referrer", actor=CLI, organisation=org)
        found[org] = {"Authorization": f"Bearer {secret}"}
    return found


def stored(env: Env) -> tuple[list[dict], int]:
    """Every referral stored and the number of audit entries: unchanged by a refused write."""
    return [r.to_dict() for r in env.store.iter_referrals()], env.store.list_audit().total


def send(env: Env, headers: dict[str, str], **body) -> dict:
    body = {"target": "clinic-a", "needs": ["tb_treatment"], "population": "artisanal_miners", **body}
    answer = env.client.post("/api/v1/referrals", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def step(env: Env, headers: dict[str, str], code: str, status: str, **body):
    return env.client.post(f"/api/v1/referrals/{code}/status", json={"status": status, **body}, headers=headers)


def test_a_referrer_sends_a_referral_with_a_readable_code(env: Env, desks) -> None:
    made = send(env, desks["cbo-b"], link="l-ref-1", needs=["tb_treatment", "social_grant_linkage"])
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{3}}-[{CODE_ALPHABET}]{{3}}", made["code"])
    assert (made["source"], made["target"], made["link"], made["status"]) == ("cbo-b", "clinic-a", "l-ref-1", "sent")
    assert made["history"] == [{"status": "sent", "on": TODAY.isoformat(), "by": "cbo-b", "reason": None}]
    kept = env.store.get_referral(made["code"])
    assert kept.needs == ["tb_treatment", "social_grant_linkage"] and kept.population == "artisanal_miners"
    entry = env.store.list_audit().items[0]
    assert (entry.action, entry.entity, entry.entity_id, entry.actor) == ("create", "referral", made["code"],
                                                                          "cbo-b desk")


@pytest.mark.parametrize("field, value", [("name", "Thabo Mokoena"), ("id_number", "8001015009087"),
                                          ("phone", "+27 82 555 0101"), ("notes", "coughing for 3 weeks")])
def test_client_identity_or_free_text_is_refused_and_nothing_stored(env: Env, desks, field, value) -> None:
    before = stored(env)
    answer = env.client.post("/api/v1/referrals", json={"target": "clinic-a", "needs": ["tb_treatment"],
                                                        field: value}, headers=desks["cbo-b"])
    assert answer.status_code == 422 and field in answer.get_json()["errors"]["json"]
    assert value not in answer.get_data(as_text=True)
    assert stored(env) == before
    with pytest.raises(Exception, match="no client identity"):
        referrals.send_referral(env.store, {"target": "clinic-a", "needs": ["tb_treatment"], field: value},
                                acting=referrals.Acting("referrer", "cbo-b"), actor=CLI)
    assert stored(env) == before


@pytest.mark.parametrize("body, status, message", [
    ({"source": "ngo-d"}, 403, "acts for 'cbo-b'"),
    ({"link": "l-mou-2"}, 422, "joins 'kp-safe-space' and 'clinic-a'"),
    ({"link": "l-nope"}, 422, "No link with id 'l-nope'"),
    ({"target": "ghost-org"}, 422, "No organisation with id 'ghost-org'"),
    ({"target": "cbo-b"}, 422, "another organisation"),
    ({"needs": []}, 422, "1 to 10"),
    ({"needs": ["haircut"]}, 422, "Unknown service 'haircut'"),
    ({"population": "aliens"}, 422, "Unknown population 'aliens'"),
    ({"created": (TODAY + dt.timedelta(days=2)).isoformat()}, 422, "in the future"),
])
def test_a_bad_referral_is_refused_with_a_clear_message(env: Env, desks, body, status, message) -> None:
    before = stored(env)
    answer = env.client.post("/api/v1/referrals", json={"target": "clinic-a", "needs": ["tb_treatment"], **body},
                             headers=desks["cbo-b"])
    assert answer.status_code == status and message in answer.get_json()["message"]
    assert stored(env) == before


def test_a_funding_link_is_not_an_agreement_to_refer_along(env: Env) -> None:
    answer = env.client.post("/api/v1/referrals", json={"source": "donor-e", "target": "cbo-b", "link": "l-fund-4",
                                                        "needs": ["tb_screening"]}, headers=env.auth("admin"))
    assert answer.status_code == 422 and "is a funding link" in answer.get_json()["message"]


def test_only_referrers_and_admins_send(env: Env) -> None:
    for role in ("viewer", "editor"):
        answer = env.client.post("/api/v1/referrals", json={"source": "cbo-b", "target": "clinic-a",
                                                            "needs": ["tb_treatment"]}, headers=env.auth(role))
        assert answer.status_code == 403
    assert env.client.post("/api/v1/referrals", json={"target": "clinic-a", "needs": ["art"]}).status_code == 401
    by_admin = send(env, env.auth("admin"), source="cbo-b")
    assert by_admin["source"] == "cbo-b"


def test_the_receiving_organisation_walks_a_referral_to_completion(env: Env, desks) -> None:
    code = send(env, desks["cbo-b"], link="l-ref-1", created=(TODAY - dt.timedelta(days=10)).isoformat())["code"]
    for status, days_ago in (("received", 8), ("accepted", 8), ("completed", 1)):
        on = (TODAY - dt.timedelta(days=days_ago)).isoformat()
        answer = step(env, desks["clinic-a"], code.lower().replace("-", " "), status, on=on)
        assert answer.status_code == 200, answer.get_json()
    done = env.client.get(f"/api/v1/referrals/{code}", headers=desks["cbo-b"]).get_json()
    assert [(h["status"], h["by"]) for h in done["history"]] == [
        ("sent", "cbo-b"), ("received", "clinic-a"), ("accepted", "clinic-a"), ("completed", "clinic-a")]
    assert done["status"] == "completed" and done["version"] == 4


@pytest.mark.parametrize("before, change, status, message", [
    ((), {"status": "completed"}, 409, "it can next be received or lost to follow-up, not completed"),
    ((("received", {}),), {"status": "completed"}, 409, "not completed"),
    ((("received", {}), ("declined", {"reason": "no_documents"})), {"status": "accepted"}, 409,
     "is declined already: it cannot become accepted"),
    ((("received", {}),), {"status": "declined"}, 422, "Say why it was declined"),
    ((("received", {}),), {"status": "declined", "reason": "too_busy"}, 422, "Unknown reason 'too_busy'"),
    ((("received", {}),), {"status": "accepted", "reason": "full"}, 422, "Only a declined referral has a reason"),
    ((("received", {}),), {"status": "accepted", "on": "2020-01-01"}, 422, "dates cannot go backwards"),
    ((), {"status": "received", "on": (TODAY + dt.timedelta(days=1)).isoformat()}, 422, "in the future"),
    ((), {"status": "sent"}, 422, "status"),
    ((), {"status": "received", "note": "client was rude"}, 422, "note"),
])
def test_a_step_that_makes_no_sense_is_refused_and_nothing_written(env: Env, desks, before, change, status,
                                                                  message) -> None:
    code = send(env, desks["cbo-b"])["code"]
    for earlier, extra in before:
        assert step(env, desks["clinic-a"], code, earlier, **extra).status_code == 200
    kept = stored(env)
    answer = step(env, desks["clinic-a"], code, **change)
    assert answer.status_code == status and message in answer.get_json()["message"], answer.get_json()
    assert stored(env) == kept


def test_only_the_receiving_organisation_updates_a_referral(env: Env, desks) -> None:
    code = send(env, desks["cbo-b"])["code"]
    kept = stored(env)
    for who in ("cbo-b", "ngo-d"):
        answer = step(env, desks[who], code, "received")
        assert answer.status_code == 403 and "acts for" in answer.get_json()["message"]
    assert step(env, env.auth("editor"), code, "received").status_code == 403
    assert stored(env) == kept
    assert step(env, env.auth("admin"), code, "received").get_json()["history"][-1]["by"] == "clinic-a"
    assert step(env, env.auth("admin"), "QQQ-QQQ", "received").status_code == 404


def test_who_sees_individual_referrals(env: Env, desks) -> None:
    sent = send(env, desks["cbo-b"])["code"]
    send(env, env.auth("admin"), source="kp-safe-space", target="ngo-d", link="l-ref-3")
    for headers in (desks["cbo-b"], desks["clinic-a"], env.auth("admin")):
        assert env.client.get(f"/api/v1/referrals/{sent}", headers=headers).status_code == 200
    for headers in (desks["ngo-d"], env.auth("viewer"), env.auth("editor")):
        answer = env.client.get(f"/api/v1/referrals/{sent}", headers=headers)
        assert answer.status_code == 403 and "cbo-b" not in answer.get_data(as_text=True)
    assert env.client.get(f"/api/v1/referrals/{sent}").status_code == 401
    for role in ("viewer", "editor"):
        assert env.client.get("/api/v1/referrals", headers=env.auth(role)).status_code == 403


def test_a_referrer_lists_its_sent_and_received_referrals_only(env: Env, desks) -> None:
    out = send(env, desks["cbo-b"])["code"]
    back = send(env, env.auth("admin"), source="clinic-a", target="cbo-b")["code"]
    other = send(env, env.auth("admin"), source="kp-safe-space", target="ngo-d")["code"]
    listed = lambda headers, query="": {r["code"] for r in env.client.get(  # noqa: E731
        f"/api/v1/referrals{query}", headers=headers).get_json()["items"]}
    assert listed(desks["cbo-b"]) == {out, back}
    assert listed(desks["cbo-b"], "?direction=sent") == {out}
    assert listed(desks["cbo-b"], "?direction=received") == {back}
    assert listed(desks["ngo-d"]) == {other}
    assert listed(env.auth("admin")) == {out, back, other}
    assert listed(env.auth("admin"), "?organisation=ngo-d&direction=received") == {other}
    refused = env.client.get("/api/v1/referrals?organisation=ngo-d", headers=desks["cbo-b"])
    assert refused.status_code == 403


def test_old_referrals_are_reduced_to_counts_when_the_retention_period_ends(env: Env, desks, monkeypatch) -> None:
    old = TODAY - dt.timedelta(days=800)
    env.store.add_referrals([Referral("AAA-AAA", "cbo-b", "clinic-a", ["tb_treatment"], old, link="l-ref-1",
                                      history=[StatusChange("sent", old, "cbo-b")])])
    assert [r.code for r in env.store.iter_referrals()] == ["AAA-AAA"]  # kept until the next referral is sent
    send(env, desks["cbo-b"], created=(TODAY - dt.timedelta(days=400)).isoformat())
    send(env, desks["cbo-b"])
    assert "AAA-AAA" not in {r.code for r in env.store.iter_referrals()}
    assert [(c.month, c.link, c.status, c.count) for c in env.store.referral_counts()] == [
        (old.isoformat()[:7], "l-ref-1", "sent", 1)]
    assert [e.action for e in env.store.list_audit().items[:2]] == ["create", "reduce"]
    monkeypatch.setenv(referrals.RETENTION_ENV, "12")
    assert referrals.retention_months() == 12
    assert referrals.reduce_old_referrals(env.store, actor=CLI) == 1
    assert len(list(env.store.iter_referrals())) == 1
    assert referrals.retention_months(6) == 6


def test_the_api_documents_referrals(env: Env) -> None:
    paths = env.client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/referrals", "/api/v1/referrals/{code}", "/api/v1/referrals/{code}/status"} <= set(paths)
    body = paths["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body


def _turned_away(n: int, day: dt.date) -> list[Referral]:
    history = [StatusChange("sent", day, "cbo-b"), StatusChange("received", day, "clinic-a"),
               StatusChange("declined", day, "clinic-a", "no_documents")]
    return [Referral(f"TAW-{i:03d}", "cbo-b", "clinic-a", ["tb_treatment"], day, link="l-ref-1",
                     history=list(history)) for i in range(n)]


def test_coordinators_see_counts_and_rates_and_no_referral(env: Env) -> None:
    day = TODAY - dt.timedelta(days=20)
    env.store.add_referrals(_turned_away(11, day))
    for role in ("viewer", "editor"):
        answer = env.client.get("/api/v1/referrals/outcomes", headers=env.auth(role))
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["total"]["referrals"] == 11 and body["total"]["completion_rate"] == 0.0
        assert body["agreements"][0]["link"] == "l-ref-1" and body["agreements"][0]["completed"] == 0
        assert body["agreements"][0]["source_name"] == "Sekhukhune Miners Support"
        assert body["providers"][0]["organisation"] == "clinic-a" and body["districts"][0]["district"] == "Sekhukhune"
        assert [f["type"] for f in body["findings"]] == ["failing_route"]
        assert "TAW-" not in answer.get_data(as_text=True)
    assert env.client.get("/api/v1/referrals/outcomes").get_json()["total"]["referrals"] == 11  # as analyses are
    assert env.client.get("/api/v1/referrals/outcomes?months=0", headers=env.auth("viewer")).status_code == 422


def test_the_agenda_takes_up_a_failing_route(env: Env) -> None:
    env.store.add_referrals(_turned_away(10, TODAY - dt.timedelta(days=20)))
    items = env.client.get("/api/v1/analysis/agenda?limit=50", headers=env.auth("viewer")).get_json()["items"]
    (item,) = [i for i in items if i["action"] == "fix_route"]
    assert item["what"] == ("Meet Jane Furse Clinic and Sekhukhune Miners Support about why clients referred "
                            "between them do not get the service")
    assert item["findings"][0]["type_label"] == "failing referral route"
    assert "Only 0 of 10 referrals" in item["why"]


def test_the_app_setting_sets_the_retention_period(tmp_path) -> None:
    from network.api import close_store
    from tests.api_support import make_env

    env = make_env(tmp_path / "short.db", config={"REFERRAL_RETENTION_MONTHS": 1})
    try:
        old = TODAY - dt.timedelta(days=70)
        env.store.add_referrals([Referral("AAA-AAA", "cbo-b", "clinic-a", ["tb_treatment"], old,
                                          history=[StatusChange("sent", old, "cbo-b")])])
        send(env, env.auth("admin"), source="cbo-b")
        assert [c.count for c in env.store.referral_counts()] == [1]
        assert "AAA-AAA" not in {r.code for r in env.store.iter_referrals()}
    finally:
        close_store(env.app)
