"""What the GraphStore contract tests share: records to store and a snapshot of everything stored."""

from __future__ import annotations

import datetime as dt

from network.graph.store import AuditQuery
from network.model import Link, Organisation


def org(org_id: str, **kw) -> Organisation:
    defaults = dict(name=org_id.replace("-", " ").title(), kind="cbo", province="Limpopo",
                    district="Sekhukhune")
    defaults.update(kw)
    return Organisation(org_id, **defaults)


def link(link_id: str, source: str, target: str, kind: str = "referral", **kw) -> Link:
    return Link(link_id, source, target, kind, **kw)


def snapshot(store) -> tuple[list[dict], list[dict]]:
    """Everything stored, for comparing before and after a refused write."""
    return ([o.to_dict() for o in store.iter_organisations()], [x.to_dict() for x in store.iter_links()])


RICH = org(
    "sekhukhune-ex-mineworkers", name="Sekhukhune Ex-Mineworkers Association", kind="ex_mineworkers_association",
    aliases=["SEMA", "Sekhukhune Ex Mine Workers"], description="Ex-miners' rights and benefits.",
    municipality="Fetakgomo Tubatse", latitude=-24.68, longitude=30.33,
    services=["silicosis_screening", "tb_screening"], populations=["ex_mineworkers", "mining_communities"],
    capacity_per_month=120, languages=["Sepedi", "English"], phone="+27 15 555 0100",
    email="info@sema.example.org.za", website="https://sema.example.org.za", status="active",
    sensitive=True, tags=["mining"], external_ids={"npo": "123-456", "dhis2": "abc"}, source="survey 2026",
    last_verified=dt.date(2026, 3, 1),
)


def everything(store) -> tuple:
    """Every stored record of every kind: network, tokens and audit log."""
    return (snapshot(store), [t.id for t in store.list_tokens()],
            [(e.action, e.entity_id) for e in store.list_audit(AuditQuery(limit=None)).items])


AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
