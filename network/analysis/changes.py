"""What changed: between two versions of a record, and in the network between two moments, in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from network.analysis.words import join, long_date, lower_first
from network.meanings import in_force
from network.model import Link, Organisation, Vocabulary, vocabulary
from network.translation import N_, named, ntranslate, sentence, translate

__all__ = [
    "CHANGE_KINDS",
    "RecordChange",
    "describe_version",
    "record_changes",
    "finding_key",
    "finding_changes",
    "closed_items",
    "link_phrase",
    "versions_text",
    "changes_markdown",
    "summary_lines",
    "HIDDEN_CHANGE",
]

#: What can happen to a record between two moments, in the order a change list shows them.
CHANGE_KINDS = ("added", "closed", "expired", "renewed")

#: Fields people read about, in the words they use (store stamps are never described); each a sentence's word
#: in the catalogs, so :func:`network.translation.sentence` says it in the reader's language.
_FIELD_WORDS = {
    "name": N_("name"), "kind": N_("kind"), "aliases": N_("other names"), "description": N_("description"),
    "province": N_("province"), "district": N_("district"), "municipality": N_("municipality"),
    "latitude": N_("latitude"), "longitude": N_("longitude"), "services": N_("services"),
    "populations": N_("populations"), "capacity_per_month": N_("capacity a month"), "languages": N_("languages"),
    "phone": N_("phone"), "email": N_("email"), "website": N_("website"), "status": N_("status"),
    "sensitive": N_("protection"), "tags": N_("tags"), "external_ids": N_("identifiers in other systems"),
    "source": N_("source"), "last_verified": N_("last verified"), "target": N_("target"),
    "start_date": N_("start date"), "end_date": N_("end date"), "weight": N_("strength"),
    "formal": N_("signed document"), "document": N_("document"), "notes": N_("notes"), "two_way": N_("both ways"),
    "country": N_("country"), "intervention_areas": N_("intervention areas"), "programme": N_("programme"),
    "grant_ref": N_("grant reference"), "verified_by": N_("verified by"),
}
_STAMPS = ("updated_at", "version")
#: A link of each kind in words (a kind the vocabulary adds later: its label's first words and ``link``).
_SHORT_KINDS = {"mou": N_("MoU"), "referral": N_("referral agreement"), "funding": N_("funding agreement"),
                "coordination": N_("coordination link"), "membership": N_("membership link"),
                "mentoring": N_("mentoring link"), "secondment": N_("secondment of staff link"),
                "training": N_("training link"), "data_sharing": N_("data sharing link"),
                "advocacy": N_("advocacy coalition link")}
#: A record's first and last versions, by the word the first one starts with.
_FIRST = {"Created": (N_("Created: %(link)s."), N_("Created: %(name)s (%(kind)s).")),
          "Imported": (N_("Imported: %(link)s."), N_("Imported: %(name)s (%(kind)s)."))}
_DELETED = (N_("Deleted: %(link)s."), N_("Deleted: %(name)s (%(kind)s)."))
#: A change of protected fields only, said without their values to callers who may not see them.
HIDDEN_CHANGE = N_("Protected details changed (not shown).")


@dataclass
class RecordChange:
    """One thing that happened to an organisation or link between two moments.

    ``change`` is one of ``CHANGE_KINDS``; ``entity`` is ``organisation`` or
    ``link``; ``organisations`` the organisation ids involved;
    ``explanation`` one plain sentence.
    """

    change: str
    entity: str
    id: str
    explanation: str
    organisations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready dict."""
        return {"change": self.change, "entity": self.entity, "id": self.id, "explanation": self.explanation,
                "organisations": list(self.organisations)}


