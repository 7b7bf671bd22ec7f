"""The review queue: partners' proposed changes wait here until a coordinator (an editor or admin) accepts,
edits then accepts, or rejects each one.

Each decision is one ``store.transaction``: the decision, its audit entry and,
for an acceptance, the change itself with its own audit entry and history
version commit together or not at all. A **trusted partner**'s proposals are
accepted as they are sent, in the transaction that queues them (still
audited, decided by ``trusted partner``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from network.errors import Conflict, InvalidData
from network.graph.partners import Invitation, Proposal, ProposalQuery
from network.graph.store import GraphStore, Page
from network.schemas import load_link
from network.translation import translate

from . import audit, records
from .audit import Actor
from .invitations import partner_actor, use_up
from .submission import PARTNER_FIELDS, link_after, organisation_after, proposals_from

__all__ = ["submit", "accept", "reject", "queue", "proposal", "set_trusted", "trusted", "TRUSTED", "EDITABLE"]

#: Who decides a trusted partner's proposals.
TRUSTED = "trusted partner"
#: What a coordinator may edit before accepting, by kind of proposal.
EDITABLE = {
    "confirm": ("last_verified",),
    "correct": PARTNER_FIELDS,
    "end_tie": ("end_date",),
    "new_tie": ("kind", "source", "target", "services", "start_date", "end_date", "weight", "formal", "document",
                "notes", "two_way"),
}


def submit(store: GraphStore, invitation: Invitation, data: Any) -> list[Proposal]:
    """Queue what a partner sent through ``invitation`` and use the invitation up, in one transaction.

    ``InvalidData`` (422) names every problem and queues nothing; the
    invitation then still works. A trusted partner's proposals are applied at
    once. Returns the proposals as stored.
    """
    actor = partner_actor(invitation)
    with store.transaction(actor=actor.key):
        org = store.get_organisation(invitation.organisation)
        made = proposals_from(store, org, data, submitted_by=actor.name, invitation=invitation.id)
        store.add_proposals(made)
        use_up(store, invitation, f"{len(made)} proposed change(s)")
        audit.record(store, actor, "propose", "organisation", org.id,
                     {"invitation": invitation.id, "proposals": [p.id for p in made],
                      "kinds": [p.kind for p in made]})
        if org.id in store.trusted_organisations():
            made = [_decide(store, p, Actor(actor.key, f"{actor.name}, {TRUSTED}"), "accepted", {}, TRUSTED)
                    for p in made]
    return made


def accept(store: GraphStore, proposal_id: str, *, actor: Actor, edits: dict[str, Any] | None = None,
           note: str = "") -> Proposal:
    """Apply a pending proposal (with the coordinator's ``edits``, if any) and record the decision.

    ``Conflict`` if it was decided already; ``InvalidData`` for an edit of a
    field that kind of proposal does not change, or a result the API's
    schemas refuse; ``StaleWrite`` never: the change applies to the record as
    it stands now.
    """
    edits = edits or {}
    with store.transaction(actor=actor.key):
        found = _pending(store, proposal_id)
        wrong = sorted(set(edits) - set(EDITABLE[found.kind]))
        if wrong:
            problems = {name: [f"A {found.kind.replace('_', ' ')} proposal cannot change '{name}'."] for name in wrong}
            raise InvalidData(f"{problems[wrong[0]][0]} Fields you can edit: {', '.join(EDITABLE[found.kind])}.",
                              problems)
        return _decide(store, found, actor, "accepted", edits, note)


def reject(store: GraphStore, proposal_id: str, *, actor: Actor, note: str = "") -> Proposal:
    """Reject a pending proposal: only the decision and its audit entry are written."""
    with store.transaction(actor=actor.key):
        return _decide(store, _pending(store, proposal_id), actor, "rejected", {}, note)


def queue(store: GraphStore, query: ProposalQuery = ProposalQuery()) -> Page[Proposal]:
    """Proposals, oldest first (``ProposalQuery(status="pending")``: the review queue)."""
    return store.list_proposals(query)


def proposal(store: GraphStore, proposal_id: str) -> Proposal:
    """One proposal, or ``NotFound``."""
    return store.get_proposal(proposal_id)


def set_trusted(store: GraphStore, organisation: str, is_trusted: bool, *, actor: Actor) -> None:
    """Let ``organisation``'s proposals apply directly (or wait for review again); audited."""
    with store.transaction(actor=actor.key):
        store.get_organisation(organisation)
        store.set_trusted(organisation, is_trusted)
        audit.record(store, actor, "trust" if is_trusted else "distrust", "organisation", organisation,
                     {"trusted": is_trusted})


def trusted(store: GraphStore) -> list[str]:
    """The organisations whose proposals apply directly."""
    return store.trusted_organisations()


def _pending(store: GraphStore, proposal_id: str) -> Proposal:
    found = store.get_proposal(proposal_id)
    if found.status != "pending":
        raise Conflict(translate("The proposed change '%(id)s' was %(status)s already.", id=proposal_id,
                                 status=translate(found.status)))
    return found


def _decide(store: GraphStore, found: Proposal, actor: Actor, status: str, edits: dict[str, Any],
            note: str) -> Proposal:
    changes = {**found.changes, **edits}
    if status == "accepted":
        _apply(store, dataclasses.replace(found, changes=changes), actor)
    decided = store.decide_proposal(found.id, status=status, decided_by=actor.name,
                                    decided_at=dt.datetime.now(dt.UTC), note=note,
                                    applied=changes if status == "accepted" else {})
    audit.record(store, actor, "accept" if status == "accepted" else "reject", "proposal", found.id,
                 {"organisation": found.organisation, "kind": found.kind, "entity": found.entity,
                  "entity_id": found.entity_id, "changes": changes, "edits": edits, "note": note})
    return decided


def _apply(store: GraphStore, found: Proposal, actor: Actor) -> None:
    """Write the change through the records service (its audit entry and history version come with it)."""
    if found.kind == "new_tie":
        records.create_link(store, load_link(found.changes), actor=actor)
    elif found.entity == "organisation":
        current = store.get_organisation(found.entity_id)
        records.update_organisation(store, current.id, organisation_after(current, found.changes),
                                    expected_version=current.version, actor=actor)
    else:
        link = store.get_link(found.entity_id)
        records.update_link(store, link.id, link_after(link, found.changes), expected_version=link.version,
                            actor=actor)
