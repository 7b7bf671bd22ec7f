"""Duplicate records: pairs of organisation records that are probably one organisation."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np

from network.analysis import words
from network.analysis.finding import Finding, duplication_order
from network.analysis.name_blocks import candidate_pairs
from network.analysis.names import NameBook, may_agree, name_similarity, names_a_place
from network.translation import N_

__all__ = ["duplicate_records"]

#: A phone number or email shared by more records than this is a switchboard, not an identity.
MAX_CONTACT_BLOCK = 20
#: How much the services two records share move their score: from -SERVICE_WEIGHT/2 (none) to +SERVICE_WEIGHT/2.
SERVICE_WEIGHT = 10
#: Kinds that say nothing about what an organisation is: they agree with every kind.
UNKNOWN_KINDS = frozenset({"", "other"})

_Pair = tuple[str, str]
_NOT_DIGIT = re.compile(r"\D")
_NOT_DIGIT_BYTES = bytes(c for c in range(128) if not chr(c).isdigit())


def duplicate_records(G: nx.MultiDiGraph, *, threshold: float = 85) -> list[Finding]:
    """Pairs of records that are probably one organisation, with a merge suggestion.

    Two records are paired when a name or alias of one matches one of the
    other, they are in the same district (or both have none) and of the same
    kind (or either is ``other``); or when they have the same phone number;
    or the same email address. Every record is considered, active or not.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projected partner graph.
    threshold : float, optional
        Least match score, 0-100, for a name match (default 85).

    Returns
    -------
    list of Finding
        ``duplicate_record`` findings with ``organisations == [keep, drop]``
        and ``details`` holding ``score`` (the match score for a name match,
        else the best name similarity of the two), ``reasons`` (some of
        ``name``, ``phone``, ``email``, in that order) and ``merge``
        (``{"keep": id, "drop": id}``).

    Notes
    -----
    Names are normalised (:mod:`network.analysis.names`): lower case, no
    accents or punctuation ("C.B.O." is "cbo"), abbreviations spelled out
    ("Assoc." association, "Org." organisation, "CBO" community based
    organisation, "HBC" home based care, ...), stop words and legal forms
    dropped ("the", "NPC", "(Pty) Ltd"), and two words joined where some
    record writes them as one ("Mine Workers", "Mineworkers"). Words are
    compared as written and as they sound ("Setshaba"/"Sechaba",
    "Khotso"/"Kgotso"), with one typo allowed (two in long words).

    A name's words are weighed: generic words ("district", "clinic",
    "council", "community", ...) and province or district names weigh
    little, and every word weighs less the more names hold it. The
    similarity of two names is the weight of their paired words over the
    weight of all their words; when each name has a word for a kind of body
    the other lacks ("clinic" against "hospital") those words weigh fully.
    Two names agree only if the rarest distinctive word of each (not generic,
    not a place) is paired with a word of the other or is its initials
    ("TAC"); a name with no distinctive word ("West Rand District Hospital"
    in West Rand) matches only the same name, when it names a place and
    exactly two records of the district have it (three or more are a naming
    pattern). The match score is 100 times the
    best similarity of two agreeing names, moved by up to
    ``SERVICE_WEIGHT / 2`` up (same services) or down (none shared). So
    "Sekhukhune Ex-Mineworkers Association" and "Sekhukhune Ex Mine Workers
    Assoc." match; "Kwelo Faith Care Ministry" and "Mangaung Faith Care
    Ministry" do not, nor "Sizwe Clinic" and "Sizwe Hospital".

    Phone numbers compare by their digits with ``+27`` / ``0027`` read as a
    leading ``0``; emails compare case-insensitively.

    Records are never compared all against all; only candidates are scored.
    Per district, each record is filed under the distinctive words of its
    names held by at most ``RARE_TOKEN`` records there, as written and as
    they sound, each also under its one-letter deletions when it has
    ``TYPO_LENGTH`` letters or more and under its first ``PREFIX_LENGTH``
    letters when it has that many; it looks up the keys of each name's
    rarest distinctive word. A name of three words or more is also filed
    under its initials, and a one-word name under itself, which it looks
    up, so that "SEMA" meets "Sekhukhune Ex-Mineworkers Association". Look-ups into blocks larger than
    ``MAX_NAME_BLOCK`` are skipped. (The name blocks and their limits are
    :func:`network.analysis.name_blocks.name_candidates`'s, found by sorting
    numbered keys.) Phone and email blocks larger than
    ``MAX_CONTACT_BLOCK`` are switchboards and are skipped. Blocking and
    scoring depend only on the records, so the pairs found do not depend on
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
    records = _records(G)
    found: dict[_Pair, tuple[set[str], float, float | None]] = {}
    for a, b in _kinds_agreeing(list(records.values())):
        if any(may_agree(x, y) for x in a.names for y in b.names):  # a quick necessary test for a name match
            best, score = _scores(a, b)
            if score is not None and score >= threshold:
                found[a.id, b.id] = ({"name"}, best, score)
    for a, b in _twin_names(records.values()):
        best, score = _scores(records[a], records[b], twins=True)
        if score is not None and score >= threshold:
            found[a, b] = ({"name"}, best, score)
    for reason in ("phone", "email"):
        for pair in _contact_pairs(records.values(), reason):
            if pair not in found:
                found[pair] = (set(), *_scores(records[pair[0]], records[pair[1]]))
            found[pair][0].add(reason)
    findings = [_duplicate_record(G, records, a, b, *result) for (a, b), result in found.items()]
    return sorted(findings, key=duplication_order)


