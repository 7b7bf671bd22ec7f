"""The shared meanings: serves, in force, reaches; and the two_way flag through the store and every format."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.gaps import single_points_of_failure, uncovered, unreachable
from network.analysis.pathways import referral_pathways
from network.graph.project import build_graph, project
from network.io.formats import export_bytes, import_bytes
from network.meanings import in_force, reach_directions, reach_graph, serves
from network.model import Link, Organisation, vocabulary
from network.schemas import load_link
from tests.conftest import make_sqlite_store
from tests.http_support import first_format_files

DAY = dt.date(2026, 6, 1)
ONE = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("populations", "population", "expected"),
    [([], "sex_workers", True), (None, "msm", True), (["msm"], "msm", True), (["msm"], "sex_workers", False),
     (["msm"], None, True)],
)
def test_serves(populations, population, expected):
    assert serves(populations, population) is expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "active"}, True),
        ({"status": "proposed"}, False),
        ({"status": "ended"}, False),
        ({"status": "ended", "end_date": DAY + ONE}, False),
        ({"status": "expired"}, False),
        ({"status": "expired", "end_date": DAY - ONE}, False),
        ({"status": "expired", "end_date": DAY}, True),
        ({"status": "active", "start_date": DAY + ONE}, False),
        ({"status": "active", "start_date": DAY, "end_date": DAY}, True),
        ({"status": "active", "end_date": DAY - ONE}, False),
    ],
)
def test_in_force(fields, expected):
    assert in_force(fields, DAY) is expected
    assert in_force(Link("l1", "a", "b", "mou", **fields), DAY) is expected


@pytest.mark.parametrize(
    ("kind", "two_way", "expected"),
    [("referral", False, (True, False)), ("referral", True, (True, True)), ("mou", False, (True, True)),
     ("coordination", True, (False, False)), ("funding", False, (False, False))],
)
def test_reach_directions(kind, two_way, expected):
    assert reach_directions(kind, two_way) == expected


def test_reach_graph_keeps_the_strongest_link_and_leaves_out_inactive_and_unserving_organisations():
    G = build_graph([
        Organisation("cbo", "Hope CBO", "cbo", populations=["sex_workers"]),
        Organisation("clinic", "Sizwe Clinic", "clinic"),
        Organisation("union", "NUM", "trade_union", populations=["mineworkers"]),
        Organisation("gone", "Old Trust", "ngo", status="inactive"),
    ], [
        Link("r1", "cbo", "clinic", "referral", weight=2),
        Link("r2", "cbo", "clinic", "referral", formal=True),
        Link("m1", "union", "clinic", "mou", status="proposed"),
        Link("m2", "gone", "clinic", "mou"),
        Link("r3", "clinic", "union", "referral", two_way=True),
    ])
    R = reach_graph(G, DAY)
    assert sorted(R) == ["cbo", "clinic", "union"]
    assert sorted(R.edges()) == [("cbo", "clinic"), ("clinic", "union"), ("union", "clinic")]
    assert (R["cbo"]["clinic"]["link"], sorted(R["cbo"]["clinic"]["links"])) == ("r2", ["r1", "r2"])
    assert sorted(reach_graph(G, DAY, "sex_workers").edges()) == [("cbo", "clinic")]


# two_way through the schema, the store and every format ------------------------------------------------------


def test_two_way_defaults_to_false_and_loads_from_input():
    assert load_link({"id": "r1", "source": "a", "target": "b", "kind": "referral"}).two_way is False
    assert load_link({"id": "r1", "source": "a", "target": "b", "kind": "referral", "two_way": True}).two_way


@pytest.fixture
def store(tmp_path):
    store = make_sqlite_store(tmp_path / "two_way.db")
    store.upsert([Organisation("a", "Hope CBO", "cbo"), Organisation("b", "Sizwe Clinic", "clinic")],
                 [Link("r1", "a", "b", "referral", two_way=True), Link("r2", "b", "a", "referral")])
    yield store
    store.close()


def test_the_store_keeps_two_way_and_the_projection_carries_it(store):
    assert (store.get_link("r1").two_way, store.get_link("r2").two_way) == (True, False)
    G = project(store)
    assert G.edges["a", "b", "r1"]["two_way"] is True


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "graphml", "json"])
def test_every_format_round_trips_two_way(store, tmp_path, fmt):
    content, _, filename = export_bytes(store, fmt, hide_protected=False)
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert "two_way" in archive.read("links.csv").decode().splitlines()[0].split(",")
    other = make_sqlite_store(tmp_path / f"copy-{fmt}.db")
    try:
        import_bytes(other, fmt, {filename: content})
        assert (other.get_link("r1").two_way, other.get_link("r2").two_way) == (True, False)
    finally:
        other.close()


def test_a_links_file_without_the_column_imports_as_one_way(tmp_path):
    other = make_sqlite_store(tmp_path / "old.db")
    try:
        import_bytes(other, "csv", first_format_files([("a", "Hope CBO", "cbo"), ("b", "Sizwe Clinic", "clinic")],
                                                      ["r1,a,b,referral,,active,,,3,false,"]))
        assert other.get_link("r1").two_way is False
    finally:
        other.close()


# the analyses agree with the pathway engine ------------------------------------------------------------------

SERVICES = ["tb_screening", "tb_treatment", "hiv_testing", "art", "prep", "legal_aid"]
POPULATIONS = ["mineworkers", "sex_workers", "msm"]
AS_OF = dt.date(2026, 1, 1)


@st.composite
def networks(draw):
    n = draw(st.integers(2, 8))
    organisations = [
        Organisation(f"o{i}", f"O{i}", "cbo", status=draw(st.sampled_from(["active", "active", "active", "inactive"])),
                     district=draw(st.sampled_from(["Bojanala", "Waterberg"])),
                     services=draw(st.lists(st.sampled_from(SERVICES), max_size=2, unique=True)),
                     populations=draw(st.lists(st.sampled_from(POPULATIONS), max_size=2, unique=True)))
        for i in range(n)
    ]
    links = [
        Link(f"l{k}", f"o{draw(st.integers(0, n - 1))}", f"o{draw(st.integers(0, n - 1))}",
             draw(st.sampled_from(["referral", "referral", "mou", "coordination"])),
             status=draw(st.sampled_from(["active", "active", "active", "proposed", "expired"])),
             end_date=draw(st.sampled_from([None, None, AS_OF - ONE, AS_OF + ONE])),
             two_way=draw(st.booleans()))
        for k in range(draw(st.integers(0, 3 * n)))
    ]
    return build_graph(organisations, links)


def _routes(G, start, population, service, max_hops=12):
    return referral_pathways(G, population=population, needs=[service], start=start, as_of=AS_OF, max_hops=max_hops)


@settings(max_examples=120, deadline=None)
@given(networks())
def test_every_single_point_of_failure_removes_every_route_the_pathway_engine_finds(G):
    for finding in single_points_of_failure(G, as_of=AS_OF):
        a = finding.organisations[0]
        without = G.copy()
        without.remove_node(a)
        assert finding.details["routes_lost"]
        for x, population, service in finding.details["routes_lost"]:
            assert x in finding.organisations
            assert _routes(G, x, population, service), "a route to lose"
            assert not _routes(without, x, population, service), "no route left without it"


@settings(max_examples=120, deadline=None)
@given(networks(), st.integers(0, 3))
def test_every_unreachable_finding_agrees_with_the_pathway_engine_and_none_repeats_an_uncovered(G, max_hops):
    found = unreachable(G, as_of=AS_OF, max_hops=max_hops)
    for finding in found:
        for x in finding.organisations:
            assert not _routes(G, x, finding.population, finding.service, max_hops)
    gaps = {(f.district, f.population, f.service) for f in uncovered(G, as_of=AS_OF)}
    assert not gaps & {(f.district, f.population, f.service) for f in found}
    flagged = {(f.district, f.population, f.service) for f in found}
    for (district, population, service), group in _groups(G).items():
        if (district, population, service) in flagged or (district, population, service) in gaps:
            continue
        if any(_offers(G, n, population, service) for n in G if G.nodes[n]["district"] == district):
            assert any(_routes(G, x, population, service, max_hops) for x in group)


def _offers(G, node, population, service):
    data = G.nodes[node]
    return data["status"] == "active" and service in data["services"] and serves(data["populations"], population)


def _groups(G):
    groups = {}
    voc = vocabulary()
    for node, data in G.nodes(data=True):
        if data["status"] == "active":
            for population in data["populations"]:
                for service in voc.essential_services[population]:
                    groups.setdefault((data["district"], population, service), []).append(node)
    return groups
