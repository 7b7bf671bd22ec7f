"""Linkage gaps: unlinked organisations, missing care steps and services, and fragile links."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

import networkx as nx
import numpy as np

from network.analysis import words
from network.analysis.areas import unlinked_areas
from network.analysis.borders import cross_border_gaps, one_way_data
from network.analysis.edit_reach import EditReach
from network.analysis.failure import CUT_OFF_HIGH as CUT_OFF_HIGH
from network.analysis.failure import CUT_OFF_MEDIUM as CUT_OFF_MEDIUM
from network.analysis.failure import MAX_LISTED as MAX_LISTED
from network.analysis.failure import MIN_CUT_OFF as MIN_CUT_OFF
from network.analysis.failure import single_point_findings, single_points_of_failure
from network.analysis.finding import Finding, gap_order, not_negative
from network.analysis.geography import shared_district
from network.analysis.kernels import Indexed
from network.analysis.layers import Layers, layers_for
from network.analysis.offers import Flags, Offers
from network.model import Vocabulary, today, vocabulary
from network.translation import N_

__all__ = [
    "linkage_gaps",
    "caught_up_gaps",
    "closable_gaps",
    "standing_gaps",
    "isolated",
    "broken_cascades",
    "uncovered",
    "unreachable",
    "single_points_of_failure",
    "siloed_clusters",
    "expiring_agreements",
]

#: An agreement ending within this many days is ``high``; within ``EXPIRY_MEDIUM_DAYS``, ``medium``.
EXPIRY_HIGH_DAYS, EXPIRY_MEDIUM_DAYS = 30, 60
#: Kinds of link that are agreements with an end date worth renewing.
AGREEMENT_KINDS = ("mou", "referral", "funding", "secondment", "data_sharing")


def linkage_gaps(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    max_hops: int = 3,
    within_days: int = 90,
    layers: Layers | None = None,
    offers: Offers | None = None,
) -> list[Finding]:
    """Every linkage-gap finding of the network on ``as_of``.

    Runs :func:`isolated`, :func:`broken_cascades`, :func:`uncovered`,
    :func:`unreachable`, :func:`single_points_of_failure`,
    :func:`siloed_clusters` (with their defaults),
    :func:`expiring_agreements`, and the cross-border, data-flow and
    intervention-area gaps (:func:`network.analysis.borders.cross_border_gaps`,
    :func:`network.analysis.borders.one_way_data`,
    :func:`network.analysis.areas.unlinked_areas`), building the referral
    and tie layers once.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The day the network is looked at (default today).
    max_hops : int, default 3
        Referral steps allowed by :func:`unreachable`.
    within_days : int, default 90
        Horizon of :func:`expiring_agreements`.
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).
    offers : Offers, optional
        What each organisation of ``G`` offers (:class:`~network.analysis.offers.Offers`), if already known.

    Returns
    -------
    list of Finding
        All findings, most severe first, then by type, organisations,
        district, population, service and links.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("cbo", name="Hope CBO", services=["tb_screening"])
    >>> G.add_node("clinic", name="Sizwe Clinic",
    ...            services=["tb_treatment", "tb_adherence_support", "tb_contact_tracing"])
    >>> G.add_node("hbc", name="Thusong HBC")
    >>> _ = G.add_edge("clinic", "cbo", key="m1", kind="mou", status="active", end_date=dt.date(2026, 2, 1))
    >>> [(f.type, f.severity, f.organisations) for f in linkage_gaps(G, as_of=dt.date(2026, 1, 1))]
    [('expiring_agreement', 'medium', ['clinic', 'cbo']), ('isolated', 'low', ['hbc'])]
    """
    not_negative(max_hops=max_hops, within_days=within_days)
    layers = layers_for(G, as_of, layers)
    layers.communities_ahead(42)  # on another CPU, while the rest is found
    offers = offers or Offers(G)
    findings = [*closable_gaps(G, layers, offers, max_hops=max_hops),
                *standing_gaps(G, layers, offers, within_days=within_days)]
    return sorted(findings, key=gap_order)


def caught_up_gaps(
    G: nx.MultiDiGraph,
    previous: Sequence[Finding],
    reach: EditReach,
    *,
    as_of: dt.date | None = None,
    max_hops: int = 3,
    within_days: int = 90,
    layers: Layers | None = None,
    offers: Offers | None = None,
) -> list[Finding]:
    """The linkage gaps of ``G`` after an edit, given those of the graph before it: :func:`linkage_gaps`,
    with the district- and link-bound findings found again only within the edit's reach.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph after the edit.
    previous : sequence of Finding
        ``linkage_gaps`` of the graph before the edit, with the same ``as_of``, ``max_hops`` and ``within_days``.
    reach : EditReach
        How far the edit reaches (:class:`~network.analysis.edit_reach.EditReach` of the graphs before and
        after it and the organisations it touched).
    as_of, max_hops, within_days, layers, offers
        As for :func:`linkage_gaps`.

    Returns
    -------
    list of Finding
        Equal to ``linkage_gaps(G, ...)``, in the same order. The findings of ``previous`` that the edit cannot
        have changed (``not reach.covers(finding)``) are kept, the same objects; the other findings of the bound
        types (``network.analysis.edit_reach.BOUND_TYPES``) are found again within the reach, and those of every
        other type are found again over the whole network.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> day = dt.date(2026, 1, 1)
    >>> before = nx.MultiDiGraph()
    >>> before.add_node("cbo", name="Hope CBO", district="Sekhukhune", services=["tb_screening"])
    >>> before.add_node("hbc", name="Thusong HBC", district="Waterberg", services=["tb_screening"])
    >>> previous = linkage_gaps(before, as_of=day)
    >>> G = before.copy()
    >>> G.add_node("clinic", name="Sizwe Clinic", district="Sekhukhune",
    ...            services=["tb_treatment", "tb_adherence_support", "tb_contact_tracing"])
    >>> _ = G.add_edge("cbo", "clinic", key="r1", kind="referral", status="active")
    >>> found = caught_up_gaps(G, previous, EditReach(before, G, ["cbo", "clinic"]), as_of=day)
    >>> found == linkage_gaps(G, as_of=day), [f.organisations for f in found if f.type == "broken_cascade"]
    (True, [['hbc']])
    """
    not_negative(max_hops=max_hops, within_days=within_days)
    layers = layers_for(G, as_of, layers)
    layers.communities_ahead(42)  # on another CPU, while the rest is found
    offers = offers or Offers(G)
    kept = [f for f in previous if not reach.covers(f)]
    findings = [*closable_gaps(G, layers, offers, max_hops=max_hops, within=reach),
                *standing_gaps(G, layers, offers, within_days=within_days, within=reach)]
    return sorted([*kept, *findings], key=gap_order)


def closable_gaps(G: nx.MultiDiGraph, layers: Layers, offers: Offers, *, max_hops: int = 3,
                  within: EditReach | None = None) -> list[Finding]:
    """The linkage gaps a new link can close: isolated, broken cascade, uncovered, unreachable and cross-border.

    Half of :func:`linkage_gaps`, the half that :func:`~network.analysis.recommend.recommend_links` closes
    (its ``CLOSABLE_TYPES``); the other is :func:`standing_gaps`. The coordination report computes the two
    halves side by side (:mod:`network.side_by_side`).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    layers : Layers
        Views of ``G`` on the day it is looked at.
    offers : Offers
        What each organisation of ``G`` offers (:class:`~network.analysis.offers.Offers`).
    max_hops : int, default 3
        Referral steps allowed by :func:`unreachable`.
    within : EditReach, optional
        Only the broken cascades, uncovered services and cross-border gaps this reach covers (for
        :func:`caught_up_gaps`).

    Returns
    -------
    list of Finding
        The findings of these types, unsorted.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("hbc", name="Thusong HBC")
    >>> [f.type for f in closable_gaps(G, Layers(G, dt.date(2026, 1, 1)), Offers(G))]
    ['isolated']
    """
    voc = vocabulary()
    return [
        *_isolated(G, layers.untied(), voc),
        *_broken_cascades(G, layers, offers, voc, None if within is None else within.organisations),
        *_uncovered(G, offers, voc, None if within is None else within.districts),
        *_unreachable(G, layers, offers, voc, max_hops),
        *cross_border_gaps(G, layers=layers, within=within),
    ]


def standing_gaps(G: nx.MultiDiGraph, layers: Layers, offers: Offers, *, within_days: int = 90,
                  within: EditReach | None = None) -> list[Finding]:
    """The linkage gaps no single new link closes: single points of failure, siloed clusters, expiring
    agreements, one-way data and unlinked intervention areas.

    The other half of :func:`linkage_gaps` (see :func:`closable_gaps`); same parameters, but ``within_days``,
    the horizon of :func:`expiring_agreements`, and ``within``, which keeps only the expiring agreements, one-way
    data and unlinked intervention areas the reach covers.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["cbo", "clinic"])
    >>> _ = G.add_edge("clinic", "cbo", key="m1", kind="mou", status="active", end_date=dt.date(2026, 2, 1))
    >>> [f.type for f in standing_gaps(G, Layers(G, dt.date(2026, 1, 1)), Offers(G))]
    ['expiring_agreement']
    """
    voc = vocabulary()
    links, kinds, ends = layers.links, layers.kinds, layers.end_dates
    if within is not None:
        picked = within.link_positions(layers)
        links, kinds, ends = [links[i] for i in picked], [kinds[i] for i in picked], [ends[i] for i in picked]
    return [
        *single_point_findings(G, layers, offers, voc),
        *_siloed_clusters(G, layers, layers.communities(42), min_size=3),
        *_expiring_agreements(G, links, kinds, ends, layers.as_of, within_days),
        *one_way_data(G, layers=layers, within=within),
        *unlinked_areas(G, layers=layers, within=within),
    ]


def isolated(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Active organisations with no link in force, of any kind.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).

    Returns
    -------
    list of Finding
        One ``isolated`` finding per active organisation that no link in
        force on ``as_of`` joins to another active organisation.
        ``links`` lists its recorded links that are not in force (proposed,
        expired, ended, not yet started or with an inactive partner) and
        ``details`` holds their number as ``links_not_in_force``.

    Notes
    -----
    Inactive organisations are never isolated. A link from an organisation
    to itself does not count. Severity: ``high`` when the organisation offers
    a service in some population's essential package (its clients cannot be
    referred on), ``medium`` when it offers only other services, ``low`` when
    it lists none.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", services=["hiv_testing"])
    >>> G.add_node("b", name="Sizwe Clinic", services=["art"])
    >>> G.add_node("c", name="Thusong HBC", services=["home_based_care"])
    >>> G.add_node("d", name="Old Trust", status="inactive")
    >>> G.add_node("e", name="Kgotso Forum")
    >>> _ = G.add_edge("a", "b", key="r1", kind="referral", status="active")
    >>> _ = G.add_edge("c", "e", key="m1", kind="mou", status="proposed")
    >>> [(f.organisations, f.severity, f.links) for f in isolated(G, as_of=dt.date(2026, 1, 1))]
    [(['c'], 'medium', ['m1']), (['e'], 'low', ['m1'])]
    """
    voc = vocabulary()
    return sorted(_isolated(G, Layers(G, as_of or today()).untied(), voc), key=gap_order)


