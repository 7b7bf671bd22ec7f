"""Illustrative community-led monitoring reports for the demo network: ``seed/demo/monitoring.csv``.

Every report here is invented, like the demo's organisations; no report is
about a person. Days are counted back from the demo's AS_OF (2026-11-23).

Planted (``repeated_barrier``: 3 open reports of one barrier at a facility in
the 90 days up to AS_OF, see docs/meanings.md):

repeated_barrier
    burgersfort-community-clinic / refused_no_documents: 4 open reports by two
    Sekhukhune monitors (the chrome diggers' health project and the artisanal
    miners' association), raised with the district, not resolved.
not repeated (controls)
    steelpoort-community-clinic / stockout: 2 reports only;
    jane-furse-gateway-clinic / long_wait: 3 reports, the last marked resolved;
    mokopane-community-health-centre / stigma: 3 reports, one 120 days old.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

AS_OF = dt.date(2026, 11, 23)
COLUMNS = ["id", "monitor", "facility", "date", "barriers", "note", "escalation"]

_CHROME = "sekhukhune-chrome-diggers-health-project"
_DRIEKOP = "driekop-artisanal-miners-association"
_FORUM = "mokopane-mining-communities-forum"

#: (id, monitor, facility, days before AS_OF, barriers, note, escalation)
REPORTS = [
    ("DEMO-MR-01", _CHROME, "burgersfort-community-clinic", 80, "refused_no_documents;long_wait",
     "Guard at the gate sends away anyone without an ID book before triage.", "raised_with_facility"),
    ("DEMO-MR-02", _DRIEKOP, "burgersfort-community-clinic", 52, "refused_no_documents",
     "TB screening refused at reception without documents.", "raised_with_facility"),
    ("DEMO-MR-03", _CHROME, "burgersfort-community-clinic", 30, "refused_no_documents;language_barrier",
     "Still turned away at reception; notices only in English.", "raised_with_district"),
    ("DEMO-MR-04", _DRIEKOP, "burgersfort-community-clinic", 9, "refused_no_documents",
     "No change since the district was told.", "raised_with_district"),
    ("DEMO-MR-05", _CHROME, "steelpoort-community-clinic", 40, "stockout",
     "No TB sputum jars for a week.", "raised_with_facility"),
    ("DEMO-MR-06", _CHROME, "steelpoort-community-clinic", 12, "stockout;closed_in_hours",
     "Jars back in stock; clinic closed at 14:00 on a weekday.", "raised_with_facility"),
    ("DEMO-MR-07", _DRIEKOP, "jane-furse-gateway-clinic", 70, "long_wait", "Queue of over five hours.",
     "raised_with_facility"),
    ("DEMO-MR-08", _DRIEKOP, "jane-furse-gateway-clinic", 45, "long_wait", "Queue of over four hours.",
     "raised_with_district"),
    ("DEMO-MR-09", _DRIEKOP, "jane-furse-gateway-clinic", 15, "long_wait",
     "Second nurse started; the queue moves within two hours.", "resolved"),
    ("DEMO-MR-10", _FORUM, "mokopane-community-health-centre", 120, "stigma", "Remarks about miners at the desk.",
     "raised_with_facility"),
    ("DEMO-MR-11", _FORUM, "mokopane-community-health-centre", 60, "stigma;no_privacy",
     "HIV counselling in the open waiting area.", "raised_with_facility"),
    ("DEMO-MR-12", _FORUM, "mokopane-community-health-centre", 20, "stigma", "Remarks about miners at the desk.",
     "raised_with_facility"),
]


def rows() -> list[dict[str, str]]:
    """The reports as CSV rows (``barriers`` separated by ';')."""
    return [dict(zip(COLUMNS, (rid, monitor, facility, (AS_OF - dt.timedelta(days=days)).isoformat(), barriers,
                               note, escalation), strict=True))
            for rid, monitor, facility, days, barriers, note, escalation in REPORTS]


def write(out_dir: Path, known: set[str]) -> None:
    """Write ``monitoring.csv`` into ``out_dir``; every monitor and facility must be among ``known`` ids."""
    found = rows()
    missing = {r[k] for r in found for k in ("monitor", "facility")} - known
    assert not missing, f"monitoring reports name unknown organisations: {sorted(missing)}"
    with (out_dir / "monitoring.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
