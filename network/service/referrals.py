"""Referral records: send one, record what became of it, read it back, list them, and reduce old ones to counts.

Who may do what (``Acting``): a ``referrer`` acts for one organisation; it
sends referrals from it, records the status of referrals sent to it, and
reads and lists both. An ``admin`` (and the command line) may do all of that
for any organisation. Everyone else (viewers, editors) sees counts and rates
only (:mod:`network.service.outcomes`), never another organisation's
individual records. Every write is one ``store.transaction`` with its audit
entry; a refused write leaves the store as it was.

These functions are what the API, the pages and the CLI call:
``send_referral``, ``record_status``, ``read_referral``, ``list_referrals``,
``reduce_old_referrals`` and ``retention_months``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from network.errors import InvalidData, NotAllowed, NotFound
from network.graph.referral_store import ReferralQuery
from network.graph.store import GraphStore, Page
from network.model import Link, today
from network.referral_schemas import load_referral_body, load_status_body
from network.referrals import (
    Referral,
    StatusChange,
    check_change,
    months_before,
    new_code,
    normal_code,
    referral_vocabulary,
)
from network.translation import translate

from . import audit
from .audit import Actor

__all__ = ["Acting", "ADMIN", "load_referrals", "send_referral", "record_status", "read_referral", "list_referrals",
           "reduce_old_referrals", "retention_months", "RETENTION_ENV", "CARRYING_KINDS"]

#: The environment variable that sets the retention period in months (the vocabulary's default otherwise).
RETENTION_ENV = "CSSNET_REFERRAL_RETENTION_MONTHS"
#: Kinds of link that can carry a client, so may be the agreement a referral used.
CARRYING_KINDS = ("referral", "mou")
_CODE_TRIES = 20


@dataclass(frozen=True)
class Acting:
    """Who acts on referrals: the caller's role and, for a referrer, the organisation it acts for."""

    role: str
    organisation: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def speaks_for(self, org_id: str) -> bool:
        """True if this caller may act as ``org_id`` (an admin for any, a referrer for its own)."""
        return self.is_admin or (self.role == "referrer" and self.organisation == org_id)


#: The command line and other local administration: may act for any organisation.
ADMIN = Acting("admin")


def send_referral(store: GraphStore, body: Mapping[str, Any], *, acting: Acting, actor: Actor,
                  retention: int | None = None) -> Referral:
    """Record a referral from ``body`` (see ``ReferralBodySchema``) with a fresh code; return it.

    The sender is the referrer's organisation (or ``body["source"]`` for an
    admin); both organisations must exist and differ, and the agreement, when
    named, must be a referral or MoU link between them. Referrals older than
    the retention period are reduced to counts in the same transaction.
    Raises ``InvalidData`` (422) for a bad body, ``NotAllowed`` (403) for a
    caller who may not send from that organisation.
    """
    data = load_referral_body(body)
    source = data["source"] or acting.organisation
    if source is None:
        message = translate("Name the organisation that sends the referral.")
        raise InvalidData(f"source: {message}", {"source": [message]})
    if not acting.speaks_for(source):
        raise NotAllowed(_not_yours(acting, translate("send referrals from '%(org)s'", org=source)))
    created = data["created"] or today()
    with store.transaction(actor=actor.key):
        _check_route(store, source, data["target"], data["link"])
        code = _free_code(store)
        referral = Referral(code, source, data["target"], list(dict.fromkeys(data["needs"])), created,
                            population=data["population"], link=data["link"],
                            history=[StatusChange("sent", created, source)])
        stored = store.create_referral(referral)
        audit.record(store, actor, "create", "referral", code,
                     {"source": source, "target": stored.target, "link": stored.link, "needs": stored.needs,
                      "population": stored.population, "created": created.isoformat()})
        _reduce(store, retention, actor)
    return stored


