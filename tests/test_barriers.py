"""Known answers for ``repeated_barrier`` and the recent barriers at a facility, on hand-built reports."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from network.analysis.agenda import agenda
from network.analysis.barriers import recent_barriers, repeated_barriers
from network.analysis.report import coordination_report
from network.monitoring import MonitoringReport

AS_OF = dt.date(2026, 6, 30)


def graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("clinic", name="Jane Furse Clinic", kind="clinic", district="Sekhukhune", status="active")
    G.add_node("other", name="Tubatse Clinic", kind="clinic", district="Sekhukhune", status="active")
    G.add_node("mon", name="Sekhukhune Monitors", kind="cbo", district="Sekhukhune", status="active")
    G.add_node("mon2", name="Miners Watch", kind="cbo", district="Sekhukhune", status="active")
    return G


def visit(n: int, days_ago: int, barriers: list[str], *, facility: str = "clinic", monitor: str = "mon",
          escalation: str = "raised_with_facility") -> MonitoringReport:
    return MonitoringReport(f"r{n}", monitor, facility, AS_OF - dt.timedelta(days=days_ago), barriers,
                            escalation=escalation)


def test_three_open_reports_in_90_days_make_one_finding() -> None:
    reports = [visit(1, 80, ["stockout"]), visit(2, 40, ["stockout", "long_wait"], monitor="mon2"),
               visit(3, 5, ["stockout"], escalation="raised_with_district"), visit(4, 6, ["long_wait"])]
    found = repeated_barriers(graph(), reports, as_of=AS_OF)
    # stockout: 3 open reports (answer: one finding); long_wait: 2 (answer: none)
    assert len(found) == 1
    f = found[0]
    assert (f.type, f.severity, f.organisations, f.district) == ("repeated_barrier", "medium",
                                                                 ["clinic", "mon", "mon2"], "Sekhukhune")
    assert f.details["barrier"] == "stockout" and f.details["reports"] == 3
    assert (f.details["first"], f.details["last"]) == (AS_OF - dt.timedelta(days=80), AS_OF - dt.timedelta(days=5))
    assert f.details["escalation"] == "raised_with_district"
    assert f.details["report_ids"] == ["r1", "r2", "r3"]
    assert "Jane Furse Clinic" in f.explanation and "3 times" in f.explanation
    assert "Medicines or tests out of stock" in f.explanation and "stockout" not in f.explanation


def test_a_report_90_days_old_is_outside_the_window() -> None:
    reports = [visit(1, 90, ["stigma"]), visit(2, 30, ["stigma"]), visit(3, 1, ["stigma"])]
    assert repeated_barriers(graph(), reports, as_of=AS_OF) == []
    assert len(repeated_barriers(graph(), [visit(0, 89, ["stigma"]), *reports[1:]], as_of=AS_OF)) == 1


def test_a_resolution_settles_the_reports_before_it() -> None:
    reports = [visit(1, 60, ["refused_no_documents"]), visit(2, 50, ["refused_no_documents"]),
               visit(3, 40, ["refused_no_documents"]), visit(4, 30, ["refused_no_documents"], escalation="resolved")]
    assert repeated_barriers(graph(), reports, as_of=AS_OF) == []
    later = [visit(5, 20, ["refused_no_documents"]), visit(6, 10, ["refused_no_documents"]),
             visit(7, 2, ["refused_no_documents"])]
    found = repeated_barriers(graph(), reports + later, as_of=AS_OF)
    assert [f.details["report_ids"] for f in found] == [["r5", "r6", "r7"]]


def test_facilities_count_apart_and_six_reports_are_high() -> None:
    reports = [visit(i, i * 3, ["long_wait"]) for i in range(1, 7)]
    reports += [visit(10 + i, i, ["long_wait"], facility="other") for i in range(1, 3)]
    found = repeated_barriers(graph(), reports, as_of=AS_OF)
    assert [(f.organisations[0], f.details["reports"], f.severity) for f in found] == [("clinic", 6, "high")]


def test_reports_after_as_of_do_not_count() -> None:
    reports = [visit(1, 10, ["no_privacy"]), visit(2, 5, ["no_privacy"]), visit(3, -3, ["no_privacy"])]
    assert repeated_barriers(graph(), reports, as_of=AS_OF) == []


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        repeated_barriers(graph(), [], as_of=AS_OF, at_least=0)


def test_recent_barriers_per_facility() -> None:
    reports = [visit(1, 20, ["long_wait", "stigma"]), visit(2, 10, ["long_wait"]),
               visit(3, 5, ["stigma"], escalation="resolved"), visit(4, 3, ["closed_in_hours"], facility="other"),
               visit(5, 200, ["stockout"])]
    shown = recent_barriers(reports, as_of=AS_OF)
    assert [(b["barrier"], b["times"], b["label"]) for b in shown["clinic"]] == [("long_wait", 2, "Very long wait")]
    assert [b["barrier"] for b in shown["other"]] == ["closed_in_hours"]
    assert shown["clinic"][0]["escalation_label"] == "Raised with the facility"


def test_repeated_barriers_become_one_agenda_item_per_facility() -> None:
    reports = [visit(i, i, ["stockout", "long_wait"]) for i in range(1, 4)]
    found = repeated_barriers(graph(), reports, as_of=AS_OF)
    assert len(found) == 2
    items = agenda(found, graph(), as_of=AS_OF)
    assert len(items) == 1
    item = items[0]
    assert item.action == "raise_barrier" and item.organisations == ["clinic"]
    assert item.what == ("Take up 'Very long wait' and 'Medicines or tests out of stock' at Jane Furse Clinic "
                         "with the facility and the district")
    assert "6 times" in item.why and "2 barriers met again and again at facilities" in item.why
    assert item.to_dict()["action_label"] == "Take up a repeated barrier"


def test_the_report_counts_repeated_barriers_given_to_it() -> None:
    found = repeated_barriers(graph(), [visit(i, i, ["stigma"]) for i in range(1, 4)], as_of=AS_OF)
    report = coordination_report(graph(), as_of=AS_OF, extra=found)
    assert report["summary"]["by_type"]["repeated_barrier"] == 1
    assert report["provinces"]["Limpopo"]["repeated_barrier"] == 1
    assert [f["type"] for f in report["findings"]].count("repeated_barrier") == 1


@given(st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["stockout", "stigma"]), st.booleans()),
                max_size=12))
def test_each_finding_counts_at_least_three_open_reports_in_the_window(visits) -> None:
    reports = [visit(i, days, [barrier], escalation="resolved" if done else "raised_with_facility")
               for i, (days, barrier, done) in enumerate(visits)]
    for f in repeated_barriers(graph(), reports, as_of=AS_OF):
        counted = [r for r in reports if r.id in f.details["report_ids"]]
        assert len(counted) == f.details["reports"] >= 3
        assert all(r.escalation != "resolved" and 0 <= (AS_OF - r.observed_on).days < 90 for r in counted)
