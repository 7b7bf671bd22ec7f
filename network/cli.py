"""The ``cssnet`` command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

import click
from marshmallow import ValidationError

from network.errors import CssnetError
from network.graph import open_store
from network.graph.store import GraphStore
from network.io.importer import ImportRefused
from network.model import vocabulary
from network.schemas import problem_lines
from network.service import analyses, drawing, tokens
from network.service.audit import CLI
from network.service.scope import DEPTH, ViewArgs
from network.service.transfer import EXPORT_FORMATS, export_to_folder, import_csv, import_path, seed_demo

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
    try:
        result = seed_demo(_store(ctx), actor=CLI, replace=replace)
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
    """Import ORGANISATIONS.csv and/or LINKS.csv (or one .xlsx, .json or .graphml file): all or nothing.

    Any bad row refuses the whole import; every problem is listed by file, row
    and field, and the store is left as it was. Give "-" to skip one CSV file.
    """
    organisations = None if organisations in (None, "-") else organisations
    links = None if links in (None, "-") else links
    if not organisations and not links:
        raise click.UsageError("Give ORGANISATIONS.csv, LINKS.csv or both.")
    try:
        if organisations and not links and not organisations.lower().endswith(".csv"):
            result = import_path(_store(ctx), organisations, actor=CLI)
        else:
            result = import_csv(_store(ctx), organisations, links, actor=CLI, progress=progress)
    except CssnetError as err:
        _fail(err)
    click.echo(f"imported: {result.organisations_created} organisations created, "
               f"{result.organisations_updated} updated; {result.links_created} links created, "
               f"{result.links_updated} updated")


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
    for path in export_to_folder(_store(ctx), fmt, Path(folder), hide_protected=not include_protected):
        click.echo(f"wrote {path}")
    if include_protected:
        click.echo("These files INCLUDE sensitive organisations' locations, contacts, descriptions and external ids: "
                   "keep them private.", err=True)
    else:
        click.echo("Sensitive organisations' locations, contacts, descriptions and external ids are left out; "
                   "use --include-protected for a full backup.", err=True)


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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving on one socket, each with --threads threads, against the same store.")
@click.option("--demo", is_flag=True, help="Serve a temporary store seeded with the demo network; prints an admin "
                                           "token.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, workers: int, demo: bool) -> None:
    """Serve the API and the web pages with waitress (a production WSGI server)."""
    from network.api import create_app
    from network.api.serve import demo_store, listen, serve_workers
    from network.api.serve import serve as run_server

    try:
        sock = listen(host, port)
    except OSError as err:
        click.echo(f"error: cannot listen on {host}:{port} ({err.strerror or err}); another program may be using "
                   "it: choose another --port.", err=True)
        sys.exit(1)
    location = ctx.find_object(_Context).location
    folder = tempfile.mkdtemp(prefix="cssnet-demo-") if demo else None
    status = 0
    try:
        if folder:
            path, secret = demo_store(folder)
            location = str(path)
            click.echo(f"demo store: {path} (removed when the server stops)")
            click.echo(f"admin token (shown once): {secret}")
        where = f"http://{host}:{sock.getsockname()[1]}/"
        if workers == 1:
            app = create_app({"STORE": location if demo else _store(ctx)})
            click.echo(f"serving on {where}  (API: /api/v1, docs: /api/v1/docs; Ctrl-C stops)")
            run_server(app, threads=threads, sock=sock)
        else:
            if not demo:
                _store(ctx).revision()  # the store exists, is reachable and has its schema before the workers open it
            click.echo(f"serving on {where} with {workers} processes  (API: /api/v1, docs: /api/v1/docs; Ctrl-C stops)")
            status = serve_workers(sock, workers, threads=threads, store=location)
    finally:
        sock.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(status)


@cli.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@token.command("create")
@click.option("--name", required=True, help="Who or what the token is for (shown in the audit log).")
@click.option("--role", type=click.Choice(tokens.TOKEN_ROLES), required=True)
@click.pass_context
def token_create(ctx: click.Context, name: str, role: str) -> None:
    """Create a token; its secret is printed once and stored only hashed."""
    try:
        created, secret = tokens.create_token(_store(ctx), name, role, actor=CLI)
    except CssnetError as err:
        _fail(err)
    click.echo(f"token {created.id} ({created.role}) for {created.name}")
    click.echo(secret)


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List tokens (never their secrets)."""
    for t in tokens.list_tokens(_store(ctx)):
        state = "revoked" if t.revoked else "active"
        click.echo(f"{t.id}  {t.role:<7} {state:<8} {t.created_at:%Y-%m-%d}  {t.name}")


