"""``cssnet invitation create|list|withdraw`` and ``cssnet review list|accept|reject|trust``: partners check their
own records through one-time links, and coordinators decide on what they send."""

from __future__ import annotations

import json
from typing import Any

import click

from network.cli.base import cli, refusals, store_of
from network.errors import InvalidData
from network.graph.partners import PROPOSAL_STATUSES, ProposalQuery
from network.service import invitations, review
from network.service.audit import CLI
from network.translation import translate

#: Where the link points unless ``--base-url`` says otherwise (``cssnet serve``'s default address).
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@cli.group()
def invitation() -> None:
    """Invite partners to check their own record and ties through a one-time link."""


@invitation.command("create")
@click.argument("organisation")
@click.option("--days", type=int, default=invitations.DEFAULT_DAYS, show_default=True,
              help=f"How many days the link works (1-{invitations.MAX_DAYS}).")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="The address partners open.")
@click.pass_context
def invitation_create(ctx: click.Context, organisation: str, days: int, base_url: str) -> None:
    """Invite ORGANISATION (its id); the link is printed once and works once, until it expires."""
    with refusals():
        made, secret = invitations.create_invitation(store_of(ctx), organisation, actor=CLI, days=days)
    click.echo(translate("invitation %(id)s for %(org)s, works once until %(until)s UTC", id=made.id,
                         org=made.organisation, until=made.expires_at.strftime("%Y-%m-%d %H:%M")))
    click.echo(f"{base_url.rstrip('/')}/invite/{secret}")


@invitation.command("list")
@click.option("--organisation", default=None, help="Only this organisation's invitations.")
@click.pass_context
def invitation_list(ctx: click.Context, organisation: str | None) -> None:
    """List invitations, newest first (never their secrets)."""
    for i in invitations.list_invitations(store_of(ctx), organisation):
        state = (translate("used %(day)s", day=i.used_at.strftime("%Y-%m-%d")) if i.used_at
                 else translate("until %(day)s", day=i.expires_at.strftime("%Y-%m-%d")))
        click.echo(f"{i.id}  {i.organisation}  {i.purpose}  {state}")


@invitation.command("withdraw")
@click.argument("invitation_id")
@click.pass_context
def invitation_withdraw(ctx: click.Context, invitation_id: str) -> None:
    """Withdraw INVITATION_ID: its link stops working."""
    with refusals():
        invitations.withdraw_invitation(store_of(ctx), invitation_id, actor=CLI)
    click.echo(translate("withdrew %(id)s", id=invitation_id))


@cli.group("review")
def review_group() -> None:
    """The review queue: partners' proposed changes, accepted or rejected by a coordinator."""


@review_group.command("list")
@click.option("--status", type=click.Choice(PROPOSAL_STATUSES), default="pending", show_default=True)
@click.option("--organisation", default=None, help="Only this organisation's proposals.")
@click.pass_context
def review_list(ctx: click.Context, status: str, organisation: str | None) -> None:
    """List proposed changes, oldest first: id, organisation, kind, record and the change."""
    page = review.queue(store_of(ctx), ProposalQuery(status=status, organisation=organisation, limit=None))
    for p in page.items:
        click.echo(f"{p.id}  {p.organisation}  {p.kind}  {p.entity} {p.entity_id}  "
                   f"{json.dumps(p.changes, sort_keys=True, ensure_ascii=False)}")


@review_group.command("accept")
@click.argument("proposal_id")
@click.option("--edit", "edits", multiple=True, metavar="FIELD=JSON",
              help="Change a field before accepting, e.g. --edit 'phone=\"+27 15 555 0101\"' (repeatable).")
@click.option("--note", default="", help="Why, for the audit log.")
@click.pass_context
def review_accept(ctx: click.Context, proposal_id: str, edits: tuple[str, ...], note: str) -> None:
    """Apply PROPOSAL_ID (with any edits); the change, its history and the audit entries are one transaction."""
    with refusals():
        done = review.accept(store_of(ctx), proposal_id, actor=CLI, edits=_edits(edits), note=note)
    click.echo(translate("accepted %(id)s: %(kind)s of %(entity)s %(entity_id)s", id=done.id, kind=done.kind,
                         entity=done.entity, entity_id=done.entity_id))


@review_group.command("reject")
@click.argument("proposal_id")
@click.option("--note", default="", help="Why, for the audit log.")
@click.pass_context
def review_reject(ctx: click.Context, proposal_id: str, note: str) -> None:
    """Reject PROPOSAL_ID; nothing but the decision is written."""
    with refusals():
        done = review.reject(store_of(ctx), proposal_id, actor=CLI, note=note)
    click.echo(translate("rejected %(id)s", id=done.id))


@review_group.command("trust")
@click.argument("organisation")
@click.option("--off", is_flag=True, help="Send its changes to the review queue again.")
@click.pass_context
def review_trust(ctx: click.Context, organisation: str, off: bool) -> None:
    """Let ORGANISATION's changes apply directly (a trusted partner), or with --off wait for review."""
    with refusals():
        review.set_trusted(store_of(ctx), organisation, not off, actor=CLI)
    said = translate("changes wait for review") if off else translate("trusted partner, changes apply directly")
    click.echo(f"{organisation}: {said}")


def _edits(given: tuple[str, ...]) -> dict[str, Any]:
    """``FIELD=JSON`` options as a dict; ``InvalidData`` names a malformed one."""
    found: dict[str, Any] = {}
    for item in given:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError("no FIELD=")
            found[name.strip()] = json.loads(value)
        except ValueError:
            raise InvalidData(translate("--edit '%(item)s': write FIELD=JSON, e.g. phone=\"+27 15 555 0101\" or "
                                        "services='[\"art\"]'.", item=item), {"edit": [item]}) from None
    return found
