"""The survey store contract: the same assertions on SQLite and on the Bolt server."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, NotFound
from network.graph.store import AuditEntry, AuditQuery
from network.graph.surveys import surveys_of
from network.surveys import SurveyRound, TieRating

ROUND = SurveyRound("2026-h1", "First half 2026", dt.date(2026, 1, 1), dt.date(2026, 6, 30), ["a", "b", "c"])


def rating(respondent: str, partner: str, *answers: int, **kw) -> TieRating:
    return TieRating("2026-h1", respondent, partner, *(answers or (3, 3, 3, 3, 3, 3)), **kw)


def test_round_round_trip_every_field(store):
    surveys = surveys_of(store)
    created = surveys.create_round(ROUND)
    got = surveys.get_round("2026-h1")
    assert (got.id, got.name, got.opens, got.closes, got.invited) == \
        ("2026-h1", "First half 2026", dt.date(2026, 1, 1), dt.date(2026, 6, 30), ["a", "b", "c"])
    assert got.updated_at == created.updated_at and got.updated_at is not None


def test_round_ids_are_unique_regardless_of_case_and_missing_ones_are_not_found(store):
    surveys = surveys_of(store)
    surveys.create_round(ROUND)
    with pytest.raises(Conflict):
        surveys.create_round(SurveyRound("2026-H1", "Again", dt.date(2026, 1, 1), dt.date(2026, 2, 1), ["a"]))
    with pytest.raises(NotFound):
        surveys.get_round("nope")
    with pytest.raises(NotFound):
        surveys.delete_round("nope")
    with pytest.raises(NotFound):
        surveys.put_rating(TieRating("nope", "a", "b", 1, 1, 1, 1, 1, 1))
    assert [r.id for r in surveys.list_rounds()] == ["2026-h1"]


def test_rounds_list_oldest_first(store):
    surveys = surveys_of(store)
    surveys.create_round(SurveyRound("late", "Late", dt.date(2026, 7, 1), dt.date(2026, 8, 1), ["a"]))
    surveys.create_round(ROUND)
    surveys.create_round(SurveyRound("early", "Early", dt.date(2025, 7, 1), dt.date(2025, 8, 1), ["a"]))
    assert [r.id for r in surveys.list_rounds()] == ["early", "2026-h1", "late"]


def test_rating_round_trip_and_replacement(store):
    surveys = surveys_of(store)
    surveys.create_round(ROUND)
    first = rating("b", "a", 1, 2, 3, 4, 1, 2, contributes=["funding", "data"], answered_on=dt.date(2026, 2, 3),
                   entered_by="token:x")
    assert surveys.put_rating(first) is None
    assert surveys.put_rating(rating("a", "b", contributes=[])) is None
    assert surveys.list_ratings("2026-h1") == [rating("a", "b", contributes=[]), first]
    second = rating("b", "a", 4, 4, 4, 4, 4, 4, answered_on=dt.date(2026, 3, 1))
    assert surveys.put_rating(second) == first
    assert surveys.list_ratings("2026-h1", respondent="b") == [second]
    assert len(surveys.list_ratings("2026-h1")) == 2


def test_deleting_a_round_takes_its_ratings(store):
    surveys = surveys_of(store)
    surveys.create_round(ROUND)
    surveys.create_round(SurveyRound("other", "Other", dt.date(2026, 1, 1), dt.date(2026, 2, 1), ["a"]))
    surveys.put_rating(rating("a", "b"))
    surveys.put_rating(rating("b", "a"))
    surveys.put_rating(TieRating("other", "a", "c", 2, 2, 2, 2, 2, 2))
    assert surveys.delete_round("2026-h1") == 2
    assert surveys.list_ratings("2026-h1") == []
    assert [r.id for r in surveys.list_rounds()] == ["other"]
    assert len(surveys.list_ratings("other")) == 1


def test_survey_writes_join_the_unit_of_work_and_bump_the_revision(store):
    surveys = surveys_of(store)
    before = store.revision()
    with pytest.raises(RuntimeError):
        with store.transaction(actor="token:t"):
            surveys.create_round(ROUND)
            surveys.put_rating(rating("a", "b"))
            store.record_audit(AuditEntry(at=dt.datetime.now(dt.UTC), actor="t", action="create",
                                          entity="survey_round", entity_id="2026-h1"))
            raise RuntimeError("the block fails")
    assert surveys.list_rounds() == [] and store.list_audit(AuditQuery()).total == 0
    with store.transaction(actor="token:t"):
        surveys.create_round(ROUND)
        surveys.put_rating(rating("a", "b"))
        assert len(surveys.list_ratings("2026-h1")) == 1  # the block sees its own writes
    assert len(surveys.list_ratings("2026-h1")) == 1
    assert store.revision() > before
