"""``cssnet stats`` and ``cssnet merge``: what the register holds, and folding a duplicate into its twin."""

from __future__ import annotations

import json

import click

from network.cli.base import cli, refusals, store_of
from network.service.audit import CLI
from network.translation import N_, translate

#: The headings of ``cssnet stats``, by the store's name for each count.
_COUNTED = {"organisations_by_kind": N_("organisations by kind"),
            "organisations_by_province": N_("organisations by province"),
            "organisations_by_country": N_("organisations by country"),
            "organisations_by_status": N_("organisations by status"), "links_by_kind": N_("links by kind"),
            "links_by_status": N_("links by status")}


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of organisations by kind, province and status, and of links by kind and status."""
    counts = store_of(ctx).counts()
    if as_json:
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    for title, table in counts.items():
        heading = translate(_COUNTED[title]) if title in _COUNTED else title.replace("_", " ")
        click.echo(f"{heading} ({sum(table.values())}):")
        for key, n in sorted(table.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {translate(key) if key == 'none' else key:<40} {n:>7}")


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

    store = store_of(ctx)
    with refusals():
        if do_apply:
            plan = apply_merge(store, keep, drop, actor=CLI, prefer=prefer)
        else:
            plan = plan_merge(store, keep, drop, prefer=prefer)
    click.echo(json.dumps(plan.to_dict(), indent=2, default=str))
    if not do_apply:
        click.echo(translate("preview only: run again with --apply to merge"), err=True)
