"""The survey port: where survey rounds and tie ratings are kept, beside the network, in the same store.

``surveys_of(store)`` gives the survey adapter of a store (SQLite or Neo4j);
its writes join the store's ``transaction()`` like every other write, so an
answer and its audit entry commit together. Survey writes count as network
writes for ``store.revision()``: the scores feed analyses (low-trust ties),
whose caches follow the revision. Every adapter passes
``tests/test_survey_store.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from network.surveys import ITEMS, SurveyRound, TieRating

__all__ = ["SurveyStore", "surveys_of", "round_record", "round_from_record", "rating_record",
           "rating_from_record"]


class SurveyStore(Protocol):
    """Survey rounds and the ratings given in them."""

    def create_round(self, survey_round: SurveyRound) -> SurveyRound:
        """Store a new round; ``Conflict`` if its id (regardless of case) is taken."""

    def get_round(self, round_id: str) -> SurveyRound:
        """The round with this id, or ``NotFound``."""

    def list_rounds(self) -> list[SurveyRound]:
        """Every round, oldest first (by opening date, then id)."""

    def delete_round(self, round_id: str) -> int:
        """Delete a round and its ratings (returns how many ratings went), or ``NotFound``."""

    def put_rating(self, rating: TieRating) -> TieRating | None:
        """Store a rating, replacing the respondent's earlier one about the same partner in the same round.

        Returns the rating it replaced, if any. ``NotFound`` if the round does not exist.
        """

    def list_ratings(self, round_id: str, *, respondent: str | None = None) -> list[TieRating]:
        """The round's ratings (of one respondent if given), ordered by respondent then partner."""


def surveys_of(store: Any) -> SurveyStore:
    """The survey adapter of ``store``, made once per store.

    >>> import tempfile, os
    >>> from network.graph.sqlite import SQLiteStore
    >>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> surveys_of(store).list_rounds()
    []
    >>> store.close()
    """
    adapter = store.__dict__.get("_surveys")
    if adapter is None:
        from network.graph.sqlite import SQLiteStore

        if isinstance(store, SQLiteStore):
            from network.graph.sqlite_surveys import SQLiteSurveys

            adapter = SQLiteSurveys(store)
        else:
            from network.graph.neo4j_surveys import Neo4jSurveys

            adapter = Neo4jSurveys(store)
        store.__dict__["_surveys"] = adapter
    return adapter


def round_record(survey_round: SurveyRound) -> dict[str, Any]:
    """The round as stored: dates as ISO text."""
    return {"id": survey_round.id, "name": survey_round.name, "opens": survey_round.opens.isoformat(),
            "closes": survey_round.closes.isoformat(), "invited": list(survey_round.invited),
            "updated_at": survey_round.updated_at.isoformat() if survey_round.updated_at else None}


def round_from_record(record: dict[str, Any]) -> SurveyRound:
    """A round read back from :func:`round_record`."""
    stamp = record.get("updated_at")
    return SurveyRound(record["id"], record["name"], dt.date.fromisoformat(record["opens"]),
                       dt.date.fromisoformat(record["closes"]), list(record.get("invited") or []),
                       dt.datetime.fromisoformat(stamp) if stamp else None)


def rating_record(rating: TieRating) -> dict[str, Any]:
    """The rating as stored: the answer date as ISO text."""
    record = rating.to_dict()
    record["contributes"] = list(rating.contributes)
    record["answered_on"] = rating.answered_on.isoformat() if rating.answered_on else None
    return record


def rating_from_record(record: dict[str, Any]) -> TieRating:
    """A rating read back from :func:`rating_record`."""
    day = record.get("answered_on")
    return TieRating(record["round"], record["respondent"], record["partner"],
                     *(int(record[item]) for item in ITEMS), contributes=list(record.get("contributes") or []),
                     answered_on=dt.date.fromisoformat(day) if day else None,
                     entered_by=record.get("entered_by") or "")
