"""Large imports: rows checked and written a part at a time, still all or nothing, with history and one audit entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.errors import InvalidData
from network.graph.store import AuditQuery
from network.io import csvfiles
from network.io.batch_schema import batch_schema
from network.io.importer import ImportRefused, RowProblem, import_stream
from network.io.rows import REQUIRED_LINK_COLUMNS, REQUIRED_ORGANISATION_COLUMNS
from network.model import Link, Organisation
from network.schema_errors import load_record
from network.schemas import LinkSchema
from network.service.transfer import import_csv

ORG_HEADER = ",".join(REQUIRED_ORGANISATION_COLUMNS)
LINK_COLUMNS = ("id", *REQUIRED_LINK_COLUMNS)
LINK_HEADER = ",".join(LINK_COLUMNS)


def org_line(org_id: str, kind: str = "cbo") -> str:
    cells = {"id": org_id, "name": f"Org {org_id}", "kind": kind, "status": "active", "sensitive": "false"}
    return ",".join(cells.get(c, "") for c in REQUIRED_ORGANISATION_COLUMNS)


def link_line(link_id: str, source: str, target: str, *, kind: str = "referral", weight: str = "3") -> str:
    cells = {"id": link_id, "source": source, "target": target, "kind": kind, "status": "active",
             "weight": weight, "formal": "true"}
    return ",".join(cells.get(c, "") for c in LINK_COLUMNS)


def write(folder: Path, orgs: list[str], links: list[str]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisations.csv").write_text("\n".join([ORG_HEADER, *orgs]) + "\n", encoding="utf-8")
    (folder / "links.csv").write_text("\n".join([LINK_HEADER, *links]) + "\n", encoding="utf-8")
    return folder / "organisations.csv", folder / "links.csv"


def rows(path: Path, kind: str) -> list[tuple[int, dict[str, Any]]]:
    return list(csvfiles.iter_csv_file(path, kind=kind))


def state(store: Any) -> tuple[int, list[Organisation], list[Link], int]:
    return (store.revision(), list(store.iter_organisations()), list(store.iter_links()),
            store.list_audit(AuditQuery(limit=None)).total)


@pytest.fixture
def filled(store: Any) -> Any:
    """A store (SQLite and the Bolt server) already holding an organisation and a link."""
    store.upsert([Organisation("stored", "Stored clinic", "clinic"), Organisation("other", "Other", "cbo")],
                 [Link("l-stored", "stored", "other", "referral")])
    return store


def test_parts_written_in_one_transaction_keep_history_and_one_audit_entry(filled: Any, tmp_path: Path) -> None:
    orgs = [org_line(f"o{i}") for i in range(7)]
    # links in later parts point at organisations of earlier parts and at one the store held already
    links = [link_line(f"l{i}", f"o{i}", f"o{(i + 1) % 7}") for i in range(7)] + [link_line("l-x", "o6", "stored")]
    organisations, links_file = write(tmp_path, orgs, links)
    before = filled.revision()
    result = import_csv(filled, organisations, links_file)
    assert (result.organisations_created, result.links_created) == (7, 8)
    assert filled.revision() == before + 1  # one transaction
    assert filled.get_link("l-x").target == "stored"
    (version,) = filled.history("link", "l3")
    assert (version.action, version.version, version.record.source) == ("import", 1, "o3")
    assert {o.id for o in filled.iter_organisations(as_of=dt.date(2000, 1, 1))} >= {f"o{i}" for i in range(7)}
    entries = filled.list_audit(AuditQuery(limit=None)).items
    imports = [e for e in entries if e.action == "import"]
    assert len(imports) == 1
    assert imports[0].changes["organisations_created"] == 7 and imports[0].changes["links_created"] == 8


def test_problems_in_several_parts_are_all_listed_and_nothing_is_written(filled: Any, tmp_path: Path) -> None:
    orgs = [org_line(f"o{i}") for i in range(6)] + [org_line("o6", kind="shop")]
    links = [link_line(f"l{i}", f"o{i}", f"o{i + 1}") for i in range(5)]
    links[1] = link_line("l1", "o1", "ghost")
    links[4] = link_line("l4", "o4", "o5", weight="9")
    links.append(link_line("L0", "o2", "o3"))  # the same id as l0 but for case, in a later part
    organisations, links_file = write(tmp_path, orgs, links)
    before = state(filled)
    with pytest.raises(ImportRefused) as caught:
        with filled.transaction(actor="test"):
            import_stream(filled, rows(organisations, "organisations"), rows(links_file, "links"),
                          organisations_file="organisations.csv", links_file="links.csv", chunk=2)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [
        ("organisations.csv", 8, "kind"),
        ("links.csv", 3, "target"),
        ("links.csv", 6, "weight"),
        ("links.csv", 7, "id"),
    ]
    assert caught.value.problems[1] == RowProblem("links.csv", 3, "target",
                                                  "target 'ghost' is not a known organisation.")
    assert "also appears on row 2 as 'l0'" in caught.value.problems[3].problem
    assert state(filled) == before


def test_a_store_refusal_in_a_later_part_leaves_the_store_unchanged(filled: Any, tmp_path: Path) -> None:
    orgs = [org_line(f"o{i}") for i in range(5)]
    links = [link_line(f"l{i}", f"o{i}", f"o{i + 1}") for i in range(4)] + [link_line("L-STORED", "o0", "o1")]
    organisations, links_file = write(tmp_path, orgs, links)
    before = state(filled)
    with pytest.raises(ImportRefused) as caught:
        with filled.transaction(actor="test"):
            import_stream(filled, rows(organisations, "organisations"), rows(links_file, "links"),
                          organisations_file="organisations.csv", links_file="links.csv", chunk=2)
    assert "differs only in case from 'l-stored'" in str(caught.value)
    assert state(filled) == before


def test_streamed_file_refused_as_a_parsed_one(sqlite_store: Any, tmp_path: Path) -> None:
    organisations, links_file = write(tmp_path, [org_line("a"), org_line("b")],
                                      [link_line("l1", "a", "b"), "l2,a,b,referral"])
    with pytest.raises(ImportRefused) as streamed:
        import_csv(sqlite_store, organisations, links_file)
    with pytest.raises(ImportRefused) as parsed:
        csvfiles.read_rows(links_file, kind="links")
    assert streamed.value.problems == parsed.value.problems == [
        RowProblem("links.csv", 3, "-", "has 4 cells, the header has 11 (a truncated file or an unquoted comma?).")]
    assert list(sqlite_store.iter_organisations()) == []


def test_streamed_file_not_utf8_names_the_byte(sqlite_store: Any, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes((ORG_HEADER + "\n" + org_line("a") + "\n").encode() + b"\xff\xfe,x\n")
    with pytest.raises(ImportRefused) as caught:
        import_csv(sqlite_store, path, None)
    assert caught.value.problems == [RowProblem("organisations.csv", 3, "-",
                                                f"not UTF-8 text (byte {path.stat().st_size - 5}); "
                                                "save the file as UTF-8 CSV.")]


def test_local_files_larger_than_an_upload_are_read_as_a_stream_up_to_their_own_limit(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    with open(path, "wb") as fh:
        fh.truncate(csvfiles.MAX_STREAMED_FILE_BYTES + 1)  # sparse: never written, never read
    with pytest.raises(ImportRefused) as caught:
        csvfiles.check_csv_file(path, kind="links")
    assert caught.value.problems == [
        RowProblem("links.csv", 0, "-", "the file is 1024.0 MB; the limit is 1024 MB. Split it into smaller imports.")]
    assert csvfiles.MAX_STREAMED_FILE_BYTES > csvfiles.MAX_FILE_BYTES


_CELLS = {
    "id": st.sampled_from(["l1", "L-2", "", " l3 ", "bad id", "x" * 101]),
    "source": st.sampled_from(["a", "b", "", "a;b"]),
    "target": st.sampled_from(["a", "b", "c"]),
    "kind": st.sampled_from(["referral", "mou", "funding", "data_sharing", "shop", ""]),
    "services": st.sampled_from([[], ["tb_screening"], ["tb_screening", "art"], ["nope"], "tb_screening"]),
    "weight": st.sampled_from([1, 3, 5, 9, True, "3", 3.0]),
    "formal": st.sampled_from([True, False, 1, "maybe"]),
    "start_date": st.sampled_from(["2024-01-01", "2030-01-01", "01/02/2024", ""]),
    "end_date": st.sampled_from(["2025-01-01", "2023-12-31", ""]),
    "programme": st.sampled_from(["Global Fund", "", "p" * 301]),
    "data": st.sampled_from([[], ["referrals"], ["nope"]]),
    "notes": st.sampled_from(["", "line one\r\nline two", "bell\x07"]),
    "last_verified": st.sampled_from(["2025-05-01", "2999-01-01"]),
    "unknown": st.sampled_from(["x"]),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional=_CELLS), min_size=1, max_size=12))
def test_batch_schema_loads_every_row_as_the_plain_schema_does(rows: list[dict[str, Any]]) -> None:
    """The same rows through one batch schema (remembering values across rows) and a fresh plain schema each."""
    batch = batch_schema(LinkSchema)
    for data in rows:
        expected = _outcome(LinkSchema(), data)
        assert _outcome(batch, data) == expected


def _outcome(schema: Any, data: dict[str, Any]) -> Any:
    try:
        return load_record(schema, dict(data), "link")
    except InvalidData as err:
        return err.message, err.errors


def test_a_column_whose_values_never_come_again_stops_being_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("network.io.batch_schema.TRIAL_LOOKUPS", 5)
    batch = batch_schema(LinkSchema)
    rows = [{"id": f"l{i}", "source": f"o{i % 3}", "target": "hub", "kind": "mou"} for i in range(12)]
    assert [_outcome(batch, data) for data in rows] == [_outcome(LinkSchema(), data) for data in rows]
    remembering = {key: memory.on for key, _, _, memory, _ in batch._plan if memory.lookups}
    assert remembering == {"id": False, "source": True, "target": True, "kind": True}