def describe_version(
    before: Organisation | Link | None,
    after: Organisation | Link | None,
    *,
    names: Mapping[str, str] | None = None,
    voc: Vocabulary | None = None,
    first: str = "Created",
) -> list[str]:
    """What changed from one version of a record to the next, one plain sentence per field.

    Parameters
    ----------
    before, after : Organisation or Link or None
        Two consecutive versions of one record; ``before`` None for the
        first version, ``after`` None for a deletion.
    names : mapping, optional
        Organisation names by id, for a link's ends.
    voc : Vocabulary, optional
        Labels of codes (default the vocabulary in force).
    first : str, default "Created"
        The word a first version starts with (``Imported`` for a record a file registered).

    Returns
    -------
    list of str
        One sentence per changed field (services and other lists say what was
        added and removed; codes are given by their labels), in field order.

    Examples
    --------
    >>> import datetime as dt
    >>> old = Link("l1", "a", "b", "referral", services=["tb_screening"], end_date=dt.date(2026, 6, 30))
    >>> new = Link("l1", "a", "b", "referral", services=["tb_screening", "tb_treatment"],
    ...            end_date=dt.date(2027, 6, 30), status="active")
    >>> describe_version(old, new)
    ['Services: added TB treatment.', 'End date moved from 30 June 2026 to 30 June 2027.']
    >>> describe_version(None, old, names={"a": "Hope CBO", "b": "Sizwe Clinic"})
    ['Created: referral agreement from Hope CBO to Sizwe Clinic.']
    """
    voc = voc or vocabulary()
    names = names or {}
    if before is None and after is None:
        return []
    if before is None:
        if first not in _FIRST:
            return [f"{first}: {_what(after, names, voc)}."]
        return [_said_record(_FIRST[first], after, names, voc)]
    if after is None:
        return [_said_record(_DELETED, before, names, voc)]
    old, new = vars(before), vars(after)
    said = []
    for name in new:
        if name in _STAMPS or old.get(name) == new.get(name):
            continue
        said.append(_field_change(name, old.get(name), new.get(name), names, voc))
    return said


def record_changes(
    organisations_before: Iterable[Organisation],
    links_before: Iterable[Link],
    organisations_after: Iterable[Organisation],
    links_after: Iterable[Link],
    *,
    since: dt.date,
    until: dt.date,
    voc: Vocabulary | None = None,
) -> list[RecordChange]:
    """Organisations and links added, closed, expired and renewed between two moments.

    Parameters
    ----------
    organisations_before, links_before : iterables
        The records as they stood at the first moment (on day ``since``).
    organisations_after, links_after : iterables
        The records as they stood at the second moment (on day ``until``).
    since, until : date
        The days of the two moments (links are judged in force on them).
    voc : Vocabulary, optional
        Labels of codes (default the vocabulary in force).

    Returns
    -------
    list of RecordChange
        In the order of ``CHANGE_KINDS``, organisations before links, then by id:

        * ``added``: a record there at the second moment and not at the first;
        * ``closed``: an organisation deleted or made inactive; a link deleted
          or ended;
        * ``expired``: a link in force on ``since`` that is no longer in force on
          ``until`` because its end date passed or it was marked expired;
        * ``renewed``: a link whose end date moved later (or was removed).

    Examples
    --------
    >>> import datetime as dt
    >>> orgs = [Organisation("a", "Hope CBO", "cbo"), Organisation("b", "Sizwe Clinic", "clinic")]
    >>> before = [Link("l1", "a", "b", "mou", end_date=dt.date(2026, 3, 31))]
    >>> after = [Link("l1", "a", "b", "mou", end_date=dt.date(2027, 3, 31))]
    >>> [c.explanation for c in record_changes(orgs, before, orgs, after, since=dt.date(2026, 1, 1),
    ...                                        until=dt.date(2026, 4, 1))]
    ['MoU between Hope CBO and Sizwe Clinic renewed: it now ends on 31 March 2027 (was 31 March 2026).']
    """
    voc = voc or vocabulary()
    orgs_then = {o.id: o for o in organisations_before}
    orgs_now = {o.id: o for o in organisations_after}
    links_then = {link.id: link for link in links_before}
    links_now = {link.id: link for link in links_after}
    names = {**{i: o.name for i, o in orgs_then.items()}, **{i: o.name for i, o in orgs_now.items()}}
    found = [*_organisation_changes(orgs_then, orgs_now, voc),
             *_link_changes(links_then, links_now, since, until, names, voc)]
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    return sorted(found, key=lambda c: (order[c.change], c.entity != "organisation", c.id))


