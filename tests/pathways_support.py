"""What the pathway tests share: the as-of day, organisations and links with the tests' defaults, a chain network."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from network.analysis.pathways import referral_pathways
from network.graph.project import build_graph
from network.model import Link, Organisation

AS_OF = dt.date(2026, 3, 1)
CASCADE = ["tb_screening", "tb_treatment", "social_grant_linkage"]


def org(id, services=(), populations=(), district="Sekhukhune", status="active", lat=None, lon=None):
    return Organisation(id, id.replace("_", " ").title(), "other", services=list(services),
                        populations=list(populations), district=district, status=status, latitude=lat,
                        longitude=lon)


def link(id, source, target, kind="referral", formal=True, weight=3, status="active", start=None, end=None):
    return Link(id, source, target, kind, status=status, formal=formal, weight=weight, start_date=start,
                end_date=end)


def route(pathway):
    return [step.organisation for step in pathway.steps]


def routes(G, **query):
    query.setdefault("as_of", AS_OF)
    return [(route(p), p.cost) for p in referral_pathways(G, **query)]


def chain_network(**changes):
    """CBO -> clinic -> hospital -> SASSA, with a dearer informal alternative via a second clinic.

    Cheaper: cbo -r1(formal)-> clinic -m1(MoU, formal, weight 4)- hospital -r3(informal, weight 2)-> sassa
             = 1.0 + 0.95 + 1.55 = 3.5
    Dearer:  cbo -r2(informal)-> clinic2 -r4(formal)-> hospital -r3-> sassa = 1.5 + 1.0 + 1.55 = 4.05
    """
    orgs = {
        "cbo": org("cbo", ["peer_education"], ["mineworkers"]),
        "clinic": org("clinic", ["tb_screening"]),
        "clinic2": org("clinic2", ["tb_screening"]),
        "hospital": org("hospital", ["tb_treatment"]),
        "sassa": org("sassa", ["social_grant_linkage"]),
    }
    links = {
        "r1": link("r1", "cbo", "clinic"),
        "r2": link("r2", "cbo", "clinic2", formal=False),
        "m1": link("m1", "hospital", "clinic", kind="mou", weight=4),
        "r4": link("r4", "clinic2", "hospital"),
        "r3": link("r3", "hospital", "sassa", formal=False, weight=2),
    }
    for key, value in changes.items():
        (orgs if key in orgs else links)[key] = value
    return build_graph([o for o in orgs.values() if o is not None], [x for x in links.values() if x is not None])


# --- random small networks, for property tests ---

SERVICES = ["tb_screening", "tb_treatment", "art", "legal_aid"]
POPULATIONS = ["mineworkers", "sex_workers"]
DISTRICTS = ["Sekhukhune", "Waterberg"]


@st.composite
def networks(draw):
    n = draw(st.integers(3, 8))
    ids = [f"o{i}" for i in range(n)]
    orgs = []
    for node in ids:
        placed = draw(st.booleans())
        orgs.append(Organisation(
            node, node.upper(), "other",
            services=draw(st.lists(st.sampled_from(SERVICES), max_size=2, unique=True)),
            populations=draw(st.lists(st.sampled_from(POPULATIONS), max_size=2, unique=True)),
            district=draw(st.sampled_from(DISTRICTS)),
            status=draw(st.sampled_from(["active", "active", "active", "inactive"])),
            latitude=draw(st.floats(-25, -24)) if placed else None,
            longitude=draw(st.floats(29, 30)) if placed else None,
        ))
    links = []
    for i in range(draw(st.integers(0, 3 * n))):
        source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        links.append(Link(
            f"l{i}", source, target, draw(st.sampled_from(["referral", "referral", "mou", "funding"])),
            status=draw(st.sampled_from(["active", "active", "active", "expired", "proposed"])),
            end_date=draw(st.sampled_from([None, None, dt.date(2026, 1, 1), dt.date(2027, 1, 1)])),
            formal=draw(st.booleans()), weight=draw(st.integers(1, 5)),
        ))
    G = build_graph(orgs, links)
    query = dict(
        population=draw(st.sampled_from(POPULATIONS)),
        needs=draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3)),
        k=draw(st.integers(1, 4)),
        include_unlinked=draw(st.booleans()),
        max_hops=draw(st.integers(0, 5)),
    )
    if draw(st.booleans()):
        query["start"] = draw(st.sampled_from(ids))
    else:
        query["district"] = draw(st.sampled_from(DISTRICTS))
    return G, query
