"""Illustrative referral records for the demo network: ``seed/demo/referrals.csv``.

These referrals are **illustrative**: made up for the fictional demo network so
the referral pages, outcome figures and findings have something to show. They
hold no client identity (none ever does): a code, the two organisations, the
agreement used, the needs, the client's population and the dates of each step.

``build_demo.py`` calls :func:`write_referrals` once the links have their ids.
Over the six months up to AS_OF (2026-11-23) five organisations refer clients
along every agreement they can refer along, with two planted outcomes:

failing_route  sekhukhune-chrome-diggers-health-project -> praktiseer-community-clinic:
               3 of 12 referrals completed; 7 turned away for want of documents, 2 lost to follow-up.
paper_agreement the referral agreement bophelo-sisters-network -> mahwelereng-clinic: unused, while
               Bophelo Sisters Network sent 8 referrals to waterberg-legal-advice-office.

The other routes complete most of their referrals; no other finding comes from them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

COLUMNS = ["code", "source", "target", "link", "needs", "population", "created", "received", "accepted",
           "declined", "reason", "completed", "lost_to_follow_up"]
#: Letters and digits of referral codes (network.referrals.CODE_ALPHABET).
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"

# (sender, receiver, wanted needs, outcomes in order): c completed, d:<reason> declined, l lost, r received, a accepted
ROUTES: list[tuple[str, str, tuple[str, ...], str]] = [
    ("sekhukhune-chrome-diggers-health-project", "praktiseer-community-clinic", ("tb_screening", "tb_treatment"),
     "c d:no_documents d:no_documents l c d:no_documents d:no_documents d:no_documents l d:no_documents c "
     "d:no_documents"),
    ("sekhukhune-chrome-diggers-health-project", "sekhukhune-district-social-grants-office",
     ("social_grant_linkage",), "c c r c"),
    ("bophelo-sisters-network", "waterberg-legal-advice-office", ("legal_aid", "gbv_support"),
     "c c a c c d:service_not_offered c c"),
    ("masedi-womens-health-collective", "thabong-community-clinic", ("hiv_testing", "art", "prep"),
     "c c c d:full c c c r c c"),
    ("masedi-womens-health-collective", "lejweleputswa-paralegal-advice-office", ("legal_aid",), "c a c"),
    ("engcobo-retired-miners-forum", "komani-community-clinic", ("tb_screening", "tb_treatment"), "c c l c c c"),
    ("engcobo-retired-miners-forum", "chris-hani-district-social-grants-office", ("social_grant_linkage",),
     "c r c"),
    ("goldfields-informal-miners-support-project", "welkom-regional-hospital", ("tb_treatment",),
     "c d:not_eligible c c c"),
]


def write_referrals(orgs: dict[str, dict[str, Any]], links: list[dict[str, Any]], out_dir: Path,
                    as_of: dt.date) -> None:
    """Write ``referrals.csv`` into ``out_dir`` for the demo's ``orgs`` and ``links`` (links with their ids)."""
    rng = random.Random(12)
    rows = []
    codes: set[str] = set()
    for source, target, wanted, plan in ROUTES:
        link = _agreement(links, source, target)
        offered = orgs[target]["services"]
        needs = [s for s in wanted if s in offered] or offered[:1]
        served = orgs[target]["populations"]
        population = next((p for p in orgs[source]["populations"] if not served or p in served), None)
        for outcome in plan.split():
            created = as_of - dt.timedelta(days=rng.randint(14, 170))
            rows.append({"code": _code(rng, codes), "source": source, "target": target, "link": link,
                         "needs": ";".join(needs), "population": population or "", "created": created,
                         **_steps(outcome, created, rng, as_of)})
    rows.sort(key=lambda row: (row["created"], row["code"]))
    with open(out_dir / "referrals.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})


def _agreement(links: list[dict[str, Any]], source: str, target: str) -> str:
    for link in links:
        if {link["source"], link["target"]} == {source, target} and link["kind"] in ("referral", "mou") \
                and link["status"] == "active":
            return link["id"]
    raise LookupError(f"no agreement between {source} and {target} in the demo")


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        chars = "".join(rng.choice(ALPHABET) for _ in range(6))
        code = f"{chars[:3]}-{chars[3:]}"
        if code not in taken:
            taken.add(code)
            return code


def _steps(outcome: str, created: dt.date, rng: random.Random, as_of: dt.date) -> dict[str, Any]:
    """The dates of each step after ``sent`` for an outcome of ROUTES, never after ``as_of``."""
    arrived = min(as_of, created + dt.timedelta(days=rng.randint(0, 3)))
    kind, _, reason = outcome.partition(":")
    if kind == "l":
        return {"lost_to_follow_up": min(as_of, created + dt.timedelta(days=30))}
    steps: dict[str, Any] = {"received": arrived}
    if kind == "d":
        steps.update(declined=arrived, reason=reason)
    elif kind in ("a", "c"):
        steps["accepted"] = arrived
    if kind == "c":
        steps["completed"] = min(as_of, arrived + dt.timedelta(days=rng.randint(2, 21)))
    return steps
