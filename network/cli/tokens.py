"""``cssnet token create|list|revoke``: API tokens."""

from __future__ import annotations

import click

from network.cli.base import cli, refusals, store_of
from network.service import tokens
from network.service.audit import CLI
from network.translation import translate


@cli.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@token.command("create")
@click.option("--name", required=True, help="Who or what the token is for (shown in the audit log).")
@click.option("--role", type=click.Choice(tokens.TOKEN_ROLES), required=True)
@click.option("--organisation", default=None,
              help="The organisation a referrer token acts for (its id); required for referrers, refused otherwise.")
@click.pass_context
def token_create(ctx: click.Context, name: str, role: str, organisation: str | None) -> None:
    """Create a token; its secret is printed once and stored only hashed."""
    with refusals():
        created, secret = tokens.create_token(store_of(ctx), name, role, actor=CLI, organisation=organisation)
    bound = translate(" acting for %(org)s", org=created.organisation) if created.organisation else ""
    click.echo(translate("token %(id)s (%(role)s) for %(name)s", id=created.id, role=created.role + bound,
                         name=created.name))
    click.echo(secret)


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List tokens (never their secrets)."""
    for t in tokens.list_tokens(store_of(ctx)):
        state = "revoked" if t.revoked else "active"
        bound = translate("  (acts for %(org)s)", org=t.organisation) if t.organisation else ""
        click.echo(f"{t.id}  {t.role:<8} {state:<8} {t.created_at:%Y-%m-%d}  {t.name}{bound}")


@token.command("revoke")
@click.argument("token_id")
@click.pass_context
def token_revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke the token TOKEN_ID."""
    with refusals():
        tokens.revoke_token(store_of(ctx), token_id, actor=CLI)
    click.echo(translate("revoked %(id)s", id=token_id))
