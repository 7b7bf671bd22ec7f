"""The survey pages through Flask's test client: what a viewer and an administrator see of one round."""

from __future__ import annotations

import datetime as dt

import pytest

from network.service import surveys
from network.service.audit import CLI
from tests.api_support import SENSITIVE_ID


def rate(value: int, trust: int) -> dict:
    return {"power": value, "involvement": value, "resources": value, "reliability": trust, "mission": trust,
            "openness": trust}


@pytest.fixture
def rated(env):
    day = dt.date(2026, 3, 1)
    surveys.create_round(env.store, {"id": "r1", "name": "Round one", "opens": "2026-01-01", "closes": "2026-06-30",
                                     "invited": ["clinic-a", "cbo-b", SENSITIVE_ID, "ngo-d", "donor-e"]}, actor=CLI)
    # the Safe Space Collective is rated by three partners; the clinic by two
    for respondent, partner, value, trust, brings in [
            ("clinic-a", SENSITIVE_ID, 4, 4, ["referrals"]), ("ngo-d", SENSITIVE_ID, 3, 2, ["staff"]),
            ("donor-e", SENSITIVE_ID, 2, 3, ["funding"]), (SENSITIVE_ID, "clinic-a", 1, 1, []),
            ("cbo-b", "clinic-a", 3, 1, ["referrals"])]:
        surveys.answer(env.store, "r1", {"respondent": respondent, "partner": partner, **rate(value, trust),
                                         "contributes": brings}, actor=CLI, on=day)
    return env


def test_a_viewer_sees_aggregates_over_three_and_what_is_withheld(rated):
    listing = rated.client.get("/surveys", headers=rated.auth("viewer")).get_data(as_text=True)
    assert "Round one" in listing and "5 organisations invited" in listing
    page = rated.client.get("/surveys/r1", headers=rated.auth("viewer")).get_data(as_text=True)
    assert "5 of 5 invited organisations answered (100%)" in page
    # network trust (4 + 2 + 3 + 1 + 1) / 5 = 2.20 = 55% of 4; value (4 + 3 + 2 + 1 + 3) / 5 = 2.60 = 65%
    assert "Value 2.60</strong> (65.0% of the highest score)" in page and "Trust 2.20</strong> (55.0%)" in page
    assert "Safe Space Collective</a></td>\n<td>3.00</td><td>3.00</td><td>3 organisations</td>" in page
    assert "Withheld (rated by fewer than 3 organisations" in page and "Jane Furse Clinic." in page
    assert "shown to administrators only" in page and 'id="survey-ties"' not in page
    assert "funding (1), referrals of clients (2), staff time (1)" in page  # plain labels, never codes


def test_an_administrator_sees_every_tie_lowest_trust_first(rated):
    page = rated.client.get("/surveys/r1", headers=rated.auth("admin")).get_data(as_text=True)
    ties = page.split('id="survey-ties"')[1]
    # cbo-b and the clinic: one side, trust 1; the clinic and the collective: (4 + 1) / 2 = 2.5
    first, second = ties.index("Sekhukhune Miners Support"), ties.index("Jane Furse Clinic and Safe Space Collective")
    assert first < second
    assert "Jane Furse Clinic: 4.00; Safe Space Collective: 1.00" in ties
    assert rated.client.get("/surveys/nope").status_code == 404
