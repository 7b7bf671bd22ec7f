"""``cssnet programme``: a programme's report (its grants, sub-recipients, coverage, gaps and grants ending)."""

from __future__ import annotations

import datetime as dt
import json

import click

from network.cli.base import DATE, as_date, cli, refusals, store_of
from network.service import programmes
from network.translation import sentence


@cli.command()
@click.argument("programme", required=False)
@click.option("--as-of", type=DATE, help="The day the programme is looked at (default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def programme(ctx: click.Context, programme: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """The report of PROGRAMME (its id or name); without one, the programmes recorded."""
    with refusals():
        if programme is None:
            for item in programmes.programmes():
                click.echo(f"{item.id}: {item.name}")
            return
        data = programmes.report(store_of(ctx), programme, as_of=as_date(as_of))
    click.echo(json.dumps(data, indent=2) if fmt == "json" else _text(data))


def _text(data: dict) -> str:
    p = data["programme"]
    lines = [p["name"], f"{len(data['grants'])} grants to {len(data['sub_recipients'])} sub-recipients; "
             f"services covered: {', '.join(data['coverage']['services']) or 'none'}."]
    lines += [f"Ending soon: {g['grant_ref'] or g['link']} to {g['recipient_name']} on {g['end_date']} "
              f"({g['days_left']} days)" for g in data["ending_soon"]]
    lines.append(f"Gaps in its area: {len(data['gaps'])}")
    lines += [f"  - {sentence(f['explanation'])}" for f in data["gaps"][:20]]
    return "\n".join(lines)