def broken_cascades(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Organisations offering a care step with no referral route to the next one.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).

    Returns
    -------
    list of Finding
        One ``broken_cascade`` finding per (organisation X, service S,
        service T) where a care-cascade rule says S -> T, active X offers S
        but not T, and X has no active referral or MoU link by which it can
        refer (an arc X -> Y of :func:`~network.analysis.layers.referral_graph`)
        to an active organisation Y that offers T to a population X serves.
        ``service`` is T and ``details`` holds ``after`` (S) and
        ``providers_in_district`` (active organisations in X's district that
        offer T to a population X serves).

    Notes
    -----
    Populations: Y serves a population X serves when either has an empty
    population list (it serves everyone) or their lists share a population.
    Severity: ``high`` when T is in the essential package of a population X
    serves (any population, if X serves everyone) and nobody in X's district
    could take the referral; ``medium`` when T is essential but a provider in
    the district could (one agreement closes the gap); ``low`` when T is in
    no essential package of X's populations.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> treatment = ["tb_treatment", "tb_adherence_support", "tb_contact_tracing"]
    >>> G.add_node("a", name="Hope CBO", district="Sekhukhune", services=["tb_screening"],
    ...            populations=["mineworkers"])
    >>> G.add_node("b", name="Sizwe Clinic", district="Sekhukhune", services=["tb_screening", *treatment])
    >>> G.add_node("c", name="Thusong CBO", district="Sekhukhune", services=["tb_screening"],
    ...            populations=["artisanal_miners"])
    >>> G.add_node("d", name="Mine Health Unit", district="Sekhukhune", services=treatment,
    ...            populations=["mineworkers"])
    >>> G.add_node("e", name="Kgotso Forum", district="Sekhukhune")
    >>> _ = G.add_edge("a", "d", key="r1", kind="referral", status="active")
    >>> _ = G.add_edge("c", "d", key="r2", kind="referral", status="active")
    >>> _ = G.add_edge("c", "b", key="r3", kind="referral", status="expired")
    >>> found = broken_cascades(G, as_of=dt.date(2026, 1, 1))
    >>> [(f.organisations, f.service, f.severity, f.details) for f in found]
    [(['c'], 'tb_treatment', 'medium', {'after': 'tb_screening', 'providers_in_district': 1})]
    >>> found[0].explanation
    'Thusong CBO offers TB screening but has no active referral or MoU to any organisation that offers TB \
treatment to artisanal and small-scale miners; agree one with Sizwe Clinic.'
    """
    as_of = as_of or today()
    return sorted(_broken_cascades(G, Layers(G, as_of), Offers(G), vocabulary()), key=gap_order)


def uncovered(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Essential services nobody in a district offers to a population served there.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        Accepted for a uniform signature; coverage depends on organisations
        only, not on links.

    Returns
    -------
    list of Finding
        One ``uncovered`` finding per (district, population, service) where
        some active organisation in the district lists the population, the
        service is in that population's essential package, and no active
        organisation in the district offers the service to the population
        (one with an empty population list serves everyone).
        ``organisations`` lists the active organisations serving the
        population there; ``details`` holds their number as ``serving`` and
        ``providers_for_others``, how many organisations in the district
        offer the service to other populations only.

    Notes
    -----
    Organisations with no district are left out. Severity: ``high`` when no
    active organisation in the district offers the service at all,
    ``medium`` when some offer it, but only to other populations (they could
    extend it).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Sisters Collective", district="Bojanala", populations=["sex_workers", "agyw"],
    ...            services=["hiv_testing", "art", "prep", "sti", "condom_distribution", "gbv_support"])
    >>> G.add_node("b", name="Trans Wellness Circle", district="Bojanala", populations=["transgender_people"],
    ...            services=["hiv_testing", "art", "prep", "sti", "gbv_support", "legal_aid",
    ...                      "mental_health"])
    >>> G.add_node("c", name="Phokeng Clinic", district="Bojanala", services=["family_planning"],
    ...            status="inactive")
    >>> G.add_node("d", name="Waterberg Clinic", district="Waterberg", services=["family_planning"])
    >>> G.add_node("e", name="Kgotso Forum", district="Bojanala")
    >>> [(f.population, f.service, f.severity, f.organisations) for f in uncovered(G)]
    [('agyw', 'family_planning', 'high', ['a']), ('sex_workers', 'legal_aid', 'medium', ['a'])]
    """
    return sorted(_uncovered(G, Offers(G), vocabulary()), key=gap_order)


