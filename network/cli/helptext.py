"""The command line's help in the caller's language: every command's help, every option's and click's own words.

The help texts stay written where click expects them (docstrings and ``help=``), in English; they are in the
catalogs because ``python -m seed.catalogs`` collects them from the commands themselves (:func:`help_texts`), so
a command or option added anywhere is translated like any other message. The classes here translate them as
help is shown, in the language of the command line: ``--language``, read before click prints any help
(``cssnet --language pt --help``), else the environment (``CSSNET_LANGUAGE``, ``LANGUAGE``, ``LC_ALL``, ``LANG``).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from network.cli.clickwords import translated_refusals
from network.language import LANGUAGES
from network.translation import N_, current_language, environment_language, translate, use_language

__all__ = ["TranslatedGroup", "TranslatedCommand", "help_texts", "normalised", "CLICK_WORDS"]

#: click's own words in a help page (its headings, its help and version options' help), for the catalogs.
CLICK_WORDS = (N_("Usage:"), N_("Options:"), N_("Commands:"), N_("Positional arguments:"),
               N_("Show this message and exit."), N_("Show the version and exit."))
_REQUIRED, _DEFAULT, _ENV = N_("required"), N_("default: %(value)s"), N_("env var: %(names)s")
#: The options of the ``cssnet`` group itself that take a value (the words before the command's name).
_VALUED = ("--store", "--language")


def normalised(text: str) -> str:
    """A help text as the catalogs hold it: its paragraphs (split at blank lines) each on one line.

    >>> normalised('''First line
    ...     goes on.
    ...
    ...     Second.''')
    'First line goes on.\\n\\nSecond.'
    """
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in inspect.cleandoc(text).split("\n\n"))


def _translated(text: str | None) -> str | None:
    return translate(normalised(text)) if text else text


@contextmanager
def _swapped(holder: Any, name: str) -> Iterator[None]:
    """``holder.name`` (a help text) in the current language for the duration of the block."""
    english = getattr(holder, name)
    setattr(holder, name, _translated(english))
    try:
        yield
    finally:
        setattr(holder, name, english)


def _extras(text: str) -> str:
    """click's ``[default: 14; required]`` after an option's help, in the current language."""
    items = []
    for item in text.strip()[1:-1].split("; "):
        if item == "required":
            items.append(translate(_REQUIRED))
        elif item.startswith("default: "):
            items.append(translate(_DEFAULT, value=item.removeprefix("default: ")))
        elif item.startswith("env var: "):
            items.append(translate(_ENV, names=item.removeprefix("env var: ")))
        else:
            items.append(item)
    return f"[{'; '.join(items)}]"


def _help_record(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    with _swapped(param, "help"):
        shown = param.help or ""
        record = param.get_help_record(ctx)
    if record is None:
        return None
    spec, text = record
    extra = text[len(shown):].strip() if text.startswith(shown) else ""
    if not extra:
        return spec, text
    return spec, f"{shown}  {_extras(extra)}" if shown else _extras(extra)


class _Formatter(click.HelpFormatter):
    """click's formatter with its headings and ``Usage:`` in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{translate('Usage:')} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{translate(f'{heading}:')}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class _Translated(click.Command):
    """A command whose help, short help and options' help are shown in the current language."""

    context_class = _Context

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _swapped(self, "help"):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _swapped(self, "help"), _swapped(self, "short_help"):
            return super().get_short_help_str(limit)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for param in self.get_params(ctx) if not isinstance(param, click.Argument)
                if (row := _help_record(param, ctx)) is not None]
        if rows:
            with formatter.section("Options"):
                formatter.write_dl(rows)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with ExitStack() as stack:
            for param in self.get_params(ctx):
                if isinstance(param, click.Argument):
                    stack.enter_context(_swapped(param, "help"))
            super().format_arguments(ctx, formatter)


class TranslatedCommand(_Translated):
    """A ``cssnet`` command (the class of every ``@cli.command()``)."""


class TranslatedGroup(_Translated, click.Group):
    """The ``cssnet`` group and its families: their commands are :class:`TranslatedCommand`, their subgroups
    this class; the language is chosen before click parses anything, so ``--help`` is shown in it, and click's
    refusals are shown in it too (:mod:`network.cli.clickwords`)."""

    command_class = TranslatedCommand
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with translated_refusals():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with translated_refusals():
            return super().invoke(ctx)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        before = current_language()
        use_language(_asked(words) or environment_language())
        try:
            return super().main(words, *rest, **extra)
        finally:
            use_language(before)


def _asked(words: list[str]) -> str | None:
    """The language ``--language`` names among the group's own options (before the command's name), if any.

    >>> _asked(["--store", "x.db", "--language", "pt", "pathway", "--language", "st"]), _asked(["pathway"])
    ('pt', None)
    """
    at = 0
    while at < len(words):
        word = words[at]
        if word.startswith("--language="):
            word, value = word.split("=", 1)
            return value if value in LANGUAGES else None
        if word in _VALUED:
            if word == "--language" and at + 1 < len(words):
                return words[at + 1] if words[at + 1] in LANGUAGES else None
            at += 2
            continue
        if not word.startswith("-"):
            return None
        at += 1
    return None


def help_texts(command: click.Command) -> Iterator[tuple[str, int, str]]:
    """Every help text of ``command``, of its options and of its commands (and theirs), as the catalogs hold it
    (:func:`normalised`), with the file and line of the command that has it."""
    path, line = _written(command)
    for text in (command.help, command.short_help, *(getattr(param, "help", None) for param in command.params)):
        if text:
            yield path, line, normalised(text)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from help_texts(sub)


def _written(command: click.Command) -> tuple[str, int]:
    """The file (from the project's root) and line where ``command``'s function is written."""
    if command.callback is None:
        return "network/cli", 0
    function = inspect.unwrap(command.callback)
    source = Path(inspect.getsourcefile(function) or "")
    root = Path(__file__).resolve().parents[2]
    return (source.relative_to(root).as_posix() if source.is_relative_to(root) else source.name,
            function.__code__.co_firstlineno)