def load_referrals(store: GraphStore, made: list[Referral], *, actor: Actor, audited: bool = True) -> int:
    """Store referral records read from a file (the demo's), leaving out codes already stored; how many were added.

    Every route must join stored organisations; the records and one audit entry commit together (without
    ``audited``, the caller's own audit entry of the enclosing transaction counts them).
    """
    with store.transaction(actor=actor.key):
        fresh = [r for r in made if not _stored(store, r.code)]
        for referral in fresh:
            _check_route(store, referral.source, referral.target, referral.link)
        if fresh:
            store.add_referrals(fresh)
        if fresh and audited:
            audit.record(store, actor, "import", "referral", "*", {"referrals": len(fresh)})
    return len(fresh)


def _stored(store: GraphStore, code: str) -> bool:
    try:
        store.get_referral(code)
    except NotFound:
        return False
    return True


def record_status(store: GraphStore, code: str, body: Mapping[str, Any], *, acting: Acting,
                  actor: Actor) -> Referral:
    """Add a step to the history of referral ``code`` from ``body`` (see ``StatusBodySchema``); return it.

    Only the organisation the referral was sent to (or an admin) records
    steps; the step is set by that organisation. Raises ``NotFound`` (404),
    ``NotAllowed`` (403) for another organisation's referral, ``Conflict``
    (409) for a step that does not follow (completed before received,
    accepted after declined) and ``InvalidData`` (422) for a bad body, a date
    before the previous step or a decline without a reason.
    """
    data = load_status_body(body)
    with store.transaction(actor=actor.key):
        referral = store.get_referral(normal_code(code))
        if not acting.speaks_for(referral.target):
            raise NotAllowed(_not_yours(acting, translate("update referral %(code)s, which was sent to '%(org)s'",
                                                          code=referral.code, org=referral.target)))
        change = StatusChange(data["status"], data["on"] or today(), referral.target, data["reason"])
        check_change(referral, change, today=today())
        referral.history.append(change)
        stored = store.update_referral(referral, expected_version=referral.version)
        audit.record(store, actor, "update", "referral", referral.code,
                     {"status": {"before": referral.history[-2].status, "after": change.status},
                      "on": change.on.isoformat(), "reason": change.reason})
    return stored


def read_referral(store: GraphStore, code: str, *, acting: Acting) -> Referral:
    """The referral with ``code`` (as typed: case, spaces and dashes do not matter), for one of its two
    organisations or an admin; ``NotFound`` (404) or ``NotAllowed`` (403) otherwise. A caller who may see no
    individual referral at all is refused before the code is looked up, so a refusal never tells whether a code
    exists."""
    if not acting.is_admin and acting.role != "referrer":
        raise NotAllowed(_not_yours(acting, translate("see this referral")))
    referral = store.get_referral(normal_code(code))
    if not (acting.speaks_for(referral.source) or acting.speaks_for(referral.target)):
        raise NotAllowed(_not_yours(acting, translate("see this referral")))
    return referral


def list_referrals(store: GraphStore, *, acting: Acting, direction: str | None = None, status: str | None = None,
                   since: dt.date | None = None, until: dt.date | None = None, organisation: str | None = None,
                   limit: int | None = 50, offset: int = 0) -> Page[Referral]:
    """A page of referrals, newest first: a referrer's sent and received ones, or any for an admin.

    ``direction`` is ``sent`` or ``received`` (relative to the referrer's
    organisation, or to ``organisation`` for an admin); ``None`` lists both.
    """
    if acting.role == "referrer":
        if organisation not in (None, acting.organisation):
            raise NotAllowed(_not_yours(acting, translate("list the referrals of '%(org)s'", org=organisation)))
        organisation = acting.organisation
    elif not acting.is_admin:
        raise NotAllowed(_not_yours(acting, translate("list individual referrals")))
    if direction not in (None, "sent", "received"):
        raise InvalidData(translate("direction: Unknown direction '%(direction)s': use sent or received.",
                                    direction=direction), {"direction": [translate("Use sent or received.")]})
    if direction is not None and organisation is None:
        raise InvalidData(translate("organisation: Name the organisation whose sent or received referrals to list."),
                          {"organisation": [translate("Needed with direction.")]})
    query = ReferralQuery(organisation=organisation if direction is None else None,
                          source=organisation if direction == "sent" else None,
                          target=organisation if direction == "received" else None,
                          status=status, since=since, until=until, limit=limit, offset=offset)
    return store.list_referrals(query)