class _Record:
    """What duplicate detection compares of one organisation record.

    Every record is blocked by its names and contacts; what only a candidate pair or a finding reads (services,
    status, last verification) is read from the record's data when asked.
    """

    __slots__ = ("id", "data", "district", "kind", "names", "telling", "phone", "email")

    def __init__(self, node: str, data: dict[str, Any], book: NameBook) -> None:
        self.id = node
        self.data = data
        self.district = data.get("district") or None
        self.kind = data.get("kind") or ""
        aliases = data.get("aliases")
        self.names = tuple(map(book.name, _written_names(node, data))) if aliases else (
            book.name(data.get("name") or node),)
        self.telling = self.names[0].telling if len(self.names) == 1 else tuple(
            dict.fromkeys(w for name in self.names for w in name.telling))
        phone = data.get("phone")
        self.phone = _normalise_phone(phone) if phone else None
        email = data.get("email")
        email = email.strip().lower() if email else ""
        self.email = email if "@" in email else None

    @property
    def services(self) -> frozenset[str]:
        return frozenset(self.data.get("services") or ())

    @property
    def active(self) -> bool:
        return self.data.get("status", "active") == "active"

    @property
    def last_verified(self) -> Any:
        return self.data.get("last_verified")


def _written_names(node: str, data: dict[str, Any]) -> list[str]:
    return [data.get("name") or node, *(data.get("aliases") or ())]


def _records(G: nx.MultiDiGraph) -> dict[str, _Record]:
    book = NameBook(n for node, data in G.nodes(data=True) for n in _written_names(node, data))
    return {node: _Record(node, data, book) for node, data in G.nodes(data=True)}


def _contact_pairs(records: Iterable[_Record], attribute: str) -> Iterator[_Pair]:
    blocks: dict[str, list[str]] = defaultdict(list)
    for record in records:
        value = getattr(record, attribute)
        if value:
            blocks[value].append(record.id)
    for block in blocks.values():
        if 1 < len(block) <= MAX_CONTACT_BLOCK:
            yield from combinations(sorted(block), 2)


def _twin_names(records: Iterable[_Record]) -> Iterator[_Pair]:
    """Pairs (smaller id first) of the only two records of a district with one name that has no distinctive
    word but names a place ("Sekhukhune District Hospital" written twice): three or more is a pattern."""
    held: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for record in records:
        for name in record.names:
            if not name.telling and names_a_place(name):
                held[record.district, name.text].add(record.id)
    for ids in held.values():
        if len(ids) == 2:
            a, b = sorted(ids)
            yield a, b


