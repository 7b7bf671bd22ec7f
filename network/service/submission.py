"""What a partner sends through an invitation, checked: the form's envelope by its own schema, and every
correction and tie by the API's own organisation and link schemas, before anything is queued."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from network.errors import InvalidData, NotFound
from network.graph.partners import Proposal
from network.graph.store import GraphStore
from network.model import Link, Organisation, today
from network.schemas import ID_PATTERN, Text, dump_link, dump_organisation, load_link, load_organisation, problem_lines
from network.translation import translate

__all__ = ["PARTNER_FIELDS", "SubmissionSchema", "proposals_from", "organisation_after", "link_after",
           "verifier"]

#: The fields of its own record a partner may correct (not its id, kind, status, protection, tags or sources).
PARTNER_FIELDS = ("name", "aliases", "description", "province", "district", "municipality", "latitude",
                  "longitude", "services", "populations", "capacity_per_month", "languages", "phone", "email",
                  "website")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class EndTieSchema(_Strict):
    """One of the partner's ties that has ended, and when (default today)."""

    link = Text(required=True, validate=validate.Regexp(ID_PATTERN))
    end_date = fields.Date(load_default=None, allow_none=True)


class NewTieSchema(_Strict):
    """A tie the network does not have yet: with which organisation, of which kind, and which way it runs."""

    other = Text(required=True, validate=validate.Regexp(ID_PATTERN))
    kind = Text(required=True)
    direction = Text(load_default="from", validate=validate.OneOf(("from", "to")))
    services = fields.List(Text(), load_default=list)
    start_date = fields.Raw(load_default=None, allow_none=True)
    formal = fields.Boolean(load_default=False)
    notes = Text(load_default="", multiline=True, blank="empty")


class SubmissionSchema(_Strict):
    """A partner's submission: confirm the record, correct fields, end ties, propose new ties."""

    confirm = fields.Boolean(load_default=False)
    corrections = fields.Dict(keys=fields.String(validate=validate.OneOf(
        PARTNER_FIELDS, error="A partner may not change '{input}' here; ask the coordinator.")), load_default=dict)
    ended_ties = fields.List(fields.Nested(EndTieSchema), load_default=list, validate=validate.Length(max=100))
    new_ties = fields.List(fields.Nested(NewTieSchema), load_default=list, validate=validate.Length(max=20))


def verifier(org: Organisation) -> str:
    """Who verified a record the partner confirmed, in words: the partner itself."""
    return f"{org.name} (the partner, by invitation)"[:200]


def organisation_after(current: Organisation, changes: dict[str, Any]) -> Organisation:
    """``current`` with ``changes`` (JSON values), checked as a whole by the API's organisation schema."""
    return load_organisation(_merged(dump_organisation(current), changes))


def link_after(current: Link, changes: dict[str, Any]) -> Link:
    """``current`` with ``changes`` (JSON values), checked as a whole by the API's link schema."""
    return load_link(_merged(dump_link(current), changes))


def proposals_from(store: GraphStore, org: Organisation, data: Any, *, submitted_by: str,
                   invitation: str | None) -> list[Proposal]:
    """The proposals a submission makes for ``org``; ``InvalidData`` (nothing queued) naming every problem.

    Corrections keep only fields that differ from the record; a submission
    with nothing to send is refused.
    """
    try:
        sent = SubmissionSchema().load(data if isinstance(data, dict) else {"_": data})
    except ValidationError as err:
        raise InvalidData("; ".join(problem_lines(err.messages)), err.messages) from None
    at, problems = dt.datetime.now(dt.UTC), {}
    made: list[Proposal] = []

    def propose(kind: str, entity: str, entity_id: str, changes: dict[str, Any], base: int | None) -> None:
        made.append(Proposal(f"chg_{secrets.token_hex(6)}", org.id, kind, entity, entity_id, changes, at,
                             submitted_by, base_version=base, invitation=invitation))

    if sent["confirm"]:
        propose("confirm", "organisation", org.id,
                {"last_verified": today().isoformat(), "verified_by": verifier(org)}, org.version)
    current = dump_organisation(org)
    corrections = {k: v for k, v in sent["corrections"].items() if not _same(v, current.get(k))}
    if corrections and _checked(problems, "corrections", lambda: organisation_after(org, corrections)):
        propose("correct", "organisation", org.id, corrections, org.version)
    for n, ended in enumerate(sent["ended_ties"]):
        _end_tie(store, org, ended, f"ended_ties.{n}", problems, propose)
    for n, tie in enumerate(sent["new_ties"]):
        _new_tie(store, org, tie, f"new_ties.{n}", problems, propose)
    if problems:
        raise InvalidData("; ".join(problem_lines(problems)), problems)
    if not made:
        raise InvalidData(translate("Nothing to send: confirm the record, correct a field, end a tie or propose one."),
                          {"_schema": [translate("Nothing to send.")]})
    return made


def _end_tie(store: GraphStore, org: Organisation, ended: dict[str, Any], where: str,
             problems: dict[str, list[str]], propose: Callable[..., None]) -> None:
    try:
        link = store.get_link(ended["link"])
    except NotFound:
        link = None
    if link is None or org.id not in (link.source, link.target):
        problems[f"{where}.link"] = [f"'{ended['link']}' is not one of your organisation's ties."]
        return
    changes = {"status": "ended", "end_date": (ended["end_date"] or today()).isoformat()}
    if _checked(problems, where, lambda: link_after(link, changes)):
        propose("end_tie", "link", link.id, changes, link.version)


def _new_tie(store: GraphStore, org: Organisation, tie: dict[str, Any], where: str,
             problems: dict[str, list[str]], propose: Callable[..., None]) -> None:
    try:
        store.get_organisation(tie["other"])
    except NotFound:
        problems[f"{where}.other"] = [translate("No organisation with id '%(id)s'.", id=tie['other'])]
        return
    source, target = (org.id, tie["other"]) if tie["direction"] == "from" else (tie["other"], org.id)
    data = {"id": f"tie-{secrets.token_hex(5)}", "source": source, "target": target, "kind": tie["kind"],
            "services": tie["services"], "start_date": tie["start_date"], "formal": tie["formal"],
            "notes": tie["notes"], "status": "active", "last_verified": today().isoformat(),
            "verified_by": verifier(org)}
    if _checked(problems, where, lambda: load_link(data)):
        propose("new_tie", "link", data["id"], data, None)


def _checked(problems: dict[str, list[str]], where: str, check: Callable[[], Any]) -> bool:
    """Run ``check``; on ``InvalidData`` keep its per-field messages under ``where`` and answer False."""
    try:
        check()
    except InvalidData as err:
        for name, messages in (err.errors or {"_schema": [err.message]}).items():
            problems[f"{where}.{name}"] = list(messages) if isinstance(messages, list) else [str(messages)]
        return False
    return True


def _same(sent: Any, stored: Any) -> bool:
    """True if a sent value is the stored one (a list in another order is the same list)."""
    if isinstance(sent, list) and isinstance(stored, list):
        return sorted(map(str, sent)) == sorted(map(str, stored))
    return bool(sent == stored)


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {**current, **changes}.items() if k not in ("updated_at", "version")}
