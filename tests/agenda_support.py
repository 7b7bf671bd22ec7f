"""What the agenda tests share: a small hand-built network and the findings the analyses would report on it."""

from __future__ import annotations

import datetime as dt

from network.analysis.agenda import AgendaItem, agenda
from network.analysis.finding import Finding
from network.graph.project import build_graph
from network.model import Link, Organisation

AS_OF = dt.date(2026, 6, 1)
DAY = dt.timedelta(days=1)


def org(id: str, **fields) -> Organisation:
    fields.setdefault("district", "Sekhukhune")
    return Organisation(id, fields.pop("name", id.replace("-", " ").title()), fields.pop("kind", "cbo"), **fields)


def network():
    """Sekhukhune: Apel clinic carries four CBOs; two clinics; a hospital; a forum. Lejweleputswa: three CBOs."""
    orgs = [
        org("apel", name="Apel Cross Clinic", kind="clinic", capacity_per_month=900, services=["tb_screening"]),
        org("atok", name="Atok Circle", capacity_per_month=100, populations=["artisanal_miners"]),
        org("ga", name="Ga-Mampuru HBC", capacity_per_month=50, populations=["artisanal_miners"]),
        org("tubatse", name="Tubatse Hospital", kind="hospital", services=["tb_treatment"]),
        org("forum", name="Sekhukhune AIDS Council", kind="government"),
        org("sizwe", name="Sizwe Clinic", kind="clinic", services=["adherence_support"]),
        org("hope", name="Hope CBO", services=["tb_screening"], populations=["mineworkers"]),
        org("virginia", name="Virginia Outreach", district="Lejweleputswa", services=["tb_screening"],
            populations=["artisanal_miners"]),
        org("goldfields", name="Goldfields Project", district="Lejweleputswa", services=["tb_screening"],
            populations=["artisanal_miners"]),
        org("meloding", name="Meloding Diggers", district="Lejweleputswa", services=["tb_screening"],
            populations=["artisanal_miners"]),
        org("welkom-forum", name="Lejweleputswa District AIDS Council", district="Lejweleputswa",
            kind="government"),
        org("welkom", name="Welkom Clinic", district="Lejweleputswa", kind="clinic", services=["tb_screening"]),
        org("treat", name="Mangaung TB Hospital", district="Mangaung", kind="hospital",
            services=["tb_treatment", "silicosis_screening"], populations=["artisanal_miners"]),
        org("fund", name="Ubuntu Fund", kind="donor", district=None),
    ]
    links = [
        Link("m1", "apel", "tubatse", "mou", status="active", end_date=AS_OF + 20 * DAY),
        Link("r1", "atok", "apel", "referral", status="active"),
        Link("r2", "ga", "apel", "referral", status="active"),
        Link("c1", "atok", "forum", "membership", status="active"),
        Link("c2", "welkom", "welkom-forum", "membership", status="active"),
        Link("c3", "goldfields", "welkom-forum", "membership", status="ended"),
        Link("p1", "treat", "virginia", "membership", status="active", notes="", services=[]),
    ]
    G = build_graph(orgs, links)
    G.edges["treat", "virginia", "p1"]["programme"] = "Free State TB"
    return G


def expiring(link="m1", ends=AS_OF + 20 * DAY, ends_ab=("apel", "tubatse")) -> Finding:
    return Finding("expiring_agreement", "high", "...", list(ends_ab), "Sekhukhune", links=[link],
                   details={"end_date": ends.isoformat(), "days_left": (ends - AS_OF).days})


def spof(hub, cut, services=("tb_treatment",), links=(), severity="medium", district="Sekhukhune") -> Finding:
    return Finding("single_point_of_failure", severity, "...", [hub, *cut], district, links=list(links),
                   details={"bridge": False, "cut_off": len(cut), "services": list(services)})


def bridge(source, target, link, cut_off=1, services=("tb_treatment",)) -> Finding:
    return Finding("single_point_of_failure", "low", "...", [source, target], "Sekhukhune", links=[link],
                   details={"bridge": True, "cut_off": cut_off, "services": list(services)})


def gap(kind, district, population, service, serving, severity="high") -> Finding:
    return Finding(kind, severity, "...", list(serving), district, population, service)


def overlap(district, population, service, group, pairs, severity="high") -> Finding:
    return Finding("service_overlap", severity, "...", list(group), district, population, service,
                   details={"uncoordinated": bool(pairs), "uncoordinated_pairs": [list(p) for p in pairs],
                            "uncoordinated_pair_count": len(pairs), "pair_count": 3})


def items(findings, G, **options) -> list[AgendaItem]:
    options.setdefault("limit", None)
    return agenda(findings, G, as_of=AS_OF, **options)


# The demo

DEMO_AS_OF = dt.date(2026, 11, 23)  # AS_OF of seed/build_demo.py: the planted findings are relative to it
#: How far down the demo agenda every planted case is (see the ``demo`` fixture).
PLANTED_WITHIN = 25


#: Each planted case of seed/README.md and the build_demo.py docstring: the finding type and which finding it is.
PLANTED = {
    "the Apel Cross single point of failure": (
        "single_point_of_failure", lambda f: f.organisations[0] == "apel-cross-community-clinic"),
    "the Musina silo": ("siloed_cluster", lambda f: "musina-cross-border-health-committee" in f.organisations),
    "the uncoordinated Lejweleputswa TB screening": (
        "service_overlap", lambda f: f.district == "Lejweleputswa" and f.service == "tb_screening"
        and {"virginia-artisanal-miners-health-outreach", "goldfields-informal-miners-support-project",
             "meloding-diggers-wellness-group"} <= set(f.organisations)),
    "the Ubuntu funding overlap": ("funding_overlap", lambda f: f.organisations[0] == "ubuntu-health-fund"),
    **{f"the duplicate records {a} and {b}": ("duplicate_record", lambda f, a=a, b=b: {a, b} == set(f.organisations))
       for a, b in [("sekhukhune-ex-mineworkers-association", "sekhukhune-ex-mine-workers-assoc"),
                    ("mokopane-mining-communities-forum", "mogalakwena-mine-affected-communities-network"),
                    ("mthatha-migrant-workers-support-centre", "ksd-migrant-support-centre")]},
    **{f"the lapsing agreement {link}": ("expiring_agreement", lambda f, link=link: f.links == [link])
       for link in [*(f"l-000{n}" for n in range(1, 8)), "l-0955"]},
}
