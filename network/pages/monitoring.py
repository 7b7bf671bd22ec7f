"""The monitoring form (phone width, works offline) and the service worker that keeps it usable without signal.

The form saves through ``/api/v1/monitoring`` with an idempotency key per
report. Each report is first put in a queue on the phone (IndexedDB,
``web/static/queue.js``) and sent from there, now or when the connection
returns, so a report made without signal is sent once it can be — and only
once, because the server answers a key it holds with the stored report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Response, render_template, url_for
from flask_babel import gettext

from network.api.auth import caller
from network.api.state import get_store
from network.monitoring import NOTE_LIMIT, MonitoringQuery, monitoring_vocabulary
from network.service import monitoring

from .blueprint import bp, error_page
from .common import hide, names

__all__ = ["monitoring_form", "service_worker", "OFFLINE_PAGES"]

#: The line of ``sw.js`` that holds its answer for a page it did not keep (rewritten in the page's language).
_OFFLINE = re.compile(r'^var OFFLINE = ".*";$', re.MULTILINE)
#: The pages the service worker keeps for use without signal.
OFFLINE_PAGES = ("/monitoring", "/referrals/inbox")


@bp.get("/monitoring")
def monitoring_form() -> Any:
    """Record what a monitoring visit found at a facility (editors, or a token of the monitoring organisation)."""
    who = caller()
    if not (who.at_least("editor") or who.organisation):
        return error_page(gettext("Sign in as an editor, or with your monitoring organisation's token, to record "
                                  "monitoring reports."), 403)
    shown = names(hide())
    everyone = sorted(shown.items(), key=lambda kv: kv[1].casefold())
    monitors = everyone if who.at_least("editor") else [(who.organisation, shown.get(who.organisation,
                                                                                     who.organisation))]
    words = monitoring_vocabulary()
    query = MonitoringQuery(monitor=None if who.at_least("editor") else who.organisation, limit=20)
    recent = [_row(r, shown) for r in monitoring.reports(get_store(), query).items]
    return render_template("monitoring.html", monitors=monitors, facilities=everyone, barriers=words.barriers,
                           escalations=words.escalations, note_limit=NOTE_LIMIT, recent=recent,
                           api=url_for("monitoring.Reports"))


def _row(report: Any, shown: dict[str, str]) -> dict[str, Any]:
    """A report as the page lists it: names for ids; barriers and escalation stay codes the template labels."""
    return {"facility": shown.get(report.facility, report.facility), "facility_id": report.facility,
            "monitor": shown.get(report.monitor, report.monitor), "day": report.observed_on,
            "barriers": report.barriers, "note": report.note, "escalation": report.escalation}


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so that it may keep the offline pages; its offline answer
    is in the page's language."""
    offline = gettext("You are offline and this page was not kept on this phone.")
    script = (Path(bp.static_folder or "") / "sw.js").read_text(encoding="utf-8")
    response = Response(_OFFLINE.sub(lambda _: f"var OFFLINE = {json.dumps(offline)};", script, count=1),
                        mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
