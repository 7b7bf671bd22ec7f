"""``cssnet programme``: a programme's report (its grants, sub-recipients, coverage, gaps and grants ending)."""

from __future__ import annotations

import datetime as dt
import json

import click

from network.cli.base import DATE, as_date, cli, refusals, store_of
from network.model import vocabulary
from network.service import programmes
from network.translation import local_date, ntranslate, sentence, translate


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
    """The programme's report for people to read, in the command line's language (services by their labels)."""
    p, labels = data["programme"], vocabulary().services
    covered = ", ".join(translate(labels.get(code, code)) for code in data["coverage"]["services"])
    grants = ntranslate("%(num)d grant", "%(num)d grants", len(data["grants"]))
    recipients = ntranslate("%(num)d sub-recipient", "%(num)d sub-recipients", len(data["sub_recipients"]))
    lines = [p["name"], translate("%(grants)s to %(recipients)s; services covered: %(services)s.", grants=grants,
                                  recipients=recipients, services=covered or translate("none"))]
    lines += [translate("Grants ending soon")] if data["ending_soon"] else []
    lines += ["  - " + ntranslate("%(grant)s to %(recipient)s ends on %(day)s (%(num)d day)",
                                  "%(grant)s to %(recipient)s ends on %(day)s (%(num)d days)", g["days_left"],
                                  grant=g["grant_ref"] or translate("A grant"), recipient=g["recipient_name"],
                                  day=local_date(g["end_date"]))
              for g in data["ending_soon"]]
    lines.append(translate("Gaps in its area (%(num)s)", num=len(data["gaps"])))
    lines += [f"  - {sentence(f['explanation'])}" for f in data["gaps"][:20]]
    return "\n".join(lines)
