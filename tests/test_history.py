"""History: every change keeps a version, and ``as_of`` reads the records as they stood (both stores)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest

from network.graph.project import project
from network.graph.records import now
from network.graph.sqlite import MIGRATIONS, SQLiteStore
from network.graph.store import AuditEntry, AuditQuery
from network.model import Link, Organisation
from network.service import seed_demo


def org(org_id: str, **kw) -> Organisation:
    return Organisation(org_id, kw.pop("name", org_id.title()), kw.pop("kind", "cbo"), district="Sekhukhune", **kw)


def moment_between() -> dt.datetime:
    """A moment strictly after the writes before it and strictly before the writes after it."""
    time.sleep(0.002)
    at = now()
    time.sleep(0.002)
    return at


def ids(records) -> list[str]:
    return [r.id for r in records]


def test_every_write_keeps_a_version_with_its_action_actor_and_times(store):
    store.create_organisation(org("a"))
    with store.transaction(actor="token:t1"):
        renamed = store.get_organisation("a")
        renamed.name = "Renamed"
        store.update_organisation(renamed, expected_version=1)
    with store.transaction(actor="cli"):
        store.delete_organisation("a")
    versions = store.history("organisation", "a")
    assert [(v.entity, v.entity_id, v.version, v.action, v.actor) for v in versions] == [
        ("organisation", "a", 1, "create", "system"),
        ("organisation", "a", 2, "update", "token:t1"),
        ("organisation", "a", 3, "delete", "cli"),
    ]
    assert [v.record.name for v in versions[:2]] == ["A", "Renamed"]
    assert [v.record.version for v in versions[:2]] == [1, 2]
    assert versions[2].record is None
    assert versions[0].valid_to == versions[1].valid_from < versions[1].valid_to == versions[2].valid_from
    assert versions[2].valid_to is None
    assert all(v.valid_from.tzinfo is not None for v in versions)


def test_link_history_and_a_recreated_id_continues_its_numbering(store):
    store.upsert([org("a"), org("b")], [])
    store.create_link(Link("l1", "a", "b", "referral"))
    store.update_link(Link("l1", "b", "a", "mou", status="expired"), expected_version=1)
    store.delete_link("l1")
    store.create_link(Link("l1", "a", "b", "funding"))
    versions = store.history("link", "l1")
    assert [(v.version, v.action) for v in versions] == [(1, "create"), (2, "update"), (3, "delete"), (4, "create")]
    assert isinstance(versions[1].record, Link)
    assert (versions[1].record.source, versions[1].record.kind, versions[1].record.status) == ("b", "mou", "expired")
    assert versions[3].record.version == 1


def test_history_of_unknown_records(store):
    assert store.history("organisation", "nobody") == []
    with pytest.raises(ValueError, match="organisations and links"):
        store.history("token", "t1")


def test_reading_as_of_a_moment_before_a_change_gives_the_old_version(store):
    store.create_organisation(org("a"))
    store.create_organisation(org("b"))
    store.create_link(Link("l1", "a", "b", "referral", status="active", end_date=dt.date(2027, 6, 30)))
    before = moment_between()
    store.update_link(Link("l1", "a", "b", "referral", status="expired", end_date=dt.date(2026, 6, 30)))
    assert [(x.id, x.status, x.end_date, x.version) for x in store.iter_links(as_of=before)] == [
        ("l1", "active", dt.date(2027, 6, 30), 1)]
    assert [(x.status, x.version) for x in store.iter_links()] == [("expired", 2)]
    assert [(x.status, x.version) for x in store.iter_links(as_of=now())] == [("expired", 2)]


def test_deleted_records_stand_before_their_deletion_and_not_after(store):
    store.upsert([org("a"), org("b")], [Link("l1", "a", "b", "referral")])
    store.create_organisation(org("c"))
    before = moment_between()
    store.delete_organisation("a", cascade=True)
    after = moment_between()
    assert ids(store.iter_organisations(as_of=before)) == ["a", "b", "c"]
    assert ids(store.iter_links(as_of=before)) == ["l1"]
    assert ids(store.iter_organisations(as_of=after)) == ["b", "c"]
    assert ids(store.iter_links(as_of=after)) == []
    assert [v.action for v in store.history("link", "l1")] == ["import", "delete"]


def test_records_created_later_are_absent_but_imported_ones_stood_already(store):
    store.upsert([org("imported-1"), org("imported-2")], [Link("l-imported", "imported-1", "imported-2", "mou")])
    store.create_organisation(org("created"))
    long_ago = dt.date(2020, 1, 1)
    assert ids(store.iter_organisations(as_of=long_ago)) == ["imported-1", "imported-2"]
    assert ids(store.iter_links(as_of=long_ago)) == ["l-imported"]
    naive_long_ago = dt.datetime(2020, 1, 1, 12, 0)
    assert ids(store.iter_organisations(as_of=naive_long_ago)) == ["imported-1", "imported-2"]
    assert ids(store.iter_organisations(as_of=dt.date.today())) == ["created", "imported-1", "imported-2"]


def test_bulk_paths_keep_versions(store):
    store.upsert([org("a"), org("b")], [Link("l1", "a", "b", "referral")])
    store.upsert([org("a", name="Merged A"), org("c")], [Link("l1", "a", "b", "mou")], action="create")
    assert [v.action for v in store.history("organisation", "c")] == ["create"]
    assert ids(store.iter_organisations(as_of=dt.date(2020, 1, 1))) == ["a", "b"]
    with store.transaction(actor="token:admin"):
        store.clear()
    assert [(v.action, v.actor) for v in store.history("organisation", "a")] == [
        ("import", "system"), ("update", "system"), ("delete", "token:admin")]
    assert store.history("organisation", "a")[1].record.name == "Merged A"
    assert [v.action for v in store.history("link", "l1")] == ["import", "update", "delete"]
    assert store.history("link", "l1")[1].record.kind == "mou"
    assert [v.action for v in store.history("organisation", "b")] == ["import", "delete"]
    assert list(store.iter_organisations(as_of=now())) == []


def test_a_failed_unit_of_work_keeps_no_version(store):
    store.create_organisation(org("a"))
    changes: dict = {}
    changes["loop"] = changes
    with pytest.raises(ValueError):
        with store.transaction(actor="token:t1"):
            store.update_organisation(org("a", name="Lost"), expected_version=1)
            store.create_organisation(org("b"))
            store.record_audit(AuditEntry(now(), "token:t1", "update", "organisation", "a", changes))
    assert [v.action for v in store.history("organisation", "a")] == ["create"]
    assert store.history("organisation", "b") == []
    assert store.list_audit(AuditQuery()).total == 0
    assert store.get_organisation("a").name == "A"


def test_projection_for_a_past_day_reads_history(store):
    store.upsert([org("a"), org("b")], [Link("l1", "a", "b", "referral", start_date=dt.date(2024, 7, 1))])
    store.update_link(Link("l1", "a", "b", "referral", status="ended", start_date=dt.date(2024, 7, 1)))
    store.delete_organisation("b", cascade=True)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    past = project(store, as_of=yesterday)
    assert sorted(past) == ["a", "b"]
    assert [(key, data["status"]) for _, _, key, data in past.edges(keys=True, data=True)] == [("l1", "active")]
    assert sorted(project(store, as_of=dt.date.today())) == ["a"]
    assert sorted(project(store)) == ["a"]


def test_demo_link_l0015_stands_with_its_dates_on_1_may_2026(store):
    seed_demo(store)
    on_the_day = {x.id: x for x in store.iter_links(as_of=dt.date(2026, 5, 1))}
    l15 = on_the_day["l-0015"]
    assert (l15.source, l15.target, l15.kind) == ("virginia-mobile-health-point", "welkom-regional-hospital",
                                                  "referral")
    assert (l15.start_date, l15.end_date) == (dt.date(2024, 7, 1), dt.date(2026, 6, 30))
    G = project(store, as_of=dt.date(2026, 5, 1))
    assert G.has_edge("virginia-mobile-health-point", "welkom-regional-hospital", key="l-0015")
    assert len(on_the_day) == sum(1 for _ in store.iter_links())


def test_sqlite_upgrade_gives_stored_records_a_first_version(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version=1")
    stamp = "2025-03-01T08:00:00.000000+00:00"
    conn.execute("INSERT INTO organisations (id, data, version, updated_at) VALUES (?, ?, 3, ?)",
                 ("a", '{"id": "a", "name": "Alpha", "kind": "cbo"}', stamp))
    conn.execute("INSERT INTO organisations (id, data, version, updated_at) VALUES (?, ?, 1, ?)",
                 ("b", '{"id": "b", "name": "Beta", "kind": "cbo"}', stamp))
    conn.execute("INSERT INTO links (id, source, target, data, version, updated_at) VALUES (?, ?, ?, ?, 2, ?)",
                 ("l1", "a", "b", '{"id": "l1", "source": "a", "target": "b", "kind": "mou"}', stamp))
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    try:
        [first] = store.history("organisation", "a")
        assert (first.version, first.action, first.actor, first.record.name, first.record.version) == (
            1, "import", "system", "Alpha", 3)
        assert first.valid_from == dt.datetime(2025, 3, 1, 8, tzinfo=dt.UTC)
        assert ids(store.iter_links(as_of=dt.date(2020, 1, 1))) == ["l1"]
        store.update_organisation(Organisation("a", "Alpha Two", "cbo"))
        assert [v.version for v in store.history("organisation", "a")] == [1, 2]
        assert store.get_organisation("a").version == 4
    finally:
        store.close()


def test_an_organisation_sensitive_today_is_sensitive_in_past_views(store):
    store.upsert([org("a"), org("b", sensitive=True)], [])
    store.update_organisation(org("a", sensitive=True, phone="+27 15 555 0100"))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert [o.sensitive for o in store.iter_organisations(as_of=yesterday)] == [False, True]
    past = project(store, as_of=yesterday)
    assert (past.nodes["a"]["sensitive"], past.nodes["b"]["sensitive"]) == (True, True)
