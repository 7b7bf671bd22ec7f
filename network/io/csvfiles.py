"""The two CSV files of DESIGN.md: organisations.csv and links.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from network.graph.store import GraphStore
from network.io.importer import ImportRefused, RowProblem
from network.io.rows import (
    LINK_COLUMNS,
    ORGANISATION_COLUMNS,
    REQUIRED_LINK_COLUMNS,
    REQUIRED_ORGANISATION_COLUMNS,
    record_to_row,
)
from network.model import PROTECTED_FIELDS

__all__ = ["read_rows", "write_csv"]


def read_rows(path: str | Path, *, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """Read a CSV file into numbered rows (row 2 is the first after the header).

    ``kind`` is ``organisations`` or ``links``; a row's number is the line it ends on. Refuses, with ``ImportRefused``,
    a file that is not UTF-8, is empty, lacks a required column, names a column
    twice or has a column the format does not know.
    """
    path = Path(path)
    required, known = ((REQUIRED_ORGANISATION_COLUMNS, ORGANISATION_COLUMNS) if kind == "organisations"
                       else (REQUIRED_LINK_COLUMNS, LINK_COLUMNS))
    name = path.name

    def refuse(problem: str, row: int = 1, field: str = "-") -> ImportRefused:
        return ImportRefused([RowProblem(name, row, field, problem)])

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise refuse(f"file not found: {path}", 0) from None
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise refuse(f"not UTF-8 text (byte {err.start}); save the file as UTF-8 CSV.", line) from None
    if not text.strip():
        raise refuse("the file is empty; it needs a header row.")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise refuse(f"missing column(s): {', '.join(missing)}.", field=missing[0])
    unknown = [c for c in header if c not in known]
    if unknown:
        raise refuse(f"unknown column(s): {', '.join(unknown)}; the format has {', '.join(known)}.",
                     field=unknown[0])
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise refuse(f"column(s) named twice: {', '.join(repeated)}.", field=repeated[0])
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
        rows.append((number, dict(zip(header, cells, strict=True))))
    if problems:
        raise ImportRefused(problems)
    return rows


def write_csv(store: GraphStore, folder: str | Path, *, hide_protected: bool = False) -> tuple[Path, Path]:
    """Write ``organisations.csv`` and ``links.csv`` into ``folder``; return their paths.

    With ``hide_protected``, sensitive organisations' protected fields are left blank.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orgs_path, links_path = folder / "organisations.csv", folder / "links.csv"
    with open(orgs_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ORGANISATION_COLUMNS)
        writer.writeheader()
        for org in store.iter_organisations():
            row = record_to_row(org, ORGANISATION_COLUMNS)
            if hide_protected and org.sensitive:
                row.update(dict.fromkeys(PROTECTED_FIELDS, ""))
            writer.writerow(row)
    with open(links_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, LINK_COLUMNS)
        writer.writeheader()
        for link in store.iter_links():
            writer.writerow(record_to_row(link, LINK_COLUMNS))
    return orgs_path, links_path
