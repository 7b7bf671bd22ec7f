"""Duplication: overlapping services, duplicate records and overlapping funding."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import combinations
from typing import Any

import networkx as nx
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from network.analysis.finding import SEVERITIES, Finding
from network.analysis.layers import Layers, active_links, is_active_organisation, layers_for
from network.model import Vocabulary, today, vocabulary

__all__ = ["duplication", "service_overlaps", "duplicate_records", "funding_overlaps"]

#: Link kinds through which two organisations meet in the same forum or body.
FORUM_KINDS = ("coordination", "membership")

#: Words that say what kind of body an organisation is rather than which one it is.
STOP_WORDS = frozenset({
    "a", "an", "and", "at", "for", "in", "of", "on", "the", "to",
    "association", "assoc", "company", "inc", "ltd", "npc", "npo", "organisation", "organization", "pty",
})

#: Words that say what an organisation does or is, not which one it is: left out of its distinctive name.
GENERIC_WORDS = frozenset({
    "aids", "based", "care", "center", "centre", "church", "club", "clinic", "community", "council",
    "department", "development", "district", "faith", "fellowship", "forum", "foundation", "group", "health",
    "hiv", "home", "hospice", "hospital", "initiative", "ministries", "ministry", "network", "office",
    "programme", "project", "services", "society", "support", "tb", "trust", "union", "unit", "volunteers",
    "women", "youth",
})

#: Abbreviations spelled out before names are compared.
ABBREVIATIONS = {"cbo": ("community", "based"), "hbc": ("home", "based", "care")}

#: Look-ups into name blocks larger than this are skipped (a safety net: blocks are small by construction).
MAX_NAME_BLOCK = 200
#: A phone number or email shared by more records than this is a switchboard, not an identity.
MAX_CONTACT_BLOCK = 20
#: At most this many uncoordinated pairs are listed in a finding (all are counted).
MAX_LISTED_PAIRS = 20
#: A name token held by more records than this in one district does not tell organisations apart there.
RARE_TOKEN = 20
#: Least similarity between the rarest distinctive token of one name and a token of the other (or one typo).
ANCHOR = 80
#: A distinctive token at least this long is also blocked under its one-letter deletions.
TYPO_LENGTH = 4
#: A distinctive token longer than this is also blocked under its first letters (typos late in long words).
PREFIX_LENGTH = 6

_Pair = tuple[str, str]
_LONG_GENERIC_WORDS = sorted(w for w in GENERIC_WORDS if len(w) >= 6)
_PUNCTUATION = re.compile(r"[^\w\s]")
_NOT_DIGIT = re.compile(r"\D")


def duplication(
    G: nx.MultiDiGraph, *, as_of: dt.date | None = None, threshold: float = 85, layers: Layers | None = None
) -> list[Finding]:
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
    layers : Layers, optional
        Views of ``G`` on ``as_of`` shared with other analyses (see
        :class:`~network.analysis.layers.Layers`).

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
    ties = _Ties(layers_for(G, as_of, layers).links)
    findings = _service_overlaps(G, ties) + duplicate_records(G, threshold=threshold) + _funding_overlaps(G, ties)
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
        (the first ``MAX_LISTED_PAIRS`` of those pairs, in id order),
        ``uncoordinated_pair_count`` and ``pair_count``.

    Notes
    -----
    Two organisations are coordinated when an active link joins them or
    both have an active ``coordination`` or ``membership`` link to the same
    third organisation (a shared forum or body). Organisations with no
    district (regional and national bodies) are left out.

    Populations: an organisation with an empty population list serves the
    general population. It joins the group of every population that another
    organisation offering the service in the district lists explicitly; the
    general-population group (``population`` None) is made of those
    organisations alone. A population nobody lists gives no finding.

    Severity: ``high`` when no two members are coordinated, ``medium`` when
    some pairs are and some are not, ``low`` when every pair is (a known,
    presumably agreed overlap).

    Coordinated pairs are found from the links and forums, not by testing
    every pair of a group, so large groups stay cheap.

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
    return _service_overlaps(G, _Ties(active_links(G, as_of or today())))


def duplicate_records(G: nx.MultiDiGraph, *, threshold: float = 85) -> list[Finding]:
    """Pairs of records that are probably one organisation, with a merge suggestion.

    Two records are paired when a name or alias of one matches one of the
    other and they are in the same district (or both have none), when they
    have the same phone number, or when they have the same email address.
    Every record is considered, active or not.

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
        and ``details`` holding ``score`` (the best similarity of a name or
        alias of one to one of the other, whatever the reasons), ``reasons``
        (some of ``name``, ``phone``, ``email``, in that order) and ``merge``
        (``{"keep": id, "drop": id}``).

    Notes
    -----
    Names are lower-cased and stripped of accents, punctuation and stop
    words (``the``, ``organisation``, ``association``, ``npc``, ...); ``cbo``
    and ``hbc`` are spelled out. Phone numbers compare by their digits with
    ``+27`` / ``0027`` read as a leading ``0``; emails compare
    case-insensitively.

    Two names match when their similarity is at least ``threshold`` and
    they agree on what tells them apart. The distinctive tokens of a name
    are those that are not ``GENERIC_WORDS`` (``clinic``, ``care``,
    ``ministry``, ...) or one typo away from one, and are held by at most
    ``RARE_TOKEN`` records of the district (so a district's own name, or a
    naming pattern, is not distinctive there). The rarest distinctive token
    of each name must be like a token of the other name: at least
    ``ANCHOR`` similar, or one typo (insertion, deletion, substitution or
    swap) away when it has ``TYPO_LENGTH`` letters or more, or the other
    name's initials ("TAC"). A name with no distinctive token ("Sekhukhune
    Community Health Centre" in Sekhukhune) matches nothing: only a phone or
    email can pair it. So "Kwelo Faith Care Ministry" and "Mangaung Faith
    Care Ministry" do not match, nor "Tema Regional Hospital" and "Regional
    Hospital", while "Sizwe Home Based Care" and "Sizwe HBC NPC" do, and so
    do "Tshwaraganang Clinic" and "Tshwaranang Clinic".

    Records are never compared all against all; only candidates are scored.
    Per district, each record is filed under its distinctive tokens and
    looks up its rarest one, which is also filed and looked up under its
    one-letter deletions when it has ``TYPO_LENGTH`` letters or more and
    under its first ``PREFIX_LENGTH`` letters when longer (so that a typo
    still meets: the other name's rarest token either appears as it is in
    this name, or is the typo). Blocks are small by construction; look-ups
    into blocks larger than ``MAX_NAME_BLOCK`` are skipped. Phone and email
    blocks larger than ``MAX_CONTACT_BLOCK`` are switchboards and are
    skipped. Blocking and scoring depend only on the records (pairs are
    scored with the smaller id first), so the pairs found do not depend on
    node order.

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
    reasons: dict[_Pair, set[str]] = defaultdict(set)
    for a, b in _name_candidates(records.values()):
        if _names_match(records[a], records[b], threshold):
            reasons[a, b].add("name")
    for reason in ("phone", "email"):
        for pair in _contact_pairs(records.values(), reason):
            reasons[pair].add(reason)
    findings = [_duplicate_record(G, records, a, b, found) for (a, b), found in reasons.items()]
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
        holds ``funder``, ``recipients`` and the coordination figures of
        :func:`service_overlaps` among the recipients.

    Notes
    -----
    A funding link (funder -> recipient) in force on ``as_of`` funds the
    services it names, or all the recipient's services when it names none.
    The recipient's district and populations place it; recipients with no
    district are left out, and recipients with an empty population list are
    grouped as in :func:`service_overlaps`. Severity: ``high`` when no two
    recipients are coordinated, ``medium`` when some are, ``low`` when all
    are.

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
    return _funding_overlaps(G, _Ties(active_links(G, as_of or today())))


