"""Tie survey pages: the rounds, and one round's value and trust scores (individual answers for administrators)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from network.api.auth import caller
from network.api.state import get_store
from network.service import surveys
from network.surveys import ITEMS, survey_words

from .blueprint import bp

__all__ = ["survey_rounds", "survey_results"]


@bp.get("/surveys")
def survey_rounds() -> str:
    """Every survey round, newest first, each linking to its results."""
    return render_template("surveys.html", rounds=list(reversed(surveys.rounds(get_store()))))


@bp.get("/surveys/<round_id>")
def survey_results(round_id: str) -> str:
    """One round: response rate, network scores, organisations as rated by others, the change since the last round.

    Groups rated by fewer than three organisations are withheld and say so; administrators
    also see each tie's score, lowest trust first.
    """
    found = surveys.results(get_store(), round_id, admin=caller().at_least("admin"))
    results = found["results"]
    organisations = sorted(results["organisations"].items(), key=lambda kv: (kv[1]["trust"], kv[0]))
    ties = sorted(results["ties"].items(), key=lambda kv: (kv[1]["trust"], kv[0]))
    return render_template("survey_results.html", found=found, results=results, organisations=organisations,
                           ties=ties, words=survey_words(), items=ITEMS, names=surveys.names(get_store(), results),
                           change=_change(found))


def _change(found: dict[str, Any]) -> dict[str, Any] | None:
    change = found["change"]
    return change["organisations"] if change else None
