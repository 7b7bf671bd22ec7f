"""The SQLite store's schema, row codecs, lookups and query building (values always as parameters)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from network.errors import InvalidData, missing
from network.graph.records import id_key, link_from_record, now, organisation_from_record, stale, to_record
from network.graph.sqlite_history import CHANGES_MIGRATION, HISTORY_MIGRATION
from network.graph.sqlite_partners import PARTNERS_MIGRATION
from network.graph.sqlite_projection import PROJECTION_MIGRATION
from network.graph.sqlite_referrals import REFERRALS_MIGRATION
from network.graph.sqlite_surveys import SURVEYS_MIGRATION
from network.graph.sqlite_where import equal_clauses
from network.graph.store import AuditQuery, LinkQuery, OrganisationQuery, Token
from network.model import Link, Organisation
from network.schemas import UNKNOWN_END
from network.translation import translate

CHUNK = 500

#: The schema of monitoring reports (``sqlite_monitoring`` reads and writes it).
MONITORING_MIGRATION = """
    CREATE TABLE monitoring_reports (
        id TEXT PRIMARY KEY,
        monitor TEXT NOT NULL,
        facility TEXT NOT NULL,
        observed_on TEXT NOT NULL,
        escalation TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX monitoring_reports_facility ON monitoring_reports(facility, observed_on);
    CREATE INDEX monitoring_reports_monitor ON monitoring_reports(monitor, observed_on);
    CREATE INDEX monitoring_reports_day ON monitoring_reports(observed_on);
"""

#: Schema migrations, applied in order; ``PRAGMA user_version`` records how many ran.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta VALUES ('revision', 0);

    CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        name TEXT GENERATED ALWAYS AS (json_extract(data, '$.name')) VIRTUAL,
        kind TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL,
        province TEXT GENERATED ALWAYS AS (json_extract(data, '$.province')) VIRTUAL,
        district TEXT GENERATED ALWAYS AS (json_extract(data, '$.district')) VIRTUAL,
        status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL,
        sensitive INTEGER GENERATED ALWAYS AS (json_extract(data, '$.sensitive')) VIRTUAL,
        search_text TEXT GENERATED ALWAYS AS (json_extract(data, '$.aliases')) VIRTUAL
    );
    CREATE INDEX organisations_kind ON organisations(kind);
    CREATE INDEX organisations_place ON organisations(province, district);
    CREATE INDEX organisations_district ON organisations(district);
    CREATE INDEX organisations_status ON organisations(status);

    CREATE TABLE organisation_codes (
        organisation TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        facet TEXT NOT NULL,
        code TEXT NOT NULL
    );
    CREATE INDEX organisation_codes_lookup ON organisation_codes(facet, code, organisation);
    CREATE INDEX organisation_codes_owner ON organisation_codes(organisation);

    CREATE VIRTUAL TABLE organisation_search USING fts5(
        name, search_text, content='organisations', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2');

    CREATE TRIGGER organisations_ai AFTER INSERT ON organisations BEGIN
        INSERT INTO organisation_search(rowid, name, search_text)
            VALUES (new.rowid, new.name, new.search_text);
        INSERT INTO organisation_codes SELECT new.id, 'service', value FROM json_each(new.data, '$.services');
        INSERT INTO organisation_codes
            SELECT new.id, 'population', value FROM json_each(new.data, '$.populations');
    END;
    CREATE TRIGGER organisations_ad AFTER DELETE ON organisations BEGIN
        INSERT INTO organisation_search(organisation_search, rowid, name, search_text)
            VALUES ('delete', old.rowid, old.name, old.search_text);
    END;
    CREATE TRIGGER organisations_au AFTER UPDATE OF data ON organisations BEGIN
        INSERT INTO organisation_search(organisation_search, rowid, name, search_text)
            VALUES ('delete', old.rowid, old.name, old.search_text);
        INSERT INTO organisation_search(rowid, name, search_text)
            VALUES (new.rowid, new.name, new.search_text);
        DELETE FROM organisation_codes WHERE organisation = new.id;
        INSERT INTO organisation_codes SELECT new.id, 'service', value FROM json_each(new.data, '$.services');
        INSERT INTO organisation_codes
            SELECT new.id, 'population', value FROM json_each(new.data, '$.populations');
    END;

    CREATE TABLE links (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL REFERENCES organisations(id),
        target TEXT NOT NULL REFERENCES organisations(id),
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        kind TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL,
        status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL
    );
    CREATE INDEX links_source ON links(source);
    CREATE INDEX links_target ON links(target);
    CREATE INDEX links_kind ON links(kind, status);

    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        changes TEXT NOT NULL
    );
    CREATE INDEX audit_entity ON audit(entity_id);
    """,
    HISTORY_MIGRATION,
    # tokens bound to one organisation (the referrer role)
    "ALTER TABLE tokens ADD COLUMN organisation TEXT;",
    # invitations, proposed changes and trusted partners (issue 13)
    PARTNERS_MIGRATION,
    # survey rounds and tie ratings (issue 13)
    SURVEYS_MIGRATION,
    # referral records and their counts after retention (issue 12)
    REFERRALS_MIGRATION,
    # community-led monitoring reports (issue 12)
    MONITORING_MIGRATION,
    # each version names the revision it was written at, so a cache can catch up on what changed (issue 15)
    CHANGES_MIGRATION,
    # issue 14: an organisation's country (records written before it have none: South Africa)
    """
    ALTER TABLE organisations ADD COLUMN country TEXT
        GENERATED ALWAYS AS (coalesce(json_extract(data, '$.country'), 'ZA')) VIRTUAL;
    CREATE INDEX organisations_country ON organisations(country);
    """,
    # issue 15: every field a column, and one index per table the projection reads instead of the JSON
    PROJECTION_MIGRATION,
)


def statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


def stamped(item: Any, version: int) -> Any:
    item = type(item)(**item.to_dict())
    item.version = version
    item.updated_at = now()
    return item


def organisation_row(org: Organisation) -> tuple[Any, ...]:
    return org.id, json.dumps(to_record(org)), org.version, org.updated_at.isoformat()


def link_row(link: Link) -> tuple[Any, ...]:
    return link.id, link.source, link.target, json.dumps(to_record(link)), link.version, \
        link.updated_at.isoformat()


def from_row(row: sqlite3.Row) -> dict[str, Any]:
    record = json.loads(row["data"])
    record["version"] = row["version"]
    record["updated_at"] = row["updated_at"]
    return record


def organisation(row: sqlite3.Row) -> Organisation:
    return organisation_from_record(from_row(row))


def link(row: sqlite3.Row) -> Link:
    return link_from_record(from_row(row))


def token(row: sqlite3.Row) -> Token:
    return Token(id=row["id"], name=row["name"], role=row["role"], token_hash=row["token_hash"],
                 created_at=dt.datetime.fromisoformat(row["created_at"]), revoked=bool(row["revoked"]),
                 organisation=row["organisation"])


def holder(conn: sqlite3.Connection, table: str, record_id: str) -> str | None:
    """The stored id equal to ``record_id`` regardless of case, if any."""
    row = conn.execute(f"SELECT id FROM {table} WHERE id_key = ?", (id_key(record_id),)).fetchone()
    return row[0] if row else None


def current_version(conn: sqlite3.Connection, table: str, record_id: str, noun: str) -> int:
    row = conn.execute(f"SELECT version FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise missing(noun, record_id)
    return row[0]


def check_version(current: int, expected: int | None, noun: str, record_id: str) -> None:
    if expected is not None and expected != current:
        raise stale(noun, record_id, expected, current)


def existing_ids(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> set[str]:
    ids = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
    return found


def check_ends(conn: sqlite3.Connection, links: Sequence[Link], incoming: set[str]) -> None:
    errors: dict[str, list[str]] = {}
    for link in links:
        if link.source == link.target:
            errors.setdefault(link.id, []).append(translate("source and target are both '%(id)s'.",
                                                                  id=link.source))
    ends = {e for link in links for e in (link.source, link.target)} - incoming
    missing = ends - existing_ids(conn, "organisations", ends)
    for link in links:
        for end in ("source", "target"):
            value = getattr(link, end)
            if value in missing:
                errors.setdefault(link.id, []).append(translate(UNKNOWN_END[end], id=value))
    if errors:
        first = next(iter(errors.items()))
        raise InvalidData(translate("Link '%(id)s': %(problem)s", id=first[0], problem=first[1][0]), errors)


def window(limit: int | None, offset: int) -> tuple[str, list[Any]]:
    if limit is None:
        return ("LIMIT -1 OFFSET ?", [offset]) if offset else ("", [])
    return "LIMIT ? OFFSET ?", [limit, offset]


def organisation_filters(query: OrganisationQuery) -> tuple[str, list[Any]]:
    clauses, params = equal_clauses(query, ("kind", "province", "district", "status", "country"))
    if query.intervention_area is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(data, '$.intervention_areas') WHERE value = ?)")
        params.append(query.intervention_area)
    if query.sensitive is not None:
        clauses.append("sensitive = ?")
        params.append(int(query.sensitive))
    if query.service is not None:
        clauses.append("id IN (SELECT organisation FROM organisation_codes WHERE facet = 'service' AND code = ?)")
        params.append(query.service)
    if query.population is not None:
        # serves: names the population, or names none (general population)
        clauses.append("(id IN (SELECT organisation FROM organisation_codes WHERE facet = 'population' AND code = ?)"
                       " OR coalesce(json_array_length(data, '$.populations'), 0) = 0)")
        params.append(query.population)
    if query.ids is not None:
        clauses.append(f"id IN ({','.join('?' * len(query.ids))})" if query.ids else "0")
        params += list(query.ids)
    _verified_before(query, clauses, params)
    match = fts_query(query.q)
    if match:
        clauses.append("rowid IN (SELECT rowid FROM organisation_search WHERE organisation_search MATCH ?)")
        params.append(match)
    return " AND ".join(clauses), params


def fts_query(text: str | None) -> str:
    """Turn free text into an FTS5 query: every word must start a word of the name or an alias."""
    words = "".join(ch if ch.isalnum() else " " for ch in (text or "")).split()
    return " ".join(f'"{w}"*' for w in words)


def link_filters(query: LinkQuery) -> tuple[str, list[Any]]:
    clauses, params = equal_clauses(query, ("kind", "status", "source", "target"))
    if query.organisation is not None:
        clauses.append("(source = ? OR target = ?)")
        params += [query.organisation, query.organisation]
    if query.service is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(data, '$.services') WHERE value = ?)")
        params.append(query.service)
    _verified_before(query, clauses, params)
    return " AND ".join(clauses), params


def _verified_before(query: OrganisationQuery | LinkQuery, clauses: list[str], params: list[Any]) -> None:
    """Records never verified, or last verified before ``query.verified_before`` (ISO dates sort as days do)."""
    if query.verified_before is not None:
        clauses.append("coalesce(json_extract(data, '$.last_verified'), '') < ?")
        params.append(query.verified_before.isoformat())


def audit_filters(query: AuditQuery) -> tuple[str, list[Any]]:
    clauses, params = equal_clauses(query, ("entity_id", "actor"))
    return " AND ".join(clauses), params
