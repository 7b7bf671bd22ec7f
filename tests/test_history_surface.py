"""The versions of a record for people: ``cssnet history`` and ``GET /api/v1/{organisations,links}/{id}/history``,
with protected fields protected in every version (a real SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import cli
from tests.api_support import SECRET_VALUES, SENSITIVE_ID, Env

NEW_PHONE = "+27 15 777 1234"


def change(env: Env, url: str, role: str = "editor", **body) -> None:
    tag = env.client.get(url, headers=env.auth("admin")).headers["ETag"]
    answer = env.client.patch(url, json=body, headers={**env.auth(role), "If-Match": tag})
    assert answer.status_code == 200, answer.get_json()


def history(env: Env, url: str, role: str | None) -> dict:
    answer = env.client.get(f"{url}/history", headers=env.auth(role))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def secrets_in(text: str) -> list[str]:
    values = [str(v) for k, v in SECRET_VALUES.items() if k != "external_ids"] + ["NPO-424242", NEW_PHONE]
    return [v for v in values if v in text]


def test_link_history_oldest_first_with_times_who_and_plain_changes(env: Env):
    change(env, "/api/v1/links/l-ref-3", status="ended", end_date="2026-06-30")
    found = history(env, "/api/v1/links/l-ref-3", None)
    assert found["total"] == 2
    first, second = found["items"]
    assert (first["version"], first["action"], second["version"], second["action"]) == (1, "import", 2, "update")
    assert first["valid_to"] == second["valid_from"] and second["valid_to"] is None
    assert first["changes"] == ["Imported: referral agreement from Safe Space Collective to Limpopo Legal Aid Desk."]
    assert second["changes"] == ["Status changed from active to ended.", "End date set to 30 June 2026."]
    assert second["who"] == "an API token"
    assert history(env, "/api/v1/links/l-ref-3", "admin")["items"][1]["who"] == "editor token (API token)"
    assert second["record"]["status"] == "ended"


def test_a_deleted_link_keeps_its_history(env: Env):
    url = "/api/v1/links/l-fund-4"
    tag = env.client.get(url).headers["ETag"]
    assert env.client.delete(url, headers={**env.auth("admin"), "If-Match": tag}).status_code == 204
    items = history(env, url, "viewer")["items"]
    assert [v["action"] for v in items] == ["import", "delete"]
    assert items[1]["record"] is None
    assert items[1]["changes"] == ["Deleted: funding agreement from Health Fund to Sekhukhune Miners Support."]


@pytest.mark.parametrize("role", [None, "viewer"])
def test_a_sensitive_organisations_history_hides_protected_fields_from_anonymous_and_viewer(env: Env, role):
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", phone=NEW_PHONE)
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", name="Safe Space Collective Trust")
    answer = env.client.get(f"/api/v1/organisations/{SENSITIVE_ID}/history", headers=env.auth(role))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and secrets_in(text) == []
    items = answer.get_json()["items"]
    assert [v["changes"] for v in items[1:]] == [
        ["Protected details changed (not shown)."],
        ["Name changed from Safe Space Collective to Safe Space Collective Trust."],
    ]
    assert all(v["record"]["phone"] is None and v["record"]["description"] == "" for v in items)


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_see_the_protected_fields_in_the_history(env: Env, role):
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", phone=NEW_PHONE)
    found = history(env, f"/api/v1/organisations/{SENSITIVE_ID}", role)
    assert [v["record"]["phone"] for v in found["items"]] == [SECRET_VALUES["phone"], NEW_PHONE]
    assert found["items"][1]["changes"] == [f"Phone changed from {SECRET_VALUES['phone']} to {NEW_PHONE}."]


def test_an_organisation_made_sensitive_is_protected_in_its_earlier_versions(env: Env):
    change(env, "/api/v1/organisations/clinic-a", sensitive=True)
    text = env.client.get("/api/v1/organisations/clinic-a/history").get_data(as_text=True)
    assert "+27 13 265 0000" not in text and "Makhuduthamaga" not in text
    assert "Now protected (location and contacts hidden from the public)." in text
    assert "+27 13 265 0000" in env.client.get("/api/v1/organisations/clinic-a/history",
                                               headers=env.auth("admin")).get_data(as_text=True)


def test_unknown_ids_are_404_and_the_routes_are_documented(env: Env):
    assert env.client.get("/api/v1/organisations/nobody/history").status_code == 404
    assert env.client.get("/api/v1/links/no-link/history").status_code == 404
    paths = env.client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/organisations/{org_id}/history", "/api/v1/links/{link_id}/history"):
        assert "Versions" not in paths[path]["get"]["summary"] and "oldest first" in paths[path]["get"]["summary"]


def test_cssnet_history_prints_each_version_in_plain_words(env: Env, tmp_path: Path):
    change(env, "/api/v1/links/l-ref-1", status="ended")
    db = str(tmp_path / "api.db")
    result = CliRunner().invoke(cli, ["--store", db, "history", "l-ref-1"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Link l-ref-1: 2 versions"
    assert lines[1].startswith("1. imported ") and ", until " in lines[1] and lines[1].endswith("by the system")
    assert lines[2] == "   Imported: referral agreement from Sekhukhune Miners Support to Jane Furse Clinic."
    assert lines[3].startswith("2. changed ") and lines[3].endswith(", standing now, by editor token (API token)")
    assert lines[4] == "   Status changed from active to ended."


def test_cssnet_history_of_an_organisation_shows_protected_fields_unless_asked_not_to(env: Env, tmp_path: Path):
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", phone=NEW_PHONE)
    db = str(tmp_path / "api.db")
    shown = CliRunner().invoke(cli, ["--store", db, "history", SENSITIVE_ID])
    assert f"Phone changed from {SECRET_VALUES['phone']} to {NEW_PHONE}." in shown.output
    hidden = CliRunner().invoke(cli, ["--store", db, "history", SENSITIVE_ID, "--hide-protected", "--format", "json"])
    assert secrets_in(hidden.output) == []
    assert [v["version"] for v in json.loads(hidden.output)["organisation"]] == [1, 2]


def test_cssnet_history_of_an_unknown_id_fails(env: Env, tmp_path: Path):
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "api.db"), "history", "nobody"])
    assert result.exit_code == 1
    assert "No organisation or link with id 'nobody'" in result.output


@pytest.mark.parametrize("role", [None, "viewer"])
def test_what_changed_shows_no_protected_value_to_anonymous_or_viewer(env: Env, role):
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", phone=NEW_PHONE)
    change(env, "/api/v1/links/l-mou-2", status="ended")
    change(env, "/api/v1/organisations/clinic-a", sensitive=True)
    yesterday = "2000-01-01"
    for url in ("/api/v1/analysis/diff", "/changes"):
        answer = env.client.get(url, query_string={"from": yesterday}, headers=env.auth(role))
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert "MoU between Safe Space Collective and Jane Furse Clinic ended." in text
        assert secrets_in(text) == [] and "+27 13 265 0000" not in text and "Makhuduthamaga" not in text


def test_history_routes_document_their_404(env: Env):
    paths = env.client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "404" in paths["/api/v1/organisations/{org_id}/history"]["get"]["responses"]
    assert "404" in paths["/api/v1/links/{link_id}/history"]["get"]["responses"]


def test_the_history_page_says_each_version_in_words_and_protects_as_the_api_does(env: Env):
    change(env, f"/api/v1/organisations/{SENSITIVE_ID}", phone=NEW_PHONE)
    public = env.client.get(f"/history/organisation/{SENSITIVE_ID}").get_data(as_text=True)
    assert "Protected details changed (not shown)." in public and "History of Safe Space Collective" in public
    assert secrets_in(public) == []
    env.client.post("/sign-in", data={"token": env.tokens["editor"], "csrf": _csrf(env)})
    signed_in = env.client.get(f"/history/organisation/{SENSITIVE_ID}").get_data(as_text=True)
    assert f"Phone changed from {SECRET_VALUES['phone']} to {NEW_PHONE}." in signed_in
    assert env.client.get("/history/organisation/nobody").status_code == 404
    assert env.client.get("/history/token/x").status_code == 404


def _csrf(env: Env) -> str:
    env.client.get("/sign-in")
    with env.client.session_transaction() as session:
        return session["csrf"]


def test_the_organisation_page_links_to_its_history(env: Env):
    text = env.client.get("/organisations/clinic-a").get_data(as_text=True)
    assert 'id="org-history" href="/history/organisation/clinic-a"' in text
