"""Loading the network for analysis ahead of the first query (``network.service.analyses.warm_up``, issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from network.analysis import pathways as pathway_engine
from network.graph.sqlite import SQLiteStore
from network.service import analyses, seed_demo
from network.service.audit import CLI

#: The outreach worker's question of the demo network (tests/test_demo_planted.py).
START = "sekhukhune-chrome-diggers-health-project"
NEEDS = ["tb_screening", "tb_treatment", "social_grant_linkage"]


def test_after_warm_up_a_pathway_query_builds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once warmed, the anonymous and the full pathway queries answer from the cached graph and index: building
    an index again would fail here."""
    store = SQLiteStore(tmp_path / "warm.db")
    seed_demo(store, actor=CLI)
    analyses.warm_up(store)
    warmed = {redacted: analyses.analysis_graph(store, redacted=redacted) for redacted in (True, False)}

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pathway index was built again")

    monkeypatch.setattr(pathway_engine, "pathway_index", no_build)
    for redacted in (True, False):
        found = analyses.pathways(store, population="artisanal_miners", start=START, needs=NEEDS,
                                  redacted=redacted)
        assert found[0]["steps"][0]["organisation"] == START
        assert analyses.analysis_graph(store, redacted=redacted) is warmed[redacted]
    store.close()
