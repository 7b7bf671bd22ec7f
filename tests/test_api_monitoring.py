"""``/api/v1/monitoring`` through Flask's test client on a real SQLite file: who records, exactly once, 422s."""

from __future__ import annotations

import datetime as dt

import pytest

from network.graph.store import AuditQuery
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.api_support import Env

DAY = (dt.date.today() - dt.timedelta(days=3)).isoformat()
BODY = {"monitor": "cbo-b", "facility": "clinic-a", "date": DAY, "barriers": ["stockout", "long_wait"],
        "note": "No TB test kits; the queue was out of the door by 8."}


def _post(env: Env, body: dict, role: str | None = "editor", key: str | None = None):
    headers = {**env.auth(role), **({"Idempotency-Key": key} if key else {})}
    return env.client.post("/api/v1/monitoring", json=body, headers=headers)


def _stored(env: Env) -> int:
    return env.store.list_monitoring_reports().total


def test_editor_records_a_report_with_labels_and_an_audit_entry(env: Env) -> None:
    response = _post(env, BODY)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["barrier_labels"] == ["Medicines or tests out of stock", "Very long wait"]
    assert data["escalation"] == "raised_with_facility" and data["escalation_label"] == "Raised with the facility"
    assert "key" not in data
    assert env.client.get(f"/api/v1/monitoring/{data['id']}").get_json() == data
    entries = env.store.list_audit(AuditQuery(entity_id=data["id"])).items
    assert [(e.action, e.entity, e.actor) for e in entries] == [("create", "monitoring_report", "editor token")]


def test_an_empty_note_is_no_note(env: Env) -> None:
    response = _post(env, {**BODY, "note": "  "})
    assert response.status_code == 201 and response.get_json()["note"] == ""


def test_the_same_key_twice_stores_once(env: Env) -> None:
    first = _post(env, BODY, key="4f1c7a52-9e0b-4c71-a0d3-1b2c3d4e5f60")
    again = _post(env, BODY, key="4f1c7a52-9e0b-4c71-a0d3-1b2c3d4e5f60")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _stored(env) == 1
    assert _post(env, BODY, key="another-key-0001").status_code == 201
    assert _stored(env) == 2


def test_the_same_key_with_another_report_is_a_conflict(env: Env) -> None:
    assert _post(env, BODY, key="key-for-one-report").status_code == 201
    response = _post(env, {**BODY, "barriers": ["stigma"]}, key="key-for-one-report")
    assert response.status_code == 409 and "different monitoring report" in response.get_json()["message"]
    assert _stored(env) == 1


@pytest.mark.parametrize("extra, field", [
    ({"name": "Thabo Mokoena"}, "name"),
    ({"id_number": "8001015009087"}, "id_number"),
    ({"barriers": ["rude_guard"]}, "barriers.0"),
    ({"barriers": []}, "barriers"),
    ({"note": "x" * 281}, "note"),
    ({"note": "Call her on 082 555 1234"}, "note"),
    ({"note": "ID 8001015009087 refused"}, "note"),
    ({"facility": "cbo-b"}, "facility"),
    ({"date": "2999-01-01"}, "date"),
    ({"escalation": "ignored"}, "escalation"),
])
def test_bad_reports_are_422_naming_the_field_and_store_nothing(env: Env, extra: dict, field: str) -> None:
    response = _post(env, {**BODY, **extra})
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    errors = errors.get("json", errors)
    assert field.split(".")[0] in errors, errors
    assert _stored(env) == 0


def test_unknown_organisation_is_422_and_stores_nothing(env: Env) -> None:
    response = _post(env, {**BODY, "facility": "no-such-clinic"})
    assert response.status_code == 422 and "no-such-clinic" in response.get_json()["message"]
    assert _stored(env) == 0


def test_a_bad_idempotency_key_is_422(env: Env) -> None:
    response = _post(env, BODY, key="short")
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]
    assert _stored(env) == 0


@pytest.mark.parametrize("role, status", [(None, 401), ("viewer", 403)])
def test_anonymous_and_viewers_may_not_record(env: Env, role: str | None, status: int) -> None:
    assert _post(env, BODY, role=role).status_code == status
    assert _stored(env) == 0