def unreachable(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, max_hops: int = 3) -> list[Finding]:
    """Essential services that exist in the network but are out of referral reach for a district's population.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    max_hops : int, default 3
        Most active referral or MoU steps a client may be referred along.

    Returns
    -------
    list of Finding
        One ``unreachable`` finding per (district, population, service) where
        the service is in the population's essential package, an active
        organisation in the district offers it to the population (else the
        gap is :func:`uncovered`, and only that), and none of the active
        organisations in the district that name the population reaches a
        provider of it serving the population within ``max_hops`` arcs of the
        population's reach graph (:func:`network.meanings.reach_graph`; an
        organisation that provides it itself reaches it in 0 hops).
        ``organisations`` lists those organisations; ``details`` holds
        ``serving`` (their number), ``providers`` (providers in the network),
        ``providers_in_district`` and ``max_hops``.

    Raises
    ------
    ValueError
        If ``max_hops`` is negative.

    Notes
    -----
    Reach is the pathway engine's: referral links from source to target
    (both ways when ``two_way``), MoUs both ways, links in force only, and
    every organisation on the way serves the population. So a finding means
    :func:`~network.analysis.pathways.referral_pathways` finds no plan with
    at most ``max_hops`` referrals from any of those organisations. One
    cause, one finding: a service nobody in the district offers to the
    population is ``uncovered``, never also ``unreachable``.

    For each population, a breadth-first search runs backwards from all the
    providers of its essential services at once, one column of flags per
    service, in numpy (:meth:`~network.analysis.kernels.Indexed.spread`), and
    stops after ``max_hops`` levels. Severity: ``medium``.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Sisters Collective", district="Bojanala", populations=["msm"],
    ...            services=["hiv_testing", "prep", "sti", "condom_distribution"])
    >>> G.add_node("c", name="Bojanala Clinic", district="Bojanala", services=["art"])
    >>> G.add_node("d", name="Youth Forum", district="Bojanala", populations=["agyw"])
    >>> G.add_node("e", name="Moses Kotane Clinic", district="Bojanala", services=["art"])
    >>> _ = G.add_edge("a", "d", key="m1", kind="mou", status="active")
    >>> _ = G.add_edge("d", "c", key="m2", kind="mou", status="active")
    >>> _ = G.add_edge("e", "a", key="r1", kind="referral", status="active")
    >>> found = unreachable(G, as_of=dt.date(2026, 1, 1))
    >>> [(f.district, f.population, f.service, f.organisations) for f in found]
    [('Bojanala', 'msm', 'art', ['a'])]
    >>> found[0].explanation
    'In Bojanala, Sisters Collective, the only organisation serving men who have sex with men, cannot refer \
them to antiretroviral therapy within 3 steps of agreements in force, though Bojanala Clinic and Moses Kotane \
Clinic there offer it to them; agree a referral or MoU with Bojanala Clinic.'
    >>> _ = G.add_edge("e", "a", key="r2", kind="referral", status="active", two_way=True)
    >>> unreachable(G, as_of=dt.date(2026, 1, 1))
    []
    """
    not_negative(max_hops=max_hops)
    return sorted(_unreachable(G, Layers(G, as_of), Offers(G), vocabulary(), max_hops), key=gap_order)


