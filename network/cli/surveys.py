"""``cssnet survey open|answer|load|invite|results``: tie survey rounds, paper answers, links and results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from network.cli.base import DATE, cli, fail, refusals, store_of
from network.errors import CssnetError
from network.io.survey_csv import read_answers
from network.service import survey_invitations, surveys
from network.service.audit import CLI
from network.surveys import ITEMS, survey_words
from network.translation import translate


@cli.group()
def survey() -> None:
    """Tie surveys (PARTNER-style value and trust): open a round, enter answers, see results."""


@survey.command("open")
@click.argument("round_id")
@click.option("--name", required=True, help="The round's name, as pages show it.")
@click.option("--opens", type=DATE, required=True, help="First day answers are taken (YYYY-MM-DD).")
@click.option("--closes", type=DATE, required=True, help="Last day answers are taken (YYYY-MM-DD).")
@click.option("--invite", "invited", multiple=True, required=True,
              help="An invited organisation's id (repeat the option, or separate ids with commas).")
@click.pass_context
def survey_open(ctx: click.Context, round_id: str, name: str, opens: dt.datetime, closes: dt.datetime,
                invited: tuple[str, ...]) -> None:
    """Open the survey round ROUND_ID."""
    ids = [i.strip() for value in invited for i in value.split(",") if i.strip()]
    with refusals():
        created = surveys.create_round(store_of(ctx), {"id": round_id, "name": name, "invited": ids,
                                                       "opens": opens.date().isoformat(),
                                                       "closes": closes.date().isoformat()}, actor=CLI)
    click.echo(translate("opened %(id)s: %(name)s, %(opens)s to %(closes)s, %(num)s organisations invited",
                         id=created.id, name=created.name, opens=created.opens, closes=created.closes,
                         num=len(created.invited)))


@survey.command("answer")
@click.argument("round_id")
@click.option("--respondent", required=True, help="The organisation answering.")
@click.option("--partner", required=True, help="The organisation it rates (one it has a tie with).")
@click.option("--scores", required=True,
              help=f"Six answers from 1 to 4, comma-separated, in this order: {', '.join(ITEMS)}.")
@click.option("--contributes", default="", help="What the respondent brings to the tie: codes separated by ';'.")
@click.option("--answered-on", type=DATE, help="The date on the paper form (default today).")
@click.pass_context
def survey_answer(ctx: click.Context, round_id: str, respondent: str, partner: str, scores: str,
                  contributes: str, answered_on: dt.datetime | None) -> None:
    """Enter one organisation's (paper) answers about one tie in ROUND_ID."""
    values = [v.strip() for v in scores.split(",")]
    if len(values) != len(ITEMS):
        fail(CssnetError(f"--scores: give {len(ITEMS)} answers ({', '.join(ITEMS)}), not {len(values)}."))
    body = {"respondent": respondent, "partner": partner,
            **{item: int(v) if v.isdigit() else v for item, v in zip(ITEMS, values, strict=True)},
            "contributes": [c for c in contributes.split(";") if c]}
    if answered_on:
        body["answered_on"] = answered_on.date().isoformat()
    with refusals():
        stored = surveys.answer(store_of(ctx), round_id, body, actor=CLI)
    click.echo(translate("%(respondent)s rated %(partner)s: value %(value)s, trust %(trust)s",
                         respondent=stored.respondent, partner=stored.partner, value=format(stored.value, ".2f"),
                         trust=format(stored.trust, ".2f")))


@survey.command("load")
@click.argument("round_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def survey_load(ctx: click.Context, round_id: str, path: Path) -> None:
    """Enter every answer of the CSV file PATH into ROUND_ID: all of them, or none."""
    with refusals():
        count = surveys.answer_many(store_of(ctx), round_id, read_answers(path), actor=CLI)
    click.echo(translate("entered %(num)s answers into %(round)s", num=count, round=round_id))


@survey.command("invite")
@click.argument("round_id")
@click.option("--organisation", "organisations", multiple=True,
              help="Invite only this organisation of the round (repeat it); default: every one.")
@click.option("--days", type=click.IntRange(1, 90), default=14, show_default=True, help="How long each link works.")
@click.option("--base-url", default="", help="The site's address, to print whole links (e.g. https://cssnet.example).")
@click.pass_context
def survey_invite(ctx: click.Context, round_id: str, organisations: tuple[str, ...], days: int, base_url: str) -> None:
    """Make each invited organisation of ROUND_ID a one-time link to answer the survey (printed once)."""
    with refusals():
        made = survey_invitations.invite(store_of(ctx), round_id, actor=CLI, days=days,
                                         organisations=list(organisations) or None)
    for invitation, secret in made:
        click.echo(f"{invitation.organisation}\t{base_url.rstrip('/')}/surveys/answer/{secret}")


@survey.command("results")
@click.argument("round_id")
@click.pass_context
def survey_results(ctx: click.Context, round_id: str) -> None:
    """Value and trust scores of ROUND_ID (every aggregate: the command line is the administrator)."""
    with refusals():
        found = surveys.results(store_of(ctx), round_id, admin=True)
    results, words = found["results"], survey_words()
    response = results["response"]
    click.echo(translate("%(round)s: %(responded)s of %(invited)s invited organisations answered (%(rate)s)",
                         round=found["round"].name, responded=response["responded"], invited=response["invited"],
                         rate=format(response['rate'], ".0%")))
    network = results["network"]
    if network:
        click.echo(translate("network value %(value)s (%(value_percent)s), trust %(trust)s (%(trust_percent)s)",
                             value=format(network["value"], ".2f"), value_percent=str(network["value_percent"]) + "%",
                             trust=format(network["trust"], ".2f"), trust_percent=str(network["trust_percent"]) + "%"))
        for item in ITEMS:
            click.echo(f"  {translate(words.items[item])}: {network['items'][item]:.2f}")
    change = found["change"]
    if change and change["network"]:
        click.echo(translate("since %(round)s: value %(value)s, trust %(trust)s", round=found["previous"].name,
                             value=format(change["network"]["value"], "+.2f"),
                             trust=format(change["network"]["trust"], "+.2f")))
    for org, s in results["organisations"].items():
        click.echo(translate("%(org)s: value %(value)s, trust %(trust)s (%(num)s raters)", org=org,
                             value=format(s['value'], ".2f"), trust=format(s['trust'], ".2f"), num=s["respondents"]))
