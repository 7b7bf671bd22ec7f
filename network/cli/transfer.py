"""``cssnet import``, ``export`` and ``template``: the network in and out of files."""

from __future__ import annotations

from pathlib import Path

import click

from network.cli.base import cli, refusals, store_of
from network.service.audit import CLI
from network.service.transfer import EXPORT_FORMATS, export_to_folder, import_csv, import_path
from network.translation import translate


@cli.command("import")
@click.argument("organisations", type=click.Path(dir_okay=False), required=False)
@click.argument("links", type=click.Path(dir_okay=False), required=False)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on long imports.")
@click.pass_context
def import_(ctx: click.Context, organisations: str | None, links: str | None, progress: bool) -> None:
    """Import ORGANISATIONS.csv and/or LINKS.csv (or one .xlsx, .json or .graphml file): all or nothing.

    Any bad row refuses the whole import; every problem is listed by file, row
    and field, and the store is left as it was. Give "-" to skip one CSV file.
    """
    organisations = None if organisations in (None, "-") else organisations
    links = None if links in (None, "-") else links
    if not organisations and not links:
        raise click.UsageError(translate("Give ORGANISATIONS.csv, LINKS.csv or both."))
    with refusals():
        if organisations and not links and not organisations.lower().endswith(".csv"):
            result = import_path(store_of(ctx), organisations, actor=CLI)
        else:
            result = import_csv(store_of(ctx), organisations, links, actor=CLI, progress=progress)
    click.echo(translate("imported: %(organisations)s organisations created, %(organisations_updated)s updated; "
                         "%(links)s links created, %(links_updated)s updated",
                         organisations=result.organisations_created,
                         organisations_updated=result.organisations_updated, links=result.links_created,
                         links_updated=result.links_updated))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="csv", show_default=True,
              help="; ".join(f"{name}: {spec.description}" for name, spec in EXPORT_FORMATS.items()) + ".")
@click.option("--include-protected/--hide-protected", default=False, show_default=True,
              help="Include sensitive organisations' protected fields (location, contacts, description and external "
                   "ids) for a full backup; left out by default, so the files are safe to share.")
@click.pass_context
def export(ctx: click.Context, folder: str, fmt: str, include_protected: bool) -> None:
    """Export the network into FOLDER in one of the formats partners use (protected fields left out unless asked)."""
    for path in export_to_folder(store_of(ctx), fmt, Path(folder), hide_protected=not include_protected):
        click.echo(translate("wrote %(path)s", path=path))
    if include_protected:
        click.echo(translate("These files INCLUDE sensitive organisations' locations, contacts, descriptions and "
                             "external ids: keep them private."), err=True)
    else:
        click.echo(translate("Sensitive organisations' locations, contacts, descriptions and external ids are left "
                             "out; use --include-protected for a full backup."), err=True)


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False))
def template(output: str) -> None:
    """Write an XLSX template workbook with drop-down lists from the vocabulary."""
    from network.io.xlsx import template_workbook

    Path(output).write_bytes(template_workbook())
    click.echo(translate("wrote %(path)s", path=output))
