"""Marshmallow schemas of tie surveys: a survey round and one answer about a tie.

These check the shape of the input (ids, dates, answers 1-4, known
contributions). What needs the store (the round is open on the answer's date,
the respondent was invited, the two organisations have a tie) is checked by
``network.service.surveys`` inside the write's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from network.errors import InvalidData
from network.schema_errors import problem_lines
from network.schema_fields import ID_PATTERN, Strict, Text
from network.surveys import SCALE, SurveyRound, TieRating, survey_words
from network.translation import lazy, translate

__all__ = ["SurveyRoundSchema", "TieRatingSchema", "load_round", "load_rating", "dump_round", "dump_rating"]

_ID = validate.Regexp(ID_PATTERN, error=lazy("Use 1-100 letters, digits, '-', '_', '.', ':' or '/', starting with "
                                             "a letter or digit."))
#: A round's id goes in URLs as one path segment: no '/'.
_ROUND_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$",
                            error=lazy("Use 1-100 letters, digits, '-', '_', '.' or ':', starting with a letter or "
                                       "digit."))
_ANSWER = validate.Range(SCALE[0], SCALE[1], error=lazy("Answer from {min} (not at all) to {max} (a great deal)."))


def _contribution(code: str) -> None:
    known = survey_words().contributions
    if code not in known:
        raise ValidationError(translate("Unknown contribution '%(code)s': use one of %(known)s.", code=code,
                                        known=", ".join(known)))


class SurveyRoundSchema(Strict):
    """A survey round as callers send and receive it."""

    id = Text(required=True, validate=_ROUND_ID)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    opens = fields.Date(required=True)
    closes = fields.Date(required=True)
    invited = fields.List(Text(validate=_ID), required=True, validate=validate.Length(min=1, max=100_000))
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _dates(self, data: Mapping[str, Any], **_: Any) -> None:
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes < opens:
            raise ValidationError(translate("The round closes (%(closes)s) before it opens (%(opens)s).",
                                            closes=closes.isoformat(), opens=opens.isoformat()), "closes")
        invited = data.get("invited") or []
        if len(set(invited)) != len(invited):
            raise ValidationError(translate("An organisation is invited more than once."), "invited")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> SurveyRound:
        return SurveyRound(**data)


class TieRatingSchema(Strict):
    """One respondent's answers about one tie: six answers from 1 to 4 and what the respondent contributes."""

    round = Text(required=True, validate=_ROUND_ID)
    respondent = Text(required=True, validate=_ID)
    partner = Text(required=True, validate=_ID)
    power = fields.Integer(required=True, strict=True, validate=_ANSWER)
    involvement = fields.Integer(required=True, strict=True, validate=_ANSWER)
    resources = fields.Integer(required=True, strict=True, validate=_ANSWER)
    reliability = fields.Integer(required=True, strict=True, validate=_ANSWER)
    mission = fields.Integer(required=True, strict=True, validate=_ANSWER)
    openness = fields.Integer(required=True, strict=True, validate=_ANSWER)
    contributes = fields.List(Text(validate=_contribution), load_default=list, validate=validate.Length(max=8))
    answered_on = fields.Date(allow_none=True, load_default=None)
    entered_by = fields.String(dump_only=True)

    @validates_schema
    def _two_sides(self, data: Mapping[str, Any], **_: Any) -> None:
        if data.get("respondent") and data.get("respondent") == data.get("partner"):
            raise ValidationError(translate("An organisation cannot rate itself ('%(id)s').", id=data["respondent"]),
                                  "partner")
        contributes = data.get("contributes") or []
        if len(set(contributes)) != len(contributes):
            raise ValidationError(translate("A contribution is named more than once."), "contributes")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> TieRating:
        return TieRating(**data)


_ROUND = SurveyRoundSchema()
_RATING = TieRatingSchema()


def load_round(data: Mapping[str, Any]) -> SurveyRound:
    """Validate ``data`` into a SurveyRound, or raise ``InvalidData`` naming each bad field.

    >>> load_round({"id": "r1", "name": "R", "opens": "2026-02-01", "closes": "2026-01-01", "invited": ["a"]})
    Traceback (most recent call last):
    ...
    network.errors.InvalidData: closes: The round closes (2026-01-01) before it opens (2026-02-01).
    """
    return _load(_ROUND, data, "survey round")


def load_rating(data: Mapping[str, Any]) -> TieRating:
    """Validate ``data`` into a TieRating, or raise ``InvalidData`` naming each bad field.

    >>> load_rating({"round": "r1", "respondent": "a", "partner": "b", "power": 5, "involvement": 1,
    ...              "resources": 1, "reliability": 1, "mission": 1, "openness": 1})
    Traceback (most recent call last):
    ...
    network.errors.InvalidData: power: Answer from 1 (not at all) to 4 (a great deal).
    """
    return _load(_RATING, data, "survey answer")


def dump_round(survey_round: SurveyRound) -> dict[str, Any]:
    """The round as JSON-ready data."""
    return _ROUND.dump(survey_round)


def dump_rating(rating: TieRating) -> dict[str, Any]:
    """The answer as JSON-ready data (with its value and trust scores)."""
    return {**_RATING.dump(rating), "value": round(rating.value, 2), "trust": round(rating.trust, 2)}


def _load(schema: Schema, data: Mapping[str, Any], noun: str) -> Any:
    if not isinstance(data, Mapping):
        raise InvalidData(f"A {noun} must be a JSON object.", {"_schema": [translate("Not an object.")]})
    try:
        return schema.load(data)
    except ValidationError as err:
        errors = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        flat = {str(k): [translate(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}
        raise InvalidData("; ".join(problem_lines(errors)), flat) from None

