"""Network visuals: filtering, ego networks, aggregation, offline output, text-only names, redaction."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from network.analysis.gaps import linkage_gaps
from network.errors import NotFound
from network.graph.project import build_graph
from network.model import Link, Organisation
from network.service import drawing
from network.visual import (
    default_highlights,
    ego_subgraph,
    filter_graph,
    network_data,
    network_html,
)
from tests.conftest import make_sqlite_store

AS_OF = dt.date(2026, 1, 1)
SCRIPT_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def _network() -> tuple[list[Organisation], list[Link]]:
    orgs = [
        Organisation("a", "Alpha CBO", "cbo", province="Limpopo", district="Sekhukhune",
                     services=["tb_screening"], populations=["artisanal_miners"]),
        Organisation("b", "Beta Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                     services=["tb_treatment"]),
        Organisation("c", "Gamma Network", "kp_network", province="Limpopo", district="Waterberg",
                     services=["hiv_testing"], populations=["sex_workers"], sensitive=True,
                     latitude=-24.123456, longitude=28.654321, municipality="Secretville",
                     phone="+27 82 555 0199", email="hidden@gamma.example.org", website="https://gamma.example.org"),
        Organisation("d", SCRIPT_NAME, "ngo", province="Free State", district="Lejweleputswa",
                     description="</script><script>alert(1)</script>"),
        Organisation("e", "Epsilon Hospital", "hospital", province="Free State", district="Lejweleputswa"),
    ]
    links = [
        Link("l1", "a", "b", "referral", services=["tb_treatment"]),
        Link("l2", "b", "c", "mou"),
        Link("l3", "c", "d", "funding", notes="<b>bold</b>"),
        Link("l4", "d", "e", "coordination"),
    ]
    return orgs, links


@pytest.fixture
def G():
    return build_graph(*_network())


def test_filter_by_province_keeps_links_among_kept(G):
    H = filter_graph(G, province="Limpopo")
    assert sorted(H) == ["a", "b", "c"]
    assert sorted(k for _, _, k in H.edges(keys=True)) == ["l1", "l2"]


def test_filter_by_population_counts_general_population(G):
    assert sorted(filter_graph(G, population="artisanal_miners")) == ["a", "b", "d", "e"]


def test_filter_by_link_kind_keeps_organisations(G):
    H = filter_graph(G, link_kind="mou")
    assert H.number_of_nodes() == 5
    assert [k for _, _, k in H.edges(keys=True)] == ["l2"]


@pytest.mark.parametrize(("depth", "expected"), [(0, ["c"]), (1, ["b", "c", "d"]), (2, ["a", "b", "c", "d", "e"])])
def test_ego_subgraph_by_depth(G, depth, expected):
    assert sorted(ego_subgraph(G, "c", depth)) == expected


def test_ego_of_unknown_organisation_is_not_found(G):
    with pytest.raises(NotFound, match="nobody"):
        ego_subgraph(G, "nobody", 1)


def test_small_network_is_not_aggregated(G):
    data = network_data(G, aggregate_above=5)
    assert data["clusters"] is None
    assert all("cluster" not in n for n in data["nodes"])


def test_network_above_threshold_is_aggregated_by_district(G):
    data = network_data(G, aggregate_above=4)
    assert data["clusters"] == [
        {"id": "Lejweleputswa", "label": "Lejweleputswa", "count": 2},
        {"id": "Sekhukhune", "label": "Sekhukhune", "count": 2},
        {"id": "Waterberg", "label": "Waterberg", "count": 1},
    ]
    assert {n["id"]: n["cluster"] for n in data["nodes"]}["c"] == "Waterberg"
    assert len(data["edges"]) == 4


def _hub_network():
    """Two groups of men who have sex with men reach PrEP only through a hub; a far clinic offers PrEP too."""
    return build_graph([
        Organisation("a", "Alpha CBO", "cbo", populations=["msm"]),
        Organisation("b", "Beta CBO", "cbo", populations=["msm"]),
        Organisation("hub", "Hub", "ngo"), Organisation("c", "Clinic", "clinic", services=["prep"]),
        Organisation("far", "Far Clinic", "clinic", services=["prep"]), Organisation("lone", "Lone CBO", "cbo"),
    ], [Link("r1", "a", "hub", "referral"), Link("r2", "b", "hub", "referral"), Link("r3", "hub", "c", "referral"),
        Link("m1", "far", "c", "mou")])


def test_highlights_are_the_reports_findings_of_the_whole_network():
    # Defect 5 of issue 9: an ego drawing warns about the organisation the report names, not about the
    # cut points of the drawn part.
    G = _hub_network()
    report = {f.organisations[0]: f.type for f in linkage_gaps(G, as_of=AS_OF)
              if f.type in ("isolated", "single_point_of_failure")}
    assert report == {"hub": "single_point_of_failure", "lone": "isolated"}
    assert default_highlights(G, as_of=AS_OF, brokers=["a"]) == {
        "hub": ["single point of failure"], "lone": ["isolated"], "a": ["broker"]}
    ego = ego_subgraph(G, "c", 1)
    assert sorted(ego) == ["c", "far", "hub"]
    assert default_highlights(G, as_of=AS_OF, drawn=ego) == {"hub": ["single point of failure"]}
    data = network_data(ego, highlight=default_highlights(G, as_of=AS_OF, drawn=ego))
    assert {n["id"] for n in data["nodes"] if n["highlight"]} == {"hub"}


def test_viz_of_an_ego_network_highlights_what_the_report_names(tmp_path):
    store = make_sqlite_store(tmp_path / "viz.db")
    G = _hub_network()
    store.upsert([Organisation(n, d["name"], d["kind"], populations=d["populations"], services=d["services"])
                  for n, d in G.nodes(data=True)],
                 [Link(k, u, v, d["kind"]) for u, v, k, d in G.edges(keys=True, data=True)])
    out = tmp_path / "ego.html"
    out.write_text(drawing.page(store, {"ego": "hub", "depth": 1, "as_of": AS_OF}, redacted=True)[0],
                   encoding="utf-8")
    data = json.loads(re.search(r'id="network-data">(.*?)</script>', out.read_text()).group(1))
    assert {n["id"] for n in data["nodes"] if n["highlight"]} == {"hub"}
    store.close()


def test_sizes_by_betweenness_peak_at_the_centre(G):
    sizes = {n["id"]: n["size"] for n in network_data(G, size_by="betweenness")["nodes"]}
    assert sizes["c"] == 1.0
    assert sizes["a"] == 0.0


def test_html_loads_nothing_from_the_internet(G):
    page = network_html(G)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page
    assert "vis.Network" in page


def test_script_bearing_name_is_escaped(G):
    page = network_html(G, title=SCRIPT_NAME)
    assert SCRIPT_NAME not in page
    assert "<script>window.__xss" not in page
    assert "</script><script>alert(1)" not in page
    assert "&lt;img src=x" in page
    data = json.loads(_embedded(page))
    assert {n["id"]: n["label"] for n in data["nodes"]}["d"] == SCRIPT_NAME[:38] + "…"
    assert SCRIPT_NAME in {n["id"]: n["tip"] for n in data["nodes"]}["d"]


@pytest.mark.parametrize("value", ["-24.123456", "28.654321", "Secretville", "+27 82 555 0199",
                                   "hidden@gamma.example.org", "gamma.example.org"])
def test_protected_fields_absent_when_hidden(G, value):
    assert value not in network_html(G, hide_protected=True)


def test_protected_fields_present_for_editors(G):
    assert "+27 82 555 0199" in network_html(G, hide_protected=False)


def test_the_drawing_of_an_ego_network(sqlite_store):
    orgs, links = _network()
    sqlite_store.upsert(orgs, links)
    page, drawn = drawing.page(sqlite_store, {"ego": "a", "depth": 1}, redacted=True)
    assert drawn == 2
    assert page.startswith("<!doctype html>")
    assert sorted(n["id"] for n in json.loads(_embedded(page))["nodes"]) == ["a", "b"]


def test_the_drawing_filters_by_district(sqlite_store):
    sqlite_store.upsert(*_network())
    assert drawing.page(sqlite_store, {"district": "Lejweleputswa"}, redacted=True)[1] == 2


def _embedded(page: str) -> str:
    match = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', page, re.S)
    assert match is not None
    return match.group(1)
