"""A partner answers a tie survey through its invitation link: one form, all its ties, once.

An administrator invites a round's organisations (``invite``): each gets an
invitation (``network.service.invitations``, purpose ``survey``, the round's id
as subject). Opening the link shows the organisation the ties it may rate
(``form``); sending the form (``send``) stores every answer, dated today, as
the invited organisation's, and uses the link up, in one transaction with the
audit entries: a refused answer (422) stores nothing and leaves the link working.
"""

from __future__ import annotations

from typing import Any

from network.errors import InvalidData
from network.graph.partners import Invitation
from network.graph.store import GraphStore, OrganisationQuery
from network.graph.surveys import surveys_of
from network.model import today
from network.surveys import SurveyRound

from . import invitations, surveys
from .audit import Actor

__all__ = ["PURPOSE", "invite", "form", "send"]

#: The purpose of a tie survey's invitations.
PURPOSE = "survey"


def invite(store: GraphStore, round_id: str, *, actor: Actor, days: int = invitations.DEFAULT_DAYS,
           organisations: list[str] | None = None) -> list[tuple[Invitation, str]]:
    """Invite the round's organisations (or those of ``organisations`` it invited) to answer; returns each
    invitation with its secret (shown once). One transaction: every invitation, or none."""
    survey_round = surveys_of(store).get_round(round_id)
    chosen = survey_round.invited if organisations is None else organisations
    outside = [o for o in chosen if o not in survey_round.invited]
    if outside:
        raise InvalidData(f"organisations: {', '.join(outside[:5])} not invited to the round '{survey_round.name}'.",
                          {"organisations": ["Not invited to this round."]})
    with store.transaction(actor=actor.key):
        return [invitations.create_invitation(store, org, actor=actor, days=days, purpose=PURPOSE,
                                              subject=round_id) for org in chosen]


def form(store: GraphStore, secret: str) -> dict[str, Any]:
    """What the invitation's page shows: the round, the organisation and the ties it may rate (with names and
    any answer it gave already). ``NotFound`` / ``InvitationEnded`` (410) for a link that does not open."""
    invitation = invitations.open_invitation(store, secret, purpose=PURPOSE)
    survey_round = surveys_of(store).get_round(invitation.subject or "")
    me = invitation.organisation
    partners = surveys.tie_partners(store, me)
    found = store.list_organisations(OrganisationQuery(ids=tuple([me, *partners]), limit=None)).items
    named = {o.id: o.name for o in found}
    given = {r.partner: r for r in surveys_of(store).list_ratings(survey_round.id, respondent=me)}
    return {"round": survey_round, "organisation": me, "name": named.get(me, me),
            "partners": [{"id": p, "name": named.get(p, p), "given": given.get(p)} for p in partners],
            "open": _open_today(survey_round)}


def send(store: GraphStore, secret: str, answers: list[dict[str, Any]]) -> int:
    """Store the partner's answers (each about one of its ties) and use the link up; returns how many.

    The respondent of every answer is the invited organisation; answers are dated today. Refused
    with ``InvalidData`` when there is no answer, or any answer breaks a rule (nothing is stored
    and the link still works).
    """
    invitation = invitations.open_invitation(store, secret, purpose=PURPOSE)
    if not answers:
        raise InvalidData("Rate at least one organisation before sending.", {"answers": ["No answer given."]})
    actor = invitations.partner_actor(invitation)
    with store.transaction(actor=actor.key):
        invitations.use_up(store, invitations.open_invitation(store, secret, purpose=PURPOSE),
                           f"survey:{invitation.subject}")
        for number, answer in enumerate(answers, start=1):
            try:
                surveys.answer(store, invitation.subject or "", {**answer, "respondent": invitation.organisation},
                               actor=actor, organisation=invitation.organisation)
            except InvalidData as err:
                raise InvalidData(f"answer {number}: {err.message}", {f"answer {number}": err.errors}) from None
    return len(answers)


def _open_today(survey_round: SurveyRound) -> bool:
    return survey_round.is_open(today())