def siloed_clusters(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, seed: int = 42, min_size: int = 3
) -> list[Finding]:
    """Communities of organisations with at most one tie to the rest of the network.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    seed : int, default 42
        Seed of the Louvain method, so that the communities are the same on
        every run.
    min_size : int, default 3
        Smallest community reported.

    Returns
    -------
    list of Finding
        One ``siloed_cluster`` finding per Louvain community (of
        :func:`~network.analysis.layers.tie_graph`) of at least ``min_size``
        organisations that has at most one tie to organisations outside it.
        ``organisations`` lists the members sorted, ``links`` the links behind
        the one outside tie (if any), ``district`` the members' district when
        they all share one, and ``details`` holds ``size`` and
        ``external_ties``.

    Notes
    -----
    Communities come from
    :func:`~network.analysis.louvain.louvain_communities` with ``seed``,
    which does not depend on the order records were read.
    A tie is a pair of organisations joined by at least one link in force,
    however many links. A community holding every active organisation has no
    rest of the network and is not reported. Severity: ``high`` with no
    outside tie, ``medium`` with one.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("abcdef")
    >>> pairs = ["ab", "bc", "ca", "de", "ef", "fd", "cd"]
    >>> for u, v in pairs:
    ...     _ = G.add_edge(u, v, key=u + v, kind="coordination", status="active")
    >>> [(f.organisations, f.links, f.severity) for f in siloed_clusters(G, as_of=dt.date(2026, 1, 1))]
    [(['a', 'b', 'c'], ['cd'], 'medium'), (['d', 'e', 'f'], ['cd'], 'medium')]
    """
    layers = Layers(G, as_of)
    return sorted(_siloed_clusters(G, layers, layers.communities(seed), min_size), key=gap_order)


