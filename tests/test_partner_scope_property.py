"""Property: whatever a partner sends through its invitation, every proposal it makes is about its own record or
its own ties; anything else is refused whole (422) and leaves the store, the queue and the invitation as they
were."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from network.errors import InvalidData
from network.graph.partners import ProposalQuery
from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery
from network.model import ORGANISATION_FIELDS
from network.service import invitations, review
from network.service.audit import CLI
from tests.api_support import small_network

ORGS, LINKS = small_network()
ORG_IDS = [o.id for o in ORGS] + ["ghost"]
LINK_IDS = [x.id for x in LINKS] + ["l-ghost"]

VALUES = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 50), st.lists(st.sampled_from(
    ["tb_screening", "art", "legal_aid", "made_up", "sex_workers"]), max_size=3), st.booleans())
SUBMISSIONS = st.fixed_dictionaries({}, optional={
    "confirm": st.booleans(),
    "corrections": st.dictionaries(st.sampled_from(ORGANISATION_FIELDS), VALUES, max_size=3),
    "ended_ties": st.lists(st.fixed_dictionaries({"link": st.sampled_from(LINK_IDS)}), max_size=2),
    "new_ties": st.lists(st.fixed_dictionaries({"other": st.sampled_from(ORG_IDS), "kind": st.sampled_from(
        ["mou", "referral", "funding", "friendship"]), "direction": st.sampled_from(["from", "to"])}), max_size=2),
})


def _state(store: SQLiteStore) -> tuple:
    return ([o.to_dict() for o in store.iter_organisations()], [x.to_dict() for x in store.iter_links()],
            store.list_audit(AuditQuery(limit=None)).total,
            store.list_proposals(ProposalQuery(limit=None)).total)


@settings(max_examples=60)
@given(org=st.sampled_from([o.id for o in ORGS]), sent=SUBMISSIONS)
def test_a_partner_proposes_only_for_its_own_organisation(tmp_path_factory, org: str, sent: dict) -> None:
    store = SQLiteStore(Path(tmp_path_factory.mktemp("scope")) / "scope.db")
    try:
        store.upsert(ORGS, LINKS)
        invitation, secret = invitations.create_invitation(store, org, actor=CLI)
        before = _state(store)
        try:
            made = review.submit(store, invitation, sent)
        except InvalidData:
            assert _state(store) == before
            assert invitations.open_invitation(store, secret).id == invitation.id
            return
        own_ties = {x.id for x in LINKS if org in (x.source, x.target)}
        assert made and all(p.organisation == org and p.status == "pending" for p in made)
        for p in made:
            if p.kind in ("confirm", "correct"):
                assert (p.entity, p.entity_id) == ("organisation", org)
                assert set(p.changes) <= set(review.EDITABLE["correct"]) | {"last_verified", "verified_by"}
            elif p.kind == "end_tie":
                assert p.entity_id in own_ties
            else:
                assert org in (p.changes["source"], p.changes["target"])
        assert store.get_invitation(invitation.id).used_at is not None
    finally:
        store.close()
