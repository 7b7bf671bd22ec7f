"""The SQLite store's projection in C (network/graph/_projection.c, network.graph.sqlite_projection.compiled_graph).

It must give the graph that graph_from_rows builds from the same store's rows: the same nodes, neighbours and
keys in the same order, equal values of the same types, dicts that share their keys, equal lists shared. The
stores are real SQLite files.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.graph import _projection
from network.graph.columns import compiled_plan
from network.graph.project import graph_from_rows, project
from network.graph.sqlite import SQLiteStore
from network.graph.sqlite_projection import compiled_graph, projection_rows
from network.model import Link, Organisation
from tests.threads_support import others_ran_during

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
WORDS = st.sampled_from(["art", "tb_screening", "legal_aid", "Sesotho", "isiZulu", "ñandú", "Tshivenḓa"])
DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


@st.composite
def organisations(draw, org_id: str) -> Organisation:
    placed = draw(st.booleans())
    return Organisation(
        org_id, draw(TEXT) or org_id, draw(st.sampled_from(["cbo", "clinic", "union"])),
        aliases=draw(st.lists(TEXT, max_size=2)), description=draw(st.one_of(st.none(), TEXT)),
        province=draw(st.sampled_from([None, "Limpopo", "Free State"])), district=draw(st.one_of(st.none(), TEXT)),
        latitude=draw(st.floats(-34, -22)) if placed else None, longitude=draw(st.floats(16, 33)) if placed else None,
        services=draw(st.lists(WORDS, max_size=3, unique=True)), languages=draw(st.lists(WORDS, max_size=2)),
        capacity_per_month=draw(st.one_of(st.none(), st.integers(0, 10**6))),
        status=draw(st.sampled_from(["active", "inactive"])), sensitive=draw(st.booleans()),
        external_ids=draw(st.dictionaries(st.sampled_from(["npo", "dhis2"]), TEXT, max_size=2)),
        countries_served=draw(st.lists(st.sampled_from(["ZA", "LS", "MZ"]), max_size=2)),
        last_verified=draw(st.one_of(st.none(), DAYS)), verified_by=draw(st.one_of(st.none(), TEXT)))


@st.composite
def links(draw, link_id: str, ids: list[str]) -> Link:
    return Link(
        link_id, draw(st.sampled_from(ids)), draw(st.sampled_from(ids)),
        draw(st.sampled_from(["referral", "mou", "funding"])), services=draw(st.lists(WORDS, max_size=2)),
        status=draw(st.sampled_from(["active", "proposed", "ended"])), start_date=draw(st.one_of(st.none(), DAYS)),
        end_date=draw(st.one_of(st.none(), DAYS)), weight=draw(st.one_of(st.integers(1, 5), st.floats(0.5, 5))),
        formal=draw(st.booleans()), notes=draw(st.one_of(st.none(), TEXT)), two_way=draw(st.booleans()),
        programme=draw(st.sampled_from([None, "beyond-zero"])), intervention_areas=draw(st.lists(WORDS, max_size=1)),
        data=draw(st.lists(st.sampled_from(["referral_counts", "outcomes"]), max_size=1)))


@st.composite
def networks(draw) -> tuple[list[Organisation], list[Link]]:
    ids = draw(st.lists(st.sampled_from([f"o{n}" for n in range(12)] + ["Ω1", "a b"]), min_size=2, max_size=9,
                        unique=True))
    orgs = [draw(organisations(org_id)) for org_id in ids]
    pairs = [draw(links(f"l{n}", ids)) for n in range(draw(st.integers(0, 25)))]
    return orgs, [link for link in pairs if link.source != link.target]


def rows_graph(path: Path, as_of: dt.date | None = None):
    """The graph the rows give, as project() built it before the compiled path (its start-date filter too)."""
    conn = sqlite3.connect(path)
    link_rows = ([row for row in batch if row[6] is None or dt.date.fromisoformat(row[6]) <= as_of]
                 for batch in projection_rows(conn, "links")) if as_of else projection_rows(conn, "links")
    try:
        return graph_from_rows(projection_rows(conn, "organisations"), link_rows)
    finally:
        conn.close()


def same(G, F):
    """Equal nodes, neighbours, keys and attributes in the same order, every value of the same type, one key
    dict per pair shared by both directions, and attribute dicts no larger (their keys shared)."""
    assert list(G.nodes(data=True)) == list(F.nodes(data=True))
    assert [list(G.succ[n]) for n in G] == [list(F.succ[n]) for n in F]
    assert [list(G.pred[n]) for n in G] == [list(F.pred[n]) for n in F]
    assert list(G.edges(keys=True, data=True)) == list(F.edges(keys=True, data=True))
    attributes = [*G._node.values(), *(d for *_, d in G.edges(data=True))]
    theirs_too = [*F._node.values(), *(d for *_, d in F.edges(data=True))]
    for mine, theirs in zip(attributes, theirs_too, strict=True):
        assert [type(v) for v in mine.values()] == [type(v) for v in theirs.values()]
        assert sys.getsizeof(mine) <= sys.getsizeof(theirs)
    for u, v in G.edges():
        assert G._succ[u][v] is G._pred[v][u]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.data())
def test_the_compiled_projection_equals_the_graph_of_the_rows(network, data):
    orgs, pairs = network
    starts = [link.start_date for link in pairs if link.start_date is not None]
    as_of = data.draw(st.one_of(st.none(), DAYS, *([st.sampled_from(starts)] if starts else [])))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "network.db"
        store = SQLiteStore(path)
        try:
            store.upsert(orgs, pairs)
            same(compiled_graph(str(path), busy_timeout=5, as_of=as_of), rows_graph(path, as_of))
        finally:
            store.close()


def test_a_link_that_starts_after_the_day_is_left_out(tmp_path):
    store = SQLiteStore(tmp_path / "n.db")
    day = dt.date(2026, 5, 1)
    store.upsert([Organisation("a", "A", "cbo"), Organisation("b", "B", "cbo")],
                 [Link("l1", "a", "b", "mou", start_date=day),
                  Link("l2", "b", "a", "mou", start_date=day.replace(day=2)), Link("l3", "a", "b", "referral")])
    assert list(compiled_graph(store.path, busy_timeout=5, as_of=day).edges(keys=True)) == [("a", "b", "l1"),
                                                                                            ("a", "b", "l3")]
    assert len(compiled_graph(store.path, busy_timeout=5).edges) == 3
    store.close()


def test_equal_lists_are_one_object_and_mappings_are_each_records_own(tmp_path):
    store = SQLiteStore(tmp_path / "n.db")
    store.upsert([Organisation("a", "A", "cbo", services=["art"], external_ids={"npo": "1"}),
                  Organisation("b", "B", "cbo", services=["art"], external_ids={"npo": "1"})],
                 [Link("l1", "a", "b", "mou", services=["art"]), Link("l2", "b", "a", "mou", services=["art"])])
    G = compiled_graph(store.path, busy_timeout=5)
    assert G.nodes["a"]["services"] is G.nodes["b"]["services"] == ["art"]
    assert G.nodes["a"]["external_ids"] == G.nodes["b"]["external_ids"]
    assert G.nodes["a"]["external_ids"] is not G.nodes["b"]["external_ids"]
    assert G.edges["a", "b", "l1"]["services"] is G.edges["b", "a", "l2"]["services"]
    assert G.nodes["a"]["aliases"] is G.nodes["b"]["aliases"] == []  # the empty list of NULL, shared too
    store.close()


def test_project_reads_the_sqlite_store_in_c_but_inside_a_unit_of_work(tmp_path, monkeypatch):
    store = SQLiteStore(tmp_path / "n.db")
    store.upsert([Organisation("a", "A", "cbo"), Organisation("b", "B", "cbo")], [Link("l1", "a", "b", "mou")])
    calls = []
    monkeypatch.setattr("network.graph.sqlite.compiled_graph",
                        lambda *args, **kwargs: calls.append(kwargs) or compiled_graph(*args, **kwargs))
    assert list(project(store).edges(keys=True)) == [("a", "b", "l1")]
    assert calls == [{"busy_timeout": store.busy_timeout, "as_of": None}]
    assert list(project(store, link_kinds=["referral"]).edges()) == [] and len(calls) == 1  # filtered: the rows
    with store.transaction():
        store.create_link(Link("l2", "b", "a", "referral"))
        # The C reader's own connection cannot see a write not yet committed; the rows path sees it.
        assert store.whole_graph() is None
        assert sorted(project(store).edges(keys=True)) == [("a", "b", "l1"), ("b", "a", "l2")]
    assert len(calls) == 1
    assert sorted(project(store).edges(keys=True)) == [("a", "b", "l1"), ("b", "a", "l2")] and len(calls) == 2
    store.close()


def test_links_whose_ends_are_not_organisations_are_left_out_as_from_the_rows(tmp_path):
    path = tmp_path / "n.db"
    store = SQLiteStore(path)
    store.upsert([Organisation("a", "A", "cbo"), Organisation("b", "B", "cbo")], [Link("l1", "a", "b", "mou")])
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    row = conn.execute("SELECT data, version, updated_at FROM links WHERE id = 'l1'").fetchone()
    orphan = {**json.loads(row[0]), "id": "l2", "target": "gone"}
    conn.execute("INSERT INTO links (id, source, target, data, version, updated_at, id_key) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)", ("l2", "a", "gone", json.dumps(orphan), row[1], row[2], "l2"))
    conn.commit()
    conn.close()
    G = compiled_graph(str(path), busy_timeout=5)
    assert list(G.edges(keys=True)) == [("a", "b", "l1")]
    same(G, rows_graph(path))


def test_a_store_that_cannot_be_read_is_a_clear_error(tmp_path):
    with pytest.raises(sqlite3.OperationalError, match="opening the store: unable to open database file"):
        compiled_graph(str(tmp_path / "missing" / "n.db"), busy_timeout=1)
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(sqlite3.OperationalError, match="reading the organisations: no such table: organisations"):
        compiled_graph(str(tmp_path / "empty.db"), busy_timeout=1)


def test_a_field_plan_it_cannot_follow_is_refused(tmp_path):
    store = SQLiteStore(tmp_path / "n.db")
    plan, holder = compiled_plan(Link)
    query = "SELECT id FROM organisations"
    with pytest.raises(TypeError, match="a field plan is a tuple"):
        _projection.graph(store.path, 1000, query, [("name", 0, None, None)], holder, query, plan, holder)
    with pytest.raises(ValueError, match="the field 'name' has no way to be read"):
        _projection.graph(store.path, 1000, query, (("name", 7, None, None),), holder, query, plan, holder)
    with pytest.raises(TypeError, match="the holders are classes"):
        _projection.graph(store.path, 1000, query, plan, holder(), query, plan, holder)
    store.close()


def ids(n: int) -> str:
    """Organisation ids, some longer than the texts the C code keeps in its table's slots."""
    return f"o{n}" + ("-ex-mineworkers-association-of-the-free-state" if n % 3 == 0 else "")


