"""The cached projection and pathway index, caught up after edits, equal fresh ones (network.service.projections).

Edits go through the service layer (network.service.records) on a real SQLite file; after each round of edits
the service's graph (plain and redacted, today and a later day, a district and a province) must equal a fresh
projection of the store in every node, attribute, neighbour order and key order, and its pathway index a freshly
built one.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation, today
from network.service import analyses, projections, records
from network.service.audit import SYSTEM
from tests.projection_support import caught_up_equal_fresh, same_graph, seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_caught_up_projection_and_index_equal_fresh_ones_after_random_edits(data):
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "edits.db")
        seed(data.draw, store)
        caught_up_equal_fresh(data.draw, store)
        store.close()


def test_a_new_link_is_caught_up_without_projecting_again(tmp_path, monkeypatch):
    store = SQLiteStore(tmp_path / "one.db")
    store.upsert([Organisation("a", "A", "cbo", services=["tb_screening"]),
                  Organisation("b", "B", "clinic", services=["tb_treatment"])], [])
    G = analyses.analysis_graph(store)
    assert analyses.pathways(store, population="mineworkers", needs=["tb_screening", "tb_treatment"],
                             start="a") == []
    monkeypatch.setattr(projections, "project", lambda *a, **k: pytest.fail("projected afresh"))
    records.create_link(store, Link("r1", "a", "b", "referral", formal=True), actor=SYSTEM)
    H = analyses.analysis_graph(store)
    assert list(H.edges(keys=True)) == [("a", "b", "r1")] and list(G.edges(keys=True)) == []
    (plan,) = analyses.pathways(store, population="mineworkers", needs=["tb_screening", "tb_treatment"], start="a")
    assert [(s["organisation"], s["link"]) for s in plan["steps"]] == [("a", None), ("b", "r1")]
    same_graph(H, build_graph(store.iter_organisations(), store.iter_links()))
    store.close()


def test_a_date_and_a_datetime_of_that_day_are_one_cache_entry(tmp_path):
    store = SQLiteStore(tmp_path / "day.db")
    store.upsert([Organisation("a", "A", "cbo")], [])
    when = today() + dt.timedelta(days=3)
    moment = dt.datetime.combine(when, dt.time(15, 30))
    assert analyses.analysis_graph(store, as_of=when) is analyses.analysis_graph(store, as_of=moment)
    assert analyses.gaps(store, as_of=when) is analyses.gaps(store, as_of=moment)
    store.close()


def test_a_finding_found_again_changed_is_shown_changed_and_one_unchanged_as_before(tmp_path):
    # the whole-network gaps after an edit reuse the JSON of a finding found again only when it is equal: renaming
    # an isolated organisation keeps its finding's type, organisations and district, but not its explanation
    store = SQLiteStore(tmp_path / "rename.db")
    store.upsert([Organisation("a", "Hope CBO", "cbo", district="Sekhukhune"),
                  Organisation("b", "Thusong HBC", "home_based_care", district="Waterberg")], [])
    first = {g["organisations"][0]: g for g in analyses.gaps(store, types=["isolated"])}
    assert "Hope CBO" in first["a"]["explanation"]
    current = store.get_organisation("a")
    records.update_organisation(store, "a", {"name": "Hope Community Care"}, expected_version=current.version,
                                actor=SYSTEM)
    assert projections.predecessor(analyses.analysis_graph(store)) is not None  # caught up, not projected afresh
    again = {g["organisations"][0]: g for g in analyses.gaps(store, types=["isolated"])}
    assert "Hope Community Care" in again["a"]["explanation"] and "Hope CBO" not in again["a"]["explanation"]
    assert again["b"] == first["b"] and again["b"] is first["b"]
    store.close()