def test_escalation_moves_on_with_if_match_and_is_audited(env: Env) -> None:
    created = _post(env, BODY).get_json()
    url = f"/api/v1/monitoring/{created['id']}"
    headers = {**env.auth("editor"), "If-Match": '"1"'}
    assert env.client.patch(url, json={"escalation": "raised_with_district"}, headers=env.auth("editor")
                            ).status_code == 428
    response = env.client.patch(url, json={"escalation": "raised_with_district"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["escalation"] == "raised_with_district"
    assert response.headers["ETag"] == '"2"'
    stale = env.client.patch(url, json={"escalation": "resolved"}, headers=headers)
    assert stale.status_code == 412
    bad = env.client.patch(url, json={"escalation": "resolved", "note": "x"}, headers={**headers, "If-Match": '"2"'})
    assert bad.status_code == 422
    assert env.client.patch(url, json={"escalation": "resolved"},
                            headers={**env.auth("viewer"), "If-Match": '"2"'}).status_code == 403
    assert env.store.get_monitoring_report(created["id"]).escalation == "raised_with_district"
    changes = [e.changes for e in env.store.list_audit(AuditQuery(entity_id=created["id"])).items]
    assert changes[0] == {"escalation": {"before": "raised_with_facility", "after": "raised_with_district"}}


def test_list_filters_by_facility_and_barrier(env: Env) -> None:
    _post(env, BODY)
    _post(env, {**BODY, "facility": "ngo-d", "barriers": ["stigma"]})
    listed = env.client.get("/api/v1/monitoring?facility=clinic-a").get_json()
    assert listed["total"] == 1 and listed["items"][0]["facility"] == "clinic-a"
    assert env.client.get("/api/v1/monitoring?barrier=stigma").get_json()["total"] == 1
    assert env.client.get("/api/v1/monitoring?barrier=nonsense").status_code == 422
    assert env.client.get("/api/v1/monitoring?colour=red").status_code == 422


def test_three_reports_of_one_barrier_reach_the_agenda_and_the_report(env: Env) -> None:
    before = env.client.get("/api/v1/analysis/agenda?limit=50").get_json()
    assert all(item["action"] != "raise_barrier" for item in before["items"])
    for days in (2, 9, 16):
        day = (dt.date.today() - dt.timedelta(days=days)).isoformat()
        assert _post(env, {**BODY, "date": day, "barriers": ["refused_no_documents"]}).status_code == 201
    items = env.client.get("/api/v1/analysis/agenda?limit=50").get_json()["items"]
    raised = [item for item in items if item["action"] == "raise_barrier"]
    assert len(raised) == 1 and raised[0]["organisations"][0]["id"] == "clinic-a"
    assert "Turned away without documents" in raised[0]["what"]
    report = env.client.get("/api/v1/analysis/report").get_json()
    assert report["summary"]["by_type"]["repeated_barrier"] == 1


def test_a_token_bound_to_the_monitor_records_for_it_only(env: Env) -> None:
    secret = create_token(env.store, "miners monitor", "referrer", actor=CLI, organisation="cbo-b")[1]
    bound = {"Authorization": f"Bearer {secret}"}
    own = env.client.post("/api/v1/monitoring", json=BODY, headers=bound)
    assert own.status_code == 201 and own.get_json()["monitor"] == "cbo-b"
    other = env.client.post("/api/v1/monitoring", json={**BODY, "monitor": "ngo-d"}, headers=bound)
    assert other.status_code == 403 and "'cbo-b' only" in other.get_json()["message"]
    moved = env.client.patch(f"/api/v1/monitoring/{own.get_json()['id']}", json={"escalation": "resolved"},
                             headers={**bound, "If-Match": '"1"'})
    assert moved.status_code == 200 and moved.get_json()["escalation"] == "resolved"
    assert _stored(env) == 1


def test_concurrent_retries_with_one_key_store_once(env: Env) -> None:
    import threading

    from network.service.monitoring import Recorder, record_report

    outcomes: list[bool] = []
    errors: list[Exception] = []

    def send() -> None:
        try:
            outcomes.append(record_report(env.store, dict(BODY), actor=CLI, recorder=Recorder(editor=True),
                                          key="one-key-many-tries")[1])
        except Exception as err:  # noqa: BLE001 - the test reports any failure below
            errors.append(err)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    assert _stored(env) == 1


def test_organisation_page_and_pathways_show_recent_barriers_at_a_provider(env: Env) -> None:
    assert _post(env, {**BODY, "barriers": ["refused_no_documents"]}).status_code == 201
    page = env.client.get("/organisations/clinic-a").get_data(as_text=True)
    assert "What community monitors met here" in page and "Turned away without documents — 1 time" in page
    assert "refused_no_documents" not in page
    assert "What community monitors met here" not in env.client.get("/organisations/ngo-d").get_data(as_text=True)
    plans = env.client.get("/api/v1/analysis/pathways?population=mineworkers&needs=tb_treatment&start=cbo-b"
                           ).get_json()["items"]
    steps = {step["organisation"]: step["barriers"] for plan in plans for step in plan["steps"]}
    assert [b["barrier"] for b in steps["clinic-a"]] == ["refused_no_documents"]
    assert steps["cbo-b"] == []
    finder = env.client.get("/referrals?population=mineworkers&need=tb_treatment&start=cbo-b")
    assert finder.status_code == 200 and "Turned away without documents" in finder.get_data(as_text=True)
