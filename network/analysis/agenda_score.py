"""The rank of agenda items: each root cause's score from the weights, and the order items are taken in."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from network.analysis.agenda_context import Group
from network.analysis.words import count, join, lower_first
from network.model import vocabulary
from network.translation import N_

__all__ = ["Score", "Scorer", "choose", "explain"]


@dataclass
class Score:
    """A group's rank score and its factors: the base, the continuity factor, urgency and days left."""

    value: float
    base: float
    continuity: float
    urgency: float
    days: int | None


class Scorer:
    """The score of a group (see :func:`network.analysis.agenda.agenda`), with the weights read once."""

    def __init__(self, weights: Mapping[str, Any], as_of: dt.date) -> None:
        actions = weights["actions"]
        self.action = {code: float(a["weight"]) for code, a in actions.items()}
        self.default = float(actions["act"]["weight"])
        self.severity = {k: float(v) for k, v in weights["severity"].items()}
        self.per_organisation, self.most_organisations = (float(weights["organisations"]["weight"]),
                                                          float(weights["organisations"]["most"]))
        self.per_people, self.most_people = float(weights["people"]["weight"]), float(weights["people"]["most"])
        self.per_finding, self.most_findings = (float(weights["per_extra_finding"]),
                                                int(weights["max_extra_findings"]))
        self.stops = {k: float(v) for k, v in weights["stops_working"].items()}
        self.horizon = int(weights["urgency"]["horizon_days"])
        self.boost = float(weights["urgency"]["boost"])
        self.as_of = as_of

    def __call__(self, group: Group) -> Score:
        base = (
            self.action.get(group.action, self.default)
            + self.severity.get(group.severity, 0.0)
            + self.per_organisation * math.log2(1 + min(group.weighted_count, self.most_organisations))
            + self.per_people * math.log2(1 + min(group.weighted_people, self.most_people) / 100)
            + self.per_finding * min(len(group.members) - 1, self.most_findings)
        )
        continuity = 1.0
        hub = group.extra.get("hub") if group.extra else None
        if hub is not None:
            continuity = self.stops.get(hub, self.stops.get("other", 1.0))
        urgency, days = 1.0, None
        if group.due is not None:
            days = (group.due - self.as_of).days
            if days <= self.horizon:
                share = 1.0 if self.horizon <= 0 else min(1.0, (self.horizon - days) / self.horizon)
                urgency = 1 + self.boost * share
        return Score(round(base * continuity * urgency, 1), base, continuity, urgency, days)


def choose(
    scored: list[tuple[Score, Group]], weights: Mapping[str, Any], limit: int | None,
) -> list[tuple[Score, Group]]:
    """Best first, but at most ``max_per_action`` items of one action (not due soon) before all the others."""
    scored.sort(key=lambda pair: (-pair[0].value, pair[1].key))
    actions, default = weights["actions"], weights.get("max_per_action")
    taken: Counter[str] = Counter()
    first, waiting = [], []
    for score, group in scored:
        cap = actions.get(group.action, {}).get("max_per_action", default)
        urgent = score.urgency > 1
        if urgent or not cap or taken[group.action] < cap:
            taken[group.action] += 0 if urgent else 1
            first.append((score, group))
        else:
            waiting.append((score, group))
    return (first + waiting)[:limit]


def explain(group: Group, score: Score, action: Mapping[str, Any], weights: Mapping[str, Any]) -> str:
    """How ``score`` was made, in words: the base and what it counts, then the continuity and urgency factors."""
    organisations = count(group.affected_count, "organisation")
    if group.weighted_count < group.affected_count - 0.05:
        organisations = N_("%(organisations)s (counted as %(weighted)s: public facilities have other routes)") % {
            "organisations": organisations, "weighted": f"{group.weighted_count:.1f}"}
    parts = [action.get("reason", N_("acting")), N_("%(severity)s severity") % {"severity": group.severity},
             organisations]
    if group.people:
        parts.append(N_("%(num)s people a month") % {"num": f"{group.people:,}"})
    if len(group.members) > 1:
        parts.append(N_("%(num)s findings resolved") % {"num": len(group.members)})
    text = N_("%(base)s for %(parts)s") % {"base": f"{round(score.base, 1):g}", "parts": join(parts)}
    if score.continuity != 1:
        kind = vocabulary().organisation_kinds.get(group.extra.get("hub") or "", "organisation")
        factor = (N_("x%(factor)s as a %(kind)s is less likely to stop working") if score.continuity < 1 else
                  N_("x%(factor)s as a %(kind)s is more likely to stop working"))
        text += "; " + factor % {"factor": f"{score.continuity:g}", "kind": lower_first(kind)}
    if score.urgency > 1 and score.days is not None:
        when = (N_("x%(factor)s as it is overdue") if score.days < 0 else
                N_("x%(factor)s as it is due today") if score.days == 0 else
                N_("x%(factor)s as it is due in 1 day") if score.days == 1 else
                N_("x%(factor)s as it is due in %(days)s days"))
        text += "; " + when % {"factor": f"{score.urgency:.2f}", "days": score.days}
    return text
