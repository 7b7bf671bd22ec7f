"""Organisation names as people write them: normalised words, their weights, and how alike two names are.

Used by duplicate detection (:mod:`network.analysis.duplication`). Pure functions over strings and
small objects; nothing here reads a graph.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from rapidfuzz.distance import OSA

from network.model import vocabulary

__all__ = ["NameBook", "Name", "words", "name_similarity", "may_agree", "names_a_place"]

#: Words that carry no meaning in a name (articles, legal forms): dropped unless a name has nothing else.
STOP_WORDS = frozenset({
    "a", "an", "and", "at", "for", "in", "of", "on", "the", "to", "inc", "ltd", "npc", "npo", "pty", "incorporated",
    "limited", "section21", "nonprofit",
})

#: Abbreviations spelled out before names are compared.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "assoc": ("association",), "assn": ("association",), "asso": ("association",), "assocn": ("association",),
    "org": ("organisation",), "orgn": ("organisation",), "organization": ("organisation",),
    "organisations": ("organisation",), "organizations": ("organisation",),
    "cbo": ("community", "based", "organisation"), "fbo": ("faith", "based", "organisation"),
    "ngo": ("non", "governmental", "organisation"), "hbc": ("home", "based", "care"),
    "dept": ("department",), "dpt": ("department",), "govt": ("government",), "gvt": ("government",),
    "intl": ("international",), "natl": ("national",), "ctr": ("centre",), "cntr": ("centre",),
    "center": ("centre",), "hosp": ("hospital",), "hlth": ("health",), "comm": ("community",),
    "cmty": ("community",), "commty": ("community",), "dev": ("development",), "devt": ("development",),
    "prog": ("programme",), "program": ("programme",), "soc": ("society",), "fdn": ("foundation",),
    "st": ("saint",), "mt": ("mount",), "univ": ("university",), "inst": ("institute",), "svcs": ("services",),
    "dist": ("district",), "fed": ("federation",), "coop": ("cooperative",),
}

#: Words that say what kind of body an organisation is. Two names that each have one the other lacks
#: name two different bodies ("Sizwe Clinic", "Sizwe Hospital"); one name lacking it is an omission.
TYPE_WORDS = frozenset({
    "agency", "alliance", "association", "branch", "campaign", "care", "centre", "chamber", "church", "circle",
    "clinic", "club", "coalition", "collective", "college", "committee", "company", "consortium",
    "cooperative", "council", "department", "federation", "fellowship", "forum", "foundation", "fund", "group",
    "hospice", "hospital", "initiative", "institute", "ministries", "ministry", "movement", "network", "office",
    "organisation", "partnership", "pharmacy", "point", "practice", "programme", "project", "radio", "school",
    "service", "services", "site", "society", "team", "trust", "union", "unit", "university", "volunteers",
})

#: Words that say what an organisation does or where, not which one it is: weighed down.
GENERIC_WORDS = TYPE_WORDS | frozenset({
    "advice", "affected", "aids", "allied", "based", "central", "child", "children", "city",
    "community", "development", "district", "east", "ex", "faith", "family", "governmental", "government",
    "greater", "health", "healthcare", "hiv", "home", "interfaith", "international", "legal", "local", "lower",
    "medical", "men", "mens", "mine", "miners", "mining", "mobile", "municipal", "national", "new", "non",
    "north", "occupational", "old", "orphans", "outreach", "peer", "people", "positive", "primary", "provincial",
    "regional", "retired", "rights", "rural", "satellite", "social", "south", "support", "tb", "upper", "wellness",
    "west", "women", "womens", "workers", "youth", "saint", "mount", "gateway", "research",
})

#: Weight of a generic word and of a province or district name, against 1 for any other word.
GENERIC_WEIGHT = 0.2
PLACE_WEIGHT = 0.3
#: Similarity of a name written as the other's initials ("SEMA", "Sekhukhune Ex-Mineworkers Association").
ACRONYM_SIMILARITY = 0.9
#: Least similarity of two words taken for one (see :func:`word_similarity`).
WORD_MATCH = 0.8

_APOSTROPHES = re.compile(r"['\u2019`.]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_H_AFTER_CONSONANT = re.compile(r"(?<=[bcdfgjkpstvz])h")
#: ASCII as :func:`words` reads it: letters in lower case, digits, and a space for each separator of ``_NOT_WORD``.
_ASCII_WORDS = bytes(c if chr(c).isalnum() else 32 for c in range(128)).lower() + bytes(128)


def words(name: str) -> list[str]:
    """The words of ``name``: lower case, no accents or punctuation, abbreviations spelled out.

    Examples
    --------
    >>> words("Sekhukhune Ex Mine Workers Assoc.")
    ['sekhukhune', 'ex', 'mine', 'workers', 'association']
    >>> words("The Hope C.B.O. (Pty) Ltd")
    ['hope', 'community', 'based', 'organisation']
    """
    return list(_words(name))


@lru_cache(maxsize=200_000)
def _words(name: str) -> tuple[str, ...]:
    if not name.isascii():
        name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if name.isascii():  # as below, by bytes.translate: lower case, apostrophes dropped, the other separators spaces
        text = name.replace("&", " and ").replace("+", " and ").encode("ascii")
        split = text.translate(_ASCII_WORDS, b"'`.").decode("ascii").split()
    else:
        text = _APOSTROPHES.sub("", name.lower().replace("&", " and ").replace("+", " and "))
        split = [t for t in _NOT_WORD.split(text) if t]
    tokens = split if ABBREVIATIONS.keys().isdisjoint(split) else [w for t in split for w in ABBREVIATIONS.get(t, (t,))]
    if STOP_WORDS.isdisjoint(tokens):
        return tuple(tokens)
    kept = tuple(t for t in tokens if t not in STOP_WORDS)
    return kept or tuple(tokens)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    voc = vocabulary()
    places = [*voc.provinces, *voc.districts]
    return frozenset(w for place in places for w in words(place)) - STOP_WORDS


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """A word as it sounds, for comparing spellings: ``Setshaba``/``Sechaba``, ``Kgotso``/``Khotso``.

    Examples
    --------
    >>> fold("setshaba") == fold("sechaba"), fold("kgotso") == fold("khotso"), fold("workers")
    (True, True, 'worker')
    """
    folded = word.replace("ch", "ts").replace("kg", "k")
    folded = _DOUBLE.sub(r"\1", _H_AFTER_CONSONANT.sub("", folded))
    if len(folded) > 4 and folded.endswith("s") and not folded.endswith("ss"):
        folded = folded[:-1]
    return folded


@lru_cache(maxsize=400_000)
def word_similarity(a: str, b: str) -> float:
    """How alike two words are, 0 to 1: 1 equal, 0.95 same sound, 0.9 one typo, 0.8 two typos in long words.

    Examples
    --------
    >>> word_similarity("tshwaraganang", "tswaraganang"), word_similarity("bophelo", "bophelong")
    (0.95, 0.8)
    >>> word_similarity("hospice", "hospital")
    0.0
    """
    if a == b:
        return 1.0
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return 0.95
    longest = max(len(fa), len(fb))
    if min(len(fa), len(fb)) < 4 or longest < 5:
        return 0.0
    distance = min(OSA.distance(a, b, score_cutoff=2), OSA.distance(fa, fb, score_cutoff=2))
    if distance == 1:
        return 0.9 if longest >= 7 else 0.85
    if distance == 2 and longest >= 8:
        return 0.8
    return 0.0


class Name(NamedTuple):
    """One normalised name: its words, their weights, and its most telling word (``None`` if none)."""

    text: str
    words: tuple[str, ...]
    weights: tuple[float, ...]
    telling: tuple[str, ...]
    initials: str


class NameBook:
    """The names of a set of records: joins split words and weighs each word by how common it is.

    Parameters
    ----------
    names : iterable of str
        Every name and alias of every record (the corpus).

    Notes
    -----
    Two adjacent words are joined when the joined word is written as one
    somewhere in the corpus ("Mine Workers" becomes "mineworkers" when some
    record writes "Mineworkers"). A word's weight is its base weight (1,
    ``PLACE_WEIGHT`` for a province or district name, ``GENERIC_WEIGHT`` for
    a generic word) times ``1 / (1 + ln(n - 1))`` for a word held by ``n >= 2``
    names of the corpus: a word common to many records weighs little.
    """

    def __init__(self, names: Iterable[str]) -> None:
        written = list(names)
        split = {n: _words(n) for n in dict.fromkeys(written)}
        self._known = frozenset(chain.from_iterable(split.values()))
        self._joined = {n: tuple(self.join(ws)) for n, ws in split.items()}
        self._count = Counter(chain.from_iterable(map(set, map(self._joined.__getitem__, written))))
        # Each word of the corpus is weighed and ranked once, not in every name that holds it.
        self._weights: dict[str, float] = {w: self._weighed(w) for w in self._count}
        self._rank = {w: (n, w) for w, n in self._count.items() if distinctive(w)}
        self._names: dict[str, Name] = {}

    def join(self, tokens: Sequence[str]) -> list[str]:
        """``tokens`` with adjacent words joined where the corpus writes them as one."""
        joined = list(tokens)
        if len(joined) < 2 or self._known.isdisjoint(map(operator.add, joined, joined[1:])):
            return joined
        i = 0
        while i < len(joined) - 1:
            both = joined[i] + joined[i + 1]
            if both in self._known:
                joined[i:i + 2] = [both]
            else:
                i += 1
        return joined

    def weight(self, word: str) -> float:
        """The weight of ``word`` (see the class notes)."""
        weight = self._weights.get(word)
        if weight is None:
            weight = self._weights[word] = self._weighed(word)
        return weight

    def _weighed(self, word: str) -> float:
        base = GENERIC_WEIGHT if word in GENERIC_WORDS else PLACE_WEIGHT if word in _place_words() else 1.0
        return base / (1.0 + math.log(max(self._count[word] - 1, 1)))

    def name(self, text: str) -> Name:
        """``text`` normalised: words, weights and telling words, rarest first."""
        found = self._names.get(text)
        if found is None:
            found = self._names[text] = self._name(text)
        return found

    def _name(self, text: str) -> Name:
        tokens = self._joined.get(text)
        if tokens is None:  # not of the corpus: its words may be new
            tokens = tuple(self.join(_words(text)))
            weights = tuple(map(self.weight, tokens))
            telling = tuple(sorted({t for t in tokens if distinctive(t)}, key=lambda t: (self._count[t], t)))
        else:
            weights = tuple(map(self._weights.__getitem__, tokens))
            rank = self._rank
            found = [t for t in tokens if t in rank]  # most names have one telling word or none: nothing to sort
            telling = tuple(found if len(found) < 2 else sorted(set(found), key=rank.__getitem__))
        return Name(" ".join(tokens), tokens, weights, telling, "".join([t[0] for t in tokens]))


def names_a_place(name: Name) -> bool:
    """True if one of the words of ``name`` is a province or district name ("Sekhukhune Clinic")."""
    return any(w in _place_words() for w in name.words)


@lru_cache(maxsize=200_000)
def distinctive(word: str) -> bool:
    """True if ``word`` can tell one organisation from another: not generic, not a place, not a stop word."""
    return len(word) >= 2 and word not in GENERIC_WORDS and word not in _place_words() and word not in STOP_WORDS


def name_similarity(x: Name, y: Name) -> tuple[float, bool]:
    """How alike two names are, 0 to 1, and whether they agree on what tells them apart.

    The words are paired one to one, most alike first (:func:`word_similarity`
    at least ``WORD_MATCH``); the similarity is the weight of the paired words
    (times how alike they are) over the weight of all words. A word that is
    the other name's initials ("TAC") is left out; a name that is only the
    other's initials, of three letters or more, is ``ACRONYM_SIMILARITY``
    alike and agrees. When each name has a
    generic word for a kind of body the other lacks ("clinic" against
    "hospital"), those words weigh 1. The names agree when the most telling
    word of each (the rarest distinctive one) is paired or is the other's
    initials; a name with no distinctive word agrees with nothing.

    Examples
    --------
    >>> book = NameBook(["Sizwe Home Based Care", "Sizwe HBC NPC", "Sizwe Clinic", "Sizwe Hospital"])
    >>> round(name_similarity(book.name("Sizwe Home Based Care"), book.name("Sizwe HBC NPC"))[0], 2)
    1.0
    >>> name_similarity(book.name("Sizwe Clinic"), book.name("Sizwe Hospital"))[0] < 0.6
    True
    """
    if x.words == y.words:
        return 1.0, bool(x.telling)
    if _acronym_of(x, y) or _acronym_of(y, x):
        return ACRONYM_SIMILARITY, True
    pairs = []
    for i, a in enumerate(x.words):
        for j, b in enumerate(y.words):
            s = 1.0 if a == b else word_similarity(a, b)
            if s >= WORD_MATCH:
                pairs.append((s, i, j))
    pairs.sort(reverse=True)
    x_left, y_left = set(range(len(x.words))), set(range(len(y.words)))
    matched = paired_weight = 0.0
    paired: set[str] = set()
    for s, i, j in pairs:
        if i in x_left and j in y_left:
            x_left.discard(i)
            y_left.discard(j)
            matched += s * (x.weights[i] + y.weights[j])
            paired_weight += x.weights[i] + y.weights[j]
            paired.update((x.words[i], y.words[j]))
    x_rest = [i for i in x_left if x.words[i] != y.initials or len(x.words[i]) < 2]
    y_rest = [j for j in y_left if y.words[j] != x.initials or len(y.words[j]) < 2]
    contradiction = (any(x.words[i] in TYPE_WORDS for i in x_rest)
                     and any(y.words[j] in TYPE_WORDS for j in y_rest))
    unmatched = (sum(1.0 if contradiction and x.words[i] in TYPE_WORDS else x.weights[i] for i in x_rest)
                 + sum(1.0 if contradiction and y.words[j] in TYPE_WORDS else y.weights[j] for j in y_rest))
    total = paired_weight + unmatched
    similarity = matched / total if total else 0.0
    agree = bool(x.telling and y.telling) and _anchored(x, y, paired) and _anchored(y, x, paired)
    return similarity, agree


def _acronym_of(x: Name, y: Name) -> bool:
    """True if ``x`` is one word of three letters or more that is ``y``'s initials ("SEMA")."""
    return len(x.words) == 1 and len(x.words[0]) >= 3 and x.words[0] == y.initials


def may_agree(x: Name, y: Name) -> bool:
    """A quick necessary test for :func:`name_similarity` to say the names agree: each name's most
    telling word is like some word of the other, or is its initials."""
    return _acronym_of(x, y) or _acronym_of(y, x) or (_like_a_word(x, y) and _like_a_word(y, x))


def _like_a_word(x: Name, y: Name) -> bool:
    if not x.telling:
        return False
    top = x.telling[0]
    return top == y.initials or any(w == top or word_similarity(top, w) >= WORD_MATCH for w in y.words)


def _anchored(x: Name, y: Name, paired: set[str]) -> bool:
    top = x.telling[0]
    return top in paired or (len(top) >= 2 and top == y.initials)
