"""Tests for the pathway engine's extension point (step rules) and its lazy search.

The chain network of tests/test_pathways.py: the best plan cbo -r1-> clinic -m1- hospital -r3-> sassa costs
1.0 + 0.95 + 1.55 = 3.5; the other, cbo -r2-> clinic2 -r4-> hospital -r3-> sassa, 1.5 + 1.0 + 1.55 = 4.05.
"""

from __future__ import annotations

import heapq

import pytest
from hypothesis import HealthCheck, given, settings

from network.analysis.pathways import MIN_HOP, pathway_index, referral_pathways
from tests.pathways_support import AS_OF, CASCADE, chain_network, networks, route


class LinkSurcharge:
    """A rule that makes some links dearer (or cheaper) and says so on their steps."""

    def __init__(self, surcharge: dict[str, float]) -> None:
        self.surcharge = surcharge
        self.asked: list[tuple[str | None, str, str | None]] = []

    def extra_cost(self, sender, receiver, link):
        return self.surcharge.get(link, 0.0)

    def notes(self, sender, receiver, link):
        self.asked.append((sender, receiver, link))
        return [f"Link {link} costs {self.surcharge[link]:+g} more."] if link in self.surcharge else []


class SpeaksSesotho:
    """A rule about the receiving organisation only (as a client-language rule would be)."""

    def extra_cost(self, sender, receiver, link):
        return 0.0 if receiver in {"cbo", "clinic2", "hospital", "sassa"} else 2.0

    def notes(self, sender, receiver, link):
        return ["Staff speak Sesotho."] if receiver == "clinic2" else []


def plans(G, **query):
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF, **query)
    return [(route(p), p.cost) for p in found]


def test_an_extra_cost_on_one_link_reorders_the_plans():
    G = chain_network()
    assert plans(G, rules=[LinkSurcharge({"r1": 1.0})]) == [
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(4.05)),
        (["cbo", "clinic", "hospital", "sassa"], pytest.approx(4.5)),
    ]


def test_rules_add_up_and_a_step_never_costs_less_than_the_floor():
    G = chain_network()
    # r3 (1.55) less 5 would be negative: it costs MIN_HOP (0.1); clinic is 2.0 dearer by the language rule.
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF,
                              rules=[LinkSurcharge({"r3": -5.0}), SpeaksSesotho()])
    assert [(route(p), p.cost) for p in found] == [
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(1.5 + 1.0 + MIN_HOP)),
        (["cbo", "clinic", "hospital", "sassa"], pytest.approx(1.0 + 2.0 + 0.95 + MIN_HOP)),
    ]
    assert [s.hop_cost for s in found[0].steps] == pytest.approx([0.0, 1.5, 1.0, MIN_HOP])


def test_notes_are_on_the_steps_in_the_explanation_and_in_the_dict():
    G = chain_network()
    rule = LinkSurcharge({"r2": 0.25})
    # clinic2 route: 1.5 + 0.25 + 1.0 + 1.55 = 4.3; clinic route: 1.0 + 2.0 + 0.95 + 1.55 = 5.5
    best, other = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF,
                                    rules=[rule, SpeaksSesotho()])
    assert [(route(p), p.cost) for p in (best, other)] == [
        (["cbo", "clinic2", "hospital", "sassa"], pytest.approx(4.3)),
        (["cbo", "clinic", "hospital", "sassa"], pytest.approx(5.5))]
    assert best.steps[1].notes == ["Link r2 costs +0.25 more.", "Staff speak Sesotho."]
    assert best.steps[1].explanation == (
        "Cbo refers the client to Clinic2 for TB screening, through its referral agreement r2. "
        "Link r2 costs +0.25 more. Staff speak Sesotho.")
    assert best.to_dict()["steps"][1]["notes"] == best.steps[1].notes
    # steps without notes keep the dict they had before rules existed
    assert "notes" not in other.to_dict()["steps"][1] and other.steps[1].notes == []
    assert (None, "cbo", None) in rule.asked  # the start is asked for notes, with no sender


def test_no_rules_gives_the_same_plans_as_rules_that_add_nothing():
    G = chain_network()
    assert plans(G) == plans(G, rules=[LinkSurcharge({})])


class NotesOnly:
    """A rule that says it adds no cost: the search must not ask it, its notes still show."""

    adds_cost = False

    def extra_cost(self, sender, receiver, link):
        raise AssertionError("a rule that adds no cost was asked for one")

    def notes(self, sender, receiver, link):
        return ["Noted."] if receiver == "sassa" else []


def test_a_rule_that_adds_no_cost_is_not_asked_for_one_but_its_notes_show():
    G = chain_network()
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF,
                              include_unlinked=True, rules=[NotesOnly()])
    assert [(route(p), p.cost) for p in found] == plans(G, include_unlinked=True)
    assert found[0].steps[-1].notes == ["Noted."] and found[0].steps[0].notes == []


