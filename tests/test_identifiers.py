"""Identifiers as people write them: capitals and codes kept, unique regardless of case, generated link ids
stable across imports, and no last-verified date in the future. On a real SQLite store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from network.errors import Conflict, InvalidData
from network.graph.sqlite import SQLiteStore
from network.io.importer import ImportRefused
from network.model import Link, Organisation, today
from network.schemas import load_link, load_organisation
from network.service import import_csv
from tests.api_support import Env

ORGANISATIONS = """id,name,kind,province,district,municipality,latitude,longitude,services,populations,status,\
sensitive,aliases,phone,email,website,capacity_per_month,description
ImspTQPwCqd,Jane Furse Clinic,clinic,Limpopo,Sekhukhune,,,,tb_treatment,,active,false,,,,,,
ORG:SEK/7,Sekhukhune Miners Support,cbo,Limpopo,Sekhukhune,,,,tb_screening,mineworkers,active,false,,,,,,
ngo_d.1,Legal Aid Desk,ngo,Limpopo,Sekhukhune,,,,legal_aid,,active,false,,,,,,
"""

LINKS_WITH_IDS = """id,source,target,kind,services,status,start_date,end_date,weight,formal,notes
L12,ORG:SEK/7,ImspTQPwCqd,referral,tb_screening,active,2024-01-01,,3,true,
MOU-2024-003,ORG:SEK/7,ngo_d.1,mou,,active,2024-03-01,2026-12-31,3,true,
"""

LINKS_WITHOUT_IDS = """source,target,kind,services,status,start_date,end_date,weight,formal,notes
ORG:SEK/7,ImspTQPwCqd,referral,tb_screening,active,2024-01-01,,3,true,
ORG:SEK/7,ngo_d.1,mou,,active,2024-03-01,2026-12-31,3,true,
ORG:SEK/7,ngo_d.1,mou,,active,2024-03-01,2026-12-31,3,true,second copy of the same agreement
"""


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "ids.db")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["L12", "MOU-2024-003", "ImspTQPwCqd", "ORG:SEK/7", "ngo_d.1", "a"])
def test_ids_as_people_write_them_are_accepted(value):
    assert load_organisation({"id": value, "name": "A", "kind": "cbo"}).id == value
    assert load_link({"id": value, "source": "a", "target": "b", "kind": "mou"}).id == value


@pytest.mark.parametrize("value", ["-L12", "L 12", "L12#", "é1", "x" * 101])
def test_ids_with_other_characters_are_refused_with_an_example(value):
    with pytest.raises(InvalidData, match="for example L12 or MOU-2024-003"):
        load_organisation({"id": value, "name": "A", "kind": "cbo"})


def test_import_stores_ids_as_given(store, tmp_path):
    import_csv(store, write(tmp_path, "organisations.csv", ORGANISATIONS), write(tmp_path, "links.csv", LINKS_WITH_IDS))
    assert store.get_organisation("ImspTQPwCqd").name == "Jane Furse Clinic"
    assert {o.id for o in store.iter_organisations()} == {"ImspTQPwCqd", "ORG:SEK/7", "ngo_d.1"}
    assert {link.id for link in store.iter_links()} == {"L12", "MOU-2024-003"}
    assert store.get_link("L12").source == "ORG:SEK/7"


def test_a_links_file_without_ids_gets_the_same_ids_every_time(store, tmp_path):
    organisations = write(tmp_path, "organisations.csv", ORGANISATIONS)
    links = write(tmp_path, "links.csv", LINKS_WITHOUT_IDS)
    import_csv(store, organisations, links)
    first = sorted((link.id, link.source, link.target, link.kind, link.notes) for link in store.iter_links())
    assert len(first) == 3 and len({link_id for link_id, *_ in first}) == 3
    assert all(link_id.startswith("link-") for link_id, *_ in first)
    import_csv(store, organisations, links)
    assert sorted((link.id, link.source, link.target, link.kind, link.notes) for link in store.iter_links()) == first
    other = SQLiteStore(tmp_path / "other.db")
    import_csv(other, organisations, links)
    assert sorted(link.id for link in other.iter_links()) == [link_id for link_id, *_ in first]


def test_empty_id_cells_get_generated_ids_beside_given_ones(store, tmp_path):
    text = LINKS_WITH_IDS.replace("\nL12,", "\n,")
    import_csv(store, write(tmp_path, "organisations.csv", ORGANISATIONS), write(tmp_path, "links.csv", text))
    ids = sorted(link.id for link in store.iter_links())
    assert ids[0] == "MOU-2024-003" and ids[1].startswith("link-")


def test_one_file_cannot_hold_an_id_twice_whatever_its_case(store, tmp_path):
    text = LINKS_WITH_IDS.replace("MOU-2024-003", "l12")
    with pytest.raises(ImportRefused, match="also appears on row 2 as 'L12'"):
        import_csv(store, write(tmp_path, "organisations.csv", ORGANISATIONS), write(tmp_path, "links.csv", text))
    assert list(store.iter_links()) == []


def test_ids_are_unique_regardless_of_case_in_the_store(store):
    store.create_organisation(Organisation("L12", "A", "cbo"))
    with pytest.raises(Conflict):
        store.create_organisation(Organisation("l12", "B", "cbo"))
    store.create_organisation(Organisation("b", "B", "cbo"))
    store.create_link(Link("MOU-1", "L12", "b", "mou"))
    with pytest.raises(Conflict):
        store.create_link(Link("mou-1", "L12", "b", "mou"))
    assert [o.id for o in store.iter_organisations()] == ["L12", "b"]


@pytest.mark.parametrize("noun, data", [
    ("organisation", {"id": "a", "name": "A", "kind": "cbo"}),
    ("link", {"id": "l1", "source": "a", "target": "b", "kind": "mou"}),
])
def test_last_verified_after_today_is_refused_clearly(noun, data):
    load = load_organisation if noun == "organisation" else load_link
    tomorrow = today() + dt.timedelta(days=1)
    assert load({**data, "last_verified": today().isoformat()}).last_verified == today()
    with pytest.raises(InvalidData, match=rf"last_verified: {tomorrow.isoformat()} is in the future"):
        load({**data, "last_verified": tomorrow.isoformat()})


def test_a_file_with_a_future_last_verified_is_refused_naming_the_row(store, tmp_path):
    text = ORGANISATIONS.replace("id,name,kind", "last_verified,id,name,kind").replace(
        "\nngo_d.1,", "\n2031-01-01,ngo_d.1,").replace("\nImspTQPwCqd,", "\n,ImspTQPwCqd,").replace(
        "\nORG:SEK/7,", "\n2026-01-01,ORG:SEK/7,")
    with pytest.raises(ImportRefused) as refused:
        import_csv(store, write(tmp_path, "organisations.csv", text), None)
    [problem] = refused.value.problems
    assert (problem.row, problem.field) == (4, "last_verified")
    assert "2031-01-01 is in the future" in problem.problem
    assert list(store.iter_organisations()) == []


def test_importing_an_id_that_differs_only_in_case_is_refused_and_writes_nothing(store, tmp_path):
    organisations = write(tmp_path, "organisations.csv", ORGANISATIONS)
    import_csv(store, organisations, write(tmp_path, "links.csv", LINKS_WITH_IDS))
    before = sorted((link.id, link.version) for link in store.iter_links())
    with pytest.raises(ImportRefused, match="differs only in case"):
        import_csv(store, None, write(tmp_path, "again.csv", LINKS_WITH_IDS.replace("\nL12,", "\nl12,")))
    assert sorted((link.id, link.version) for link in store.iter_links()) == before


def test_ids_with_a_slash_are_reachable_by_url(env: Env) -> None:
    """An id such as ORG:SEK/7 is a valid id: every URL naming an organisation or link reaches it."""
    assert env.client.post("/api/v1/organisations", json={"id": "ORG:SEK/7", "name": "Slash CBO", "kind": "cbo"},
                           headers=env.auth("editor")).status_code == 201
    assert env.client.post("/api/v1/links", json={"id": "MOU/2024/3", "source": "ORG:SEK/7", "target": "clinic-a",
                                                  "kind": "mou"}, headers=env.auth("editor")).status_code == 201
    organisation = env.client.get("/api/v1/organisations/ORG:SEK/7")
    assert organisation.status_code == 200 and organisation.get_json()["name"] == "Slash CBO"
    assert env.client.get("/api/v1/links/MOU/2024/3").get_json()["source"] == "ORG:SEK/7"
    history = env.client.get("/api/v1/organisations/ORG:SEK/7/history", headers=env.auth("admin"))
    assert history.status_code == 200 and "ORG:SEK/7" in history.get_data(as_text=True)
    assert env.client.get("/api/v1/links/MOU/2024/3/history", headers=env.auth("admin")).status_code == 200
    page = env.client.get("/organisations/ORG:SEK/7")
    assert page.status_code == 200 and "Slash CBO" in page.get_data(as_text=True)
    for edit in ("/edit/organisation/ORG:SEK/7", "/edit/link/MOU/2024/3"):
        assert env.client.get(edit).status_code != 404, edit  # found: anonymous callers are sent to sign in
    etag = env.client.get("/api/v1/links/MOU/2024/3").headers["ETag"]
    assert env.client.delete("/api/v1/links/MOU/2024/3", headers={**env.auth("admin"), "If-Match": etag}
                             ).status_code == 204
    etag = env.client.get("/api/v1/organisations/ORG:SEK/7").headers["ETag"]
    assert env.client.delete("/api/v1/organisations/ORG:SEK/7", headers={**env.auth("admin"), "If-Match": etag}
                             ).status_code == 204
    assert env.client.get("/api/v1/organisations/ORG:SEK/7").status_code == 404
