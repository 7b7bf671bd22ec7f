"""The organisations resource: lists, filters, single records, writes, ETags and roles."""

from __future__ import annotations

import pytest

from network.graph.store import GraphStore
from tests.api_support import SENSITIVE_ID, Env

NEW = {"id": "cbo-new", "name": "New Hope CBO", "kind": "cbo", "district": "Waterberg",
       "services": ["hiv_testing"], "populations": ["mineworkers"]}


def test_list_is_an_envelope_with_total(env: Env) -> None:
    body = env.client.get("/api/v1/organisations?limit=2&offset=1").get_json()
    assert [o["id"] for o in body["items"]] == ["clinic-a", "donor-e"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)


@pytest.mark.parametrize("query, expected", [
    ("kind=clinic", ["clinic-a"]),
    ("service=legal_aid", ["ngo-d"]),
    ("population=sex_workers", ["clinic-a", "donor-e", SENSITIVE_ID, "ngo-d"]),  # no populations: serves everyone
    ("district=Sekhukhune&kind=cbo", ["cbo-b"]),
    ("province=Limpopo&sensitive=true", [SENSITIVE_ID]),
    ("q=miners", ["cbo-b"]),
    ("q=sms", ["cbo-b"]),
    ("status=inactive", []),
])
def test_filters(env: Env, query: str, expected: list[str]) -> None:
    body = env.client.get(f"/api/v1/organisations?{query}").get_json()
    assert [o["id"] for o in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("query, field, text", [
    ("kind=shop", "kind", "Unknown organisation kind 'shop'"),
    ("district=Atlantis", "district", "Unknown district 'Atlantis'"),
    ("service=yoga", "service", "Unknown service 'yoga'"),
    ("limit=0", "limit", ""),
    ("colour=red", "colour", "Unknown field"),
])
def test_bad_filters_are_422_naming_the_field(env: Env, query: str, field: str, text: str) -> None:
    response = env.client.get(f"/api/v1/organisations?{query}")
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422
    assert field in body["errors"]["query"]
    assert text in " ".join(body["errors"]["query"][field])


def test_single_record_has_its_version_as_etag(env: Env) -> None:
    response = env.client.get("/api/v1/organisations/clinic-a")
    assert response.status_code == 200
    assert response.get_json()["name"] == "Jane Furse Clinic"
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'


def test_unknown_record_is_404(env: Env) -> None:
    body = env.client.get("/api/v1/organisations/nobody").get_json()
    assert body["code"] == 404 and "nobody" in body["message"]


def test_create_needs_an_editor(env: Env) -> None:
    assert env.client.post("/api/v1/organisations", json=NEW).status_code == 401
    assert env.client.post("/api/v1/organisations", json=NEW, headers=env.auth("viewer")).status_code == 403
    response = env.client.post("/api/v1/organisations", json=NEW, headers=env.auth("editor"))
    assert response.status_code == 201
    assert response.get_json()["province"] == "Limpopo" and response.headers["ETag"] == '"1"'
    assert env.store.get_organisation("cbo-new").name == "New Hope CBO"


def test_create_refuses_a_taken_id_with_409(env: Env) -> None:
    response = env.client.post("/api/v1/organisations", json={**NEW, "id": "clinic-a"}, headers=env.auth("editor"))
    assert response.status_code == 409


def test_create_refuses_bad_fields_with_422_and_writes_nothing(env: Env) -> None:
    response = env.client.post("/api/v1/organisations", json={**NEW, "kind": "shop", "colour": "red"},
                               headers=env.auth("editor"))
    errors = response.get_json()["errors"]["json"]
    assert response.status_code == 422
    assert errors["kind"] == ["Unknown organisation kind 'shop'."] and errors["colour"] == ["Unknown field."]
    assert env.store.list_organisations().total == 5


def test_put_replaces_with_if_match(env: Env) -> None:
    etag = env.client.get("/api/v1/organisations/cbo-b").headers["ETag"]
    record = {**NEW, "id": "cbo-b", "name": "Renamed"}
    response = env.client.put("/api/v1/organisations/cbo-b", json=record,
                              headers={**env.auth("editor"), "If-Match": etag})
    assert response.status_code == 200 and response.get_json()["name"] == "Renamed"
    assert response.headers["ETag"] != etag


def test_put_with_another_id_is_422(env: Env) -> None:
    response = env.client.put("/api/v1/organisations/cbo-b", json=NEW,
                              headers={**env.auth("editor"), "If-Match": '"1"'})
    assert response.status_code == 422 and "id" in response.get_json()["errors"]


def test_write_without_if_match_is_428(env: Env) -> None:
    response = env.client.patch("/api/v1/organisations/cbo-b", json={"name": "X"}, headers=env.auth("editor"))
    assert response.status_code == 428 and "If-Match" in response.get_json()["message"]


def test_patch_changes_some_fields_and_checks_the_result(env: Env) -> None:
    etag = env.client.get("/api/v1/organisations/cbo-b").headers["ETag"]
    headers = {**env.auth("editor"), "If-Match": etag}
    bad = env.client.patch("/api/v1/organisations/cbo-b", json={"province": "Gauteng"}, headers=headers)
    assert bad.status_code == 422 and "district" in bad.get_json()["errors"]
    assert env.client.patch("/api/v1/organisations/cbo-b", json={"id": "x"}, headers=headers).status_code == 422
    good = env.client.patch("/api/v1/organisations/cbo-b", json={"services": ["tb_screening", "art"]},
                            headers=headers)
    assert good.status_code == 200
    assert env.store.get_organisation("cbo-b").services == ["tb_screening", "art"]


def test_two_editors_the_stale_write_is_refused_and_the_first_survives(env: Env) -> None:
    first = env.client.get("/api/v1/organisations/cbo-b", headers=env.auth("editor")).headers["ETag"]
    second = env.client.get("/api/v1/organisations/cbo-b", headers=env.auth("editor")).headers["ETag"]
    assert first == second
    ok = env.client.patch("/api/v1/organisations/cbo-b", json={"name": "Edited by the first"},
                          headers={**env.auth("editor"), "If-Match": first})
    stale = env.client.patch("/api/v1/organisations/cbo-b", json={"name": "Edited by the second"},
                             headers={**env.auth("editor"), "If-Match": second})
    assert ok.status_code == 200
    assert stale.status_code == 412 and stale.get_json()["code"] == 412
    assert env.store.get_organisation("cbo-b").name == "Edited by the first"


def test_delete_needs_an_admin_and_if_match(env: Env) -> None:
    url = "/api/v1/organisations/donor-e"
    etag = env.client.get(url).headers["ETag"]
    assert env.client.delete(url, headers={**env.auth("editor"), "If-Match": etag}).status_code == 403
    assert env.client.delete(url, headers=env.auth("admin")).status_code == 428
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": '"99"'}).status_code == 412
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": etag}).status_code == 409
    response = env.client.delete(f"{url}?cascade=true", headers={**env.auth("admin"), "If-Match": etag})
    assert response.status_code == 204
    assert env.client.get(url).status_code == 404
    assert env.store.list_links().total == 3


def test_every_write_is_audited_with_field_changes(env: Env) -> None:
    etag = env.client.get("/api/v1/organisations/cbo-b").headers["ETag"]
    env.client.patch("/api/v1/organisations/cbo-b", json={"name": "New name"},
                     headers={**env.auth("editor"), "If-Match": etag})
    entries = env.client.get("/api/v1/audit?entity_id=cbo-b", headers=env.auth("admin")).get_json()["items"]
    assert entries[0]["actor"] == "editor token" and entries[0]["action"] == "update"
    assert entries[0]["changes"] == {"name": {"before": "Sekhukhune Miners Support", "after": "New name"}}


def test_lost_update_is_refused_on_every_backend(store: GraphStore) -> None:
    """The two-editor story on each store adapter (SQLite file and the Bolt server)."""
    from network.api import create_app
    from network.service.audit import CLI
    from network.service.tokens import create_token
    from tests.api_support import small_network

    store.upsert(*small_network())
    _, secret = create_token(store, "editor token", "editor", actor=CLI)
    client = create_app({"STORE": store}).test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    etag = client.get("/api/v1/organisations/ngo-d").headers["ETag"]
    first = client.patch("/api/v1/organisations/ngo-d", json={"name": "First"}, headers={**headers, "If-Match": etag})
    second = client.patch("/api/v1/organisations/ngo-d", json={"name": "Second"}, headers={**headers, "If-Match": etag})
    assert (first.status_code, second.status_code) == (200, 412)
    assert client.get("/api/v1/organisations/ngo-d").get_json()["name"] == "First"
    assert client.get("/api/v1/organisations?population=sex_workers").get_json()["total"] == 4


@pytest.mark.parametrize("tag", ['"' + "9" * 5000 + '"', '"\u00b2"', '"1.0"', "W/\"1\""])
def test_an_if_match_naming_no_version_is_412_not_500(env: Env, tag: str) -> None:
    response = env.client.patch("/api/v1/organisations/ngo-d", json={"name": "X"},
                                headers={**env.auth("editor"), "If-Match": tag})
    assert response.status_code == 412 and "GET it again" in response.get_json()["message"]
    assert env.store.get_organisation("ngo-d").name == "Limpopo Legal Aid Desk"
