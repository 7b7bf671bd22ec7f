"""Merging two records of one organisation: preview the merge, then apply it.

The dropped record's links move to the kept one. A moved link *parallels* a
link the kept record already has when both have the same kind and the same
other end (and, for directed kinds, the same direction); the two are combined
into the kept record's link: services united, the higher weight, formal if
either is, the earliest known start date, the latest known end date, the
liveliest status (active > proposed > expired > ended), the later
``last_verified``, the kept document (else the dropped one) and both notes.
A link between the two records would become a self-link and is removed.
The kept record gains the dropped name (and aliases) as aliases, and fills
each field it lacks from the dropped record (place and coordinates only as a
whole, so district and province stay consistent; ``external_ids`` key by key).

Atomicity: :func:`apply_merge` writes in two steps through the store port.
First one ``store.upsert`` (one transaction) writes the kept record and every
moved or combined link; then ``delete_organisation(drop, cascade=True)``
removes the dropped record with its remaining links (the combined duplicates
and the self-links). If the first step fails nothing has changed. If the
second fails, the kept record is already complete and the dropped one still
exists holding only duplicate links: the audit entry is not written and
running the same merge again finishes it (every combination is idempotent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from network.errors import InvalidData
from network.graph.records import now
from network.graph.store import AuditEntry, GraphStore, LinkQuery
from network.model import Link, Organisation, vocabulary
from network.schemas import dump_link, dump_organisation, load_organisation

__all__ = ["MergePlan", "plan_merge", "apply_merge"]

_STATUS_RANK = {"active": 3, "proposed": 2, "expired": 1, "ended": 0}
_PLACE = ("province", "district")
_POINT = ("latitude", "longitude")
_NOT_FILLED = {
    "id",
    "name",
    "aliases",
    "external_ids",
    "updated_at",
    "version",
    "status",
    "sensitive",
    "kind",
    "description",
    *_PLACE,
    *_POINT,
}


@dataclass
class MergePlan:
    """What merging ``drop`` into ``keep`` does; ``applied`` once written."""

    keep: str
    drop: str
    aliases_added: list[str] = field(default_factory=list)
    fields_filled: dict[str, Any] = field(default_factory=dict)
    moved_links: list[str] = field(default_factory=list)
    combined_links: list[dict[str, str]] = field(default_factory=list)
    removed_links: list[dict[str, str]] = field(default_factory=list)
    merged: Organisation | None = None
    links: list[Link] = field(default_factory=list)
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return {
            "keep": self.keep,
            "drop": self.drop,
            "applied": self.applied,
            "aliases_added": list(self.aliases_added),
            "fields_filled": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.fields_filled.items()
            },
            "moved_links": list(self.moved_links),
            "combined_links": list(self.combined_links),
            "removed_links": list(self.removed_links),
            "organisation": dump_organisation(self.merged) if self.merged else None,
            "links": [dump_link(link) for link in self.links],
        }


def plan_merge(store: GraphStore, keep: str, drop: str) -> MergePlan:
    """Preview merging organisation ``drop`` into ``keep``; nothing is written.

    Raises ``InvalidData`` when ``keep == drop`` and ``NotFound`` for an unknown id.
    """
    if keep == drop:
        raise InvalidData(
            f"Cannot merge '{keep}' into itself.", {"drop": ["Give two different organisations."]}
        )
    kept = store.get_organisation(keep)
    dropped = store.get_organisation(drop)
    plan = MergePlan(keep=keep, drop=drop)
    plan.merged = _merged_record(kept, dropped, plan)
    keep_links = _links_of(store, keep)
    by_signature = {_signature(link, keep): link for link in keep_links}
    combined: dict[str, Link] = {}
    for link in _links_of(store, drop):
        other = link.target if link.source == drop else link.source
        if other == keep:
            plan.removed_links.append(
                {"link": link.id, "reason": f"joins '{keep}' and '{drop}': it would become a self-link"}
            )
            continue
        moved = dataclasses.replace(
            link,
            source=keep if link.source == drop else link.source,
            target=keep if link.target == drop else link.target,
        )
        twin = combined.get(_signature(moved, keep)) or by_signature.get(_signature(moved, keep))
        if twin is None:
            plan.moved_links.append(link.id)
            plan.links.append(moved)
            continue
        result = _combine(twin, moved)
        combined[_signature(moved, keep)] = result
        plan.combined_links.append({"kept": twin.id, "dropped": link.id})
        plan.removed_links.append({"link": link.id, "reason": f"combined into '{twin.id}'"})
    plan.links.extend(combined.values())
    return plan


def apply_merge(store: GraphStore, keep: str, drop: str, *, actor: str) -> MergePlan:
    """Merge ``drop`` into ``keep`` and record it in the audit log; returns the applied plan.

    See the module notes for what happens if a step fails.
    """
    plan = plan_merge(store, keep, drop)
    assert plan.merged is not None
    store.upsert([plan.merged], plan.links)
    store.delete_organisation(drop, cascade=True)
    plan.applied = True
    store.record_audit(
        AuditEntry(
            at=now(),
            actor=actor,
            action="merge",
            entity="organisation",
            entity_id=keep,
            changes={
                "dropped": drop,
                "aliases_added": plan.aliases_added,
                "fields_filled": sorted(plan.fields_filled),
                "moved_links": plan.moved_links,
                "combined_links": plan.combined_links,
                "removed_links": plan.removed_links,
            },
        )
    )
    return plan


def _links_of(store: GraphStore, org_id: str) -> list[Link]:
    return store.list_links(LinkQuery(organisation=org_id, limit=None)).items


def _signature(link: Link, keep: str) -> tuple[str, str, str]:
    """Kind, other end and direction of a link of ``keep`` (direction only for directed kinds)."""
    other = link.target if link.source == keep else link.source
    if link.kind not in vocabulary().directed_link_kinds:
        return link.kind, other, "-"
    return link.kind, other, "out" if link.source == keep else "in"


def _combine(kept: Link, other: Link) -> Link:
    starts = [d for d in (kept.start_date, other.start_date) if d]
    ends = [d for d in (kept.end_date, other.end_date) if d]
    verified = [d for d in (kept.last_verified, other.last_verified) if d]
    notes = "\n".join(dict.fromkeys(n for n in (kept.notes, other.notes) if n))
    return dataclasses.replace(
        kept,
        services=list(dict.fromkeys(kept.services + other.services)),
        weight=max(kept.weight, other.weight),
        formal=kept.formal or other.formal,
        start_date=min(starts) if starts else None,
        end_date=max(ends) if ends else None,
        status=max((kept.status, other.status), key=_STATUS_RANK.__getitem__),
        last_verified=max(verified) if verified else None,
        document=kept.document or other.document,
        notes=notes,
    )


def _merged_record(kept: Organisation, dropped: Organisation, plan: MergePlan) -> Organisation:
    changes: dict[str, Any] = {}
    known = {kept.name.casefold(), *(a.casefold() for a in kept.aliases)}
    aliases = list(kept.aliases)
    for name in (dropped.name, *dropped.aliases):
        if name.casefold() not in known:
            aliases.append(name)
            plan.aliases_added.append(name)
            known.add(name.casefold())
    changes["aliases"] = aliases
    for name in (f.name for f in dataclasses.fields(Organisation)):
        if name in _NOT_FILLED:
            continue
        if _empty(getattr(kept, name)) and not _empty(getattr(dropped, name)):
            changes[name] = plan.fields_filled[name] = getattr(dropped, name)
    for group in (_PLACE, _POINT):
        if all(_empty(getattr(kept, f)) for f in group) and any(
            not _empty(getattr(dropped, f)) for f in group
        ):
            for f in group:
                changes[f] = plan.fields_filled[f] = getattr(dropped, f)
    if not kept.description and dropped.description:
        changes["description"] = plan.fields_filled["description"] = dropped.description
    missing_ids = {k: v for k, v in dropped.external_ids.items() if k not in kept.external_ids}
    if missing_ids:
        changes["external_ids"] = {**kept.external_ids, **missing_ids}
        plan.fields_filled["external_ids"] = missing_ids
    merged = dataclasses.replace(kept, **changes)
    data = {k: v for k, v in dump_organisation(merged).items() if k not in ("updated_at", "version")}
    checked = load_organisation(data)
    return dataclasses.replace(checked, updated_at=kept.updated_at, version=kept.version)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
