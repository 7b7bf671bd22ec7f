"""Tests for duplicate records (network.analysis.duplication, record_matching): hand-built pairs, properties, the
demo's planted duplicates and the labelled set."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.dedup import build_pairs, evaluate, load_pairs
from network.analysis.duplication import duplicate_records
from network.analysis.name_blocks import name_candidates
from network.analysis.record_matching import _records
from network.graph.project import build_graph, project
from network.graph.sqlite import SQLiteStore
from network.model import Organisation
from network.service import seed_demo
from tests.duplication_support import link, org

# --- duplicate records ----------------------------------------------------------------------

def records(*orgs, links=()):
    return build_graph(orgs, links)


def pairs(G, threshold=85):
    return {frozenset(f.organisations): f.details["reasons"] for f in duplicate_records(G, threshold=threshold)}


@pytest.mark.parametrize("first, second, duplicate", [
    ("Sizwe Home Based Care", "Sizwe HBC NPC", True),
    ("The Hope Association", "Hope", True),
    ("Thusanong CBO", "Thusanong Community Based Organisation", True),
    ("Tshwaraganang Clinic", "Tshwaranang Clinic", True),
    ("Ikhwézi Women's Project", "Ikhwezi Womens Project", True),
    ("Kopanang Home Based Care", "Kopanang Community Home Based Care", True),
    ("Bophelo Clinic", "Bophelong Clinic", True),
    ("Treatment Action Campaign", "Treatment Action Campaign (TAC)", True),
    ("Sizwe Clinic", "Sizwe Hospital", False),
    ("Kwelo Faith Care Ministry", "Mangaung Faith Care Ministry", False),
    ("Tema Regional Hospital", "Regional Hospital", False),
    ("Community Health Centre", "Community Health Center", False),
    ("Lesedi Clinic", "Lesedi CBO", False),
    ("Ikageng Clinic", "Ikageng Home Based Care", False),
    # One letter in a short name is another name, not a typo.
    ("Thono Gateway Clinic", "Qono Gateway Clinic", False),
    ("Kophu Community Clinic", "Thophu Community Clinic", False),
])
def test_name_similarity_in_one_district(first, second, duplicate):
    G = records(org("a", name=first), org("b", name=second), org("c", name="Unrelated Trust"))
    assert pairs(G) == ({frozenset("ab"): ["name"]} if duplicate else {})


def test_a_place_name_alone_pairs_only_the_two_records_that_bear_it():
    # "Sekhukhune" is the district's name: it tells nobody apart there. Two records, and only two, written
    # "Sekhukhune Clinic" are one clinic written twice; a third makes it a naming pattern.
    others = [org(f"o{i:02d}", name=f"Sekhukhune {word} Forum") for i, word in enumerate(
        ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo",
         "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango"])]
    G = records(org("a", name="Sekhukhune Clinic"), org("b", name="Sekhukhune Clinic"), *others)
    assert pairs(G) == {frozenset("ab"): ["name"]}
    G = records(org("a", name="Sekhukhune Clinic"), org("b", name="Sekhukhune Clinic"),
                org("c", name="Sekhukhune Clinic"), *others)
    assert pairs(G) == {}
    G = records(org("a", name="Sekhukhune Clinic"), org("b", name="Sekhukhune Community Clinic"), *others)
    assert pairs(G) == {}
    G = records(org("a", name="Sekhukhune Clinic", phone="015 555 0101"),
                org("b", name="Sekhukhune Community Clinic", phone="015 555 0101"), *others)
    assert pairs(G) == {frozenset("ab"): ["phone"]}


def test_similar_names_in_different_districts_are_not_paired():
    assert pairs(records(org("a", name="Sizwe Clinic"), org("b", name="Sizwe Clinic", district="Waterberg"))) == {}


def test_records_without_district_are_compared_with_each_other():
    G = records(org("a", name="Treatment Action Campaign", district=None),
                org("b", name="Treatment Action Campaign (TAC)", district=None),
                org("c", name="Treatment Action Campaign", district="Waterberg"))
    assert pairs(G) == {frozenset("ab"): ["name"]}


def test_alias_matches_name():
    G = records(org("a", name="Treatment Action Campaign"),
                org("b", name="TAC Limpopo", aliases=["Treatment Action Campaign"]))
    assert pairs(G) == {frozenset("ab"): ["name"]}


@pytest.mark.parametrize("phone_a, phone_b, paired", [
    ("+27 12 345 6789", "012-345-6789", True),
    ("0027123456789", "(012) 345 6789", True),
    ("012 345 6789", "012 345 6788", False),
    ("1234", "1234", False),
])
def test_same_phone_pairs_records_anywhere(phone_a, phone_b, paired):
    G = records(org("a", name="Alpha", phone=phone_a), org("b", name="Omega", phone=phone_b, district="Waterberg"))
    assert pairs(G) == ({frozenset("ab"): ["phone"]} if paired else {})


def test_same_email_ignores_case_and_spaces():
    G = records(org("a", name="Alpha", email="Info@Hope.org.za "), org("b", name="Omega", email="info@hope.org.za"))
    [finding] = duplicate_records(G)
    assert finding.details["reasons"] == ["email"] and finding.severity == "medium"


def test_switchboard_numbers_are_ignored():
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo",
             "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform"]
    G = records(*(org(f"o{i:02d}", name=name, phone="011 000 0000") for i, name in enumerate(names)))
    assert pairs(G) == {}


@pytest.mark.parametrize("a_fields, b_fields, a_links, keep", [
    ({}, {}, 0, "b"),
    ({}, {}, 1, "a"),
    ({"status": "inactive"}, {}, 2, "b"),
    ({}, {"last_verified": dt.date(2026, 1, 1)}, 1, "b"),
    ({"last_verified": dt.date(2026, 2, 1)}, {"last_verified": dt.date(2026, 1, 1)}, 1, "a"),
])
def test_merge_keeps_active_then_linked_then_verified_then_smaller_id(a_fields, b_fields, a_links, keep):
    # b always has one link; a has a_links.
    orgs = [org("a", name="Hope CBO", **a_fields), org("b", name="Hope CBO", **b_fields), org("z", name="Zeta")]
    links = [link(f"l{i}", "a", "z") for i in range(a_links)] + [link("lb", "b", "z")]
    [finding] = duplicate_records(records(*orgs, links=links))
    drop = "b" if keep == "a" else "a"
    assert finding.organisations == [keep, drop]
    assert finding.details["merge"] == {"keep": keep, "drop": drop}


@pytest.mark.parametrize("a_name, b_name, b_phone, severity, reasons, score", [
    ("Hope CBO", "Hope CBO", "012 345 6789", "high", ["name", "phone"], 100.0),
    ("Hope CBO", "Hope C.B.O.", None, "medium", ["name"], 100.0),
    # bophelo/bophelong: two letters apart in a long word (0.8), clinic equal; same services (+5).
    ("Bophelo Clinic", "Bophelong Clinic", None, "low", ["name"], 88.3),
    ("Hope CBO", "Tau Trust", "012 345 6789", "low", ["phone"], 0.0),
])
def test_duplicate_severity_and_score(a_name, b_name, b_phone, severity, reasons, score):
    G = records(org("a", name=a_name, phone="012 345 6789"), org("b", name=b_name, phone=b_phone))
    [finding] = duplicate_records(G)
    assert (finding.severity, finding.details["reasons"]) == (severity, reasons)
    assert finding.details["score"] == pytest.approx(score, abs=0.1)
    assert finding.details["merge"] == {"keep": "a", "drop": "b"}
    if a_name == b_name:
        assert finding.explanation.startswith(f"Two records of {a_name} look like one organisation")
    else:
        assert f"merge the record of {b_name} into {a_name}." in finding.explanation
    assert "(a)" not in finding.explanation and "(b)" not in finding.explanation


def test_threshold_controls_name_matches():
    G = records(org("a", name="Bophelo Clinic"), org("b", name="Bophelong Clinic"))
    assert pairs(G, threshold=85) == {frozenset("ab"): ["name"]}
    assert pairs(G, threshold=90) == {}


def test_shared_services_raise_the_score_and_none_shared_lower_it():
    def score(services_b):
        G = records(org("a", name="Bophelo Clinic", services=("tb_screening", "art")),
                    org("b", name="Bophelong Clinic", services=services_b))
        [finding] = duplicate_records(G, threshold=0)
        return finding.details["score"]
    assert score(("tb_screening", "art")) == 88.3
    assert score(("tb_screening", "prep")) == 81.7  # one service in three shared: 83.3 - 1.7
    assert score(("prep",)) == 78.3


def test_a_kind_of_body_in_each_name_tells_them_apart_even_with_distinctive_words_equal():
    # "hospice" and "hospital" each weigh fully: mamelodi (2) over 2 + 1 + 1 is 50, +5 for the same services.
    G = records(org("a", name="Mamelodi Hospice"), org("b", name="Mamelodi Hospital"))
    [finding] = duplicate_records(G, threshold=0)
    assert finding.details["score"] == 55.0
    assert pairs(G) == {}


@pytest.mark.parametrize("first, second", [
    ("Sekhukhune Ex-Mineworkers Association", "Sekhukhune Ex Mine Workers Assoc."),
    ("Thabong Home-Based Care Organisation", "Thabong Homebased Care Org."),
    ("Kgotso Community Based Organisation", "Khotso C.B.O."),
    ("Setshaba Farmworkers Forum", "Sechaba Farm Workers Forum"),
    ("Ikwezi Womens Health Department", "IKHWEZI WOMEN'S HEALTH DEPT."),
    ("Tumelo Development Programme", "The Tumelo Dev. Prog. NPC"),
    ("Sekhukhune Ex-Mineworkers Association", "SEMA"),
])
def test_abbreviations_joined_words_and_spellings_are_one_name(first, second):
    G = records(org("a", name=first), org("b", name=second), org("c", name="Unrelated Trust"))
    assert pairs(G) == {frozenset("ab"): ["name"]}


def test_different_kinds_pair_only_through_contacts():
    a = Organisation("a", "Lesedi Community Clinic", "clinic", district="Sekhukhune")
    b = Organisation("b", "Lesedi Community Clinic", "cbo", district="Sekhukhune")
    assert pairs(records(a, b)) == {}
    b = Organisation("b", "Lesedi Community Clinic", "cbo", district="Sekhukhune", email="lesedi@example.org")
    a = Organisation("a", "Lesedi Community Clinic", "clinic", district="Sekhukhune", email="LESEDI@example.org")
    assert pairs(records(a, b)) == {frozenset("ab"): ["email"]}
    other = Organisation("b", "Lesedi Community Clinic", "other", district="Sekhukhune")
    assert pairs(records(a, other)) == {frozenset("ab"): ["name"]}


def test_district_and_generic_words_do_not_pair_two_bodies_of_one_district():
    # The false pair: a coordination council and a hospital share only "West Rand District".
    council = Organisation("c", "West Rand District AIDS Council", "other", district="West Rand")
    hospital = Organisation("h", "West Rand District Hospital", "hospital", district="West Rand")
    assert pairs(records(council, hospital), threshold=50) == {}


def test_common_words_do_not_make_everyone_a_candidate():
    # 250 clinics in one district share the word "clinic"; only names close to each other are scored.
    rnd = random.Random(7)
    words = sorted({"".join(rnd.choice("bdgklmnprstz") + rnd.choice("aeiou") for _ in range(4)) for _ in range(250)})
    G = records(*(org(f"o{i:03d}", name=f"{w.title()} Clinic") for i, w in enumerate(words)))
    candidates = name_candidates(list(_records(G).values()))
    assert len(candidates) < len(G) * 5
    assert {tuple(sorted(pair)) for pair in pairs(G)} <= candidates


WORDS = ["zenzele", "thusong", "ikageng", "lesedi", "bophelo", "kopanang", "sizwe", "tau"]
SUFFIXES = ["Clinic", "CBO", "Trust", "Home Based Care"]


def mutate(rnd, name):
    tokens = name.split()
    i = rnd.randrange(len(tokens))
    word = tokens[i]
    p = rnd.randrange(len(word))
    choice = rnd.choice(["delete", "substitute", "case", "stop", "same"])
    if choice == "delete" and len(word) > 4:
        tokens[i] = word[:p] + word[p + 1:]
    elif choice == "substitute" and len(word) > 4:
        tokens[i] = word[:p] + ("x" if word[p] != "x" else "y") + word[p + 1:]
    elif choice == "case":
        tokens = [t.upper() for t in tokens]
    elif choice == "stop":
        tokens = ["The", *tokens, "NPC"]
    return " ".join(tokens)


@st.composite
def record_sets(draw):
    rnd = random.Random(draw(st.integers(0, 10_000)))
    orgs, planted = [], []
    for i in range(draw(st.integers(2, 14))):
        name = f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()} {rnd.choice(SUFFIXES)}"
        district = rnd.choice(["Sekhukhune", "Waterberg", None])
        phone = rnd.choice([None, None, "012 345 6789", "+27 12 345 6789", "013 111 2222"])
        orgs.append(org(f"r{i:02d}", name=name, district=district, phone=phone))
        if rnd.random() < 0.4:
            orgs.append(org(f"d{i:02d}", name=mutate(rnd, name), district=district))
            planted.append(frozenset((f"r{i:02d}", f"d{i:02d}")))
    return orgs, planted, draw(st.randoms())


@settings(max_examples=100, deadline=None)
@given(record_sets())
def test_duplicates_do_not_depend_on_insertion_order_and_planted_ones_are_found(case):
    orgs, planted, shuffler = case
    first = {(tuple(f.organisations), tuple(f.details["reasons"]), f.details["score"])
             for f in duplicate_records(records(*orgs))}
    shuffled = list(orgs)
    shuffler.shuffle(shuffled)
    second = {(tuple(f.organisations), tuple(f.details["reasons"]), f.details["score"])
              for f in duplicate_records(records(*shuffled))}
    assert first == second
    found = {frozenset(keep_drop) for keep_drop, reasons, _ in first if "name" in reasons}
    assert set(planted) <= found


# --- the demo's planted duplicates and the labelled set ------------------------------------

@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "demo.db")
    seed_demo(store)
    return project(store)


def test_demo_planted_duplicates_are_found_and_nothing_else(demo_graph):
    # seed/build_demo.py plants three duplicate records: by name, by phone, by email.
    found = {frozenset(f.organisations): f.details["reasons"] for f in duplicate_records(demo_graph)}
    assert found == {
        frozenset({"sekhukhune-ex-mineworkers-association", "sekhukhune-ex-mine-workers-assoc"}): ["name"],
        frozenset({"mokopane-mining-communities-forum", "mogalakwena-mine-affected-communities-network"}):
            ["phone"],
        frozenset({"mthatha-migrant-workers-support-centre", "ksd-migrant-support-centre"}): ["email"],
    }


@pytest.mark.parametrize("threshold", [60, 70, 80, 85, 90])
def test_demo_known_false_pair_is_never_found(demo_graph, threshold):
    found = {frozenset(f.organisations) for f in duplicate_records(demo_graph, threshold=threshold)}
    assert frozenset({"west-rand-district-aids-council", "west-rand-district-hospital"}) not in found
    assert frozenset({"sekhukhune-ex-mineworkers-association", "sekhukhune-ex-mine-workers-assoc"}) in found


def test_labelled_set_is_reproducible_from_the_demo():
    assert build_pairs() == load_pairs()


def test_labelled_set_precision_and_recall_meet_the_target():
    labelled = load_pairs()
    assert len(labelled["pairs"]) >= 200
    kinds = {p["variant"] for p in labelled["pairs"]}
    assert {"abbreviation", "typo", "transliteration", "joined_or_split", "branch_in_another_district",
            "same_district_other_kind", "same_district_shared_generic_words"} <= kinds
    result = evaluate(labelled)
    assert result["recall"] >= 0.9 and result["precision"] >= 0.9, result
