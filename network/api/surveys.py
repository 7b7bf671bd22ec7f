"""``/api/v1/surveys``: tie survey rounds, answers (admins, or an organisation answering for itself) and results."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from network.service import surveys
from network.survey_schemas import dump_rating, dump_round

from .auth import Forbidden, caller, require
from .common import Blueprint, OpenObject
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("surveys", __name__, url_prefix="/api/v1/surveys",
                description="PARTNER-style tie surveys: rounds, answers and value and trust scores.")


def _round_summary(survey_round: Any) -> dict[str, Any]:
    return {**dump_round(survey_round), "invited": len(survey_round.invited)}


@blp.route("")
class Rounds(MethodView):
    @blp.response(200, OpenObject)
    def get(self) -> Any:
        """Every survey round, oldest first (how many organisations each invited)."""
        return {"items": [_round_summary(r) for r in surveys.rounds(get_store())]}

    @require("admin")
    @blp.arguments(OpenObject)
    @blp.response(201, OpenObject)
    def post(self, body: dict[str, Any]) -> Any:
        """Open a survey round: ``id``, ``name``, ``opens``, ``closes`` and the ``invited`` organisation ids."""
        return dump_round(surveys.create_round(get_store(), body, actor=caller().actor))


@blp.route("/<round_id>")
class RoundResults(MethodView):
    @blp.response(200, OpenObject)
    def get(self, round_id: str) -> Any:
        """The round's value and trust scores and response rate, and the change since the round before.

        Administrators see every aggregate, tie scores included; everyone else sees aggregates
        over at least three organisations, and the organisations whose scores are withheld.
        """
        found = surveys.results(get_store(), round_id, admin=caller().at_least("admin"))
        return results_json(found)


@blp.route("/<round_id>/answers")
class Answers(MethodView):
    @require("admin")
    @blp.response(200, OpenObject)
    def get(self, round_id: str) -> Any:
        """The round's individual answers (administrators only)."""
        return {"items": [dump_rating(r) for r in surveys.answers(get_store(), round_id)]}

    @blp.arguments(OpenObject)
    @blp.response(201, OpenObject)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Answer about one tie: ``respondent``, ``partner``, the six answers (1-4) and ``contributes``.

        An administrator may enter anyone's (paper) answers and date them with ``answered_on``;
        a token bound to an organisation answers for that organisation only, dated today.
        """
        who = caller()
        if who.organisation is None and not who.at_least("admin"):
            raise Forbidden("Answers come from the organisation itself (its invitation) or an administrator.")
        bound = None if who.at_least("admin") else who.organisation
        return dump_rating(surveys.answer(get_store(), round_id, body, actor=who.actor, organisation=bound))


def results_json(found: dict[str, Any]) -> dict[str, Any]:
    """The results of :func:`network.service.surveys.results` as JSON (ties as lists of two ids)."""
    results = dict(found["results"])
    results["ties"] = [{"organisations": list(key), **score} for key, score in results["ties"].items()]
    previous = found["previous"]
    return {"round": _round_summary(found["round"]), "results": results,
            "previous": _round_summary(previous) if previous else None, "change": found["change"],
            "individual_answers_shown": found["admin"]}
