"""Invitations, proposals and trust settings in the Neo4j store (a mixin of ``Neo4jStore``).

Invitations are ``Invitation`` nodes, proposals ``ProposedChange`` nodes
(their ``changes`` and ``applied`` as JSON text) and trusted organisations
``TrustedPartner`` nodes, each keyed by an ``id`` or ``organisation`` property.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import neo4j

from network.errors import Conflict, NotFound
from network.graph.partners import Invitation, Proposal, ProposalQuery, decode_invitation, decode_proposal, encode
from network.graph.records import stamp
from network.graph.store import Page
from network.translation import translate

__all__ = ["PARTNERS_SCHEMA", "Neo4jPartners"]

#: Uniqueness constraints of the partner records.
PARTNERS_SCHEMA = (
    "CREATE CONSTRAINT invitation_id IF NOT EXISTS FOR (i:Invitation) REQUIRE i.id IS UNIQUE",
    "CREATE CONSTRAINT proposed_change_id IF NOT EXISTS FOR (p:ProposedChange) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT trusted_partner IF NOT EXISTS FOR (t:TrustedPartner) REQUIRE t.organisation IS UNIQUE",
)

_PROPOSAL_FILTERS = {name: f"p.{name} = ${name}" for name in ("status", "organisation", "invitation")}


def _props(record: Invitation | Proposal) -> dict[str, Any]:
    return {k: v for k, v in encode(record).items() if v is not None}


class Neo4jPartners:
    """The partner records of :class:`network.graph.neo4j.Neo4jStore` (see :mod:`network.graph.partners`)."""

    _read: Callable[..., Any]
    _write: Callable[..., Any]
    _page: Callable[..., Page[Any]]

    def add_invitation(self, invitation: Invitation) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run("CREATE (i:Invitation) SET i = $props", props=_props(invitation)).consume()

        self._write(work, network=False)

    def get_invitation(self, invitation_id: str) -> Invitation:
        def work(tx: neo4j.ManagedTransaction) -> Any:
            return tx.run("MATCH (i:Invitation {id: $id}) RETURN properties(i) AS p", id=invitation_id).single()

        found = self._read(work)
        if found is None:
            raise NotFound(translate("No invitation with id '%(id)s'.", id=invitation_id))
        return decode_invitation(found["p"])

    def list_invitations(self, organisation: str | None = None) -> list[Invitation]:
        def work(tx: neo4j.ManagedTransaction) -> list[Invitation]:
            rows = tx.run("MATCH (i:Invitation) WHERE $org IS NULL OR i.organisation = $org "
                          "RETURN properties(i) AS p ORDER BY i.created_at DESC, i.id", org=organisation)
            return [decode_invitation(r["p"]) for r in rows]

        return self._read(work)

    def use_invitation(self, invitation_id: str, at: dt.datetime, used_for: str) -> Invitation:
        def work(tx: neo4j.ManagedTransaction) -> Invitation:
            found = tx.run("MATCH (i:Invitation {id: $id}) SET i.id = i.id RETURN i.used_at AS used",
                           id=invitation_id).single()
            if found is None:
                raise NotFound(translate("No invitation with id '%(id)s'.", id=invitation_id))
            if found["used"] is not None:
                raise Conflict(translate("The invitation '%(id)s' was used already.", id=invitation_id))
            row = tx.run("MATCH (i:Invitation {id: $id}) SET i.used_at = $at, i.used_for = $used_for "
                         "RETURN properties(i) AS p", id=invitation_id, at=stamp(at), used_for=used_for).single()
            return decode_invitation(row["p"])

        return self._write(work, network=False)

    def add_proposals(self, proposals: list[Proposal]) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run("UNWIND $rows AS row CREATE (p:ProposedChange) SET p = row",
                   rows=[_props(p) for p in proposals]).consume()

        self._write(work, network=False)

    def get_proposal(self, proposal_id: str) -> Proposal:
        def work(tx: neo4j.ManagedTransaction) -> Any:
            return tx.run("MATCH (p:ProposedChange {id: $id}) RETURN properties(p) AS p", id=proposal_id).single()

        found = self._read(work)
        if found is None:
            raise NotFound(translate("No proposed change with id '%(id)s'.", id=proposal_id))
        return decode_proposal(found["p"])

    def list_proposals(self, query: ProposalQuery = ProposalQuery()) -> Page[Proposal]:
        clauses, params = ["true"], {}
        for name, clause in _PROPOSAL_FILTERS.items():
            if getattr(query, name) is not None:
                clauses.append(clause)
                params[name] = getattr(query, name)
        return self._page(query, "(p:ProposedChange)", "p", "properties(p) AS p", "p.submitted_at, p.id",
                          " AND ".join(clauses), params, lambda r: decode_proposal(r["p"]))

    def decide_proposal(self, proposal_id: str, *, status: str, decided_by: str, decided_at: dt.datetime,
                        note: str = "", applied: dict[str, Any] | None = None) -> Proposal:
        def work(tx: neo4j.ManagedTransaction) -> Proposal:
            found = tx.run("MATCH (p:ProposedChange {id: $id}) SET p.id = p.id RETURN p.status AS status",
                           id=proposal_id).single()
            if found is None:
                raise NotFound(translate("No proposed change with id '%(id)s'.", id=proposal_id))
            if found["status"] != "pending":
                raise Conflict(translate("The proposed change '%(id)s' was %(status)s already.", id=proposal_id,
                                         status=translate(found["status"])))
            row = tx.run("MATCH (p:ProposedChange {id: $id}) SET p.status = $status, p.decided_at = $at, "
                         "p.decided_by = $by, p.note = $note, p.applied = $applied RETURN properties(p) AS p",
                         id=proposal_id, status=status, at=stamp(decided_at), by=decided_by, note=note,
                         applied=json.dumps(applied or {}, sort_keys=True, default=str)).single()
            return decode_proposal(row["p"])

        return self._write(work, network=False)

    def set_trusted(self, organisation: str, trusted: bool) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            if trusted:
                tx.run("MERGE (:TrustedPartner {organisation: $org})", org=organisation).consume()
            else:
                tx.run("MATCH (t:TrustedPartner {organisation: $org}) DELETE t", org=organisation).consume()

        self._write(work, network=False)

    def trusted_organisations(self) -> list[str]:
        def work(tx: neo4j.ManagedTransaction) -> list[str]:
            rows = tx.run("MATCH (t:TrustedPartner) RETURN t.organisation AS o ORDER BY o")
            return [r["o"] for r in rows]

        return self._read(work)