def test_a_large_network_is_built_with_the_collector_paused(tmp_path):
    store = SQLiteStore(tmp_path / "n.db")
    orgs = [Organisation(ids(n), f"O{n}", "cbo", district=f"district {n % 90}") for n in range(200)]
    store.upsert(orgs, [Link(f"l{n}", ids(n % 200), ids((n * 7 + 1) % 200), "mou", notes=f"note {n % 150}")
                        for n in range(2000)])
    collections = []
    gc.callbacks.append(collect := lambda phase, info: collections.append(phase))
    try:
        G = compiled_graph(store.path, busy_timeout=5)
    finally:
        gc.callbacks.remove(collect)
    assert G.number_of_edges() == 2000 and collections == []  # 4,000 new dicts: a collection every 700 otherwise
    same(G, rows_graph(tmp_path / "n.db"))  # the tables of ids and of texts grew, short and long texts moved
    store.close()


def test_other_threads_run_while_the_projection_is_built(tmp_path):
    """The calling thread awaits each batch without the GIL: a server's other requests are answered meanwhile."""
    store = SQLiteStore(tmp_path / "n.db")
    store.upsert([Organisation(ids(n), f"O{n}", "cbo") for n in range(1000)],
                 [Link(f"l{n}", ids(n % 1000), ids((n * 7 + 1) % 1000), "mou") for n in range(60_000)])
    # three projections: in a full test run other threads (servers of earlier tests) may take every turn of one
    runs = [others_ran_during(lambda: compiled_graph(store.path, busy_timeout=5)) for _ in range(3)]
    assert all(G.number_of_edges() == 60_000 for G, _ in runs) and sum(ran for _, ran in runs) > 0
    store.close()


