"""click's own refusals (a missing option, an unknown command, a bad value, ``Aborted!``) in the command line's
language.

click words these in English as it raises them; :func:`said` turns such a refusal into one that reads, and shows
itself (``Error: ...``, ``Try '... --help' for help.``), in the current language: each message click writes is
matched to its template here (the templates are in the catalogs), and its values are kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import IO, Any

import click

from network.translation import N_, translate

__all__ = ["ABORTED", "click_message", "said", "translated_refusals"]

#: The messages click writes, as templates (a ``message`` is itself one of them).
_TEMPLATES = (
    N_("Missing option '%(name)s'."), N_("Missing argument '%(name)s'."), N_("No such command '%(name)s'."),
    N_("No such option '%(name)s'."), N_("%(message)s Did you mean '%(name)s'?"),
    N_("Invalid value for '%(name)s': %(message)s"), N_("'%(value)s' is not one of %(choices)s."),
    N_("'%(value)s' does not match the format '%(format)s'."), N_("'%(value)s' is not a valid integer."),
    N_("%(value)s is not in the range %(range)s."), N_("Got unexpected extra argument (%(args)s)"),
    N_("Got unexpected extra arguments (%(args)s)"),
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: What click says when a command is stopped (Ctrl+C, the end of its input, a declined confirmation).
ABORTED = N_("Aborted!")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each template as a pattern of the messages made from it, those with the most words of their own first."""
    ordered = sorted(_TEMPLATES, key=lambda template: -len(_PLACEHOLDER.sub("", template)))
    return tuple((re.compile("".join(re.escape(part) if at % 2 == 0 else f"(?P<{part}>.+?)"
                                     for at, part in enumerate(_PLACEHOLDER.split(template))), re.DOTALL), template)
                 for template in ordered)


def click_message(text: str) -> str:
    """A message click wrote, in the current language (one it did not write stays as it is).

    >>> from network.translation import use_language
    >>> use_language("fr"), click_message("Missing option '--name'."), use_language(None)
    ('fr', 'Option manquante : « --name ».', 'en')
    """
    for pattern, template in _patterns():
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            if "message" in values:
                values["message"] = click_message(values["message"])
            return translate(template, **values)
    return text


class _SaidUsage(click.UsageError):
    """A usage error shown in the current language, with the usage line and the hint to ask for help."""

    def show(self, file: IO[Any] | None = None) -> None:
        ctx, color, hint = self.ctx, None, ""
        if ctx is not None and ctx.command.get_help_option(ctx) is not None:
            option = max(ctx.command.get_help_option_names(ctx), key=len)
            hint = translate("Try '%(command)s' for help.", command=f"{ctx.command_path} {option}") + "\n"
        if ctx is not None:
            color = ctx.color
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=True, color=color)
        click.echo(translate("Error: %(message)s", message=self.format_message()), file=file, err=True, color=color)


class _Said(click.ClickException):
    """Any other refusal of click's, shown in the current language."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(translate("Error: %(message)s", message=self.format_message()), file=file, err=True,
                   color=self.show_color)


class _Aborted(click.ClickException):
    """A stopped command (click's ``Abort``), said as click says it, in the current language, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(translate(ABORTED), file=file, err=True)


def said(err: click.ClickException) -> click.ClickException:
    """``err`` as a refusal that reads, and shows itself, in the current language (the same exit code)."""
    if isinstance(err, _SaidUsage | _Said | _Aborted):
        return err
    made: click.ClickException = (_SaidUsage(click_message(err.format_message()), err.ctx)
                                  if isinstance(err, click.UsageError) else _Said(click_message(err.format_message())))
    made.exit_code = err.exit_code
    return made


@contextmanager
def translated_refusals() -> Iterator[None]:
    """Run the block; a refusal of click's raised in it is raised again in the current language, and a stop
    (``Abort``, Ctrl+C, the end of the input) ends it with ``Aborted!`` in that language, as click would."""
    try:
        yield
    except click.ClickException as err:
        raise said(err) from err
    except (EOFError, KeyboardInterrupt) as err:
        click.echo(err=True)  # as click does: the blank line closes the terminal's ^C
        raise _Aborted(ABORTED) from err
    except click.Abort as err:
        raise _Aborted(ABORTED) from err
