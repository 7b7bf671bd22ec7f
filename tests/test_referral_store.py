"""The ReferralStore contract: identical assertions on the SQLite file and the real Bolt server."""

from __future__ import annotations

import datetime as dt

import pytest

from network.errors import Conflict, NotFound, StaleWrite
from network.graph.referral_store import ReferralQuery
from network.referrals import Referral, ReferralCount, StatusChange


def referral(code: str, created: dt.date, source: str = "cbo-a", target: str = "clinic-b", *,
             statuses: tuple[tuple[str, int], ...] = (), link: str | None = "l1",
             reason: str | None = None) -> Referral:
    """A referral sent on ``created``, then the ``statuses`` each so many days after it."""
    history = [StatusChange("sent", created, source)]
    for status, days in statuses:
        history.append(StatusChange(status, created + dt.timedelta(days=days), target,
                                    reason if status == "declined" else None))
    return Referral(code, source, target, ["tb_treatment", "hiv_testing"], created, population="artisanal_miners",
                    link=link, history=history)


def test_create_and_get_round_trip_every_field(store) -> None:
    made = referral("ACD-EFG", dt.date(2026, 3, 2), statuses=(("received", 1), ("declined", 1)),
                    reason="no_documents")
    stored = store.create_referral(made)
    got = store.get_referral("ACD-EFG")
    assert got == stored and got.version == 1 and got.updated_at is not None
    assert got.to_dict() == made.to_dict() | {"version": 1, "updated_at": got.updated_at}
    assert got.status == "declined" and got.history[-1].reason == "no_documents"
    assert got.reached("received") == dt.date(2026, 3, 3)


def test_a_taken_code_is_refused_and_nothing_written(store) -> None:
    store.create_referral(referral("ACD-EFG", dt.date(2026, 3, 2)))
    with pytest.raises(Conflict, match="ACD-EFG|code"):
        store.create_referral(referral("ACD-EFG", dt.date(2026, 4, 1), source="other"))
    with pytest.raises(Conflict):
        store.add_referrals([referral("HJK-MNP", dt.date(2026, 4, 1)), referral("ACD-EFG", dt.date(2026, 4, 1))])
    assert [r.code for r in store.iter_referrals()] == ["ACD-EFG"]
    assert store.get_referral("ACD-EFG").source == "cbo-a"


def test_missing_code_is_not_found(store) -> None:
    with pytest.raises(NotFound, match="QQQ-QQQ"):
        store.get_referral("QQQ-QQQ")
    with pytest.raises(NotFound):
        store.update_referral(referral("QQQ-QQQ", dt.date(2026, 1, 1)))


def test_update_bumps_version_and_refuses_a_stale_write(store) -> None:
    store.create_referral(referral("ACD-EFG", dt.date(2026, 3, 2)))
    read = store.get_referral("ACD-EFG")
    read.history.append(StatusChange("received", dt.date(2026, 3, 4), "clinic-b"))
    updated = store.update_referral(read, expected_version=1)
    assert updated.version == 2 and store.get_referral("ACD-EFG").status == "received"
    stale = store.get_referral("ACD-EFG")
    stale.history.append(StatusChange("lost_to_follow_up", dt.date(2026, 3, 9), "clinic-b"))
    with pytest.raises(StaleWrite):
        store.update_referral(stale, expected_version=1)
    assert store.get_referral("ACD-EFG").status == "received"


def test_list_filters_and_pages_newest_first(store) -> None:
    store.add_referrals([
        referral("AAA-AAA", dt.date(2026, 1, 10)),
        referral("CCC-CCC", dt.date(2026, 2, 10), source="clinic-b", target="ngo-c", link=None),
        referral("DDD-DDD", dt.date(2026, 3, 10), statuses=(("received", 2),)),
        referral("EEE-EEE", dt.date(2026, 3, 10), source="ngo-c", target="cbo-a", link="l2"),
    ])
    codes = lambda q: [r.code for r in store.list_referrals(q).items]  # noqa: E731
    assert codes(ReferralQuery()) == ["DDD-DDD", "EEE-EEE", "CCC-CCC", "AAA-AAA"]
    assert codes(ReferralQuery(organisation="clinic-b")) == ["DDD-DDD", "CCC-CCC", "AAA-AAA"]
    assert codes(ReferralQuery(source="cbo-a")) == ["DDD-DDD", "AAA-AAA"]
    assert codes(ReferralQuery(target="cbo-a")) == ["EEE-EEE"]
    assert codes(ReferralQuery(status="received")) == ["DDD-DDD"]
    assert codes(ReferralQuery(link="l2")) == ["EEE-EEE"]
    assert codes(ReferralQuery(since=dt.date(2026, 2, 10), until=dt.date(2026, 3, 1))) == ["CCC-CCC"]
    page = store.list_referrals(ReferralQuery(limit=2, offset=1))
    assert [r.code for r in page.items] == ["EEE-EEE", "CCC-CCC"] and page.total == 4
    assert codes(ReferralQuery(limit=None, offset=3)) == ["AAA-AAA"]
    assert [r.code for r in store.iter_referrals(since=dt.date(2026, 2, 10))] == ["CCC-CCC", "DDD-DDD", "EEE-EEE"]


def test_reduce_keeps_only_counts_of_old_referrals(store) -> None:
    store.add_referrals([
        referral("AAA-AAA", dt.date(2024, 1, 5), statuses=(("received", 1), ("accepted", 1), ("completed", 9))),
        referral("AAA-AAC", dt.date(2024, 1, 20), statuses=(("received", 1), ("accepted", 1), ("completed", 3))),
        referral("AAA-AAD", dt.date(2024, 1, 21), link=None),
        referral("AAA-AAE", dt.date(2024, 2, 1), statuses=(("lost_to_follow_up", 30),)),
        referral("KEE-PME", dt.date(2026, 1, 1)),
    ])
    assert store.reduce_referrals(dt.date(2025, 1, 1)) == 4
    assert [r.code for r in store.iter_referrals()] == ["KEE-PME"]
    assert store.referral_counts() == [
        ReferralCount("2024-01", "cbo-a", "clinic-b", None, "sent", 1),
        ReferralCount("2024-01", "cbo-a", "clinic-b", "l1", "completed", 2),
        ReferralCount("2024-02", "cbo-a", "clinic-b", "l1", "lost_to_follow_up", 1),
    ]
    store.add_referrals([referral("AAA-AAF", dt.date(2024, 1, 30), statuses=(("received", 1), ("accepted", 1),
                                                                               ("completed", 2)))])
    assert store.reduce_referrals(dt.date(2025, 1, 1)) == 1
    assert ReferralCount("2024-01", "cbo-a", "clinic-b", "l1", "completed", 3) in store.referral_counts()


def test_referral_writes_join_the_unit_of_work(store) -> None:
    with pytest.raises(RuntimeError), store.transaction(actor="token:t1"):
        store.create_referral(referral("ACD-EFG", dt.date(2026, 3, 2)))
        raise RuntimeError("abandon")
    assert list(store.iter_referrals()) == []
    before = store.revision()
    with store.transaction(actor="token:t1"):
        store.create_referral(referral("ACD-EFG", dt.date(2026, 3, 2)))
    assert store.get_referral("ACD-EFG").code == "ACD-EFG" and store.revision() > before
