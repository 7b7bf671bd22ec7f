"""The partner-store contract (invitations, proposed changes, trusted partners): the same assertions on every
adapter, SQLite and the real Bolt server."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, NotFound
from network.graph.partners import Invitation, Proposal, ProposalQuery
from network.graph.store import LinkQuery, OrganisationQuery
from network.model import Link, Organisation

T0 = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


def invitation(inv_id: str, org: str = "a", **kw) -> Invitation:
    return Invitation(inv_id, org, created_at=kw.pop("created_at", T0), expires_at=T0 + dt.timedelta(days=14),
                      created_by="admin token", **kw)


def proposal(prop_id: str, org: str = "a", minutes: int = 0, **kw) -> Proposal:
    values = dict(kind="correct", entity="organisation", entity_id=org,
                  changes={"phone": "+27 15 555 0101", "services": ["tb_screening"]},
                  submitted_at=T0 + dt.timedelta(minutes=minutes), submitted_by="invitation for A",
                  base_version=1, invitation="inv1")
    values.update(kw)
    return Proposal(prop_id, org, **values)


def test_invitation_round_trip_and_listing(store):
    store.add_invitation(invitation("inv1", subject=None))
    store.add_invitation(invitation("inv2", "b", purpose="survey", subject="round-2026",
                                    created_at=T0 + dt.timedelta(hours=1)))
    got = store.get_invitation("inv2")
    assert got == invitation("inv2", "b", purpose="survey", subject="round-2026",
                             created_at=T0 + dt.timedelta(hours=1))
    assert [i.id for i in store.list_invitations()] == ["inv2", "inv1"]
    assert [i.id for i in store.list_invitations("a")] == ["inv1"]
    with pytest.raises(NotFound, match="nope"):
        store.get_invitation("nope")


def test_an_invitation_is_used_once(store):
    store.add_invitation(invitation("inv1"))
    used = store.use_invitation("inv1", T0 + dt.timedelta(days=1), "proposals")
    assert used.used_at == T0 + dt.timedelta(days=1) and used.used_for == "proposals"
    with pytest.raises(Conflict, match="used already"):
        store.use_invitation("inv1", T0 + dt.timedelta(days=2), "again")
    assert store.get_invitation("inv1").used_at == T0 + dt.timedelta(days=1)
    with pytest.raises(NotFound):
        store.use_invitation("ghost", T0, "x")


def test_invitation_writes_join_the_unit_of_work(store):
    with pytest.raises(RuntimeError):
        with store.transaction(actor="token:t1"):
            store.add_invitation(invitation("inv1"))
            raise RuntimeError("abandon")
    assert store.list_invitations() == []


def test_proposal_round_trip_and_queue_order(store):
    store.add_proposals([proposal("p2", minutes=5), proposal("p1"),
                         proposal("p3", "b", minutes=10, kind="new_tie", entity="link", entity_id="b-a-mou",
                                  changes={"id": "b-a-mou", "source": "b", "target": "a", "kind": "mou"},
                                  base_version=None, invitation=None)])
    assert store.get_proposal("p1") == proposal("p1")
    assert store.get_proposal("p3").base_version is None and store.get_proposal("p3").invitation is None
    page = store.list_proposals(ProposalQuery(status="pending"))
    assert [p.id for p in page.items] == ["p1", "p2", "p3"] and page.total == 3
    assert [p.id for p in store.list_proposals(ProposalQuery(organisation="b")).items] == ["p3"]
    assert [p.id for p in store.list_proposals(ProposalQuery(invitation="inv1", limit=1, offset=1)).items] == ["p2"]
    with pytest.raises(NotFound, match="nope"):
        store.get_proposal("nope")


def test_a_proposal_is_decided_once(store):
    store.add_proposals([proposal("p1")])
    decided = store.decide_proposal("p1", status="accepted", decided_by="editor token", decided_at=T0,
                                    note="checked by phone", applied={"phone": "+27 15 555 0102"})
    assert (decided.status, decided.decided_by, decided.decided_at, decided.note, decided.applied) == \
        ("accepted", "editor token", T0, "checked by phone", {"phone": "+27 15 555 0102"})
    with pytest.raises(Conflict, match="accepted already"):
        store.decide_proposal("p1", status="rejected", decided_by="other", decided_at=T0)
    assert store.get_proposal("p1").status == "accepted"
    assert store.list_proposals(ProposalQuery(status="pending")).total == 0
    with pytest.raises(NotFound):
        store.decide_proposal("ghost", status="rejected", decided_by="x", decided_at=T0)


def test_a_decision_rolls_back_with_its_unit_of_work(store):
    store.create_organisation(Organisation("a", "A", "cbo"))
    store.add_proposals([proposal("p1")])
    with pytest.raises(RuntimeError):
        with store.transaction(actor="token:t1"):
            store.decide_proposal("p1", status="accepted", decided_by="editor", decided_at=T0)
            store.update_organisation(Organisation("a", "A changed", "cbo"), expected_version=1)
            raise RuntimeError("abandon")
    assert store.get_proposal("p1").status == "pending"
    assert store.get_organisation("a").name == "A"


def test_trusted_partners(store):
    assert store.trusted_organisations() == []
    store.set_trusted("b", True)
    store.set_trusted("a", True)
    store.set_trusted("a", True)
    assert store.trusted_organisations() == ["a", "b"]
    store.set_trusted("b", False)
    store.set_trusted("c", False)
    assert store.trusted_organisations() == ["a"]


def test_stale_filter_keeps_records_never_verified_or_verified_before_the_day(store):
    day = dt.date(2025, 12, 1)
    store.upsert([Organisation("a", "A", "cbo", last_verified=dt.date(2025, 11, 30)),
                  Organisation("b", "B", "cbo", last_verified=day),
                  Organisation("c", "C", "cbo"),
                  Organisation("d", "D", "cbo", last_verified=dt.date(2026, 1, 1))],
                 [Link("l1", "a", "b", "mou", last_verified=dt.date(2024, 1, 1)),
                  Link("l2", "b", "c", "mou", last_verified=day),
                  Link("l3", "c", "d", "referral")])
    stale = store.list_organisations(OrganisationQuery(verified_before=day))
    assert [o.id for o in stale.items] == ["a", "c"] and stale.total == 2
    assert [o.id for o in store.list_organisations(OrganisationQuery(verified_before=day, kind="cbo",
                                                                     q="C")).items] == ["c"]
    assert [x.id for x in store.list_links(LinkQuery(verified_before=day)).items] == ["l1", "l3"]
    assert [x.id for x in store.list_links(LinkQuery(verified_before=day, organisation="c")).items] == ["l3"]
