"""Referral outcomes at scale: 100,000 referral records with status histories.

    python -m bench.referrals                                   # 100,000 referrals on 10,000 organisations
    python -m bench.referrals --referrals 20000 --organisations 2000

A generated network (``bench.generate``) gets referrals between its
organisations: most along its referral and MoU agreements in force, the rest
with none; all created in the six months up to the as-of day (the window, so
every one counts); each with a status history (completed, declined with a
reason, lost to follow-up, or still open). They are written to a SQLite file
in one batch. Then timed, in wall-clock and CPU seconds: reading the window's
referrals back, the outcome figures for every agreement, provider and district
(``network.analysis.outcomes.outcome_figures``; the target is 2 s or less),
and the two outcome findings. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.generate import generate_network
from bench.run import figure, size_of
from network.analysis.outcomes import outcome_figures, outcome_findings
from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.meanings import in_force
from network.referrals import Referral, StatusChange, months_before, referral_vocabulary

AS_OF = dt.date(2026, 6, 30)


def make_referrals(n: int, links: list[tuple[str, str, str | None]], organisations: list[str],
                   seed: int) -> list[Referral]:
    """``n`` referrals: 85% along ``links`` (source, target, link id), the rest between random organisations."""
    rng = random.Random(seed)
    reasons = list(referral_vocabulary().decline_reasons)
    made = []
    for i in range(n):
        if links and rng.random() < 0.85:
            source, target, link = rng.choice(links)
        else:
            source, target = rng.sample(organisations, 2)
            link = None
        created = AS_OF - dt.timedelta(days=rng.randrange(180))
        history = [StatusChange("sent", created, source)]
        left = (AS_OF - created).days
        roll = rng.random()
        steps: list[tuple[str, str | None]] = []
        if roll < 0.55:
            steps = [("received", None), ("accepted", None), ("completed", None)]
        elif roll < 0.70:
            steps = [("received", None), ("declined", rng.choice(reasons))]
        elif roll < 0.80:
            steps = [("lost_to_follow_up", None)]
        elif roll < 0.90:
            steps = [("received", None)]
        day = created
        for status, reason in steps:
            day = min(AS_OF, day + dt.timedelta(days=rng.randrange(0, 1 + min(left, 10))))
            history.append(StatusChange(status, day, target, reason))
        code = f"{i:06d}"
        made.append(Referral(f"{code[:3]}-{code[3:]}", source, target, ["tb_treatment"], created, link=link,
                             population="mineworkers", history=history))
    return made


def main() -> None:
    """Generate, store and time the outcome figures; print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    orgs, links = generate_network(args.organisations, links_per_org=2, seed=args.seed)
    G = build_graph(orgs, links)
    agreements = [(link.source, link.target, link.id) for link in links
                  if link.kind in ("referral", "mou") and in_force(link, AS_OF)]
    referrals = make_referrals(args.referrals, agreements, [o.id for o in orgs], args.seed)
    size = f"{args.referrals:,} referrals / {size_of(len(orgs), len(links))}"
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "referrals.db")
        started, cpu = time.perf_counter(), time.process_time()
        store.add_referrals(referrals)
        figure("referrals: store in one batch (SQLite)", size,
               f"{time.perf_counter() - started:.2f} s, {time.process_time() - cpu:.2f} s CPU")
        started, cpu = time.perf_counter(), time.process_time()
        window = list(store.iter_referrals(since=months_before(AS_OF, 6)))
        read, cpu = time.perf_counter() - started, time.process_time() - cpu
        figure("referrals: read the 6-month window back (SQLite)", f"{len(window):,} referrals",
               f"{read:.2f} s, {cpu:.2f} s CPU")
        store.close()
    started, cpu = time.perf_counter(), time.process_time()
    figures = outcome_figures(window, G, as_of=AS_OF)
    computed, cpu = time.perf_counter() - started, time.process_time() - cpu
    figure("referral outcomes: figures for every agreement, provider and district", size,
           f"{computed:.2f} s, {cpu:.2f} s CPU ({len(figures['agreement']):,} agreements; target <= 2 s)")
    figure("referral outcomes: read the window + figures", size, f"{read + computed:.2f} s")
    started = time.perf_counter()
    found = outcome_findings(G, window, as_of=AS_OF)
    kinds = {t: sum(f.type == t for f in found) for t in ("failing_route", "paper_agreement")}
    figure("referral outcomes: failing_route and paper_agreement findings", size,
           f"{time.perf_counter() - started:.2f} s ({kinds['failing_route']} failing, "
           f"{kinds['paper_agreement']} on paper)")


if __name__ == "__main__":
    main()