def retention_months(setting: int | None = None) -> int:
    """How many months referral records are kept: ``setting`` if given, else ``$CSSNET_REFERRAL_RETENTION_MONTHS``,
    else the vocabulary's default (24).

    >>> retention_months(12)
    12
    """
    if setting is None and os.environ.get(RETENTION_ENV):
        try:
            setting = int(os.environ[RETENTION_ENV])
        except ValueError:
            raise InvalidData(f"{RETENTION_ENV} must be a whole number of months.") from None
    months = referral_vocabulary().retention_months if setting is None else setting
    if not 1 <= months <= 1200:
        raise InvalidData(f"Keep referral records for 1 to 1200 months, not {months}.")
    return months


def reduce_old_referrals(store: GraphStore, *, actor: Actor, months: int | None = None,
                         on: dt.date | None = None) -> int:
    """Reduce referrals created before the retention period (counted back from ``on``, default today) to counts
    by month, route, agreement and status; return how many records were reduced (audited when any were)."""
    with store.transaction(actor=actor.key):
        return _reduce(store, months, actor, on)


def _reduce(store: GraphStore, months: int | None, actor: Actor, on: dt.date | None = None) -> int:
    kept = retention_months(months)
    cutoff = months_before(on or today(), kept)
    reduced = store.reduce_referrals(cutoff)
    if reduced:
        audit.record(store, actor, "reduce", "referral", "*",
                     {"before": cutoff.isoformat(), "months": kept, "reduced": reduced})
    return reduced


def _check_route(store: GraphStore, source: str, target: str, link_id: str | None) -> None:
    problems: dict[str, list[str]] = {}
    for field, org_id in (("source", source), ("target", target)):
        try:
            store.get_organisation(org_id)
        except NotFound:
            problems[field] = [translate("No organisation with id '%(id)s'.", id=org_id)]
    if source == target:
        problems["target"] = [translate("A referral goes to another organisation than the one sending it.")]
    if link_id is not None:
        link = _link(store, link_id)
        if link is None:
            problems["link"] = [translate("No link with id '%(id)s'.", id=link_id)]
        elif {link.source, link.target} != {source, target}:
            problems["link"] = [translate("Link '%(id)s' joins '%(source)s' and '%(target)s', not the two "
                                          "organisations of this referral.", id=link_id, source=link.source,
                                          target=link.target)]
        elif link.kind not in CARRYING_KINDS:
            problems["link"] = [translate("Link '%(id)s' is a %(kind)s link; a referral uses a referral or MoU link.",
                                          id=link_id, kind=link.kind)]
    if problems:
        raise InvalidData("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(problems.items())), problems)


def _link(store: GraphStore, link_id: str) -> Link | None:
    try:
        return store.get_link(link_id)
    except NotFound:
        return None


def _free_code(store: GraphStore) -> str:
    for _ in range(_CODE_TRIES):
        code = new_code()
        if not _stored(store, code):
            return code
    raise InvalidData("Could not find a free referral code; try again.")  # 25**6 codes: practically never


def _not_yours(acting: Acting, what: str) -> str:
    if acting.role == "referrer":
        return translate("Your token acts for '%(org)s': it cannot %(what)s.", org=acting.organisation, what=what)
    return translate("The %(role)s role cannot %(what)s: individual referrals are for the two organisations involved "
                     "and admins; coordinators see counts and rates (GET /api/v1/referrals/outcomes).",
                     role=acting.role, what=what)
