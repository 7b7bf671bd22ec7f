"""Records over time: the versions of one record, and what changed in the network between two moments.

Both read the store's history. Protection follows the one rule of
``network.redaction``, with sensitivity as it stands now covering every
version: an organisation that is sensitive now (or was in any version) shows
no protected field in any version to callers who may not see them, and a
change of only protected fields is said without its values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import networkx as nx

from network.analysis.agenda import agenda, agenda_weights
from network.analysis.changes import (
    CHANGE_KINDS,
    HIDDEN_CHANGE,
    closed_items,
    describe_version,
    finding_changes,
    record_changes,
)
from network.analysis.duplication import duplication
from network.analysis.finding import SEVERITIES, Finding
from network.analysis.gaps import linkage_gaps
from network.analysis.layers import Layers
from network.analysis.upkeep import upkeep
from network.errors import InvalidData, NotFound
from network.gcpause import gc_paused
from network.graph.project import build_graph
from network.graph.store import Entity, GraphStore, OrganisationQuery, Version
from network.model import Link, Organisation, today
from network.redaction import hidden_values, redact_graph
from network.schemas import dump_link, dump_organisation
from network.service.scope import YEARS
from network.translation import N_, translate

from .memo import Memo

__all__ = ["Moment", "versions", "record_versions", "diff", "moment_text", "parse_moment", "AGENDA_SHOWN",
           "DEFAULT_DAYS", "YEARS"]

#: A moment: a datetime (naive means UTC), or a date meaning the end of that day.
Moment = dt.datetime | dt.date
#: Items of the first date's agenda that are checked for closure (the agenda a meeting saw).
AGENDA_SHOWN = 20
#: A diff without a first date looks back this many days (a quarter).
DEFAULT_DAYS = 91

#: Who made a version and what it did, in words (marked for the catalogs: the command line says them in its language).
_WHO = {"cli": N_("the command line"), "system": N_("the system")}
_ACTIONS = {"create": N_("created"), "update": N_("changed"), "delete": N_("deleted"), "import": N_("imported")}
_FIRST = {"import": "Imported"}
_diffs = Memo(8)


def versions(store: GraphStore, entity: Entity, record_id: str, *, redacted: bool,
             named: bool = False) -> list[dict[str, Any]]:
    """The versions of an organisation or link, oldest first, each with what changed from the one before.

    Each version: ``version``, ``action`` and its words (``action_label``), ``valid_from`` and ``valid_to``
    (ISO 8601 times; ``valid_to`` None while it stands), ``who`` made it (a token's name only when ``named``),
    ``changes`` (plain sentences) and ``record`` (None for a deletion). ``NotFound`` for an id the store never
    held; with ``redacted`` an organisation sensitive now or in any version shows no protected field.
    """
    found = store.history(entity, record_id)
    if not found:
        getattr(store, f"get_{entity}")(record_id)
        return []
    tokens = {f"token:{t.id}": t.name for t in store.list_tokens()} if named else {}
    hide = redacted and entity == "organisation" and _ever_sensitive(store, record_id, found)
    names = _end_names(store, found) if entity == "link" else {}
    out, previous, previous_raw = [], None, None
    for version in found:
        raw = version.record
        shown = _without_protected(raw) if hide and isinstance(raw, Organisation) else raw
        changes = describe_version(previous, shown, names=names, first=_FIRST.get(version.action, "Created"))
        if not changes and previous_raw is not None and raw is not None and _differs(previous_raw, raw):
            changes = [HIDDEN_CHANGE]
        out.append({
            "version": version.version,
            "action": version.action,
            "action_label": _ACTIONS.get(version.action, version.action),
            "valid_from": version.valid_from.isoformat(),
            "valid_to": version.valid_to.isoformat() if version.valid_to else None,
            "who": _who(version.actor, tokens),
            "changes": changes,
            "record": _dump(shown),
        })
        previous, previous_raw = shown, raw
    return out


def record_versions(store: GraphStore, record_id: str, *, redacted: bool,
                    named: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The versions of the organisation and of the link with this id (the id of either, or of both), as
    :func:`versions` gives them, by entity; ``NotFound`` if neither ever existed."""
    found = {}
    for entity in ("organisation", "link"):
        try:
            found[entity] = versions(store, entity, record_id, redacted=redacted, named=named)  # type: ignore[arg-type]
        except NotFound:
            continue
    if not found:
        raise NotFound(translate("No organisation or link with id '%(id)s', now or before.", id=record_id))
    return found


def diff(store: GraphStore, since: Moment | None, until: Moment | None, *, redacted: bool) -> dict[str, Any]:
    """What changed in the network from ``since`` to ``until`` (default: today, and ``DEFAULT_DAYS`` before it).

    Returns a JSON-ready dict: ``from`` and ``to`` (ISO 8601), ``records`` (``added``, ``closed``, ``expired``
    and ``renewed`` organisations and links, each ``{change, entity, id, explanation, organisations}``),
    ``findings`` (``appeared`` and ``resolved``: the report's findings on each day, compared by type,
    organisations, service and population, each with a ``label``), ``agenda`` (``closed``: items of the agenda on
    the first date, its first ``AGENDA_SHOWN``, whose root cause is gone on the second) and ``summary`` (plain
    sentences). ``InvalidData`` if ``since`` is after ``until``.
    """
    for given in (since, until):
        if given is not None and not YEARS[0] <= _instant(given).year <= YEARS[1]:
            message = f"Give dates from the years {YEARS[0]} to {YEARS[1]}, not {moment_text(given)}."
            raise InvalidData(message, {"from" if given is since else "to": [message]})
    until = until if until is not None else today()
    since = since if since is not None else _day(until) - dt.timedelta(days=DEFAULT_DAYS)
    if _instant(since) > _instant(until):
        message = f"The first date ({moment_text(since)}) is after the second ({moment_text(until)})."
        raise InvalidData(message, {"from": [message]})
    key = ("diff", dt.date.today(), _instant(since), _instant(until), redacted)
    return _diffs(store, key, lambda: _diff(store, since, until, redacted))


def parse_moment(text: str) -> Moment:
    """A moment written in ISO 8601: ``2026-05-01`` (the end of that day) or a time (``2026-05-01T09:30``, UTC
    unless an offset is given); ``ValueError`` otherwise.

    >>> parse_moment("2026-05-01"), parse_moment("2026-05-01T09:30:00+02:00").isoformat()
    (datetime.date(2026, 5, 1), '2026-05-01T07:30:00+00:00')
    """
    text = text.strip()
    moment = dt.date.fromisoformat(text) if len(text) == 10 else _aware(
        dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(f"a year from {YEARS[0]} to {YEARS[1]}")
    return moment


def moment_text(moment: Moment) -> str:
    """A moment in ISO 8601: a date as itself, a time in UTC to the second.

    >>> moment_text(dt.date(2026, 5, 1)), moment_text(dt.datetime(2026, 5, 1, 9, 30, 5, 120))
    ('2026-05-01', '2026-05-01T09:30:05+00:00')
    """
    if isinstance(moment, dt.datetime):
        return _aware(moment).replace(microsecond=0).isoformat()
    return moment.isoformat()


@gc_paused()
def _diff(store: GraphStore, since: Moment, until: Moment, redacted: bool) -> dict[str, Any]:
    sensitive = {o.id for o in store.list_organisations(OrganisationQuery(sensitive=True, limit=None)).items}
    orgs_then, links_then = _snapshot(store, since)
    orgs_now, links_now = _snapshot(store, until)
    changes = record_changes(orgs_then, links_then, orgs_now, links_now, since=_day(since), until=_day(until))
    G_then = _graph(orgs_then, links_then, _day(since), sensitive, redacted)
    G_now = _graph(orgs_now, links_now, _day(until), sensitive, redacted)
    findings_then, agenda_input_then = _findings(G_then, _day(since))
    findings_now, agenda_input_now = _findings(G_now, _day(until))
    appeared, resolved = finding_changes([f.to_dict() for f in findings_then], [f.to_dict() for f in findings_now])
    items_then = agenda(agenda_input_then, G_then, as_of=_day(since), limit=AGENDA_SHOWN)
    items_now = agenda(agenda_input_now, G_now, as_of=_day(until), limit=None)
    closed = [item.to_dict() for item in closed_items(items_then, items_now)]
    records = {kind: [c.to_dict() for c in changes if c.change == kind] for kind in CHANGE_KINDS}
    return {
        "from": moment_text(since),
        "to": moment_text(until),
        "records": records,
        "findings": {"appeared": _labelled(appeared), "resolved": _labelled(resolved)},
        "agenda": {"closed": closed},
        "summary": _summary(records, appeared, resolved, closed),
    }


def _snapshot(store: GraphStore, moment: Moment) -> tuple[list[Organisation], list[Link]]:
    """The records as they stood at ``moment`` (as they are now for today or later)."""
    as_of = moment if _instant(moment) < dt.datetime.now(dt.UTC) else None
    return list(store.iter_organisations(as_of=as_of)), list(store.iter_links(as_of=as_of))


def _graph(orgs: Sequence[Organisation], links: Sequence[Link], day: dt.date, sensitive: set[str],
           redacted: bool) -> nx.MultiDiGraph:
    """The analysis graph of a snapshot, as ``graph.project`` builds it; redacted by today's sensitivity."""
    G = build_graph(orgs, (link for link in links if link.start_date is None or link.start_date <= day))
    if not redacted:
        return G
    for node in sensitive & set(G):
        G.nodes[node]["sensitive"] = True
    return redact_graph(G)


def _findings(G: nx.MultiDiGraph, day: dt.date) -> tuple[list[Finding], list[Finding]]:
    """The report's findings on ``day`` (gaps and duplication), and those with upkeep's (the agenda's input)."""
    layers = Layers(G, day)
    found = [*linkage_gaps(G, as_of=day, layers=layers), *duplication(G, as_of=day, layers=layers)]
    found.sort(key=lambda f: SEVERITIES.index(f.severity))
    return found, [*found, *upkeep(G, as_of=day, layers=layers)]


def _labelled(findings: list[Any]) -> list[dict[str, Any]]:
    words = agenda_weights()["finding_types"]
    return [{**f, "label": words.get(f["type"], [f["type"].replace("_", " ")])[0]} for f in findings]


def _summary(records: dict[str, list[dict[str, Any]]], appeared: list[Any], resolved: list[Any],
             closed: list[Any]) -> list[str]:
    said = []
    for kind in CHANGE_KINDS:
        listed = records[kind]
        orgs = sum(1 for c in listed if c["entity"] == "organisation")
        links = len(listed) - orgs
        if kind in ("expired", "renewed"):
            said.append(f"{_count(links, 'agreement')} {kind}.")
        else:
            said.append(f"{_count(orgs, 'organisation')} and {_count(links, 'link')} {kind}.")
    said.append(f"{_count(len(appeared), 'finding')} appeared and {len(resolved)} resolved.")
    said.append(f"{_count(len(closed), 'agenda item')} closed.")
    return said


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _ever_sensitive(store: GraphStore, org_id: str, found: Sequence[Version]) -> bool:
    if any(isinstance(v.record, Organisation) and v.record.sensitive for v in found):
        return True
    current = store.list_organisations(OrganisationQuery(ids=(org_id,), limit=1)).items
    return bool(current and current[0].sensitive)


def _end_names(store: GraphStore, found: Sequence[Version]) -> dict[str, str]:
    ends = {end for v in found if isinstance(v.record, Link) for end in (v.record.source, v.record.target)}
    listed = store.list_organisations(OrganisationQuery(ids=tuple(sorted(ends)), limit=None)).items
    return {o.id: o.name for o in listed}


def _without_protected(org: Organisation) -> Organisation:
    """The version without its protected fields, whatever its own ``sensitive`` said then (sensitivity as it
    stands now, or in any version, protects every version)."""
    return dataclasses.replace(org, **hidden_values())


def _differs(a: Organisation | Link, b: Organisation | Link) -> bool:
    left, right = vars(a), vars(b)
    return any(left.get(k) != right.get(k) for k in right if k not in ("updated_at", "version"))


def _who(actor: str, tokens: dict[str, str]) -> str:
    if actor in _WHO:
        return _WHO[actor]
    if actor in tokens:
        return f"{tokens[actor]} (API token)"
    return N_("an API token") if actor.startswith("token:") else actor


def _dump(record: Organisation | Link | None) -> dict[str, Any] | None:
    if record is None:
        return None
    data = dump_organisation(record) if isinstance(record, Organisation) else dump_link(record)
    return dict(data)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _instant(moment: Moment) -> dt.datetime:
    """A moment as an aware datetime: a date is the end of that day."""
    if isinstance(moment, dt.datetime):
        return _aware(moment)
    return dt.datetime.combine(moment, dt.time.max, tzinfo=dt.UTC)


def _day(moment: Moment) -> dt.date:
    return _instant(moment).date()
