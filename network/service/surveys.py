"""Tie surveys: open a round, take answers, and show results to each caller as much as they may see.

Every write is one ``store.transaction`` holding its checks, the change and its
audit entry: a refused answer (422) leaves the store as it was. An answer counts
only when it is given while the round is open, by an invited organisation, about
an organisation it has a tie with: an **active** link of any kind between the two,
in either direction.

Privacy: individual answers (and tie scores, which rest on one or two answers) are
for administrators; everyone else sees aggregates over at least three
organisations (``network.analysis.ties.public_results``). The audit entry of an
answer keeps its figures, and the audit log is read by administrators only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from network.analysis import ties
from network.analysis.finding import Finding
from network.analysis.trust import LowTrustSteps, low_trust_dependencies
from network.errors import InvalidData
from network.graph.store import GraphStore, LinkQuery, OrganisationQuery
from network.graph.surveys import surveys_of
from network.io.survey_csv import read_answers, read_round
from network.model import seed_dir, today
from network.survey_schemas import dump_rating, dump_round, load_rating, load_round
from network.surveys import SurveyRound, TieRating
from network.translation import ntranslate, translate

from . import audit
from .audit import Actor

__all__ = ["create_round", "rounds", "get_round", "answer", "answer_many", "seed_demo_round", "answers", "results",
           "latest_tie_scores", "tie_partners", "delete_round", "low_trust_findings", "names",
           "pathway_rules"]


def create_round(store: GraphStore, data: dict[str, Any], *, actor: Actor) -> SurveyRound:
    """Open a new survey round (validated; every invited organisation must exist) and audit it."""
    survey_round = load_round(data)
    with store.transaction(actor=actor.key):
        found = {o.id for o in store.list_organisations(OrganisationQuery(ids=tuple(survey_round.invited),
                                                                          limit=None)).items}
        unknown = [i for i in survey_round.invited if i not in found]
        if unknown:
            raise InvalidData(ntranslate("invited: %(ids)s is not a known organisation.",
                                         "invited: %(ids)s are not known organisations.", len(unknown),
                                         ids=_few(unknown)),
                              {"invited": [translate("Unknown organisation '%(id)s'.", id=i) for i in unknown[:20]]})
        created = surveys_of(store).create_round(survey_round)
        audit.record(store, actor, "create", "survey_round", created.id,
                     {"after": {**dump_round(created), "invited": len(created.invited)}})
    return created


def delete_round(store: GraphStore, round_id: str, *, actor: Actor) -> int:
    """Delete a round and its answers (audited); returns how many answers went."""
    with store.transaction(actor=actor.key):
        removed = surveys_of(store).delete_round(round_id)
        audit.record(store, actor, "delete", "survey_round", round_id, {"answers_deleted": removed})
    return removed


def rounds(store: GraphStore) -> list[SurveyRound]:
    """Every survey round, oldest first."""
    return surveys_of(store).list_rounds()


def get_round(store: GraphStore, round_id: str) -> SurveyRound:
    """One survey round, or ``NotFound``."""
    return surveys_of(store).get_round(round_id)


def tie_partners(store: GraphStore, organisation: str) -> list[str]:
    """The organisations ``organisation`` has a tie with (an active link, either direction), sorted."""
    links = store.list_links(LinkQuery(organisation=organisation, status="active", limit=None)).items
    return sorted({x.target if x.source == organisation else x.source for x in links} - {organisation})


def answer(store: GraphStore, round_id: str, data: dict[str, Any], *, actor: Actor,
           organisation: str | None = None, on: dt.date | None = None) -> TieRating:
    """Record one organisation's answers about one tie in round ``round_id``; returns the answer stored.

    ``organisation`` is the caller's own organisation when the caller is bound to one (an
    invitation): it may answer for that organisation only, and its answer is dated today.
    An administrator entering a paper form may give ``answered_on`` (default today).
    A second answer by the same organisation about the same partner replaces the first.
    Refused with ``InvalidData`` (nothing stored) unless the round is open on the answer's
    date, the respondent was invited and the two organisations have a tie.
    """
    rating = load_rating({**data, "round": round_id} if isinstance(data, dict) else data)
    if organisation is not None:
        if rating.respondent != organisation:
            raise InvalidData(translate("respondent: you answer for '%(org)s' only, not for '%(other)s'.",
                                        org=organisation, other=rating.respondent),
                              {"respondent": [translate("Must be '%(id)s'.", id=organisation)]})
        rating.answered_on = None
    rating.answered_on = rating.answered_on or on or today()
    rating.entered_by = actor.name
    surveys = surveys_of(store)
    with store.transaction(actor=actor.key):
        survey_round = surveys.get_round(round_id)
        _check(survey_round, rating, tie_partners(store, rating.respondent))
        before = surveys.put_rating(rating)
        audit.record(store, actor, "answer", "tie_rating", "/".join(rating.key),
                     {"after": dump_rating(rating), **({"before": dump_rating(before)} if before else {})})
    return rating


def _check(survey_round: SurveyRound, rating: TieRating, partners: list[str]) -> None:
    day = rating.answered_on or today()
    if not survey_round.is_open(day):
        raise InvalidData(translate("answered_on: the round '%(round)s' takes answers from %(opens)s to %(closes)s, "
                                    "not on %(day)s.", round=survey_round.name, opens=survey_round.opens.isoformat(),
                                    closes=survey_round.closes.isoformat(), day=day.isoformat()),
                          {"answered_on": [translate("Outside the round's dates.")]})
    if rating.respondent not in survey_round.invited:
        raise InvalidData(translate("respondent: '%(id)s' was not invited to the round '%(round)s'.",
                                    id=rating.respondent, round=survey_round.name),
                          {"respondent": [translate("Not invited to this round.")]})
    if rating.partner not in partners:
        raise InvalidData(translate("partner: '%(id)s' has no active tie with '%(partner)s'; rate only organisations "
                                    "you work with.", id=rating.respondent, partner=rating.partner),
                          {"partner": [translate("No active tie with the respondent.")]})


def answers(store: GraphStore, round_id: str, *, respondent: str | None = None) -> list[TieRating]:
    """The round's individual answers (for administrators only: callers check the role)."""
    surveys = surveys_of(store)
    surveys.get_round(round_id)
    return surveys.list_ratings(round_id, respondent=respondent)


