"""The coordination report: one JSON-ready document and its Markdown, HTML and CSV forms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from network.analysis.duplication import duplication
from network.analysis.gaps import linkage_gaps
from network.analysis.report import (
    FINDING_TYPES,
    MONITORING_TYPES,
    SURVEY_TYPES,
    coordination_report,
    finding_rows,
    report_html,
    report_markdown,
)
from network.graph.project import build_graph
from network.model import Link, Organisation

AS_OF = dt.date(2026, 1, 1)
XSS = "<script>alert(1)</script>"


def org(id, name, province, district, services=(), populations=(), **fields):
    return Organisation(id, name, fields.pop("kind", "cbo"), province=province, district=district,
                        services=list(services), populations=list(populations), **fields)


@pytest.fixture(scope="module")
def G():
    """A network with one or more findings of every type.

    Limpopo (Waterberg): two records of one CBO (same phone, near-identical
    names) both screen mineworkers for TB, both funded by one national fund for
    it (duplicate_record, service_overlap, funding_overlap); neither refers to
    Sizwe Clinic, which treats TB (broken_cascade, unreachable); nobody offers
    silicosis screening (uncovered). Free State (Mangaung): two CBOs reach a
    clinic only through a forum (single_point_of_failure); the four have no
    other tie (siloed_cluster) and one CBO's MoU ends in 30 days
    (expiring_agreement). Gauteng: an organisation named like a script, with
    no link at all (isolated). Across borders (issue 14): Hope CBO serves
    mineworkers from Mozambique with no partner there (cross_border_gap), does
    community-led monitoring unheard by any health department in Limpopo
    (area_unlinked) and sends TB notifications to a regional body that sends
    nothing back (one_way_data).
    """
    orgs = [
        org("hope", "Hope CBO", "Limpopo", "Waterberg", ["tb_screening"], ["mineworkers"], phone="0150000001",
            countries_served=["MZ"], intervention_areas=["community_led_monitoring"]),
        org("hope2", "Hope C.B.O.", "Limpopo", "Waterberg", ["tb_screening"], ["mineworkers"], phone="0150000001"),
        org("sizwe", "Sizwe Clinic", "Limpopo", "Waterberg", ["tb_treatment", "tb_adherence_support",
                                                            "tb_contact_tracing"], kind="clinic"),
        Organisation("fund", "Mining Fund", "donor"),
        org("kgotso", "Kgotso CBO", "Free State", "Mangaung", ["tb_screening"], ["ex_mineworkers"]),
        org("lesedi", "Lesedi CBO", "Free State", "Mangaung", ["tb_screening"], ["ex_mineworkers"]),
        org("forum", "Mangaung Forum", "Free State", "Mangaung", kind="other"),
        org("clinic", "Mangaung Clinic", "Free State", "Mangaung", ["tb_treatment", "tb_adherence_support",
                                                                    "tb_contact_tracing"], kind="clinic"),
        org("xss", XSS, "Gauteng", "City of Johannesburg", ["peer_education"]),
        Organisation("desk", "Regional Health Desk", "regional_body", country="BW"),
    ]
    links = [
        Link("f1", "fund", "hope", "funding", services=["tb_screening"]),
        Link("f2", "fund", "hope2", "funding", services=["tb_screening"]),
        Link("c1", "sizwe", "fund", "coordination"),
        Link("m1", "kgotso", "forum", "mou", end_date=AS_OF + dt.timedelta(days=30)),
        Link("m2", "forum", "clinic", "mou"),
        Link("m3", "lesedi", "forum", "mou"),
        Link("d1", "hope", "desk", "data_sharing", data=["tb_notifications"]),
    ]
    return build_graph(orgs, links)


@pytest.fixture(scope="module")
def report(G):
    return coordination_report(G, as_of=AS_OF)


def test_report_holds_every_finding_type_of_the_parts(G, report):
    parts = [*linkage_gaps(G, as_of=AS_OF), *duplication(G, as_of=AS_OF)]
    assert {f.type for f in parts} == set(FINDING_TYPES) - set(MONITORING_TYPES) - set(SURVEY_TYPES)  # the graph's own
    assert [f["type"] for f in report["findings"]].count("isolated") == 1
    assert sorted(json.dumps(f, sort_keys=True) for f in report["findings"]) == sorted(
        json.dumps(f.to_dict(), sort_keys=True) for f in parts)
    assert report["summary"]["by_type"] == {t: sum(f.type == t for f in parts) for t in FINDING_TYPES}
    assert sum(report["summary"]["by_severity"].values()) == report["summary"]["findings"] == len(parts)


def test_report_is_json_ready_and_ordered(report):
    assert json.loads(json.dumps(report)) == report
    assert list(report) == ["as_of", "province", "summary", "findings", "structure", "recommendations", "provinces"]
    assert report["as_of"] == "2026-01-01" and report["province"] is None
    assert list(report["findings"][0]) == ["type", "severity", "explanation", "organisations", "district",
                                           "population", "service", "links", "details"]
    ranks = [("high", "medium", "low").index(f["severity"]) for f in report["findings"]]
    assert ranks == sorted(ranks)


def test_summary_and_province_table(report):
    assert report["summary"]["organisations"] == 10 and report["summary"]["links"] == 7
    limpopo, free_state, gauteng = (report["provinces"][p] for p in ("Limpopo", "Free State", "Gauteng"))
    # Limpopo: three organisations (the fund and the regional desk have no province); its links are the
    # funding of two Limpopo CBOs, Sizwe's forum tie with the fund and Hope's data sent to the desk.
    assert (limpopo["organisations"], limpopo["links"]) == (3, 4)
    assert limpopo["cross_border_gap"] == limpopo["one_way_data"] == limpopo["area_unlinked"] == 1
    assert (free_state["organisations"], free_state["links"]) == (4, 3)
    assert (gauteng["organisations"], gauteng["links"], gauteng["isolated"]) == (1, 0, 1)
    assert limpopo["duplicate_record"] == limpopo["funding_overlap"] == 1
    assert free_state["expiring_agreement"] == free_state["siloed_cluster"] == 1
    assert report["provinces"]["Western Cape"] == {"organisations": 0, "links": 0, **dict.fromkeys(FINDING_TYPES, 0)}


def test_one_province_keeps_its_findings_only(G, report):
    free_state = coordination_report(G, as_of=AS_OF, province="Free State")
    assert list(free_state["provinces"]) == ["Free State"]
    assert {f["district"] for f in free_state["findings"]} == {"Mangaung"}
    assert free_state["summary"]["organisations"] == 4 and free_state["summary"]["links"] == 3
    assert free_state["structure"]["nodes"] == 4
    assert free_state["summary"]["by_type"]["isolated"] == 0       # the isolated one is in Gauteng
    expected = [f for f in report["findings"] if f["district"] == "Mangaung"]
    assert free_state["findings"] == expected


def test_a_finding_without_district_counts_in_its_organisations_provinces():
    G = build_graph([org("a", "A", "Limpopo", None), org("b", "B", "Gauteng", None)],
                    [Link("m", "a", "b", "mou", end_date=AS_OF + dt.timedelta(days=5))])
    report = coordination_report(G, as_of=AS_OF)
    assert report["provinces"]["Limpopo"]["expiring_agreement"] == report["provinces"]["Gauteng"][
        "expiring_agreement"] == 1
    assert report["summary"]["findings"] == 1
    only = coordination_report(G, as_of=AS_OF, province="Gauteng")
    assert [f["type"] for f in only["findings"]] == ["expiring_agreement"]


def test_unknown_province_is_refused(G):
    with pytest.raises(ValueError, match="Atlantis"):
        coordination_report(G, as_of=AS_OF, province="Atlantis")


def test_recommendations_close_reported_gaps(report):
    first = report["recommendations"][0]
    assert (first["source"], first["target"]) in {("hope", "sizwe"), ("hope2", "sizwe"), ("kgotso", "clinic")}
    assert all(c["type"] in ("broken_cascade", "unreachable", "uncovered", "isolated") for c in first["closes"])


def test_html_is_standalone_and_escapes_every_value(report):
    page = report_html(report)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert XSS not in page and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for forbidden in ("http://", "https://", "<link", " src=", "@import", "url("):
        assert forbidden not in page
    assert "<style>" in page and "<h2>By province</h2>" in page
    assert page.count("<h3>") == len(FINDING_TYPES) - len(MONITORING_TYPES) - len(SURVEY_TYPES)  # grouped by type


def test_markdown_escapes_and_groups_by_type(report):
    text = report_markdown(report)
    assert XSS not in text and "\\<script\\>alert(1)\\</script\\>" in text
    assert "| Limpopo | 3 | 4 |" in text
    for kind in ("Isolated organisations", "Broken care cascades", "Funding overlaps"):  # types by their labels
        assert f"### {kind} (" in text


@pytest.mark.parametrize("render", [report_markdown, report_html])
def test_long_lists_are_cut_with_a_count(report, render):
    broken = sum(f["type"] == "broken_cascade" for f in report["findings"])
    assert broken >= 2
    assert f"and {broken - 1} more" in render(report, shown=1)


def test_finding_rows_are_flat_and_csv_ready(report):
    rows = finding_rows(report)
    assert len(rows) == len(report["findings"])
    assert all(list(row) == ["type", "severity", "organisations", "district", "population", "service", "links",
                             "explanation", "details"] for row in rows)
    assert all(isinstance(v, str) for row in rows for v in row.values())
    expiring = next(r for r in rows if r["type"] == "expiring_agreement")
    assert (expiring["organisations"], expiring["links"], expiring["population"]) == ("kgotso;forum", "m1", "")
    assert json.loads(expiring["details"]) == {"end_date": "2026-01-31", "days_left": 30, "kind": "mou"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == rows
