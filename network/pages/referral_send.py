"""Sending a referral from a pathway result, and its printable slip (phone width, plain words).

A referrer sends from its own organisation; an admin from any. The slip
shows the referral code, where to go, the provider's address and how to
reach it when the caller may see them (a sensitive organisation's location
and contacts never reach anonymous, viewer or referrer callers: the slip then
says to ask the sender for directions), and what to bring. Nothing about the
client is asked or shown.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response

from network.api.auth import caller
from network.api.state import get_store
from network.errors import CssnetError
from network.model import vocabulary
from network.service import records, referrals

from .blueprint import bp, error_page
from .common import hide, names
from .labels import label, labelled

__all__ = ["send_referral_page", "referral_slip", "acting"]

#: What every client brings, whatever the need.
BRING = (lazy_gettext("This slip with the referral code."),
         lazy_gettext("Any clinic card, test results or letters you already have."),
         lazy_gettext("An ID or passport if you have one. You should be helped without one too: if you are turned "
                      "away, tell the organisation that sent you."))


def acting() -> referrals.Acting:
    """The caller as the referral service knows it."""
    who = caller()
    return referrals.Acting(who.role, who.organisation)


@bp.route("/referrals/send", methods=["GET", "POST"])
def send_referral_page() -> Any:
    """Send a referral to a provider (referrers from their own organisation, admins from any)."""
    who = acting()
    if not (who.is_admin or who.role == "referrer"):
        return error_page(gettext("Sign in with your organisation's referral token to send referrals."), 403)
    values = request.form if request.method == "POST" else request.args
    chosen = {"source": who.organisation if not who.is_admin else values.get("from", ""),
              "target": values.get("to", ""), "link": values.get("link", ""),
              "population": values.get("population", ""), "needs": [n for n in values.getlist("need") if n]}
    problems: list[str] = []
    if request.method == "POST":
        body = {"target": chosen["target"], "needs": chosen["needs"], "population": chosen["population"] or None,
                "link": chosen["link"] or None, **({"source": chosen["source"]} if who.is_admin else {})}
        try:
            sent = referrals.send_referral(get_store(), body, acting=who, actor=caller().actor)
        except CssnetError as err:
            problems.append(err.message)
        else:
            return redirect(url_for("pages.referral_slip", code=sent.code))
    shown = names(hide())
    vocab = vocabulary()
    return render_template("referral_send.html", chosen=chosen, problems=problems, names=shown,
                           organisations=sorted(shown.items(), key=lambda kv: kv[1].casefold()),
                           services=labelled(vocab.services, "services"),
                           populations=labelled(vocab.populations, "populations"),
                           admin=who.is_admin), 422 if problems else 200


@bp.get("/referrals/slip/<code>")
def referral_slip(code: str) -> Response | tuple[str, int] | str:
    """The printable slip of referral ``code``, for its two organisations and admins."""
    store = get_store()
    referral = referrals.read_referral(store, code, acting=acting())
    hidden = hide()
    provider = records.organisation(store, referral.target, redacted=hidden)
    shown = names(hidden)
    return render_template("referral_slip.html", referral=referral, provider=provider,
                           protected=hidden and provider.sensitive, sender=shown.get(referral.source, referral.source),
                           needs=[label(n, "services") for n in referral.needs],
                           status=label(referral.status, "referral_statuses"), bring=BRING)
