"""``cssnet report``, ``agenda``, ``pathway`` and ``viz``: the analyses and the drawing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import click
from marshmallow import ValidationError

from network.cli.base import DATE, as_date, cli, refusals, store_of, write_or_echo
from network.model import vocabulary
from network.schemas import problem_lines
from network.service import analyses, drawing
from network.service.scope import DEPTH, ViewArgs
from network.translation import ntranslate, sentence, translate


@cli.command()
@click.option("--as-of", type=DATE, help="Judge agreements as on this date (default today).")
@click.option("--province", type=click.Choice(sorted(vocabulary().provinces)), help="Only this province.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "md", "html"]), default="md", show_default=True,
              help="jsonl: one JSON record a line (the report, each finding, ..., each agenda item), streamed.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_context
def report(ctx: click.Context, as_of: dt.datetime | None, province: str | None, fmt: str,
           output: str | None) -> None:
    """The coordination report: linkage gaps, duplication, structure and recommendations."""
    from network.analysis.report import report_html, report_markdown

    if fmt == "jsonl":
        _stream(analyses.report_lines(store_of(ctx), as_of=as_date(as_of), province=province, admin=True), output)
        return
    data = analyses.report(store_of(ctx), as_of=as_date(as_of), province=province, admin=True)
    # Markdown and HTML write the report in the command line's language; JSON keeps the analyses' English
    text = {"json": lambda d: json.dumps(d, indent=2), "md": report_markdown, "html": report_html}[fmt](data)
    write_or_echo(text, output, ntranslate("%(num)d finding", "%(num)d findings", len(data["findings"])))


def _stream(lines: Iterator[str], output: str | None) -> None:
    """Write ``lines`` one at a time to ``output`` (or stdout), saying how many records were written to a file."""
    written = 0
    with click.open_file(output or "-", "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line)
            written += 1
    if output:
        click.echo(translate("wrote %(path)s: %(num)s records", path=output, num=written))


@cli.command()
@click.option("--as-of", type=DATE, help="The day of the agenda: urgency counts from it (default today).")
@click.option("--province", type=click.Choice(sorted(vocabulary().provinces)), help="Only this province.")
@click.option("--district", type=click.Choice(sorted(vocabulary().districts)), help="Only this district.")
@click.option("--programme", help="Only the organisations at either end of this programme's funding links.")
@click.option("--intervention-area", type=click.Choice(sorted(vocabulary().intervention_areas)),
              help="Only the organisations working in this intervention area.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="Most items.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text",
              show_default=True, help="html: a standalone page that prints on A4.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_context
def agenda(ctx: click.Context, as_of: dt.datetime | None, province: str | None, district: str | None,
           programme: str | None, intervention_area: str | None, limit: int, fmt: str, output: str | None) -> None:
    """The coordination agenda: one action per root cause, ranked by impact and urgency."""
    from network.analysis.agenda_text import agenda_html, agenda_markdown, agenda_text

    with refusals():
        data = analyses.agenda(store_of(ctx), as_of=as_date(as_of), province=province, district=district,
                               programme=programme, intervention_area=intervention_area, limit=limit, admin=True)
    render = {"json": lambda d: json.dumps(d, indent=2), "text": agenda_text, "md": agenda_markdown,
              "html": agenda_html}[fmt]
    # text, Markdown and HTML read in the command line's language; JSON keeps the analysis's own words
    write_or_echo(render(data), output, ntranslate("%(num)d item", "%(num)d items", len(data["items"])))


@cli.command()
@click.option("--from", "start", help="The organisation where the client first arrives.")
@click.option("--district", help="Or: start from any organisation in this district.")
@click.option("--needs", required=True, help="Services needed, in order, comma-separated (e.g. tb_screening,"
                                             "tb_treatment).")
@click.option("--population", required=True, help="The client's population code (e.g. artisanal_miners).")
@click.option("--k", default=3, show_default=True, type=click.IntRange(1, 20), help="How many pathways.")
@click.option("--include-unlinked", is_flag=True, help="Also suggest same-district providers with no link yet.")
@click.option("--as-of", type=DATE, help="Judge agreements as on this date (default today).")
@click.option("--language", help="The client's language (e.g. st or Sesotho): prefer providers that speak it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def pathway(ctx: click.Context, start: str | None, district: str | None, needs: str, population: str, k: int,
            include_unlinked: bool, as_of: dt.datetime | None, language: str | None, fmt: str) -> None:
    """The best referral pathways for a client through their needs, in order."""
    if bool(start) == bool(district):
        raise click.UsageError(translate("Give exactly one of --from or --district."))
    with refusals():
        found = analyses.pathways(store_of(ctx), population=population, start=start, district=district, k=k,
                                  needs=[n.strip() for n in needs.split(",") if n.strip()],
                                  include_unlinked=include_unlinked, as_of=as_date(as_of), language=language,
                                  admin=True)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo(translate("no pathway found through active agreements") if include_unlinked
                   else translate("no pathway found through active agreements (try --include-unlinked)"))
    for rank, path in enumerate(found, start=1):
        unsigned = (translate(", %(num)s without an agreement yet", num=path["proposed_steps"])
                    if path["proposed_steps"] else "")
        click.echo(translate("%(rank)s. %(hops)s referral(s)", rank=rank, hops=path["hops"]) + unsigned)
        for step in path["steps"]:
            click.echo(f"   - {sentence(step['explanation'])}")


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--province", help="Only this province (e.g. Limpopo).")
@click.option("--district", help="Only this district (e.g. Sekhukhune).")
@click.option("--kind", help="Only organisations of this kind (a code, e.g. clinic).")
@click.option("--service", help="Only organisations offering this service (a code, e.g. tb_treatment).")
@click.option("--population", help="Only organisations serving this population (a code, e.g. mineworkers).")
@click.option("--country", help="Only organisations in this country (ISO code, e.g. LS).")
@click.option("--intervention-area", help="Only organisations working in this intervention area (a code).")
@click.option("--link-kind", help="Only links of this kind (a code, e.g. referral).")
@click.option("--ego", help="Draw only this organisation's network...")
@click.option("--depth", default=DEPTH[0], show_default=True, type=click.IntRange(*DEPTH),
              help="...to this many steps.")
@click.option("--show-protected", is_flag=True, help="Include protected fields.")
@click.pass_context
def viz(ctx: click.Context, output: str, province: str | None, district: str | None, kind: str | None,
        service: str | None, population: str | None, country: str | None, intervention_area: str | None,
        link_kind: str | None, ego: str | None, depth: int, show_protected: bool) -> None:
    """Write a standalone HTML network to OUTPUT that opens offline in any browser."""
    given = {"province": province, "district": district, "kind": kind, "service": service,
             "population": population, "country": country, "intervention_area": intervention_area,
             "link_kind": link_kind, "ego": ego, "depth": depth}
    try:
        scope = ViewArgs().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as err:
        raise click.UsageError("; ".join(problem_lines(err.messages))) from None
    with refusals():
        html, drawn = drawing.page(store_of(ctx), scope, redacted=not show_protected)
    Path(output).write_text(html, encoding="utf-8")
    click.echo(translate("wrote %(path)s: %(num)s organisations", path=output, num=drawn))
