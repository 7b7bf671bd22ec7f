"""The demo's illustrative referrals (seed/demo_referrals.py), seeded into a real SQLite store, show what was planted.

As of the demo's AS_OF (2026-11-23), over the six months before it:

* one failing_route: sekhukhune-chrome-diggers-health-project -> praktiseer-community-clinic, 3 of 12 completed,
  7 turned away for want of documents, 2 lost to follow-up;
* one paper_agreement: the referral agreement bophelo-sisters-network -> mahwelereng-clinic, unused while
  Bophelo Sisters Network sent 8 referrals to waterberg-legal-advice-office;
* nothing else; 51 referrals in all, none holding any client identity.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from network.model import seed_dir
from network.service import outcomes
from network.service.analyses import agenda
from network.service.audit import CLI
from network.service.transfer import seed_demo
from tests.conftest import make_sqlite_store

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = make_sqlite_store(tmp_path_factory.mktemp("demo") / "demo.db")
    seed_demo(store, actor=CLI)
    yield store
    store.close()


def test_the_demo_carries_illustrative_referrals_without_client_identity(store) -> None:
    with open(seed_dir() / "demo" / "referrals.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["code", "source", "target", "link", "needs", "population", "created", "received", "accepted",
                      "declined", "reason", "completed", "lost_to_follow_up"]
    assert len(list(store.iter_referrals())) == 51
    assert "illustrative" in (seed_dir() / "demo_referrals.py").read_text(encoding="utf-8").lower()


def test_the_demo_shows_one_failing_route_and_one_paper_agreement(store) -> None:
    found = outcomes.figures(store, as_of=AS_OF)
    assert found["total"]["referrals"] == 51
    assert [(f["type"], f["organisations"]) for f in found["findings"]] == [
        ("failing_route", ["sekhukhune-chrome-diggers-health-project", "praktiseer-community-clinic"]),
        ("paper_agreement", ["bophelo-sisters-network", "mahwelereng-clinic"]),
    ]
    failing, paper = found["findings"]
    assert (failing["details"]["referrals"], failing["details"]["completed"]) == (12, 3)
    assert failing["details"]["declined_reasons"] == {"no_documents": 7}
    assert paper["details"]["sent_elsewhere"] == {"bophelo-sisters-network": 8}


def test_the_agenda_takes_up_both(store) -> None:
    actions = {item["action"] for item in agenda(store, as_of=AS_OF, limit=None)["items"]}
    assert {"fix_route", "use_agreement"} <= actions


def test_seeding_again_keeps_one_copy_of_each_referral(store) -> None:
    seed_demo(store, actor=CLI, replace=True)
    assert len(list(store.iter_referrals())) == 51


def test_the_referral_finder_says_how_the_failing_route_went(store) -> None:
    from network.service.analyses import pathways

    (plan,) = pathways(store, population="artisanal_miners", needs=["tb_screening", "tb_treatment"],
                       start="sekhukhune-chrome-diggers-health-project", as_of=AS_OF, k=3)
    step = plan["steps"][1]
    assert step["organisation"] == "praktiseer-community-clinic"
    assert step["notes"] == ["3 of 12 referrals on this route were completed in the last 6 months."]
