"""The partner's tie survey form, opened from its invitation link: rate each tie on six questions, send once."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from network.api.state import get_store
from network.errors import InvalidData
from network.service import survey_invitations
from network.surveys import ITEMS, survey_words

from .blueprint import bp

__all__ = ["survey_answer"]


@bp.route("/surveys/answer/<secret>", methods=["GET", "POST"])
def survey_answer(secret: str) -> tuple[str, int]:
    """The form (GET) and its sending (POST): every answered tie is stored and the link is used up.

    A refused form comes back with its message (422) and the partner's choices kept.
    """
    store = get_store()
    problem, sent = None, None
    if request.method == "POST":
        try:
            sent = survey_invitations.send(store, secret, _answers(request.form))
        except InvalidData as err:
            problem = err.message
        if sent is not None:
            return render_template("survey_answer.html", sent=sent, form=None, words=survey_words(),
                                   items=ITEMS, problem=None, chosen={}), 200
    found = survey_invitations.form(store, secret)
    return render_template("survey_answer.html", form=found, words=survey_words(), items=ITEMS, problem=problem,
                           chosen=request.form if problem else {}, sent=None), 422 if problem else 200


def _answers(data: Any) -> list[dict[str, Any]]:
    """One answer per tie the form rated at all (a tie left blank is skipped; a half-rated one is refused)."""
    answers = []
    for index in sorted({k.split("-")[0] for k in data if k.startswith("t") and k.endswith("-partner")}):
        given = {item: data.get(f"{index}-{item}", "") for item in ITEMS}
        if not any(given.values()):
            continue
        answer: dict[str, Any] = {"partner": data.get(f"{index}-partner", "")}
        for item, value in given.items():
            if value:
                answer[item] = int(value) if value.isdigit() else value
        answer["contributes"] = data.getlist(f"{index}-contributes")
        answers.append(answer)
    return answers
