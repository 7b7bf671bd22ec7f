"""The GraphStore contract: identical assertions against every adapter."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest

from network.errors import Busy, Conflict, InvalidData, NotFound, StaleWrite
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditEntry, AuditQuery, LinkQuery, OrganisationQuery, Token
from network.model import Link, Organisation
from tests.conftest import make_sqlite_store


def org(org_id: str, **kw) -> Organisation:
    defaults = dict(name=org_id.replace("-", " ").title(), kind="cbo", province="Limpopo",
                    district="Sekhukhune")
    defaults.update(kw)
    return Organisation(org_id, **defaults)


def link(link_id: str, source: str, target: str, kind: str = "referral", **kw) -> Link:
    return Link(link_id, source, target, kind, **kw)


def snapshot(store) -> tuple[list[dict], list[dict]]:
    """Everything stored, for comparing before and after a refused write."""
    return ([o.to_dict() for o in store.iter_organisations()], [x.to_dict() for x in store.iter_links()])


RICH = org(
    "sekhukhune-ex-mineworkers", name="Sekhukhune Ex-Mineworkers Association", kind="ex_mineworkers_association",
    aliases=["SEMA", "Sekhukhune Ex Mine Workers"], description="Ex-miners' rights and benefits.",
    municipality="Fetakgomo Tubatse", latitude=-24.68, longitude=30.33,
    services=["silicosis_screening", "tb_screening"], populations=["ex_mineworkers", "mining_communities"],
    capacity_per_month=120, languages=["Sepedi", "English"], phone="+27 15 555 0100",
    email="info@sema.example.org.za", website="https://sema.example.org.za", status="active",
    sensitive=True, tags=["mining"], external_ids={"npo": "123-456", "dhis2": "abc"}, source="survey 2026",
    last_verified=dt.date(2026, 3, 1),
)


def test_create_and_get_round_trip_every_field(store):
    stored = store.create_organisation(RICH)
    got = store.get_organisation(RICH.id)
    assert got == stored
    expected = RICH.to_dict() | {"version": 1, "updated_at": got.updated_at}
    assert got.to_dict() == expected
    assert isinstance(got.last_verified, dt.date)
    assert got.updated_at is not None


def test_link_round_trip_every_field(store):
    store.upsert([org("a"), org("b")], [])
    rich = link("l1", "a", "b", "mou", services=["tb_treatment"], status="active",
                start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 1, 1), weight=5, formal=True,
                document="MoU 2025/1", notes="signed at forum", last_verified=dt.date(2026, 1, 5))
    store.create_link(rich)
    got = store.get_link("l1")
    assert got.to_dict() == rich.to_dict() | {"version": 1, "updated_at": got.updated_at}


def test_get_missing_raises_not_found(store):
    with pytest.raises(NotFound, match="nobody"):
        store.get_organisation("nobody")
    with pytest.raises(NotFound, match="l-none"):
        store.get_link("l-none")


def test_duplicate_id_refused(store):
    store.create_organisation(org("a"))
    with pytest.raises(Conflict, match="'a'"):
        store.create_organisation(org("a", name="Another"))
    assert store.get_organisation("a").name == "A"


def test_update_bumps_version_and_refuses_stale_write(store):
    store.create_organisation(org("a"))
    first = store.get_organisation("a")
    first.name = "Alpha"
    updated = store.update_organisation(first, expected_version=1)
    assert updated.version == 2
    stale = store.get_organisation("a")
    stale.name = "Lost update"
    with pytest.raises(StaleWrite):
        store.update_organisation(stale, expected_version=1)
    assert store.get_organisation("a").name == "Alpha"


def test_update_missing_raises_not_found(store):
    with pytest.raises(NotFound):
        store.update_organisation(org("ghost"))


def test_link_to_missing_organisation_refused(store):
    store.create_organisation(org("a"))
    before = snapshot(store)
    with pytest.raises(InvalidData, match="'ghost'"):
        store.create_link(link("l1", "a", "ghost"))
    assert snapshot(store) == before


def test_self_link_refused(store):
    store.create_organisation(org("a"))
    with pytest.raises(InvalidData, match="both 'a'"):
        store.create_link(link("l1", "a", "a"))


def test_delete_with_links_refused_unless_cascade(store):
    store.upsert([org("a"), org("b"), org("c")], [link("l1", "a", "b"), link("l2", "c", "a", "mou")])
    with pytest.raises(Conflict, match="2 link"):
        store.delete_organisation("a")
    assert store.get_organisation("a").id == "a"
    assert store.delete_organisation("a", cascade=True) == 2
    with pytest.raises(NotFound):
        store.get_organisation("a")
    assert store.list_links().total == 0
    assert store.list_organisations().total == 2


def test_delete_link(store):
    store.upsert([org("a"), org("b")], [link("l1", "a", "b")])
    store.delete_link("l1")
    assert store.list_links().total == 0
    with pytest.raises(NotFound):
        store.delete_link("l1")


def test_list_filters_and_pagination(store):
    store.upsert([
        org("clinic-1", kind="clinic", services=["tb_screening", "tb_treatment"], populations=[]),
        org("cbo-1", services=["peer_education"], populations=["sex_workers"], sensitive=True),
        org("cbo-2", province="Free State", district="Lejweleputswa", services=["tb_screening"],
            populations=["mineworkers"], status="inactive"),
        org("sadc", kind="regional_body", province=None, district=None),
    ], [])
    ids = lambda q: [o.id for o in store.list_organisations(q).items]  # noqa: E731
    assert ids(OrganisationQuery()) == ["cbo-1", "cbo-2", "clinic-1", "sadc"]
    assert ids(OrganisationQuery(kind="clinic")) == ["clinic-1"]
    assert ids(OrganisationQuery(province="Limpopo")) == ["cbo-1", "clinic-1"]
    assert ids(OrganisationQuery(district="Lejweleputswa")) == ["cbo-2"]
    assert ids(OrganisationQuery(service="tb_screening")) == ["cbo-2", "clinic-1"]
    assert ids(OrganisationQuery(population="sex_workers")) == ["cbo-1", "clinic-1", "sadc"]
    assert ids(OrganisationQuery(population="mineworkers")) == ["cbo-2", "clinic-1", "sadc"]
    assert ids(OrganisationQuery(status="inactive")) == ["cbo-2"]
    assert ids(OrganisationQuery(sensitive=True)) == ["cbo-1"]
    assert ids(OrganisationQuery(service="tb_screening", province="Limpopo")) == ["clinic-1"]
    assert ids(OrganisationQuery(ids=("sadc", "cbo-1", "nope"))) == ["cbo-1", "sadc"]
    page = store.list_organisations(OrganisationQuery(limit=2, offset=1))
    assert [o.id for o in page.items] == ["cbo-2", "clinic-1"]
    assert page.total == 4


def test_population_filter_follows_serves(store):
    """A public clinic with no populations serves everyone, artisanal miners included."""
    store.upsert([
        org("jane-furse-hospital", kind="hospital", services=["tb_treatment"], populations=[]),
        org("sekhukhune-artisanal-miners-forum", services=["peer_education"], populations=["artisanal_miners"]),
        org("tubatse-sex-worker-network", kind="kp_network", populations=["sex_workers"], sensitive=True),
    ], [])
    found = store.list_organisations(OrganisationQuery(population="artisanal_miners", district="Sekhukhune"))
    assert [o.id for o in found.items] == ["jane-furse-hospital", "sekhukhune-artisanal-miners-forum"]
    assert found.total == 2
    assert [o.id for o in store.list_organisations(
        OrganisationQuery(population="artisanal_miners", service="tb_treatment")).items] == ["jane-furse-hospital"]


@pytest.mark.parametrize("text, expected", [
    ("sekhukhune", ["sekhukhune-ex-mineworkers"]),
    ("sekhu mine", ["sekhukhune-ex-mineworkers"]),
    ("SEMA", ["sekhukhune-ex-mineworkers"]),
    ("thabong", ["thabong-clinic"]),
    ("clinic", ["thabong-clinic"]),
    ("welkom", []),
    ("\"; DROP TABLE organisations; --", []),
])
def test_text_search_over_names_and_aliases(store, text, expected):
    store.upsert([RICH, org("thabong-clinic", name="Thabong Community Clinic", kind="clinic")], [])
    assert [o.id for o in store.list_organisations(OrganisationQuery(q=text)).items] == expected


def test_search_follows_renames(store):
    store.create_organisation(org("a", name="Old Name"))
    renamed = store.get_organisation("a")
    renamed.name = "Fresh Title"
    store.update_organisation(renamed)
    assert store.list_organisations(OrganisationQuery(q="old")).total == 0
    assert store.list_organisations(OrganisationQuery(q="fresh")).total == 1


def test_link_filters(store):
    store.upsert([org("a"), org("b"), org("c")], [
        link("l1", "a", "b", "referral", services=["tb_treatment"]),
        link("l2", "b", "c", "mou", status="expired"),
        link("l3", "c", "a", "funding"),
    ])
    ids = lambda q: [x.id for x in store.list_links(q).items]  # noqa: E731
    assert ids(LinkQuery()) == ["l1", "l2", "l3"]
    assert ids(LinkQuery(kind="mou")) == ["l2"]
    assert ids(LinkQuery(status="active")) == ["l1", "l3"]
    assert ids(LinkQuery(organisation="a")) == ["l1", "l3"]
    assert ids(LinkQuery(source="c")) == ["l3"]
    assert ids(LinkQuery(target="b")) == ["l1"]
    assert ids(LinkQuery(service="tb_treatment")) == ["l1"]
    assert store.list_links(LinkQuery(limit=1, offset=2)).items[0].id == "l3"


def test_upsert_creates_then_updates(store):
    result = store.upsert([org("a"), org("b")], [link("l1", "a", "b")])
    assert (result.organisations_created, result.links_created) == (2, 1)
    result = store.upsert([org("a", name="Renamed"), org("c")], [link("l1", "a", "b", weight=5)])
    assert (result.organisations_created, result.organisations_updated) == (1, 1)
    assert (result.links_created, result.links_updated) == (0, 1)
    assert store.get_organisation("a").name == "Renamed"
    assert store.get_organisation("a").version == 2
    assert store.get_link("l1").weight == 5


@pytest.mark.parametrize("count", [3, 60])
def test_upsert_moves_links_to_new_ends_and_kinds(store, count):
    """A re-imported link may change its source, target or kind; it is updated, never doubled.

    Both a few links and many are tried: stores may look many ids up differently.
    """
    store.upsert([org(f"o{i}") for i in range(4)], [link(f"l{i}", "o0", "o1") for i in range(count)])
    moved = [link(f"l{i}", "o2", "o3", "mou" if i % 2 else "referral", weight=i) for i in range(count)]
    result = store.upsert([], [*moved, link("fresh", "o1", "o2")])
    assert (result.links_created, result.links_updated) == (1, count)
    stored = {x.id: x for x in store.iter_links()}
    assert len(stored) == count + 1
    assert all((stored[f"l{i}"].source, stored[f"l{i}"].target, stored[f"l{i}"].weight, stored[f"l{i}"].version)
               == ("o2", "o3", i, 2) for i in range(count))
    assert stored["l1"].kind == "mou"


def test_refused_bulk_write_leaves_store_exactly_as_before(store):
    store.upsert([org("a"), org("b")], [link("l1", "a", "b")])
    before = snapshot(store)
    revision = store.revision()
    with pytest.raises(InvalidData, match="'ghost'"):
        store.upsert([org("a", name="Changed"), org("new")], [link("l2", "a", "ghost"), link("l1", "b", "a")])
    assert snapshot(store) == before
    assert store.revision() == revision


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
    if found == [None, None, None]:
        assert isinstance(store, SQLiteStore) is False  # an adapter may say it cannot tell; SQLite always can
        return
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


# unit of work
def everything(store) -> tuple:
    """Every stored record of every kind: network, tokens and audit log."""
    return (snapshot(store), [t.id for t in store.list_tokens()],
            [(e.action, e.entity_id) for e in store.list_audit(AuditQuery(limit=None)).items])


AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_transaction_commits_every_kind_of_write_together(store):
    start = store.revision()
    with store.transaction(actor="token:t1"):
        store.create_organisation(org("a"))
        store.upsert([org("b")], [link("l1", "a", "b")])
        store.create_link(link("l2", "b", "a", "mou"))
        store.add_token(Token("t1", "ops", "admin", "hash-1", AT))
        store.record_audit(AuditEntry(AT, "token:t1", "create", "organisation", "a"))
        assert store.get_link("l1").source == "a"
    assert [o.id for o in store.iter_organisations()] == ["a", "b"]
    assert [x.id for x in store.iter_links()] == ["l1", "l2"]
    assert store.find_token("hash-1").id == "t1"
    assert [e.entity_id for e in store.list_audit().items] == ["a"]
    assert store.revision() > start


def test_transaction_rolls_back_every_write_when_the_block_fails(store):
    store.create_organisation(org("keep"))
    before, revision = everything(store), store.revision()
    with pytest.raises(RuntimeError, match="after the writes"):
        with store.transaction(actor="cli"):
            store.create_organisation(org("a"))
            store.upsert([org("b")], [link("l1", "a", "b")])
            store.delete_organisation("keep")
            store.add_token(Token("t1", "ops", "admin", "hash-1", AT))
            store.record_audit(AuditEntry(AT, "cli", "create", "organisation", "a"))
            raise RuntimeError("after the writes")
    assert everything(store) == before
    assert store.revision() == revision


def test_failing_audit_write_takes_the_change_with_it(store):
    """The audit entry cannot be stored (its changes refer to themselves): the change is not stored either."""
    store.create_organisation(org("a"))
    before = everything(store)
    changes: dict = {}
    changes["self"] = changes
    with pytest.raises(ValueError):
        with store.transaction(actor="token:t1"):
            renamed = store.get_organisation("a")
            renamed.name = "Renamed"
            store.update_organisation(renamed, expected_version=1)
            store.record_audit(AuditEntry(AT, "token:t1", "update", "organisation", "a", changes))
    assert everything(store) == before
    assert store.get_organisation("a").version == 1


def test_nested_blocks_join_the_outer_one(store):
    with pytest.raises(RuntimeError):
        with store.transaction(actor="outer"):
            with store.transaction(actor="inner"):
                store.create_organisation(org("a"))
            assert store.get_organisation("a").id == "a"
            raise RuntimeError("outer fails")
    assert store.list_organisations().total == 0
    with store.transaction(actor="outer"):
        with store.transaction(actor="inner"):
            store.create_organisation(org("a"))
        store.create_organisation(org("b"))
    assert store.list_organisations().total == 2


def test_stale_write_inside_a_block_undoes_the_block(store):
    store.create_organisation(org("a"))
    store.update_organisation(org("a", name="Second"))
    with pytest.raises(StaleWrite):
        with store.transaction(actor="token:t1"):
            store.create_organisation(org("b"))
            store.update_organisation(org("a", name="Lost"), expected_version=1)
    assert [o.id for o in store.iter_organisations()] == ["a"]
    assert store.get_organisation("a").name == "Second"


def test_block_writes_are_unseen_by_other_threads_until_commit(store):
    seen: list[int] = []

    def count_elsewhere() -> None:
        seen.append(store.list_organisations().total)

    with store.transaction(actor="cli"):
        store.create_organisation(org("a"))
        reader = threading.Thread(target=count_elsewhere)
        reader.start()
        reader.join()
    count_elsewhere()
    assert seen == [0, 1]


def test_sqlite_busy_when_the_write_lock_is_held_too_long(tmp_path):
    holder = make_sqlite_store(tmp_path / "busy.db")
    waiter = SQLiteStore(tmp_path / "busy.db", busy_timeout=0.2)
    try:
        with holder.transaction(actor="cli"):
            holder.create_organisation(org("a"))
            with pytest.raises(Busy, match="busy with another change; try again"):
                waiter.create_organisation(org("b"))
            with pytest.raises(Busy):
                with waiter.transaction(actor="token:t1"):
                    pass
        waiter.create_organisation(org("b"))
        assert [o.id for o in waiter.iter_organisations()] == ["a", "b"]
        assert Busy().status == 503
    finally:
        waiter.close()
        holder.close()


# identifiers: kept as written, unique regardless of case, looked up exactly
def test_ids_keep_their_case_and_are_unique_regardless_of_case(store):
    store.create_organisation(org("Org-A"))
    store.create_organisation(org("b"))
    assert store.get_organisation("Org-A").id == "Org-A"
    with pytest.raises(NotFound):
        store.get_organisation("org-a")
    with pytest.raises(Conflict, match="'Org-A' already exists; ids are unique regardless of case") as refused:
        store.create_organisation(org("ORG-a"))
    assert refused.value.errors == {"id": ["'ORG-a' differs only in case from 'Org-A', which is in use."]}
    store.create_link(link("L12", "Org-A", "b"))
    with pytest.raises(Conflict, match="'L12'"):
        store.create_link(link("l12", "b", "Org-A", "mou"))
    with pytest.raises(NotFound):
        store.delete_link("l12")
    assert [x.id for x in store.iter_links()] == ["L12"]
    assert [o.id for o in store.iter_organisations()] == ["Org-A", "b"]


def test_bulk_upsert_refuses_ids_that_differ_only_in_case(store):
    store.upsert([org("Org-A"), org("b")], [link("L12", "Org-A", "b")])
    before = snapshot(store)
    with pytest.raises(Conflict, match="'x1' differs only in case from 'X1'"):
        store.upsert([org("X1"), org("x1")], [])
    with pytest.raises(Conflict, match="'org-a' differs only in case from 'Org-A'"):
        store.upsert([org("org-a")], [])
    with pytest.raises(Conflict, match="'l12' differs only in case from 'L12'") as refused:
        store.upsert([], [link("l12", "Org-A", "b")])
    assert list(refused.value.errors) == ["l12"]
    with pytest.raises(Conflict, match="'l13' differs only in case from 'L13'"):
        store.upsert([], [link("L13", "Org-A", "b"), link("l13", "b", "Org-A")])
    assert snapshot(store) == before
    result = store.upsert([org("Org-A", name="Renamed")], [link("L12", "b", "Org-A", "mou")])
    assert (result.organisations_updated, result.links_updated) == (1, 1)
    assert store.get_link("L12").source == "b"


def _race(store, entity: str, record_id: str, delete, update) -> tuple[list[str], dict[str, str]]:
    """Run ``delete`` and ``update`` at once, each in its own audited unit of work tried again while ``Busy``.

    Returns the winners and every attempt's outcome ("done" or the refusal's name).
    """
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def attempt(name: str, change) -> None:
        barrier.wait()
        for _ in range(50):
            try:
                with store.transaction(actor=f"token:{name}"):
                    change()
                    store.record_audit(AuditEntry(AT, f"token:{name}", name, entity, record_id))
                outcomes[name] = "done"
                return
            except Busy:
                continue
            except (StaleWrite, NotFound) as refused:
                outcomes[name] = type(refused).__name__
                return

    threads = [threading.Thread(target=attempt, args=("delete", delete)),
               threading.Thread(target=attempt, args=("update", update))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [name for name, outcome in outcomes.items() if outcome == "done"], outcomes


def test_concurrent_delete_and_update_leave_exactly_one_outcome(store):
    """Two editors act on version 1 of one organisation at once: one wins, the other is refused."""
    store.create_organisation(org("a"))
    winners, outcomes = _race(store, "organisation", "a",
                              lambda: store.delete_organisation("a", expected_version=1),
                              lambda: store.update_organisation(org("a", name="Updated"), expected_version=1))
    assert len(winners) == 1 and len(outcomes) == 2
    audited = [e.action for e in store.list_audit().items]
    assert audited == winners
    if winners == ["delete"]:
        assert outcomes["update"] in ("StaleWrite", "NotFound")
        assert store.list_organisations().total == 0
        assert [v.action for v in store.history("organisation", "a")] == ["create", "delete"]
    else:
        assert outcomes["delete"] == "StaleWrite"
        assert store.get_organisation("a").name == "Updated"
        assert [v.action for v in store.history("organisation", "a")] == ["create", "update"]


def test_concurrent_delete_and_update_of_a_link_leave_exactly_one_outcome(store):
    """Two editors act on version 1 of one link at once (the update moves it to another source): one wins."""
    store.upsert([org("a"), org("b"), org("c")], [link("l1", "a", "b")])
    winners, outcomes = _race(store, "link", "l1",
                              lambda: store.delete_link("l1", expected_version=1),
                              lambda: store.update_link(link("l1", "c", "b", "mou"), expected_version=1))
    assert len(winners) == 1 and len(outcomes) == 2
    assert [e.action for e in store.list_audit().items] == winners
    if winners == ["delete"]:
        assert outcomes["update"] in ("StaleWrite", "NotFound")
        assert store.list_links().total == 0
        assert [v.action for v in store.history("link", "l1")] == ["import", "delete"]
    else:
        assert outcomes["delete"] == "StaleWrite"
        assert (store.get_link("l1").source, store.get_link("l1").kind) == ("c", "mou")
        assert [v.action for v in store.history("link", "l1")] == ["import", "update"]


def test_stale_link_delete_refused(store):
    """A delete that names a version the link has left is refused and deletes nothing."""
    store.upsert([org("a"), org("b")], [link("l1", "a", "b")])
    store.update_link(link("l1", "a", "b", notes="renewed"), expected_version=1)
    with pytest.raises(StaleWrite, match="version 1, now 2"):
        store.delete_link("l1", expected_version=1)
    assert store.get_link("l1").version == 2


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="ArcadeDB commits optimistically; Neo4j 5 waits on locks")
def test_bolt_conflicting_commit_is_busy(bolt_store_session, bolt_wipe):
    """A unit of work whose commit clashes with one committed meanwhile ends with ``Busy`` and leaves no trace."""
    store = bolt_store_session
    bolt_wipe()
    store.create_organisation(org("a"))
    with pytest.raises(Busy, match="try again in a moment"):
        with store.transaction(actor="token:slow"):
            store.update_organisation(org("a", name="Slow"), expected_version=1)
            rival = threading.Thread(target=lambda: store.update_organisation(org("a", name="Quick")))
            rival.start()
            rival.join()
    assert store.get_organisation("a").name == "Quick"
    assert [(v.action, v.actor) for v in store.history("organisation", "a")] == [
        ("create", "system"), ("update", "system")]
    bolt_wipe()
