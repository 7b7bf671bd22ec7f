"""What changed: between two dates, printable ("what changed since last quarter"), and the versions of one record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, render_template, request
from flask_babel import gettext, lazy_gettext

from network.analysis.changes import summary_lines
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
                           summary=summary_lines(data), print_css=(web_dir() / "static" / "print.css").exists())


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
