"""The finding: one thing an analysis noticed that a coordinator can act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Finding", "SEVERITIES", "plain", "gap_order", "not_negative"]

#: Severities from most to least urgent.
SEVERITIES = ("high", "medium", "low")


@dataclass
class Finding:
    """One analysis result.

    ``type`` names the finding (``isolated``, ``broken_cascade``, ...),
    ``organisations`` lists the organisation ids involved (most relevant first),
    ``links`` the link ids involved, ``explanation`` one plain sentence a
    coordinator can act on and ``details`` any figures behind it.
    """

    type: str
    severity: str
    explanation: str
    organisations: list[str] = field(default_factory=list)
    district: str | None = None
    population: str | None = None
    service: str | None = None
    links: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict (see :func:`plain`)."""
        return {
            "type": self.type,
            "severity": self.severity,
            "explanation": self.explanation,
            "organisations": list(self.organisations),
            "district": self.district,
            "population": self.population,
            "service": self.service,
            "links": list(self.links),
            "details": plain(self.details),
        }


#: Values that are JSON-ready as they are (exactly these types; subclasses take the long way).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """``value`` made JSON-ready: dates as ISO strings, sets sorted into lists, tuples as lists.

    >>> import datetime as dt
    >>> plain({"ends": dt.date(2026, 3, 31), "kinds": {"mou", "referral"}, 1: ("a", "b")})
    {'ends': '2026-03-31', 'kinds': ['mou', 'referral'], '1': ['a', 'b']}
    """
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _AS_IS else plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def gap_order(finding: Finding) -> tuple[Any, ...]:
    """The sort key of linkage gaps: most severe first, then type, days left, organisations, place and links.

    >>> a = Finding("isolated", "low", "...", ["b"])
    >>> b = Finding("expiring_agreement", "high", "...", ["a", "c"], details={"days_left": 9})
    >>> [f.type for f in sorted([a, b], key=gap_order)]
    ['expiring_agreement', 'isolated']
    """
    return (
        SEVERITIES.index(finding.severity), finding.type, finding.details.get("days_left", 0),
        finding.organisations, finding.district or "",
        finding.population or "", finding.service or "", finding.links,
    )


def duplication_order(finding: Finding) -> tuple[Any, ...]:
    """The sort key of duplication findings: most severe first, then type, organisations and place."""
    return (
        SEVERITIES.index(finding.severity), finding.type, finding.organisations,
        finding.district or "", finding.population or "", finding.service or "",
    )


def not_negative(**options: int) -> None:
    """Raise ValueError for the first of an analysis's counting ``options`` below zero.

    >>> not_negative(max_hops=3, within_days=0)
    >>> not_negative(max_hops=-1)
    Traceback (most recent call last):
    ...
    ValueError: max_hops must be zero or more, not -1
    """
    for option, value in options.items():
        if value < 0:
            raise ValueError(f"{option} must be zero or more, not {value}")
