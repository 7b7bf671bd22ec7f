"""The domain of referral records: a referral, its status history, the rules a change of status obeys, its code.

A referral records that one organisation sent a client to another for some
services, and what became of it. It never holds who the client is: only the
client's population, the needs, the organisations, the agreement used and
the dates. Its status moves ``sent -> received -> accepted | declined``,
``accepted -> completed | lost_to_follow_up`` (a referral ``sent`` or
``received`` may also be ``lost_to_follow_up``); each step carries its date
and the organisation that set it, and dates never go backwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from network.errors import Conflict, InvalidData
from network.language import DEFAULT
from network.model import seed_dir
from network.translation import current_language, translate

__all__ = [
    "Referral",
    "StatusChange",
    "ReferralCount",
    "ReferralVocabulary",
    "referral_vocabulary",
    "STATUSES",
    "FINAL_STATUSES",
    "NEXT_STATUSES",
    "CODE_ALPHABET",
    "new_code",
    "normal_code",
    "check_change",
    "months_before",
]

STATUSES = ("sent", "received", "accepted", "declined", "completed", "lost_to_follow_up")
#: Statuses after which nothing more happens to a referral.
FINAL_STATUSES = frozenset({"declined", "completed", "lost_to_follow_up"})
#: The statuses that may follow each status.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "sent": ("received", "lost_to_follow_up"),
    "received": ("accepted", "declined", "lost_to_follow_up"),
    "accepted": ("completed", "lost_to_follow_up"),
    "declined": (),
    "completed": (),
    "lost_to_follow_up": (),
}
#: Letters and digits nobody confuses when reading a slip aloud or copying it (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


@dataclass
class StatusChange:
    """One step of a referral's history: the status, its date, the organisation that set it, and why."""

    status: str
    on: dt.date
    by: str
    reason: str | None = None


@dataclass
class Referral:
    """A referral record: never the client's identity.

    ``source`` sent the client to ``target`` for ``needs`` (service codes);
    ``link`` is the agreement used, if any; ``population`` the client's
    population (``None``: the general population). ``history`` starts with
    ``sent`` on ``created`` by ``source``.
    """

    code: str
    source: str
    target: str
    needs: list[str]
    created: dt.date
    population: str | None = None
    link: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    updated_at: dt.datetime | None = None
    version: int = 0

    @property
    def status(self) -> str:
        """The latest status."""
        return self.history[-1].status if self.history else "sent"

    def reached(self, status: str) -> dt.date | None:
        """The date the referral reached ``status``, or ``None`` if it never did."""
        return next((change.on for change in self.history if change.status == status), None)

    def to_dict(self) -> dict[str, Any]:
        """The referral as a plain dict (dates stay date objects)."""
        return dataclasses.asdict(self)

    def to_record(self) -> dict[str, Any]:
        """The referral as JSON-ready data (dates as ISO text), as the stores keep it."""
        return {"code": self.code, "source": self.source, "target": self.target, "needs": list(self.needs),
                "created": self.created.isoformat(), "population": self.population, "link": self.link,
                "history": [{"status": c.status, "on": c.on.isoformat(), "by": c.by, "reason": c.reason}
                            for c in self.history]}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Referral:
        """The referral :meth:`to_record` wrote, with the store's ``version`` and ``updated_at`` if present."""
        stamp = record.get("updated_at")
        return cls(code=record["code"], source=record["source"], target=record["target"],
                   needs=list(record["needs"]), created=dt.date.fromisoformat(record["created"]),
                   population=record.get("population"), link=record.get("link"),
                   history=[StatusChange(c["status"], dt.date.fromisoformat(c["on"]), c["by"], c.get("reason"))
                            for c in record["history"]],
                   updated_at=dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp,
                   version=int(record.get("version") or 0))


@dataclass(frozen=True)
class ReferralCount:
    """What is left of referrals past the retention period: how many, by month created, route and final status."""

    month: str
    source: str
    target: str
    link: str | None
    status: str
    count: int


@dataclass(frozen=True)
class ReferralVocabulary:
    """Plain labels of the statuses and decline reasons, and the default retention period."""

    statuses: dict[str, str]
    decline_reasons: dict[str, str]
    retention_months: int


