"""What the duplication tests share: the as-of day and organisations and links with the tests' defaults."""

from __future__ import annotations

import datetime as dt

from network.analysis.duplication import service_overlaps
from network.graph.project import build_graph
from network.model import Link, Organisation

AS_OF = dt.date(2026, 3, 1)


def org(id, services=("tb_screening",), populations=("mineworkers",), district="Sekhukhune", name=None,
        **fields):
    return Organisation(id, name or id.title(), "cbo", services=list(services), populations=list(populations),
                        district=district, **fields)


def link(id, source, target, kind="referral", status="active", end=None, services=()):
    return Link(id, source, target, kind, status=status, end_date=end, services=list(services))


def overlaps(orgs, links=()):
    return [(f.district, f.population, f.service, f.organisations, f.severity)
            for f in service_overlaps(build_graph(orgs, links), as_of=AS_OF)]
