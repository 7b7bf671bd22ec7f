"""Known answers and properties of the tie survey aggregates (network.analysis.ties)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from network.analysis.ties import (
    compare_rounds,
    network_scores,
    organisation_scores,
    public_results,
    response_rate,
    round_results,
    tie_scores,
)
from network.surveys import TieRating


def r(respondent: str, partner: str, value: tuple[int, int, int], trust: tuple[int, int, int],
      contributes: tuple[str, ...] = ()) -> TieRating:
    return TieRating("r1", respondent, partner, *value, *trust, contributes=list(contributes))


# A hand-built round: the clinic is rated by three CBOs and the hospital; the hospital by the clinic only.
#   cbo-a -> clinic  value (4, 4, 4) = 4      trust (2, 2, 2) = 2
#   cbo-b -> clinic  value (3, 3, 3) = 3      trust (3, 3, 3) = 3
#   cbo-c -> clinic  value (2, 2, 2) = 2      trust (4, 4, 4) = 4
#   hospital -> clinic  value (1, 2, 3) = 2   trust (1, 1, 1) = 1
#   clinic -> hospital  value (4, 4, 1) = 3   trust (4, 3, 2) = 3
ROUND = [
    r("cbo-a", "clinic", (4, 4, 4), (2, 2, 2), ("referrals",)),
    r("cbo-b", "clinic", (3, 3, 3), (3, 3, 3), ("referrals", "staff")),
    r("cbo-c", "clinic", (2, 2, 2), (4, 4, 4)),
    r("hospital", "clinic", (1, 2, 3), (1, 1, 1), ("funding",)),
    r("clinic", "hospital", (4, 4, 1), (4, 3, 2), ("referrals",)),
]
INVITED = ["cbo-a", "cbo-b", "cbo-c", "cbo-d", "clinic", "hospital", "donor", "forum"]


def test_organisation_scores_are_means_of_what_others_said():
    scores = organisation_scores(ROUND)
    # clinic: value (4 + 3 + 2 + 2) / 4 = 2.75, trust (2 + 3 + 4 + 1) / 4 = 2.5, four organisations rated it
    assert scores["clinic"]["value"] == pytest.approx(2.75)
    assert scores["clinic"]["trust"] == pytest.approx(2.5)
    assert scores["clinic"]["respondents"] == 4
    # its resource contribution item alone: (4 + 3 + 2 + 3) / 4 = 3.0
    assert scores["clinic"]["items"]["resources"] == pytest.approx(3.0)
    assert scores["hospital"]["value"] == pytest.approx(3.0) and scores["hospital"]["trust"] == pytest.approx(3.0)
    assert scores["hospital"]["respondents"] == 1
    assert set(scores) == {"clinic", "hospital"}  # nobody rated the CBOs


def test_tie_scores_are_the_mean_of_each_side():
    ties = tie_scores(ROUND)
    both = ties[("clinic", "hospital")]
    # the hospital's side: value 2, trust 1; the clinic's side: value 3, trust 3; the tie: 2.5 and 2.0
    assert both["sides"]["hospital"]["value"] == pytest.approx(2.0)
    assert both["sides"]["clinic"]["trust"] == pytest.approx(3.0)
    assert (both["value"], both["trust"], both["respondents"]) == (pytest.approx(2.5), pytest.approx(2.0), 2)
    one = ties[("cbo-a", "clinic")]
    assert (one["value"], one["trust"], one["respondents"]) == (4.0, 2.0, 1)
    assert len(ties) == 4


def test_network_scores_and_response_rate():
    net = network_scores(ROUND)
    # value: (4 + 3 + 2 + 2 + 3) / 5 = 2.8; trust: (2 + 3 + 4 + 1 + 3) / 5 = 2.6 -> 65% of 4
    assert net["value"] == pytest.approx(2.8) and net["trust"] == pytest.approx(2.6)
    assert net["trust_percent"] == 65.0 and net["value_percent"] == 70.0
    assert net["respondents"] == 5 and net["answers"] == 5
    # referrals: cbo-a, cbo-b and the clinic; staff: cbo-b; funding: the hospital
    assert net["contributions"] == {"funding": 1, "referrals": 3, "staff": 1}
    # five of the eight invited answered
    assert response_rate(INVITED, ROUND) == {"invited": 8, "responded": 5, "rate": 0.625}
    assert network_scores([]) is None


def test_three_respondent_rule():
    public = public_results(round_results(INVITED, ROUND))
    # the clinic was rated by four organisations: shown; the hospital by one: withheld and listed
    assert set(public["organisations"]) == {"clinic"}
    assert public["withheld"] == ["hospital"]
    # no tie has three sides: every tie score is withheld
    assert public["ties"] == {}
    # five organisations answered: the network scores are shown
    assert public["network"]["trust"] == pytest.approx(2.6) and public["network_withheld"] is False
    # exactly three raters is enough; two is not
    three = [r(x, "hub", (3, 3, 3), (3, 3, 3)) for x in ("a", "b", "c")]
    assert set(public_results(round_results(["a", "b", "c"], three))["organisations"]) == {"hub"}
    two = public_results(round_results(["a", "b"], three[:2]))
    assert two["organisations"] == {} and two["withheld"] == ["hub"]
    assert two["network"] is None and two["network_withheld"] is True


def test_a_second_answer_from_the_same_organisation_does_not_count_as_a_second_respondent():
    # the rule counts organisations, not answers: a, a (about two partners) and b rated the network
    answers = [r("a", "x", (3, 3, 3), (3, 3, 3)), r("a", "y", (3, 3, 3), (3, 3, 3)), r("b", "x", (1, 1, 1), (1, 1, 1))]
    public = public_results(round_results(["a", "b"], answers))
    assert public["network"] is None and public["network_withheld"] is True


def test_compare_rounds():
    before = round_results(INVITED, ROUND)
    later = [*ROUND[:3], r("cbo-d", "clinic", (4, 4, 4), (4, 4, 4))]
    after = round_results(INVITED, later)
    change = compare_rounds(after, before)
    # the clinic: value 2.75 -> (4 + 3 + 2 + 4) / 4 = 3.25; trust 2.5 -> (2 + 3 + 4 + 4) / 4 = 3.25
    assert change["organisations"]["clinic"] == {"value": pytest.approx(0.5), "trust": pytest.approx(0.75)}
    assert "hospital" not in change["organisations"]  # not rated this round
    # network: value 2.8 -> 3.25, trust 2.6 -> 3.25; response 5/8 -> 4/8
    assert change["network"] == {"value": pytest.approx(0.45), "trust": pytest.approx(0.65)}
    assert change["response"] == pytest.approx(-0.125)
    # the public comparison compares public results: the hospital never appears
    public = compare_rounds(public_results(after), public_results(before))
    assert set(public["organisations"]) == {"clinic"}


answer = st.integers(1, 4)
orgs = st.sampled_from(["a", "b", "c", "d", "e"])
ratings = st.lists(
    st.builds(lambda x, y, v, t: r(x, y, v, t), orgs, orgs, st.tuples(answer, answer, answer),
              st.tuples(answer, answer, answer)).filter(lambda t: t.respondent != t.partner),
    max_size=30,
).map(lambda rs: list({x.key: x for x in rs}.values()))


@given(ratings)
def test_every_mean_lies_on_the_scale(rs):
    results = round_results(["a", "b", "c", "d", "e"], rs)
    groups = [*results["ties"].values(), *results["organisations"].values()]
    if results["network"]:
        groups.append(results["network"])
    for g in groups:
        assert 1 <= g["value"] <= 4 and 1 <= g["trust"] <= 4
    assert 0 <= results["response"]["rate"] <= 1


@given(ratings, ratings)
def test_withholding_is_monotone(rs, more):
    """More answers never hide an aggregate that fewer answers showed."""
    keys = {x.key for x in rs}
    bigger = rs + [x for x in more if x.key not in keys]
    small = public_results(round_results([], rs))
    large = public_results(round_results([], bigger))
    assert set(small["organisations"]) <= set(large["organisations"])
    assert set(small["ties"]) <= set(large["ties"])
    assert small["network"] is None or large["network"] is not None