@lru_cache(maxsize=4)
def _load(folder: str) -> ReferralVocabulary:
    with open(f"{folder}/vocabulary/referrals.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return ReferralVocabulary(statuses={s["code"]: s["label"] for s in data["statuses"]},
                              decline_reasons={r["code"]: r["label"] for r in data["decline_reasons"]},
                              retention_months=int(data["retention_months"]))


def referral_vocabulary() -> ReferralVocabulary:
    """The referral vocabulary of ``seed/vocabulary/referrals.json``.

    >>> referral_vocabulary().decline_reasons["no_documents"]
    'No ID or other documents'
    """
    return _load(str(seed_dir()))


def new_code() -> str:
    """A fresh referral code: six unambiguous characters in two groups of three.

    >>> code = new_code()
    >>> len(code), code[3], set(code.replace("-", "")) <= set(CODE_ALPHABET)
    (7, '-', True)
    """
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def normal_code(text: str) -> str:
    """A code as people type it, in its stored form: capitals, spaces and dashes dropped, one dash in the middle.

    >>> normal_code(" k7m 4qx "), normal_code("K7M-4QX")
    ('K7M-4QX', 'K7M-4QX')
    """
    plain = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return f"{plain[:3]}-{plain[3:]}" if len(plain) == 6 else plain


def check_change(referral: Referral, change: StatusChange, *, today: dt.date) -> None:
    """Refuse a change of status that makes no sense for ``referral``; return quietly if it is allowed.

    Raises ``Conflict`` (409) when the change does not follow from the
    current status (completed before received, accepted after declined),
    and ``InvalidData`` (422) for a date before the previous step or after
    ``today``, or a decline without a reason from the vocabulary (or a
    reason given for another status).

    >>> r = Referral("ACD-EFG", "a", "b", ["tb_treatment"], dt.date(2026, 1, 5),
    ...              history=[StatusChange("sent", dt.date(2026, 1, 5), "a")])
    >>> check_change(r, StatusChange("completed", dt.date(2026, 1, 9), "b"), today=dt.date(2026, 2, 1))
    Traceback (most recent call last):
    ...
    network.errors.Conflict: Referral ACD-EFG is sent: it can next be received or lost to follow-up, not completed.
    """
    current = referral.status
    allowed = NEXT_STATUSES.get(current, ())
    if change.status not in STATUSES:
        raise InvalidData(translate("Unknown status '%(code)s': use one of %(known)s.", code=change.status,
                                    known=", ".join(STATUSES)),
                          {"status": [translate("Unknown status '%(code)s'.", code=change.status)]})
    if change.status not in allowed:
        if not allowed:
            raise Conflict(translate("Referral %(code)s is %(now)s already: it cannot become %(asked)s.",
                                     code=referral.code, now=_words(current), asked=_words(change.status)))
        raise Conflict(translate("Referral %(code)s is %(now)s: it can next be %(next)s, not %(asked)s.",
                                 code=referral.code, now=_words(current),
                                 next=translate(" or ").join(map(_words, allowed)), asked=_words(change.status)))
    problems: dict[str, list[str]] = {}
    last = referral.history[-1].on if referral.history else referral.created
    if change.on < last:
        problems["on"] = [translate("%(day)s is before the referral was %(now)s (%(last)s): dates cannot go "
                                    "backwards.", day=change.on.isoformat(), now=_words(current),
                                    last=last.isoformat())]
    elif change.on > today:
        problems["on"] = [translate("%(day)s is in the future: give today (%(today)s) or an earlier date.",
                                    day=change.on.isoformat(), today=today.isoformat())]
    reasons = referral_vocabulary().decline_reasons
    if change.status == "declined" and change.reason not in reasons:
        problems["reason"] = [translate("Say why it was declined: one of %(known)s.", known=", ".join(reasons))]
    elif change.status != "declined" and change.reason is not None:
        problems["reason"] = [translate("Only a declined referral has a reason.")]
    if problems:
        raise InvalidData("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(problems.items())), problems)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months before ``day`` (the month's last day when it is shorter).

    >>> months_before(dt.date(2026, 3, 31), 24), months_before(dt.date(2026, 3, 31), 1)
    (datetime.date(2024, 3, 31), datetime.date(2026, 2, 28))
    """
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def _words(status: str) -> str:
    """A status in words: the code in English, its label in another language."""
    label = referral_vocabulary().statuses.get(status)
    if current_language() != DEFAULT and label:
        return translate(label).lower()
    return status.replace("_", " ").replace("follow up", "follow-up")
