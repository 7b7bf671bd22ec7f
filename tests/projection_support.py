"""Random edits through the service layer and the check that cached projections caught up equal fresh ones.

Shared by the property tests on SQLite (tests/test_projection_updates.py) and on the Bolt server
(tests/test_projection_updates_bolt.py).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from network.analysis.gaps import linkage_gaps
from network.analysis.pathway_index import pathway_index as fresh_index
from network.errors import Conflict, InvalidData, NotFound, StaleWrite
from network.graph.project import project
from network.model import Link, Organisation, today
from network.redaction import redact_graph
from network.service import analyses, projections, records
from network.service.audit import SYSTEM

SERVICES = ["tb_screening", "tb_treatment", "tb_adherence_support", "art", "legal_aid"]
POPULATIONS = ["mineworkers", "sex_workers"]
DISTRICTS = ["Sekhukhune", "Waterberg", "Vhembe"]
LATER = today() + dt.timedelta(days=40)


def same_graph(G, F):
    """Equal as build_graph makes them: nodes, attributes, neighbours and keys, all in the same order."""
    assert list(G.nodes(data=True)) == list(F.nodes(data=True))
    assert [list(G.succ[n]) for n in G] == [list(F.succ[n]) for n in F]
    assert [list(G.pred[n]) for n in G] == [list(F.pred[n]) for n in F]
    assert list(G.edges(keys=True, data=True)) == list(F.edges(keys=True, data=True))
    for u, v in G.edges():
        assert G._succ[u][v] is G._pred[v][u]  # one key dict shared, as networkx keeps it


def organisation(draw, org_id):
    placed = draw(st.booleans())
    return Organisation(
        org_id, org_id.upper(), "cbo", district=draw(st.sampled_from(DISTRICTS)),
        province=draw(st.sampled_from(["Limpopo", None])),
        services=draw(st.lists(st.sampled_from(SERVICES), max_size=2, unique=True)),
        populations=draw(st.lists(st.sampled_from(POPULATIONS), max_size=1)),
        status=draw(st.sampled_from(["active", "active", "inactive"])), sensitive=draw(st.booleans()),
        latitude=-24.0 if placed else None, longitude=29.5 if placed else None,
        phone=draw(st.sampled_from([None, "012 345 6789"])))


def link(draw, link_id, ids):
    kind = draw(st.sampled_from(["referral", "referral", "mou", "funding"]))
    return Link(link_id, draw(st.sampled_from(ids)), draw(st.sampled_from(ids)), kind,
                status=draw(st.sampled_from(["active", "active", "proposed", "ended"])),
                formal=draw(st.booleans()), weight=draw(st.integers(1, 5)),
                two_way=kind == "referral" and draw(st.booleans()),
                start_date=draw(st.sampled_from([None, today() + dt.timedelta(days=10)])),
                end_date=draw(st.sampled_from([None, *(today() + dt.timedelta(days=d) for d in (20, 70))])))


def edit(draw, store, n):
    """One edit through the service layer, or a refused one (which must leave the store unchanged)."""
    orgs = sorted(o.id for o in store.iter_organisations())
    links = sorted(x.id for x in store.iter_links())
    what = draw(st.sampled_from(["create_org", "update_org", "delete_org", "create_link", "update_link",
                                 "delete_link"]))
    try:
        if what == "create_org" or not orgs:
            records.create_organisation(store, organisation(draw, f"o{n}"), actor=SYSTEM)
        elif what == "update_org":
            current = store.get_organisation(draw(st.sampled_from(orgs)))
            change = organisation(draw, current.id)
            records.update_organisation(store, current.id, change, expected_version=current.version, actor=SYSTEM)
        elif what == "delete_org":
            current = store.get_organisation(draw(st.sampled_from(orgs)))
            records.delete_organisation(store, current.id, expected_version=current.version, cascade=True,
                                        actor=SYSTEM)
        elif what == "create_link" or not links:
            records.create_link(store, link(draw, f"l{n}", orgs), actor=SYSTEM)
        elif what == "update_link":
            current = store.get_link(draw(st.sampled_from(links)))
            records.update_link(store, current.id, link(draw, current.id, orgs), expected_version=current.version,
                                actor=SYSTEM)
        else:
            current = store.get_link(draw(st.sampled_from(links)))
            records.delete_link(store, current.id, expected_version=current.version, actor=SYSTEM)
    except (InvalidData, Conflict, NotFound, StaleWrite):
        pass


VIEWS = [dict(), dict(redacted=True), dict(as_of=LATER), dict(district="Sekhukhune"),
         dict(province="Limpopo", redacted=True)]




def seed(draw, store) -> None:
    """A few organisations and links written at once (an import)."""
    ids = [f"s{i}" for i in range(draw(st.integers(2, 6)))]
    seeded = [link(draw, f"k{i}", ids) for i in range(draw(st.integers(0, 8)))]
    store.upsert([organisation(draw, i) for i in ids], [x for x in seeded if x.source != x.target])


def caught_up_equal_fresh(draw, store) -> None:
    """Rounds of random edits; after each, every view the service caches equals a fresh projection, its
    pathway index a fresh index, and its linkage gaps (caught up from those before the edits) fresh ones."""
    for round_ in range(draw(st.integers(1, 4))):
        for view in VIEWS:
            G = analyses.analysis_graph(store, **view)
            index = analyses.pathway_index(G, as_of=view.get("as_of"), include_unlinked=round_ % 2 == 0)
            for population in POPULATIONS:
                index.serving(population)  # remembered, then carried over to the caught-up index
            analyses.gaps(store, **view)  # kept, then caught up after the edits
        before = store.revision()
        for n in range(draw(st.integers(1, 3))):
            edit(draw, store, f"{round_}_{n}")
        for view in VIEWS:
            G = analyses.analysis_graph(store, **view)
            whole = not view.get("district") and not view.get("province")
            assert G in projections._parents or store.revision() == before or not whole  # caught up
            fresh = project(store, as_of=view.get("as_of"), district=view.get("district"),
                            province=view.get("province"))
            same_graph(G, redact_graph(fresh) if view.get("redacted") else fresh)
            fresh_gaps = linkage_gaps(redact_graph(fresh) if view.get("redacted") else fresh, as_of=view.get("as_of"))
            assert analyses.gaps(store, **view) == analyses.jsonable([f.to_dict() for f in fresh_gaps])
            index = analyses.pathway_index(G, as_of=view.get("as_of"), include_unlinked=round_ % 2 == 0)
            fresh_one = fresh_index(G, as_of=view.get("as_of"))
            assert index.state() == fresh_one.state()
            assert [index.serving(p) for p in POPULATIONS] == [fresh_one.serving(p) for p in POPULATIONS]
