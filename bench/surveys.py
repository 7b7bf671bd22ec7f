"""Tie survey aggregates for one round over a generated network (issue 13: at 10,000 organisations, <= 2 s).

    python -m bench.surveys                           # 10,000 organisations, each rating up to 10 ties
    python -m bench.surveys --organisations 2000 --runs 3

The generated network (``bench.generate``) goes into a SQLite file; one round
invites every organisation, and each rates up to ``--ties`` of the organisations
it has an active link with (random answers 1-4, written straight to the store:
the set-up is not timed). Timed, best of ``--runs``: the round's results as
``network.service.surveys.results`` gives them, reading the answers from the
store and aggregating them, for an administrator (every aggregate, tie scores
included) and for everyone else (the 3-respondent rule applied). Also timed, as a
yardstick of how busy the machine was: ten million steps of a plain Python loop
(about 0.5 s on an idle 2-core machine). Prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate_network
from bench.run import figure, size_of
from network.analysis import ties
from network.graph.sqlite import SQLiteStore
from network.graph.surveys import surveys_of
from network.service import surveys
from network.surveys import SurveyRound, TieRating

ROUND = "bench-round"


def _fill(store: SQLiteStore, n: int, per_org: int) -> int:
    organisations, links = generate_network(n, seed=1)
    store.upsert(organisations, links)
    partners: dict[str, set[str]] = {}
    for link in links:
        if link.status == "active":
            partners.setdefault(link.source, set()).add(link.target)
            partners.setdefault(link.target, set()).add(link.source)
    rng = random.Random(13)
    day = dt.date(2026, 3, 1)
    store_surveys = surveys_of(store)
    count = 0
    with store.transaction(actor="bench"):
        store_surveys.create_round(SurveyRound(ROUND, "Bench round", dt.date(2026, 1, 1), dt.date(2026, 6, 30),
                                               [o.id for o in organisations]))
        for respondent, others in sorted(partners.items()):
            for partner in sorted(others)[:per_org]:
                store_surveys.put_rating(TieRating(ROUND, respondent, partner,
                                                   *(rng.randint(1, 4) for _ in range(6)), answered_on=day))
                count += 1
    return count


def _best(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _yardstick() -> None:
    total = 0
    for i in range(10_000_000):
        total += i


def main() -> None:
    """Build the network and its round, time the aggregates and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=10, help="ties each organisation rates, at most (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best is reported (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "surveys.db")
        started = time.perf_counter()
        answers = _fill(store, args.organisations, args.ties)
        print(f"set up {args.organisations:,} organisations and {answers:,} answers in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        admin = _best(args.runs, lambda: surveys.results(store, ROUND, admin=True))
        public = _best(args.runs, lambda: surveys.results(store, ROUND, admin=False))
        ratings = surveys_of(store).list_ratings(ROUND)
        invited = surveys_of(store).get_round(ROUND).invited
        pure = _best(args.runs, lambda: ties.round_results(invited, ratings))
        store.close()
    yardstick = _best(1, _yardstick)
    size = size_of(args.organisations) + f" / {answers:,} answers"
    figure("survey round results, administrator (read + aggregate)", size, f"{admin:.2f} s")
    figure("survey round results, public (3-respondent rule)", size, f"{public:.2f} s")
    figure("survey aggregates alone (analysis.ties.round_results)", size, f"{pure:.2f} s")
    figure("yardstick: 10M steps of a Python loop (same run)", "-", f"{yardstick:.2f} s")


if __name__ == "__main__":
    main()
