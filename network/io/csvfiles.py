"""The two CSV files of DESIGN.md: organisations.csv and links.csv.

Files larger than :data:`MAX_FILE_BYTES` are refused before they are parsed:
an upload is validated whole in memory (all or nothing), and the limit keeps
one upload from exhausting the server. 64 MB holds several times the 10k
organisations / 100k links of a national network. Local files (``cssnet
import``) are read as a stream instead (:func:`check_csv_file`, then
:func:`iter_csv_file`), up to :data:`MAX_STREAMED_FILE_BYTES`: a regional
network's 2.5 million links fill about 400 MB.

Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, CR first) are written with a leading apostrophe and read back without it:
see :mod:`network.io.cells`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
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
from network.translation import translate

__all__ = ["read_rows", "parse_csv", "check_csv_file", "iter_csv_file", "check_header", "write_csv", "csv_text",
           "check_size", "check_unpacked", "MAX_FILE_BYTES", "MAX_STREAMED_FILE_BYTES", "MAX_UNPACKED_BYTES"]

#: Largest file (in bytes) any importer accepts; bigger ones are refused unread.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest CSV file a local import reads as a stream (:func:`check_csv_file`, :func:`iter_csv_file`): its rows
#: are checked and written a part at a time, so only what spans the parts (ids and their rows) is kept.
MAX_STREAMED_FILE_BYTES = 1024 * 1024 * 1024
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
    check_size(path.name, _size(path))
    return parse_csv(path.read_bytes(), name=path.name, kind=kind)


def check_size(name: str, size: int, *, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a file over ``limit`` bytes before reading it."""
    if size > limit:
        megabytes = f"{size / 2**20:.1f}"
        raise ImportRefused([RowProblem(name, 0, "-", translate(
            "the file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller imports.",
            size=megabytes, limit=limit // 2**20))])


def check_unpacked(name: str, members: Iterable[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose ``members`` unpack to more than ``MAX_UNPACKED_BYTES``, before unpacking any.

    The sizes are those the zip declares; reading a member stops at its declared size.
    """
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        megabytes = f"{total / 2**20:.0f}"
        raise ImportRefused([RowProblem(name, 0, "-", translate(
            "the file unpacks to %(size)s MB; the limit is %(limit)s MB. Split it into smaller imports.",
            size=megabytes, limit=MAX_UNPACKED_BYTES // 2**20))])


def parse_csv(data: bytes, *, name: str, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """Parse CSV bytes into numbered rows; see :func:`read_rows` for what is refused.

    >>> parse_csv(b"id,source\\nl1,a", name="links.csv", kind="links")
    Traceback (most recent call last):
    ...
    network.io.importer.ImportRefused: Import refused, nothing was written: 1 problem: \
links.csv row 1, target: missing column(s): target, kind, services, status, start_date, end_date, \
weight, formal, notes.
    """
    check_size(name, len(data))
    text = _decoded(data, name)
    if not text.strip():
        raise _refused(name, translate("the file is empty; it needs a header row."))
    problems: list[RowProblem] = []
    rows = list(_rows(io.StringIO(text, newline=""), name=name, kind=kind, problems=problems))
    if problems:
        raise ImportRefused(problems)
    return rows


def check_csv_file(path: str | Path, *, kind: str) -> int:
    """Read a CSV file through once, keeping none of its rows, and refuse it as :func:`read_rows` would; the
    number of rows.

    Files up to ``MAX_STREAMED_FILE_BYTES`` are accepted: :func:`iter_csv_file` then gives the rows one at a
    time, so the file never sits in memory whole.
    """
    path = Path(path)
    check_size(path.name, _size(path), limit=MAX_STREAMED_FILE_BYTES)
    problems: list[RowProblem] = []
    count = sum(1 for _ in _file_rows(path, kind=kind, problems=problems))
    if problems:
        raise ImportRefused(problems)
    return count


def iter_csv_file(path: str | Path, *, kind: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The numbered rows of a CSV file :func:`check_csv_file` accepted, read one at a time."""
    path = Path(path)
    problems: list[RowProblem] = []
    yield from _file_rows(path, kind=kind, problems=problems)
    if problems:  # the file changed since it was checked
        raise ImportRefused(problems)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise ImportRefused([RowProblem(path.name, 0, "-", translate("file not found: %(path)s", path=path))]) from None


def _refused(name: str, problem: str, row: int = 1) -> ImportRefused:
    return ImportRefused([RowProblem(name, row, "-", problem)])


def _decoded(data: bytes, name: str) -> str:
    """``data`` as text, or the refusal naming the first byte that is not UTF-8 and its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise _refused(name, translate("not UTF-8 text (byte %(byte)s); save the file as UTF-8 CSV.",
                                        byte=err.start), line) from None


def _file_rows(path: Path, *, kind: str, problems: list[RowProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """:func:`_rows` of a file read as a stream, refused as :func:`parse_csv` refuses its bytes."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            if all(not line.strip() for line in fh):
                raise _refused(path.name, translate("the file is empty; it needs a header row."))
        with open(path, encoding="utf-8-sig", newline="") as fh:
            yield from _rows(fh, name=path.name, kind=kind, problems=problems)
    except UnicodeDecodeError:
        _decoded(path.read_bytes(), path.name)  # raises the refusal, with the byte counted from the file's start
        raise


def _rows(lines: Iterable[str], *, name: str, kind: str,
          problems: list[RowProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The numbered rows of CSV text (not blank) given line by line; rows with problems go to ``problems``."""
    quotes = 0

    def counted() -> Iterator[str]:
        nonlocal quotes
        for line in lines:
            quotes += line.count('"')
            yield line

    reader = csv.reader(counted())
    last: int | None = None
    try:
        header = [h.strip() for h in next(reader)]
        check_header(header, kind=kind, name=name)
        width = len(header)
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                problems.append(RowProblem(name, number, "-", translate(
                    "has %(cells)s cells, the header has %(width)s (a truncated file or an unquoted comma?).",
                    cells=len(cells), width=width)))
                continue
            last = number
            yield number, dict(zip(header, map(unescape_formula, cells), strict=True))
        if quotes % 2:
            problems.append(RowProblem(name, last if last is not None else reader.line_num, "-", translate(
                "the file ends inside a quoted value (a quote opened and never closed): it looks truncated.")))
    except csv.Error as err:
        raise _refused(name, translate("not valid CSV: %(error)s (a quote opened and never closed: is the file "
                                        "truncated?)", error=err), reader.line_num) from None


def check_header(header: list[str], *, kind: str, name: str) -> None:
    """Refuse a header row lacking a required column, naming an unknown one, or repeating one."""
    required, known = ((REQUIRED_ORGANISATION_COLUMNS, ORGANISATION_COLUMNS) if kind == "organisations"
                       else (REQUIRED_LINK_COLUMNS, LINK_COLUMNS))

    def refuse(problem: str, field: str) -> ImportRefused:
        return ImportRefused([RowProblem(name, 1, field, problem)])

    missing = [c for c in required if c not in header]
    if missing:
        raise refuse(translate("missing column(s): %(columns)s.", columns=", ".join(missing)), missing[0])
    unknown = [printable(c) for c in header if c not in known]
    if unknown:
        raise refuse(translate("unknown column(s): %(columns)s; the format has %(known)s.",
                               columns=", ".join(unknown), known=", ".join(known)), unknown[0])
    repeated = sorted({printable(c) for c in header if header.count(c) > 1})
    if repeated:
        raise refuse(translate("column(s) named twice: %(columns)s.", columns=", ".join(repeated)), repeated[0])


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
