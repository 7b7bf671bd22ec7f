"""Write the demo network's illustrative tie survey round: ``demo/survey_round.json`` and ``demo/survey_responses.csv``.

The answers are **illustrative**: invented, like the demo network itself, so that the
survey pages, the explorer's trust colours and the low-trust findings have something to
show. No real organisation was surveyed.

The round ("Partner survey 2026", 1 September to 31 October 2026) invites every active
organisation of Sekhukhune, OR Tambo and Lejweleputswa; about three in four answer, each
about every organisation it has an active link with, from the demo's ``links.csv``. Each
rated organisation has an invented standing (how well partners see it) and each answer
strays from it by at most one point; no trust answer is below 2 except on the planted ties,
so only they are low-trust ties (mean trust below 2). Planted on purpose:

low_trust_dependency
    ga-mampuru-home-based-care and apel-cross-community-clinic rate each other's trust 1-2
    while they depend on each other (an active referral agreement and an MoU in force).
    apel-cross-community-clinic and sekhukhune-district-aids-council also rate each other's
    trust low, but share only a coordination forum: no dependency, so no finding.

Run by ``seed/build_demo.py`` after it writes the network (stdlib only; ``random.Random(13)``,
the same output on every run).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

ROUND = {
    "id": "partner-survey-2026",
    "name": "Partner survey 2026 (illustrative)",
    "opens": "2026-09-01",
    "closes": "2026-10-31",
}
DISTRICTS = ("Sekhukhune", "OR Tambo", "Lejweleputswa")
ITEMS = ("power", "involvement", "resources", "reliability", "mission", "openness")
#: Ties whose two sides rate each other's trust low (both directions): (a, b, depends on each other).
LOW_TRUST = (("ga-mampuru-home-based-care", "apel-cross-community-clinic"),
             ("apel-cross-community-clinic", "sekhukhune-district-aids-council"))
#: What a respondent brings to a tie, by the link's kind (and whether it is the link's source).
BRINGS = {"funding": "funding", "referral": "referrals", "data_sharing": "data", "training": "training",
          "advocacy": "advocacy", "secondment": "staff", "mentoring": "training"}
COLUMNS = ("respondent", "partner", *ITEMS, "contributes", "answered_on")


def _rows(organisations: list[dict[str, str]], links: list[dict[str, str]]) -> tuple[list[str], list[dict]]:
    rng = random.Random(13)
    active = {o["id"] for o in organisations if o["status"] == "active"}
    invited = sorted(o["id"] for o in organisations if o["id"] in active and o["district"] in DISTRICTS)
    ties: dict[str, dict[str, list[tuple[str, bool]]]] = {}
    for link in links:
        if link["status"] != "active" or not {link["source"], link["target"]} <= active:
            continue
        for me, other, source in ((link["source"], link["target"], True), (link["target"], link["source"], False)):
            ties.setdefault(me, {}).setdefault(other, []).append((link["kind"], source))
    standing = {oid: (rng.choice((2, 3, 3, 3, 4)), rng.choice((2, 3, 3, 4, 4))) for oid in sorted(active)}
    low = {frozenset(pair) for pair in LOW_TRUST}
    planted = {oid for pair in LOW_TRUST for oid in pair}
    opens, closes = (dt.date.fromisoformat(ROUND[k]) for k in ("opens", "closes"))
    rows = []
    for me in invited:
        if me not in planted and rng.random() > 0.75:
            continue
        day = opens + dt.timedelta(days=rng.randint(0, (closes - opens).days))
        for other, kinds in sorted(ties.get(me, {}).items()):
            value, trust = standing[other]
            floor = 2
            if frozenset((me, other)) in low:
                trust, floor = 1, 1
            answer = [_near(rng, value, 1) for _ in range(3)] + [_near(rng, trust, floor) for _ in range(3)]
            brings = sorted({BRINGS[k] for k, source in kinds if k in BRINGS and (source or k == "referral")})
            rows.append({"respondent": me, "partner": other, **dict(zip(ITEMS, answer, strict=True)),
                         "contributes": ";".join(brings), "answered_on": day.isoformat()})
    return invited, rows


def _near(rng: random.Random, level: int, floor: int) -> int:
    return min(4, max(floor, level + rng.choice((-1, 0, 0, 1))))


def write(folder: Path) -> None:
    """Write the round and its answers next to the demo network in ``folder``."""
    with open(folder / "organisations.csv", encoding="utf-8") as fh:
        organisations = list(csv.DictReader(fh))
    with open(folder / "links.csv", encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    invited, rows = _rows(organisations, links)
    description = ("Illustrative: invented answers for the demo network, so the survey pages show scores. "
                   "No real organisation was surveyed.")
    with open(folder / "survey_round.json", "w", encoding="utf-8") as fh:
        json.dump({"description": description, **ROUND, "invited": invited}, fh, indent=1)
        fh.write("\n")
    with open(folder / "survey_responses.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} illustrative survey answers from {len({r['respondent'] for r in rows})} of "
          f"{len(invited)} invited organisations to {folder}")
