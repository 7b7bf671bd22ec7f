"""The surveys API on a real SQLite file: rounds, answers, refusals that store nothing, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest

from network.graph.store import AuditQuery
from network.graph.surveys import surveys_of
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.api_support import SENSITIVE_ID

TODAY = dt.date.today()
ROUND = {"id": "r1", "name": "Round one", "opens": (TODAY - dt.timedelta(days=10)).isoformat(),
         "closes": (TODAY + dt.timedelta(days=10)).isoformat(),
         "invited": ["clinic-a", "cbo-b", SENSITIVE_ID, "ngo-d", "donor-e"]}


def answers(respondent: str, partner: str, value: int, trust: int, **kw) -> dict:
    return {"respondent": respondent, "partner": partner, "power": value, "involvement": value,
            "resources": value, "reliability": trust, "mission": trust, "openness": trust, **kw}


def state(env) -> tuple:
    surveys = surveys_of(env.store)
    return ([r.to_dict() for r in surveys.list_rounds()], [r.to_dict() for r in surveys.list_ratings("r1")],
            env.store.list_audit(AuditQuery(limit=None)).total)


@pytest.fixture
def opened(env):
    assert env.client.post("/api/v1/surveys", json=ROUND, headers=env.auth("admin")).status_code == 201
    return env


def test_only_admins_open_rounds_and_bad_rounds_are_refused_whole(env):
    assert env.client.post("/api/v1/surveys", json=ROUND, headers=env.auth("editor")).status_code == 403
    before = state(env)
    bad = env.client.post("/api/v1/surveys", json={**ROUND, "closes": "2000-01-01"}, headers=env.auth("admin"))
    assert bad.status_code == 422 and "closes" in bad.get_json()["message"]
    unknown = env.client.post("/api/v1/surveys", json={**ROUND, "invited": ["clinic-a", "ghost"]},
                              headers=env.auth("admin"))
    assert unknown.status_code == 422 and "'ghost' is not a known organisation" in unknown.get_json()["message"]
    assert state(env) == before
    assert env.client.post("/api/v1/surveys", json=ROUND, headers=env.auth("admin")).status_code == 201
    listed = env.client.get("/api/v1/surveys").get_json()["items"]
    assert listed == [{"id": "r1", "name": "Round one", "opens": ROUND["opens"], "closes": ROUND["closes"],
                       "invited": 5, "updated_at": listed[0]["updated_at"]}]
    assert env.store.list_audit(AuditQuery(entity_id="r1")).items[0].action == "create"


@pytest.mark.parametrize(("body", "field"), [
    (answers("clinic-a", "cbo-b", 5, 3), "power"),  # off the 1-4 scale
    (answers("clinic-a", "clinic-a", 3, 3), "partner"),  # rates itself
    (answers("clinic-a", "ngo-d", 3, 3), "partner"),  # no tie between them
    (answers("clinic-a", "cbo-b", 3, 3, answered_on="2000-01-01"), "answered_on"),  # outside the round's dates
    (answers("clinic-a", "cbo-b", 3, 3, contributes=["gold"]), "contributes"),  # unknown contribution
    (answers("clinic-a", "cbo-b", 3, 3, colour="red"), "colour"),  # unknown field
])
def test_refused_answers_are_422_and_store_nothing(opened, body, field):
    before = state(opened)
    refused = opened.client.post("/api/v1/surveys/r1/answers", json=body, headers=opened.auth("admin"))
    assert refused.status_code == 422, refused.get_json()
    assert field in refused.get_json()["message"]
    assert state(opened) == before


def test_an_organisation_not_invited_cannot_answer(env):
    env.client.post("/api/v1/surveys", json={**ROUND, "invited": ["clinic-a"]}, headers=env.auth("admin"))
    before = state(env)
    refused = env.client.post("/api/v1/surveys/r1/answers", json=answers("cbo-b", "clinic-a", 3, 3),
                              headers=env.auth("admin"))
    assert refused.status_code == 422 and "was not invited" in refused.get_json()["message"]
    assert state(env) == before


def test_an_organisation_bound_token_answers_for_its_own_organisation_only(opened):
    _, secret = create_token(opened.store, "clinic's link", "referrer", actor=CLI, organisation="clinic-a")
    bound = {"Authorization": f"Bearer {secret}"}
    before = state(opened)
    other = opened.client.post("/api/v1/surveys/r1/answers", json=answers("cbo-b", "clinic-a", 3, 3), headers=bound)
    assert other.status_code == 422 and "you answer for 'clinic-a' only" in other.get_json()["message"]
    assert state(opened) == before
    own = opened.client.post("/api/v1/surveys/r1/answers",
                             json=answers("clinic-a", "cbo-b", 4, 2, contributes=["referrals"],
                                          answered_on="2000-01-01"), headers=bound)
    assert own.status_code == 201, own.get_json()
    assert own.get_json()["answered_on"] == TODAY.isoformat()  # a partner's answer is dated the day it is given
    assert (own.get_json()["value"], own.get_json()["trust"]) == (4.0, 2.0)
    assert opened.client.post("/api/v1/surveys/r1/answers", json=answers("clinic-a", "cbo-b", 3, 3),
                              headers=opened.auth("editor")).status_code == 403


def test_results_show_individual_answers_to_admins_only(opened):
    # the sensitive collective is rated by three organisations, the clinic by two
    for respondent, partner, value, trust in [("clinic-a", SENSITIVE_ID, 4, 4), ("ngo-d", SENSITIVE_ID, 3, 2),
                                              ("donor-e", SENSITIVE_ID, 2, 3), (SENSITIVE_ID, "clinic-a", 1, 1),
                                              ("cbo-b", "clinic-a", 3, 1)]:
        ok = opened.client.post("/api/v1/surveys/r1/answers", json=answers(respondent, partner, value, trust),
                                headers=opened.auth("admin"))
        assert ok.status_code == 201, ok.get_json()
    public = opened.client.get("/api/v1/surveys/r1", headers=opened.auth("viewer")).get_json()
    # the collective: value (4 + 3 + 2) / 3 = 3, trust (4 + 2 + 3) / 3 = 3; the clinic (two raters) withheld
    assert set(public["results"]["organisations"]) == {SENSITIVE_ID}
    assert public["results"]["organisations"][SENSITIVE_ID]["trust"] == pytest.approx(3.0)
    assert public["results"]["withheld"] == ["clinic-a"]
    assert public["results"]["ties"] == [] and public["individual_answers_shown"] is False
    # five organisations answered: network trust (4 + 2 + 3 + 1 + 1) / 5 = 2.2
    assert public["results"]["network"]["trust"] == pytest.approx(2.2)
    assert public["results"]["response"] == {"invited": 5, "responded": 5, "rate": 1.0}
    assert opened.client.get("/api/v1/surveys/r1/answers", headers=opened.auth("viewer")).status_code == 403
    admin = opened.client.get("/api/v1/surveys/r1", headers=opened.auth("admin")).get_json()
    tie = next(t for t in admin["results"]["ties"] if t["organisations"] == ["clinic-a", SENSITIVE_ID])
    # the tie: the clinic's side trusts 4, the collective's side 1: mean 2.5
    assert tie["trust"] == pytest.approx(2.5) and tie["respondents"] == 2
    assert len(opened.client.get("/api/v1/surveys/r1/answers", headers=opened.auth("admin")).get_json()["items"]) == 5


def test_a_round_compares_with_the_one_before(opened):
    earlier = {**ROUND, "id": "r0", "name": "Round zero", "opens": (TODAY - dt.timedelta(days=400)).isoformat(),
               "closes": (TODAY - dt.timedelta(days=300)).isoformat()}
    assert opened.client.post("/api/v1/surveys", json=earlier, headers=opened.auth("admin")).status_code == 201
    day = (TODAY - dt.timedelta(days=350)).isoformat()
    for respondent, partner, value, trust, rnd, when in [
            ("clinic-a", "cbo-b", 2, 2, "r0", day), ("donor-e", "cbo-b", 2, 2, "r0", day),
            ("clinic-a", "cbo-b", 3, 4, "r1", None), ("donor-e", "cbo-b", 3, 3, "r1", None)]:
        body = answers(respondent, partner, value, trust, **({"answered_on": when} if when else {}))
        assert opened.client.post(f"/api/v1/surveys/{rnd}/answers", json=body,
                                  headers=opened.auth("admin")).status_code == 201
    admin = opened.client.get("/api/v1/surveys/r1", headers=opened.auth("admin")).get_json()
    assert admin["previous"]["id"] == "r0"
    # cbo-b: value 2 -> 3, trust 2 -> 3.5
    assert admin["change"]["organisations"]["cbo-b"] == {"value": 1.0, "trust": 1.5}
    public = opened.client.get("/api/v1/surveys/r1").get_json()
    # two raters in each round: withheld, so the public comparison names no organisation
    assert public["change"]["organisations"] == {} and public["change"]["network"] is None
    assert opened.client.get("/api/v1/surveys/nope").status_code == 404


def test_a_round_id_is_one_url_segment(env):
    refused = env.client.post("/api/v1/surveys", json={**ROUND, "id": "2026/h1"}, headers=env.auth("admin"))
    assert refused.status_code == 422 and refused.get_json()["message"].startswith("id: Use 1-100 letters")