class _Ties:
    """The active links of one date: who is tied to whom, who meets whom in a forum."""

    def __init__(self, links: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        self.neighbours: dict[str, set[str]] = defaultdict(set)
        self.forums: dict[str, set[str]] = defaultdict(set)
        self.members: dict[str, set[str]] = defaultdict(set)
        self.funding: list[tuple[str, str, str, dict[str, Any]]] = []
        for u, v, key, data in links:
            if u == v:
                continue
            self.neighbours[u].add(v)
            self.neighbours[v].add(u)
            kind = data.get("kind")
            if kind in FORUM_KINDS:
                for member, forum in ((u, v), (v, u)):
                    self.forums[member].add(forum)
                    self.members[forum].add(member)
            elif kind == "funding":
                self.funding.append((u, v, key, data))

    def coordinated(self, a: str, b: str) -> bool:
        """True if ``a`` and ``b`` share an active link or a forum."""
        if b in self.neighbours.get(a, ()):
            return True
        return not self.forums.get(a, set()).isdisjoint(self.forums.get(b, ()))


def _service_overlaps(G: nx.MultiDiGraph, ties: _Ties) -> list[Finding]:
    profiles: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {}
    offers: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for node, data in G.nodes(data=True):
        if data.get("district") and is_active_organisation(G, node):
            profile = (data["district"], frozenset(data.get("services") or ()),
                       frozenset(data.get("populations") or ()))
            profiles[node] = profile
            for service in profile[1]:
                offers[profile[0], service].append((node, profile[2]))
    groups = {
        (district, service, population): group
        for (district, service), members in offers.items()
        for population, group in _population_groups(members).items()
    }
    coordinated = _coordinated_within(profiles, ties, groups)
    voc = vocabulary()
    findings = []
    for (district, service, population), group in groups.items():
        pairs = coordinated.get((district, service, population), set())
        severity, details = _coordination_details(group, pairs.__contains__, len(pairs))
        offer = (f"{'both' if len(group) == 2 else 'all'} offer {_service_label(voc, service)} to "
                 f"{_population_label(voc, population)} in {district}")
        findings.append(Finding(
            "service_overlap", severity, f"{_names(G, group)} {offer}{_coordination_clause(details)}",
            organisations=list(group), district=district, population=population, service=service,
            details=details,
        ))
    return sorted(findings, key=_order)


def _coordinated_within(
    profiles: dict[str, tuple[str, frozenset[str], frozenset[str]]], ties: _Ties,
    groups: dict[tuple[str, str, str | None], list[str]],
) -> dict[tuple[str, str, str | None], set[_Pair]]:
    """The coordinated pairs inside each (district, service, population) group, found from the ties.

    ``profiles`` holds (district, services, populations) of the active organisations with a district.
    """
    listed: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for district, service, population in groups:
        listed[district, service].add(population)
    tied: dict[tuple[str, str], set[_Pair]] = defaultdict(set)
    for a, others in ties.neighbours.items():
        if a not in profiles:
            continue
        district, services, _ = profiles[a]
        for b in others:
            if a < b and b in profiles and profiles[b][0] == district:
                for service in services & profiles[b][1]:
                    if (district, service) in listed:
                        tied[district, service].add((a, b))
    for members in ties.members.values():
        buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
        for member in members:
            if member in profiles:
                district, services, _ = profiles[member]
                for service in services:
                    if (district, service) in listed:
                        buckets[district, service].append(member)
        for area, bucket in buckets.items():
            tied[area].update(combinations(sorted(bucket), 2))
    found: dict[tuple[str, str, str | None], set[_Pair]] = defaultdict(set)
    for (district, service), pairs in tied.items():
        candidates = listed[district, service]
        for a, b in pairs:
            for population in _shared_populations(profiles[a][2], profiles[b][2], candidates):
                found[district, service, population].add((a, b))
    return found


def _shared_populations(
    first: frozenset[str], second: frozenset[str], candidates: set[str | None]
) -> set[str | None]:
    """The population groups (among ``candidates``) two organisations are both in."""
    if not first and not second:
        return candidates
    if not first or not second:
        return candidates.intersection(first or second)
    return candidates.intersection(first & second)


def _funding_overlaps(G: nx.MultiDiGraph, ties: _Ties) -> list[Finding]:
    funded: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for funder, recipient, key, data in ties.funding:
        district = G.nodes[recipient].get("district")
        if district:
            for service in set(data.get("services") or G.nodes[recipient].get("services") or ()):
                funded[funder, district, service][recipient].append(key)
    voc = vocabulary()
    findings = []
    for (funder, district, service), recipients in funded.items():
        members = [(r, G.nodes[r].get("populations") or ()) for r in recipients]
        for population, group in _population_groups(members).items():
            pairs = {pair for pair in combinations(group, 2) if ties.coordinated(*pair)}
            severity, details = _coordination_details(group, pairs.__contains__, len(pairs))
            explanation = (
                f"{_name(G, funder)} funds {_names(G, group)} for {_service_label(voc, service)} to "
                f"{_population_label(voc, population)} in {district}{_coordination_clause(details)}"
            )
            findings.append(Finding(
                "funding_overlap", severity, explanation, organisations=[funder, *group], district=district,
                population=population, service=service,
                links=sorted(key for r in group for key in recipients[r]),
                details={"funder": funder, "recipients": list(group), **details},
            ))
    return sorted(findings, key=_order)


def _population_groups(members: Iterable[tuple[str, Sequence[str]]]) -> dict[str | None, list[str]]:
    """Group organisations (sorted ids) by the population they serve; keep groups of two or more."""
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


def _coordination_details(group: Sequence[str], is_coordinated: Any, coordinated: int) -> tuple[str, dict]:
    """Severity and coordination figures of a group (sorted ids) with ``coordinated`` coordinated pairs."""
    total = len(group) * (len(group) - 1) // 2
    unlinked = total - coordinated
    listed = []
    if unlinked:
        for pair in combinations(group, 2):
            if not is_coordinated(pair):
                listed.append(list(pair))
                if len(listed) == MAX_LISTED_PAIRS:
                    break
    severity = "high" if coordinated == 0 else "medium" if unlinked else "low"
    details = {
        "uncoordinated": unlinked > 0,
        "uncoordinated_pairs": listed,
        "uncoordinated_pair_count": unlinked,
        "pair_count": total,
    }
    return severity, details


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

    __slots__ = ("id", "district", "names", "distinctive", "phone", "email", "active", "last_verified")

    def __init__(self, node: str, data: dict[str, Any]) -> None:
        self.id = node
        self.district = data.get("district") or None
        names = [data.get("name") or node, *(data.get("aliases") or ())]
        self.names = tuple(sorted({n for n in map(_normalise_name, names) if n}))
        self.distinctive: tuple[tuple[str, ...], ...] = tuple(() for _ in self.names)
        self.phone = _normalise_phone(data.get("phone"))
        email = (data.get("email") or "").strip().lower()
        self.email = email if "@" in email else None
        self.active = data.get("status", "active") == "active"
        self.last_verified = data.get("last_verified")


def _name_candidates(records: Iterable[_Record]) -> set[_Pair]:
    """Pairs (smaller id first) in one district that share a name block (see duplicate_records)."""
    by_district: dict[str | None, list[_Record]] = defaultdict(list)
    for record in records:
        by_district[record.district].append(record)
    pairs: set[_Pair] = set()
    for members in by_district.values():
        _district_candidates(members, pairs)
    return pairs


def _district_candidates(members: list[_Record], pairs: set[_Pair]) -> None:
    """Add to ``pairs`` the name candidates among the records of one district (see duplicate_records)."""
    frequency = Counter(t for record in members for t in {t for name in record.names for t in name.split()})
    telling = {t for t, count in frequency.items() if count <= RARE_TOKEN and not _generic(t)}
    filed: dict[str, Any] = {}  # key -> one record id, or a list of two or more (fewer objects to track)
    lookups = []
    for record in members:
        record.distinctive = tuple(
            tuple(sorted(set(name.split()) & telling, key=lambda t: (frequency[t], t))) for name in record.names
        )
        wanted = [key for tokens in record.distinctive if tokens for key in _typo_keys(tokens[0])]
        lookups.append((record.id, wanted))
        for key in {*wanted, *(t for tokens in record.distinctive for t in tokens[1:])}:
            held = filed.get(key)
            if held is None:
                filed[key] = record.id
            elif isinstance(held, list):
                held.append(record.id)
            else:
                filed[key] = [held, record.id]
    for node, wanted in lookups:
        for key in wanted:
            block = filed[key]
            if isinstance(block, list) and len(block) <= MAX_NAME_BLOCK:
                pairs.update((node, other) if node < other else (other, node) for other in block if other != node)


def _generic(token: str) -> bool:
    """True if ``token`` is a generic word or one typo away from one of six letters or more."""
    if token in GENERIC_WORDS:
        return True
    return process.extractOne(token, _LONG_GENERIC_WORDS, scorer=Levenshtein.distance, score_cutoff=1) is not None


def _typo_keys(token: str) -> list[str]:
    """The token and, when long enough, each of its one-letter deletions and its first letters."""
    if len(token) < TYPO_LENGTH:
        return [token]
    keys = [token, *(token[:i] + token[i + 1:] for i in range(len(token)))]
    if len(token) > PREFIX_LENGTH:
        keys.append(f"{token[:PREFIX_LENGTH]}*")
    return keys


def _contact_pairs(records: Iterable[_Record], attribute: str) -> Iterator[_Pair]:
    blocks: dict[str, list[str]] = defaultdict(list)
    for record in records:
        value = getattr(record, attribute)
        if value:
            blocks[value].append(record.id)
    for block in blocks.values():
        if 1 < len(block) <= MAX_CONTACT_BLOCK:
            yield from combinations(sorted(block), 2)


def _name_score(a: _Record, b: _Record) -> float:
    """The best similarity (0-100) between a name or alias of ``a`` and one of ``b``."""
    return max(fuzz.token_set_ratio(x, y, processor=None) for x in a.names for y in b.names)


def _names_match(a: _Record, b: _Record, threshold: float) -> bool:
    """True if a name or alias of ``a`` matches one of ``b`` (see duplicate_records)."""
    for x, x_tokens in zip(a.names, a.distinctive, strict=True):
        for y, y_tokens in zip(b.names, b.distinctive, strict=True):
            if not (x_tokens and y_tokens) or fuzz.token_set_ratio(x, y, processor=None) < threshold:
                continue
            if _anchored(x_tokens[0], y) and _anchored(y_tokens[0], x):
                return True
    return False


def _anchored(token: str, name: str) -> bool:
    """True if ``token`` is like a token of ``name`` (see duplicate_records), or is its initials."""
    tokens = name.split()
    if len(token) >= 2 and token == "".join(t[0] for t in tokens):
        return True
    typo = 1 if len(token) >= TYPO_LENGTH else 0
    return any(fuzz.ratio(token, other) >= ANCHOR or OSA.distance(token, other, score_cutoff=typo) <= typo
               for other in tokens)


def _duplicate_record(
    G: nx.MultiDiGraph, records: dict[str, _Record], a: str, b: str, found: set[str]
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
    if not name.isascii():
        name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = _PUNCTUATION.sub("", name.lower().replace("&", " and ").replace("_", " "))
    tokens = [w for t in text.split() for w in ABBREVIATIONS.get(t, (t,))]
    kept = [t for t in tokens if t not in STOP_WORDS]
    return " ".join(kept or tokens)


def _normalise_phone(phone: str | None) -> str | None:
    digits = _NOT_DIGIT.sub("", phone or "")
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
    if len(nodes) > shown + 1:
        return _join([*(_name(G, n) for n in nodes[:shown]), f"{len(nodes) - shown} others"])
    return _join([_name(G, n) for n in nodes])


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _service_label(voc: Vocabulary, code: str) -> str:
    return _lower_first(voc.services.get(code, code))


def _population_label(voc: Vocabulary, code: str | None) -> str:
    if code is None:
        return "the general population"
    return _lower_first(voc.populations.get(code, code))


def _lower_first(label: str) -> str:
    first = label.split(" ", 1)[0]
    return label[0].lower() + label[1:] if first[1:] == first[1:].lower() else label