def results(store: GraphStore, round_id: str, *, admin: bool) -> dict[str, Any]:
    """The round's aggregates and its comparison with the round before (if any).

    Administrators get every aggregate (tie scores included); everyone else gets
    :func:`network.analysis.ties.public_results` (groups of at least three organisations).
    Returns ``{"round", "results", "previous", "change", "admin"}``.
    """
    surveys = surveys_of(store)
    survey_round = surveys.get_round(round_id)
    current = _shown(ties.round_results(survey_round.invited, surveys.list_ratings(round_id), with_ties=admin), admin)
    earlier = [r for r in surveys.list_rounds() if (r.opens, r.id) < (survey_round.opens, survey_round.id)]
    previous = earlier[-1] if earlier else None
    change = None
    if previous is not None:
        before = _shown(ties.round_results(previous.invited, surveys.list_ratings(previous.id), with_ties=admin),
                        admin)
        change = ties.compare_rounds(current, before)
    return {"round": survey_round, "results": current, "previous": previous, "change": change, "admin": admin}


def names(store: GraphStore, results: dict[str, Any]) -> dict[str, str]:
    """The name of each organisation ``results`` (of :func:`results`) mentions (an id no longer stored names
    itself), for pages."""
    ids = set(results["organisations"]) | set(results.get("withheld", ()))
    for a, b in results["ties"]:
        ids |= {a, b}
    found = store.list_organisations(OrganisationQuery(ids=tuple(sorted(ids)), limit=None)).items if ids else []
    return {i: i for i in ids} | {o.id: o.name for o in found}


def latest_tie_scores(store: GraphStore, *, admin: bool) -> tuple[SurveyRound | None, dict[tuple[str, str], Any]]:
    """The tie scores of the latest round with answers, for administrators (empty for everyone else)."""
    surveys = surveys_of(store)
    for survey_round in reversed(surveys.list_rounds()):
        ratings = surveys.list_ratings(survey_round.id)
        if ratings:
            return survey_round, (ties.tie_scores(ratings) if admin else {})
    return None, {}


def low_trust_findings(store: GraphStore, G: Any, *, as_of: dt.date | None = None) -> list[Finding]:
    """The ``low_trust_dependency`` findings of the latest round with answers, on ``as_of`` (for administrators:
    callers decide who sees them)."""
    survey_round, scores = latest_tie_scores(store, admin=True)
    if survey_round is None:
        return []
    return low_trust_dependencies(G, scores, as_of=as_of, survey=survey_round.name)


def pathway_rules(store: GraphStore) -> list[LowTrustSteps]:
    """The pathway step rule of the latest round with answers (a note on steps along low-trust ties), if any
    (for administrators: callers decide who gets it)."""
    survey_round, scores = latest_tie_scores(store, admin=True)
    return [] if survey_round is None else [LowTrustSteps(scores, survey=survey_round.name)]


def _shown(results: dict[str, Any], admin: bool) -> dict[str, Any]:
    return results if admin else ties.public_results(results)


def _few(ids: list[str]) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:5])
    return translate("%(message)s (and %(num)d more)", message=shown, num=len(ids) - 5) if len(ids) > 5 else shown


def answer_many(store: GraphStore, round_id: str, rows: list[dict[str, Any]], *, actor: Actor) -> int:
    """Record many answers (paper forms, a file) in one transaction: all of them, or none.

    A refusal names the row (counting the header as row 1, as a spreadsheet does).
    """
    with store.transaction(actor=actor.key):
        for number, row in enumerate(rows, start=2):
            try:
                answer(store, round_id, row, actor=actor)
            except InvalidData as err:
                raise InvalidData(translate("row %(row)s: %(problem)s", row=number, problem=err.message),
                                  {f"row {number}": err.errors}) from None
    return len(rows)


def seed_demo_round(store: GraphStore, *, actor: Actor) -> int:
    """Load the demo network's illustrative survey round (replacing it if present), audited as one write.

    Every answer passes the same checks as :func:`answer`; returns how many were entered (0 when the seed
    folder holds no survey round).
    """
    folder = seed_dir() / "demo"
    if not (folder / "survey_round.json").exists():
        return 0
    survey_round = load_round(read_round(folder / "survey_round.json"))
    rows = read_answers(folder / "survey_responses.csv")
    surveys = surveys_of(store)
    with store.transaction(actor=actor.key):
        if survey_round.id in {r.id for r in surveys.list_rounds()}:
            surveys.delete_round(survey_round.id)
        surveys.create_round(survey_round)
        partners: dict[str, list[str]] = {}
        for number, row in enumerate(rows, start=2):
            rating = load_rating({**row, "round": survey_round.id})
            rating.entered_by = actor.name
            if rating.respondent not in partners:
                partners[rating.respondent] = tie_partners(store, rating.respondent)
            try:
                _check(survey_round, rating, partners[rating.respondent])
            except InvalidData as err:
                raise InvalidData(translate("row %(row)s: %(problem)s", row=number, problem=err.message),
                                  {f"row {number}": err.errors}) from None
            surveys.put_rating(rating)
        audit.record(store, actor, "seed", "survey_round", survey_round.id, {"answers": len(rows)})
    return len(rows)
