"""Across borders and along data flows: ``cross_border_gap`` and ``one_way_data`` findings.

Where clients come from
-----------------------
An organisation says which countries the people it serves come from in
``countries_served`` (ISO codes; e.g. an ex-mineworkers association in
Lejweleputswa whose members were recruited from Lesotho names ``LS``). A
district *serves migrants, mineworkers or ex-mineworkers from a sending
country* when one of its active organisations names one of those
populations in ``populations`` and that country (other than its own) in
``countries_served``. The general-population rule of serving does not apply
here: a public clinic that names no population says nothing about where its
clients come from.

Data flows
----------
A ``data_sharing`` link in force is a flow from its source to its target (both
ways when it is ``two_way``) of the data its ``data`` list names (its
``services`` when it names none).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from network.analysis.edit_reach import EditReach, links_at, links_of_kinds
from network.analysis.finding import Finding
from network.analysis.layers import Layers, layers_for
from network.analysis.words import join, name, names
from network.meanings import REACH_KINDS
from network.model import DEFAULT_COUNTRY, Vocabulary, vocabulary
from network.translation import N_

__all__ = ["SENDING_POPULATIONS", "COMMUNITY_KINDS", "RECEIVING_KINDS", "cross_border_gaps", "one_way_data",
           "data_flows", "country_of", "BorderCrossing"]

#: Populations whose care follows them home across a border.
SENDING_POPULATIONS = ("migrants", "mineworkers", "ex_mineworkers")
#: Organisations of the community: their data is theirs to get back.
COMMUNITY_KINDS = ("cbo", "ngo", "kp_network", "faith_based", "trade_union", "ex_mineworkers_association")
#: National programmes and regional bodies: where community data flows to.
RECEIVING_KINDS = ("government", "regional_body")


def country_of(G: nx.MultiDiGraph, node: str) -> str:
    """The organisation's country (South Africa when its record names none)."""
    return G.nodes[node].get("country") or DEFAULT_COUNTRY


class BorderCrossing:
    """A pathway rule (``network.analysis.pathways.StepRule``): a step into another country says so.

    A referral may cross a border along an agreement in force like any other
    step (at no extra cost); its note tells the worker which border it
    crosses and what the client carries so that care continues.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("welkom", country="ZA")
    >>> G.add_node("maseru", country="LS")
    >>> BorderCrossing(G).notes("welkom", "maseru", "m1")  # doctest: +NORMALIZE_WHITESPACE
    ('Crosses the border from South Africa into Lesotho under this agreement: give the client a transfer letter
      with their treatment record and any compensation claim number, so care continues.',)
    """

    #: The rule never changes a step's cost (the pathway search need not ask it).
    adds_cost = False

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G

    def extra_cost(self, sender: str, receiver: str, link: str | None) -> float:
        """Nothing: an agreement across a border is as good as one within it."""
        return 0.0

    def notes(self, sender: str | None, receiver: str, link: str | None) -> tuple[str, ...]:
        """One sentence when ``sender`` and ``receiver`` are in different countries."""
        if sender is None or sender not in self.G or receiver not in self.G:
            return ()
        here, there = country_of(self.G, sender), country_of(self.G, receiver)
        if here == there:
            return ()
        voc = vocabulary()
        values = {"here": voc.country_label(here), "there": voc.country_label(there)}
        return ((N_("Crosses the border from %(here)s into %(there)s under this agreement: give the client a transfer "
                    "letter with their treatment record and any compensation claim number, so care continues.") if link
                 else N_("Crosses the border from %(here)s into %(there)s once an agreement is in place: give the "
                         "client a transfer letter with their treatment record and any compensation claim number, so "
                         "care continues.")) % values,)


