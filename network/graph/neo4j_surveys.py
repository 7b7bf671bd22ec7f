"""Survey rounds and tie ratings on Neo4j: ``SurveyRound`` and ``TieRating`` nodes, parameterised Cypher only.

A ``TieRating`` node carries its round id, respondent and partner ids, the six
answers, the contributions (a list) and the answer date (ISO text), so it reads
as it stands in Neo4j Browser. Writes run in the store's unit of work (or a
transaction function of their own), like every other write of the store.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import neo4j

from network.errors import NotFound
from network.graph.records import id_key, now, refuse_taken
from network.graph.surveys import rating_from_record, rating_record, round_from_record, round_record
from network.surveys import SurveyRound, TieRating
from network.translation import translate

if TYPE_CHECKING:
    from network.graph.neo4j import Neo4jStore

__all__ = ["Neo4jSurveys"]

_SCHEMA = (
    "CREATE CONSTRAINT survey_round_id IF NOT EXISTS FOR (r:SurveyRound) REQUIRE r.id IS UNIQUE",
    "CREATE CONSTRAINT survey_round_id_key IF NOT EXISTS FOR (r:SurveyRound) REQUIRE r.id_key IS UNIQUE",
    "CREATE CONSTRAINT tie_rating_key IF NOT EXISTS FOR (t:TieRating) REQUIRE t.key IS UNIQUE",
)
_schema_lock = threading.Lock()


def _rating_key(rating: TieRating) -> str:
    return "\x1f".join(rating.key)


def _round_missing(tx: neo4j.ManagedTransaction, round_id: str) -> bool:
    return tx.run("MATCH (r:SurveyRound {id: $id}) RETURN r.id AS id", id=round_id).single() is None


class Neo4jSurveys:
    """The :class:`~network.graph.surveys.SurveyStore` of a :class:`~network.graph.neo4j.Neo4jStore`."""

    def __init__(self, store: Neo4jStore):
        self._store = store
        with _schema_lock, store._driver.session(database=store.database) as session:
            for statement in _SCHEMA:
                session.run(statement).consume()

    def create_round(self, survey_round: SurveyRound) -> SurveyRound:
        stored = SurveyRound(**{**survey_round.to_dict(), "updated_at": now()})

        def work(tx: neo4j.ManagedTransaction) -> None:
            holder = tx.run("MATCH (r:SurveyRound {id_key: $key}) RETURN r.id AS id", key=id_key(stored.id)).single()
            refuse_taken("survey round", stored.id, holder["id"] if holder else None)
            tx.run("CREATE (r:SurveyRound) SET r = $props, r.id_key = $key", props=round_record(stored),
                   key=id_key(stored.id)).consume()

        self._store._write(work)
        return stored

    def get_round(self, round_id: str) -> SurveyRound:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
            found = tx.run("MATCH (r:SurveyRound {id: $id}) RETURN properties(r) AS p", id=round_id).single()
            return dict(found["p"]) if found else None

        props = self._store._read(work)
        if props is None:
            raise NotFound(translate("No survey round with id '%(id)s'.", id=round_id))
        return round_from_record(props)

    def list_rounds(self) -> list[SurveyRound]:
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [dict(r["p"]) for r in tx.run("MATCH (r:SurveyRound) RETURN properties(r) AS p")]

        rounds = [round_from_record(p) for p in self._store._read(work)]
        return sorted(rounds, key=lambda r: (r.opens, r.id))

    def delete_round(self, round_id: str) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            if _round_missing(tx, round_id):
                raise NotFound(translate("No survey round with id '%(id)s'.", id=round_id))
            removed = tx.run("MATCH (t:TieRating {round: $id}) DELETE t RETURN count(*) AS n", id=round_id).single()
            tx.run("MATCH (r:SurveyRound {id: $id}) DELETE r", id=round_id).consume()
            return int(removed["n"]) if removed else 0

        return self._store._write(work)

    def put_rating(self, rating: TieRating) -> TieRating | None:
        props = {**rating_record(rating), "key": _rating_key(rating)}

        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
            if _round_missing(tx, rating.round):
                raise NotFound(translate("No survey round with id '%(id)s'.", id=rating.round))
            before = tx.run("MATCH (t:TieRating {key: $key}) RETURN properties(t) AS p", key=props["key"]).single()
            if before is None:
                tx.run("CREATE (t:TieRating) SET t = $props", props=props).consume()
                return None
            tx.run("MATCH (t:TieRating {key: $key}) SET t = $props", key=props["key"], props=props).consume()
            return dict(before["p"])

        before = self._store._write(work)
        return rating_from_record(before) if before else None

    def list_ratings(self, round_id: str, *, respondent: str | None = None) -> list[TieRating]:
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            where = "t.round = $id" + (" AND t.respondent = $respondent" if respondent is not None else "")
            rows = tx.run(f"MATCH (t:TieRating) WHERE {where} RETURN properties(t) AS p", id=round_id,
                          respondent=respondent)
            return [dict(r["p"]) for r in rows]

        ratings = [rating_from_record(p) for p in self._store._read(work)]
        return sorted(ratings, key=lambda t: (t.respondent, t.partner))
