"""Siloed clusters, expiring agreements and the whole linkage-gap run on tiny hand-built networks, answers by hand."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from network.analysis import gaps
from network.analysis.finding import SEVERITIES
from network.analysis.gaps import expiring_agreements, linkage_gaps, siloed_clusters
from tests.gaps_support import AS_OF, DAY, TREATMENT, keyed, link, net, org

# siloed_clusters --------------------------------------------------------------------------------------------


def _triangles(*extra: tuple[str, str]) -> nx.MultiDiGraph:
    pairs = ["ab", "bc", "ca", "de", "ef", "fd", *extra]
    return net([org(c, district="Waterberg" if c in "abc" else None) for c in "abcdefg"],
               [link(f"{u}{v}", u, v, "coordination") for u, v in pairs])


def test_two_triangles_joined_by_one_tie_are_both_siloed():
    found = siloed_clusters(_triangles("cd"), as_of=AS_OF)
    assert keyed(found, "severity", "organisations", "links", "district", "details") == [
        ("medium", ["a", "b", "c"], ["cd"], "Waterberg", {"size": 3, "external_ties": 1}),
        ("medium", ["d", "e", "f"], ["cd"], None, {"size": 3, "external_ties": 1}),
    ]


def test_unconnected_triangle_is_siloed_with_no_tie():
    found = siloed_clusters(_triangles(), as_of=AS_OF)
    assert keyed(found, "severity", "organisations", "details") == [
        ("high", ["a", "b", "c"], {"size": 3, "external_ties": 0}),
        ("high", ["d", "e", "f"], {"size": 3, "external_ties": 0})]


def test_two_ties_or_a_small_community_are_not_siloed():
    assert siloed_clusters(_triangles("cd", "be"), as_of=AS_OF) == []
    assert siloed_clusters(_triangles(), as_of=AS_OF, min_size=4) == []


def test_the_whole_network_is_not_a_silo():
    G = net([org(c) for c in "abc"], [link("ab", "a", "b", "mou"), link("bc", "b", "c", "mou")])
    assert siloed_clusters(G, as_of=AS_OF) == []


# expiring_agreements ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "severity"),
    [(0, "high"), (30, "high"), (31, "medium"), (60, "medium"), (61, "low"), (90, "low"), (91, None),
     (-1, None), (400, None)],
)
def test_expiring_window_and_severity(days, severity):
    end = AS_OF + dt.timedelta(days=days)
    G = net([org("a", name="Hope CBO"), org("b", name="Sizwe Clinic")],
            [link("m1", "a", "b", "mou", end_date=end)])
    found = expiring_agreements(G, as_of=AS_OF)
    if severity is None:
        assert found == []
    else:
        assert keyed(found, "severity", "links", "organisations", "details") == [
            (severity, ["m1"], ["a", "b"], {"end_date": end.isoformat(), "days_left": days, "kind": "mou"})]


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        ({"kind": "referral"}, True),
        ({"kind": "mou"}, True),
        ({"kind": "coordination"}, False),
        ({"kind": "membership"}, False),
        ({"kind": "funding"}, True),
        ({"kind": "secondment"}, True),
        ({"kind": "data_sharing"}, True),
        ({"kind": "mou", "status": "ended"}, False),
        ({"kind": "mou", "status": "expired"}, True),
        ({"kind": "mou", "status": "proposed"}, False),
        ({"kind": "mou", "start_date": AS_OF + DAY}, False),
        ({"kind": "mou", "end_date": None}, False),
    ],
)
def test_only_agreements_in_force_are_expiring(fields, flagged):
    G = net([org("a"), org("b")], [link("l1", "a", "b", **{"end_date": AS_OF + 10 * DAY, **fields})])
    assert len(expiring_agreements(G, as_of=AS_OF)) == int(flagged)


def test_agreement_with_an_inactive_organisation_is_not_expiring():
    G = net([org("a"), org("b", status="inactive")], [link("m1", "a", "b", "mou", end_date=AS_OF + DAY)])
    assert expiring_agreements(G, as_of=AS_OF) == []


def test_expiring_explanation_and_horizon():
    G = net([org("a", name="Hope CBO"), org("b", name="Sizwe Clinic")],
            [link("r1", "a", "b", end_date=AS_OF + 20 * DAY)])
    assert expiring_agreements(G, as_of=AS_OF, within_days=19) == []
    (finding,) = expiring_agreements(G, as_of=AS_OF, within_days=20)
    assert finding.explanation == ("The referral agreement from Hope CBO to Sizwe Clinic ends on 2026-01-21, "
                                   "in 20 days; renew it or agree what replaces it.")
    with pytest.raises(ValueError, match="within_days"):
        expiring_agreements(G, as_of=AS_OF, within_days=-1)


def test_as_of_defaults_to_today(monkeypatch):
    G = net([org("a"), org("b")], [link("m1", "a", "b", "mou", end_date=dt.date(2030, 3, 1))])
    monkeypatch.setattr(gaps, "today", lambda: dt.date(2030, 1, 1))
    assert keyed(expiring_agreements(G), "details") == [
        ({"end_date": "2030-03-01", "days_left": 59, "kind": "mou"},)]


def test_grants_expire_too_and_agreements_are_sorted_by_days_left():
    # Defect 4 of issue 9: a funding link ending 2026-12-20 was not listed.
    as_of = dt.date(2026, 11, 23)
    G = net([org("donor", name="Health Fund", kind="donor"), org("cbo", name="Hope CBO"), org("clinic")], [
        link("g1", "donor", "cbo", "funding", end_date=dt.date(2026, 12, 20)),
        link("m1", "cbo", "clinic", "mou", end_date=dt.date(2026, 12, 1)),
        link("d1", "clinic", "cbo", "data_sharing", end_date=dt.date(2026, 12, 10)),
    ])
    found = expiring_agreements(G, as_of=as_of)
    assert keyed(found, "links", "severity") == [(["m1"], "high"), (["d1"], "high"), (["g1"], "high")]
    assert found[2].explanation == ("The funding agreement from Health Fund to Hope CBO ends on 2026-12-20, "
                                    "in 27 days; renew it or agree what replaces it.")


# linkage_gaps -----------------------------------------------------------------------------------------------


#: The analyses linkage_gaps runs, in its order.
EVERY_GAP = [gaps.isolated, gaps.broken_cascades, gaps.uncovered, gaps.unreachable, gaps.single_points_of_failure,
             siloed_clusters, expiring_agreements]


def test_linkage_gaps_runs_every_analysis_in_one_order():
    G = net([
        org("cbo", district="Sekhukhune", services=["tb_screening"], populations=["mineworkers"]),
        org("cbo2", district="Sekhukhune", services=["tb_screening"], populations=["mineworkers"]),
        org("hub", district="Sekhukhune"),
        org("clinic", district="Sekhukhune", services=TREATMENT),
        org("lone", district="Sekhukhune", services=["art"]),
        *(org(c) for c in "xyz"),
    ], [
        link("r1", "cbo", "hub"), link("r2", "cbo2", "hub"),
        link("m1", "hub", "clinic", "mou", end_date=AS_OF + 40 * DAY),
        *(link(f"c{i}", u, v, "coordination") for i, (u, v) in enumerate(["xy", "yz", "zx"])),
    ])
    parts = [analysis(G, as_of=AS_OF) for analysis in EVERY_GAP]
    assert all(parts)
    combined = linkage_gaps(G, as_of=AS_OF)
    assert sorted(map(repr, combined)) == sorted(repr(f) for part in parts for f in part)
    ranks = [SEVERITIES.index(f.severity) for f in combined]
    assert ranks == sorted(ranks)
    assert combined == linkage_gaps(G, as_of=AS_OF)
    assert all(f.explanation.endswith(".") and f.organisations for f in combined)


@pytest.mark.parametrize("function", [linkage_gaps, *EVERY_GAP])
def test_empty_network_has_no_gaps(function):
    assert function(nx.MultiDiGraph(), as_of=AS_OF) == []
