"""Fast after an edit: the next pathway and gaps queries after one organisation or link is written.

    python -m bench.edits                          # 50,000 organisations, 2 edits of each kind
    python -m bench.edits --organisations 2000 --rounds 1

Loads the benchmark network (bench/generate.py) into a temporary SQLite store
(or copies ``--store FILE``, a store of that network made before), times a
fresh projection, warms the service's caches with a pathway query and a
district gaps query (and a whole network's gaps query with ``--whole-gaps``),
then for each kind of edit (organisation created,
changed, deleted; link created, changed, deleted), ``--rounds`` times: writes
it through the service layer (as the API does), then times the next pathway
query (a district start, as an anonymous caller: the redacted view) and the
next gaps query of one district, then of the whole network (``--whole-gaps``).
Prints each timing and the slowest of each kind.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import generate_network
from bench.run import figure, size_of
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.service import analyses, records
from network.service.audit import SYSTEM

NEEDS = ("tb_screening", "tb_treatment", "social_grant_linkage")


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``work()`` took, and what it gave."""
    began = time.perf_counter()
    found = work()
    return (time.perf_counter() - began) * 1000, found


def edits(store: SQLiteStore, rng: random.Random, n: int) -> dict[str, Callable[[], str]]:
    """One edit of each kind, through the service layer; each returns the district it touched."""
    ids = sorted(o.id for o in store.iter_organisations())

    def org() -> Organisation:
        return store.get_organisation(rng.choice(ids))

    def create_org() -> str:
        model = org()
        records.create_organisation(store, Organisation(f"bench-org-{n}", f"Bench Clinic {n}", "clinic",
                                                        province=model.province, district=model.district,
                                                        services=["tb_treatment"]), actor=SYSTEM)
        return model.district or ""

    def change_org() -> str:
        current = org()
        records.update_organisation(store, current.id, {"services": sorted({*current.services, "tb_screening"})},
                                    expected_version=current.version, actor=SYSTEM)
        return current.district or ""

    def delete_org() -> str:
        current = store.get_organisation(f"bench-org-{n}")
        records.delete_organisation(store, current.id, expected_version=current.version, cascade=True,
                                    actor=SYSTEM)
        return current.district or ""

    def create_link() -> str:
        source, target = org(), org()
        records.create_link(store, Link(f"bench-link-{n}", source.id, target.id, "referral", formal=True),
                            actor=SYSTEM)
        return source.district or ""

    def change_link() -> str:
        current = store.get_link(f"bench-link-{n}")
        records.update_link(store, current.id, {"weight": 5}, expected_version=current.version, actor=SYSTEM)
        return store.get_organisation(current.source).district or ""

    def delete_link() -> str:
        current = store.get_link(f"bench-link-{n}")
        records.delete_link(store, current.id, expected_version=current.version, actor=SYSTEM)
        return store.get_organisation(current.source).district or ""

    return {"organisation created": create_org, "organisation changed": change_org,
            "organisation deleted": delete_org, "link created": create_link, "link changed": change_link,
            "link deleted": delete_link}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--links-per-org", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="edits of each kind")
    parser.add_argument("--store", help="a SQLite store of the same generated network to copy instead of loading")
    parser.add_argument("--whole-gaps", action="store_true", help="also time the whole network's gaps query")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edits.db"
        began = time.perf_counter()
        if args.store:
            shutil.copy(args.store, path)
            store = SQLiteStore(path)
        else:
            store = SQLiteStore(path)
            store.upsert(*generate_network(args.organisations, links_per_org=args.links_per_org, seed=1))
        counts = store.counts()
        size = size_of(sum(counts["organisations_by_kind"].values()), sum(counts["links_by_kind"].values()))
        print(f"network: {size} ready in {time.perf_counter() - began:.1f} s")
        ms, _ = timed(lambda: project(store))
        print(f"projection: {ms:.0f} ms")
        figure("projection (fresh, whole network)", size, f"{ms / 1000:.2f} s")
        districts = sorted({o.district for o in store.list_organisations().items if o.district})

        def pathways(district: str) -> Any:
            return analyses.pathways(store, population="mineworkers", needs=list(NEEDS), district=district,
                                     redacted=True)

        ms_path, _ = timed(lambda: pathways(districts[0]))
        ms_gaps, _ = timed(lambda: analyses.gaps(store, district=districts[0], redacted=True))
        warm = f"warm-up: first pathway query {ms_path:.0f} ms, first district gaps query {ms_gaps:.0f} ms"
        if args.whole_gaps:  # as a dashboard would have asked before the edit: the next query catches it up
            ms_whole, _ = timed(lambda: analyses.gaps(store, redacted=True))
            warm += f", first whole-network gaps query {ms_whole:.0f} ms"
        print(warm)
        slowest: dict[str, float] = {}
        for n in range(args.rounds):
            for kind, edit in edits(store, rng, n).items():
                district = edit() or districts[0]
                ms_path, _ = timed(lambda: pathways(district))  # noqa: B023 (called at once)
                ms_gaps, _ = timed(lambda: analyses.gaps(store, district=district, redacted=True))  # noqa: B023
                line = f"{kind}: next pathway query {ms_path:.0f} ms, next gaps query ({district}) {ms_gaps:.0f} ms"
                slowest["pathway"] = max(slowest.get("pathway", 0.0), ms_path)
                slowest["district gaps"] = max(slowest.get("district gaps", 0.0), ms_gaps)
                if args.whole_gaps:
                    ms_whole, _ = timed(lambda: analyses.gaps(store, redacted=True))
                    line += f", whole network {ms_whole:.0f} ms"
                    slowest["whole-network gaps"] = max(slowest.get("whole-network gaps", 0.0), ms_whole)
                print(line, flush=True)
        for what, ms in slowest.items():
            figure(f"next {what} query after one edit (slowest of {args.rounds} x 6 kinds)", size, f"{ms:.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
