"""The numbered kernels of duplication give the plain rules' answers: name blocks (name_blocks), coordinated pairs
(overlap_pairs), words of names and phone digits read the quick way. Each plain rule is written here as the
documentation states it, record by record and pair by pair."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import name_blocks
from network.analysis.name_blocks import name_candidates
from network.analysis.names import ABBREVIATIONS, STOP_WORDS, NameBook, _words, fold
from network.analysis.overlap_pairs import Coordinated
from network.analysis.record_matching import _normalise_phone, _records
from network.graph.project import build_graph
from network.model import Organisation

# --- name blocks ------------------------------------------------------------------------------------


def typo_keys(word):
    if len(word) < name_blocks.TYPO_LENGTH:
        return [word]
    keys = [word, *(word[:i] + word[i + 1:] for i in range(len(word)))]
    if len(word) >= name_blocks.PREFIX_LENGTH:
        keys.append(f"{word[:name_blocks.PREFIX_LENGTH]}*")
    return keys


def plain_candidates(records):
    """Per district: each record filed under every key of its rare telling words and its initials, looking up the
    keys of each name's rare top word and its one-word names; pairs from blocks of two to MAX_NAME_BLOCK records."""
    by_district = defaultdict(list)
    for record in records:
        by_district[record.district].append(record)
    pairs = set()
    for members in by_district.values():
        held = defaultdict(set)
        for record in members:
            for name in record.names:
                for word in name.telling:
                    held[word].add(record.id)
        rare = {w for w, ids in held.items() if len(ids) <= name_blocks.RARE_TOKEN}
        filed, wanted = defaultdict(set), defaultdict(set)
        for record in members:
            for name in record.names:
                for word in rare.intersection(name.telling):
                    for key in {*typo_keys(word), *typo_keys(fold(word))}:
                        filed[key].add(record.id)
                if name.telling and name.telling[0] in rare:
                    wanted[record.id].update({*typo_keys(name.telling[0]), *typo_keys(fold(name.telling[0]))})
                if len(name.words) == 1 and len(name.words[0]) >= 3:
                    filed[f"#{name.words[0]}"].add(record.id)
                    wanted[record.id].add(f"#{name.words[0]}")
                elif len(name.words) >= 3:
                    filed[f"#{name.initials}"].add(record.id)
        for node, keys in wanted.items():
            for key in keys:
                if len(filed[key]) <= name_blocks.MAX_NAME_BLOCK:
                    pairs.update(tuple(sorted((node, other))) for other in filed[key] if other != node)
    return pairs


def graph_of(names, districts, aliases=()):
    orgs = [Organisation(f"o{i:03d}", name, "cbo", district=district,
                         aliases=list(aliases[i]) if i < len(aliases) else [])
            for i, (name, district) in enumerate(zip(names, districts, strict=False))]
    return build_graph(orgs, [])


def test_name_blocks_known_pairs():
    G = graph_of(["Tshwaraganang Clinic", "Tshwaranang Clinic", "Sekhukhune Ex-Mineworkers Association", "SEMA",
                  "Lesedi Clinic", "Lesedi Clinic", "Setshaba CBO", "Sechaba Community Based Organisation"],
                 ["Waterberg"] * 2 + ["Sekhukhune"] * 2 + ["Waterberg", "Capricorn"] + [None] * 2)
    found = name_candidates(list(_records(G).values()))
    assert found == {("o000", "o001"), ("o002", "o003"), ("o006", "o007")}
    assert found == plain_candidates(_records(G).values())


@pytest.mark.parametrize("largest, pairs", [(200, 6 + 6), (3, 3)])
def test_blocks_larger_than_the_limit_are_skipped(largest, pairs):
    # "lesed" is a key of each of four words (a block of four), "#bks" of three names and the acronym (four);
    # "Sechaba"/"Setshaba" sound alike (a block of two), "Bana"/"Bona" share "bna" (a block of three).
    G = graph_of(["Lesedi Clinic", "Lesedo Clinic", "Lesedu Clinic", "Lesedy Clinic",
                  "Bana Ka Sechaba", "Bana Ka Setshaba", "Bona Kopano Sizwe", "BKS"], ["Waterberg"] * 8)
    records = list(_records(G).values())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(name_blocks, "MAX_NAME_BLOCK", largest)
        found = name_candidates(records)
        assert found == plain_candidates(records)
    assert len(found) == pairs


SYLLABLES = ["ba", "ka", "tse", "tsha", "cha", "kgo", "kho", "le", "se", "di", "mo", "tlo", "ng", "a", "o"]
word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)
name = st.lists(st.one_of(word, st.sampled_from(["Clinic", "CBO", "Trust", "Home Based Care", "the", "NPC",
                                                  "Sekhukhune", "Assoc."])), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(name, min_size=2, max_size=60),
       districts=st.lists(st.sampled_from(["Waterberg", "Vhembe", None]), min_size=60, max_size=60),
       aliases=st.lists(st.lists(name, max_size=2), max_size=60), small=st.booleans())
