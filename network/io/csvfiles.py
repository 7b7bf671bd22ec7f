"""The two CSV files of DESIGN.md: organisations.csv and links.csv.

Files larger than :data:`MAX_FILE_BYTES` are refused before they are parsed:
an import is validated whole in memory (all or nothing), and the limit keeps
one upload from exhausting the server. 64 MB holds several times the 10k
organisations / 100k links the project is sized for.

Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, CR first) are written with a leading apostrophe and read back without it:
see :mod:`network.io.cells`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from network.graph.store import GraphStore
from network.io.cells import unescape_formula
from network.io.importer import ImportRefused, RowProblem, printable
from network.io.records import exported_organisations
from network.io.rows import (
    LINK_COLUMNS,
    ORGANISATION_COLUMNS,
    REQUIRED_LINK_COLUMNS,
    REQUIRED_ORGANISATION_COLUMNS,
    spreadsheet_row,
)

__all__ = ["read_rows", "parse_csv", "check_header", "write_csv", "csv_text", "check_size", "check_unpacked",
           "MAX_FILE_BYTES", "MAX_UNPACKED_BYTES"]

#: Largest file (in bytes) any importer accepts; bigger ones are refused unread.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest total a zip upload (a zip of CSV files, an XLSX workbook) may unpack to.
MAX_UNPACKED_BYTES = 2 * MAX_FILE_BYTES


def read_rows(path: str | Path, *, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """Read a CSV file into numbered rows (row 2 is the first after the header).

    ``kind`` is ``organisations`` or ``links``; a row's number is the line it ends on.
    Refuses, with ``ImportRefused``, a file that is missing, larger than ``MAX_FILE_BYTES``,
    not UTF-8, empty, lacks a required column, names a column twice or has a column the
    format does not know.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportRefused([RowProblem(path.name, 0, "-", f"file not found: {path}")]) from None
    check_size(path.name, size)
    return parse_csv(path.read_bytes(), name=path.name, kind=kind)


def check_size(name: str, size: int) -> None:
    """Refuse a file over ``MAX_FILE_BYTES`` before reading it."""
    if size > MAX_FILE_BYTES:
        raise ImportRefused([RowProblem(name, 0, "-", f"the file is {size / 2**20:.1f} MB; the limit is "
                                        f"{MAX_FILE_BYTES // 2**20} MB. Split it into smaller imports.")])


def check_unpacked(name: str, members: Iterable[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose ``members`` unpack to more than ``MAX_UNPACKED_BYTES``, before unpacking any.

    The sizes are those the zip declares; reading a member stops at its declared size.
    """
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise ImportRefused([RowProblem(name, 0, "-", f"the file unpacks to {total / 2**20:.0f} MB; the limit is "
                                        f"{MAX_UNPACKED_BYTES // 2**20} MB. Split it into smaller imports.")])


def parse_csv(data: bytes, *, name: str, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """Parse CSV bytes into numbered rows; see :func:`read_rows` for what is refused.

    >>> parse_csv(b"id,source\\nl1,a", name="links.csv", kind="links")
    Traceback (most recent call last):
    ...
    network.io.importer.ImportRefused: Import refused, nothing was written: 1 problem(s): \
links.csv row 1, target: missing column(s): target, kind, services, status, start_date, end_date, \
weight, formal, notes.
    """
    check_size(name, len(data))

    def refuse(problem: str, row: int = 1, field: str = "-") -> ImportRefused:
        return ImportRefused([RowProblem(name, row, field, problem)])

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise refuse(f"not UTF-8 text (byte {err.start}); save the file as UTF-8 CSV.", line) from None
    if not text.strip():
        raise refuse("the file is empty; it needs a header row.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        check_header(header, kind=kind, name=name)
        rows: list[tuple[int, dict[str, Any]]] = []
        problems: list[RowProblem] = []
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(RowProblem(name, number, "-", f"has {len(cells)} cells, the header has "
                                           f"{len(header)} (a truncated file or an unquoted comma?)."))
                continue
            rows.append((number, dict(zip(header, map(unescape_formula, cells), strict=True))))
        if text.count('"') % 2:
            start = rows[-1][0] if rows else reader.line_num
            problems.append(RowProblem(name, start, "-", "the file ends inside a quoted value (a quote "
                                       "opened and never closed): it looks truncated."))
    except csv.Error as err:
        raise refuse(f"not valid CSV: {err} (a quote opened and never closed: is the file truncated?)",
                     reader.line_num) from None
    if problems:
        raise ImportRefused(problems)
    return rows


def check_header(header: list[str], *, kind: str, name: str) -> None:
    """Refuse a header row lacking a required column, naming an unknown one, or repeating one."""
    required, known = ((REQUIRED_ORGANISATION_COLUMNS, ORGANISATION_COLUMNS) if kind == "organisations"
                       else (REQUIRED_LINK_COLUMNS, LINK_COLUMNS))

    def refuse(problem: str, field: str) -> ImportRefused:
        return ImportRefused([RowProblem(name, 1, field, problem)])

    missing = [c for c in required if c not in header]
    if missing:
        raise refuse(f"missing column(s): {', '.join(missing)}.", missing[0])
    unknown = [printable(c) for c in header if c not in known]
    if unknown:
        raise refuse(f"unknown column(s): {', '.join(unknown)}; the format has {', '.join(known)}.",
                     unknown[0])
    repeated = sorted({printable(c) for c in header if header.count(c) > 1})
    if repeated:
        raise refuse(f"column(s) named twice: {', '.join(repeated)}.", repeated[0])


def write_csv(store: GraphStore, folder: str | Path, *, hide_protected: bool = False) -> tuple[Path, Path]:
    """Write ``organisations.csv`` and ``links.csv`` into ``folder``; return their paths.

    With ``hide_protected``, sensitive organisations' protected fields are left blank.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orgs_path, links_path = folder / "organisations.csv", folder / "links.csv"
    with open(orgs_path, "w", encoding="utf-8", newline="") as fh:
        _write(fh, ORGANISATION_COLUMNS, exported_organisations(store, hide_protected=hide_protected))
    with open(links_path, "w", encoding="utf-8", newline="") as fh:
        _write(fh, LINK_COLUMNS, store.iter_links())
    return orgs_path, links_path


def csv_text(store: GraphStore, kind: str, *, hide_protected: bool = False) -> str:
    """One of the two CSV files as text: ``kind`` is ``organisations`` or ``links``."""
    out = io.StringIO(newline="")
    if kind == "organisations":
        _write(out, ORGANISATION_COLUMNS, exported_organisations(store, hide_protected=hide_protected))
    else:
        _write(out, LINK_COLUMNS, store.iter_links())
    return out.getvalue()


def _write(fh: Any, columns: tuple[str, ...], items: Iterable[Any]) -> None:
    writer = csv.DictWriter(fh, columns)
    writer.writeheader()
    for item in items:
        writer.writerow(spreadsheet_row(item, columns))
