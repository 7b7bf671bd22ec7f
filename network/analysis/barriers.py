"""Barriers met at facilities, from community-led monitoring reports: repeated ones become findings.

**The rule of** ``repeated_barrier``: at a facility, a barrier is repeated
on ``as_of`` when at least ``at_least`` (3) monitoring reports name it whose
visit day falls in the ``window_days`` (90) days up to ``as_of`` (``as_of -
window_days < day <= as_of``) and which are still open: not marked
``resolved`` and later than the latest report in the window that names the
barrier and is marked ``resolved`` (a resolution settles the visits before
it). One finding per facility and barrier; ``high`` severity from
``2 * at_least`` open reports, else ``medium``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from network.analysis.finding import Finding
from network.analysis.words import join, long_date, name
from network.model import today
from network.monitoring import MonitoringReport, monitoring_vocabulary
from network.translation import N_

if TYPE_CHECKING:
    from network.analysis.agenda_words import Group, Words

__all__ = ["repeated_barriers", "recent_barriers", "word_barrier", "REPEATED_AT_LEAST", "WINDOW_DAYS",
           "ESCALATION_ORDER"]

#: Open reports of one barrier at one facility that make a finding ...
REPEATED_AT_LEAST = 3
#: ... within this many days.
WINDOW_DAYS = 90
#: Escalation steps from first to last; ``resolved`` closes a barrier.
ESCALATION_ORDER = ("raised_with_facility", "raised_with_district", "raised_with_province", "resolved")


def _in_window(reports: Iterable[MonitoringReport], as_of: dt.date, window_days: int) -> list[MonitoringReport]:
    start = as_of - dt.timedelta(days=window_days)
    return [r for r in reports if start < r.observed_on <= as_of]


def _open_by_barrier(reports: Sequence[MonitoringReport]) -> dict[tuple[str, str], list[MonitoringReport]]:
    """The open reports of each (facility, barrier): after the latest resolved one, not themselves resolved."""
    naming: dict[tuple[str, str], list[MonitoringReport]] = defaultdict(list)
    for report in reports:
        for barrier in report.barriers:
            naming[report.facility, barrier].append(report)
    found: dict[tuple[str, str], list[MonitoringReport]] = {}
    for key, named in naming.items():
        settled = max((r.observed_on for r in named if r.escalation == "resolved"), default=None)
        still = [r for r in named if r.escalation != "resolved" and (settled is None or r.observed_on > settled)]
        if still:
            found[key] = sorted(still, key=lambda r: (r.observed_on, r.id))
    return found


def repeated_barriers(G: nx.MultiDiGraph, reports: Iterable[MonitoringReport], *, as_of: dt.date | None = None,
                      at_least: int = REPEATED_AT_LEAST, window_days: int = WINDOW_DAYS) -> list[Finding]:
    """The barriers people keep meeting at a facility, unresolved (``repeated_barrier`` findings).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph (for the facilities' and monitors' names and districts).
    reports : iterable of MonitoringReport
        Monitoring reports, in any order.
    as_of : date, optional
        The day looked at (default today).
    at_least : int, default 3
        Open reports of one barrier at one facility that make a finding.
    window_days : int, default 90
        How many days up to ``as_of`` count.

    Returns
    -------
    list of Finding
        One ``repeated_barrier`` per facility and barrier (see the module's rule),
        most open reports first: ``organisations`` is the facility then the
        monitors, ``district`` the facility's, ``details`` holds ``barrier``,
        ``barrier_label``, ``reports`` (how many open), ``first`` and ``last``
        (visit days), ``escalation`` (the furthest step reached), ``report_ids``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("clinic", name="Jane Furse Clinic", district="Sekhukhune")
    >>> G.add_node("mon", name="Sekhukhune Monitors")
    >>> visits = [MonitoringReport(f"r{d}", "mon", "clinic", dt.date(2026, 3, d), ["stockout"]) for d in (2, 9, 16)]
    >>> [(f.type, f.details["reports"], f.severity) for f in repeated_barriers(G, visits, as_of=dt.date(2026, 4, 1))]
    [('repeated_barrier', 3, 'medium')]
    >>> repeated_barriers(G, visits[:2], as_of=dt.date(2026, 4, 1))
    []
    """
    if at_least < 1 or window_days < 1:
        raise ValueError("at_least and window_days must be 1 or more")
    day = as_of or today()
    labels = monitoring_vocabulary().barriers
    findings = []
    for (facility, barrier), still in _open_by_barrier(_in_window(reports, day, window_days)).items():
        if len(still) < at_least:
            continue
        monitors = sorted({r.monitor for r in still})
        furthest = max((r.escalation for r in still), key=_step)
        label = labels.get(barrier, barrier)
        explanation = (N_("Monitors recorded '%(barrier)s' at %(facility)s %(num)s times between %(first)s and "
                          "%(last)s, and it is not resolved (furthest step: %(step)s).") % {
            "barrier": label, "facility": name(G, facility), "num": len(still),
            "first": long_date(still[0].observed_on), "last": long_date(still[-1].observed_on),
            "step": monitoring_vocabulary().escalations.get(furthest, furthest)} if len(still) != 1 else
            N_("Monitors recorded '%(barrier)s' at %(facility)s 1 time between %(first)s and %(last)s, and it is not "
               "resolved (furthest step: %(step)s).") % {
            "barrier": label, "facility": name(G, facility), "first": long_date(still[0].observed_on),
            "last": long_date(still[-1].observed_on),
            "step": monitoring_vocabulary().escalations.get(furthest, furthest)})
        findings.append(Finding(
            "repeated_barrier", "high" if len(still) >= 2 * at_least else "medium", explanation,
            [facility, *[m for m in monitors if m != facility]],
            district=G.nodes[facility].get("district") if facility in G else None,
            details={"barrier": barrier, "barrier_label": label, "reports": len(still),
                     "first": still[0].observed_on, "last": still[-1].observed_on, "escalation": furthest,
                     "report_ids": [r.id for r in still], "window_days": window_days}))
    findings.sort(key=lambda f: (-f.details["reports"], f.organisations[0], f.details["barrier"]))
    return findings


def _step(escalation: str) -> int:
    return ESCALATION_ORDER.index(escalation) if escalation in ESCALATION_ORDER else -1


def recent_barriers(reports: Iterable[MonitoringReport], *, as_of: dt.date | None = None,
                    window_days: int = WINDOW_DAYS) -> dict[str, list[dict[str, Any]]]:
    """What monitors met lately at each facility: per facility, each barrier still open in the window.

    Parameters
    ----------
    reports : iterable of MonitoringReport
    as_of : date, optional
        The day looked at (default today).
    window_days : int, default 90

    Returns
    -------
    dict
        ``{facility: [{"barrier", "label", "times", "last", "escalation", "escalation_label"}, ...]}``,
        most often met first; a barrier whose latest report is resolved is left out.

    Examples
    --------
    >>> visits = [MonitoringReport("a", "m", "f", dt.date(2026, 5, 1), ["long_wait", "stigma"]),
    ...           MonitoringReport("b", "m", "f", dt.date(2026, 5, 8), ["long_wait"]),
    ...           MonitoringReport("c", "m", "f", dt.date(2026, 5, 9), ["stigma"], escalation="resolved")]
    >>> [(b["barrier"], b["times"]) for b in recent_barriers(visits, as_of=dt.date(2026, 5, 10))["f"]]
    [('long_wait', 2)]
    """
    words = monitoring_vocabulary()
    shown: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (facility, barrier), still in _open_by_barrier(_in_window(reports, as_of or today(), window_days)).items():
        furthest = max((r.escalation for r in still), key=_step)
        shown[facility].append({"barrier": barrier, "label": words.barriers.get(barrier, barrier),
                                "times": len(still), "last": still[-1].observed_on, "escalation": furthest,
                                "escalation_label": words.escalations.get(furthest, furthest)})
    for items in shown.values():
        items.sort(key=lambda b: (-b["times"], -b["last"].toordinal(), b["barrier"]))
    return dict(shown)


def word_barrier(group: Group, findings: Sequence[Finding], w: Words) -> tuple[str, str, list[str]]:
    """The agenda's wording of a facility's repeated barriers: take them up with the district."""
    members = [findings[i] for i in group.members]
    facility = members[0].organisations[0]
    labels = [f"'{f.details.get('barrier_label', f.details.get('barrier'))}'" for f in members]
    times = sum(int(f.details.get("reports", 0)) for f in members)
    values = {"barriers": join(labels), "facility": name(w.G, facility), "num": times,
              "days": members[0].details.get("window_days", WINDOW_DAYS)}
    what = N_("Take up %(barriers)s at %(facility)s with the facility and the district") % values
    if len(members) > 1:
        why = (N_("Community monitors recorded these 1 time in the last %(days)s days and it is not resolved.")
               if times == 1 else
               N_("Community monitors recorded these %(num)s times in the last %(days)s days and it is not resolved."))
    else:
        why = (N_("Community monitors recorded it 1 time in the last %(days)s days and it is not resolved.")
               if times == 1 else
               N_("Community monitors recorded it %(num)s times in the last %(days)s days and it is not resolved."))
    why %= values
    return what, why, [facility]
