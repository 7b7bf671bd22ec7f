"""``cssnet init`` and ``cssnet seed``: create the store and load the demo network."""

from __future__ import annotations

import click

from network.cli.base import cli, refusals, store_of
from network.service.audit import CLI
from network.service.transfer import seed_demo
from network.translation import translate


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store (or bring its schema up to date)."""
    store = store_of(ctx)
    click.echo(translate("store ready: revision %(revision)s", revision=store.revision()))


@cli.command()
@click.option("--replace", is_flag=True, help="Empty the store first.")
@click.pass_context
def seed(ctx: click.Context, replace: bool) -> None:
    """Load the illustrative demo network."""
    with refusals():
        result = seed_demo(store_of(ctx), actor=CLI, replace=replace)
    click.echo(translate("demo network loaded: %(organisations)s organisations and %(links)s links created, "
                         "%(updated)s updated", organisations=result.organisations_created,
                         links=result.links_created, updated=result.organisations_updated + result.links_updated))
