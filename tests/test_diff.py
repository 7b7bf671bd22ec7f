"""Change over time: the pure diff of two moments, and ``cssnet diff`` / the API / the page on a store changed
through the API between two moments (a real SQLite file)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from network.analysis.changes import closed_items, describe_version, finding_changes, record_changes
from network.cli import cli
from network.model import Link, Organisation
from tests.api_support import Env, between, write

DAY = dt.date(2026, 6, 1)
LATER = dt.date(2026, 9, 1)


def orgs() -> list[Organisation]:
    return [Organisation("a", "Hope CBO", "cbo"), Organisation("b", "Sizwe Clinic", "clinic"),
            Organisation("c", "Thusong HBC", "cbo")]


def changes_of(before_orgs, before_links, after_orgs, after_links) -> set[tuple[str, str, str]]:
    found = record_changes(before_orgs, before_links, after_orgs, after_links, since=DAY, until=LATER)
    return {(c.change, c.entity, c.id) for c in found}


def test_each_kind_of_change_between_two_moments_and_nothing_else():
    before_links = [
        Link("kept", "a", "b", "referral", end_date=dt.date(2027, 1, 1)),
        Link("ended", "a", "b", "mou"),
        Link("deleted", "b", "c", "referral"),
        Link("lapsed", "a", "c", "mou", end_date=dt.date(2026, 7, 31)),
        Link("renewed", "b", "a", "referral", end_date=dt.date(2026, 7, 31)),
        Link("shortened", "c", "a", "referral", end_date=dt.date(2027, 3, 1)),
        Link("marked", "c", "b", "mou"),
        Link("old", "c", "b", "funding", status="expired", end_date=dt.date(2025, 1, 1)),
    ]
    after_links = [
        Link("kept", "a", "b", "referral", end_date=dt.date(2027, 1, 1), notes="checked"),
        Link("ended", "a", "b", "mou", status="ended"),
        Link("lapsed", "a", "c", "mou", end_date=dt.date(2026, 7, 31)),
        Link("renewed", "b", "a", "referral", end_date=dt.date(2027, 7, 31)),
        Link("shortened", "c", "a", "referral", end_date=dt.date(2026, 12, 1)),
        Link("marked", "c", "b", "mou", status="expired", end_date=dt.date(2026, 8, 1)),
        Link("old", "c", "b", "funding", status="expired", end_date=dt.date(2025, 1, 1)),
        Link("new", "a", "d", "referral"),
    ]
    after_orgs = [*orgs()[:2], Organisation("c", "Thusong HBC", "cbo", status="inactive"),
                  Organisation("d", "Dignity Clinic", "clinic")]
    assert changes_of(orgs(), before_links, after_orgs, after_links) == {
        ("added", "organisation", "d"), ("added", "link", "new"),
        ("closed", "organisation", "c"), ("closed", "link", "ended"), ("closed", "link", "deleted"),
        ("expired", "link", "lapsed"), ("expired", "link", "marked"),
        ("renewed", "link", "renewed"),
    }


def test_changes_are_said_in_plain_words_with_names_and_labels():
    before = [Link("r1", "a", "b", "referral", end_date=dt.date(2026, 7, 31)), Link("m1", "a", "c", "mou")]
    after = [Link("r1", "a", "b", "referral", end_date=dt.date(2027, 7, 31))]
    found = record_changes(orgs(), before, orgs()[:2], after, since=DAY, until=LATER)
    assert [c.explanation for c in found] == [
        "Thusong HBC removed from the register.",
        "MoU between Hope CBO and Thusong HBC removed from the register.",
        "Referral agreement from Hope CBO to Sizwe Clinic renewed: it now ends on 31 July 2027 (was 31 July 2026).",
    ]


def test_a_record_that_did_not_change_is_not_listed():
    links = [Link("l1", "a", "b", "mou", end_date=dt.date(2027, 1, 1))]
    assert record_changes(orgs(), links, orgs(), links, since=DAY, until=LATER) == []


def test_version_changes_use_labels_not_codes():
    old = Organisation("a", "Hope CBO", "cbo", services=["tb_screening", "hiv_testing"], populations=["msm"])
    new = Organisation("a", "Hope Community Organisation", "ngo", services=["tb_screening", "art"],
                       populations=["msm"], status="inactive")
    assert describe_version(old, new) == [
        "Name changed from Hope CBO to Hope Community Organisation.",
        "Kind changed from community-based organisation to non-governmental organisation.",
        "Services: added antiretroviral therapy; removed HIV testing.",
        "Status changed from active to inactive.",
    ]
    assert describe_version(new, None) == ["Deleted: Hope Community Organisation (non-governmental organisation)."]


def test_findings_compared_by_type_organisations_service_and_population():
    before = [{"type": "uncovered", "organisations": [], "district": "Sekhukhune", "service": "art",
               "population": "msm", "explanation": "old words"},
              {"type": "isolated", "organisations": ["a"], "service": None, "population": None}]
    after = [{"type": "uncovered", "organisations": [], "district": "Sekhukhune", "service": "art",
              "population": "msm", "explanation": "new words"},
             {"type": "isolated", "organisations": ["b"], "service": None, "population": None}]
    appeared, resolved = finding_changes(before, after)
    assert [f["organisations"] for f in appeared] == [["b"]]
    assert [f["organisations"] for f in resolved] == [["a"]]


def test_agenda_items_closed_are_those_whose_root_cause_is_gone():
    item = SimpleNamespace
    assert [i.key for i in closed_items([item(key="x"), item(key="y")], [item(key="y"), item(key="z")])] == ["x"]


# Through the API, with the store's real clock.

def changed_through_the_api(env: Env) -> tuple[dt.datetime, dt.datetime]:
    """Create an organisation, end a link, renew another, expire a third and delete a fourth between two moments."""
    soon = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    write(env, "patch", "/api/v1/links/l-mou-2", end_date=soon)
    since = between()
    write(env, "post", "/api/v1/organisations", id="new-cbo", name="Tubatse Youth Care", kind="cbo",
          province="Limpopo", district="Sekhukhune", services=["peer_education"])
    write(env, "patch", "/api/v1/links/l-ref-3", status="ended")
    write(env, "patch", "/api/v1/links/l-mou-2", end_date=(dt.date.today() + dt.timedelta(days=400)).isoformat())
    write(env, "patch", "/api/v1/links/l-ref-1", status="expired",
          end_date=(dt.date.today() - dt.timedelta(days=1)).isoformat())
    write(env, "delete", "/api/v1/links/l-fund-4", role="admin")
    until = between()
    write(env, "post", "/api/v1/organisations", id="too-late", name="Later Clinic", kind="clinic")
    return since, until


EXPECTED = {
    "added": [("organisation", "new-cbo")],
    "closed": [("link", "l-fund-4"), ("link", "l-ref-3")],
    "expired": [("link", "l-ref-1")],
    "renewed": [("link", "l-mou-2")],
}


def listed(data: dict) -> dict[str, list[tuple[str, str]]]:
    return {kind: [(c["entity"], c["id"]) for c in items] for kind, items in data["records"].items()}


def test_cssnet_diff_lists_exactly_the_changes_made_through_the_api(env: Env, tmp_path: Path):
    since, until = changed_through_the_api(env)
    db = str(tmp_path / "api.db")
    result = CliRunner().invoke(cli, ["--store", db, "diff", "--from", since.isoformat(), "--to", until.isoformat(),
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert listed(data) == EXPECTED
    words = CliRunner().invoke(cli, ["--store", db, "diff", "--from", since.isoformat(), "--to", until.isoformat()])
    assert "Tubatse Youth Care (community-based organisation) added." in words.output
    assert "Referral agreement from Safe Space Collective to Limpopo Legal Aid Desk ended." in words.output
    assert "MoU between Safe Space Collective and Jane Furse Clinic renewed: it now ends on" in words.output
    assert "## Renewed" in words.output and "l-ref-3" not in words.output


def test_the_api_and_the_page_give_the_same_changes(env: Env):
    since, until = changed_through_the_api(env)
    answer = env.client.get("/api/v1/analysis/diff", query_string={"from": since.isoformat(), "to": until.isoformat()})
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert listed(data) == EXPECTED
    resolved = {(f["type"], tuple(f["organisations"])) for f in data["findings"]["resolved"]}
    assert ("expiring_agreement", ("kp-safe-space", "clinic-a")) in resolved
    page = env.client.get("/changes", query_string={"from": since.isoformat(), "to": until.isoformat()})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tubatse Youth Care (community-based organisation) added." in text
    assert "Later Clinic" not in text and "expiring_agreement" not in text
    assert "Agreement about to end" in text
    assert "@media print" in text or 'media="print"' in text
    assert 'href="/history/organisation/new-cbo"' in text and 'href="/history/link/l-fund-4"' in text


def test_diff_dates_out_of_order_or_malformed_are_refused(env: Env, tmp_path: Path):
    assert env.client.get("/api/v1/analysis/diff?from=2026-12-02&to=2026-12-01").status_code == 422
    assert env.client.get("/api/v1/analysis/diff?from=yesterday").status_code == 422
    assert env.client.get("/api/v1/analysis/diff?when=2026-12-01").status_code == 422
    for far in ("from=0001-01-01", "to=0001-01-01", "to=9999-12-31", "from=2026-01-01T25:00"):
        refused = env.client.get(f"/api/v1/analysis/diff?{far}")
        assert refused.status_code == 422 and "1900 to 2999" in refused.get_json()["message"], far
    assert env.client.get("/changes?from=0001-01-01").status_code == 200
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "api.db"), "diff", "--to", "0001-01-01"])
    assert result.exit_code == 2 and "1900 to 2999" in result.output
    answer = env.client.get("/api/v1/analysis/diff").get_json()
    assert dt.date.fromisoformat(answer["from"]) == dt.date.fromisoformat(answer["to"][:10]) - dt.timedelta(days=91)
    assert "/api/v1/analysis/diff" in env.client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_dashboard_links_to_the_changes_page(env: Env):
    text = env.client.get("/").get_data(as_text=True)
    assert 'href="/changes"' in text


def test_as_of_through_the_api_reads_the_link_as_it_stood(env: Env):
    soon = dt.date.today() + dt.timedelta(days=30)
    write(env, "put", "/api/v1/links/l-mou-2", id="l-mou-2", source="kp-safe-space", target="clinic-a", kind="mou",
          services=["hiv_testing", "art"], formal=True, end_date=soon.isoformat())
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()

    def lapsing(query: dict) -> list[list[str]]:
        found = env.client.get("/api/v1/analysis/gaps", query_string={"type": "expiring_agreement", **query})
        return [f["links"] for f in found.get_json()["items"]]

    assert lapsing({}) == [["l-mou-2"]]
    assert lapsing({"as_of": yesterday}) == []


def test_demo_as_of_before_l_0015_ended_sees_it_in_force(tmp_path: Path):
    """Issue 10, defect 1: on 2026-05-01 the referral l-0015 ran until 2026-06-30."""
    db = str(tmp_path / "demo.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", db, "seed"]).exit_code == 0
    result = runner.invoke(cli, ["--store", db, "report", "--as-of", "2026-05-01", "--format", "json"])
    report = json.loads(result.output)
    virginia = [f for f in report["findings"] if "virginia-mobile-health-point" in f["organisations"]]
    assert [f["type"] for f in virginia] == ["expiring_agreement"]
    assert virginia[0]["links"] == ["l-0015"]


def test_the_diff_and_the_history_read_both_stores_alike(store):
    """Writes through the service layer between two moments, read back from either backend."""
    from network.service import history, records
    from network.service.audit import CLI

    store.upsert([Organisation("a", "Hope CBO", "cbo", district="Sekhukhune"),
                  Organisation("b", "Sizwe Clinic", "clinic", district="Sekhukhune")],
                 [Link("r1", "a", "b", "referral", end_date=dt.date.today() + dt.timedelta(days=20)),
                  Link("m1", "a", "b", "mou"), Link("f1", "b", "a", "training")])
    since = between()
    records.create_organisation(store, Organisation("c", "Thusong HBC", "cbo", district="Sekhukhune"), actor=CLI)
    records.update_link(store, "r1", {"end_date": dt.date.today() + dt.timedelta(days=400)}, expected_version=1,
                        actor=CLI)
    records.update_link(store, "m1", {"status": "ended"}, expected_version=1, actor=CLI)
    records.delete_link(store, "f1", expected_version=1, actor=CLI)
    until = between()
    found = history.diff(store, since, until, redacted=True)
    assert listed(found) == {"added": [("organisation", "c")], "closed": [("link", "f1"), ("link", "m1")],
                             "expired": [], "renewed": [("link", "r1")]}
    versions = history.versions(store, "link", "m1", redacted=True)
    assert [(v["action"], v["who"], v["changes"]) for v in versions] == [
        ("import", "the system", ["Imported: MoU between Hope CBO and Sizwe Clinic."]),
        ("update", "the command line", ["Status changed from active to ended."]),
    ]


_ends = st.sampled_from(["a", "b", "c"])
_days = st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
_links = st.dictionaries(
    st.sampled_from([f"l{i}" for i in range(8)]),
    st.tuples(st.sampled_from(["mou", "referral", "funding"]), st.sampled_from(["active", "expired", "ended"]), _days),
    max_size=8)


def _as_links(drawn: dict) -> list[Link]:
    return [Link(i, "a", "b", kind, status=status, end_date=end) for i, (kind, status, end) in drawn.items()]


@given(before=_links, after=_links)
def test_every_link_added_or_gone_is_listed_once_and_nothing_is_both_closed_and_renewed(before, after):
    found = record_changes(orgs(), _as_links(before), orgs(), _as_links(after), since=DAY, until=LATER)
    by_id: dict[str, list[str]] = {}
    for c in found:
        by_id.setdefault(c.id, []).append(c.change)
    assert all(len(kinds) == 1 for kinds in by_id.values())
    assert {i for i, kinds in by_id.items() if kinds == ["added"]} == set(after) - set(before)
    assert set(before) - set(after) <= {i for i, kinds in by_id.items() if kinds == ["closed"]}
    assert record_changes(orgs(), _as_links(after), orgs(), _as_links(after), since=LATER, until=LATER) == []


def test_agenda_items_closed_on_the_demo_are_those_of_the_first_agenda_gone_from_the_second(tmp_path: Path):
    from network.graph.sqlite import SQLiteStore
    from network.service import analyses, history, seed_demo

    store = SQLiteStore(tmp_path / "demo.db")
    try:
        seed_demo(store)
        found = history.diff(store, dt.date(2026, 5, 1), dt.date.today(), redacted=True)
        first = analyses.agenda(store, as_of=dt.date(2026, 5, 1), redacted=True)["items"]
        second = analyses.agenda(store, redacted=True, limit=None)["items"]
        gone = {i["key"] for i in first} - {i["key"] for i in second}
        assert {i["key"] for i in found["agenda"]["closed"]} == gone
        assert ("Renew the referral agreement from Virginia Mobile Health Point to Welkom Regional Hospital before "
                "30 June 2026") in [i["what"] for i in found["agenda"]["closed"]]
        assert ("Referral agreement from Virginia Mobile Health Point to Welkom Regional Hospital expired on 30 June "
                "2026.") in [c["explanation"] for c in found["records"]["expired"]]
    finally:
        store.close()