def test_name_blocks_are_the_plain_blocks(names, districts, aliases, small):
    records = list(_records(graph_of(names, districts, aliases)).values())
    with pytest.MonkeyPatch.context() as patch:
        if small:  # rare words and blocks small enough to be passed
            patch.setattr(name_blocks, "RARE_TOKEN", 2)
            patch.setattr(name_blocks, "MAX_NAME_BLOCK", 3)
        assert name_candidates(records) == plain_candidates(records)


# --- coordinated pairs ------------------------------------------------------------------------------


def plain_coordinated(profiles, nodes, links, meets):
    """Pairs (a < b) of one district joined by a link or both linked by a meeting link to one third."""
    forums = defaultdict(set)
    tied = set()
    for (u, v), meeting in zip(links, meets, strict=True):
        if u != v:
            tied.add(frozenset((nodes[u], nodes[v])))
            if meeting:
                forums[nodes[u]].add(nodes[v])
                forums[nodes[v]].add(nodes[u])
    return {(a, b) for a, b in combinations(sorted(profiles), 2) if profiles[a][0] == profiles[b][0]
            and (frozenset((a, b)) in tied or forums[a] & forums[b])}


@settings(max_examples=80, deadline=None)
@given(data=st.data(), count=st.integers(2, 14))
def test_coordinated_pairs_and_counts_are_the_plain_ones(data, count):
    nodes = [f"n{i:02d}" for i in range(count)]
    placed = data.draw(st.lists(st.sampled_from(nodes), unique=True))
    profiles = {n: (data.draw(st.sampled_from(["D1", "D2"])),
                    frozenset(data.draw(st.lists(st.sampled_from(["art", "tb", "hbc"]), min_size=1))),
                    frozenset(data.draw(st.lists(st.sampled_from(["mineworkers", "youth"]), min_size=1))))
                for n in placed}
    links = data.draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=30))
    meets = data.draw(st.lists(st.booleans(), min_size=len(links), max_size=len(links)))
    ends = np.array(links, dtype=np.int64).reshape(-1, 2)
    coordinated = Coordinated(profiles, nodes, ends[:, 0], ends[:, 1], np.array(meets, dtype=bool))
    expected = plain_coordinated(profiles, nodes, links, meets)
    assert {pair for pair in combinations(sorted(profiles), 2)
            if profiles[pair[0]][0] == profiles[pair[1]][0] and pair in coordinated} == expected
    counts = defaultdict(int)
    for a, b in expected:
        for service in profiles[a][1] & profiles[b][1]:
            for population in profiles[a][2] & profiles[b][2]:
                counts[profiles[a][0], service, population] += 1
    assert coordinated.counts() == counts


def test_coordinated_known_pairs():
    profiles = {n: ("D1", frozenset({"art"}), frozenset({"youth"})) for n in "abcd"}
    profiles["e"] = ("D2", frozenset({"art"}), frozenset({"youth"}))
    nodes = ["a", "b", "c", "d", "e", "forum"]
    # a-b referral; c, d and e members of the forum (e in another district); a-e linked across districts
    links = np.array([[0, 1], [2, 5], [3, 5], [4, 5], [0, 4]])
    coordinated = Coordinated(profiles, nodes, links[:, 0], links[:, 1], np.array([False, True, True, True, False]))
    assert [pair in coordinated for pair in [("a", "b"), ("c", "d"), ("a", "c"), ("b", "d")]] == [
        True, True, False, False]
    assert coordinated.counts() == {("D1", "art", "youth"): 2}


# --- words and phones read the quick way -------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2019`.]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def plain_words(text):
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and ").replace("+", " and "))
    tokens = [w for t in _NOT_WORD.split(text) if t for w in ABBREVIATIONS.get(t, (t,))]
    kept = tuple(t for t in tokens if t not in STOP_WORDS)
    return kept or tuple(tokens)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=127), st.sampled_from("éüøß’\u00a0ﬁİ٣²")),
               max_size=30) | st.sampled_from(["The Hope C.B.O. (Pty) Ltd", "A&B+C Assoc.", "Ikhwézi Women's"]))
def test_words_are_read_as_the_plain_rule_reads_them(text):
    assert _words.__wrapped__(text) == plain_words(text)


@given(st.text(alphabet=st.sampled_from("0123456789+-() ./x٣²\u00a0"), max_size=20))
def test_phone_digits_are_read_as_the_plain_rule_reads_them(phone):
    digits = re.sub(r"\D", "", phone)
    digits = digits[2:] if digits.startswith("00") else digits
    digits = "0" + digits[2:] if digits.startswith("27") and len(digits) == 11 else digits
    assert _normalise_phone(phone) == (digits if len(digits) >= 7 else None)


def test_a_name_book_keeps_each_name():
    book = NameBook(["Hope CBO", "Hope CBO", "Sizwe Clinic"])
    assert book.name("Hope CBO") is book.name("Hope CBO")
    assert book.name("Hope CBO").words == ("hope", "community", "based", "organisation")
    assert book.name("Unseen Words Here").telling == ("here", "unseen", "words")
