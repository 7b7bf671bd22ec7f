"""Validate a whole batch of rows and write it to the store: all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any, TypeVar

from network.errors import CssnetError, InvalidData
from network.graph.store import GraphStore, OrganisationQuery, UpsertResult
from network.io.batch_schema import batch_schema
from network.io.rows import row_to_data
from network.model import Link, Organisation
from network.schema_errors import load_record
from network.schemas import ID_PATTERN, LinkSchema, OrganisationSchema, check_batch
from network.translation import N_, ntranslate, translate

__all__ = ["RowProblem", "ImportRefused", "ImportBatch", "RowChecker", "validate_rows", "import_batch",
           "import_stream", "known_organisation_ids", "import_rows", "generated_link_id", "printable", "STREAM_CHUNK"]

T = TypeVar("T")

#: What is said of an id a file repeats, by the noun and whether it is written the same (else: in another case).
_REPEATED = {
    ("organisation", True): N_("organisation id '%(id)s' also appears on row %(row)s."),
    ("link", True): N_("link id '%(id)s' also appears on row %(row)s."),
    ("organisation", False): N_("organisation id '%(id)s' also appears on row %(row)s as '%(first)s' (ids are the "
                                "same whatever their case)."),
    ("link", False): N_("link id '%(id)s' also appears on row %(row)s as '%(first)s' (ids are the same whatever "
                        "their case)."),
}

#: Rows validated and written together by :func:`import_stream`.
STREAM_CHUNK = 20_000


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row of an input file.

    A problem quotes the file's own text (file, column and attribute names), so its
    fields are made printable when it is made (see :func:`printable`): a report goes
    to terminals, logs and pages alike.
    """

    file: str
    row: int
    field: str
    problem: str

    def __post_init__(self) -> None:
        for name in ("file", "field", "problem"):
            object.__setattr__(self, name, printable(str(getattr(self, name)), limit=None))

    def __str__(self) -> str:
        return translate("%(file)s row %(row)s, %(field)s: %(problem)s", file=self.file, row=self.row,
                         field=self.field, problem=self.problem)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str, *, limit: int | None = 60) -> str:
    """``text`` quoted in a problem: control characters and broken Unicode escaped, cut to ``limit``.

    >>> printable("na\\x1b[2Jme\\ud800"), printable("x" * 70)[-5:]
    ('na\\\\x1b[2Jme\\\\ud800', 'xx...')
    """
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


class ImportRefused(InvalidData):
    """The batch was refused; nothing was written. ``problems`` lists every row problem."""

    def __init__(self, problems: Sequence[RowProblem]):
        message = ntranslate("Import refused, nothing was written: %(num)d problem: %(shown)s",
                             "Import refused, nothing was written: %(num)d problems: %(shown)s", len(problems),
                             shown="; ".join(str(p) for p in problems[:5]))
        if len(problems) > 5:
            message = translate("%(message)s (and %(num)d more)", message=message, num=len(problems) - 5)
        super().__init__(message, {"rows": [asdict(p) for p in problems]})
        self.problems = list(problems)


