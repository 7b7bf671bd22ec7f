"""The GraphStore contract, on every adapter: revisions and changes, counts, clearing, iteration order, projection,
tokens and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import NotFound
from network.graph.project import project
from network.graph.store import AuditEntry, AuditQuery, Token
from tests.store_contract_support import link, org


def test_revision_grows_with_each_network_write(store):
    start = store.revision()
    store.create_organisation(org("a"))
    after_one = store.revision()
    store.upsert([org("b")], [])
    assert start < after_one < store.revision()
    settled = store.revision()
    store.add_token(Token("t1", "ops", "admin", "hash-1", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    store.record_audit(AuditEntry(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "ops", "x", "organisation", "a"))
    assert store.revision() == settled


def test_changes_name_every_record_written_after_a_revision(store):
    store.upsert([org("a"), org("b"), org("c")], [link("l1", "a", "b")])
    start = store.revision()
    with store.transaction(actor="ops"):
        store.update_organisation(org("a", name="Alpha"))
        store.create_link(link("l2", "b", "c"))
    middle = store.revision()
    store.delete_organisation("c", cascade=True)
    store.add_token(Token("t1", "ops", "admin", "hash-1", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    found = [store.changes(start), store.changes(middle), store.changes(store.revision())]
    assert [(c.revision, c.organisations, c.links) for c in found] == [
        (store.revision(), {"a", "c"}, {"l2"}), (store.revision(), {"c"}, {"l2"}), (store.revision(), set(), set())]
    assert store.changes(store.revision() + 1) is None  # a revision the store has not reached


def test_counts(store):
    store.upsert([org("a"), org("b", kind="clinic"), org("c", province="Free State", district="Mangaung")],
                 [link("l1", "a", "b"), link("l2", "b", "c", "mou", status="expired")])
    counts = store.counts()
    assert counts["organisations_by_kind"] == {"cbo": 2, "clinic": 1}
    assert counts["organisations_by_province"] == {"Limpopo": 2, "Free State": 1}
    assert counts["links_by_kind"] == {"referral": 1, "mou": 1}
    assert counts["links_by_status"] == {"active": 1, "expired": 1}


def test_clear_empties_network(store):
    store.upsert([org("a"), org("b")], [link("l1", "a", "b")])
    store.clear()
    assert store.list_organisations().total == 0
    assert store.list_links().total == 0


def test_iterators_are_ordered_by_id(store):
    store.upsert([org("b"), org("a"), org("c")], [link("l2", "a", "b"), link("l1", "b", "c")])
    assert [o.id for o in store.iter_organisations()] == ["a", "b", "c"]
    assert [x.id for x in store.iter_links()] == ["l1", "l2"]


def test_projection_filters(store):
    store.upsert([org("a"), org("b"), org("c", province="Free State", district="Mangaung")], [
        link("l1", "a", "b", "referral", start_date=dt.date(2025, 1, 1)),
        link("l2", "b", "c", "mou", status="expired"),
        link("l3", "a", "b", "funding", start_date=dt.date(2027, 1, 1)),
    ])
    G = project(store)
    assert sorted(G.edges(keys=True)) == [("a", "b", "l1"), ("a", "b", "l3"), ("b", "c", "l2")]
    assert G.nodes["a"]["district"] == "Sekhukhune"
    assert G.edges["a", "b", "l1"]["start_date"] == dt.date(2025, 1, 1)
    assert sorted(project(store, link_kinds=["mou"]).edges(keys=True)) == [("b", "c", "l2")]
    assert sorted(project(store, statuses=["active"]).edges(keys=True)) == [("a", "b", "l1"), ("a", "b", "l3")]
    assert sorted(project(store, as_of=dt.date(2026, 1, 1)).edges(keys=True)) == [
        ("a", "b", "l1"), ("b", "c", "l2")]
    limpopo = project(store, province="Limpopo")
    assert sorted(limpopo) == ["a", "b"]
    assert sorted(project(store, district="Mangaung")) == ["c"]


def test_tokens(store):
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store.add_token(Token("t1", "ops", "admin", "hash-1", created))
    store.add_token(Token("t2", "reader", "viewer", "hash-2", created + dt.timedelta(days=1)))
    assert store.find_token("hash-1").role == "admin"
    assert store.find_token("nope") is None
    assert [t.id for t in store.list_tokens()] == ["t2", "t1"]
    store.revoke_token("t1")
    assert store.find_token("hash-1") is None
    with pytest.raises(NotFound):
        store.revoke_token("t9")


def test_prune_tokens_deletes_old_and_revoked_tokens_of_one_role(store):
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    store.add_token(Token("s-old", "h", "session", "hash-old", start - dt.timedelta(hours=13)))
    store.add_token(Token("s-out", "h", "session", "hash-out", start - dt.timedelta(hours=1), revoked=True))
    store.add_token(Token("s-new", "h", "session", "hash-new", start - dt.timedelta(microseconds=1)))
    store.add_token(Token("t-old", "ops", "admin", "hash-admin", start - dt.timedelta(days=400), revoked=True))
    assert store.prune_tokens("session", start - dt.timedelta(hours=12)) == 2
    assert sorted(t.id for t in store.list_tokens()) == ["s-new", "t-old"]
    assert store.prune_tokens("session", start - dt.timedelta(hours=12)) == 0


def test_audit_log_newest_first(store):
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store.record_audit(AuditEntry(at, "ops", "create", "organisation", "a", {"name": [None, "A"]}))
    store.record_audit(AuditEntry(at + dt.timedelta(seconds=1), "ops", "delete", "link", "l1", {}))
    page = store.list_audit(AuditQuery())
    assert [e.action for e in page.items] == ["delete", "create"]
    assert page.items[1].changes == {"name": [None, "A"]}
    assert [e.entity_id for e in store.list_audit(AuditQuery(entity_id="a")).items] == ["a"]
