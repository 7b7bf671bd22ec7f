"""API tokens and the audit log in the Neo4j store (a mixin of ``Neo4jStore``).

Tokens are ``ApiToken`` nodes and audit entries ``AuditEntry`` nodes numbered
by the ``audit`` counter of ``CssnetMeta``.
"""

from __future__ import annotations

import datetime as dt
import json

import neo4j

from network.errors import NotFound
from network.graph import neo4j_cypher as cypher
from network.graph.neo4j_session import Neo4jSession
from network.graph.store import AuditEntry, AuditQuery, Page, Token
from network.translation import translate

__all__ = ["Neo4jTokens"]


class Neo4jTokens(Neo4jSession):
    """The tokens and audit log of :class:`network.graph.neo4j.Neo4jStore`."""

    def add_token(self, token: Token) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run("CREATE (t:ApiToken) SET t = $props",
                   props={"id": token.id, "name": token.name, "role": token.role,
                          "token_hash": token.token_hash, "created_at": token.created_at.isoformat(),
                          "revoked": token.revoked, "organisation": token.organisation}).consume()

        self._write(work, network=False)

    def find_token(self, token_hash: str) -> Token | None:
        def work(tx: neo4j.ManagedTransaction) -> Token | None:
            record = tx.run("MATCH (t:ApiToken {token_hash: $h}) WHERE t.revoked = false "
                            "RETURN properties(t) AS p", h=token_hash).single()
            return cypher.token(record["p"]) if record else None

        return self._read(work)

    def list_tokens(self) -> list[Token]:
        def work(tx: neo4j.ManagedTransaction) -> list[Token]:
            rows = tx.run("MATCH (t:ApiToken) RETURN properties(t) AS p ORDER BY t.created_at DESC, t.id")
            return [cypher.token(r["p"]) for r in rows]

        return self._read(work)

    def revoke_token(self, token_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            if not tx.run("MATCH (t:ApiToken {id: $id}) SET t.revoked = true RETURN t.id", id=token_id).single():
                raise NotFound(translate("No token with id '%(id)s'.", id=token_id))

        self._write(work, network=False)

    def prune_tokens(self, role: str, created_before: dt.datetime) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            return int(tx.run("MATCH (t:ApiToken {role: $role}) WHERE t.created_at < $before OR t.revoked = true "
                              "DELETE t RETURN count(*) AS n", role=role, before=created_before.isoformat())
                       .single()["n"])

        return self._write(work, network=False)

    def record_audit(self, entry: AuditEntry) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            seq = tx.run("MERGE (m:CssnetMeta {key: 'audit'}) SET m.value = coalesce(m.value, 0) + 1 "
                         "RETURN m.value AS v").single()["v"]
            tx.run("CREATE (e:AuditEntry) SET e = $props",
                   props={"id": int(seq), "at": entry.at.isoformat(), "actor": entry.actor,
                          "action": entry.action, "entity": entry.entity, "entity_id": entry.entity_id,
                          "changes": json.dumps(entry.changes, default=str)}).consume()

        self._write(work, network=False)

    def list_audit(self, query: AuditQuery = AuditQuery()) -> Page[AuditEntry]:
        where, params = cypher.audit_filters(query)
        return self._page(query, "(e:AuditEntry)", "e", "properties(e) AS p", "e.id DESC", where, params,
                          lambda r: cypher.audit(r["p"]))
