"""Analyses of the partner network: pure functions from a NetworkX graph to plain data."""

from network.analysis.agenda import AgendaItem, agenda, agenda_weights
from network.analysis.duplication import duplicate_records, duplication, funding_overlaps, service_overlaps
from network.analysis.finding import SEVERITIES, Finding
from network.analysis.gaps import (
    broken_cascades,
    expiring_agreements,
    isolated,
    linkage_gaps,
    siloed_clusters,
    single_points_of_failure,
    uncovered,
    unreachable,
)
from network.analysis.layers import (
    REFERRAL_KINDS,
    active_links,
    is_active_organisation,
    referral_graph,
    serves,
    tie_graph,
)
from network.analysis.pathways import Pathway, PathwayIndex, PathwayStep, StepRule, pathway_index, referral_pathways
from network.analysis.recommend import CLOSABLE_TYPES, Recommendation, recommend_links
from network.analysis.report import FINDING_TYPES, coordination_report, finding_rows, report_html, report_markdown
from network.analysis.structure import (
    BROKERAGE_ROLES,
    brokerage_roles,
    centralities,
    communities,
    structure_summary,
)
from network.analysis.upkeep import donor_dependency, one_way_agreements, stale_records, upkeep

__all__ = [
    # finding
    "Finding", "SEVERITIES",
    # layers
    "REFERRAL_KINDS", "active_links", "is_active_organisation", "referral_graph", "serves", "tie_graph",
    # gaps
    "linkage_gaps", "isolated", "broken_cascades", "uncovered", "unreachable", "single_points_of_failure",
    "siloed_clusters", "expiring_agreements",
    # duplication
    "duplication", "service_overlaps", "duplicate_records", "funding_overlaps",
    # pathways
    "Pathway", "PathwayIndex", "PathwayStep", "StepRule", "pathway_index", "referral_pathways",
    # structure
    "BROKERAGE_ROLES", "brokerage_roles", "centralities", "communities", "structure_summary",
    # recommend
    "CLOSABLE_TYPES", "Recommendation", "recommend_links",
    # upkeep
    "upkeep", "stale_records", "donor_dependency", "one_way_agreements",
    # agenda
    "AgendaItem", "agenda", "agenda_weights",
    # report
    "FINDING_TYPES", "coordination_report", "finding_rows", "report_html", "report_markdown",
]