def _scores(a: _Record, b: _Record, *, twins: bool = False) -> tuple[float, float | None]:
    """The best name similarity of ``a`` and ``b`` (0-100) and their match score, ``None`` if no match.

    The match score is the best similarity of two names that agree on what tells them apart (see
    :func:`~network.analysis.names.name_similarity`), moved by the services the two share; records of
    two different known kinds never match by name. ``twins`` are the only two records of their district
    with one name (see :func:`_twin_names`): they agree on it.
    """
    best, agreeing = 0.0, 1.0 if twins else None
    for x in a.names:
        for y in b.names:
            similarity, agree = name_similarity(x, y)
            best = max(best, similarity)
            if agree and (agreeing is None or similarity > agreeing):
                agreeing = similarity
    if agreeing is None or not _kinds_agree(a.kind, b.kind):
        return 100 * best, None
    score = 100 * agreeing
    services_a, services_b = a.services, b.services
    if services_a and services_b:
        shared = len(services_a & services_b) / len(services_a | services_b)
        score += SERVICE_WEIGHT * (shared - 0.5)
    return 100 * best, min(score, 100.0)


def _kinds_agreeing(records: list[_Record]) -> Iterator[tuple[_Record, _Record]]:
    """The name candidates (:func:`~network.analysis.name_blocks.candidate_pairs`, smaller id first) whose kinds
    agree (see :func:`_kinds_agree`), told apart with numpy."""
    first, second = candidate_pairs(records)
    kind = np.array([r.kind for r in records] or [""])
    unknown = np.isin(kind, list(UNKNOWN_KINDS))
    agree = (kind[first] == kind[second]) | unknown[first] | unknown[second]
    for i, j in zip(first[agree].tolist(), second[agree].tolist(), strict=True):
        yield records[i], records[j]


def _kinds_agree(a: str, b: str) -> bool:
    return a == b or a in UNKNOWN_KINDS or b in UNKNOWN_KINDS


def _duplicate_record(
    G: nx.MultiDiGraph, records: dict[str, _Record], a: str, b: str, found: set[str], best: float,
    score: float | None,
) -> Finding:
    keep, drop = sorted((a, b), key=lambda n: _keep_key(G, records[n]))
    shown = round(score if "name" in found and score is not None else best, 1)
    reasons = [r for r in ("name", "phone", "email") if r in found]
    if len(reasons) >= 2:
        severity = "high"
    elif reasons == ["email"] or (reasons == ["name"] and shown >= 95):
        severity = "medium"
    else:
        severity = "low"
    district = records[keep].district if records[keep].district == records[drop].district else None
    said = {"name": N_("a similar name in %(district)s") % {"district": district} if district else
            N_("a similar name"), "phone": N_("the same phone number"), "email": N_("the same email address")}
    values = {"why": words.join([said[r] for r in reasons]), "kept": words.name(G, keep),
              "dropped": words.name(G, drop)}
    if values["kept"] == values["dropped"]:
        explanation = N_("Two records of %(kept)s look like one organisation (%(why)s); check and merge them.") % values
    else:
        explanation = N_("%(kept)s and %(dropped)s look like one organisation (%(why)s); check and merge the record of "
                         "%(dropped)s into %(kept)s.") % values
    return Finding(
        "duplicate_record", severity, explanation, organisations=[keep, drop], district=district,
        details={"score": float(shown), "reasons": reasons, "merge": {"keep": keep, "drop": drop}},
    )


def _keep_key(G: nx.MultiDiGraph, record: _Record) -> tuple[bool, int, int, str]:
    verified = record.last_verified
    return (not record.active, -G.degree(record.id), -(verified.toordinal() if verified else 0), record.id)


def _normalise_phone(phone: str | None) -> str | None:
    phone = phone or ""
    digits = phone.encode().translate(None, _NOT_DIGIT_BYTES).decode() if phone.isascii() else _NOT_DIGIT.sub("", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("27") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else None