def cross_border_gaps(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, layers: Layers | None = None,
    within: EditReach | None = None,
) -> list[Finding]:
    """Districts serving people from a sending country with no agreement linking them to a provider there.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    layers : Layers, optional
        Views of ``G`` shared with other analyses.
    within : EditReach, optional
        Only the gaps of the districts this reach covers (after an edit, see
        :func:`network.analysis.gaps.caught_up_gaps`).

    Returns
    -------
    list of Finding
        One ``cross_border_gap`` (severity high) per (district, sending
        country) where the district serves migrants, mineworkers or
        ex-mineworkers from that country (see the module notes) and no
        referral or MoU in force joins any active organisation of the
        district to an active organisation in that country offering a
        service. ``organisations`` lists the district's organisations naming
        the country; ``details`` the ``country``, its name and the
        ``populations`` concerned. Ordered by district, then country.

    Examples
    --------
    >>> import datetime as dt
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("forum", name="Thabong Ex-Miners Forum", district="Lejweleputswa", populations=["ex_mineworkers"],
    ...            countries_served=["LS", "MZ"])
    >>> G.add_node("clinic", name="Welkom Clinic", district="Lejweleputswa", services=["tb_treatment"])
    >>> G.add_node("maseru", name="Maseru Clinic", country="LS", district="Maseru", services=["tb_treatment"])
    >>> G.add_node("gaza", name="Gaza Clinic", country="MZ", district="Gaza", services=["tb_treatment"])
    >>> _ = G.add_edge("clinic", "maseru", key="m1", kind="mou", status="active")
    >>> [(f.district, f.details["country"]) for f in cross_border_gaps(G, as_of=dt.date(2026, 6, 1))]
    [('Lejweleputswa', 'MZ')]
    """
    layers = layers_for(G, as_of, layers)
    voc = vocabulary()
    looked_at = G.nodes if within is None else within.wide_members()
    active = {n for n in looked_at if G._node[n].get("status", "active") == "active"}
    served: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    members: dict[str, set[str]] = defaultdict(set)
    for node in active:
        data = G.nodes[node]
        district = data.get("district")
        if not district:
            continue
        members[district].add(node)
        populations = [p for p in data.get("populations") or () if p in SENDING_POPULATIONS]
        for country in data.get("countries_served") or ():
            if populations and country != country_of(G, node):
                for population in populations:
                    served[district, country][node].add(population)
    if not served:
        return []
    linked: dict[str, set[str]] = defaultdict(set)  # organisation -> countries it has an agreement into
    providers: dict[str, str | None] = {}  # each end's country when it offers a service, read once
    for u, v, _, _ in (layers.links_of(REACH_KINDS) if within is None else
                       links_of_kinds(layers, links_at(layers, active).tolist(), REACH_KINDS)):
        for a, b in ((u, v), (v, u)):
            if b not in providers:
                providers[b] = country_of(G, b) if G._node[b].get("services") else None
            if providers[b] is not None:
                linked[a].add(providers[b])
    findings = []
    for (district, country), naming in sorted(served.items()):
        if any(country in linked[n] for n in members[district]):
            continue
        findings.append(_gap(G, voc, district, country, naming))
    return findings


def _gap(G: nx.MultiDiGraph, voc: Vocabulary, district: str, country: str, naming: dict[str, set[str]]) -> Finding:
    who = sorted(naming)
    populations = sorted({p for ps in naming.values() for p in ps}, key=SENDING_POPULATIONS.index)
    people = " and ".join(voc.populations.get(p, p).lower() for p in populations)
    place = voc.country_label(country)
    return Finding(
        "cross_border_gap", "high",
        N_("%(district)s serves %(people)s from %(place)s (%(names)s), but no agreement in force links any of its "
           "organisations with a provider in %(place)s: TB treatment and compensation claims cannot follow a client "
           "home. Agree a referral or MoU with a clinic, TB programme or ex-miners' association in %(place)s.")
        % {"district": district, "people": people, "place": place, "names": names(G, who)},
        who, district, populations[0], None,
        details={"country": country, "country_name": place, "populations": populations})


def data_flows(G: nx.MultiDiGraph, links: Iterable[tuple[str, str, str, dict]]) -> dict[tuple[str, str], set[str]]:
    """The data flowing from one organisation to another along ``links`` (data sharing links in force).

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["cbo", "ntp"])
    >>> data_flows(G, [("cbo", "ntp", "d1", {"kind": "data_sharing", "data": ["tb_notifications"]})])
    {('cbo', 'ntp'): {'tb_notifications'}}
    """
    flows: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, _, data in links:
        if data.get("kind") != "data_sharing":
            continue
        carried = set(data.get("data") or data.get("services") or ())
        flows[u, v] |= carried
        if data.get("two_way"):
            flows[v, u] |= carried
    return dict(flows)


