"""Spreadsheet cells that never run as formulas: escaped on export, unescaped exactly on import.

A spreadsheet runs a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so the CSV and
XLSX exports put an apostrophe in front of such text, as spreadsheets
themselves do. A text that begins with an apostrophe gets one more, so that
the import can take exactly one away and every exported value comes back as
it was. An apostrophe followed by anything else is the text's own.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "escape_formula", "unescape_formula"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")
_QUOTE = "'"
_ESCAPED = FORMULA_STARTS | {_QUOTE}


def escape_formula(text: str) -> str:
    """``text`` as a cell a spreadsheet shows as text, never runs.

    >>> escape_formula("=HYPERLINK(\\"http://x\\")"), escape_formula("-5 clients"), escape_formula("plain")
    ('\\'=HYPERLINK("http://x")', "'-5 clients", 'plain')
    >>> escape_formula("'quoted")
    "''quoted"
    """
    return _QUOTE + text if text[:1] in _ESCAPED else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula`: the exported cell back to the value it came from.

    >>> unescape_formula("'=1+1"), unescape_formula("''quoted"), unescape_formula("'tis")
    ('=1+1', "'quoted", "'tis")
    """
    return text[1:] if text[:1] == _QUOTE and text[1:2] in _ESCAPED else text
