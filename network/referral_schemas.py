"""Marshmallow schemas of referral records: what a caller may send, and nothing about the client.

A referral body names organisations, services, a population, an agreement and
dates, all codes or ids; there is no free-text field, and a field the schema
does not know (``name``, ``id_number``, ``phone``, ``notes``...) is refused with
422 before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from network.errors import InvalidData
from network.model import today
from network.referrals import STATUSES, referral_vocabulary
from network.schema_errors import problem_lines
from network.schema_fields import ID_PATTERN, Strict, Text, code_validator
from network.translation import N_, lazy, translate

__all__ = ["ReferralBodySchema", "StatusBodySchema", "load_referral_body", "load_status_body", "CODE_PATTERN"]

#: A referral code as people may type it: letters, digits, spaces and dashes.
CODE_PATTERN = r"^[A-Za-z0-9 -]{1,20}$"
_ID = validate.Regexp(ID_PATTERN, error=lazy("Give an organisation or link id."))
#: A body that is not a JSON object, by what it should have been.
_NOT_AN_OBJECT = {"referral": N_("A referral must be a JSON object."),
                  "status change": N_("A status change must be a JSON object.")}


def _not_future(day: dt.date) -> None:
    if day > today():
        raise ValidationError(translate("%(day)s is in the future: give today (%(today)s) or earlier.",
                                        day=day.isoformat(), today=today().isoformat()))


def _decline_reason(value: str) -> None:
    reasons = referral_vocabulary().decline_reasons
    if value not in reasons:
        raise ValidationError(translate("Unknown reason '%(code)s': use one of %(known)s.", code=value,
                                        known=", ".join(reasons)))


class ReferralBodySchema(Strict):
    """A referral to send: the route, the needs, the client's population; never who the client is."""

    source = Text(load_default=None, validate=_ID, metadata={
        "description": "The sending organisation; a referrer's own organisation when left out."})
    target = Text(required=True, validate=_ID, metadata={"description": "The organisation the client goes to."})
    link = Text(load_default=None, allow_none=True, validate=_ID, metadata={
        "description": "The agreement used: a referral or MoU link between the two organisations."})
    needs = fields.List(Text(validate=code_validator("services", "service")), required=True,
                        validate=validate.Length(min=1, max=10, error=lazy("Name 1 to {max} services.")),
                        metadata={"description": "Service codes the client is sent for."})
    population = Text(load_default=None, allow_none=True, validate=code_validator("populations", "population"),
                      metadata={"description": "The client's population code (left out: the general population)."})
    created = fields.Date(load_default=None, validate=_not_future, metadata={
        "description": "The day the referral was made (default today)."})


class StatusBodySchema(Strict):
    """A step of a referral's history, set by the organisation it was sent to."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES[1:]),
                           metadata={"description": "received, accepted, declined, completed or lost_to_follow_up."})
    on = fields.Date(load_default=None, validate=_not_future, metadata={"description": "The day (default today)."})
    reason = fields.String(load_default=None, allow_none=True, validate=_decline_reason, metadata={
        "description": "Why it was declined (declined only): full, not_eligible, no_documents, "
                       "service_not_offered or other."})


_REFERRAL = ReferralBodySchema()
_STATUS = StatusBodySchema()


def _load(schema: Schema, data: Any, noun: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidData(translate(_NOT_AN_OBJECT[noun]), {"_schema": [translate("Not an object.")]})
    try:
        return schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        for key, value in messages.items():
            if value == ["Unknown field."]:
                messages[key] = [translate("Unknown field: a referral records no client identity or free text.")]
        raise InvalidData("; ".join(problem_lines(messages)), messages) from None


def load_referral_body(data: Any) -> dict[str, Any]:
    """Validate a referral body, or raise ``InvalidData`` naming each bad field.

    >>> load_referral_body({"target": "clinic-a", "needs": ["tb_treatment"], "name": "Thabo"})
    Traceback (most recent call last):
    ...
    network.errors.InvalidData: name: Unknown field: a referral records no client identity or free text.
    """
    return _load(_REFERRAL, data, "referral")


def load_status_body(data: Any) -> dict[str, Any]:
    """Validate a change of status, or raise ``InvalidData`` naming each bad field.

    >>> load_status_body({"status": "declined", "reason": "no_documents"})["reason"]
    'no_documents'
    """
    return _load(_STATUS, data, "status change")
