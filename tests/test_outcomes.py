"""Referral outcomes: completion figures and the failing_route and paper_agreement findings, on a hand-built case.

The case (as of 30 June 2026; the 6-month window starts 30 December 2025):

* organisations a Hope CBO and b Sizwe Clinic (Sekhukhune), c Lethu Legal (Waterberg), d Ikageng CBO;
* links: l1 a->b referral, m2 a-c MoU, m5 d-c MoU, l7 a->d referral, l8 b->d referral (all in force since 2025),
  l3 d->b referral starting 1 February 2026 (inside the window, so not judged);
* referrals in the window: 12 from a to b along l1 created 1 March 2026 (4 completed after 2, 4, 6 and 10 days,
  5 declined: 3 for no documents and 2 full, 2 lost to follow-up, 1 received), 3 from a to c along m2 (completed
  after 3, 5 and 7 days), 10 from d to b without an agreement (6 completed after 1..6 days, 4 sent); and one from
  a to b in June 2025, before the window.

The right answers:

* per agreement: l1 has 12 referrals, 4 completed (rate 4/12 = 0.3333), median 5 days (of 2, 4, 6, 10);
  m2 has 3, all completed, median 5 days;
* per provider: b has 22 referrals, 10 completed (0.4545), median 4 days (of 1, 2, 2, 3, 4, 4, 5, 6, 6, 10);
* per district: Sekhukhune as b, Waterberg as c (3 referrals, rate 1.0); the total is 25 referrals;
* failing_route: a->b only (0.33 < 0.5 with 12 >= 10 referrals; d->b completes 0.6), medium severity (not under 0.25);
* paper_agreement: m5 (d sent 10 referrals elsewhere, medium) and l7 (a sent 15 elsewhere, medium); not l1 or m2
  (used), not l8 (b, its only sender, sent nothing), not l3 (began inside the window).
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from network.analysis.outcomes import (
    failing_routes,
    in_window,
    outcome_figures,
    outcome_findings,
    outcomes,
    paper_agreements,
)
from network.referrals import Referral, StatusChange

AS_OF = dt.date(2026, 6, 30)
DAY = dt.date(2026, 3, 1)


def graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for node, name, district in (("a", "Hope CBO", "Sekhukhune"), ("b", "Sizwe Clinic", "Sekhukhune"),
                                 ("c", "Lethu Legal", "Waterberg"), ("d", "Ikageng CBO", None)):
        G.add_node(node, name=name, district=district, status="active")
    since = dt.date(2025, 1, 1)
    for u, v, key, kind, start in (("a", "b", "l1", "referral", since), ("a", "c", "m2", "mou", since),
                                   ("d", "c", "m5", "mou", since), ("a", "d", "l7", "referral", since),
                                   ("b", "d", "l8", "referral", since),
                                   ("d", "b", "l3", "referral", dt.date(2026, 2, 1))):
        G.add_edge(u, v, key=key, kind=kind, status="active", start_date=start)
    return G


def ref(code: str, source: str, target: str, *, link: str | None, created: dt.date = DAY,
        end: str | None = None, days: int = 0, reason: str | None = None) -> Referral:
    history = [StatusChange("sent", created, source)]
    later = created + dt.timedelta(days=days)
    steps = {None: [], "received": ["received"], "completed": ["received", "accepted", "completed"],
             "declined": ["received", "declined"], "lost_to_follow_up": ["lost_to_follow_up"]}[end]
    history += [StatusChange(s, later, target, reason if s == "declined" else None) for s in steps]
    return Referral(code, source, target, ["tb_treatment"], created, link=link, history=history)


def referrals() -> list[Referral]:
    made = [ref(f"AB{d}", "a", "b", link="l1", end="completed", days=d) for d in (2, 4, 6, 10)]
    made += [ref(f"ABN{i}", "a", "b", link="l1", end="declined", days=1, reason="no_documents") for i in range(3)]
    made += [ref(f"ABF{i}", "a", "b", link="l1", end="declined", days=1, reason="full") for i in range(2)]
    made += [ref(f"ABL{i}", "a", "b", link="l1", end="lost_to_follow_up", days=30) for i in range(2)]
    made += [ref("ABR", "a", "b", link="l1", end="received", days=1)]
    made += [ref(f"AC{d}", "a", "c", link="m2", end="completed", days=d) for d in (3, 5, 7)]
    made += [ref(f"DB{d}", "d", "b", link=None, end="completed", days=d) for d in range(1, 7)]
    made += [ref(f"DBS{i}", "d", "b", link=None) for i in range(4)]
    made += [ref("OLD", "a", "b", link="l1", created=dt.date(2025, 6, 1), end="completed", days=3)]
    return made


def test_figures_per_agreement_provider_and_district() -> None:
    figures = outcome_figures(referrals(), graph(), as_of=AS_OF)
    assert figures["since"] == dt.date(2025, 12, 30) and figures["total"].referrals == 25
    l1 = figures["agreement"]["l1"]
    assert (l1.referrals, l1.completed, l1.declined, l1.lost, l1.open) == (12, 4, 5, 2, 1)
    assert (l1.completion_rate, l1.median_days) == (0.3333, 5)
    assert (figures["agreement"]["m2"].completion_rate, figures["agreement"]["m2"].median_days) == (1.0, 5)
    assert set(figures["agreement"]) == {"l1", "m2"}
    b = figures["provider"]["b"]
    assert (b.referrals, b.completed, b.completion_rate, b.median_days) == (22, 10, 0.4545, 4)
    assert figures["district"]["Sekhukhune"] == b
    assert figures["district"]["Waterberg"].completion_rate == 1.0


def test_failing_route_is_the_one_route_mostly_not_completed() -> None:
    (found,) = failing_routes(graph(), referrals(), as_of=AS_OF)
    assert (found.type, found.organisations, found.links, found.severity) == ("failing_route", ["a", "b"],
                                                                              ["l1"], "medium")
    assert found.district == "Sekhukhune" and found.details["declined_reasons"] == {"no_documents": 3, "full": 2}
    assert found.explanation == (
        "Only 4 of 12 referrals from Hope CBO to Sizwe Clinic in the last 6 months were completed; 5 were turned "
        "away (3: no ID or other documents, 2: full: no space or capacity); 2 were lost to follow-up.")
    assert failing_routes(graph(), referrals(), as_of=AS_OF, at_least=13) == []
    assert [f.organisations for f in failing_routes(graph(), referrals(), as_of=AS_OF, below=0.7)] == [
        ["a", "b"], ["d", "b"]]


def test_paper_agreements_are_the_unused_ones_whose_partners_refer_elsewhere() -> None:
    found = paper_agreements(graph(), referrals(), as_of=AS_OF)
    assert sorted((f.links[0], f.details["sent_elsewhere"], f.severity) for f in found) == [
        ("l7", {"a": 15}, "medium"), ("m5", {"d": 10}, "medium")]
    m5 = next(f for f in found if f.links == ["m5"])
    assert m5.explanation == ("The MoU between Ikageng CBO and Lethu Legal is in force, but no referral went "
                              "between them in the last 6 months while Ikageng CBO sent 10 referrals to other "
                              "organisations.")
    assert [f.links for f in paper_agreements(graph(), referrals(), as_of=AS_OF, elsewhere=11)] == [["l7"]]


def test_outcome_findings_join_both_kinds() -> None:
    assert sorted(f.type for f in outcome_findings(graph(), referrals(), as_of=AS_OF)) == [
        "failing_route", "paper_agreement", "paper_agreement"]


def _referral(i: int, end: str | None, days: int, offset: int) -> Referral:
    return ref(f"R{i}", f"s{i % 3}", f"t{i % 4}", link=f"l{i % 2}", created=AS_OF - dt.timedelta(days=offset),
               end=end, days=min(days, offset))


@given(st.lists(st.tuples(st.sampled_from([None, "received", "completed", "declined", "lost_to_follow_up"]),
                          st.integers(0, 40), st.integers(0, 400)), max_size=40))
def test_figures_add_up_whatever_the_referrals(specs) -> None:
    made = [_referral(i, end, days, offset) for i, (end, days, offset) in enumerate(specs)]
    window = in_window(made, as_of=AS_OF)
    by_provider = outcomes(window, lambda r: r.target)
    assert sum(o.referrals for o in by_provider.values()) == len(window)
    for o in by_provider.values():
        assert o.completed + o.declined + o.lost + o.open == o.referrals
        assert 0 <= o.completion_rate <= 1
        assert o.median_days is None or o.median_days >= 0


def test_pathway_cost_weighs_observed_completion_on_routes_with_enough_referrals() -> None:
    """Known answer: hope refers to two clinics for TB treatment, both formal referral agreements.

    Without outcomes, Busi Clinic (weight 5: a hop of 1.0 - 2 x 0.05 = 0.9) comes before Cebo Clinic (weight 3:
    1.0). Hope -> Busi has 12 referrals, 2 completed (rate 0.1667: the step costs 2 x (0.75 - 0.1667) = 1.1666
    more, 2.0666); Hope -> Cebo has 10, 9 completed (0.9: 2 x (0.75 - 0.9) = -0.3, so 0.7). So Cebo comes first,
    and each step says how its referrals went. With 9 referrals on each route, nothing changes.
    """
    from network.analysis.outcomes import CompletionRule
    from network.analysis.pathways import referral_pathways

    G = nx.MultiDiGraph()
    G.add_node("hope", name="Hope CBO", services=["tb_screening"], populations=["mineworkers"])
    G.add_node("busi", name="Busi Clinic", services=["tb_treatment"])
    G.add_node("cebo", name="Cebo Clinic", services=["tb_treatment"])
    G.add_edge("hope", "busi", key="r-busi", kind="referral", status="active", formal=True, weight=5)
    G.add_edge("hope", "cebo", key="r-cebo", kind="referral", status="active", formal=True, weight=3)
    made = [ref(f"B{i}", "hope", "busi", link="r-busi", end="completed" if i < 2 else "declined", days=3,
                reason="full") for i in range(12)]
    made += [ref(f"C{i}", "hope", "cebo", link="r-cebo", end="completed" if i < 9 else "lost_to_follow_up", days=4)
             for i in range(10)]
    routes = outcomes(in_window(made, as_of=AS_OF), lambda r: (r.source, r.target))

    def plans(rules):
        found = referral_pathways(G, population="mineworkers", start="hope", needs=["tb_screening", "tb_treatment"],
                                  as_of=AS_OF, k=2, rules=rules)
        return [(p.steps[1].organisation, round(p.steps[1].hop_cost, 4), p.steps[1].notes) for p in found]

    assert plans([]) == [("busi", 0.9, []), ("cebo", 1.0, [])]
    assert plans([CompletionRule(routes)]) == [
        ("cebo", 0.7, ["9 of 10 referrals on this route were completed in the last 6 months."]),
        ("busi", 2.0666, ["2 of 12 referrals on this route were completed in the last 6 months."])]
    fewer = outcomes(in_window([r for r in made if r.code not in ("B0", "B2", "B3", "C9")], as_of=AS_OF),
                     lambda r: (r.source, r.target))
    assert (fewer[("hope", "busi")].referrals, fewer[("hope", "cebo")].referrals) == (9, 9)
    assert plans([CompletionRule(fewer)]) == [("busi", 0.9, []), ("cebo", 1.0, [])]
