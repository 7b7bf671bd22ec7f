"""Duplication: overlapping services, duplicate records and overlapping funding."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

import networkx as nx
from rapidfuzz import fuzz

from network.analysis.finding import SEVERITIES, Finding
from network.analysis.layers import active_links, is_active_organisation
from network.model import today, vocabulary

__all__ = ["duplication", "service_overlaps", "duplicate_records", "funding_overlaps"]

#: Link kinds through which two organisations meet in the same forum or body.
FORUM_KINDS = ("coordination", "membership")

#: Words that say what kind of body an organisation is rather than which one it is.
STOP_WORDS = frozenset({
    "a", "an", "and", "at", "for", "in", "of", "on", "the", "to",
    "association", "assoc", "company", "inc", "ltd", "npc", "npo", "organisation", "organization", "pty",
})

#: Abbreviations spelled out before names are compared.
ABBREVIATIONS = {"cbo": ("community", "based"), "hbc": ("home", "based", "care")}

#: A name key shared by more records than this in one district is too common to block on.
MAX_NAME_BLOCK = 200
#: A phone number or email shared by more records than this is a switchboard, not an identity.
MAX_CONTACT_BLOCK = 20
#: At most this many uncoordinated pairs are listed in a finding (all are counted).
MAX_LISTED_PAIRS = 100
#: Length of the token prefix used as a blocking key (catches typos late in a word).
KEY_LENGTH = 5


def duplication(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, threshold: float = 85) -> list[Finding]:
    """Every duplication finding: service overlaps, duplicate records, funding overlaps.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph (see :mod:`network.analysis.layers`).
    as_of : date, optional
        The date on which links must be in force (default today).
    threshold : float, optional
        Name similarity (0-100) from which two records in one district are
        taken for one organisation (default 85).

    Returns
    -------
    list of Finding
        ``service_overlap``, ``duplicate_record`` and ``funding_overlap``
        findings, most severe first, then by type and organisation ids.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, name in [("a", "Hope CBO"), ("b", "Hope C.B.O."), ("c", "Sizwe Clinic")]:
    ...     G.add_node(n, name=name, district="Sekhukhune", services=["peer_education"],
    ...                populations=["mineworkers"])
    >>> G.add_node("f", name="Mining Fund", kind="donor")
    >>> for key, (u, v) in enumerate([("f", "a"), ("f", "c")]):
    ...     _ = G.add_edge(u, v, key=f"l{key}", kind="funding", status="active")
    >>> [(f.type, f.severity, f.organisations) for f in duplication(G)]
    [('funding_overlap', 'high', ['f', 'a', 'c']), ('service_overlap', 'high', ['a', 'b', 'c']), \
('duplicate_record', 'medium', ['a', 'b'])]
    """
    as_of = as_of or today()
    findings = (
        service_overlaps(G, as_of=as_of)
        + duplicate_records(G, threshold=threshold)
        + funding_overlaps(G, as_of=as_of)
    )
    return sorted(findings, key=_order)


def service_overlaps(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """Active organisations offering the same service to the same population in one district.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The date on which links must be in force (default today).

    Returns
    -------
    list of Finding
        One ``service_overlap`` finding per (district, population, service)
        offered by two or more active organisations. ``organisations`` lists
        them by id; ``details`` holds ``uncoordinated`` (some pair of them
        shares neither an active link nor a forum), ``uncoordinated_pairs``
        (at most ``MAX_LISTED_PAIRS`` of those pairs), ``uncoordinated_pair_count``
        and ``pair_count``.

    Notes
    -----
    Two organisations share a forum when both have an active ``coordination``
    or ``membership`` link to the same third organisation. Organisations
    with no district (regional and national bodies) are left out.

    Populations: an organisation with an empty population list serves the
    general population. It joins the group of every population that another
    organisation offering the service in the district lists explicitly, and
    the general-population groups (``population`` None) are made of those
    organisations alone; a population nobody lists explicitly gives no finding.

    Severity: ``high`` when no two members are linked or share a forum,
    ``medium`` when some pairs are and some are not, ``low`` when every pair
    is (a known, presumably agreed overlap).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO", district="Waterberg", services=["tb_screening"],
    ...            populations=["mineworkers"])
    >>> G.add_node("b", name="Sizwe Clinic", district="Waterberg", services=["tb_screening"])
    >>> G.add_node("c", name="Thusong CBO", district="Waterberg", services=["tb_screening"],
    ...            populations=["sex_workers"])
    >>> G.add_node("d", name="Waterberg AIDS Council", kind="government")
    >>> _ = G.add_edge("a", "d", key="m1", kind="membership", status="active")
    >>> _ = G.add_edge("b", "d", key="m2", kind="membership", status="active")
    >>> [(f.population, f.severity, f.organisations) for f in service_overlaps(G)]
    [('sex_workers', 'high', ['b', 'c']), ('mineworkers', 'low', ['a', 'b'])]
    """
    as_of = as_of or today()
    offers: dict[tuple[str, str], list[tuple[str, Sequence[str]]]] = defaultdict(list)
    for node, data in G.nodes(data=True):
        district = data.get("district")
        if not district or not is_active_organisation(G, node):
            continue
        for service in set(data.get("services") or ()):
            offers[district, service].append((node, data.get("populations") or ()))
    if not offers:
        return []
    coordination = _Coordination(G, as_of)
    findings = []
    for (district, service), members in offers.items():
        for population, group in _population_groups(members).items():
            findings.append(_service_overlap(G, coordination, district, population, service, group))
    return sorted(findings, key=_order)


def duplicate_records(G: nx.MultiDiGraph, *, threshold: float = 85) -> list[Finding]:
    """Pairs of records that are probably one organisation, with a merge suggestion.

    Two records are paired when their names or aliases are at least
    ``threshold`` similar and they are in the same district (or both have
    none), when they have the same phone number, or when they have the same
    email address. Every record is considered, active or not.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    threshold : float, optional
        Least name similarity, 0-100 (rapidfuzz ``token_set_ratio`` on
        normalised names), default 85.

    Returns
    -------
    list of Finding
        ``duplicate_record`` findings with ``organisations == [keep, drop]``
        and ``details`` holding ``score`` (the best name/alias similarity of
        the pair, whatever the reasons), ``reasons`` (some of ``name``,
        ``phone``, ``email``) and ``merge`` (``{"keep": id, "drop": id}``).

    Notes
    -----
    Names are lower-cased, stripped of accents, punctuation and stop words
    (``the``, ``organisation``, ``association``, ``npc``, ...), and ``cbo``
    and ``hbc`` are spelled out. Phone numbers compare by their digits with
    ``+27`` / ``0027`` read as a leading ``0``; emails compare case-insensitively.

    Records are never compared all against all. They are blocked by
    (district, first five letters of a name token), by phone and by email,
    and compared within blocks only. A name key held by more than
    ``MAX_NAME_BLOCK`` records of a district is too common to say anything
    (``clini``, ``commu``); a record whose keys are all that common is blocked
    on its whole normalised name instead. A phone or email shared by more than
    ``MAX_CONTACT_BLOCK`` records is a switchboard and is ignored. Blocking
    and scoring depend only on the records, so the pairs found do not depend
    on the order of the nodes.

    The record kept is the active one, then the one with more links, then
    the more recently verified, then the smaller id.

    Severity: ``high`` with two or more reasons; ``medium`` for one reason
    that is a near-identical name (score >= 95) or a shared email; ``low``
    for a similar name alone or a shared phone alone.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Sizwe Home Based Care", district="OR Tambo", phone="+27 47 555 0101")
    >>> G.add_node("b", name="Sizwe HBC NPC", district="OR Tambo", phone="047 555 0101")
    >>> G.add_node("c", name="Sizwe Clinic", district="OR Tambo")
    >>> _ = G.add_edge("b", "c", key="r1", kind="referral")
    >>> [(f.organisations, f.severity, f.details["reasons"]) for f in duplicate_records(G)]
    [(['b', 'a'], 'high', ['name', 'phone'])]
    """
    if len(G) < 2:
        return []
    records = {node: _Record(node, data) for node, data in G.nodes(data=True)}
    ids = sorted(records)
    position = {node: i for i, node in enumerate(ids)}
    reasons: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pair in _name_candidates(records, position):
        a, b = pair
        if _name_score(records[a], records[b], threshold) >= threshold:
            reasons[pair].add("name")
    for reason, attribute in (("phone", "phone"), ("email", "email")):
        blocks: dict[str, list[str]] = defaultdict(list)
        for node in ids:
            value = getattr(records[node], attribute)
            if value:
                blocks[value].append(node)
        for block in blocks.values():
            if len(block) <= MAX_CONTACT_BLOCK:
                for pair in combinations(block, 2):
                    reasons[pair].add(reason)
    findings = [_duplicate_record(G, records, a, b, found, threshold) for (a, b), found in reasons.items()]
    return sorted(findings, key=_order)


def funding_overlaps(G: nx.MultiDiGraph, *, as_of: dt.date | None = None) -> list[Finding]:
    """A funder funding several organisations for one service, population and district.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The date on which funding links must be in force (default today).

    Returns
    -------
    list of Finding
        One ``funding_overlap`` finding per (funder, district, population,
        service) with two or more recipients. ``organisations`` is the funder
        then the recipients, ``links`` the funding links, and ``details``
        holds ``funder``, ``recipients``, ``uncoordinated`` and
        ``uncoordinated_pairs`` as for :func:`service_overlaps`.

    Notes
    -----
    A funding link (funder -> recipient) in force on ``as_of`` funds the
    services it names, or all the recipient's services when it names none.
    The recipient's district and populations place it; recipients with no
    district are left out, and recipients with an empty population list are
    grouped as in :func:`service_overlaps`. Severity: ``high`` when no two
    recipients are linked or share a forum, ``medium`` when some are,
    ``low`` when all are.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fund", name="Mining Health Fund", kind="donor")
    >>> for n in "abc":
    ...     G.add_node(n, name=f"CBO {n.upper()}", district="Bojanala", services=["tb_screening", "art"],
    ...                populations=["mineworkers"])
    >>> _ = G.add_edge("fund", "a", key="f1", kind="funding", status="active", services=["tb_screening"])
    >>> _ = G.add_edge("fund", "b", key="f2", kind="funding", status="active")
    >>> _ = G.add_edge("fund", "c", key="f3", kind="funding", status="expired")
    >>> [(f.service, f.details["recipients"]) for f in funding_overlaps(G)]
    [('tb_screening', ['a', 'b'])]
    """
    as_of = as_of or today()
    funded: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for funder, recipient, key, data in active_links(G, as_of, ("funding",)):
        district = G.nodes[recipient].get("district")
        if funder == recipient or not district:
            continue
        services = data.get("services") or G.nodes[recipient].get("services") or ()
        for service in set(services):
            funded[funder, district, service][recipient].append(key)
    if not funded:
        return []
    coordination = _Coordination(G, as_of)
    findings = []
    for (funder, district, service), recipients in funded.items():
        members = [(r, G.nodes[r].get("populations") or ()) for r in recipients]
        for population, group in _population_groups(members).items():
            links = sorted(key for r in group for key in recipients[r])
            findings.append(
                _funding_overlap(G, coordination, funder, district, population, service, group, links)
            )
    return sorted(findings, key=_order)


class _Coordination:
    """Who is linked to whom, and who meets whom in a forum, on one date."""

    def __init__(self, G: nx.MultiDiGraph, as_of: dt.date) -> None:
        self.ties: dict[str, set[str]] = defaultdict(set)
        self.forums: dict[str, set[str]] = defaultdict(set)
        for u, v, _, data in active_links(G, as_of):
            if u == v:
                continue
            self.ties[u].add(v)
            self.ties[v].add(u)
            if data.get("kind") in FORUM_KINDS:
                self.forums[u].add(v)
                self.forums[v].add(u)

    def coordinated(self, a: str, b: str) -> bool:
        """True if ``a`` and ``b`` share an active link or a forum."""
        if b in self.ties.get(a, ()):
            return True
        return not self.forums.get(a, set()).isdisjoint(self.forums.get(b, ()))

    def uncoordinated_pairs(self, group: Sequence[str]) -> tuple[list[list[str]], int]:
        """The pairs of ``group`` (sorted ids) that are not coordinated, and the number of pairs."""
        pairs = [[a, b] for a, b in combinations(group, 2) if not self.coordinated(a, b)]
        return pairs, len(group) * (len(group) - 1) // 2


def _population_groups(members: Iterable[tuple[str, Sequence[str]]]) -> dict[str | None, list[str]]:
    """Group organisations by the population they serve; keep groups of two or more."""
    general = []
    explicit: dict[str, list[str]] = defaultdict(list)
    for node, populations in members:
        if not populations:
            general.append(node)
        for population in set(populations):
            explicit[population].append(node)
    groups: dict[str | None, list[str]] = {p: sorted(nodes + general) for p, nodes in explicit.items()}
    groups[None] = sorted(general)
    return {p: nodes for p, nodes in groups.items() if len(nodes) >= 2}


def _coordination_details(coordination: _Coordination, group: Sequence[str]) -> tuple[str, dict[str, Any]]:
    pairs, total = coordination.uncoordinated_pairs(group)
    severity = "high" if len(pairs) == total else "medium" if pairs else "low"
    details = {
        "uncoordinated": bool(pairs),
        "uncoordinated_pairs": pairs[:MAX_LISTED_PAIRS],
        "uncoordinated_pair_count": len(pairs),
        "pair_count": total,
    }
    return severity, details


def _service_overlap(
    G: nx.MultiDiGraph, coordination: _Coordination, district: str, population: str | None, service: str,
    group: list[str],
) -> Finding:
    severity, details = _coordination_details(coordination, group)
    who = _names(G, group)
    offer = f"{'both' if len(group) == 2 else 'all'} offer {_service_label(service)} to " \
            f"{_population_label(population)} in {district}"
    explanation = f"{who} {offer}{_coordination_clause(details)}"
    return Finding(
        "service_overlap", severity, explanation, organisations=list(group), district=district,
        population=population, service=service, details=details,
    )


def _funding_overlap(
    G: nx.MultiDiGraph, coordination: _Coordination, funder: str, district: str, population: str | None,
    service: str, group: list[str], links: list[str],
) -> Finding:
    severity, details = _coordination_details(coordination, group)
    explanation = (
        f"{_name(G, funder)} funds {_names(G, group)} for {_service_label(service)} to "
        f"{_population_label(population)} in {district}{_coordination_clause(details)}"
    )
    return Finding(
        "funding_overlap", severity, explanation, organisations=[funder, *group], district=district,
        population=population, service=service, links=links,
        details={"funder": funder, "recipients": list(group), **details},
    )


def _coordination_clause(details: dict[str, Any]) -> str:
    unlinked, total = details["uncoordinated_pair_count"], details["pair_count"]
    if unlinked == 0:
        return ", and they are linked or share a forum; check that the overlap is agreed."
    if total == 1:
        return " but share no active link or forum; agree who covers whom or link them."
    return (f", and {unlinked} of the {total} pairs share no active link or forum; "
            "agree who covers whom or link them.")


class _Record:
    """What duplicate detection compares of one organisation record."""

    __slots__ = ("id", "district", "names", "keys", "phone", "email", "active", "last_verified")

    def __init__(self, node: str, data: dict[str, Any]) -> None:
        self.id = node
        self.district = data.get("district") or None
        names = [data.get("name") or node, *(data.get("aliases") or ())]
        self.names = tuple(sorted({n for n in map(_normalise_name, names) if n}))
        self.keys = frozenset(token[:KEY_LENGTH] for name in self.names for token in name.split())
        self.phone = _normalise_phone(data.get("phone"))
        email = (data.get("email") or "").strip().lower()
        self.email = email if "@" in email else None
        self.active = data.get("status", "active") == "active"
        self.last_verified = data.get("last_verified")


def _name_candidates(records: dict[str, _Record], position: dict[str, int]) -> set[tuple[str, str]]:
    """Pairs (smaller id first) sharing a name block in one district."""
    frequency: dict[tuple[str | None, str], int] = defaultdict(int)
    for record in records.values():
        for key in record.keys:
            frequency[record.district, key] += 1
    blocks: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for record in records.values():
        keys = [key for key in record.keys if frequency[record.district, key] <= MAX_NAME_BLOCK]
        if not keys:
            keys = [f"={name}" for name in record.names]
        for key in keys:
            blocks[record.district, key].append(record.id)
    pairs = set()
    for block in blocks.values():
        if 2 <= len(block) <= MAX_NAME_BLOCK:
            block.sort(key=position.__getitem__)
            pairs.update(combinations(block, 2))
    return pairs


def _name_score(a: _Record, b: _Record, cutoff: float = 0) -> float:
    """The best similarity (0-100) between a name or alias of ``a`` and one of ``b``."""
    best = 0.0
    for x in a.names:
        for y in b.names:
            best = max(best, fuzz.token_set_ratio(x, y, processor=None, score_cutoff=cutoff))
    return best


def _duplicate_record(
    G: nx.MultiDiGraph, records: dict[str, _Record], a: str, b: str, found: set[str], threshold: float,
) -> Finding:
    keep, drop = sorted((a, b), key=lambda n: _keep_key(G, records[n]))
    score = round(_name_score(records[a], records[b]), 1)
    reasons = [r for r in ("name", "phone", "email") if r in found]
    if len(reasons) >= 2:
        severity = "high"
    elif reasons == ["email"] or (reasons == ["name"] and score >= 95):
        severity = "medium"
    else:
        severity = "low"
    district = records[keep].district if records[keep].district == records[drop].district else None
    said = {"name": "a similar name" + (f" in {district}" if district else ""),
            "phone": "the same phone number", "email": "the same email address"}
    explanation = (
        f"{_name(G, keep)} ({keep}) and {_name(G, drop)} ({drop}) look like one organisation "
        f"({_join([said[r] for r in reasons])}); check and merge {drop} into {keep}."
    )
    return Finding(
        "duplicate_record", severity, explanation, organisations=[keep, drop], district=district,
        details={"score": float(score), "reasons": reasons, "merge": {"keep": keep, "drop": drop}},
    )


def _keep_key(G: nx.MultiDiGraph, record: _Record) -> tuple[bool, int, int, str]:
    verified = record.last_verified
    return (not record.active, -G.degree(record.id), -(verified.toordinal() if verified else 0), record.id)


def _normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s]", "", text.replace("&", " and "))
    tokens = [w for t in re.split(r"[\s_]+", text) if t for w in ABBREVIATIONS.get(t, (t,))]
    kept = [t for t in tokens if t not in STOP_WORDS]
    return " ".join(kept or tokens)


def _normalise_phone(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("27") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else None


def _order(finding: Finding) -> tuple[Any, ...]:
    return (
        SEVERITIES.index(finding.severity), finding.type, finding.organisations,
        finding.district or "", finding.population or "", finding.service or "",
    )


def _name(G: nx.MultiDiGraph, node: str) -> str:
    return G.nodes[node].get("name") or node


def _names(G: nx.MultiDiGraph, nodes: Sequence[str], shown: int = 3) -> str:
    names = [_name(G, n) for n in nodes]
    if len(names) > shown + 1:
        names = [*names[:shown], f"{len(names) - shown} others"]
    return _join(names)


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _service_label(code: str) -> str:
    return _lower_first(vocabulary().services.get(code, code))


def _population_label(code: str | None) -> str:
    if code is None:
        return "the general population"
    return _lower_first(vocabulary().populations.get(code, code))


def _lower_first(label: str) -> str:
    first = label.split(" ", 1)[0]
    return label[0].lower() + label[1:] if first[1:] == first[1:].lower() else label