def expiring_agreements(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, within_days: int = 90
) -> list[Finding]:
    """Agreements in force of every kind with an end date (MoU, referral, funding, ...) that end soon.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    within_days : int, default 90
        How far ahead to look, in days.

    Returns
    -------
    list of Finding
        One ``expiring_agreement`` finding per link of a kind in
        ``AGREEMENT_KINDS`` (MoU, referral, funding, secondment, data
        sharing) in force on ``as_of`` (:func:`network.meanings.in_force`,
        between active organisations) whose end date is at most
        ``within_days`` days after ``as_of``, fewest days left first within
        a severity. ``links`` is the link id, ``organisations`` its source
        and target, and ``details`` holds ``end_date`` (ISO format),
        ``days_left`` and ``kind``.

    Raises
    ------
    ValueError
        If ``within_days`` is negative.

    Notes
    -----
    A link whose end date has passed is no longer in force, so it is never
    "expiring". Severity: ``high`` with at most ``EXPIRY_HIGH_DAYS`` days left,
    ``medium`` with at most ``EXPIRY_MEDIUM_DAYS``, ``low`` otherwise.

    Examples
    --------
    >>> import datetime as dt
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"name": "Hope CBO"}), ("b", {"name": "Sizwe Clinic"}), ("c", {}), ("d", {})])
    >>> G.add_node("e", status="inactive")
    >>> ends = {"l1": ("a", "b", 10), "l2": ("b", "c", 90), "l3": ("c", "d", 91), "l4": ("d", "a", -1),
    ...         "l5": ("a", "e", 5)}
    >>> for key, (u, v, days) in ends.items():
    ...     _ = G.add_edge(u, v, key=key, kind="mou", status="active",
    ...                    end_date=dt.date(2026, 1, 1) + dt.timedelta(days=days))
    >>> found = expiring_agreements(G, as_of=dt.date(2026, 1, 1))
    >>> [(f.links, f.severity, f.details["days_left"]) for f in found]
    [(['l1'], 'high', 10), (['l2'], 'low', 90)]
    >>> found[0].explanation
    'The MoU between Hope CBO and Sizwe Clinic ends on 2026-01-11, in 10 days; renew it or agree what \
replaces it.'
    >>> _ = G.add_edge("c", "b", key="g1", kind="funding", status="active", end_date=dt.date(2026, 1, 31))
    >>> [(f.links, f.details["days_left"]) for f in expiring_agreements(G, as_of=dt.date(2026, 1, 1))]
    [(['l1'], 10), (['g1'], 30), (['l2'], 90)]
    """
    not_negative(within_days=within_days)
    layers = Layers(G, as_of or today())
    found = _expiring_agreements(G, layers.links, layers.kinds, layers.end_dates, layers.as_of, within_days)
    return sorted(found, key=gap_order)


def _isolated(G: nx.MultiDiGraph, untied: list[str], voc: Vocabulary) -> list[Finding]:
    essential = _essential_services(voc)
    findings = []
    for node in untied:
        services = set(G.nodes[node].get("services") or ())
        severity = "high" if services & essential else "medium" if services else "low"
        lapsed = sorted({key for u, v, key in G.out_edges(node, keys=True) if u != v}
                        | {key for u, v, key in G.in_edges(node, keys=True) if u != v})
        if len(lapsed) == 1:
            explanation = N_("%(name)s has no link in force with any other organisation (1 recorded link is "
                             "proposed, lapsed or with an inactive partner); renew or sign an agreement so that it "
                             "can refer clients and be referred to.")
        elif lapsed:
            explanation = N_("%(name)s has no link in force with any other organisation (%(num)s recorded links are "
                             "proposed, lapsed or with an inactive partner); renew or sign an agreement so that it "
                             "can refer clients and be referred to.")
        else:
            explanation = N_("%(name)s has no link in force with any other organisation; sign a referral agreement "
                             "or MoU, or bring it into a coordination forum, so that it can refer clients and be "
                             "referred to.")
        explanation %= {"name": words.name(G, node), "num": len(lapsed)}
        findings.append(Finding(
            "isolated", severity, explanation, organisations=[node], district=G.nodes[node].get("district"),
            links=lapsed, details={"links_not_in_force": len(lapsed)},
        ))
    return findings


def _broken_cascades(G: nx.MultiDiGraph, layers: Layers, offers: Offers, voc: Vocabulary,
                     among: frozenset[str] | None = None) -> list[Finding]:
    backwards = layers.backwards
    flags = offers.flags(backwards.nodes)
    rules = list(voc.cascade_rules)
    essential_for: dict[frozenset[str], set[str]] = {}
    sentences = _CascadeSentences(G, voc)
    findings = []
    rows = None
    if among is not None:
        rows = np.zeros(len(backwards.nodes), dtype=bool)
        rows[[backwards.index[x] for x in among if x in backwards.index]] = True
    # organisations in the referral graph's order, each one's steps in the rules' order
    for i, r in np.argwhere(_missing_steps(backwards, flags, rules, rows)).tolist():
        x, (after, needs) = backwards.nodes[i], rules[r]
        populations, district = offers.populations[x], offers.district[x]
        if populations not in essential_for:
            essential_for[populations] = _essential_services(voc, populations)
        local = offers.local_providers(district, needs, populations)
        severity = "low" if needs not in essential_for[populations] else "medium" if local[0] else "high"
        findings.append(Finding(
            "broken_cascade", severity, sentences.say(x, after, needs, populations, local),
            organisations=[x], district=district, service=needs,
            details={"after": after, "providers_in_district": local[0]},
        ))
    return findings


