"""``cssnet referral send|status|show|list|outcomes|retain``: referral records at the command line (as an admin)."""

from __future__ import annotations

import datetime as dt
import json

import click

from network.cli.base import DATE, as_date, cli, refusals, store_of
from network.referrals import STATUSES, Referral, referral_vocabulary
from network.service import outcomes, referrals
from network.service.audit import CLI
from network.translation import in_words, translate


@cli.group()
def referral() -> None:
    """Send referrals, record what became of them, list them, see outcomes, and reduce old ones to counts."""


def _show(r: Referral) -> None:
    words = referral_vocabulary().statuses
    click.echo(translate("%(code)s  %(source)s -> %(target)s  %(status)s  created %(day)s", code=r.code,
                         source=r.source, target=r.target, status=translate(words.get(r.status, r.status)),
                         day=r.created))
    for step in r.history:
        reason = (f" ({translate(referral_vocabulary().decline_reasons.get(step.reason, step.reason))})"
                  if step.reason else "")
        click.echo(translate("  %(day)s  %(status)s by %(who)s", day=step.on,
                             status=translate(words.get(step.status, step.status)), who=step.by) + reason)


@referral.command("send")
@click.option("--from", "source", required=True, help="The sending organisation's id.")
@click.option("--to", "target", required=True, help="The receiving organisation's id.")
@click.option("--need", "needs", multiple=True, required=True, help="A service code the client needs (repeat).")
@click.option("--population", default=None, help="The client's population code (none: the general population).")
@click.option("--link", default=None, help="The agreement used: a referral or MoU link between them.")
@click.option("--date", "created", type=DATE, default=None, help="The day it was made (default today).")
@click.pass_context
def referral_send(ctx: click.Context, source: str, target: str, needs: tuple[str, ...], population: str | None,
                  link: str | None, created: dt.datetime | None) -> None:
    """Record a referral and print its code. No client identity is recorded."""
    body = {"source": source, "target": target, "needs": list(needs), "population": population, "link": link,
            "created": as_date(created).isoformat() if created else None}
    with refusals():
        made = referrals.send_referral(store_of(ctx), body, acting=referrals.ADMIN, actor=CLI)
    _show(made)


@referral.command("status")
@click.argument("code")
@click.argument("status", type=click.Choice(STATUSES[1:]))
@click.option("--date", "on", type=DATE, default=None, help="The day (default today).")
@click.option("--reason", default=None, help="Why it was declined: " + ", ".join(referral_vocabulary().decline_reasons))
@click.pass_context
def referral_status(ctx: click.Context, code: str, status: str, on: dt.datetime | None, reason: str | None) -> None:
    """Record the next step of referral CODE (set by the organisation it was sent to)."""
    body = {"status": status, "on": as_date(on).isoformat() if on else None, "reason": reason}
    with refusals():
        _show(referrals.record_status(store_of(ctx), code, body, acting=referrals.ADMIN, actor=CLI))


@referral.command("show")
@click.argument("code")
@click.pass_context
def referral_show(ctx: click.Context, code: str) -> None:
    """Show referral CODE and its history."""
    with refusals():
        _show(referrals.read_referral(store_of(ctx), code, acting=referrals.ADMIN))


@referral.command("list")
@click.option("--organisation", default=None, help="Only this organisation's referrals (either end).")
@click.option("--direction", type=click.Choice(["sent", "received"]), default=None,
              help="With --organisation: only those it sent, or received.")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only referrals now at this status.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.pass_context
def referral_list(ctx: click.Context, organisation: str | None, direction: str | None, status: str | None,
                  limit: int) -> None:
    """List referrals, newest first."""
    with refusals():
        page = referrals.list_referrals(store_of(ctx), acting=referrals.ADMIN, organisation=organisation,
                                        direction=direction, status=status, limit=limit)
    words = referral_vocabulary().statuses
    for r in page.items:
        click.echo(f"{r.code}  {r.created}  {r.source} -> {r.target}  {translate(words.get(r.status, r.status))}")
    click.echo(translate("%(shown)s of %(total)s referral(s)", shown=len(page.items), total=page.total), err=True)


@referral.command("outcomes")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The window's last day (default today).")
@click.option("--months", type=click.IntRange(1, 60), default=6, show_default=True, help="The window's length.")
@click.pass_context
def referral_outcomes(ctx: click.Context, as_of: dt.datetime | None, months: int) -> None:
    """Completion rates per agreement, provider and district, and the outcome findings, as JSON."""
    with refusals():
        found = outcomes.figures(store_of(ctx), as_of=as_date(as_of), months=months)
    click.echo(json.dumps(in_words(found), indent=2))  # its only form: the findings' explanations in words


@referral.command("retain")
@click.option("--months", type=click.IntRange(1, 1200), default=None,
              help=f"Keep this many months of records (default ${referrals.RETENTION_ENV}, else "
                   f"{referral_vocabulary().retention_months}).")
@click.pass_context
def referral_retain(ctx: click.Context, months: int | None) -> None:
    """Reduce referral records older than the retention period to counts by month, route, agreement and status."""
    with refusals():
        reduced = referrals.reduce_old_referrals(store_of(ctx), actor=CLI, months=months)
    click.echo(translate("reduced %(num)s referral record(s) to counts; kept %(months)s months", num=reduced,
                         months=referrals.retention_months(months)))

