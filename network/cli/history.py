"""``cssnet history`` and ``cssnet diff``: a record's versions, and what changed between two dates."""

from __future__ import annotations

import json

import click

from network.cli.base import cli, refusals, store_of
from network.translation import in_words, sentence, translate


@cli.command()
@click.argument("record_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--hide-protected", is_flag=True, help="Show what the public sees of a sensitive organisation.")
@click.pass_context
def history(ctx: click.Context, record_id: str, fmt: str, hide_protected: bool) -> None:
    """The versions of the organisation or link RECORD_ID, oldest first: when, who and what changed."""
    from network.analysis.changes import versions_text
    from network.service.history import record_versions

    with refusals():
        found = record_versions(store_of(ctx), record_id, redacted=hide_protected, named=True)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    headings = {"organisation": translate("Organisation %(id)s", id=record_id),
                "link": translate("Link %(id)s", id=record_id)}
    said = {entity: [{**v, "changes": [sentence(c) for c in v["changes"]]} for v in items]
            for entity, items in found.items()}
    click.echo("\n\n".join(versions_text(headings.get(entity, f"{entity.capitalize()} {record_id}"), items)
                           for entity, items in said.items()))


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    from network.service.history import parse_moment

    try:
        return parse_moment(value) if value else None
    except ValueError:
        raise click.BadParameter(translate("give a date (2026-05-01) or a time (2026-05-01T09:30:00) from the years "
                                           "1900 to 2999")) from None


@cli.command()
@click.option("--from", "since", callback=_moment, help="The first date or time (default: 91 days before --to).")
@click.option("--to", "until", callback=_moment, help="The second date or time (default: today).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--hide-protected", is_flag=True, help="Analyse as the public sees the network.")
@click.pass_context
def diff(ctx: click.Context, since: object, until: object, fmt: str, hide_protected: bool) -> None:
    """What changed between two dates: records added, closed, expired and renewed, findings, agenda items."""
    from network.analysis.changes import changes_markdown, summary_lines
    from network.service.history import diff as changes

    with refusals():
        data = changes(store_of(ctx), since, until, redacted=hide_protected)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(changes_markdown({**in_words(data), "summary": summary_lines(data)}))
