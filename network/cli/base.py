"""The ``cssnet`` group and what every command family shares: the store, refusals and dates."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from network.cli.helptext import TranslatedGroup
from network.errors import CssnetError
from network.graph import open_store
from network.graph.store import GraphStore
from network.io.importer import ImportRefused
from network.language import LANGUAGES
from network.translation import current_language, environment_language, translate, use_language

__all__ = ["cli", "main", "store_of", "location_of", "fail", "refusals", "DATE", "as_date", "write_or_echo",
           "EXIT_REFUSED"]

#: Exit codes: 0 done, 1 refused input or a domain error, 2 bad usage (click's own).
EXIT_REFUSED = 1

STORE_HELP = "Store: a file path, sqlite:///path, bolt:// or neo4j:// URI (default: $CSSNET_STORE or ./cssnet.db)."
LANGUAGE_HELP = ("The language of messages (default: $CSSNET_LANGUAGE, else $LANGUAGE, $LC_ALL or $LANG when they "
                 "name one cssnet speaks, else English).")

#: A ``YYYY-MM-DD`` option; ``as_date`` turns its value into a date.
DATE = click.DateTime(formats=["%Y-%m-%d"])


class _Context:
    def __init__(self, location: str | None):
        self.location = location
        self._store: GraphStore | None = None

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            try:
                self._store = open_store(self.location)
            except ValueError as err:  # a location no store reads (its message in the command line's language)
                raise click.BadParameter(str(err), param_hint="'--store'") from None
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


@click.group(cls=TranslatedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "location", envvar="CSSNET_STORE", help=STORE_HELP)
@click.option("--language", type=click.Choice(list(LANGUAGES)), help=LANGUAGE_HELP)
@click.version_option(package_name="cssnet")
@click.pass_context
def cli(ctx: click.Context, location: str | None, language: str | None) -> None:
    """cssnet: the partner network of a community health response.

    Keep the register of organisations and the links between them, find
    linkage gaps, duplication and referral pathways, and serve it all over HTTP.
    """
    state = _Context(location)
    ctx.obj = state
    ctx.call_on_close(state.close)
    before = current_language()
    use_language(language or environment_language())
    ctx.call_on_close(lambda: use_language(before))


def store_of(ctx: click.Context) -> GraphStore:
    """The store named by ``--store``, opened on first use and closed when the command ends."""
    return ctx.find_object(_Context).store


def location_of(ctx: click.Context) -> str | None:
    """The ``--store`` location as given (None: the default)."""
    return ctx.find_object(_Context).location


def fail(err: CssnetError) -> None:
    """Print the refusal (and an import's problems) on stderr and exit with ``EXIT_REFUSED``."""
    click.echo(translate("error: %(message)s", message=err.message), err=True)
    if isinstance(err, ImportRefused):
        for problem in err.problems:
            click.echo(f"  {problem}", err=True)
    sys.exit(EXIT_REFUSED)


@contextmanager
def refusals() -> Iterator[None]:
    """Run the block; a refusal (any ``CssnetError``) raised in it ends the command as :func:`fail` does."""
    try:
        yield
    except CssnetError as err:
        fail(err)


def as_date(value: dt.datetime | None) -> dt.date | None:
    """The date of a ``DATE`` option's value (None stays None)."""
    return value.date() if value else None


def write_or_echo(text: str, output: str | None, counted: str) -> None:
    """Write ``text`` to the file ``output`` and say so with what it holds (``counted``), or print it."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(translate("wrote %(path)s: %(counted)s", path=output, counted=counted))
    else:
        click.echo(text)


def main() -> None:
    """Entry point of the ``cssnet`` console script."""
    cli(prog_name="cssnet")
