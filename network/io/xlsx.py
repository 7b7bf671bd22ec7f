"""Spreadsheets: the partner register as an XLSX workbook, and a template to fill in.

A workbook has the sheets ``organisations`` and ``links`` with the columns of
the CSV format (row 1 is the header). Cells hold text as in the CSV files
(lists joined with ``;``, text a spreadsheet would run as a formula behind an
apostrophe: see :mod:`network.io.cells`), except numbers, which are numbers. A
spreadsheet number keeps 16 significant digits (openpyxl writes no more), so a
number it would change -- a 17-digit coordinate, an integer of more than 16
digits -- is written as its exact text instead, and read back exactly. Other sheets
(the template's ``lists`` and ``vocabulary``) are ignored on import.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from network.graph.store import GraphStore
from network.io.cells import unescape_formula
from network.io.csvfiles import check_header, check_size, check_unpacked
from network.io.importer import ImportRefused, RowProblem
from network.io.records import exported_organisations
from network.io.rows import LINK_COLUMNS, ORGANISATION_COLUMNS, spreadsheet_row
from network.model import LINK_STATUSES, ORGANISATION_STATUSES, vocabulary
from network.translation import translate

__all__ = ["read_workbook", "workbook_bytes", "template_workbook", "SHEETS", "TEMPLATE_ROWS"]

#: The sheets a workbook is imported from, and their columns.
SHEETS = {"organisations": ORGANISATION_COLUMNS, "links": LINK_COLUMNS}
#: Rows of the template that carry drop-down lists.
TEMPLATE_ROWS = 1000

_NUMBERS = {"latitude", "longitude", "capacity_per_month", "weight"}


def read_workbook(
    data: bytes, *, name: str = "workbook.xlsx"
) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, dict[str, Any]]]]:
    """Read the ``organisations`` and ``links`` sheets into numbered rows (row 2 follows the header).

    Problems are reported with the file ``NAME:SHEET``. Refuses a file that is not
    an XLSX workbook, unpacks to more than ``MAX_UNPACKED_BYTES`` (checked before
    anything is unpacked), has neither sheet, or whose header breaks the CSV rules.
    """
    check_size(name, len(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            check_unpacked(name, bundle.infolist())
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRefused:
        raise
    except Exception as err:  # zipfile, openpyxl: zip, KeyError and XML errors alike
        error = f"{type(err).__name__}: {err}"
        raise ImportRefused(
            [RowProblem(name, 0, "-", translate("not an XLSX workbook (%(error)s).", error=error))]
        ) from None
    try:
        if not any(sheet in book.sheetnames for sheet in SHEETS):
            raise ImportRefused(
                [
                    RowProblem(
                        name,
                        0,
                        "-",
                        translate("no sheet named 'organisations' or 'links' (found %(sheets)s).",
                                  sheets=", ".join(book.sheetnames)),
                    )
                ]
            )
        found = {
            kind: _sheet_rows(book[kind], kind=kind, name=f"{name}:{kind}")
            for kind in SHEETS
            if kind in book.sheetnames
        }
    finally:
        book.close()
    return found.get("organisations", []), found.get("links", [])


def workbook_bytes(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """The whole network as an XLSX workbook with the sheets ``organisations`` and ``links``."""
    book = Workbook(write_only=True)
    for kind, items in (
        ("organisations", exported_organisations(store, hide_protected=hide_protected)),
        ("links", store.iter_links()),
    ):
        sheet = book.create_sheet(kind)
        columns = SHEETS[kind]
        sheet.append(list(columns))
        for item in items:
            row = spreadsheet_row(item, columns)
            sheet.append([_cell(column, row[column], getattr(item, column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """An empty workbook to fill in, with drop-down lists from the vocabulary.

    Sheets: ``organisations`` and ``links`` (header rows, drop-downs on kind,
    status, province, district, services and populations; multi-code cells are
    allowed, the lists only suggest), a hidden ``lists`` sheet holding the
    drop-down values, and ``vocabulary`` listing service and population codes
    with their labels.
    """
    vocab = vocabulary()
    book = Workbook()
    book.remove(book.active)
    sheets = {kind: book.create_sheet(kind) for kind in SHEETS}
    for kind, sheet in sheets.items():
        sheet.append(list(SHEETS[kind]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    lists = {
        "organisation_kind": list(vocab.organisation_kinds),
        "organisation_status": list(ORGANISATION_STATUSES),
        "link_kind": list(vocab.link_kinds),
        "link_status": list(LINK_STATUSES),
        "province": list(vocab.provinces),
        "district": sorted(vocab.districts),
        "country": list(vocab.countries),
        "intervention_area": list(vocab.intervention_areas),
        "data": list(vocab.data_kinds),
        "service": list(vocab.services),
        "population": list(vocab.populations),
        "boolean": ["true", "false"],
    }
    holder = book.create_sheet("lists")
    ranges: dict[str, str] = {}
    for index, (title, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        holder.cell(1, index, title)
        for row, value in enumerate(values, start=2):
            holder.cell(row, index, value)
        ranges[title] = f"lists!${letter}$2:${letter}${len(values) + 1}"
    holder.sheet_state = "hidden"
    for kind, column, listed, strict in (
        ("organisations", "kind", "organisation_kind", True),
        ("organisations", "status", "organisation_status", True),
        ("organisations", "province", "province", True),
        ("organisations", "district", "district", True),
        ("organisations", "sensitive", "boolean", True),
        ("organisations", "country", "country", True),
        ("organisations", "intervention_areas", "intervention_area", False),
        ("links", "data", "data", False),
        ("organisations", "services", "service", False),
        ("organisations", "populations", "population", False),
        ("links", "kind", "link_kind", True),
        ("links", "status", "link_status", True),
        ("links", "formal", "boolean", True),
        ("links", "services", "service", False),
    ):
        _drop_down(sheets[kind], SHEETS[kind].index(column) + 1, ranges[listed], strict=strict)
    codes = book.create_sheet("vocabulary")
    codes.append(["facet", "code", "label"])
    for facet, table in (("service", vocab.services), ("population", vocab.populations),
                         ("country", vocab.countries), ("intervention_area", vocab.intervention_areas),
                         ("data", vocab.data_kinds)):
        for code, label in table.items():
            codes.append([facet, code, label])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_down(sheet: Any, column: int, source: str, *, strict: bool) -> None:
    """A list validation on rows 2..TEMPLATE_ROWS of one column.

    Strict lists refuse other values; the others (lists of codes joined with ``;``) only suggest.
    """
    letter = get_column_letter(column)
    rule = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=strict,
        errorStyle="stop" if strict else "information",
    )
    rule.error = "Pick a value from the list."
    rule.prompt = "Several codes: separate them with ';'." if not strict else None
    rule.showInputMessage = not strict
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")


def _sheet_rows(sheet: Any, *, kind: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    rows = sheet.iter_rows(values_only=True)
    header_cells = next(rows, None)
    if header_cells is None or not any(c not in (None, "") for c in header_cells):
        raise ImportRefused([RowProblem(name, 1, "-", translate("the sheet is empty; it needs a header row."))])
    header = [str(c).strip() if c is not None else "" for c in header_cells]
    while header and header[-1] == "":
        header.pop()
    check_header(header, kind=kind, name=name)
    found: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for number, cells in enumerate(rows, start=2):
        cells = tuple(cells)
        if all(_blank(c) for c in cells):
            continue
        extra = [c for c in cells[len(header) :] if not _blank(c)]
        if extra:
            problems.append(
                RowProblem(name, number, "-", translate("has values beyond the %(num)s header columns.",
                                                       num=len(header)))
            )
            continue
        padded = list(cells[: len(header)]) + [None] * (len(header) - len(cells))
        found.append(
            (number, {column: _value(column, value) for column, value in zip(header, padded, strict=True)})
        )
    if problems:
        raise ImportRefused(problems)
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(column: str, value: Any) -> Any:
    """A cell as the row layer expects it: text, except numbers in number columns and dates."""
    if isinstance(value, str):
        return unescape_formula(value)
    if value is None or isinstance(value, bool | dt.date) or column in _NUMBERS:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(column: str, text: str, value: Any) -> Any:
    """A written cell: numbers stay numbers; text is escaped text, never a formula."""
    if column in _NUMBERS and value is not None:
        return value if _kept(value) else repr(value)
    return text or None


def _kept(number: float) -> bool:
    """True if a spreadsheet cell holds ``number`` exactly (16 significant digits).

    >>> _kept(-31.7444921352429), _kept(-31.744492135242876), _kept(10**40)
    (True, False, False)
    """
    written = f"{number:.16g}"
    return float(written) == number if isinstance(number, float) else written == str(number)
