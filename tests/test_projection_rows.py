"""The projection's read path (GraphStore.organisation_rows / link_rows, network.graph.columns) on every store.

The graph projected from the rows must equal the graph built from the records the store hands out one by one
(``iter_organisations``/``iter_links``), value for value and type for type, for records with every field set
and records with every field left at its default.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from network.graph.columns import LINK_ROW, ORGANISATION_ROW, link_attributes, stored_row
from network.graph.project import build_graph, project
from network.graph.sqlite import SQLiteStore
from network.graph.sqlite_projection import select
from network.model import Link, Organisation

FULL = Organisation(
    "full", "Full CBO", "ex_mineworkers_association", aliases=["FC", "Full Community"], description="Every field.",
    province="Limpopo", district="Sekhukhune", municipality="Fetakgomo Tubatse", latitude=-24.5, longitude=30,
    services=["tb_screening", "art"], populations=["ex_mineworkers"], capacity_per_month=120,
    languages=["Sepedi"], phone="+27 15 555 0100", email="info@full.example.org.za",
    website="https://full.example.org.za", status="inactive", sensitive=True, tags=["mining"],
    external_ids={"npo": "123-456"}, source="survey 2026", country="LS", countries_served=["ZA", "LS"],
    intervention_areas=["tb"], last_verified=dt.date(2026, 3, 1), verified_by="field team")
BARE = Organisation("bare", "Bare", "clinic")
LINKS = [
    Link("l-full", "full", "bare", "funding", services=["art"], status="proposed", start_date=dt.date(2025, 1, 1),
         end_date=dt.date(2027, 1, 1), weight=5, formal=True, document="mou.pdf", notes="Signed twice.",
         last_verified=dt.date(2026, 2, 1), two_way=True, programme="beyond-zero", grant_ref="G-1",
         verified_by="field team", intervention_areas=["tb"], data=["referral_counts"]),
    Link("l-bare", "bare", "full", "referral"),
]


def same(G, F):
    """Equal nodes, edges, attributes (and the type of every value), in the same order."""
    assert list(G.nodes(data=True)) == list(F.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(F.edges(keys=True, data=True))
    for (_, mine), (_, theirs) in zip(G.nodes(data=True), F.nodes(data=True), strict=True):
        assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in theirs.items()}
    for (*_, mine), (*_, theirs) in zip(G.edges(data=True), F.edges(data=True), strict=True):
        assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in theirs.items()}


def test_the_projection_from_rows_equals_the_graph_of_the_records(store):
    store.upsert([FULL, BARE], LINKS)
    G = project(store)
    same(G, build_graph(store.iter_organisations(), store.iter_links()))
    assert G.nodes["full"]["external_ids"] == {"npo": "123-456"} and G.nodes["full"]["sensitive"] is True
    assert G.nodes["bare"]["country"] == "ZA" and G.nodes["bare"]["services"] == []
    data = G.edges["full", "bare", "l-full"]
    assert (data["formal"], data["start_date"], data["data"]) == (True, dt.date(2025, 1, 1), ["referral_counts"])
    assert len(G.nodes["full"]) == len(ORGANISATION_ROW) - 1 and len(data) == len(LINK_ROW) - 3
    assert "updated_at" not in data and "version" not in G.nodes["full"]  # the store's stamps are not the network


def test_rows_of_some_ids_hold_those_that_exist_in_the_models_field_order(store):
    store.upsert([FULL, BARE], LINKS)
    (rows,) = [batch for batch in store.organisation_rows(["full", "gone"]) if batch]
    assert [row[0] for row in rows] == ["full"] and len(rows[0]) == len(ORGANISATION_ROW)
    assert rows[0][ORGANISATION_ROW.index("name")] == "Full CBO"
    links = [row for batch in store.link_rows(["l-bare", "l-gone"]) for row in batch]
    assert [row[:4] for row in links] == [("l-bare", "bare", "full", "referral")]


def test_equal_lists_are_equal_and_mappings_are_each_records_own(store):
    store.upsert([FULL, BARE, Organisation("twin", "Twin", "cbo", services=["tb_screening", "art"],
                                           external_ids={"npo": "123-456"})], [])
    G = project(store)
    assert G.nodes["full"]["services"] == G.nodes["twin"]["services"] == ["tb_screening", "art"]
    assert G.nodes["bare"]["tags"] == [] and G.nodes["bare"]["external_ids"] == {}
    G.nodes["twin"]["external_ids"]["dhis2"] = "x"
    assert G.nodes["full"]["external_ids"] == {"npo": "123-456"}


def test_a_record_written_before_a_field_existed_projects_with_the_fields_default(tmp_path):
    store = SQLiteStore(tmp_path / "old.db")
    store.upsert([FULL, BARE], LINKS)
    conn = store._conn()
    for table, record_id, fields in (("organisations", "bare", ("country", "services", "sensitive", "status")),
                                     ("links", "l-bare", ("weight", "data", "notes", "formal"))):
        paths = ", ".join(f"'$.{field}'" for field in fields)
        conn.execute(f"UPDATE {table} SET data = json_remove(data, {paths}) WHERE id = ?", (record_id,))
        assert not set(fields) & set(json.loads(conn.execute(f"SELECT data FROM {table} WHERE id = ?",
                                                             (record_id,)).fetchone()[0]))
    G = project(store)
    same(G, build_graph(store.iter_organisations(), store.iter_links()))
    assert (G.nodes["bare"]["country"], G.nodes["bare"]["services"], G.nodes["bare"]["status"]) == ("ZA", [], "active")
    assert G.edges["bare", "full", "l-bare"]["weight"] == 3 and G.edges["bare", "full", "l-bare"]["formal"] is False
    store.close()


def test_the_projection_reads_the_index_and_decodes_no_json(tmp_path):
    store = SQLiteStore(tmp_path / "plan.db")
    for table in ("organisations", "links"):
        program = store._conn().execute(f"EXPLAIN {select(table)} ORDER BY id").fetchall()
        assert f"USING INDEX {table}_projection" in " ".join(
            row[-1] for row in store._conn().execute(f"EXPLAIN QUERY PLAN {select(table)} ORDER BY id"))
        called = {row[5].split("(")[0] for row in program if row[1] in ("Function", "PureFunc")}
        assert called <= {"nullif"}, called  # no json_extract: every field comes from the index
    store.close()


def test_a_field_with_one_value_in_every_row_is_that_value_in_every_record():
    rows = [stored_row(Link(f"l{i}", "a", "b", "mou", notes="", weight=2, programme=None)) for i in range(3)]
    _, _, _, attributes = link_attributes(rows)
    assert [(data["notes"], data["weight"], data["programme"], data["services"]) for data in attributes] == [
        ("", 2, None, [])] * 3
    assert [list(data) for data in attributes] == [list(LINK_ROW[3:])] * 3
    attributes[0]["notes"] = "changed"  # each record's dict is its own
    assert attributes[1]["notes"] == ""


def test_equal_values_of_different_types_keep_their_own_type():
    base = stored_row(Link("l", "a", "b", "mou"))
    at = LINK_ROW.index("weight")
    rows = [base[:at] + (value,) + base[at + 1:] for value in (1, 1.0, 0.0, -0.0)]
    weights = [data["weight"] for data in link_attributes(rows)[3]]
    assert [(type(w), math.copysign(1, w)) for w in weights] == [(int, 1), (float, 1), (float, 1), (float, -1)]
    same_type = [base[:at] + (-0.0 if i else 0.0,) + base[at + 1:] for i in range(2)]
    assert [math.copysign(1, data["weight"]) for data in link_attributes(same_type)[3]] == [1, -1]
