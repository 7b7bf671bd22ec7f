"""What changed: between two dates, printable ("what changed since last quarter"), and the versions of one record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, render_template, request
from flask_babel import gettext, lazy_gettext, ngettext

from network.api.state import get_store
from network.errors import CssnetError
from network.service import history
from network.visual import web_dir

from .blueprint import bp
from .common import hide

__all__ = ["changes", "record_history"]

_SECTIONS = (("added", lazy_gettext("Added")), ("closed", lazy_gettext("Closed")), ("expired", lazy_gettext("Expired")),
             ("renewed", lazy_gettext("Renewed")))


@bp.get("/changes")
def changes() -> str:
    """Records added, closed, expired and renewed, findings that appeared and were resolved, agenda items closed."""
    given = {key: request.args.get(key, "").strip() for key in ("from", "to")}
    moments: dict[str, history.Moment | None] = {}
    for key, text in given.items():
        try:
            moments[key] = history.parse_moment(text) if text else None
        except ValueError:
            instead = (gettext("'%(text)s' is not a date like 2026-05-01; today is shown instead.", text=text)
                       if key == "to" else
                       gettext("'%(text)s' is not a date like 2026-05-01; a quarter before is shown instead.",
                               text=text))
            flash(instead, "error")
            moments[key] = None
    try:
        data = history.diff(get_store(), moments["from"], moments["to"], redacted=hide())
    except CssnetError as err:
        flash(err.message, "error")
        data = history.diff(get_store(), None, None, redacted=hide())
    return render_template("changes.html", diff=data, sections=_sections(data), form=_form(data),
                           summary=_summary(data), print_css=(web_dir() / "static" / "print.css").exists())


def _summary(data: dict[str, Any]) -> list[str]:
    """The diff's counts in the page's language (the service's ``summary`` says them in English)."""
    said = []
    for kind in ("added", "closed", "expired", "renewed"):
        listed = data["records"][kind]
        orgs = sum(1 for c in listed if c["entity"] == "organisation")
        links = len(listed) - orgs
        counted = {"organisations": ngettext("%(num)d organisation", "%(num)d organisations", orgs),
                   "links": ngettext("%(num)d link", "%(num)d links", links)}
        said.append({
            "added": gettext("%(organisations)s and %(links)s added.", **counted),
            "closed": gettext("%(organisations)s and %(links)s closed.", **counted),
            "expired": ngettext("%(num)d agreement expired.", "%(num)d agreements expired.", links),
            "renewed": ngettext("%(num)d agreement renewed.", "%(num)d agreements renewed.", links)}[kind])
    appeared, resolved = data["findings"]["appeared"], data["findings"]["resolved"]
    said.append(gettext("%(findings)s appeared and %(resolved)s resolved.", resolved=len(resolved),
                        findings=ngettext("%(num)d finding", "%(num)d findings", len(appeared))))
    closed = len(data["agenda"]["closed"])
    said.append(ngettext("%(num)d agenda item closed.", "%(num)d agenda items closed.", closed))
    return said


def _sections(data: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [(kind, str(title), data["records"][kind]) for kind, title in _SECTIONS]


def _form(data: dict[str, Any]) -> dict[str, str]:
    """The form's dates: the days compared."""
    return {key: dt.date.fromisoformat(data[key][:10]).isoformat() for key in ("from", "to")}


@bp.get("/history/<entity>/<path:record_id>")
def record_history(entity: str, record_id: str) -> str:
    """The versions of one organisation or link, oldest first: when, who and what changed."""
    if entity not in ("organisation", "link"):
        abort(404)
    found = history.versions(get_store(), entity, record_id, redacted=hide())  # type: ignore[arg-type]
    shown = [{**v, "who": _who(v["who"]), "changes": [str(_WORDS.get(c, c)) for c in v["changes"]]} for v in found]
    return render_template("history.html", entity=entity, record_id=record_id, versions=shown)


#: What the history service writes in English that the page says in its language.
_WORDS = {
    "the command line": lazy_gettext("the command line"), "the system": lazy_gettext("the system"),
    "an API token": lazy_gettext("an API token"),
    "Protected details changed (not shown).": lazy_gettext("Protected details changed (not shown)."),
}


def _who(who: str) -> str:
    """Who made a version, in the page's language (a token's name stays as it is)."""
    if who.endswith(" (API token)"):
        return gettext("%(name)s (API token)", name=who.removesuffix(" (API token)"))
    return str(_WORDS.get(who, who))
