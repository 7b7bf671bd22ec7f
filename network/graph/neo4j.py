"""Neo4j over Bolt with the official driver: parameterised Cypher only.

Organisations are nodes labelled ``Organisation``; links are relationships
whose type is the link kind in upper case (``MOU``, ``REFERRAL``, ...), with
the link id and fields as properties. Dates are ISO strings, ``external_ids``
a JSON string, so the graph reads as it stands in Neo4j Browser and Bloom.
The revision counter is one ``CssnetMeta`` node. The driver and the units of
work are in :mod:`network.graph.neo4j_session`, tokens and the audit log in
:mod:`network.graph.neo4j_tokens`, the partner records in
:mod:`network.graph.neo4j_partners`, referrals in
:mod:`network.graph.neo4j_referrals`, the history in
:mod:`network.graph.neo4j_history`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import neo4j

from network.errors import Conflict, NotFound
from network.graph import neo4j_cypher as cypher
from network.graph import neo4j_history as versions
from network.graph.columns import stored_row
from network.graph.neo4j_monitoring import MonitoringNodes
from network.graph.neo4j_partners import Neo4jPartners
from network.graph.neo4j_referrals import Neo4jReferrals
from network.graph.neo4j_tokens import Neo4jTokens
from network.graph.records import (
    id_key,
    link_from_record,
    moment,
    now,
    organisation_from_record,
    refuse_case_clashes,
    refuse_taken,
    to_record,
)
from network.graph.store import Changes, LinkQuery, OrganisationQuery, Page, UpsertResult, Version
from network.model import Link, Organisation
from network.translation import ntranslate, translate

__all__ = ["Neo4jStore"]

_PAGE = 5000


class Neo4jStore(Neo4jPartners, Neo4jReferrals, Neo4jTokens, MonitoringNodes):
    """The GraphStore (and ReferralStore) on a Neo4j (or Bolt-speaking) server.

    Parameters
    ----------
    uri : str
        ``neo4j://``, ``neo4j+s://`` or ``bolt://`` address.
    user, password : str
    database : str, optional
        The database to use; the server's default when None.
    """

    def changes(self, since: int) -> Changes | None:
        return self._read(versions.changes, since)

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        found = self._read(cypher.fetch_organisations, [org_id])
        if not found:
            raise NotFound(translate("No organisation with id '%(id)s'.", id=org_id))
        return found[0]

    def create_organisation(self, organisation: Organisation) -> Organisation:
        stored = cypher.stamped(organisation, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            holder = tx.run("MATCH (o:Organisation {id_key: $key}) RETURN o.id AS id",
                            key=id_key(organisation.id)).single()
            refuse_taken("organisation", organisation.id, holder["id"] if holder else None)
            tx.run("CREATE (o:Organisation) SET o = $props", props=cypher.node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "create")

        self._write(work)
        return stored

    def update_organisation(self, organisation: Organisation, *,
                            expected_version: int | None = None) -> Organisation:
        def work(tx: neo4j.ManagedTransaction) -> Organisation:
            version = cypher.version(tx, cypher.LOCK_ORGANISATION, organisation.id, "organisation")
            cypher.check_version(version, expected_version, "organisation", organisation.id)
            stored = cypher.stamped(organisation, version + 1)
            tx.run("MATCH (o:Organisation {id: $id}) SET o = $props", id=organisation.id,
                   props=cypher.node_props(stored)).consume()
            self._keep(tx, "organisation", [stored], "update")
            return stored

        return self._write(work)

    def delete_organisation(self, org_id: str, *, cascade: bool = False, expected_version: int | None = None) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            version = cypher.version(tx, cypher.LOCK_ORGANISATION, org_id, "organisation")
            cypher.check_version(version, expected_version, "organisation", org_id)
            record = tx.run("MATCH (o:Organisation {id: $id}) OPTIONAL MATCH (o)-[r]-() "
                            "RETURN count(r) AS n", id=org_id).single()
            if record is None or not tx.run("MATCH (o:Organisation {id: $id}) RETURN o.id",
                                            id=org_id).single():
                raise NotFound(translate("No organisation with id '%(id)s'.", id=org_id))
            attached = int(record["n"])
            if attached and not cascade:
                raise Conflict(
                    ntranslate("Organisation '%(id)s' still has %(num)d link; delete it first or cascade.",
                               "Organisation '%(id)s' still has %(num)d links; delete them first or cascade.",
                               attached, id=org_id))
            gone = [r["id"] for r in tx.run("MATCH (o:Organisation {id: $id})-[r]-() RETURN DISTINCT r.id AS id",
                                            id=org_id)]
            tx.run("MATCH (o:Organisation {id: $id}) DETACH DELETE o", id=org_id).consume()
            self._keep_deleted(tx, "link", gone)
            self._keep_deleted(tx, "organisation", [org_id])
            return attached

        return self._write(work)

    def list_organisations(self, query: OrganisationQuery = OrganisationQuery()) -> Page[Organisation]:
        where, params = cypher.organisation_filters(query)
        return self._page(query, "(o:Organisation)", "o", "properties(o) AS p", "o.id", where, params,
                          lambda r: cypher.organisation(r["p"]))

    # links
    def get_link(self, link_id: str) -> Link:
        found = self._read(cypher.fetch_links, "r.id = $id", {"id": link_id})
        if not found:
            raise NotFound(translate("No link with id '%(id)s'.", id=link_id))
        return found[0]

    def create_link(self, link: Link) -> Link:
        stored = cypher.stamped(link, 1)

        def work(tx: neo4j.ManagedTransaction) -> None:
            refuse_taken("link", link.id, next(iter(cypher.stored_links(tx, [link.id])), None))
            cypher.check_ends(tx, [link], set())
            cypher.create_links(tx, [stored])
            self._keep(tx, "link", [stored], "create")

        self._write(work)
        return stored

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        def work(tx: neo4j.ManagedTransaction) -> Link:
            current = cypher.locked_link(tx, link.id)
            cypher.check_version(current[0], expected_version, "link", link.id)
            cypher.check_ends(tx, [link], set())
            stored = cypher.stamped(link, current[0] + 1)
            cypher.delete_links(tx, {link.id: current})
            cypher.create_links(tx, [stored])
            self._keep(tx, "link", [stored], "update")
            return stored

        return self._write(work)

    def delete_link(self, link_id: str, *, expected_version: int | None = None) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            current = cypher.locked_link(tx, link_id)
            cypher.check_version(current[0], expected_version, "link", link_id)
            cypher.delete_links(tx, {link_id: current})
            self._keep_deleted(tx, "link", [link_id])

        self._write(work)

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        where, params = cypher.link_filters(query)
        return self._page(query, "(a:Organisation)-[r]->(b:Organisation)", "r",
                          "a.id AS source, b.id AS target, properties(r) AS p", "r.id", where, params,
                          lambda r: link_from_record({**r["p"], "source": r["source"], "target": r["target"]}))

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        result = UpsertResult()
        stamp = now()

        def work(tx: neo4j.ManagedTransaction) -> None:
            org_ids = list(dict.fromkeys(o.id for o in organisations))
            link_ids = list(dict.fromkeys(link.id for link in links))
            refuse_case_clashes("organisation", org_ids, cypher.organisation_holders(tx, org_ids))
            old = cypher.stored_links(tx, link_ids)
            refuse_case_clashes("link", link_ids, {id_key(stored_id): stored_id for stored_id in old})
            known = cypher.organisation_versions(tx, org_ids)
            cypher.check_ends(tx, links, set(org_ids))
            stored_orgs = [cypher.restamped(o, known.get(o.id, 0) + 1, stamp) for o in organisations]
            for start in range(0, len(stored_orgs), cypher.BATCH):
                rows = [cypher.node_props(o) for o in stored_orgs[start:start + cypher.BATCH]]
                tx.run("UNWIND $rows AS row MERGE (o:Organisation {id: row.id}) SET o = row",
                       rows=rows).consume()
            result.organisations_updated = len(known)
            result.organisations_created = len(org_ids) - len(known)
            cypher.delete_links(tx, old)
            stored_links = [cypher.restamped(link, old.get(link.id, (0, ""))[0] + 1, stamp) for link in links]
            cypher.create_links(tx, stored_links)
            result.links_updated = len(old)
            result.links_created = len(link_ids) - len(old)
            for entity, records, existing in (("organisation", stored_orgs, known), ("link", stored_links, old)):
                self._keep(tx, entity, [r for r in records if r.id not in existing], action)
                self._keep(tx, entity, [r for r in records if r.id in existing], "update")

        self._write(work)
        return result

    def iter_organisations(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Organisation]:
        if as_of is not None:
            yield from map(organisation_from_record, self._as_of("organisation", moment(as_of)))
            return
        after = ""
        while True:
            def work(tx: neo4j.ManagedTransaction, cursor: str) -> list[Organisation]:
                rows = tx.run("MATCH (o:Organisation) WHERE o.id > $after RETURN properties(o) AS p "
                              "ORDER BY o.id LIMIT $n", after=cursor, n=_PAGE)
                return [cypher.organisation(r["p"]) for r in rows]

            page = self._read(work, after)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def iter_links(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Link]:
        if as_of is not None:
            yield from map(link_from_record, self._as_of("link", moment(as_of)))
            return
        after = ""
        while True:
            page = self._read(cypher.fetch_links, "r.id > $after", {"after": after, "n": _PAGE}, "LIMIT $n")
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def organisation_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        if ids is None:
            yield from _batches(self.iter_organisations())
            return
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), _PAGE):
            yield list(map(stored_row, self._read(cypher.fetch_organisations, wanted[start:start + _PAGE])))

    def link_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        if ids is None:
            yield from _batches(self.iter_links())
            return
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), _PAGE):
            yield list(map(stored_row, self._read(cypher.fetch_links, "r.id IN $ids",
                                                  {"ids": wanted[start:start + _PAGE]})))

    def whole_graph(self, as_of: dt.date | None = None) -> None:
        return None  # the projection builds it from the rows

    def history(self, entity: str, entity_id: str) -> list[Version]:
        return self._read(versions.history, entity, entity_id)

    def _as_of(self, entity: str, at: dt.datetime) -> Iterator[dict[str, Any]]:
        after = ""
        while True:
            page = self._read(versions.records_as_of, entity, at, after, _PAGE)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1]["id"]

    def _keep(self, tx: neo4j.ManagedTransaction, entity: str, records: Sequence[Organisation | Link],
              action: str) -> None:
        versions.keep_versions(tx, entity, ((r.id, action, json.dumps(to_record(r))) for r in records),
                               self._actor())

    def _keep_deleted(self, tx: neo4j.ManagedTransaction, entity: str, ids: Sequence[str]) -> None:
        versions.keep_versions(tx, entity, ((i, "delete", None) for i in ids), self._actor())

    def counts(self) -> dict[str, dict[str, int]]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, dict[str, int]]:
            def tally(cypher: str) -> dict[str, int]:
                return {(r["k"] if r["k"] is not None else "none"): int(r["n"]) for r in tx.run(cypher)}

            return {
                "organisations_by_kind": tally("MATCH (o:Organisation) RETURN o.kind AS k, count(*) AS n"),
                "organisations_by_province": tally(
                    "MATCH (o:Organisation) RETURN o.province AS k, count(*) AS n"),
                "organisations_by_country": tally(
                    "MATCH (o:Organisation) RETURN coalesce(o.country, 'ZA') AS k, count(*) AS n"),
                "organisations_by_status": tally("MATCH (o:Organisation) RETURN o.status AS k, count(*) AS n"),
                "links_by_kind": tally(
                    "MATCH (:Organisation)-[r]->(:Organisation) RETURN r.kind AS k, count(*) AS n"),
                "links_by_status": tally(
                    "MATCH (:Organisation)-[r]->(:Organisation) RETURN r.status AS k, count(*) AS n"),
            }

        return self._read(work)

    def clear(self) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            links = [r["id"] for r in tx.run("MATCH (:Organisation)-[r]->(:Organisation) RETURN r.id AS id")]
            organisations = [r["id"] for r in tx.run("MATCH (o:Organisation) RETURN o.id AS id")]
            tx.run("MATCH (o:Organisation) DETACH DELETE o").consume()
            self._keep_deleted(tx, "link", links)
            self._keep_deleted(tx, "organisation", organisations)

        self._write(work)


def _batches(records: Iterable[Organisation | Link]) -> Iterator[list[tuple[Any, ...]]]:
    """The records' rows (:func:`network.graph.columns.stored_row`), ``_PAGE`` at a time."""
    batch: list[tuple[Any, ...]] = []
    for record in records:
        batch.append(stored_row(record))
        if len(batch) == _PAGE:
            yield batch
            batch = []
    if batch:
        yield batch
