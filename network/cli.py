"""The ``cssnet`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from network.errors import CssnetError
from network.graph import open_store
from network.graph.store import GraphStore
from network.io.csvfiles import write_csv
from network.io.importer import ImportRefused
from network.service import import_csv, seed_demo

__all__ = ["main", "cli"]

#: Exit codes: 0 done, 1 refused input or a domain error, 2 bad usage (click's own).
EXIT_REFUSED = 1

STORE_HELP = "Store: a file path, sqlite:///path, bolt:// or neo4j:// URI (default: $CSSNET_STORE or ./cssnet.db)."


class _Context:
    def __init__(self, location: str | None):
        self.location = location
        self._store: GraphStore | None = None

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.location)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "location", envvar="CSSNET_STORE", help=STORE_HELP)
@click.version_option(package_name="cssnet")
@click.pass_context
def cli(ctx: click.Context, location: str | None) -> None:
    """cssnet: the partner network of a community health response.

    Keep the register of organisations and the links between them, find
    linkage gaps, duplication and referral pathways, and serve it all over HTTP.
    """
    state = _Context(location)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _store(ctx: click.Context) -> GraphStore:
    return ctx.find_object(_Context).store


def _fail(err: CssnetError) -> None:
    click.echo(f"error: {err.message}", err=True)
    if isinstance(err, ImportRefused):
        for problem in err.problems:
            click.echo(f"  {problem}", err=True)
    sys.exit(EXIT_REFUSED)


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store (or bring its schema up to date)."""
    store = _store(ctx)
    click.echo(f"store ready: revision {store.revision()}")


@cli.command()
@click.option("--replace", is_flag=True, help="Empty the store first.")
@click.pass_context
def seed(ctx: click.Context, replace: bool) -> None:
    """Load the illustrative demo network."""
    store = _store(ctx)
    if replace:
        store.clear()
    try:
        result = seed_demo(store)
    except CssnetError as err:
        _fail(err)
    click.echo(f"demo network loaded: {result.organisations_created} organisations and "
               f"{result.links_created} links created, {result.organisations_updated + result.links_updated} "
               "updated")


@cli.command("import")
@click.argument("organisations", type=click.Path(dir_okay=False), required=False)
@click.argument("links", type=click.Path(dir_okay=False), required=False)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on long imports.")
@click.pass_context
def import_(ctx: click.Context, organisations: str | None, links: str | None, progress: bool) -> None:
    """Import ORGANISATIONS.csv and/or LINKS.csv: all or nothing.

    Any bad row refuses the whole import; every problem is listed by file, row
    and field, and the store is left as it was. Give "-" to skip one file.
    """
    organisations = None if organisations in (None, "-") else organisations
    links = None if links in (None, "-") else links
    if not organisations and not links:
        raise click.UsageError("Give ORGANISATIONS.csv, LINKS.csv or both.")
    try:
        result = import_csv(_store(ctx), organisations, links, progress=progress)
    except CssnetError as err:
        _fail(err)
    click.echo(f"imported: {result.organisations_created} organisations created, "
               f"{result.organisations_updated} updated; {result.links_created} links created, "
               f"{result.links_updated} updated")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def export(ctx: click.Context, folder: str) -> None:
    """Export the network as organisations.csv and links.csv into FOLDER."""
    paths = write_csv(_store(ctx), Path(folder))
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of organisations by kind, province and status, and of links by kind and status."""
    counts = _store(ctx).counts()
    if as_json:
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    for title, table in counts.items():
        click.echo(f"{title.replace('_', ' ')} ({sum(table.values())}):")
        for key, n in sorted(table.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {key:<40} {n:>7}")


def main() -> None:
    """Entry point of the ``cssnet`` console script."""
    cli(prog_name="cssnet")
