"""The GraphStore port: what every storage backend of the partner network provides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from network.model import Link, Organisation
from network.monitoring import MonitoringQuery, MonitoringReport

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "GraphStore",
    "OrganisationQuery",
    "LinkQuery",
    "AuditQuery",
    "Page",
    "Token",
    "AuditEntry",
    "UpsertResult",
    "Version",
    "Changes",
    "Entity",
    "SYSTEM_ACTOR",
]

#: The actor of writes made outside any ``transaction(actor=...)`` block.
SYSTEM_ACTOR = "system"

Entity = Literal["organisation", "link"]

T = TypeVar("T")


@dataclass(frozen=True)
class OrganisationQuery:
    """Filters and a page window over organisations; ``None`` means no filter.

    ``q`` searches names and aliases: every word must start a word of either.
    ``verified_before`` keeps records never verified or last verified before that day (stale ones).
    ``limit=None`` returns every match.
    """

    kind: str | None = None
    province: str | None = None
    district: str | None = None
    service: str | None = None
    population: str | None = None
    status: str | None = None
    sensitive: bool | None = None
    country: str | None = None
    intervention_area: str | None = None
    q: str | None = None
    ids: tuple[str, ...] | None = None
    verified_before: dt.date | None = None
    limit: int | None = 50
    offset: int = 0


@dataclass(frozen=True)
class LinkQuery:
    """Filters and a page window over links; ``organisation`` matches either end; ``verified_before`` as for
    :class:`OrganisationQuery`."""

    kind: str | None = None
    status: str | None = None
    organisation: str | None = None
    source: str | None = None
    target: str | None = None
    service: str | None = None
    verified_before: dt.date | None = None
    limit: int | None = 50
    offset: int = 0


@dataclass(frozen=True)
class AuditQuery:
    """Filters and a page window over the audit log, newest first."""

    entity_id: str | None = None
    actor: str | None = None
    limit: int | None = 50
    offset: int = 0


@dataclass
class Page(Generic[T]):
    """One window of a listing and the total number of matches."""

    items: list[T]
    total: int
    limit: int | None
    offset: int


@dataclass
class Token:
    """An API token: only the hash of its secret is stored.

    ``organisation`` binds the token to one organisation (roles such as
    ``referrer`` act for it alone); ``None`` for unbound roles.
    """

    id: str
    name: str
    role: str
    token_hash: str
    created_at: dt.datetime
    revoked: bool = False
    organisation: str | None = None


@dataclass
class AuditEntry:
    """One recorded write: who did what to which record, and when."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class UpsertResult:
    """Counts of what a bulk upsert wrote."""

    organisations_created: int = 0
    organisations_updated: int = 0
    links_created: int = 0
    links_updated: int = 0


@dataclass
class Version:
    """One version of an organisation or link, as its history keeps it.

    ``version`` counts the record's versions from 1, across deletions and
    re-creations of the same id. ``action`` is ``create``, ``update``,
    ``delete`` or ``import`` (a file registered the record: it existed
    already, so it also stands for earlier dates). The version stood from
    ``valid_from`` until ``valid_to`` (``None``: it still stands). ``record``
    is the record as written, ``None`` for a deletion.
    """

    entity: str
    entity_id: str
    version: int
    action: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    actor: str
    record: Organisation | Link | None


@dataclass(frozen=True)
class Changes:
    """The organisations and links written since a revision (see :meth:`GraphStore.changes`).

    ``revision`` is the store's revision when they were read; ``organisations``
    and ``links`` the ids of every record created, changed or deleted after
    the revision asked about, up to ``revision`` (perhaps a few more written
    since: reading their current state again is harmless).
    """

    revision: int
    organisations: frozenset[str]
    links: frozenset[str]


