"""The service layer: each write, its version check and its audit entry are one transaction; CLI writes audited."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.errors import NotFound, StaleWrite
from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery
from network.model import Link, Organisation
from network.service import analyses, records, tokens
from network.service.audit import CLI, Actor
from network.service.transfer import seed_demo
from tests.api_support import Env, make_env, small_network

EDITOR = Actor("token:tok_test", "editor token")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "service.db", busy_timeout=0.2)
    s.upsert(*small_network())
    yield s
    s.close()


def _refuse_audit(path: str) -> None:
    """Make every audit insert fail, as a full disk or a broken audit table would (a real SQLite trigger)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END")
    conn.commit()
    conn.close()


def test_a_write_and_its_audit_entry_are_stored_together(store: SQLiteStore) -> None:
    version = store.get_organisation("ngo-d").version
    updated = records.update_organisation(store, "ngo-d", {"name": "Legal Desk"}, expected_version=version,
                                          actor=EDITOR)
    assert updated.name == "Legal Desk" and updated.version == version + 1
    entry = store.list_audit(AuditQuery(entity_id="ngo-d")).items[0]
    assert (entry.actor, entry.action, entry.changes["name"]) == (
        "editor token", "update", {"before": "Limpopo Legal Aid Desk", "after": "Legal Desk"})
    assert store.history("organisation", "ngo-d")[-1].actor == "token:tok_test"


@pytest.mark.parametrize("write", ["create", "update", "delete", "link", "token"])
def test_when_the_audit_entry_cannot_be_written_the_change_is_not_stored(store: SQLiteStore, write: str) -> None:
    before = (store.revision(), store.get_organisation("ngo-d"), store.list_tokens())
    _refuse_audit(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="audit refused"):
        if write == "create":
            records.create_organisation(store, Organisation("new-org", "New", "cbo"), actor=EDITOR)
        elif write == "update":
            records.update_organisation(store, "ngo-d", {"name": "Lost"}, expected_version=before[1].version,
                                        actor=EDITOR)
        elif write == "delete":
            records.delete_organisation(store, "ngo-d", expected_version=before[1].version, cascade=True,
                                        actor=EDITOR)
        elif write == "link":
            records.create_link(store, Link("l-new", "ngo-d", "cbo-b", "mou"), actor=EDITOR)
        else:
            tokens.create_token(store, "someone", "viewer", actor=EDITOR)
    assert (store.revision(), store.get_organisation("ngo-d"), store.list_tokens()) == before
    with pytest.raises(NotFound):
        store.get_organisation("new-org")
    with pytest.raises(NotFound):
        store.get_link("l-new")


def test_a_stale_version_is_refused_inside_the_transaction_and_nothing_is_written(store: SQLiteStore) -> None:
    current = store.get_organisation("ngo-d")
    with pytest.raises(StaleWrite, match="changed since you read it"):
        records.delete_organisation(store, "ngo-d", expected_version=current.version - 1, cascade=True,
                                    actor=EDITOR)
    assert store.get_organisation("ngo-d") == current
    assert store.list_audit(AuditQuery(entity_id="ngo-d")).total == 0


@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_delete_and_update_leave_exactly_one_outcome(tmp_path: Path, attempt: int) -> None:
    store = SQLiteStore(tmp_path / f"race-{attempt}.db")
    store.upsert(*small_network())
    version = store.get_organisation("ngo-d").version
    outcomes: dict[str, str] = {}
    start = threading.Barrier(2)
    writes = {
        "delete": lambda: records.delete_organisation(store, "ngo-d", expected_version=version, cascade=True,
                                                      actor=EDITOR),
        "update": lambda: records.update_organisation(store, "ngo-d", {"name": "Renamed"}, expected_version=version,
                                                      actor=EDITOR),
    }

    def run(name: str) -> None:
        start.wait()
        try:
            writes[name]()
            outcomes[name] = "done"
        except (StaleWrite, NotFound):
            outcomes[name] = "refused"

    threads = [threading.Thread(target=run, args=(name,)) for name in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["done", "refused"]
    assert [e.action for e in store.list_audit(AuditQuery(entity_id="ngo-d")).items] == [
        name for name, outcome in outcomes.items() if outcome == "done"]
    if outcomes["delete"] == "done":
        with pytest.raises(NotFound):
            store.get_organisation("ngo-d")
    else:
        assert store.get_organisation("ngo-d").name == "Renamed"
    store.close()


def test_seeding_is_audited_as_the_command_line(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "seed.db")
    result = seed_demo(store, actor=CLI)
    entry = store.list_audit(AuditQuery()).items[0]
    assert (entry.actor, entry.action, entry.entity_id) == ("cli", "seed", "demo")
    assert entry.changes["organisations_created"] == result.organisations_created > 0
    store.close()


def test_a_busy_store_answers_503_with_retry_after(tmp_path: Path) -> None:
    from network.api import create_app

    env: Env = make_env(tmp_path / "busy.db")
    etag = env.client.get("/api/v1/organisations/ngo-d").headers["ETag"]
    impatient = SQLiteStore(env.store.path, busy_timeout=0.2)
    client = create_app({"STORE": impatient, "TESTING": True}).test_client()
    holder = sqlite3.connect(env.store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.patch("/api/v1/organisations/ngo-d", json={"name": "Blocked"},
                                headers={**env.auth("editor"), "If-Match": etag})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert response.get_json()["message"]
    assert env.store.get_organisation("ngo-d").name == "Limpopo Legal Aid Desk"
    impatient.close()


def test_analyses_are_remembered_until_the_store_changes(store: SQLiteStore) -> None:
    first = analyses.gaps(store, redacted=True)
    assert analyses.gaps(store, redacted=True) is first
    assert analyses.gaps(store, redacted=False) is not first
    store.create_organisation(Organisation("lonely", "Lonely CBO", "cbo", district="Sekhukhune"))
    again = analyses.gaps(store, redacted=True)
    assert again is not first and ["lonely"] in [f["organisations"] for f in again]
