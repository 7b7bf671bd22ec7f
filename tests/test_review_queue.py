"""Invitations and the review queue on both stores: scoped to one organisation, one-time, expiring; decisions
applied in one transaction with their audit entry and history version; refusals and rejections write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, InvalidData, NotFound
from network.graph.partners import Invitation, ProposalQuery
from network.graph.store import AuditQuery, Token
from network.model import today
from network.service import invitations, review
from network.service.audit import CLI, Actor
from network.service.tokens import hash_secret
from tests.api_support import SENSITIVE_ID, small_network

COORDINATOR = Actor("token:tok_editor", "coordinator")


def everything(store) -> dict:
    """All a submission or decision could touch: records, their history, the audit log and the queue."""
    return {
        "organisations": [o.to_dict() for o in store.iter_organisations()],
        "links": [x.to_dict() for x in store.iter_links()],
        "history": [(v.entity_id, v.version, v.action) for o in store.iter_organisations()
                    for v in store.history("organisation", o.id)],
        "audit": store.list_audit(AuditQuery(limit=None)).total,
        "proposals": [(p.id, p.status) for p in store.list_proposals(ProposalQuery(limit=None)).items],
        "invitations": [(i.id, i.used_at) for i in store.list_invitations()],
    }


@pytest.fixture
def seeded(store):
    store.upsert(*small_network())
    return store


def test_an_invitation_opens_for_its_own_organisation_only(seeded):
    inv, secret = invitations.create_invitation(seeded, "cbo-b", actor=CLI)
    assert invitations.open_invitation(seeded, secret).organisation == "cbo-b"
    assert inv.expires_at - inv.created_at == dt.timedelta(days=invitations.DEFAULT_DAYS)
    with pytest.raises(NotFound):
        invitations.open_invitation(seeded, secret + "x")
    with pytest.raises(NotFound):
        invitations.open_invitation(seeded, secret, purpose="survey")
    # correcting or ending another organisation's record or ties is refused and nothing is written
    before = everything(seeded)
    with pytest.raises(InvalidData, match="not one of your organisation's ties"):
        review.submit(seeded, inv, {"ended_ties": [{"link": "l-ref-3"}]})
    with pytest.raises(InvalidData, match="may not change 'sensitive'"):
        review.submit(seeded, inv, {"corrections": {"sensitive": True}})
    with pytest.raises(InvalidData, match="Unknown service"):
        review.submit(seeded, inv, {"confirm": True, "corrections": {"services": ["made_up"]}})
    with pytest.raises(InvalidData, match="Nothing to send"):
        review.submit(seeded, inv, {})
    assert everything(seeded) == before
    made = review.submit(seeded, inv, {"confirm": True, "corrections": {"phone": "+27 15 555 0101"}})
    assert {(p.organisation, p.entity_id, p.kind) for p in made} == {("cbo-b", "cbo-b", "confirm"),
                                                                     ("cbo-b", "cbo-b", "correct")}
    assert seeded.get_organisation("cbo-b").phone is None  # queued, not applied


def test_an_invitation_stops_working_after_use(seeded):
    inv, secret = invitations.create_invitation(seeded, "cbo-b", actor=CLI)
    review.submit(seeded, inv, {"confirm": True})
    with pytest.raises(invitations.InvitationEnded, match="used on"):
        invitations.open_invitation(seeded, secret)
    before = everything(seeded)
    with pytest.raises(invitations.InvitationEnded, match="used already"):
        review.submit(seeded, inv, {"confirm": True})
    assert everything(seeded) == before


def test_an_invitation_stops_working_when_it_expires(seeded):
    inv, secret = invitations.create_invitation(seeded, "cbo-b", actor=CLI, days=1)
    stored = seeded.get_invitation(inv.id)
    assert stored.expires_at - stored.created_at == dt.timedelta(days=1)
    # an invitation created 15 days ago for 14 days has expired
    old = Invitation("inv_old", "cbo-b", created_at=stored.created_at - dt.timedelta(days=15),
                                 expires_at=stored.created_at - dt.timedelta(days=1), created_by="cli")
    with seeded.transaction():
        seeded.add_invitation(old)
        seeded.add_token(Token("inv_old", "old", invitations.INVITATION_ROLE,
                                           hash_secret("old-secret"), old.created_at,
                                           organisation="cbo-b"))
    with pytest.raises(invitations.InvitationEnded, match="expired on"):
        invitations.open_invitation(seeded, "old-secret")
    invitations.withdraw_invitation(seeded, inv.id, actor=CLI)
    with pytest.raises(NotFound, match="withdrawn"):
        invitations.open_invitation(seeded, secret)


def test_creating_an_invitation_is_validated(seeded):
    with pytest.raises(InvalidData, match="No organisation with id 'ghost'"):
        invitations.create_invitation(seeded, "ghost", actor=CLI)
    with pytest.raises(InvalidData, match="from 1 to 90"):
        invitations.create_invitation(seeded, "cbo-b", actor=CLI, days=0)
    assert seeded.list_invitations() == []


def test_accepting_applies_change_audit_and_history_together(seeded):
    inv, _ = invitations.create_invitation(seeded, "cbo-b", actor=CLI)
    made = review.submit(seeded, inv, {
        "confirm": True, "corrections": {"phone": "+27 15 555 0101"},
        "ended_ties": [{"link": "l-fund-4", "end_date": "2026-06-30"}],
        "new_ties": [{"other": "ngo-d", "kind": "referral", "services": ["legal_aid"]}]})
    by_kind = {p.kind: p for p in made}
    versions_before = len(seeded.history("organisation", "cbo-b"))
    review.accept(seeded, by_kind["confirm"].id, actor=COORDINATOR)
    review.accept(seeded, by_kind["correct"].id, actor=COORDINATOR, edits={"phone": "+27 15 555 0199"})
    review.accept(seeded, by_kind["end_tie"].id, actor=COORDINATOR)
    review.accept(seeded, by_kind["new_tie"].id, actor=COORDINATOR, note="agreed at the forum")
    org = seeded.get_organisation("cbo-b")
    assert (org.last_verified, org.phone) == (today(), "+27 15 555 0199")
    assert org.verified_by == "Sekhukhune Miners Support (the partner, by invitation)"
    ended = seeded.get_link("l-fund-4")
    assert (ended.status, ended.end_date) == ("ended", dt.date(2026, 6, 30))
    tie = seeded.get_link(by_kind["new_tie"].entity_id)
    assert (tie.source, tie.target, tie.kind, tie.services) == ("cbo-b", "ngo-d", "referral", ["legal_aid"])
    history = seeded.history("organisation", "cbo-b")
    assert len(history) == versions_before + 2 and {v.actor for v in history[-2:]} == {"token:tok_editor"}
    assert seeded.history("link", tie.id)[-1].action == "create"
    decisions = [e for e in seeded.list_audit(AuditQuery(actor="coordinator", limit=None)).items
                 if e.entity == "proposal"]
    assert sorted(e.entity_id for e in decisions) == sorted(p.id for p in made)
    assert {e.action for e in decisions} == {"accept"}
    edited = seeded.get_proposal(by_kind["correct"].id)
    assert (edited.status, edited.applied, edited.decided_by) == ("accepted", {"phone": "+27 15 555 0199"},
                                                                  "coordinator")
    with pytest.raises(Conflict, match="accepted already"):
        review.reject(seeded, by_kind["correct"].id, actor=COORDINATOR)


def test_a_refused_acceptance_writes_nothing(seeded):
    inv, _ = invitations.create_invitation(seeded, "cbo-b", actor=CLI)
    made = review.submit(seeded, inv, {"corrections": {"phone": "+27 15 555 0101"}})
    before = everything(seeded)
    with pytest.raises(InvalidData, match="Not a phone number"):
        review.accept(seeded, made[0].id, actor=COORDINATOR, edits={"phone": "call us"})
    with pytest.raises(InvalidData, match="cannot change 'sensitive'"):
        review.accept(seeded, made[0].id, actor=COORDINATOR, edits={"sensitive": True})
    assert everything(seeded) == before


def test_rejecting_leaves_the_store_as_it_was(seeded):
    inv, _ = invitations.create_invitation(seeded, SENSITIVE_ID, actor=CLI)
    made = review.submit(seeded, inv, {"new_ties": [{"other": "cbo-b", "kind": "mou"}],
                                       "corrections": {"municipality": "Elsewhere"}})
    before = everything(seeded)
    for p in made:
        review.reject(seeded, p.id, actor=COORDINATOR, note="not agreed")
    after = everything(seeded)
    assert after["organisations"] == before["organisations"] and after["links"] == before["links"]
    assert after["history"] == before["history"]
    assert after["audit"] == before["audit"] + len(made)
    assert {status for _, status in after["proposals"]} == {"rejected"}


def test_a_trusted_partners_changes_apply_directly_and_are_audited(seeded):
    review.set_trusted(seeded, "ngo-d", True, actor=CLI)
    assert review.trusted(seeded) == ["ngo-d"]
    inv, _ = invitations.create_invitation(seeded, "ngo-d", actor=CLI)
    made = review.submit(seeded, inv, {"confirm": True, "corrections": {"name": "Limpopo Legal Aid"}})
    assert {p.status for p in made} == {"accepted"}
    org = seeded.get_organisation("ngo-d")
    assert (org.name, org.last_verified) == ("Limpopo Legal Aid", today())
    accepted = [e for e in seeded.list_audit(AuditQuery(entity_id=made[0].id)).items]
    assert accepted[0].action == "accept" and "trusted partner" in accepted[0].actor
    assert seeded.history("organisation", "ngo-d")[-1].actor == f"invitation:{inv.id}"
