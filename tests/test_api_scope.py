"""The one scope schema: days outside the years the analyses can count from are refused, not crashed on."""

from __future__ import annotations

import pytest

from tests.api_support import Env

ANALYSES = ["gaps", "duplication", "structure", "recommendations", "report", "agenda"]


@pytest.mark.parametrize("analysis", ANALYSES)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_beyond_the_years_is_refused_with_a_plain_message(env: Env, analysis: str, day: str) -> None:
    response = env.client.get(f"/api/v1/analysis/{analysis}?as_of={day}")
    assert response.status_code == 422
    assert response.get_json()["errors"]["query"]["as_of"] == ["Give a day in the years 1900 to 2999."]


def test_a_day_within_the_years_is_answered(env: Env) -> None:
    assert env.client.get("/api/v1/analysis/agenda?as_of=1900-01-01").status_code == 200


@pytest.mark.parametrize(("language", "message"), [("pt", "Indique um dia entre os anos 1900 e 2999."),
                                                    ("fr", "Indiquez un jour entre les années 1900 et 2999.")])
def test_the_refusal_is_in_the_callers_language(env: Env, language: str, message: str) -> None:
    response = env.client.get("/api/v1/analysis/gaps?as_of=0001-01-01", headers={"Accept-Language": language})
    assert response.status_code == 422
    assert response.get_json()["errors"]["query"]["as_of"] == [message]
