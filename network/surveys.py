"""Tie surveys, after the PARTNER tool: a survey round, and one organisation's answers about one tie.

A partner rates each organisation it has a tie with on six questions, each on
a 1-4 scale. Three make the **value** score (power and influence, level of
involvement, resource contribution) and three the **trust** score
(reliability, in support of the mission, open to discussion); each score is
the mean of its three answers, as PARTNER composes them. The partner also says
what it brings to the tie (funding, staff, referrals, ...). The questions,
the scale and the contributions are data: ``seed/vocabulary/surveys.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from network.model import seed_dir

__all__ = [
    "SurveyRound",
    "TieRating",
    "SurveyWords",
    "survey_words",
    "VALUE_ITEMS",
    "TRUST_ITEMS",
    "ITEMS",
    "SCALE",
]

#: The three answers that make the value score, and the three that make the trust score.
VALUE_ITEMS = ("power", "involvement", "resources")
TRUST_ITEMS = ("reliability", "mission", "openness")
ITEMS = VALUE_ITEMS + TRUST_ITEMS
#: The lowest and highest answer.
SCALE = (1, 4)


@dataclass
class SurveyRound:
    """A survey round: who is asked (``invited`` organisation ids) and when answers are taken (both days included)."""

    id: str
    name: str
    opens: dt.date
    closes: dt.date
    invited: list[str] = field(default_factory=list)
    updated_at: dt.datetime | None = None

    def is_open(self, day: dt.date) -> bool:
        """True when answers given on ``day`` count for this round.

        >>> SurveyRound("r", "R", dt.date(2026, 1, 1), dt.date(2026, 1, 31)).is_open(dt.date(2026, 1, 31))
        True
        """
        return self.opens <= day <= self.closes

    def to_dict(self) -> dict[str, Any]:
        """The round as a plain dict."""
        return dataclasses.asdict(self)


@dataclass
class TieRating:
    """One respondent organisation's answers about one tie: how it rates the ``partner`` organisation.

    Each of the six items is an answer from 1 to 4; ``contributes`` lists what
    the respondent brings to the tie (codes of the contributions vocabulary).
    """

    round: str
    respondent: str
    partner: str
    power: int
    involvement: int
    resources: int
    reliability: int
    mission: int
    openness: int
    contributes: list[str] = field(default_factory=list)
    answered_on: dt.date | None = None
    entered_by: str = ""

    @property
    def value(self) -> float:
        """The value score of this answer: the mean of its three value items.

        >>> TieRating("r", "a", "b", 4, 3, 2, 1, 1, 1).value
        3.0
        """
        return sum(getattr(self, item) for item in VALUE_ITEMS) / len(VALUE_ITEMS)

    @property
    def trust(self) -> float:
        """The trust score of this answer: the mean of its three trust items.

        >>> TieRating("r", "a", "b", 4, 3, 2, 1, 2, 3).trust
        2.0
        """
        return sum(getattr(self, item) for item in TRUST_ITEMS) / len(TRUST_ITEMS)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes an answer one: the round, who answers and about whom."""
        return self.round, self.respondent, self.partner

    def to_dict(self) -> dict[str, Any]:
        """The answer as a plain dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SurveyWords:
    """The plain words of the survey: item labels and questions, scale labels, contribution labels."""

    items: dict[str, str]
    questions: dict[str, str]
    scale: dict[int, str]
    contributions: dict[str, str]


def survey_words() -> SurveyWords:
    """The survey's words, read from ``seed/vocabulary/surveys.json`` (cached per seed folder).

    >>> survey_words().items["openness"]
    'Open to discussion'
    """
    return _load(str(seed_dir()))


@lru_cache(maxsize=4)
def _load(folder: str) -> SurveyWords:
    with open(f"{folder}/vocabulary/surveys.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return SurveyWords(
        items={i["code"]: i["label"] for i in data["items"]},
        questions={i["code"]: i["question"] for i in data["items"]},
        scale={s["value"]: s["label"] for s in data["scale"]},
        contributions={c["code"]: c["label"] for c in data["contributions"]},
    )