def _missing_steps(backwards: Indexed, flags: Flags, rules: Sequence[tuple[str, str]],
                   rows: np.ndarray | None = None) -> np.ndarray:
    """Per organisation of ``backwards`` (reversed referral graph) and care-cascade rule ``(S, T)``: whether it
    offers S but not T and has no arc of the referral graph to an organisation offering T serving alike (one of
    its populations, or either serving everyone). Only for the organisations ``rows`` flags, if given (False for
    the others)."""
    heads, tails = backwards.arcs  # the referral graph's arcs tails -> heads
    if rows is not None:
        asked = rows[tails]
        heads, tails = heads[asked], tails[asked]
    names = flags.names
    everyone = ~names.any(axis=0)
    alike = everyone[tails] | everyone[heads] | (names[:, tails] & names[:, heads]).any(axis=0)
    order = np.argsort(tails[alike], kind="stable")
    tails, heads = tails[alike][order], heads[alike][order]
    starts = np.flatnonzero(np.diff(tails, prepend=-1))
    offers = np.zeros((len(rules), len(backwards.nodes)), dtype=bool)
    then = np.zeros_like(offers)
    for r, (after, needs) in enumerate(rules):
        if after in flags.services:
            offers[r] = flags.provides[flags.services[after]]
        if needs in flags.services:
            then[r] = flags.provides[flags.services[needs]]
    referred = np.zeros_like(offers)
    if len(starts):
        referred[:, tails[starts]] = np.logical_or.reduceat(then[:, heads], starts, axis=1)
    missing = offers & ~then & ~referred
    if rows is not None:
        missing &= rows
    return missing.T


class _CascadeSentences:
    """The explanations of broken cascades, keeping the parts that do not name the organisation for the next."""

    def __init__(self, G: nx.MultiDiGraph, voc: Vocabulary) -> None:
        self.G, self.voc = G, voc
        self.labels: dict[str, str] = {}
        self.people: dict[frozenset[str], str] = {}
        self.remedies: dict[tuple[int, str | None], str] = {}

    def say(self, x: str, after: str, needs: str, populations: frozenset[str], local: tuple[int, list[str]]) -> str:
        """Why ``x`` (serving ``populations``) offering ``after`` is a gap, and what closes it (``local``: the
        providers of ``needs`` in its district, counted, and the smallest of their ids)."""
        people = self.people.get(populations)
        if people is None:
            people = self.people[populations] = words.populations(self.voc, sorted(populations), "or",
                                                                  shown=len(populations))
        values = {"name": words.name(self.G, x), "after": self._label(after), "needs": self._label(needs),
                  "people": people}
        gap = (N_("%(name)s offers %(after)s but has no active referral or MoU to any organisation that offers "
                  "%(needs)s to %(people)s") if populations else
               N_("%(name)s offers %(after)s but has no active referral or MoU to any organisation that offers "
                  "%(needs)s"))
        count, first = local
        key = (count, first[0]) if count else (0, self.G._node[x].get("district"))
        then = self.remedies.get(key)
        if then is None:
            then = self.remedies[key] = self._remedy(count, first, key[1])
        return f"{gap % values}; {then}"

    def _label(self, service: str) -> str:
        label = self.labels.get(service)
        if label is None:
            label = self.labels[service] = words.label(self.voc.services, service)
        return label

    def _remedy(self, count: int, first: list[str], district: str | None) -> str:
        """An agreement with one of ``count`` providers in the district (``first`` the smallest of their ids), or
        with one further away."""
        values = {"num": count - 1, "district": district}
        if count:
            values["local"] = words.name(self.G, first[0])
            then = (N_("agree one with %(local)s.") if count == 1 else
                    N_("agree one with %(local)s or one of 1 other there.") if count == 2 else
                    N_("agree one with %(local)s or one of %(num)s others there."))
        else:
            then = (N_("nobody in %(district)s does, so agree one with a provider further away.") if district
                    else N_("agree one with a provider further away."))
        return then % values


