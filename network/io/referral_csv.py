"""Referral records in CSV (the demo's ``seed/demo/referrals.csv``): one row per referral, one date column per step.

Columns: ``code, source, target, link, needs`` (``;``-separated service codes), ``population``, ``created``,
then the date of each step reached (``received, accepted, declined, completed, lost_to_follow_up``) and the
decline ``reason``. Every step after ``sent`` was set by the receiving organisation. No client identity.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from network.errors import InvalidData
from network.referrals import Referral, StatusChange, check_change
from network.translation import translate

__all__ = ["read_referrals", "STEP_COLUMNS"]

#: The step columns, in the order steps happen.
STEP_COLUMNS = ("received", "accepted", "declined", "completed", "lost_to_follow_up")


def read_referrals(path: str | Path, *, today: dt.date | None = None) -> list[Referral]:
    """The referrals of the CSV file at ``path``; ``InvalidData`` naming the row for a step that does not
    follow (each history obeys ``network.referrals.check_change``)."""
    made = []
    with open(path, encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            try:
                made.append(_referral(row, today or dt.date.today()))
            except (KeyError, ValueError, InvalidData) as err:
                raise InvalidData(translate("%(file)s row %(row)s: %(problem)s", file=Path(path).name, row=number,
                                            problem=err)) from None
    return made


def _referral(row: dict[str, str], today: dt.date) -> Referral:
    created = dt.date.fromisoformat(row["created"])
    referral = Referral(row["code"], row["source"], row["target"], [s for s in row["needs"].split(";") if s],
                        created, population=row["population"] or None, link=row["link"] or None,
                        history=[StatusChange("sent", created, row["source"])])
    for status in STEP_COLUMNS:
        if row.get(status):
            change = StatusChange(status, dt.date.fromisoformat(row[status]), row["target"],
                                  row.get("reason") or None if status == "declined" else None)
            check_change(referral, change, today=today)
            referral.history.append(change)
    return referral
