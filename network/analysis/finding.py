"""The finding: one thing an analysis noticed that a coordinator can act on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Finding", "SEVERITIES"]

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
        """The finding as a JSON-ready dict."""
        return asdict(self)
