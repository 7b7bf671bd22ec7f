"""Partner invitations, the partner's own endpoint, the review queue and the stale filter over HTTP (Flask test
client on a real SQLite file)."""

from __future__ import annotations

import datetime as dt

from network.graph.store import AuditQuery
from network.model import today
from tests.api_support import SECRET_VALUES, SENSITIVE_ID
from tests.http_support import readable_text


def invite(env, org: str = "cbo-b", **body) -> dict:
    answer = env.client.post("/api/v1/invitations", json={"organisation": org, **body}, headers=env.auth("admin"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_only_admins_invite_and_the_link_is_shown_once(env):
    for role in (None, "viewer", "editor"):
        assert env.client.post("/api/v1/invitations", json={"organisation": "cbo-b"},
                               headers=env.auth(role)).status_code in (401, 403)
    made = invite(env, days=3)
    assert made["link"].endswith(f"/invite/{made['secret']}")
    created = dt.datetime.fromisoformat(made["invitation"]["created_at"])
    assert dt.datetime.fromisoformat(made["invitation"]["expires_at"]) - created == dt.timedelta(days=3)
    listed = env.client.get("/api/v1/invitations", headers=env.auth("admin")).get_json()
    assert [i["id"] for i in listed] == [made["invitation"]["id"]]
    assert made["secret"] not in env.client.get("/api/v1/invitations", headers=env.auth("admin")).get_data(True)


def test_creating_an_invitation_is_validated_and_writes_nothing_on_refusal(env):
    before = env.store.list_audit(AuditQuery()).total
    for body, message in (({"organisation": "ghost"}, "organisation: No organisation with id 'ghost'."),
                          ({"organisation": "cbo-b", "days": 0}, "json.days: Must be greater than or equal to 1"),
                          ({"organisation": "cbo-b", "colour": "red"}, "json.colour: Unknown field.")):
        answer = env.client.post("/api/v1/invitations", json=body, headers=env.auth("admin"))
        assert answer.status_code == 422 and answer.get_json()["message"].startswith(message)
    assert env.store.list_invitations() == [] and env.store.list_audit(AuditQuery()).total == before


def test_an_invitation_reads_and_proposes_for_its_own_organisation_only(env):
    secret = invite(env, "cbo-b")["secret"]
    seen = env.client.get(f"/api/v1/partner/{secret}")
    assert seen.status_code == 200
    body = seen.get_json()
    assert body["organisation"]["id"] == "cbo-b"
    assert {t["id"] for t in body["ties"]} == {"l-ref-1", "l-fund-4"}
    text = readable_text(seen.get_data())
    for value in SECRET_VALUES.values():
        if isinstance(value, str):
            assert value.lower() not in text
    # the token is not an API token
    assert env.client.get("/api/v1/proposals", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    refused = env.client.post(f"/api/v1/partner/{secret}", json={"ended_ties": [{"link": "l-ref-3"}]})
    assert refused.status_code == 422 and "not one of your organisation's ties" in refused.get_json()["message"]
    refused = env.client.post(f"/api/v1/partner/{secret}", json={"corrections": {"id": "other"}})
    assert refused.status_code == 422
    assert env.client.get("/api/v1/proposals", headers=env.auth("editor")).get_json()["total"] == 0
    sent = env.client.post(f"/api/v1/partner/{secret}", json={
        "confirm": True, "new_ties": [{"other": "ngo-d", "kind": "referral", "services": ["legal_aid"]}]})
    assert sent.status_code == 201, sent.get_json()
    assert {p["kind"] for p in sent.get_json()} == {"confirm", "new_tie"}
    # used up: the page and the endpoint answer 410 Gone
    assert env.client.get(f"/api/v1/partner/{secret}").status_code == 410
    assert env.client.post(f"/api/v1/partner/{secret}", json={"confirm": True}).status_code == 410
    assert env.client.get(f"/invite/{secret}").status_code == 410
    assert env.client.get("/api/v1/partner/not-a-secret").status_code == 404


def test_an_expired_invitation_stops_working(env):
    made = invite(env, "cbo-b")
    with env.store.transaction():
        conn = env.store._conn()
        conn.execute("UPDATE invitations SET expires_at = ? WHERE id = ?",
                     ("2020-01-01T00:00:00.000000+00:00", made["invitation"]["id"]))
    answer = env.client.get(f"/api/v1/partner/{made['secret']}")
    assert answer.status_code == 410 and "expired on 1 January 2020" in answer.get_json()["message"]


def test_the_coordinator_accepts_edits_and_rejects_through_the_api(env):
    secret = invite(env, SENSITIVE_ID)["secret"]
    sent = env.client.post(f"/api/v1/partner/{secret}", json={
        "confirm": True, "corrections": {"municipality": "Newtown"},
        "new_ties": [{"other": "ngo-d", "kind": "mou"}]}).get_json()
    by_kind = {p["kind"]: p["id"] for p in sent}
    assert env.client.get("/api/v1/proposals", headers=env.auth("viewer")).status_code == 403
    queue = env.client.get("/api/v1/proposals", headers=env.auth("editor")).get_json()
    assert queue["total"] == 3 and [p["status"] for p in queue["items"]] == ["pending"] * 3
    bad = env.client.post(f"/api/v1/proposals/{by_kind['correct']}/accept", json={"edits": {"phone": "x"}},
                          headers=env.auth("editor"))
    assert bad.status_code == 422
    ok = env.client.post(f"/api/v1/proposals/{by_kind['correct']}/accept",
                         json={"edits": {"municipality": "Oldtown"}, "note": "phoned"}, headers=env.auth("editor"))
    assert ok.status_code == 200 and ok.get_json()["applied"] == {"municipality": "Oldtown"}
    assert env.store.get_organisation(SENSITIVE_ID).municipality == "Oldtown"
    assert env.client.post(f"/api/v1/proposals/{by_kind['correct']}/reject", json={},
                           headers=env.auth("editor")).status_code == 409
    links_before = env.store.list_links().total
    rejected = env.client.post(f"/api/v1/proposals/{by_kind['new_tie']}/reject", json={"note": "no such MoU"},
                               headers=env.auth("editor"))
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert env.store.list_links().total == links_before
    assert env.client.post(f"/api/v1/proposals/{by_kind['confirm']}/accept", json={},
                           headers=env.auth("editor")).status_code == 200
    org = env.client.get(f"/api/v1/organisations/{SENSITIVE_ID}", headers=env.auth("editor")).get_json()
    assert org["last_verified"] == today().isoformat() and "Safe Space Collective" in org["verified_by"]


def test_trusted_partners_changes_apply_directly(env):
    assert env.client.put("/api/v1/trusted/ngo-d", json={"trusted": True},
                          headers=env.auth("editor")).status_code == 403
    assert env.client.put("/api/v1/trusted/ngo-d", json={"trusted": True},
                          headers=env.auth("admin")).status_code == 204
    assert env.client.get("/api/v1/trusted", headers=env.auth("editor")).get_json() == {"organisations": ["ngo-d"]}
    secret = invite(env, "ngo-d")["secret"]
    sent = env.client.post(f"/api/v1/partner/{secret}", json={"confirm": True}).get_json()
    assert sent[0]["status"] == "accepted"
    assert env.store.get_organisation("ngo-d").last_verified == today()


def test_stale_filter_on_lists(env):
    org = env.store.get_organisation("ngo-d")
    org.last_verified = today()
    env.store.update_organisation(org)
    stale = env.client.get("/api/v1/organisations?stale=true").get_json()
    assert "ngo-d" not in {o["id"] for o in stale["items"]} and stale["total"] == 4
    assert env.client.get("/api/v1/organisations?stale=false").get_json()["total"] == 5
    assert env.client.get("/api/v1/links?stale=true").get_json()["total"] == 5
    assert env.client.get("/api/v1/links?stale=maybe").status_code == 422
