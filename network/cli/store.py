"""``cssnet init`` and ``cssnet seed``: create the store and load the demo network."""

from __future__ import annotations

import click

from network.cli.base import cli, fail, store_of
from network.errors import CssnetError
from network.service.audit import CLI
from network.service.transfer import seed_demo


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store (or bring its schema up to date)."""
    store = store_of(ctx)
    click.echo(f"store ready: revision {store.revision()}")


@cli.command()
@click.option("--replace", is_flag=True, help="Empty the store first.")
@click.pass_context
def seed(ctx: click.Context, replace: bool) -> None:
    """Load the illustrative demo network."""
    try:
        result = seed_demo(store_of(ctx), actor=CLI, replace=replace)
    except CssnetError as err:
        fail(err)
    click.echo(f"demo network loaded: {result.organisations_created} organisations and "
               f"{result.links_created} links created, {result.organisations_updated + result.links_updated} "
               "updated")