def test_a_record_it_cannot_decode_stops_the_reading_thread_and_is_reported(tmp_path):
    path = tmp_path / "n.db"
    store = SQLiteStore(path)
    orgs = [Organisation(f"o{n}", f"O{n}", "cbo") for n in range(100)]
    store.upsert(orgs, [Link(f"l{n:05}", f"o{n % 100}", f"o{(n + 1) % 100}", "mou") for n in range(9000)])
    store.close()
    conn = sqlite3.connect(path)
    data = json.loads(conn.execute("SELECT data FROM links WHERE id = 'l00010'").fetchone()[0])
    conn.execute("UPDATE links SET data = ? WHERE id = 'l00010'", (json.dumps({**data, "services": "art; tb"}),))
    conn.commit()
    conn.close()
    # The row is in the first of five batches: the reading thread, filling the next, is told to stop.
    with pytest.raises(json.JSONDecodeError):
        compiled_graph(str(path), busy_timeout=5)
    store = SQLiteStore(path)
    with pytest.raises(json.JSONDecodeError):
        project(store, link_kinds=["mou"])  # as the rows path refuses it
    with store.transaction():  # the failed read left no lock behind: the store takes a write
        store.update_link(Link("l00010", "o10", "o11", "mou"))
    assert len(compiled_graph(str(path), busy_timeout=5).edges) == 9000
    store.close()
