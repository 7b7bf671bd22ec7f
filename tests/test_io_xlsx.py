"""Spreadsheets: the template workbook, and XLSX import with the CSV rules, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from network.io.formats import export_bytes, import_bytes
from network.io.importer import ImportRefused, RowProblem
from network.io.rows import LINK_COLUMNS, ORGANISATION_COLUMNS
from network.io.xlsx import template_workbook
from network.model import Link, Organisation, vocabulary


def _book(
    organisations: list[list[Any]],
    links: list[list[Any]] | None = None,
    org_header: tuple[str, ...] = ORGANISATION_COLUMNS,
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "organisations"
    sheet.append(list(org_header))
    for row in organisations:
        sheet.append(row)
    if links is not None:
        link_sheet = book.create_sheet("links")
        link_sheet.append(list(LINK_COLUMNS))
        for row in links:
            link_sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _org(org_id: str, **cells: Any) -> list[Any]:
    values = {"id": org_id, "name": f"Org {org_id}", "kind": "cbo", "status": "active", **cells}
    return [values.get(c) for c in ORGANISATION_COLUMNS]


def _link(link_id: str, source: str, target: str, **cells: Any) -> list[Any]:
    values = {"id": link_id, "source": source, "target": target, "kind": "referral", **cells}
    return [values.get(c) for c in LINK_COLUMNS]


def _snapshot(store: Any) -> tuple[int, list[Organisation], list[Link]]:
    return store.revision(), list(store.iter_organisations()), list(store.iter_links())


def test_template_has_sheets_headers_drop_downs_and_vocabulary() -> None:
    book = load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["organisations", "links", "lists", "vocabulary"]
    assert [c.value for c in book["organisations"][1]] == list(ORGANISATION_COLUMNS)
    assert [c.value for c in book["links"][1]] == list(LINK_COLUMNS)
    assert book["lists"].sheet_state == "hidden"
    lists = {
        col[0].value: [c.value for c in col[1:] if c.value is not None] for col in book["lists"].iter_cols()
    }
    vocab = vocabulary()
    assert lists["organisation_kind"] == list(vocab.organisation_kinds)
    assert lists["link_kind"] == list(vocab.link_kinds)
    assert sorted(lists["district"]) == sorted(vocab.districts)
    # South Africa's 52 districts, and those of the other SADC states the vocabulary divides (issue 14)
    assert sum(vocab.country_of(None, d) == "ZA" for d in lists["district"]) == 52
    assert {"Maseru", "Lilongwe", "Gaza", "Hhohho"} <= set(lists["district"])
    assert lists["province"] == list(vocab.provinces)

    def rules(sheet: str) -> dict[str, str]:
        found = {}
        for rule in book[sheet].data_validations.dataValidation:
            for cell_range in rule.sqref.ranges:
                header = book[sheet].cell(1, cell_range.min_col).value
                found[header] = rule.formula1
        return found

    org_rules, link_rules = rules("organisations"), rules("links")
    assert set(org_rules) == {
        "kind",
        "status",
        "province",
        "district",
        "sensitive",
        "services",
        "populations",
        "country",
        "intervention_areas",
    }
    assert set(link_rules) == {"kind", "status", "formal", "services", "data"}
    assert org_rules["district"] == f"lists!$F$2:$F${len(vocab.districts) + 1}"
    codes = {(r[0], r[1]): r[2] for r in book["vocabulary"].iter_rows(min_row=2, values_only=True)}
    assert codes[("service", "tb_screening")] == vocab.services["tb_screening"]
    assert codes[("country", "LS")] == "Lesotho"
    assert len(codes) == (len(vocab.services) + len(vocab.populations) + len(vocab.countries)
                          + len(vocab.intervention_areas) + len(vocab.data_kinds))


def test_empty_template_imports_nothing(sqlite_store: Any) -> None:
    result = import_bytes(sqlite_store, "xlsx", {"template.xlsx": template_workbook()})
    assert (result.organisations_created, result.links_created) == (0, 0)


def test_spreadsheet_typed_cells_are_read_as_the_csv_would(sqlite_store: Any) -> None:
    content = _book(
        [
            _org(
                "a",
                phone=27115550101,
                capacity_per_month=120.0,
                last_verified=dt.datetime(2026, 2, 3),
                sensitive=True,
                services="tb_screening; art",
            )
        ]
    )
    import_bytes(sqlite_store, "xlsx", {"w.xlsx": content})
    org = sqlite_store.get_organisation("a")
    assert (org.phone, org.capacity_per_month, org.last_verified) == ("27115550101", 120, dt.date(2026, 2, 3))
    assert org.sensitive is True and org.services == ["tb_screening", "art"]


def test_formula_like_text_round_trips_as_text(sqlite_store: Any) -> None:
    sqlite_store.upsert([Organisation("a", '=HYPERLINK("x")', "cbo", description="=1+1")], [])
    content, _, _ = export_bytes(sqlite_store, "xlsx", hide_protected=False)
    book = load_workbook(io.BytesIO(content))
    assert book["organisations"]["B2"].data_type == "s"
    sqlite_store.clear()
    import_bytes(sqlite_store, "xlsx", {"x.xlsx": content})
    assert sqlite_store.get_organisation("a").name == '=HYPERLINK("x")'


def test_bad_rows_are_reported_by_sheet_and_row(sqlite_store: Any) -> None:
    sqlite_store.upsert([Organisation("clinic", "Clinic", "clinic")], [])
    before = _snapshot(sqlite_store)
    content = _book(
        [_org("a"), _org("b", kind="shop"), _org("a", latitude="north", longitude=29)],
        [_link("l1", "a", "clinic", weight=9), _link("l2", "ghost", "clinic")],
    )
    with pytest.raises(ImportRefused) as caught:
        import_bytes(sqlite_store, "xlsx", {"partners.xlsx": content})
    assert caught.value.problems == [
        RowProblem("partners.xlsx:organisations", 3, "kind", "Unknown organisation kind 'shop'."),
        RowProblem("partners.xlsx:organisations", 4, "latitude", "Not a valid number. Got 'north'."),
        RowProblem(
            "partners.xlsx:links",
            2,
            "weight",
            "Must be greater than or equal to 1 and less than or equal to 5. Got '9'.",
        ),
        RowProblem("partners.xlsx:links", 3, "source", "source 'ghost' is not a known organisation."),
    ]
    assert _snapshot(sqlite_store) == before


def test_bad_header_and_missing_sheets(sqlite_store: Any) -> None:
    before = _snapshot(sqlite_store)
    header = tuple(c for c in ORGANISATION_COLUMNS if c != "name") + ("colour",)
    with pytest.raises(ImportRefused) as caught:
        import_bytes(sqlite_store, "xlsx", {"w.xlsx": _book([], org_header=header)})
    assert caught.value.problems == [
        RowProblem("w.xlsx:organisations", 1, "name", "missing column(s): name.")
    ]
    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRefused) as caught:
        import_bytes(sqlite_store, "xlsx", {"w.xlsx": out.getvalue()})
    assert caught.value.problems == [
        RowProblem("w.xlsx", 0, "-", "no sheet named 'organisations' or 'links' (found Sheet1).")
    ]
    assert _snapshot(sqlite_store) == before


def test_values_beyond_the_header_are_refused(sqlite_store: Any) -> None:
    content = _book([_org("a") + ["stray"]])
    with pytest.raises(ImportRefused) as caught:
        import_bytes(sqlite_store, "xlsx", {"w.xlsx": content})
    assert caught.value.problems == [
        RowProblem(
            "w.xlsx:organisations",
            2,
            "-",
            f"has values beyond the {len(ORGANISATION_COLUMNS)} header columns.",
        )
    ]
    assert list(sqlite_store.iter_organisations()) == []