def _uncovered(G: nx.MultiDiGraph, offers: Offers, voc: Vocabulary,
               among: frozenset[str | None] | None = None) -> list[Finding]:
    findings = []
    for (district, population), group in offers.serving.items():
        if among is not None and district not in among:
            continue
        for service in voc.essential_services.get(population, ()):
            if offers.local_providers(district, service, frozenset([population]))[0]:
                continue
            others = offers.local_providers(district, service, frozenset())
            values = {"district": district, "names": _names(G, others), "num": len(group),
                      "service": words.label(voc.services, service),
                      "people": words.label(voc.populations, population)}
            one = len(group) == 1
            if others[0]:
                severity = "medium"
                if others[0] == 1:
                    gap = (N_("In %(district)s only %(names)s offers %(service)s, not to %(people)s, though 1 "
                              "organisation there serves them") if one else
                           N_("In %(district)s only %(names)s offers %(service)s, not to %(people)s, though %(num)s "
                              "organisations there serve them"))
                else:
                    gap = (N_("In %(district)s only %(names)s offer %(service)s, not to %(people)s, though 1 "
                              "organisation there serves them") if one else
                           N_("In %(district)s only %(names)s offer %(service)s, not to %(people)s, though %(num)s "
                              "organisations there serve them"))
                then = N_("ask a provider there to extend the service to them.")
            else:
                severity = "high"
                gap = (N_("No organisation in %(district)s offers %(service)s, though 1 organisation there serves "
                          "%(people)s") if one else
                       N_("No organisation in %(district)s offers %(service)s, though %(num)s organisations there "
                          "serve %(people)s"))
                then = N_("find or fund a provider, or agree referrals to a neighbouring district.")
            explanation = f"{gap % values}; {then}"
            findings.append(Finding(
                "uncovered", severity, explanation, organisations=sorted(group), district=district,
                population=population, service=service,
                details={"serving": len(group), "providers_for_others": others[0]},
            ))
    return findings


def _unreachable(
    G: nx.MultiDiGraph, layers: Layers, offers: Offers, voc: Vocabulary, max_hops: int
) -> list[Finding]:
    findings = []
    number = layers.backwards.index
    for population, groups in sorted(_groups_by_population(offers).items()):
        services = voc.essential_services.get(population, ())
        wanted = [s for s in services if offers.provider_count(s, population)]
        if not wanted:
            continue
        reach = _reach_within(layers, population, offers, wanted, max_hops)
        for district, group in groups:
            reached = reach[[number[node] for node in group]].any(axis=0).tolist()
            for index, service in enumerate(wanted):
                if reached[index]:
                    continue
                local = offers.local_providers(district, service, frozenset([population]))
                if not local[0]:
                    continue
                providers = offers.provider_count(service, population)
                findings.append(Finding(
                    "unreachable", "medium",
                    _unreachable_sentence(G, voc, district, population, service, group, local, max_hops),
                    organisations=sorted(group), district=district, population=population, service=service,
                    details={"serving": len(group), "providers": providers,
                             "providers_in_district": local[0], "max_hops": max_hops},
                ))
    return findings


def _groups_by_population(offers: Offers) -> dict[str, list[tuple[str, list[str]]]]:
    """The organisations naming each population, by district."""
    groups: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for (district, population), group in sorted(offers.serving.items()):
        groups[population].append((district, group))
    return groups


def _reach_within(
    layers: Layers, population: str, offers: Offers, services: Sequence[str], max_hops: int
) -> np.ndarray:
    """A row per organisation (numbered as in :attr:`~network.analysis.layers.Layers.backwards`) of flags, one per
    service of ``services``: whether it serves ``population`` and reaches a provider of the service serving it
    within ``max_hops`` steps of its reach graph (:meth:`~network.analysis.layers.Layers.reach`)."""
    backwards = layers.backwards
    flags = offers.flags(backwards.nodes)
    members = flags.serving(population)
    held = np.zeros((len(backwards.nodes), len(services)), dtype=bool)
    held[members] = flags.provides[[flags.services[s] for s in services]][:, members].T
    return backwards.spread(members, held, max_hops)


def _unreachable_sentence(
    G: nx.MultiDiGraph, voc: Vocabulary, district: str, population: str, service: str, group: list[str],
    local: tuple[int, list[str]], max_hops: int,
) -> str:
    values = {"district": district, "name": words.name(G, group[0]), "num": len(group),
              "people": words.label(voc.populations, population), "service": words.label(voc.services, service),
              "steps": f"{max_hops} " + (N_("step") if max_hops == 1 else N_("steps")),
              "names": _names(G, local), "local": words.name(G, local[1][0])}
    if len(group) == 1:
        template = (N_("In %(district)s, %(name)s, the only organisation serving %(people)s, cannot refer them to "
                       "%(service)s within %(steps)s of agreements in force, though %(names)s there offers it to "
                       "them; agree a referral or MoU with %(local)s.") if local[0] == 1 else
                    N_("In %(district)s, %(name)s, the only organisation serving %(people)s, cannot refer them to "
                       "%(service)s within %(steps)s of agreements in force, though %(names)s there offer it to "
                       "them; agree a referral or MoU with %(local)s."))
    else:
        template = (N_("In %(district)s, none of the %(num)s organisations serving %(people)s can refer them to "
                       "%(service)s within %(steps)s of agreements in force, though %(names)s there offers it to "
                       "them; agree a referral or MoU with %(local)s.") if local[0] == 1 else
                    N_("In %(district)s, none of the %(num)s organisations serving %(people)s can refer them to "
                       "%(service)s within %(steps)s of agreements in force, though %(names)s there offer it to "
                       "them; agree a referral or MoU with %(local)s."))
    return template % values


def _names(G: nx.MultiDiGraph, found: tuple[int, list[str]]) -> str:
    """:func:`~network.analysis.words.names` of the organisations of which ``found`` holds the count and the
    smallest ids (see :meth:`~network.analysis.offers.Offers.local_providers`)."""
    count, first = found
    return words.names(G, first if count <= len(first) else [*first, *[""] * (count - len(first))])