@dataclass
class ImportBatch:
    """Validated records ready to write."""

    organisations: list[Organisation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def validate_rows(
    organisation_rows: Iterable[tuple[int, dict[str, Any]]],
    link_rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    organisations_file: str = "organisations",
    links_file: str = "links",
    known: Iterable[str] = (),
    to_data: Callable[[dict[str, Any]], dict[str, Any]] = row_to_data,
) -> ImportBatch:
    """Validate numbered rows; raise ``ImportRefused`` listing every problem, or return the batch.

    ``known`` holds organisation ids already in the store (links may point at them).
    ``to_data`` turns a row into what the schema loads: flat text cells by default;
    formats that carry typed values (JSON) pass their own.
    """
    checker = RowChecker(organisations_file, links_file, to_data=to_data)
    checker.known.update(known)
    batch = ImportBatch(checker.check("organisation", organisation_rows), checker.check("link", link_rows))
    checker.refuse_problems()
    return batch


def import_stream(
    store: GraphStore,
    organisation_rows: Iterable[tuple[int, dict[str, Any]]],
    link_rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    organisations_file: str,
    links_file: str,
    chunk: int = STREAM_CHUNK,
) -> UpsertResult:
    """Validate numbered rows ``chunk`` at a time and write each chunk: all or nothing, in one transaction.

    The rows are read one at a time, so a file of millions of rows never sits in memory whole. Organisations
    come first (links may point at them). Once any row has a problem nothing more is written, but every row is
    still checked; then ``ImportRefused`` lists every problem and the transaction (the caller's
    ``store.transaction`` block, or this function's own) is rolled back, leaving the store unchanged.
    """
    checker = RowChecker(organisations_file, links_file)
    total = UpsertResult()
    refused: ImportRefused | None = None
    with store.transaction():
        for noun, rows in (("organisation", organisation_rows), ("link", link_rows)):
            for part in _parts(rows, chunk):
                if noun == "link":
                    checker.known.update(known_organisation_ids(store, (row for _, row in part),
                                                                skip=checker.organisation_ids))
                records = checker.check(noun, part)
                if checker.problems or refused:
                    continue
                try:
                    written = import_batch(store, ImportBatch(records, []) if noun == "organisation"
                                           else ImportBatch([], records))
                except ImportRefused as err:
                    refused = err  # reported after the rows' own problems, as a whole-batch import does
                    continue
                for name, count in asdict(written).items():
                    setattr(total, name, getattr(total, name) + count)
        checker.refuse_problems()
        if refused is not None:
            raise refused
    return total


class RowChecker:
    """Checks numbered rows one part at a time, keeping what spans parts: ids seen (case-folded) with their
    first row, the organisations' ids, generated link ids, and every problem."""

    def __init__(self, organisations_file: str, links_file: str, *,
                 to_data: Callable[[dict[str, Any]], dict[str, Any]] = row_to_data):
        self.files = {"organisation": organisations_file, "link": links_file}
        self.to_data = to_data
        self.problems: list[RowProblem] = []
        #: Organisation ids links may point at besides this file's: those the store holds.
        self.known: set[str] = set()
        #: The ids of the organisations this file gave (loaded without problems).
        self.organisation_ids: set[str] = set()
        self._schemas = {"organisation": batch_schema(OrganisationSchema), "link": batch_schema(LinkSchema)}
        # case-folded id -> its first row, or (the id as written, its first row) when folding changed it
        self._first: dict[str, dict[str, int | tuple[str, int]]] = {"organisation": {}, "link": {}}
        self._unnamed: Counter[tuple[str, ...]] = Counter()

    def check(self, noun: str, rows: Iterable[tuple[int, dict[str, Any]]]) -> list[Any]:
        """The records of ``rows`` that loaded; the problems of the others are kept in ``problems``."""
        out: list[Any] = []
        row_of: dict[str, int] = {}
        schema, first_rows, file = self._schemas[noun], self._first[noun], self.files[noun]
        for number, row in rows:
            data = self.to_data(row)
            if noun == "link" and not data.get("id"):
                data["id"] = generated_link_id(data, self._unnamed)
            try:
                record = load_record(schema, data, noun)
            except InvalidData as err:
                self.problems += [RowProblem(file, number, f, " ".join(m)) for f, m in err.errors.items()]
                continue
            out.append(record)
            key = record.id.casefold()
            first = first_rows.get(key)
            if first is None:
                first_rows[key] = number if key == record.id else (record.id, number)
            else:
                first_id, first_row = (key, first) if isinstance(first, int) else first
                said = _REPEATED[noun, first_id == record.id]
                self.problems.append(RowProblem(file, number, "id",
                                                translate(said, id=record.id, row=first_row, first=first_id)))
            row_of.setdefault(record.id, number)
        if noun == "organisation":
            self.organisation_ids.update(record.id for record in out)
            return out
        # Repeated ids were reported above with both row numbers; the ends of links are checked here.
        for _, record_id, field_name, message in check_batch([], out, self.organisation_ids | self.known):
            if field_name != "id":
                self.problems.append(RowProblem(file, row_of[record_id], field_name, message))
        return out

    def refuse_problems(self) -> None:
        """``ImportRefused`` listing every problem found so far, organisations' first, by row."""
        if self.problems:
            organisations_file = self.files["organisation"]
            raise ImportRefused(sorted(self.problems, key=lambda p: (p.file != organisations_file, p.row, p.field)))


def _parts(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """``rows`` in lists of ``size`` (the last perhaps shorter)."""
    items = iter(rows)
    while part := list(islice(items, size)):
        yield part


def generated_link_id(data: dict[str, Any], seen: Counter[tuple[str, ...]]) -> str:
    """A stable id for a link row that has none: the same file imported twice gives the same ids.

    The id hashes the link's source, target, kind and start date as written, and how many rows of the
    file before it have the same four (``seen`` counts them), so two such rows get two ids.

    >>> generated_link_id({"source": "a", "target": "b", "kind": "mou", "start_date": "2024-01-01"}, Counter())
    'link-a405c1ca7c10'
    """
    key = tuple(_as_written(data.get(name)) for name in ("source", "target", "kind", "start_date"))
    occurrence = seen[key]
    seen[key] += 1
    # surrogatepass: a row whose text is no valid Unicode gets an id all the same; the schema then refuses it.
    digest = hashlib.sha256("\x1f".join((*key, str(occurrence))).encode("utf-8", "surrogatepass")).hexdigest()
    return f"link-{digest[:12]}"


def _as_written(value: Any) -> str:
    """A cell as written, for hashing: text stripped, a date in ISO form, anything else (refused later) empty."""
    if isinstance(value, str):
        return value.strip()
    return value.isoformat() if isinstance(value, dt.date) else ""


def import_batch(store: GraphStore, batch: ImportBatch) -> UpsertResult:
    """Write a validated batch in one transaction; the store is unchanged if it fails."""
    try:
        return store.upsert(batch.organisations, batch.links)
    except CssnetError as err:
        raise ImportRefused([RowProblem("links", 0, key, " ".join(m) if isinstance(m, list) else str(m))
                             for key, m in err.errors.items()] or [RowProblem("store", 0, "-", err.message)]) from err


def known_organisation_ids(store: GraphStore, links: Iterable[dict[str, Any]], *,
                           skip: Set[str] = frozenset()) -> set[str]:
    """Ids named as link ends in ``links`` that the store already holds (those in ``skip`` are not looked up).

    Only ends that are valid ids are looked up; the schema refuses the others.
    """
    named = {value.strip() for row in links for end in ("source", "target") if isinstance(value := row.get(end), str)}
    ends = {end for end in named - skip if re.match(ID_PATTERN, end)}
    found: set[str] = set()
    ordered = sorted(ends)
    for start in range(0, len(ordered), 500):
        chunk = tuple(ordered[start:start + 500])
        found.update(o.id for o in store.list_organisations(OrganisationQuery(ids=chunk, limit=None)).items)
    return found


def import_rows(
    store: GraphStore,
    organisation_rows: list[tuple[int, dict[str, Any]]],
    link_rows: list[tuple[int, dict[str, Any]]],
    *,
    organisations_file: str,
    links_file: str,
    to_data: Callable[[dict[str, Any]], dict[str, Any]] = row_to_data,
) -> UpsertResult:
    """Validate numbered rows against the store and write them: all or nothing."""
    known = known_organisation_ids(store, (row for _, row in link_rows))
    batch = validate_rows(organisation_rows, link_rows, organisations_file=organisations_file,
                          links_file=links_file, known=known, to_data=to_data)
    return import_batch(store, batch)
