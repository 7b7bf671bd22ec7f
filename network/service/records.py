"""Organisations and links: reads that protect by rule, and writes that each are one transaction holding the
version check, the change and its audit entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from network.errors import InvalidData, StaleWrite
from network.graph.store import GraphStore, OrganisationQuery, Page
from network.model import Link, Organisation
from network.redaction import redact_organisation
from network.schemas import dump_link, dump_organisation, load_link, load_organisation
from network.translation import translate

from . import audit
from .audit import Actor

__all__ = [
    "organisation",
    "organisations",
    "create_organisation",
    "update_organisation",
    "delete_organisation",
    "create_link",
    "update_link",
    "delete_link",
]

R = TypeVar("R", Organisation, Link)


def organisation(store: GraphStore, org_id: str, *, redacted: bool) -> Organisation:
    """One organisation (``NotFound`` if none), without its protected fields if ``redacted`` and it is sensitive."""
    return redact_organisation(store.get_organisation(org_id), hide=redacted)


def organisations(store: GraphStore, query: OrganisationQuery, *, redacted: bool) -> Page[Organisation]:
    """A page of matching organisations, each protected as :func:`organisation` protects one."""
    page = store.list_organisations(query)
    page.items = [redact_organisation(o, hide=redacted) for o in page.items]
    return page


def create_organisation(store: GraphStore, organisation: Organisation, *, actor: Actor) -> Organisation:
    """Store a new organisation and its audit entry together; ``Conflict`` if the id is taken."""
    return _create(store, "organisation", organisation, actor)


def update_organisation(store: GraphStore, org_id: str, change: Organisation | dict[str, Any], *,
                        expected_version: int, actor: Actor) -> Organisation:
    """Replace an organisation (a whole record) or change some of its fields (a dict), if it is still
    at ``expected_version`` (else ``StaleWrite``); the change and its audit entry commit together."""
    return _update(store, "organisation", org_id, change, expected_version, actor)


def delete_organisation(store: GraphStore, org_id: str, *, expected_version: int, cascade: bool = False,
                        actor: Actor) -> int:
    """Delete an organisation still at ``expected_version`` (with its links if ``cascade``); returns links deleted."""
    with store.transaction(actor=actor.key):
        current = _current(store, "organisation", org_id, expected_version)
        removed = store.delete_organisation(org_id, cascade=cascade, expected_version=expected_version)
        audit.record(store, actor, "delete", "organisation", org_id,
                     {"before": dump_organisation(current), "links_deleted": removed})
    return removed


def create_link(store: GraphStore, link: Link, *, actor: Actor) -> Link:
    """Store a new link and its audit entry together; ``Conflict`` if the id is taken."""
    return _create(store, "link", link, actor)


def update_link(store: GraphStore, link_id: str, change: Link | dict[str, Any], *, expected_version: int,
                actor: Actor) -> Link:
    """Replace a link or change some of its fields, if it is still at ``expected_version``."""
    return _update(store, "link", link_id, change, expected_version, actor)


def delete_link(store: GraphStore, link_id: str, *, expected_version: int, actor: Actor) -> None:
    """Delete a link still at ``expected_version``; the deletion and its audit entry commit together."""
    with store.transaction(actor=actor.key):
        current = _current(store, "link", link_id, expected_version)
        store.delete_link(link_id, expected_version=expected_version)
        audit.record(store, actor, "delete", "link", link_id, {"before": dump_link(current)})


_DUMP: dict[str, Callable[[Any], dict[str, Any]]] = {"organisation": dump_organisation, "link": dump_link}
_LOAD: dict[str, Callable[[dict[str, Any]], Any]] = {"organisation": load_organisation, "link": load_link}


def _create(store: GraphStore, entity: str, record: R, actor: Actor) -> R:
    if record.last_verified is not None and not record.verified_by:
        record = dataclasses.replace(record, verified_by=actor.name[:200])
    with store.transaction(actor=actor.key):
        created = getattr(store, f"create_{entity}")(record)
        audit.record(store, actor, "create", entity, created.id, {"after": _DUMP[entity](created)})
    return created


def _update(store: GraphStore, entity: str, record_id: str, change: R | dict[str, Any], expected_version: int,
            actor: Actor) -> R:
    dump = _DUMP[entity]
    with store.transaction(actor=actor.key):
        current = _current(store, entity, record_id, expected_version)
        wanted = _verifier(current, _changed(current, change, dump, _LOAD[entity]), actor)
        updated = getattr(store, f"update_{entity}")(wanted, expected_version=expected_version)
        audit.record(store, actor, "update", entity, record_id, audit.field_changes(dump(current), dump(updated)))
    return updated


def _verifier(current: R, wanted: R, actor: Actor) -> R:
    """Who verified the record: as given when it names someone new; else the writer when ``last_verified`` moves
    (nobody when it is cleared); else whoever verified it before (a form that leaves the field out keeps it)."""
    if wanted.verified_by and wanted.verified_by != current.verified_by:
        return wanted
    if wanted.last_verified != current.last_verified:
        return dataclasses.replace(wanted, verified_by=actor.name[:200] if wanted.last_verified else None)
    return dataclasses.replace(wanted, verified_by=current.verified_by)


def _current(store: GraphStore, entity: str, record_id: str, expected_version: int) -> Any:
    """The stored record, read inside the write's transaction; ``StaleWrite`` unless it is at ``expected_version``."""
    current = getattr(store, f"get_{entity}")(record_id)
    if current.version != expected_version:
        raise StaleWrite(translate("%(record)s '%(id)s' changed since you read it (now version %(version)s); read it "
                                   "again.", record=translate(entity.capitalize()), id=record_id,
                                   version=current.version))
    return current


def _changed(current: R, change: R | dict[str, Any], dump: Callable[[R], dict[str, Any]],
             load: Callable[[dict[str, Any]], R]) -> R:
    """The record to store: ``change`` itself when it is a whole record, else ``current`` with the fields changed
    (checked again as a whole)."""
    if not isinstance(change, dict):
        if change.id != current.id:
            raise InvalidData(translate("The body's id '%(id)s' is not the id in the path '%(path)s'.", id=change.id,
                                        path=current.id), {"id": [translate("Must be '%(id)s'.", id=current.id)]})
        return change
    data = dump(dataclasses.replace(current, **change))
    return load({k: v for k, v in data.items() if k not in ("updated_at", "version")})
