"""Referral records in the Neo4j store: ``Referral`` nodes (no relationships, so organisations' links stay as they
are), and ``ReferralCount`` nodes after retention. Parameterised Cypher only; dates are ISO strings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import neo4j

from network.errors import Conflict, NotFound, StaleWrite
from network.graph.records import now
from network.graph.referral_store import ReferralQuery, ReferralWrites, stamped_referral
from network.graph.store import Page
from network.referrals import Referral, ReferralCount
from network.translation import translate

__all__ = ["REFERRAL_SCHEMA", "Neo4jReferrals"]

#: Statements ``Neo4jStore`` runs when it opens: referral codes are unique.
REFERRAL_SCHEMA = (
    "CREATE CONSTRAINT referral_code IF NOT EXISTS FOR (r:Referral) REQUIRE r.code IS UNIQUE",
    "CREATE INDEX referral_created IF NOT EXISTS FOR (r:Referral) ON (r.created)",
)
_BATCH = 1000
_PAGE = 5000


class Neo4jReferrals(ReferralWrites):
    """The ``ReferralStore`` methods of ``Neo4jStore`` (which provides ``_write`` and ``_read``)."""

    _write: Any
    _read: Any

    def _store_new(self, stored: list[Referral]) -> None:

        def work(tx: neo4j.ManagedTransaction) -> None:
            codes = [r.code for r in stored]
            if len(set(codes)) < len(codes):
                raise Conflict(translate("Two referrals of the batch share a code."),
                               {"code": [translate("Codes must differ.")]})
            for start in range(0, len(codes), _BATCH):
                taken = tx.run("MATCH (r:Referral) WHERE r.code IN $codes RETURN r.code AS code LIMIT 1",
                               codes=codes[start:start + _BATCH]).single()
                if taken:
                    raise Conflict(translate("A referral with code '%(code)s' already exists.", code=taken["code"]),
                                   {"code": [translate("That code is in use.")]})
            for start in range(0, len(stored), _BATCH):
                tx.run("UNWIND $rows AS row CREATE (r:Referral) SET r = row",
                       rows=[_props(r) for r in stored[start:start + _BATCH]]).consume()

        self._write(work)

    def get_referral(self, code: str) -> Referral:
        def work(tx: neo4j.ManagedTransaction) -> Referral | None:
            record = tx.run("MATCH (r:Referral {code: $code}) RETURN properties(r) AS p", code=code).single()
            return _referral(record["p"]) if record else None

        found = self._read(work)
        if found is None:
            raise NotFound(translate("No referral with code '%(code)s'.", code=code))
        return found

    def update_referral(self, referral: Referral, *, expected_version: int | None = None) -> Referral:
        def work(tx: neo4j.ManagedTransaction) -> Referral:
            record = tx.run("MATCH (r:Referral {code: $code}) SET r.version = r.version "
                            "RETURN r.version AS v", code=referral.code).single()
            if record is None:
                raise NotFound(translate("No referral with code '%(code)s'.", code=referral.code))
            version = int(record["v"])
            if expected_version is not None and expected_version != version:
                raise StaleWrite(translate("Referral %(code)s changed since it was read (version %(expected)s, now "
                                           "%(current)s); reload it and apply the change again.",
                                           code=referral.code, expected=expected_version, current=version))
            stored = stamped_referral(referral, version + 1, now())
            tx.run("MATCH (r:Referral {code: $code}) SET r = $props", code=referral.code,
                   props=_props(stored)).consume()
            return stored

        return self._write(work)

    def list_referrals(self, query: ReferralQuery = ReferralQuery()) -> Page[Referral]:
        where, params = _filters(query)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, list[Referral]]:
            total = tx.run(f"MATCH (r:Referral) WHERE {where} RETURN count(r) AS n", params).single()["n"]
            window = " SKIP $offset" + (" LIMIT $limit" if query.limit is not None else "")
            rows = tx.run(f"MATCH (r:Referral) WHERE {where} RETURN properties(r) AS p "
                          f"ORDER BY r.created DESC, r.code{window}",
                          {**params, "offset": query.offset, "limit": query.limit})
            return int(total), [_referral(r["p"]) for r in rows]

        total, items = self._read(work)
        return Page(items, total, query.limit, query.offset)

    def iter_referrals(self, *, since: dt.date | None = None) -> Iterator[Referral]:
        after = ((since or dt.date.min).isoformat(), "")
        while True:
            def work(tx: neo4j.ManagedTransaction, cursor: tuple[str, str]) -> list[Referral]:
                rows = tx.run("MATCH (r:Referral) WHERE r.created > $created OR "
                              "(r.created = $created AND r.code > $code) RETURN properties(r) AS p "
                              "ORDER BY r.created, r.code LIMIT $n",
                              created=cursor[0], code=cursor[1], n=_PAGE)
                return [_referral(r["p"]) for r in rows]

            page = self._read(work, after)
            yield from page
            if len(page) < _PAGE:
                return
            after = (page[-1].created.isoformat(), page[-1].code)

    def reduce_referrals(self, before: dt.date) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            groups = tx.run("MATCH (r:Referral) WHERE r.created < $before "
                            "RETURN substring(r.created, 0, 7) AS month, r.source AS source, r.target AS target, "
                            "coalesce(r.link, '') AS link, r.status AS status, count(*) AS n",
                            before=before.isoformat()).data()
            for group in groups:
                tx.run("MERGE (c:ReferralCount {month: $month, source: $source, target: $target, link: $link, "
                       "status: $status}) SET c.n = coalesce(c.n, 0) + $n", group).consume()
            return int(tx.run("MATCH (r:Referral) WHERE r.created < $before WITH collect(r) AS gone "
                              "FOREACH (r IN gone | DELETE r) RETURN size(gone) AS n",
                              before=before.isoformat()).single()["n"])

        return self._write(work)

    def referral_counts(self) -> list[ReferralCount]:
        def work(tx: neo4j.ManagedTransaction) -> list[ReferralCount]:
            rows = tx.run("MATCH (c:ReferralCount) RETURN properties(c) AS p "
                          "ORDER BY c.month, c.source, c.target, c.link, c.status")
            return [ReferralCount(p["month"], p["source"], p["target"], p["link"] or None, p["status"], int(p["n"]))
                    for p in (r["p"] for r in rows)]

        return self._read(work)


def _props(r: Referral) -> dict[str, Any]:
    record = r.to_record()
    props = {k: v for k, v in record.items() if v is not None and k != "history"}
    props.update(history=json.dumps(record["history"]), status=r.status, version=r.version,
                 updated_at=(r.updated_at or now()).isoformat())
    return props


def _referral(p: dict[str, Any]) -> Referral:
    record = dict(p)
    record["history"] = json.loads(record["history"])
    return Referral.from_record(record)


def _filters(query: ReferralQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    for name in ("source", "target", "status", "link"):
        value = getattr(query, name)
        if value is not None:
            clauses.append(f"r.{name} = ${name}")
            params[name] = value
    if query.organisation is not None:
        clauses.append("(r.source = $organisation OR r.target = $organisation)")
        params["organisation"] = query.organisation
    if query.since is not None:
        clauses.append("r.created >= $since")
        params["since"] = query.since.isoformat()
    if query.until is not None:
        clauses.append("r.created <= $until")
        params["until"] = query.until.isoformat()
    return " AND ".join(clauses), params
