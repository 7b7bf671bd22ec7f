"""Merging two records of one organisation: preview the merge, then apply it. Nothing is lost.

The kept record becomes the union of the two: services, populations,
aliases (with the dropped record's name), tags, languages and external ids
are united. A field only the dropped record fills is filled. A field both
fill with different values is a **conflict**: the preview lists it, and the
caller chooses, for all conflicts (``prefer``: ``"keep"`` or ``"drop"``)
and field by field (``choices``: ``{"phone": "drop"}``). Place (province,
district, municipality) and coordinates are chosen whole, so they stay
consistent. A record that is sensitive stays protected: the merged record is
sensitive if either was. The later ``last_verified`` is kept. Populations are
united when both records list some; when one lists none (the general
population) and the other some, that is a conflict too, since a union would
narrow who the organisation serves.

The dropped record's links move to the kept one with their scope. A moved
link *parallels* a link the kept record already has when both have the same
kind and the same other end (and, for directed kinds, the same direction);
the two are combined into the kept record's link: services united, the
higher weight, formal or two-way if either is, the earliest known start
date, the latest known end date, the liveliest status (active > proposed >
expired > ended), the later ``last_verified``, the kept document (else the
dropped one) and both notes. A link between the two records would become a
self-link and is removed.

The preview also runs the linkage-gap and duplication analyses on the
network before and after the merge, in memory, and lists the findings that
would appear and disappear, a finding about the dropped record being the
same as one about the kept record (on a network of more than
``PREVIEW_WHOLE_NETWORK`` organisations, on the two records' districts and
their partners).

:func:`apply_merge` writes the kept record, the moved and combined links,
the deletion of the dropped record (with its remaining links) and the audit
entry inside one ``store.transaction``: the store's history versions of
every record touched commit with them, or nothing does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from network.analysis.duplication import duplication
from network.analysis.gaps import linkage_gaps
from network.errors import InvalidData
from network.graph.project import build_graph
from network.graph.store import GraphStore, LinkQuery
from network.model import Link, Organisation, today, vocabulary
from network.schemas import dump_link, dump_organisation, load_organisation

from . import audit
from .audit import Actor

__all__ = ["MergePlan", "plan_merge", "apply_merge", "CHOICES", "CONFLICT_FIELDS"]

#: How a conflict is decided: the kept record's value or the dropped record's.
CHOICES = ("keep", "drop")
#: Fields united from both records (lists, in the kept record's order then the dropped one's).
UNITED = ("services", "aliases", "tags", "languages")
#: Conflicts decided as one: the fields each covers.
GROUPS: dict[str, tuple[str, ...]] = {
    "place": ("province", "district", "municipality"),
    "coordinates": ("latitude", "longitude"),
}
#: Single-valued fields that conflict when both records fill them differently (``GROUPS`` whole).
CONFLICT_FIELDS = ("kind", "description", "place", "coordinates", "capacity_per_month", "phone", "email", "website",
                   "status", "source", "populations")
#: Above this many organisations, the preview's findings are those of the merged records' districts and their
#: partners (the findings a merge can change), not of the whole network.
PREVIEW_WHOLE_NETWORK = 5000
_STATUS_RANK = {"active": 3, "proposed": 2, "expired": 1, "ended": 0}


@dataclass
class MergePlan:
    """What merging ``drop`` into ``keep`` does; ``applied`` once written."""

    keep: str
    drop: str
    prefer: str = "keep"
    choices: dict[str, str] = field(default_factory=dict)
    aliases_added: list[str] = field(default_factory=list)
    united: dict[str, Any] = field(default_factory=dict)
    fields_filled: dict[str, Any] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    moved_links: list[str] = field(default_factory=list)
    combined_links: list[dict[str, str]] = field(default_factory=list)
    removed_links: list[dict[str, str]] = field(default_factory=list)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"appear": [], "disappear": []})
    merged: Organisation | None = None
    links: list[Link] = field(default_factory=list)
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return {
            "keep": self.keep,
            "drop": self.drop,
            "applied": self.applied,
            "prefer": self.prefer,
            "aliases_added": list(self.aliases_added),
            "united": _json(self.united),
            "fields_filled": _json(self.fields_filled),
            "conflicts": _json(self.conflicts),
            "moved_links": list(self.moved_links),
            "combined_links": list(self.combined_links),
            "removed_links": list(self.removed_links),
            "findings": self.findings,
            "organisation": dump_organisation(self.merged) if self.merged else None,
            "links": [dump_link(link) for link in self.links],
        }


def plan_merge(store: GraphStore, keep: str, drop: str, *, prefer: str = "keep",
               choices: dict[str, str] | None = None, findings: bool = True) -> MergePlan:
    """Preview merging organisation ``drop`` into ``keep``; nothing is written.

    ``prefer`` decides every conflict (``"keep"`` or ``"drop"``) unless ``choices`` decides it field by
    field (a conflict's ``field`` name, e.g. ``{"phone": "drop", "external_ids.npo": "keep"}``). With
    ``findings`` the plan lists the analysis findings that would appear and disappear.
    Raises ``InvalidData`` when ``keep == drop`` or a choice is unknown, ``NotFound`` for an unknown id.
    """
    if keep == drop:
        raise InvalidData(
            f"Cannot merge '{keep}' into itself.", {"drop": ["Give two different organisations."]}
        )
    choices = dict(choices or {})
    _check_choices(prefer, choices)
    kept = store.get_organisation(keep)
    dropped = store.get_organisation(drop)
    plan = MergePlan(keep=kept.id, drop=dropped.id, prefer=prefer, choices=choices)
    plan.merged = _merged_record(kept, dropped, plan)
    unknown = set(choices) - {c["field"] for c in plan.conflicts}
    if unknown:
        raise InvalidData(
            "A choice names a field that is not in conflict.",
            {"fields": [f"'{name}' is not in conflict; the conflicts are: "
                        f"{', '.join(c['field'] for c in plan.conflicts) or 'none'}." for name in sorted(unknown)]},
        )
    _plan_links(store, plan)
    if findings:
        plan.findings = _findings_change(store, plan)
    return plan


def apply_merge(store: GraphStore, keep: str, drop: str, *, actor: Actor, prefer: str = "keep",
                choices: dict[str, str] | None = None) -> MergePlan:
    """Merge ``drop`` into ``keep`` and record it in the audit log, in one transaction; returns the plan.

    See :func:`plan_merge` for ``prefer`` and ``choices``.
    """
    with store.transaction(actor=actor.key):
        plan = plan_merge(store, keep, drop, prefer=prefer, choices=choices, findings=False)
        assert plan.merged is not None
        store.upsert([plan.merged], plan.links)
        store.delete_organisation(plan.drop, cascade=True)
        plan.applied = True
        audit.record(store, actor, "merge", "organisation", plan.keep, {
            "dropped": plan.drop,
            "prefer": plan.prefer,
            "aliases_added": plan.aliases_added,
            "united": _json(plan.united),
            "fields_filled": sorted(plan.fields_filled),
            "conflicts": _json(plan.conflicts),
            "moved_links": plan.moved_links,
            "combined_links": plan.combined_links,
            "removed_links": plan.removed_links,
        })
    return plan


def _check_choices(prefer: str, choices: dict[str, str]) -> None:
    problems = {}
    if prefer not in CHOICES:
        problems["prefer"] = [f"Use 'keep' or 'drop', not '{prefer}'."]
    wrong = [f"'{name}': use 'keep' or 'drop', not '{value}'." for name, value in choices.items()
             if value not in CHOICES]
    if wrong:
        problems["fields"] = wrong
    if problems:
        raise InvalidData("A merge choice is not 'keep' or 'drop'.", problems)


def _links_of(store: GraphStore, org_id: str) -> list[Link]:
    return store.list_links(LinkQuery(organisation=org_id, limit=None)).items


def _plan_links(store: GraphStore, plan: MergePlan) -> None:
    keep, drop = plan.keep, plan.drop
    by_signature = {_signature(link, keep): link for link in _links_of(store, keep)}
    combined: dict[tuple[str, str, str], Link] = {}
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
        signature = _signature(moved, keep)
        twin = combined.get(signature) or by_signature.get(signature)
        if twin is None:
            plan.moved_links.append(link.id)
            plan.links.append(moved)
            continue
        combined[signature] = _combine(twin, moved)
        plan.combined_links.append({"kept": twin.id, "dropped": link.id})
        plan.removed_links.append({"link": link.id, "reason": f"combined into '{twin.id}'"})
    plan.links.extend(combined.values())


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
        two_way=kept.two_way or other.two_way,
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
    for name in UNITED:
        if name == "aliases":
            continue
        ours, theirs = getattr(kept, name), getattr(dropped, name)
        added = [v for v in theirs if v not in ours]
        if added:
            changes[name] = [*ours, *dict.fromkeys(added)]
            plan.united[name] = list(dict.fromkeys(added))
    _populations(kept, dropped, plan, changes)
    _external_ids(kept, dropped, plan, changes)
    for name in CONFLICT_FIELDS:
        if name == "populations":
            continue
        covered = GROUPS.get(name, (name,))
        ours = tuple(getattr(kept, f) for f in covered)
        theirs = tuple(getattr(dropped, f) for f in covered)
        if all(_empty(v) for v in theirs) or ours == theirs:
            continue
        if all(_empty(x) or _empty(y) or x == y for x, y in zip(ours, theirs, strict=True)):
            for f, x, y in zip(covered, ours, theirs, strict=True):
                if _empty(x) and not _empty(y):
                    changes[f] = plan.fields_filled[f] = y
            continue
        chosen = _conflict(plan, name, _shown(covered, ours), _shown(covered, theirs))
        if chosen == "drop":
            changes.update(zip(covered, theirs, strict=True))
    changes["sensitive"] = kept.sensitive or dropped.sensitive
    verified = [d for d in (kept.last_verified, dropped.last_verified) if d]
    changes["last_verified"] = max(verified) if verified else None
    merged = dataclasses.replace(kept, **changes)
    data = {k: v for k, v in dump_organisation(merged).items() if k not in ("updated_at", "version")}
    checked = load_organisation(data)
    return dataclasses.replace(checked, updated_at=kept.updated_at, version=kept.version)


def _populations(kept: Organisation, dropped: Organisation, plan: MergePlan, changes: dict[str, Any]) -> None:
    ours, theirs = kept.populations, dropped.populations
    if not theirs or ours == theirs:
        return
    if ours:
        added = [p for p in theirs if p not in ours]
        if added:
            changes["populations"] = [*ours, *added]
            plan.united["populations"] = added
        return
    if _conflict(plan, "populations", ours, theirs) == "drop":
        changes["populations"] = list(theirs)


def _external_ids(kept: Organisation, dropped: Organisation, plan: MergePlan, changes: dict[str, Any]) -> None:
    ids = dict(kept.external_ids)
    for key, value in dropped.external_ids.items():
        if key not in ids:
            ids[key] = value
            plan.united.setdefault("external_ids", {})[key] = value
        elif ids[key] != value and _conflict(plan, f"external_ids.{key}", ids[key], value) == "drop":
            ids[key] = value
    changes["external_ids"] = ids


def _conflict(plan: MergePlan, name: str, ours: Any, theirs: Any) -> str:
    """List a conflict in the plan and return the choice made for it."""
    chosen = plan.choices.get(name, plan.prefer)
    plan.conflicts.append({"field": name, "keep": ours, "drop": theirs, "chosen": chosen})
    return chosen


def _shown(covered: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    return dict(zip(covered, values, strict=True)) if len(covered) > 1 else values[0]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _findings_change(store: GraphStore, plan: MergePlan) -> dict[str, list[dict[str, Any]]]:
    """The gap and duplication findings that the merge would make appear and disappear."""
    organisations = list(store.iter_organisations())
    links = list(store.iter_links())
    if len(organisations) > PREVIEW_WHOLE_NETWORK:
        organisations, links = _neighbourhood(organisations, links, plan)
    removed = {r["link"] for r in plan.removed_links}
    planned = {link.id: link for link in plan.links}
    before = build_graph(organisations, links)
    after = build_graph(
        [plan.merged if o.id == plan.keep else o for o in organisations if o.id != plan.drop],
        [planned.get(link.id, link) for link in links if link.id not in removed],
    )
    renamed = {plan.drop: plan.keep, **{c["dropped"]: c["kept"] for c in plan.combined_links}}
    old, new = _findings(before, renamed), _findings(after, {})
    return {
        "appear": [f for key, f in new.items() if key not in old],
        "disappear": [f for key, f in old.items() if key not in new],
    }


def _neighbourhood(organisations: list[Organisation], links: list[Link],
                   plan: MergePlan) -> tuple[list[Organisation], list[Link]]:
    """The organisations of the merged records' districts and their partners, and the links among them."""
    by_id = {o.id: o for o in organisations}
    districts = {by_id[n].district for n in (plan.keep, plan.drop)} - {None}
    near = {plan.keep, plan.drop}
    for link in links:
        if link.source in (plan.keep, plan.drop) or link.target in (plan.keep, plan.drop):
            near.update((link.source, link.target))
    kept = [o for o in organisations if o.id in near or o.district in districts]
    ids = {o.id for o in kept}
    return kept, [link for link in links if link.source in ids and link.target in ids]


def _findings(G: nx.MultiDiGraph, renamed: dict[str, str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Today's gap and duplication findings of ``G``, keyed by what they are about once the dropped record
    (and each combined link) is read as the one it merges into: a finding that only changes names is the same."""
    day = today()
    found = [*linkage_gaps(G, as_of=day), *duplication(G, as_of=day)]

    def about(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted({renamed.get(i, i) for i in ids}))

    return {
        (f.type, about(f.organisations), f.district, f.population, f.service, about(f.links)): f.to_dict()
        for f in found
    }


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
