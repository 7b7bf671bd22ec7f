"""What the linkage-gap tests share: the as-of day and tiny networks built from a few records."""

from __future__ import annotations

import datetime as dt

import networkx as nx

from network.graph.project import build_graph
from network.model import Link, Organisation

AS_OF = dt.date(2026, 1, 1)
DAY = dt.timedelta(days=1)
TREATMENT = ["tb_treatment", "tb_adherence_support", "tb_contact_tracing"]


def org(id: str, **fields) -> Organisation:
    return Organisation(id, fields.pop("name", id.title()), fields.pop("kind", "cbo"), **fields)


def link(id: str, source: str, target: str, kind: str = "referral", **fields) -> Link:
    return Link(id, source, target, kind, **fields)


def net(organisations: list[Organisation], links: list[Link] = ()) -> nx.MultiDiGraph:
    return build_graph(organisations, links)


def keyed(findings, *fields):
    return [tuple(getattr(f, name) for name in fields) for f in findings]
