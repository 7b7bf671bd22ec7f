"""Merging duplicate records: preview, apply, audit, refusals -- on both store adapters."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import InvalidData, NotFound
from network.graph.store import AuditQuery
from network.merge import apply_merge, plan_merge
from network.model import Link, Organisation


def _fill(store) -> None:
    store.upsert(
        [
            Organisation(
                "keep",
                "Sekhukhune Miners Support",
                "cbo",
                district="Sekhukhune",
                province="Limpopo",
                services=["tb_screening"],
                external_ids={"npo": "123"},
            ),
            Organisation(
                "drop",
                "Sekhukhune Miners Support Group",
                "cbo",
                aliases=["SMSG"],
                phone="+27 11 555 0101",
                services=["hiv_testing"],
                latitude=-24.8,
                longitude=29.9,
                external_ids={"npo": "999", "dhis2": "abc"},
                last_verified=dt.date(2026, 3, 1),
            ),
            Organisation("clinic", "Jane Furse Clinic", "clinic"),
            Organisation("ngo", "Right to Care", "ngo"),
        ],
        [
            Link(
                "k-clinic",
                "keep",
                "clinic",
                "referral",
                services=["tb_screening"],
                weight=2,
                start_date=dt.date(2024, 1, 1),
                end_date=dt.date(2025, 1, 1),
                notes="first",
            ),
            Link(
                "d-clinic",
                "drop",
                "clinic",
                "referral",
                services=["tb_treatment"],
                weight=4,
                formal=True,
                start_date=dt.date(2023, 6, 1),
                end_date=dt.date(2027, 1, 1),
                notes="second",
            ),
            Link("clinic-d", "clinic", "drop", "referral"),
            Link("d-ngo", "ngo", "drop", "funding"),
            Link("k-d", "keep", "drop", "mou"),
        ],
    )


def _snapshot(store) -> tuple[list, list]:
    strip = ("updated_at", "version")
    return (
        [{k: v for k, v in o.to_dict().items() if k not in strip} for o in store.iter_organisations()],
        [{k: v for k, v in x.to_dict().items() if k not in strip} for x in store.iter_links()],
    )


def test_plan_previews_and_writes_nothing(store) -> None:
    _fill(store)
    before = _snapshot(store)
    plan = plan_merge(store, "keep", "drop")
    assert _snapshot(store) == before
    assert plan.aliases_added == ["Sekhukhune Miners Support Group", "SMSG"]
    assert plan.fields_filled["phone"] == "+27 11 555 0101"
    assert "services" not in plan.fields_filled  # keep already lists services
    assert plan.fields_filled["latitude"] == -24.8 and plan.fields_filled["longitude"] == 29.9
    assert plan.fields_filled["external_ids"] == {"dhis2": "abc"}
    assert sorted(plan.moved_links) == ["clinic-d", "d-ngo"]
    assert plan.combined_links == [{"kept": "k-clinic", "dropped": "d-clinic"}]
    assert {r["link"] for r in plan.removed_links} == {"d-clinic", "k-d"}
    assert "self-link" in next(r["reason"] for r in plan.removed_links if r["link"] == "k-d")
    data = plan.to_dict()
    assert data["applied"] is False and data["organisation"]["id"] == "keep"


def test_apply_moves_combines_and_audits(store) -> None:
    _fill(store)
    plan = apply_merge(store, "keep", "drop", actor="admin:test")
    assert plan.applied
    with pytest.raises(NotFound):
        store.get_organisation("drop")
    kept = store.get_organisation("keep")
    assert kept.aliases == ["Sekhukhune Miners Support Group", "SMSG"]
    assert kept.phone == "+27 11 555 0101"
    assert kept.services == ["tb_screening"]
    assert kept.external_ids == {"npo": "123", "dhis2": "abc"}
    assert kept.last_verified == dt.date(2026, 3, 1)
    links = {link.id: link for link in store.iter_links()}
    assert sorted(links) == ["clinic-d", "d-ngo", "k-clinic"]
    assert (links["clinic-d"].source, links["clinic-d"].target) == ("clinic", "keep")
    assert (links["d-ngo"].source, links["d-ngo"].target) == ("ngo", "keep")
    combined = links["k-clinic"]
    assert combined.services == ["tb_screening", "tb_treatment"]
    assert (combined.weight, combined.formal) == (4, True)
    assert (combined.start_date, combined.end_date) == (dt.date(2023, 6, 1), dt.date(2027, 1, 1))
    assert combined.notes == "first\nsecond"
    entry = store.list_audit(AuditQuery(entity_id="keep")).items[0]
    assert (entry.action, entry.actor, entry.changes["dropped"]) == ("merge", "admin:test", "drop")
    assert entry.changes["combined_links"] == [{"kept": "k-clinic", "dropped": "d-clinic"}]


def test_reverse_direction_is_not_parallel(store) -> None:
    _fill(store)
    plan = plan_merge(store, "keep", "drop")
    assert "clinic-d" in plan.moved_links  # clinic -> drop is a referral the other way from keep -> clinic


@pytest.mark.parametrize(
    ("keep", "drop", "error", "text"),
    [
        ("keep", "keep", InvalidData, "into itself"),
        ("keep", "nobody", NotFound, "nobody"),
        ("nobody", "drop", NotFound, "nobody"),
    ],
)
def test_refusals_leave_store_unchanged(store, keep, drop, error, text) -> None:
    _fill(store)
    before = _snapshot(store)
    audited = store.list_audit(AuditQuery(limit=1)).total  # the Bolt store keeps its audit log across tests
    with pytest.raises(error, match=text):
        apply_merge(store, keep, drop, actor="admin:test")
    assert _snapshot(store) == before
    assert store.list_audit(AuditQuery(limit=1)).total == audited
