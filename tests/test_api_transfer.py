"""Export, import and merge over HTTP."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from werkzeug.test import TestResponse

from network.io.rows import REQUIRED_LINK_COLUMNS, REQUIRED_ORGANISATION_COLUMNS
from network.service.transfer import EXPORT_FORMATS
from tests.api_support import Env


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


ORGS_CSV = _csv(REQUIRED_ORGANISATION_COLUMNS, [
    {"id": "imp-1", "name": "Imported One", "kind": "cbo", "district": "Waterberg", "services": "hiv_testing",
     "populations": "mineworkers"},
    {"id": "imp-2", "name": "Imported Two", "kind": "clinic", "district": "Waterberg", "services": "art"},
])
LINKS_CSV = _csv(("id", *REQUIRED_LINK_COLUMNS),
                 [{"id": "imp-l1", "source": "imp-1", "target": "imp-2", "kind": "referral"}])
BAD_ORGS_CSV = _csv(REQUIRED_ORGANISATION_COLUMNS, [
    {"id": "imp-3", "name": "Three", "kind": "cbo", "district": "Waterberg"},
    {"id": "imp-4", "name": "Four", "kind": "shop", "district": "Atlantis"},
])


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_every_format_as_an_attachment(env: Env, fmt: str) -> None:
    response = env.client.get(f"/api/v1/export?format={fmt}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    if response.mimetype == "application/zip" or fmt == "xlsx":
        assert zipfile.ZipFile(io.BytesIO(data)).namelist()
    elif fmt in ("json", "geojson"):
        assert json.loads(data)
    else:
        assert data.startswith(b"<?xml")
    assert b"Jane Furse Clinic" in data or fmt in ("csv", "xlsx", "hsds")


def test_unknown_export_format_is_422(env: Env) -> None:
    assert env.client.get("/api/v1/export?format=pdf").status_code == 422
    assert env.client.get("/api/v1/export").status_code == 422


def _upload(env: Env, role: str | None, fmt: str, **files: bytes) -> TestResponse:
    data = {"format": fmt, **{name: (io.BytesIO(content), f"{name}.csv") for name, content in files.items()}}
    return env.client.post("/api/v1/import", data=data, headers=env.auth(role), content_type="multipart/form-data")


def test_import_needs_an_admin(env: Env) -> None:
    assert _upload(env, None, "csv", organisations=ORGS_CSV).status_code == 401
    assert _upload(env, "editor", "csv", organisations=ORGS_CSV).status_code == 403


def test_import_csv_files_and_audit(env: Env) -> None:
    response = _upload(env, "admin", "csv", organisations=ORGS_CSV, links=LINKS_CSV)
    assert response.status_code == 200
    assert response.get_json() == {"organisations_created": 2, "organisations_updated": 0, "links_created": 1,
                                   "links_updated": 0}
    assert env.store.get_link("imp-l1").target == "imp-2"
    entry = env.client.get("/api/v1/audit", headers=env.auth("admin")).get_json()["items"][0]
    assert entry["action"] == "import" and entry["changes"]["organisations_created"] == 2


def test_a_bad_row_refuses_the_whole_import_with_a_row_report(env: Env) -> None:
    before = env.store.revision()
    response = _upload(env, "admin", "csv", organisations=BAD_ORGS_CSV)
    body = response.get_json()
    assert response.status_code == 422 and "nothing was written" in body["message"]
    assert {(r["row"], r["field"]) for r in body["errors"]["rows"]} >= {(3, "kind"), (3, "district")}
    assert env.store.revision() == before and env.store.list_organisations().total == 5


def test_import_input_errors(env: Env) -> None:
    assert _upload(env, "admin", "pdf", organisations=ORGS_CSV).status_code == 422
    assert _upload(env, "admin", "csv").status_code == 422
    response = env.client.post("/api/v1/import", json={"format": "csv"}, headers=env.auth("admin"))
    assert response.status_code == 415


def test_merge_preview_then_apply(env: Env) -> None:
    env.client.post("/api/v1/organisations", headers=env.auth("editor"),
                    json={"id": "cbo-b-dup", "name": "Sekhukhune Miners Support Group", "kind": "cbo",
                          "district": "Sekhukhune", "phone": "+27 15 000 1111"})
    body = {"keep": "cbo-b", "drop": "cbo-b-dup"}
    assert env.client.post("/api/v1/merge/preview", json=body, headers=env.auth("editor")).status_code == 403
    preview = env.client.post("/api/v1/merge/preview", json=body, headers=env.auth("admin")).get_json()
    assert preview["applied"] is False and "phone" in preview["fields_filled"]
    assert env.store.get_organisation("cbo-b-dup")
    applied = env.client.post("/api/v1/merge", json=body, headers=env.auth("admin")).get_json()
    assert applied["applied"] is True
    assert env.client.get("/api/v1/organisations/cbo-b-dup").status_code == 404
    assert env.store.get_organisation("cbo-b").phone == "+27 15 000 1111"


@pytest.mark.parametrize("body, status", [
    ({"keep": "cbo-b", "drop": "cbo-b"}, 422),
    ({"keep": "cbo-b"}, 422),
    ({"keep": "cbo-b", "drop": "ghost"}, 404),
])
def test_merge_refusals(env: Env, body: dict, status: int) -> None:
    assert env.client.post("/api/v1/merge", json=body, headers=env.auth("admin")).status_code == status
    assert env.store.list_organisations().total == 5