def _agreement(G: nx.MultiDiGraph, data: dict[str, Any], source: str, target: str) -> str:
    """The agreement behind a link in words: "The MoU between A and B", "The funding agreement from A to B"."""
    kind = data.get("kind") or ""
    ends = {"a": words.name(G, source), "b": words.name(G, target)}
    if kind == "mou" or (kind == "referral" and data.get("two_way")):
        return N_("The %(agreement)s between %(a)s and %(b)s") % {**ends, "agreement": _AGREEMENT_WORDS[kind]}
    wording = _AGREEMENT_WORDS.get(kind) or words.lower_first(vocabulary().link_kinds.get(kind, kind).split(" (")[0])
    return N_("The %(agreement)s from %(a)s to %(b)s") % {**ends, "agreement": wording}


#: How a coordinator names the agreement behind each kind of link.
_AGREEMENT_WORDS = {"mou": N_("MoU"), "referral": N_("referral agreement"), "funding": N_("funding agreement"),
                    "secondment": N_("secondment agreement"), "data_sharing": N_("data-sharing agreement")}


def _siloed_clusters(G: nx.MultiDiGraph, layers: Layers, parts: list[list[str]], min_size: int) -> list[Finding]:
    nodes = layers.ends[0]
    number = {node: i for i, node in enumerate(nodes)}
    community = np.full(len(nodes), -1, dtype=np.int64)
    for i, members in enumerate(parts):
        community[[number[node] for node in members]] = i
    # the ties across communities (pairs of numbers, once each), and how many each community has
    low, high = layers.tie_pairs
    apart = community[low] != community[high]
    ends = (low[apart], high[apart])
    outside = sum(np.bincount(community[end], minlength=len(parts)) for end in ends)
    findings = []
    for i, members in enumerate(parts):
        if len(members) < min_size or outside[i] > 1 or len(members) == len(nodes):
            continue
        values = {"names": words.names(G, members), "num": len(members)}
        if outside[i]:
            tie = np.flatnonzero((community[ends[0]] == i) | (community[ends[1]] == i))[0]
            u, v = sorted((nodes[ends[0][tie]], nodes[ends[1][tie]]))
            inner, outer = (u, v) if community[number[u]] == i else (v, u)
            explanation = N_("%(names)s form a cluster of %(num)s organisations that reach the rest of the network "
                             "only through the tie between %(inner)s and %(outer)s; link them to other partners or "
                             "bring them into a wider coordination forum.") % {
                **values, "inner": words.name(G, inner), "outer": words.name(G, outer)}
            severity, links = "medium", sorted(layers.tie_links(u, v))
        else:
            explanation = N_("%(names)s form a cluster of %(num)s organisations that have no tie to the rest of the "
                             "network; link them to other partners or bring them into a wider coordination "
                             "forum.") % values
            severity, links = "high", []
        findings.append(Finding(
            "siloed_cluster", severity, explanation, organisations=members,
            district=shared_district(G, members), links=links,
            details={"size": len(members), "external_ties": int(outside[i])},
        ))
    return findings


def _expiring_agreements(
    G: nx.MultiDiGraph, links: list[tuple[str, str, str, dict[str, Any]]], kinds: list[Any], ends: list[Any],
    as_of: dt.date, within_days: int,
) -> list[Finding]:
    """The findings of :func:`expiring_agreements` among the links in force ``links``, of ``kinds`` and ending on
    ``ends``."""
    findings = []
    horizon = as_of + dt.timedelta(days=within_days)
    # each end date judged once; the links looked at in C
    soon = {end: end is not None and end <= horizon for end in set(ends)}
    for i in compress(range(len(links)), map(soon.__getitem__, ends)):
        if kinds[i] not in AGREEMENT_KINDS:
            continue
        (u, v, key, data), end = links[i], ends[i]
        days, on = (end - as_of).days, end.isoformat()
        severity = "high" if days <= EXPIRY_HIGH_DAYS else "medium" if days <= EXPIRY_MEDIUM_DAYS else "low"
        agreement = _agreement(G, data, u, v)
        said = (N_("%(agreement)s ends on %(end)s, today; renew it or agree what replaces it.") if days == 0 else
                N_("%(agreement)s ends on %(end)s, in 1 day; renew it or agree what replaces it.") if days == 1 else
                N_("%(agreement)s ends on %(end)s, in %(days)s days; renew it or agree what replaces it."))
        district = G._node[u].get("district")  # shared_district(G, [u, v]), without a view per end
        findings.append(Finding(
            "expiring_agreement", severity, said % {"agreement": agreement, "end": on, "days": days},
            organisations=[u, v], district=district if district == G._node[v].get("district") else None,
            links=[key], details={"end_date": on, "days_left": days, "kind": data.get("kind")},
        ))
    return findings


def _essential_services(voc: Vocabulary, populations: Iterable[str] = ()) -> set[str]:
    """Services in the essential package of one of ``populations`` (of any population if empty)."""
    populations = list(populations) or list(voc.essential_services)
    return {s for p in populations for s in voc.essential_services.get(p, ())}
