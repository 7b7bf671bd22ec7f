"""The GraphStore contract for monitoring reports: identical assertions on SQLite and on the Bolt server."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, InvalidData, NotFound, StaleWrite
from network.model import Organisation
from network.monitoring import MonitoringQuery, MonitoringReport

DAY = dt.date(2026, 5, 4)


def _orgs(store) -> None:
    store.upsert([Organisation("mon", "Sekhukhune Monitors", "cbo"),
                  Organisation("clinic", "Jane Furse Clinic", "clinic", district="Sekhukhune"),
                  Organisation("other", "Other Clinic", "clinic")], [])


def _report(report_id: str, key: str, *, facility: str = "clinic", day: dt.date = DAY,
            barriers: tuple[str, ...] = ("stockout",), escalation: str = "raised_with_facility") -> MonitoringReport:
    return MonitoringReport(report_id, "mon", facility, day, list(barriers), note="No TB tests since Monday.",
                            escalation=escalation, key=key)


def test_report_round_trips_every_field(store):
    _orgs(store)
    before = store.revision()
    stored = store.create_monitoring_report(_report("MR-1", "key-000001", barriers=("stockout", "long_wait")))
    got = store.get_monitoring_report("MR-1")
    assert got == stored
    assert (got.monitor, got.facility, got.observed_on, got.barriers, got.note, got.escalation, got.key) == (
        "mon", "clinic", DAY, ["stockout", "long_wait"], "No TB tests since Monday.", "raised_with_facility",
        "key-000001")
    assert got.version == 1 and got.created_at is not None and got.updated_at == got.created_at
    assert store.revision() > before


def test_missing_report_is_not_found(store):
    with pytest.raises(NotFound, match="MR-none"):
        store.get_monitoring_report("MR-none")


def test_taken_id_or_key_refused_and_nothing_written(store):
    _orgs(store)
    store.create_monitoring_report(_report("MR-1", "key-000001"))
    with pytest.raises(Conflict, match="id 'MR-1'"):
        store.create_monitoring_report(_report("MR-1", "key-000002"))
    with pytest.raises(Conflict, match="key 'key-000001'"):
        store.create_monitoring_report(_report("MR-2", "key-000001"))
    assert store.list_monitoring_reports().total == 1


@pytest.mark.parametrize("role", ["monitor", "facility"])
def test_unknown_organisation_refused(store, role):
    _orgs(store)
    report = _report("MR-1", "key-000001")
    setattr(report, role, "nobody")
    with pytest.raises(InvalidData, match=f"{role} 'nobody'"):
        store.create_monitoring_report(report)
    assert store.list_monitoring_reports().total == 0


def test_update_bumps_version_keeps_key_and_refuses_stale(store):
    _orgs(store)
    stored = store.create_monitoring_report(_report("MR-1", "key-000001"))
    changed = MonitoringReport(**{**stored.__dict__, "escalation": "raised_with_district", "key": "ignored-key"})
    updated = store.update_monitoring_report(changed, expected_version=1)
    assert (updated.version, updated.escalation, updated.key) == (2, "raised_with_district", "key-000001")
    assert store.get_monitoring_report("MR-1") == updated
    with pytest.raises(StaleWrite):
        store.update_monitoring_report(changed, expected_version=1)
    with pytest.raises(NotFound):
        store.update_monitoring_report(_report("MR-9", "key-000009"))
    assert store.get_monitoring_report("MR-1").version == 2


def test_filters_order_and_pages(store):
    _orgs(store)
    store.create_monitoring_report(_report("MR-1", "key-000001", day=dt.date(2026, 3, 1)))
    store.create_monitoring_report(_report("MR-2", "key-000002", day=dt.date(2026, 4, 1), barriers=("stigma",)))
    store.create_monitoring_report(_report("MR-3", "key-000003", facility="other", day=dt.date(2026, 5, 1),
                                           escalation="resolved"))
    ids = lambda **kw: [r.id for r in store.list_monitoring_reports(MonitoringQuery(**kw)).items]  # noqa: E731
    assert ids() == ["MR-3", "MR-2", "MR-1"]
    assert ids(facility="clinic") == ["MR-2", "MR-1"]
    assert ids(facilities=("other", "nowhere")) == ["MR-3"]
    assert ids(barrier="stockout") == ["MR-3", "MR-1"]
    assert ids(since=dt.date(2026, 4, 1), until=dt.date(2026, 4, 30)) == ["MR-2"]
    assert ids(escalation="resolved") == ["MR-3"]
    assert ids(key="key-000002") == ["MR-2"]
    assert ids(monitor="nobody") == []
    page = store.list_monitoring_reports(MonitoringQuery(limit=1, offset=1))
    assert ([r.id for r in page.items], page.total) == (["MR-2"], 3)
    assert [r.id for r in store.iter_monitoring_reports()] == ["MR-3", "MR-2", "MR-1"]


def test_refused_report_inside_a_transaction_rolls_back_the_block(store):
    _orgs(store)
    with pytest.raises(InvalidData), store.transaction(actor="test"):
        store.create_monitoring_report(_report("MR-1", "key-000001"))
        store.create_monitoring_report(_report("MR-2", "key-000002", facility="nobody"))
    assert store.list_monitoring_reports().total == 0


def test_reports_do_not_touch_the_network(store):
    _orgs(store)
    store.create_monitoring_report(_report("MR-1", "key-000001"))
    assert list(store.iter_links()) == []
    assert store.counts()["links_by_kind"] == {}
    store.delete_organisation("other")
    assert store.get_monitoring_report("MR-1").facility == "clinic"
