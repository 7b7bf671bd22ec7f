"""The cached projection and pathway index caught up after random edits equal fresh ones on the Bolt server.

As tests/test_projection_updates.py on SQLite: the Neo4j adapter names the changes since a revision
(``Neo4jStore.changes``, from the revision each history version records), so the service catches its cached
graphs up instead of projecting afresh. Each example starts from a cleared store (``clear`` is a write the
caches catch up on too).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.service import analyses, projections
from tests.projection_support import caught_up_equal_fresh, seed


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_caught_up_projection_on_the_bolt_server_equals_a_fresh_one_after_random_edits(data, bolt_store_session):
    store = bolt_store_session
    store.clear()
    seed(data.draw, store)
    caught_up_equal_fresh(data.draw, store)


def test_an_edit_on_the_bolt_server_is_caught_up_not_projected_again(bolt_store_session, bolt_wipe, monkeypatch):
    from network.model import Link, Organisation

    store = bolt_store_session
    store.clear()  # through the store, so the revision moves (a wipe behind its back would leave caches stale)
    store.upsert([Organisation("a", "A", "cbo"), Organisation("b", "B", "clinic")], [])
    G = analyses.analysis_graph(store)
    monkeypatch.setattr(projections, "project", lambda *a, **k: (_ for _ in ()).throw(AssertionError("afresh")))
    store.create_link(Link("r1", "a", "b", "referral"))
    H = analyses.analysis_graph(store)
    assert list(H.edges(keys=True)) == [("a", "b", "r1")] and list(G.edges(keys=True)) == []
    assert H in projections._parents
    bolt_wipe()