def one_way_data(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, layers: Layers | None = None,
                 within: EditReach | None = None) -> list[Finding]:
    """National programmes and regional bodies that receive community data and share nothing back.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    layers : Layers, optional
        Views of ``G`` shared with other analyses.
    within : EditReach, optional
        Only the receivers among the organisations this reach covers (after
        an edit, see :func:`network.analysis.gaps.caught_up_gaps`).

    Returns
    -------
    list of Finding
        One ``one_way_data`` (severity medium) per active government
        programme or regional body to which community organisations (see
        ``COMMUNITY_KINDS``) send data along data sharing links in force,
        while it sends nothing back to some of them. ``organisations`` is the
        receiver, then those senders; ``links`` the flows in; ``details`` the
        ``data`` sent, the number of ``senders`` and those ``answered``.

    Examples
    --------
    >>> import datetime as dt
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("ntp", name="National TB Programme", kind="government")
    >>> G.add_node("a", name="Hope CBO", kind="cbo")
    >>> G.add_node("b", name="Sizwe CBO", kind="cbo")
    >>> _ = G.add_edge("a", "ntp", key="d1", kind="data_sharing", status="active", data=["tb_notifications"])
    >>> _ = G.add_edge("b", "ntp", key="d2", kind="data_sharing", status="active", data=["tb_notifications"])
    >>> _ = G.add_edge("ntp", "b", key="d3", kind="data_sharing", status="active", data=["feedback"])
    >>> [(f.type, f.organisations) for f in one_way_data(G, as_of=dt.date(2026, 6, 1))]
    [('one_way_data', ['ntp', 'a'])]
    """
    layers = layers_for(G, as_of, layers)
    links = list(layers.links_of(("data_sharing",)) if within is None else within.links(layers, ("data_sharing",)))
    flows = data_flows(G, links)
    into: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for u, v, key, data in links:
        for a, b in ((u, v), (v, u)) if data.get("two_way") else ((u, v),):
            if G._node[a].get("kind") in COMMUNITY_KINDS and G._node[b].get("kind") in RECEIVING_KINDS:
                into[b][a].append(key)
    findings = []
    voc = vocabulary()
    for receiver in sorted(into):
        if within is not None and receiver not in within.organisations:
            continue
        senders = into[receiver]
        silent = sorted(s for s in senders if not flows.get((receiver, s)))
        if not silent:
            continue
        sent = sorted({d for s in senders for d in flows.get((s, receiver), ())})
        what = join([voc.data_kinds.get(d, voc.services.get(d, d)) for d in sent]) or N_("data")
        values = {"num": len(senders), "data": what, "receiver": name(G, receiver), "quiet": len(silent),
                  "names": names(G, silent)}
        if len(senders) == 1:
            explanation = N_("1 community organisation sends %(data)s to %(receiver)s, which shares nothing back "
                             "with it: agree what it returns to them (analysed results, referral outcomes) so the "
                             "data serves the communities that collect it.")
        elif len(silent) == len(senders):
            explanation = N_("%(num)s community organisations send %(data)s to %(receiver)s, which shares nothing "
                             "back with any of them: agree what it returns to them (analysed results, referral "
                             "outcomes) so the data serves the communities that collect it.")
        else:
            explanation = N_("%(num)s community organisations send %(data)s to %(receiver)s, which shares nothing "
                             "back with %(quiet)s of them (%(names)s): agree what it returns to them (analysed "
                             "results, referral outcomes) so the data serves the communities that collect it.")
        findings.append(Finding(
            "one_way_data", "medium", explanation % values,
            [receiver, *silent], None, None, None, sorted(k for s in silent for k in senders[s]),
            details={"data": sent, "senders": len(senders), "answered": sorted(set(senders) - set(silent))}))
    return findings
