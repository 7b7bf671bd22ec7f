"""The demo's illustrative monitoring reports load with the demo and show the planted repeated barrier."""

from __future__ import annotations

import datetime as dt

from network.analysis.barriers import repeated_barriers
from network.graph.project import project
from network.service import seed_demo
from network.service.monitoring import recent_at
from tests.conftest import make_sqlite_store

AS_OF = dt.date(2026, 11, 23)  # the demo's AS_OF (seed/build_demo.py, seed/demo_monitoring.py)


def test_the_planted_repeated_barrier_and_only_it(tmp_path):
    store = make_sqlite_store(tmp_path / "demo.db")
    seed_demo(store)
    reports = list(store.iter_monitoring_reports())
    assert len(reports) == 12
    found = repeated_barriers(project(store), reports, as_of=AS_OF)
    assert [(f.organisations[0], f.details["barrier"], f.details["reports"], f.details["escalation"])
            for f in found] == [("burgersfort-community-clinic", "refused_no_documents", 4, "raised_with_district")]
    assert found[0].organisations[1:] == ["driekop-artisanal-miners-association",
                                          "sekhukhune-chrome-diggers-health-project"]
    shown = recent_at(store, ["jane-furse-gateway-clinic", "steelpoort-community-clinic"], as_of=AS_OF)
    assert "jane-furse-gateway-clinic" not in shown  # its long wait was resolved
    assert [(b["barrier"], b["times"]) for b in shown["steelpoort-community-clinic"]] == [
        ("stockout", 2), ("closed_in_hours", 1)]
    seed_demo(store, replace=True)
    assert store.list_monitoring_reports().total == 12  # loading again stores nothing twice
    store.close()
