"""The GraphStore contract: identical assertions against every adapter.

Records, lists, search, bulk writes and identifiers here; revisions, counts, tokens and the audit log in
``test_store_contract_bookkeeping.py``; the unit of work and concurrent writes in
``test_store_contract_transactions.py``; shared records in ``store_contract_support.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, InvalidData, NotFound, StaleWrite
from network.graph.store import LinkQuery, OrganisationQuery
from tests.store_contract_support import RICH, link, org, snapshot


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