@token.command("revoke")
@click.argument("token_id")
@click.pass_context
def token_revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke the token TOKEN_ID."""
    try:
        tokens.revoke_token(_store(ctx), token_id, actor=CLI)
    except CssnetError as err:
        _fail(err)
    click.echo(f"revoked {token_id}")


_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@cli.command()
@click.option("--as-of", type=_DATE, help="Judge agreements as on this date (default today).")
@click.option("--province", type=click.Choice(sorted(vocabulary().provinces)), help="Only this province.")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_context
def report(ctx: click.Context, as_of: dt.datetime | None, province: str | None, fmt: str,
           output: str | None) -> None:
    """The coordination report: linkage gaps, duplication, structure and recommendations."""
    from network.analysis.report import report_html, report_markdown

    data = analyses.report(_store(ctx), as_of=_as_date(as_of), province=province)
    text = {"json": lambda d: json.dumps(d, indent=2), "md": report_markdown, "html": report_html}[fmt](data)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(data['findings'])} findings")
    else:
        click.echo(text)


@cli.command()
@click.option("--as-of", type=_DATE, help="The day of the agenda: urgency counts from it (default today).")
@click.option("--province", type=click.Choice(sorted(vocabulary().provinces)), help="Only this province.")
@click.option("--district", type=click.Choice(sorted(vocabulary().districts)), help="Only this district.")
@click.option("--programme", help="Only the organisations at either end of this programme's funding links.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="Most items.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text",
              show_default=True, help="html: a standalone page that prints on A4.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_context
def agenda(ctx: click.Context, as_of: dt.datetime | None, province: str | None, district: str | None,
           programme: str | None, limit: int, fmt: str, output: str | None) -> None:
    """The coordination agenda: one action per root cause, ranked by impact and urgency."""
    from network.analysis.agenda_text import agenda_html, agenda_markdown, agenda_text

    try:
        data = analyses.agenda(_store(ctx), as_of=_as_date(as_of), province=province, district=district,
                               programme=programme, limit=limit)
    except CssnetError as err:
        _fail(err)
    render = {"json": lambda d: json.dumps(d, indent=2), "text": agenda_text, "md": agenda_markdown,
              "html": agenda_html}[fmt]
    text = render(data)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(data['items'])} items")
    else:
        click.echo(text)


@cli.command()
@click.option("--from", "start", help="The organisation where the client first arrives.")
@click.option("--district", help="Or: start from any organisation in this district.")
@click.option("--needs", required=True, help="Services needed, in order, comma-separated (e.g. tb_screening,"
                                             "tb_treatment).")
@click.option("--population", required=True, help="The client's population code (e.g. artisanal_miners).")
@click.option("--k", default=3, show_default=True, type=click.IntRange(1, 20), help="How many pathways.")
@click.option("--include-unlinked", is_flag=True, help="Also suggest same-district providers with no link yet.")
@click.option("--as-of", type=_DATE, help="Judge agreements as on this date (default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def pathway(ctx: click.Context, start: str | None, district: str | None, needs: str, population: str, k: int,
            include_unlinked: bool, as_of: dt.datetime | None, fmt: str) -> None:
    """The best referral pathways for a client through their needs, in order."""
    if bool(start) == bool(district):
        raise click.UsageError("Give exactly one of --from or --district.")
    try:
        found = analyses.pathways(_store(ctx), population=population, start=start, district=district, k=k,
                                 needs=[n.strip() for n in needs.split(",") if n.strip()],
                                 include_unlinked=include_unlinked, as_of=_as_date(as_of))
    except CssnetError as err:
        _fail(err)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("no pathway found through active agreements"
                   + ("" if include_unlinked else " (try --include-unlinked)"))
    for rank, path in enumerate(found, start=1):
        unsigned = f", {path['proposed_steps']} without an agreement yet" if path["proposed_steps"] else ""
        click.echo(f"{rank}. {path['hops']} referral(s){unsigned}")
        for step in path["steps"]:
            click.echo(f"   - {step['explanation']}")


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--province", help="Only this province (e.g. Limpopo).")
@click.option("--district", help="Only this district (e.g. Sekhukhune).")
@click.option("--kind", help="Only organisations of this kind (a code, e.g. clinic).")
@click.option("--service", help="Only organisations offering this service (a code, e.g. tb_treatment).")
@click.option("--population", help="Only organisations serving this population (a code, e.g. mineworkers).")
@click.option("--link-kind", help="Only links of this kind (a code, e.g. referral).")
@click.option("--ego", help="Draw only this organisation's network...")
@click.option("--depth", default=DEPTH[0], show_default=True, type=click.IntRange(*DEPTH),
              help="...to this many steps.")
@click.option("--show-protected", is_flag=True, help="Include protected fields.")
@click.pass_context
def viz(ctx: click.Context, output: str, province: str | None, district: str | None, kind: str | None,
        service: str | None, population: str | None, link_kind: str | None, ego: str | None, depth: int,
        show_protected: bool) -> None:
    """Write a standalone HTML network to OUTPUT that opens offline in any browser."""
    given = {"province": province, "district": district, "kind": kind, "service": service,
             "population": population, "link_kind": link_kind, "ego": ego, "depth": depth}
    try:
        scope = ViewArgs().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as err:
        raise click.UsageError("; ".join(problem_lines(err.messages))) from None
    try:
        html, drawn = drawing.page(_store(ctx), scope, redacted=not show_protected)
    except CssnetError as err:
        _fail(err)
    Path(output).write_text(html, encoding="utf-8")
    click.echo(f"wrote {output}: {drawn} organisations")


@cli.command()
@click.argument("keep")
@click.argument("drop")
@click.option("--apply", "do_apply", is_flag=True, help="Apply the merge (without it, only preview).")
@click.option("--prefer", type=click.Choice(["keep", "drop"]), default="keep", show_default=True,
              help="Which record's value wins where both fill a field differently (the preview lists them).")
@click.pass_context
def merge(ctx: click.Context, keep: str, drop: str, do_apply: bool, prefer: str) -> None:
    """Merge the duplicate record DROP into KEEP (preview unless --apply)."""
    from network.service.merge import apply_merge, plan_merge

    store = _store(ctx)
    try:
        if do_apply:
            plan = apply_merge(store, keep, drop, actor=CLI, prefer=prefer)
        else:
            plan = plan_merge(store, keep, drop, prefer=prefer)
    except CssnetError as err:
        _fail(err)
    click.echo(json.dumps(plan.to_dict(), indent=2, default=str))
    if not do_apply:
        click.echo("preview only: run again with --apply to merge", err=True)


@cli.command()
@click.argument("record_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--hide-protected", is_flag=True, help="Show what the public sees of a sensitive organisation.")
@click.pass_context
def history(ctx: click.Context, record_id: str, fmt: str, hide_protected: bool) -> None:
    """The versions of the organisation or link RECORD_ID, oldest first: when, who and what changed."""
    from network.analysis.changes import versions_text
    from network.service.history import record_versions

    try:
        found = record_versions(_store(ctx), record_id, redacted=hide_protected, named=True)
    except CssnetError as err:
        _fail(err)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    click.echo("\n\n".join(versions_text(f"{entity.capitalize()} {record_id}", items)
                           for entity, items in found.items()))


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    from network.service.history import parse_moment

    try:
        return parse_moment(value) if value else None
    except ValueError:
        raise click.BadParameter("give a date (2026-05-01) or a time (2026-05-01T09:30:00) from the years "
                                 "1900 to 2999") from None


@cli.command()
@click.option("--from", "since", callback=_moment, help="The first date or time (default: 91 days before --to).")
@click.option("--to", "until", callback=_moment, help="The second date or time (default: today).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--hide-protected", is_flag=True, help="Analyse as the public sees the network.")
@click.pass_context
def diff(ctx: click.Context, since: object, until: object, fmt: str, hide_protected: bool) -> None:
    """What changed between two dates: records added, closed, expired and renewed, findings, agenda items."""
    from network.analysis.changes import changes_markdown
    from network.service.history import diff as changes

    try:
        data = changes(_store(ctx), since, until, redacted=hide_protected)  # type: ignore[arg-type]
    except CssnetError as err:
        _fail(err)
    click.echo(json.dumps(data, indent=2) if fmt == "json" else changes_markdown(data))


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False))
def template(output: str) -> None:
    """Write an XLSX template workbook with drop-down lists from the vocabulary."""
    from network.io.xlsx import template_workbook

    Path(output).write_bytes(template_workbook())
    click.echo(f"wrote {output}")


def main() -> None:
    """Entry point of the ``cssnet`` console script."""
    cli(prog_name="cssnet")