class GraphStore(Protocol):
    """The storage port. Every adapter passes the contract tests, ``tests/test_store_contract*.py``.

    Writes stamp ``updated_at`` and bump the record's ``version``; the store's
    ``revision()`` grows with every committed write. Reads return fresh objects.
    Errors are those of ``network.errors``: ``NotFound``, ``Conflict`` (an id
    already in use, or links still attached), ``StaleWrite`` (``expected_version``
    no longer matches), ``InvalidData`` (a link to a missing organisation,
    a self-link) and ``Busy`` (the write lock could not be had in time).

    Ids keep the case they were written in and are unique regardless of case
    (``L12`` and ``l12`` cannot both exist); lookups by id are exact.

    **Unit of work.** ``with store.transaction(actor="token:abc"):`` makes every
    write inside the block (organisations, links, bulk upserts, history
    versions, audit entries, tokens) commit together when the block ends
    without an exception, or none of them. A block opened inside another joins
    it. Writes outside any block are each their own transaction, made by
    ``"system"``. Reads inside a block see its writes. An error raised by a
    write inside a block should end the block (let it propagate).

    **History.** Every create, update and delete of an organisation or link
    (bulk upserts and ``clear`` included) stores a :class:`Version` in the same
    transaction, by the actor of the enclosing block.
    """

    def transaction(self, *, actor: str = SYSTEM_ACTOR) -> AbstractContextManager[None]:
        """A unit of work: the writes inside commit together or not at all.

        ``actor`` names who writes (``"token:<id>"``, ``"cli"``, ``"system"``);
        the history versions written inside carry it. Raises ``Busy`` when the
        write lock cannot be had in time.
        """

    def close(self) -> None:
        """Release connections."""

    def revision(self) -> int:
        """A counter that grows with every committed write to organisations or links."""

    def changes(self, since: int) -> Changes | None:
        """The ids of the organisations and links written after revision ``since``.

        ``None`` when the store cannot tell (``since`` is older than the
        changes it keeps, or newer than its revision): read everything
        afresh then. A cache of the network at revision ``since`` becomes
        the network at ``Changes.revision`` by reading those records again.
        """

    # organisations
    def get_organisation(self, org_id: str) -> Organisation:
        """The organisation with this id, or ``NotFound``."""

    def create_organisation(self, organisation: Organisation) -> Organisation:
        """Store a new organisation; ``Conflict`` if the id is taken."""

    def update_organisation(
        self, organisation: Organisation, *, expected_version: int | None = None
    ) -> Organisation:
        """Replace an organisation; ``StaleWrite`` if ``expected_version`` is stale."""

    def delete_organisation(self, org_id: str, *, cascade: bool = False, expected_version: int | None = None) -> int:
        """Delete an organisation; with ``cascade`` its links too (returns how many).

        Refused with ``Conflict`` while links remain and ``cascade`` is false, and
        with ``StaleWrite`` if ``expected_version`` is stale (checked under the
        record's write lock, so a concurrent update and delete cannot both win).
        """

    def list_organisations(self, query: OrganisationQuery = OrganisationQuery()) -> Page[Organisation]:
        """Matching organisations ordered by id.

        ``population`` follows the one meaning of *serves*: organisations that
        name the population, and those with no populations (general population).
        """

    # links
    def get_link(self, link_id: str) -> Link:
        """The link with this id, or ``NotFound``."""

    def create_link(self, link: Link) -> Link:
        """Store a new link; ``Conflict`` if the id is taken, ``InvalidData`` for a bad end."""

    def update_link(self, link: Link, *, expected_version: int | None = None) -> Link:
        """Replace a link; ``StaleWrite`` if ``expected_version`` is stale."""

    def delete_link(self, link_id: str, *, expected_version: int | None = None) -> None:
        """Delete a link, or ``NotFound``; ``StaleWrite`` if ``expected_version`` is stale.

        Like an update's, the version check holds the link's write lock until
        commit, so a concurrent update and delete cannot both win.
        """

    def list_links(self, query: LinkQuery = LinkQuery()) -> Page[Link]:
        """Matching links ordered by id."""

    # bulk
    def upsert(self, organisations: Sequence[Organisation], links: Sequence[Link], *,
               action: str = "import") -> UpsertResult:
        """Insert or replace many records in one transaction: all or nothing.

        Links may refer to organisations stored already or in this batch;
        any other end is refused with ``InvalidData`` and nothing is written.
        Two ids of the batch that differ only in case, or an id that differs
        only in case from a stored one, are refused with ``Conflict``. The
        history keeps an ``"update"`` version of each record that was stored
        already, and a version with ``action`` of each new one: ``"import"``
        (a file registers records that existed before it, so they also stand
        for earlier dates) or ``"create"``.
        """

    def iter_organisations(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Organisation]:
        """Every organisation, ordered by id (streamed).

        With ``as_of`` (a datetime, naive meaning UTC; a date meaning the end of
        that day), the organisations as they stood then, read from their
        history: the version that stood at that moment; a record first written
        later is absent unless that first version is an ``import``; a record
        deleted by then is absent.
        """

    def iter_links(self, *, as_of: dt.datetime | dt.date | None = None) -> Iterator[Link]:
        """Every link, ordered by id (streamed); ``as_of`` as for :meth:`iter_organisations`."""

    def organisation_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        """Every organisation as it stands (or those of ``ids`` that exist), in batches of rows, by id.

        What the projection reads (``network.graph.project``): a row holds
        the fields of ``network.graph.columns.ORGANISATION_ROW`` (every field
        but the store's stamps) in their stored form
        (``network.graph.columns.stored_row``): dates as ISO text, lists and
        mappings as JSON text; a flag may be 0 or 1 and a missing value None
        (the field's default).
        """

    def link_rows(self, ids: Collection[str] | None = None) -> Iterator[Sequence[tuple[Any, ...]]]:
        """Every link as it stands (or those of ``ids`` that exist), as for :meth:`organisation_rows`
        (``network.graph.columns.LINK_ROW``)."""

    def whole_graph(self, as_of: dt.date | None = None) -> nx.MultiDiGraph | None:
        """The network as it stands as an analysis graph, built by the store in a faster way than from its rows,
        without the links that start after ``as_of``; None where the store has no such way, or not now.

        Equal to ``network.graph.project.graph_from_rows`` of :meth:`organisation_rows`
        and of the :meth:`link_rows` that do not start after ``as_of``.
        """

    def history(self, entity: Entity, entity_id: str) -> list[Version]:
        """The versions of the organisation or link with this exact id, oldest first.

        An id that never existed has an empty history. ``entity`` is
        ``"organisation"`` or ``"link"`` (anything else: ``ValueError``).
        """

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts by organisation kind, province, status, link kind and link status."""

    def clear(self) -> None:
        """Delete every organisation and link (tokens and the audit log stay)."""

    # tokens and audit
    def add_token(self, token: Token) -> None:
        """Store a token (its hash only)."""

    def find_token(self, token_hash: str) -> Token | None:
        """The unrevoked token with this hash, if any."""

    def list_tokens(self) -> list[Token]:
        """Every token, newest first."""

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token, or ``NotFound``."""

    def prune_tokens(self, role: str, created_before: dt.datetime) -> int:
        """Delete the tokens of ``role`` created before ``created_before`` (UTC) and the revoked ones of that
        role; returns how many went."""

    def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit log."""

    def list_audit(self, query: AuditQuery = AuditQuery()) -> Page[AuditEntry]:
        """Audit entries, newest first."""

    # monitoring reports (network/monitoring.py); their writes bump the revision like the network's
    def create_monitoring_report(self, report: MonitoringReport) -> MonitoringReport:
        """Store a new report (version 1, stamped); ``Conflict`` if its id or its idempotency ``key`` is taken,
        ``InvalidData`` if its monitor or facility is not a stored organisation."""

    def get_monitoring_report(self, report_id: str) -> MonitoringReport:
        """The report with this id, or ``NotFound``."""

    def update_monitoring_report(self, report: MonitoringReport, *,
                                 expected_version: int | None = None) -> MonitoringReport:
        """Replace a report, keeping its key and creation time; ``StaleWrite`` if ``expected_version`` is stale."""

    def list_monitoring_reports(self, query: MonitoringQuery = MonitoringQuery()) -> Page[MonitoringReport]:
        """Matching reports, latest visit first (then latest recorded, then by id)."""

    def iter_monitoring_reports(self) -> Iterator[MonitoringReport]:
        """Every report, latest visit first (streamed)."""
