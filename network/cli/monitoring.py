"""``cssnet monitoring record|escalate|list|import``: community-led monitoring reports at the command line."""

from __future__ import annotations

import datetime as dt

import click

from network.cli.base import DATE, as_date, cli, refusals, store_of
from network.model import today
from network.monitoring import MonitoringQuery, MonitoringReport, monitoring_vocabulary
from network.service import monitoring as reports
from network.service.audit import CLI
from network.translation import translate

_ADMIN = reports.Recorder(editor=True)


@cli.group()
def monitoring() -> None:
    """Record what monitors met at facilities, move a report's escalation on, list reports, load a file."""


def _show(r: MonitoringReport) -> None:
    words = monitoring_vocabulary()
    barriers = ", ".join(translate(words.barriers.get(b, b)) for b in r.barriers)
    click.echo(translate("%(id)s  %(day)s  %(facility)s (by %(monitor)s)  %(barriers)s  [%(escalation)s]",
                         id=r.id, day=r.observed_on, facility=r.facility, monitor=r.monitor, barriers=barriers,
                         escalation=translate(words.escalations.get(r.escalation, r.escalation))))
    if r.note:
        click.echo(f"  {r.note}")


@monitoring.command("record")
@click.option("--monitor", required=True, help="The monitoring organisation's id.")
@click.option("--facility", required=True, help="The facility's id (an organisation).")
@click.option("--date", "day", type=DATE, default=None, help="The day of the visit (default today).")
@click.option("--barrier", "barriers", multiple=True, required=True,
              help="What people met (repeat): " + ", ".join(monitoring_vocabulary().barriers))
@click.option("--note", default="", help="At most 280 characters about the facility, never a person.")
@click.option("--escalation", default="raised_with_facility",
              help="Where it has been raised: " + ", ".join(monitoring_vocabulary().escalations))
@click.option("--key", default=None, help="An idempotency key: recording again with it stores nothing twice.")
@click.pass_context
def monitoring_record(ctx: click.Context, monitor: str, facility: str, day: dt.datetime | None,
                      barriers: tuple[str, ...], note: str, escalation: str, key: str | None) -> None:
    """Record a monitoring report and print it."""
    body = {"monitor": monitor, "facility": facility, "date": (as_date(day) or today()).isoformat(),
            "barriers": list(barriers), "note": note, "escalation": escalation}
    with refusals():
        stored, new = reports.record_report(store_of(ctx), body, actor=CLI, recorder=_ADMIN, key=key)
    _show(stored)
    if not new:
        click.echo(translate("(stored already under this key: nothing written)"))


@monitoring.command("escalate")
@click.argument("report_id")
@click.argument("escalation", type=click.Choice(list(monitoring_vocabulary().escalations)))
@click.pass_context
def monitoring_escalate(ctx: click.Context, report_id: str, escalation: str) -> None:
    """Move report REPORT_ID's escalation to ESCALATION."""
    store = store_of(ctx)
    with refusals():
        current = reports.report(store, report_id)
        _show(reports.set_escalation(store, report_id, {"escalation": escalation},
                                     expected_version=current.version, actor=CLI, recorder=_ADMIN))


@monitoring.command("list")
@click.option("--facility", default=None, help="Only reports about this facility.")
@click.option("--monitor", default=None, help="Only reports by this monitoring organisation.")
@click.option("--since", type=DATE, default=None, help="Only visits on or after this day.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.pass_context
def monitoring_list(ctx: click.Context, facility: str | None, monitor: str | None, since: dt.datetime | None,
                    limit: int) -> None:
    """List reports, latest visit first."""
    page = reports.reports(store_of(ctx), MonitoringQuery(facility=facility, monitor=monitor, since=as_date(since),
                                                          limit=limit))
    for r in page.items:
        _show(r)
    click.echo(translate("%(shown)s of %(total)s report(s)", shown=len(page.items), total=page.total))


@monitoring.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def monitoring_import(ctx: click.Context, path: str) -> None:
    """Load reports from a CSV file (id, monitor, facility, date, barriers, note, escalation), all or none."""
    with refusals():
        new = reports.import_reports_csv(store_of(ctx), path, actor=CLI)
    click.echo(translate("%(num)s new report(s) stored", num=new))