def finding_key(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two findings (as dicts) the same finding on two dates: type, organisations, service, population.

    >>> finding_key({"type": "isolated", "organisations": ["b", "a"], "service": None, "population": None})
    ('isolated', ('a', 'b'), None, None)
    """
    return (finding.get("type"), tuple(sorted(finding.get("organisations") or ())), finding.get("service"),
            finding.get("population"))


def finding_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The findings that appeared (in ``after`` only) and those resolved (in ``before`` only), by :func:`finding_key`.

    >>> old = [{"type": "isolated", "organisations": ["a"]}, {"type": "isolated", "organisations": ["b"]}]
    >>> new = [{"type": "isolated", "organisations": ["b"]}, {"type": "isolated", "organisations": ["c"]}]
    >>> appeared, resolved = finding_changes(old, new)
    >>> [f["organisations"] for f in appeared], [f["organisations"] for f in resolved]
    ([['c']], [['a']])
    """
    keys_before = {finding_key(f) for f in before}
    keys_after = {finding_key(f) for f in after}
    return ([f for f in after if finding_key(f) not in keys_before],
            [f for f in before if finding_key(f) not in keys_after])


def closed_items(before: Sequence[Any], after: Sequence[Any]) -> list[Any]:
    """The agenda items of ``before`` whose root cause (``key``) is no longer on the agenda ``after``.

    >>> from types import SimpleNamespace as Item
    >>> [i.key for i in closed_items([Item(key="renew:l1"), Item(key="merge:a:b")], [Item(key="merge:a:b")])]
    ['renew:l1']
    """
    still = {item.key for item in after}
    return [item for item in before if item.key not in still]


def link_phrase(link: Link, names: Mapping[str, str], voc: Vocabulary | None = None) -> str:
    """A link in words: ``referral agreement from A to B``, ``MoU between A and B``.

    >>> link_phrase(Link("l1", "a", "b", "mou"), {"a": "Hope CBO", "b": "Sizwe Clinic"})
    'MoU between Hope CBO and Sizwe Clinic'
    """
    voc = voc or vocabulary()
    source, target = named(names.get(link.source, link.source)), named(names.get(link.target, link.target))
    noun = _link_noun(link.kind, voc)
    if link.kind in voc.directed_link_kinds and not link.two_way:
        return N_("%(noun)s from %(source)s to %(target)s") % {"noun": noun, "source": source, "target": target}
    return N_("%(noun)s between %(source)s and %(target)s") % {"noun": noun, "source": source, "target": target}


def _link_noun(kind: str, voc: Vocabulary) -> str:
    if kind in _SHORT_KINDS:
        return _SHORT_KINDS[kind]
    return lower_first(voc.link_kinds.get(kind, kind).split(" (")[0]) + " link"


def _what(record: Organisation | Link | None, names: Mapping[str, str], voc: Vocabulary) -> str:
    if isinstance(record, Link):
        return link_phrase(record, names, voc)
    if isinstance(record, Organisation):
        return f"{record.name} ({_kind_words(record, voc)})"
    return "the record"


def _kind_words(org: Organisation, voc: Vocabulary) -> str:
    return lower_first(voc.organisation_kinds.get(org.kind, org.kind))


def _said_record(templates: tuple[str, str], record: Organisation | Link | None, names: Mapping[str, str],
                 voc: Vocabulary) -> str:
    """A record's first or last version by its template (``templates``: a link's, an organisation's)."""
    if isinstance(record, Organisation):
        return templates[1] % {"name": named(record.name), "kind": _kind_words(record, voc)}
    return templates[0] % {"link": _what(record, names, voc)}


def _title(phrase: str) -> str:
    return phrase[0].upper() + phrase[1:]


def _field_change(name: str, old: Any, new: Any, names: Mapping[str, str], voc: Vocabulary) -> str:
    title = _title(_FIELD_WORDS.get(name, name.replace("_", " ")))
    if name in ("services", "populations", "aliases", "languages", "tags", "intervention_areas"):
        labels = {"services": voc.services, "populations": voc.populations,
                  "intervention_areas": voc.intervention_areas}.get(name, {})
        said = {v: lower_first(labels[v]) if v in labels else named(v) for v in [*(old or []), *(new or [])]}
        added = join([said[v] for v in (new or []) if v not in (old or [])])
        removed = join([said[v] for v in (old or []) if v not in (new or [])])
        template = _LISTED[bool(added), bool(removed)]
        return template % {"field": title, "added": added, "removed": removed}
    if name == "sensitive":
        return N_("Now protected (location and contacts hidden from the public).") if new else N_(
            "No longer protected.")
    if name in ("formal", "two_way"):
        return _YES_NO[bool(new), bool(old)] % {"field": title}
    if name == "external_ids":
        return N_("%(field)s changed.") % {"field": title}
    old_text, new_text = _value(name, old, names, voc), _value(name, new, names, voc)
    if old in (None, "", [], {}):
        return N_("%(field)s set to %(value)s.") % {"field": title, "value": new_text}
    if new in (None, "", [], {}):
        return N_("%(field)s removed (was %(value)s).") % {"field": title, "value": old_text}
    if isinstance(new, dt.date):
        return N_("%(field)s moved from %(old)s to %(new)s.") % {"field": title, "old": old_text, "new": new_text}
    return N_("%(field)s changed from %(old)s to %(new)s.") % {"field": title, "old": old_text, "new": new_text}


#: A list field's change, by whether items were added and whether some were removed.
_LISTED = {(True, False): N_("%(field)s: added %(added)s."), (False, True): N_("%(field)s: removed %(removed)s."),
           (True, True): N_("%(field)s: added %(added)s; removed %(removed)s."),
           (False, False): N_("%(field)s: reordered.")}
#: A yes-or-no field's change, by its new and old value.
_YES_NO = {(True, False): N_("%(field)s: yes (was no)."), (False, True): N_("%(field)s: no (was yes)."),
           (True, True): N_("%(field)s: yes (was yes)."), (False, False): N_("%(field)s: no (was no).")}


def _value(name: str, value: Any, names: Mapping[str, str], voc: Vocabulary) -> str:
    if isinstance(value, dt.date):
        return long_date(value)
    if name == "kind":
        labels = {**voc.organisation_kinds, **voc.link_kinds}
        return lower_first(labels.get(value, value).split(" (")[0])
    if name in ("source", "target"):
        return named(names.get(value, value))
    return named(str(value))


def _organisation_changes(then: dict[str, Organisation], now: dict[str, Organisation],
                          voc: Vocabulary) -> list[RecordChange]:
    found = []
    for org_id, org in now.items():
        old = then.get(org_id)
        if old is None:
            said = N_("%(name)s (%(kind)s) added.") % {"name": named(org.name), "kind": _kind_words(org, voc)}
            found.append(RecordChange("added", "organisation", org_id, said, [org_id]))
        elif old.status == "active" and org.status != "active":
            said = N_("%(name)s marked inactive.") % {"name": named(org.name)}
            found.append(RecordChange("closed", "organisation", org_id, said, [org_id]))
    for org_id, old in then.items():
        if org_id not in now:
            said = N_("%(record)s removed from the register.") % {"record": named(old.name)}
            found.append(RecordChange("closed", "organisation", org_id, said, [org_id]))
    return found


def _link_changes(then: dict[str, Link], now: dict[str, Link], since: dt.date, until: dt.date,
                  names: Mapping[str, str], voc: Vocabulary) -> list[RecordChange]:
    found = []
    for link_id, link in now.items():
        old = then.get(link_id)
        ends = [link.source, link.target]
        title = _title(link_phrase(link, names, voc))
        if old is None:
            found.append(RecordChange("added", "link", link_id, _added(title, link), ends))
        elif link.status == "ended" and old.status != "ended":
            found.append(RecordChange("closed", "link", link_id, N_("%(link)s ended.") % {"link": title}, ends))
        elif old.end_date is not None and (link.end_date is None or link.end_date > old.end_date):
            template = N_("%(link)s renewed: it now ends on %(day)s (was %(old)s).") if link.end_date else N_(
                "%(link)s renewed: it now has no end date (was %(old)s).")
            said = template % {"link": title, "day": link.end_date and long_date(link.end_date),
                               "old": long_date(old.end_date)}
            found.append(RecordChange("renewed", "link", link_id, said, ends))
        elif in_force(old, since) and not in_force(link, until) and link.status in ("active", "expired") and (
                link.status == "expired" or (link.end_date is not None and link.end_date < until)):
            said = (N_("%(link)s expired on %(day)s.") % {"link": title, "day": long_date(link.end_date)}
                    if link.end_date else N_("%(link)s expired.") % {"link": title})
            found.append(RecordChange("expired", "link", link_id, said, ends))
    for link_id, old in then.items():
        if link_id not in now:
            said = N_("%(record)s removed from the register.") % {"record": _title(link_phrase(old, names, voc))}
            found.append(RecordChange("closed", "link", link_id, said, [old.source, old.target]))
    return found


def _added(title: str, link: Link) -> str:
    """A link added, with its dates."""
    start, end = link.start_date and long_date(link.start_date), link.end_date and long_date(link.end_date)
    if start and end:
        return N_("%(link)s added (from %(start)s to %(end)s).") % {"link": title, "start": start, "end": end}
    if end:
        return N_("%(link)s added (until %(end)s).") % {"link": title, "end": end}
    if start:
        return N_("%(link)s added (from %(start)s).") % {"link": title, "start": start}
    return N_("%(link)s added.") % {"link": title}


def versions_text(title: str, versions: Sequence[Mapping[str, Any]]) -> str:
    """A record's versions (as ``service.history.versions`` gives them) as plain text, oldest first.

    >>> print(versions_text("Link l1", [{"version": 1, "action_label": "created", "who": "the command line",
    ...     "valid_from": "2026-05-01T09:30:00.5+00:00", "valid_to": None, "changes": ["Created: an MoU."]}]))
    Link l1: 1 version
    1. created 2026-05-01 09:30:00 UTC, standing now, by the command line
       Created: an MoU.
    """
    lines = [ntranslate("%(title)s: %(num)d version", "%(title)s: %(num)d versions", len(versions), title=title)]
    for v in versions:
        until = (translate("until %(time)s", time=_time_text(v["valid_to"])) if v.get("valid_to")
                 else translate("standing now"))
        lines.append(translate("%(version)s. %(action)s %(time)s, %(until)s, by %(who)s", version=v["version"],
                               action=translate(v["action_label"]), time=_time_text(v["valid_from"]), until=until,
                               who=translate(v["who"])))
        lines += [f"   {said}" for said in v.get("changes") or [translate("No change to the fields shown.")]]
    return "\n".join(lines)


def changes_markdown(diff: Mapping[str, Any]) -> str:
    """What changed between two moments (as ``service.history.diff`` gives it) as Markdown.

    >>> print(changes_markdown({"from": "2026-09-01", "to": "2026-11-30", "summary": ["1 agreement expired."],
    ...     "records": {"expired": [{"explanation": "MoU between A and B expired on 1 October 2026."}]},
    ...     "findings": {"appeared": [], "resolved": []}, "agenda": {"closed": []}}))
    # What changed from 2026-09-01 to 2026-11-30
    <BLANKLINE>
    - 1 agreement expired.
    <BLANKLINE>
    ## Expired
    <BLANKLINE>
    - MoU between A and B expired on 1 October 2026.
    """
    lines = [f'# {translate("What changed from %(start)s to %(end)s", start=diff["from"], end=diff["to"])}', ""]
    lines += [f"- {line}" for line in diff.get("summary", [])]
    titles = {"added": translate("Added"), "closed": translate("Closed"), "expired": translate("Expired"),
              "renewed": translate("Renewed")}
    sections: list[tuple[str, list[str]]] = [
        (titles[kind], [c["explanation"] for c in diff["records"].get(kind, [])]) for kind in CHANGE_KINDS]
    sections += [
        (translate("Findings that appeared"), [_finding(f) for f in diff["findings"]["appeared"]]),
        (translate("Findings resolved"), [_finding(f) for f in diff["findings"]["resolved"]]),
        (translate("Agenda items closed"), [sentence(i["what"]) for i in diff["agenda"]["closed"]]),
    ]
    for heading, items in sections:
        if items:
            lines += ["", f"## {heading}", "", *(f"- {item}" for item in items)]
    return "\n".join(lines)


def summary_lines(diff: Mapping[str, Any]) -> list[str]:
    """The counts of what changed (as ``service.history.diff`` gives them) in the current language, as its
    ``summary`` says them in English.

    >>> summary_lines({"records": {"added": [{"entity": "link"}], "closed": [], "expired": [], "renewed": []},
    ...     "findings": {"appeared": [], "resolved": [{}]}, "agenda": {"closed": []}})[0::4]
    ['0 organisations and 1 link added.', '0 findings appeared and 1 resolved.']
    """
    said = []
    for kind in CHANGE_KINDS:
        listed = diff["records"].get(kind, [])
        orgs = sum(1 for c in listed if c["entity"] == "organisation")
        links = len(listed) - orgs
        counted = {"organisations": ntranslate("%(num)d organisation", "%(num)d organisations", orgs),
                   "links": ntranslate("%(num)d link", "%(num)d links", links)}
        if kind == "added":
            said.append(translate("%(organisations)s and %(links)s added.", **counted))
        elif kind == "closed":
            said.append(translate("%(organisations)s and %(links)s closed.", **counted))
        elif kind == "expired":
            said.append(ntranslate("%(num)d agreement expired.", "%(num)d agreements expired.", links))
        else:
            said.append(ntranslate("%(num)d agreement renewed.", "%(num)d agreements renewed.", links))
    appeared, resolved = diff["findings"]["appeared"], diff["findings"]["resolved"]
    said.append(translate("%(findings)s appeared and %(resolved)s resolved.", resolved=len(resolved),
                          findings=ntranslate("%(num)d finding", "%(num)d findings", len(appeared))))
    closed = len(diff["agenda"]["closed"])
    said.append(ntranslate("%(num)d agenda item closed.", "%(num)d agenda items closed.", closed))
    return said


def _finding(finding: Mapping[str, Any]) -> str:
    """A finding as a list item: its type's label, starting with a capital, and its explanation."""
    label = finding["label"]
    said = translate(label)
    said = label.capitalize() if said == label else said[:1].upper() + said[1:]
    return translate("%(label)s: %(explanation)s", label=said, explanation=finding["explanation"])


def _time_text(stamp: str) -> str:
    """An ISO 8601 time in UTC to the second: ``2026-05-01 09:30:00 UTC``."""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
