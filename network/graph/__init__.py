"""Storage of the partner network: the GraphStore port, its adapters and the projection."""

from network.graph.open import open_store
from network.graph.project import build_graph, project
from network.graph.store import GraphStore, LinkQuery, OrganisationQuery, Page, Version

__all__ = ["GraphStore", "LinkQuery", "OrganisationQuery", "Page", "Version", "build_graph", "open_store",
           "project"]
