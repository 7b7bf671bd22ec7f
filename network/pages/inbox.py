"""The referral inbox of a receiving organisation: what was sent to it, and the next step of each.

A referrer sees its own organisation's inbox; an admin names one
(``?organisation=``). Each step (arrived, taken on, turned away with a
reason, service given, lost to follow-up) is saved through
``/api/v1/referrals/<code>/status`` from the phone's queue (``queue.js``),
so the inbox, which the service worker keeps, works without signal too.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext

from network.api.state import get_store
from network.referrals import NEXT_STATUSES, referral_vocabulary
from network.service import referrals

from .blueprint import bp, error_page
from .common import hide, names
from .referral_send import acting

__all__ = ["referral_inbox"]


@bp.get("/referrals/inbox")
def referral_inbox() -> Any:
    """Referrals sent to the caller's organisation (an admin: to ``?organisation=``), newest first."""
    who = acting()
    if not (who.is_admin or who.role == "referrer"):
        return error_page(gettext("Sign in with your organisation's referral token to see the referrals sent to it."),
                          403)
    shown = names(hide())
    organisation = who.organisation if not who.is_admin else (request.args.get("organisation") or None)
    rows: list[dict[str, Any]] = []
    if organisation:
        page = referrals.list_referrals(get_store(), acting=who, direction="received", organisation=organisation,
                                        limit=100)
        rows = [_row(r, shown) for r in page.items]
    words = referral_vocabulary()
    return render_template("referral_inbox.html", organisation=organisation,
                           organisation_name=shown.get(organisation or "", organisation), rows=rows,
                           organisations=sorted(shown.items(), key=lambda kv: kv[1].casefold()) if who.is_admin
                           else [], reasons=words.decline_reasons, admin=who.is_admin,
                           api=url_for("referrals.Referrals"))


def _row(referral: Any, shown: dict[str, str]) -> dict[str, Any]:
    """A referral as the inbox lists it: names for ids; needs, population, statuses and reasons stay codes the
    template labels in the page's language."""
    return {"code": referral.code, "from": shown.get(referral.source, referral.source), "created": referral.created,
            "needs": referral.needs, "population": referral.population or "", "status": referral.status,
            "history": [(step.on, step.status, step.reason or "") for step in referral.history],
            "next": list(NEXT_STATUSES.get(referral.status, ()))}