def test_the_given_rules_say_whether_they_add_cost():
    from network.analysis.borders import BorderCrossing
    from network.analysis.client_language import LanguageRule
    from network.analysis.outcomes import CompletionRule, Outcome
    from network.analysis.trust import LowTrustSteps

    G = chain_network()
    assert not BorderCrossing(G).adds_cost and not LowTrustSteps({}).adds_cost
    assert not CompletionRule({}).adds_cost
    assert not CompletionRule({("cbo", "clinic"): Outcome(9, 1, 8, 0, 0, 0.11, None)}).adds_cost  # 9 < 10
    assert CompletionRule({("cbo", "clinic"): Outcome(12, 3, 7, 2, 0, 0.25, 6)}).adds_cost
    assert not LanguageRule("st", {}).adds_cost and LanguageRule("st", {"cbo": True}).adds_cost


def test_a_proposed_step_is_adjusted_by_the_rules_too():
    G = chain_network(r1=None, r2=None)
    found = referral_pathways(G, population="mineworkers", needs=CASCADE, start="cbo", as_of=AS_OF,
                              include_unlinked=True, k=1, rules=[SpeaksSesotho()])
    # proposed cbo -> clinic2 costs 1.5 + 5.0 = 6.5; cbo -> clinic would cost 2.0 more
    assert route(found[0]) == ["cbo", "clinic2", "hospital", "sassa"]
    assert found[0].steps[1].proposed and found[0].steps[1].hop_cost == pytest.approx(6.5)


# --- the lazy search gives what taking every onward route at once gives -----------------------------------

def eager_pathways(G, population, needs, k, max_hops, include_unlinked, start=None, district=None):
    """The search as first written: every onward route of a plan made a plan at once (sequences and costs)."""
    index = pathway_index(G, as_of=AS_OF)
    if not all(index.offered(need, population) for need in needs):
        return []
    starts = [start] if start is not None else list(index.by_district.get(district, ()))
    starts = [n for n in starts if n in index.names and index.serves(n, population)]
    if not include_unlinked:
        starts = [n for n in starts if index.reaches(n, population, needs)]

    def plan(steps, cost):
        met = []
        for need in needs:
            at = next((i for i, (node, *_) in enumerate(steps) if need in index.services[node]), None)
            if at is None:
                break
            met.append(at)
        return (round(cost, 9), len(steps) - 1, tuple(s[0] for s in steps), cost, steps, tuple(met))

    def onward(need, p):
        spare, on_plan, found = max_hops - p[1], set(p[2]), []
        best, done = {}, set()
        heap = [(0.0, 0, (n,), ()) for n in p[2]]
        while heap:
            cost, hops, path, steps = heapq.heappop(heap)
            if path[-1] in done:
                continue
            done.add(path[-1])
            if path[-1] not in on_plan and need in index.services[path[-1]]:
                found.append((steps, cost))
                continue
            if hops == spare:
                continue
            for hop, target, link, kind in index.out[path[-1]]:
                if target in done or target in on_plan or not index.serves(target, population):
                    continue
                if target not in best or (cost + hop, hops + 1) < best[target]:
                    best[target] = (cost + hop, hops + 1)
                    step = (target, path[-1], link, kind, False, hop)
                    heapq.heappush(heap, (cost + hop, hops + 1, (*path, target), (*steps, step)))
        if include_unlinked:
            cheapest = {}
            for node in p[2]:
                for target in index.providers(index.districts[node], need):
                    if target in on_plan or target in index.arcs[node] or not index.serves(target, population):
                        continue
                    cost = index.hop_cost(node, target, False, 3) + 5.0
                    if target not in cheapest or (cost, node) < cheapest[target]:
                        cheapest[target] = (cost, node)
            found += [(((t, n, None, None, True, c),), c) for t, (c, n) in cheapest.items()]
        return found

    heap = [plan(((s, None, None, None, False, 0.0),), 0.0) for s in starts]
    heapq.heapify(heap)
    seen, done = set(), []
    while heap and len(done) < k:
        p = heapq.heappop(heap)
        if (frozenset(p[4]), len(p[5])) in seen:
            continue
        seen.add((frozenset(p[4]), len(p[5])))
        if len(p[5]) == len(needs):
            done.append(p)
        elif p[1] < max_hops:
            for steps, cost in onward(needs[len(p[5])], p):
                heapq.heappush(heap, plan(p[4] + steps, p[3] + cost))
    return [(list(p[2]), [(s[1], s[2]) for s in p[4]], round(p[3], 6)) for p in done]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_the_lazy_search_finds_exactly_the_plans_of_the_eager_one(case):
    G, query = case
    found = referral_pathways(G, as_of=AS_OF, **query)
    assert [(route(p), [(s.referred_by, s.link) for s in p.steps], p.cost) for p in found] == eager_pathways(
        G, **query)
