"""Build the translation catalogs: extract every message, merge it into each language, compile.

    python -m seed.catalogs          # update network/translations/*/LC_MESSAGES/messages.{po,mo}
    python -m seed.catalogs --check  # exit 1 if a catalog is out of date or a finder language lacks a finder message

Messages come from the page templates (``_``, ``gettext``, ``ngettext``), the
pages' Python code (``gettext``, ``lazy_gettext``, ``ngettext``), the domain,
schemas, service, API, storage, importers and command line (``translate``,
``ntranslate``, ``lazy``, ``N_``; see ``network.translation``; the analyses'
sentence templates under the context ``sentence``), the vocabulary labels the
pages show, and the command line's help texts (its commands' docstrings and
options' ``help``, collected from the commands: ``network.cli.helptext``).
Translations already in a catalog are kept; a new message starts untranslated,
so the tests fail until a translator fills it in for English, Portuguese and
French. The referral finder's and the referral slip's messages (:func:`finder`:
their pages and templates, the vocabulary they show, the pathway steps'
sentence templates and notes, the words joining a list) must also be in
Sesotho, isiXhosa, Sepedi and isiZulu, each translation commented
``Review: native speaker``; ``--check`` fails until they are.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import network.api  # noqa: F401  (the pages package loads with the app that registers it)
from network.cli import cli
from network.cli.helptext import help_texts
from network.language import CATALOGS, DEFAULT, FINDER_ONLY, LANGUAGES
from network.pages.labels import vocabulary_labels
from network.translation import SENTENCE

ROOT = Path(__file__).resolve().parent.parent
#: The date the catalogs' headers carry (fixed, so an unchanged catalog is written byte for byte the same).
_DATED = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
#: The language the messages are written in: its catalog is the messages themselves.
SOURCE = DEFAULT
#: The comment on a draft translation awaiting a native speaker's review.
REVIEW = "Review: native speaker"
#: Where the referral finder's and the referral slip's messages come from: the pages and their templates (with the
#: frame and drop-downs around them), the vocabulary they show, the pathway steps' sentence templates (and the words
#: of their lists of names and services), the words that join a list and the countries a step's border note names.
#: Rules' step notes: see :func:`step_notes`.
FINDER_SOURCES = ("web/templates/referrals.html", "web/templates/_select.html", "network/pages/referrals.py",
                  "web/templates/referral_slip.html", "network/pages/referral_send.py", "web/templates/base.html",
                  "web/templates/_barriers.html", "network/analysis/pathways.py", "network/analysis/words.py",
                  "network/translation.py", "seed/vocabulary/services", "seed/vocabulary/populations",
                  "seed/vocabulary/link_kinds", "seed/vocabulary/referral_statuses", "seed/vocabulary/barriers",
                  "seed/vocabulary/escalations", "seed/vocabulary/countries")
#: Messages of other modules the finder's form shows when it refuses a question (an unknown code, named by its
#: noun; an unknown language; a box that is not true or false). ``--check`` fails if one is no longer a message.
FINDER_MESSAGES = ("Unknown %(noun)s '%(value)s'.", "district", "population", "service", "Not a valid boolean.",
                   "Unknown language '%(text)s': give a code such as st, zu or pt, or its name (Sesotho, isiZulu, "
                   "Português).")
_HEADER = ("# cssnet: the pages in {language} ({code}).\n"
           "# Written by python -m seed.catalogs; translators fill in msgstr.\n"
           "# Entries commented 'Review: native speaker' are drafts awaiting a native speaker's review.")
_KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "translate": None,
             "ntranslate": (1, 2), "lazy": None, "N_": None}
_METHODS = {
    "templates": [("**.html", "jinja2.ext:babel_extract")],
    "pages": [("**.py", "python")],
    "domain": [("*.py", "python")],
    "service": [("**.py", "python")],
    "cli": [("**.py", "python")],
    "analysis": [("**.py", "python")],
    "api": [("**.py", "python")],
    "graph": [("**.py", "python")],
    "io": [("**.py", "python")],
}
_SOURCES = {"templates": ROOT / "web" / "templates", "pages": ROOT / "network" / "pages",
            "domain": ROOT / "network", "service": ROOT / "network" / "service", "cli": ROOT / "network" / "cli",
            "analysis": ROOT / "network" / "analysis", "api": ROOT / "network" / "api",
            "graph": ROOT / "network" / "graph", "io": ROOT / "network" / "io"}


#: In the analyses, ``N_`` marks a sentence template (context ``sentence``: :func:`network.translation.sentence`
#: finds it in a finished sentence); ``translate`` and ``ntranslate`` word their printed documents (headings,
#: labels, counts), looked up without a context like every other message.
_PASSES = {"analysis": (({"N_": None}, SENTENCE), ({k: v for k, v in _KEYWORDS.items() if k != "N_"}, None))}


def _extracted() -> Iterator[tuple[str, int, str | tuple[str, ...], list[str], str | None]]:
    for name, folder in _SOURCES.items():
        for keywords, context in _PASSES.get(name, ((_KEYWORDS, None),)):
            for path, line, message, comments, _context in extract_from_dir(
                    folder, _METHODS[name], keywords=keywords, comment_tags=("Translators:",)):
                yield f"{folder.relative_to(ROOT)}/{path}", line, message, comments, context


def template() -> Catalog:
    """Every message the pages can show, with where it comes from."""
    catalog = Catalog(project="cssnet", charset="utf-8")
    for path, line, message, comments, context in _extracted():
        catalog.add(message, locations=[(path, line)], auto_comments=comments, context=context)
    for facet, text in vocabulary_labels():
        catalog.add(text, locations=[(f"seed/vocabulary/{facet}", 0)])
    for path, line, text in help_texts(cli):
        catalog.add(text, locations=[(path, line)])
    return catalog


def translated(message: Message) -> bool:
    """True if ``message`` has its translation (every plural form of it)."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def step_notes() -> frozenset[str]:
    """The sentence templates of the notes pathway rules add to a step: every ``N_`` message written in a
    method ``notes`` of an analysis module (see ``network.analysis.pathways.PathwayRule``)."""
    found = set()
    for path in sorted((ROOT / "network" / "analysis").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "notes":
                found.update(call.args[0].value for call in ast.walk(node)
                             if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "N_"
                             and call.args and isinstance(call.args[0], ast.Constant))
    return frozenset(found)


def finder(catalog: Catalog) -> list[Message]:
    """The messages of ``catalog`` that the referral finder or the referral slip can show."""
    notes = step_notes()
    return [m for m in catalog if m.id and (any(path.startswith(FINDER_SOURCES) for path, _line in m.locations)
                                            or (m.context == SENTENCE and m.id in notes)
                                            or (m.context is None and m.id in FINDER_MESSAGES))]


def unreviewed(code: str, catalog: Catalog) -> list[str]:
    """What a finder language's ``catalog`` lacks: finder messages untranslated, and translations not commented
    for a native speaker's review (nothing for another language)."""
    if code not in FINDER_ONLY:
        return []
    gone = [f"{code}: FINDER_MESSAGES names a message no longer in the catalogs: {text!r}" for text in FINDER_MESSAGES
            if catalog.get(text) is None]
    missing = gone + [f"{code}: untranslated: {m.id!r}" for m in finder(catalog) if not translated(m)]
    return missing + [f"{code}: not marked {REVIEW!r}: {m.id!r}" for m in catalog
                      if m.id and translated(m) and REVIEW not in m.user_comments]


def _po_path(code: str) -> Path:
    return CATALOGS / code / "LC_MESSAGES" / "messages.po"


def merged(code: str, messages: Catalog) -> Catalog:
    """Language ``code``'s catalog with today's messages, keeping its translations."""
    path = _po_path(code)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code)
    else:
        catalog = Catalog(locale=code, project="cssnet", charset="utf-8")
    catalog.update(copy.deepcopy(messages), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = _DATED
    catalog.fuzzy = False
    if code == SOURCE:
        for message in catalog:
            if message.id:
                message.string = message.id
    catalog.header_comment = _HEADER.format(language=LANGUAGES[code], code=code)
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, omit_header=False, include_previous=False, sort_output=True,
             include_lineno=False)
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def lacking() -> list[str]:
    """What the finder languages' catalogs lack (see :func:`unreviewed`); nothing when they are complete."""
    messages = template()
    return [problem for code in FINDER_ONLY for problem in unreviewed(code, merged(code, messages))]


def stale() -> list[str]:
    """The catalog files that differ from what this script would write (none when all is up to date)."""
    messages = template()
    out = []
    for code in LANGUAGES:
        catalog = merged(code, messages)
        po, mo = _po_path(code), _po_path(code).with_suffix(".mo")
        if not po.exists() or po.read_bytes() != _po_bytes(catalog):
            out.append(str(po.relative_to(ROOT)))
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            out.append(str(mo.relative_to(ROOT)))
    return out


def write() -> None:
    """Update every language's catalog and compile it."""
    messages = template()
    for code in LANGUAGES:
        catalog = merged(code, messages)
        path = _po_path(code)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(_mo_bytes(catalog))
        missing = sum(1 for message in catalog if message.id and not translated(message))
        print(f"{code}: {len(catalog)} messages, {missing} untranslated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which catalogs are out of date")
    args = parser.parse_args(argv)
    if args.check:
        out, missing = stale(), lacking()
        for path in out:
            print(f"out of date: {path} (run python -m seed.catalogs)")
        for problem in missing:
            print(f"referral finder: {problem} (translate it, commented '{REVIEW}')")
        return 1 if out or missing else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
