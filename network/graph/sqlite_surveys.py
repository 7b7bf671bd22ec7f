"""Survey rounds and tie ratings in the SQLite store: two tables, written inside the store's unit of work."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from network.errors import NotFound
from network.graph.records import id_key, now, refuse_taken
from network.graph.surveys import rating_from_record, rating_record, round_from_record, round_record
from network.surveys import ITEMS, SurveyRound, TieRating
from network.translation import translate

if TYPE_CHECKING:
    from network.graph.sqlite import SQLiteStore

__all__ = ["SQLiteSurveys", "SURVEYS_MIGRATION"]

#: The schema migration that adds survey rounds and their ratings.
SURVEYS_MIGRATION = """
    CREATE TABLE survey_rounds (
        id TEXT PRIMARY KEY,
        id_key TEXT NOT NULL UNIQUE,
        opens TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE tie_ratings (
        round TEXT NOT NULL REFERENCES survey_rounds(id) ON DELETE CASCADE,
        respondent TEXT NOT NULL,
        partner TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (round, respondent, partner)
    );
    """


class SQLiteSurveys:
    """The :class:`~network.graph.surveys.SurveyStore` of a :class:`~network.graph.sqlite.SQLiteStore`."""

    def __init__(self, store: SQLiteStore):
        self._store = store

    def create_round(self, survey_round: SurveyRound) -> SurveyRound:
        stored = SurveyRound(**{**survey_round.to_dict(), "updated_at": now()})
        with self._store._write() as conn:
            holder = conn.execute("SELECT id FROM survey_rounds WHERE id_key = ?", (id_key(stored.id),)).fetchone()
            refuse_taken("survey round", stored.id, holder["id"] if holder else None)
            conn.execute("INSERT INTO survey_rounds (id, id_key, opens, data) VALUES (?, ?, ?, ?)",
                         (stored.id, id_key(stored.id), stored.opens.isoformat(), json.dumps(round_record(stored))))
        return stored

    def get_round(self, round_id: str) -> SurveyRound:
        row = self._store._conn().execute("SELECT data FROM survey_rounds WHERE id = ?", (round_id,)).fetchone()
        if row is None:
            raise NotFound(translate("No survey round with id '%(id)s'.", id=round_id))
        return round_from_record(json.loads(row["data"]))

    def list_rounds(self) -> list[SurveyRound]:
        rows = self._store._conn().execute("SELECT data FROM survey_rounds ORDER BY opens, id")
        return [round_from_record(json.loads(r["data"])) for r in rows]

    def delete_round(self, round_id: str) -> int:
        with self._store._write() as conn:
            if conn.execute("SELECT 1 FROM survey_rounds WHERE id = ?", (round_id,)).fetchone() is None:
                raise NotFound(translate("No survey round with id '%(id)s'.", id=round_id))
            removed = conn.execute("DELETE FROM tie_ratings WHERE round = ?", (round_id,)).rowcount
            conn.execute("DELETE FROM survey_rounds WHERE id = ?", (round_id,))
        return removed

    def put_rating(self, rating: TieRating) -> TieRating | None:
        with self._store._write() as conn:
            if conn.execute("SELECT 1 FROM survey_rounds WHERE id = ?", (rating.round,)).fetchone() is None:
                raise NotFound(translate("No survey round with id '%(id)s'.", id=rating.round))
            before = conn.execute("SELECT data FROM tie_ratings WHERE round = ? AND respondent = ? AND partner = ?",
                                  rating.key).fetchone()
            conn.execute("INSERT OR REPLACE INTO tie_ratings (round, respondent, partner, data) VALUES (?, ?, ?, ?)",
                         (*rating.key, json.dumps(rating_record(rating))))
        return rating_from_record(json.loads(before["data"])) if before else None

    def list_ratings(self, round_id: str, *, respondent: str | None = None) -> list[TieRating]:
        # the fields straight from SQL (json_extract), no JSON decoding per row in Python: a round can hold
        # a hundred thousand answers
        fields = ", ".join(f"json_extract(data, '$.{name}')" for name in (*ITEMS, "answered_on", "entered_by"))
        sql = (f"SELECT respondent, partner, {fields}, json_extract(data, '$.contributes') "
               f"FROM tie_ratings WHERE round = ?")
        params: tuple[str, ...] = (round_id,)
        if respondent is not None:
            sql, params = sql + " AND respondent = ?", (round_id, respondent)
        rows = self._store._conn().execute(sql + " ORDER BY respondent, partner", params).fetchall()
        day = dt.date.fromisoformat
        return [TieRating(round_id, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                          json.loads(r[10]) if r[10] != "[]" else [], day(r[8]) if r[8] else None, r[9] or "")
                for r in rows]
