"""Bad files: each gets a precise report, and the store is left exactly as it was."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from network.io import csvfiles
from network.io.formats import import_bytes, import_path
from network.io.importer import ImportRefused, RowProblem
from network.io.rows import (
    LINK_COLUMNS,
    ORGANISATION_COLUMNS,
    REQUIRED_LINK_COLUMNS,
    REQUIRED_ORGANISATION_COLUMNS,
)
from network.model import Link, Organisation

ORG_HEADER = ",".join(REQUIRED_ORGANISATION_COLUMNS)
LINK_HEADER = ",".join(REQUIRED_LINK_COLUMNS)


def org_row(org_id: str, name: str = "Org", *, kind: str = "cbo", capacity: str = "", **cells: str) -> str:
    """An organisations.csv line (required columns): active, not sensitive; ``cells`` fill other columns."""
    return _row(REQUIRED_ORGANISATION_COLUMNS, id=org_id, name=name, kind=kind, status="active", sensitive="false",
                capacity_per_month=capacity, **cells)


def link_row(link_id: str, source: str, target: str, *, start: str = "", end: str = "", weight: str = "3",
             **cells: str) -> str:
    """A links.csv line (required columns): an active, formal referral; ``cells`` fill other columns."""
    return _row(REQUIRED_LINK_COLUMNS, id=link_id, source=source, target=target, kind="referral", status="active",
                start_date=start, end_date=end, weight=weight, formal="true", **cells)


def _row(columns: list[str] | tuple[str, ...], **cells: str) -> str:
    """One CSV line: ``cells`` in the order of ``columns``, the others empty."""
    return ",".join(cells.get(c, "") for c in columns)


@pytest.fixture
def filled(sqlite_store: Any) -> Any:
    """A store already holding two organisations and a link, so 'unchanged' means something."""
    sqlite_store.upsert(
        [Organisation("clinic", "Jane Furse Clinic", "clinic"), Organisation("cbo", "CBO", "cbo")],
        [Link("l-old", "cbo", "clinic", "referral")],
    )
    return sqlite_store


def snapshot(store: Any) -> tuple[int, list[Organisation], list[Link]]:
    return store.revision(), list(store.iter_organisations()), list(store.iter_links())


def refused(store: Any, files: dict[str, bytes]) -> list[RowProblem]:
    """Import ``files`` as CSV, expecting a refusal that leaves ``store`` unchanged; return the problems."""
    before = snapshot(store)
    with pytest.raises(ImportRefused) as caught:
        import_bytes(store, "csv", files)
    assert snapshot(store) == before
    return caught.value.problems


def test_wrong_encoding_names_the_line(filled: Any) -> None:
    text = "\n".join([ORG_HEADER, org_row("a", "Alpha"), org_row("b", "Société Mère")]) + "\n"
    problems = refused(filled, {"organisations.csv": text.encode("latin-1")})
    offset = text.encode("latin-1").index("é".encode("latin-1"))
    assert problems == [
        RowProblem(
            "organisations.csv", 3, "-", f"not UTF-8 text (byte {offset}); save the file as UTF-8 CSV."
        )
    ]


def test_missing_column(filled: Any) -> None:
    header = ",".join(c for c in REQUIRED_ORGANISATION_COLUMNS if c != "kind")
    problems = refused(filled, {"organisations.csv": f"{header}\n".encode()})
    assert problems == [RowProblem("organisations.csv", 1, "kind", "missing column(s): kind.")]


def test_extra_column(filled: Any) -> None:
    problems = refused(filled, {"links.csv": f"{LINK_HEADER},colour\n".encode()})
    assert problems == [
        RowProblem(
            "links.csv", 1, "colour", f"unknown column(s): colour; the format has {', '.join(LINK_COLUMNS)}."
        )
    ]


def test_malformed_dates_and_numbers(filled: Any) -> None:
    orgs = "\n".join([ORG_HEADER, org_row("a", latitude='"-24,5"', longitude="29.9", capacity="ten")])
    links = "\n".join(
        [
            LINK_HEADER,
            link_row("l1", "a", "clinic", start="2024-13-01", weight="2.5"),
            link_row("l2", "a", "clinic", start="2025-06-01", end="2024-01-01"),
        ]
    )
    problems = refused(filled, {"organisations.csv": orgs.encode(), "links.csv": links.encode()})
    assert problems == [
        RowProblem("organisations.csv", 2, "capacity_per_month", "Not a valid integer. Got 'ten'."),
        RowProblem("organisations.csv", 2, "latitude", "Not a valid number. Got '-24,5'."),
        RowProblem("links.csv", 2, "start_date", "Not a valid date. Got '2024-13-01'."),
        RowProblem("links.csv", 2, "weight", "Not a valid integer. Got '2.5'."),
        RowProblem("links.csv", 3, "end_date", "End date 2024-01-01 is before start date 2025-06-01."),
    ]


def test_unknown_codes(filled: Any) -> None:
    orgs = "\n".join([ORG_HEADER, org_row("a", kind="shop", services="tb_screening;teleportation")])
    problems = refused(filled, {"organisations.csv": orgs.encode()})
    assert problems == [
        RowProblem("organisations.csv", 2, "kind", "Unknown organisation kind 'shop'."),
        RowProblem("organisations.csv", 2, "services.1", "Unknown service 'teleportation'."),
    ]


def test_duplicate_ids(filled: Any) -> None:
    orgs = "\n".join([ORG_HEADER, org_row("a"), org_row("b"), org_row("a", "Again")])
    problems = refused(filled, {"organisations.csv": orgs.encode()})
    assert problems == [
        RowProblem("organisations.csv", 4, "id", "organisation id 'a' also appears on row 2.")
    ]


def test_links_to_unknown_organisations(filled: Any) -> None:
    links = "\n".join([LINK_HEADER, link_row("l1", "cbo", "clinic"), link_row("l2", "ghost", "clinic")])
    problems = refused(filled, {"links.csv": links.encode()})
    assert problems == [RowProblem("links.csv", 3, "source", "source 'ghost' is not a known organisation.")]


def test_truncated_file_mid_row(filled: Any) -> None:
    text = "\n".join([ORG_HEADER, org_row("a"), org_row("b", description="x")])
    cut = text[: text.rindex("active") + 3]
    problems = refused(filled, {"organisations.csv": cut.encode()})
    assert problems == [
        RowProblem(
            "organisations.csv",
            3,
            "-",
            "has 11 cells, the header has 18 (a truncated file or an unquoted comma?).",
        )
    ]


def test_truncated_file_inside_quotes(filled: Any) -> None:
    text = "\n".join([ORG_HEADER, org_row("a"), org_row("b", description='"Line one\nline two')])
    problems = refused(filled, {"organisations.csv": text.encode()})
    assert problems == [
        RowProblem(
            "organisations.csv",
            4,
            "-",
            "the file ends inside a quoted value (a quote opened and never closed): it looks truncated.",
        )
    ]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(filled: Any, content: bytes) -> None:
    problems = refused(filled, {"organisations.csv": content})
    assert problems == [RowProblem("organisations.csv", 1, "-", "the file is empty; it needs a header row.")]


def test_fifty_megabyte_file_reports_the_bad_row(filled: Any, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    description = "Community outreach, screening; referral and follow-up. " * 37  # about 2 KB
    rows = 25_000
    bad = rows - 7
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(ORG_HEADER + "\n")
        for i in range(rows):
            fh.write(
                org_row(
                    f"org-{i}",
                    f"Organisation {i}",
                    latitude="-24.5" if i != bad else "south",
                    longitude="29.9",
                    description=f'"{description}"',
                )
                + "\n"
            )
    assert path.stat().st_size > 50 * 2**20
    before = snapshot(filled)
    started = time.perf_counter()
    with pytest.raises(ImportRefused) as caught:
        import_path(filled, path)
    assert caught.value.problems == [
        RowProblem("organisations.csv", bad + 2, "latitude", "Not a valid number. Got 'south'.")
    ]
    assert snapshot(filled) == before
    assert time.perf_counter() - started < 60  # a generous bound: a hang is a failure, speed is benched


def test_file_over_the_limit_is_refused_unread(filled: Any, tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    with open(path, "wb") as fh:
        fh.truncate(csvfiles.MAX_FILE_BYTES + 1)  # sparse: never written, never read
    before = snapshot(filled)
    with pytest.raises(ImportRefused) as caught:
        import_path(filled, path)
    assert caught.value.problems == [
        RowProblem(
            "links.csv", 0, "-", "the file is 64.0 MB; the limit is 64 MB. Split it into smaller imports."
        )
    ]
    assert snapshot(filled) == before


def test_good_file_still_imports(filled: Any) -> None:
    orgs = "\n".join([ORG_HEADER, org_row("a", '"Alpha, Beta"', description='"Says ""hi""; twice"')])
    links = "\n".join([LINK_HEADER, link_row("l1", "a", "clinic", services="tb_screening")])
    result = import_bytes(filled, "csv", {"organisations.csv": orgs.encode(), "links.csv": links.encode()})
    assert (result.organisations_created, result.links_created) == (1, 1)
    assert filled.get_organisation("a").description == 'Says "hi"; twice'
    assert set(ORGANISATION_COLUMNS) >= set(REQUIRED_ORGANISATION_COLUMNS)
