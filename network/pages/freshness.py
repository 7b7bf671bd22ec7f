"""Freshness on the pages: when each record was last verified and by whom, and the list of stale records (never
verified, or not within the upkeep rule's 12 months) with an invitation for each organisation (admins)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext

from network.api.auth import caller
from network.api.state import get_store
from network.graph.store import LinkQuery, OrganisationQuery
from network.service import invitations
from network.service.freshness import MAX_AGE_DAYS, is_stale, stale_cutoff

from .blueprint import bp, error_page
from .labels import long_date

__all__ = ["verified", "stale_page", "invite_partner"]


def verified(record: dict[str, Any]) -> str:
    """When and by whom a record (as dumped) was last verified, in words.

    >>> verified({"last_verified": "2026-03-01", "verified_by": "Hope CBO"}), verified({})
    ('1 March 2026 by Hope CBO', 'never')
    """
    if not record.get("last_verified"):
        return gettext("never")
    if record.get("verified_by"):
        return gettext("%(day)s by %(who)s", day=long_date(record["last_verified"]), who=record["verified_by"])
    return long_date(record["last_verified"])


bp.add_app_template_filter(verified, "verified")
bp.add_app_template_filter(lambda day: is_stale(day), "is_stale")


@bp.get("/stale")
def stale_page() -> str:
    """Organisations and links nobody has verified in 12 months (or ever), oldest first."""
    store, cutoff = get_store(), stale_cutoff()
    names = {o.id: o.name for o in store.iter_organisations()}
    orgs = store.list_organisations(OrganisationQuery(verified_before=cutoff, limit=None)).items
    links = store.list_links(LinkQuery(verified_before=cutoff, limit=None)).items
    orgs.sort(key=lambda o: (o.last_verified is not None, o.last_verified or 0, o.name))
    links.sort(key=lambda x: (x.last_verified is not None, x.last_verified or 0, x.id))
    return render_template("stale.html", orgs=orgs, links=links, names=names, days=MAX_AGE_DAYS,
                           cutoff=cutoff, admin=caller().at_least("admin"))


@bp.post("/stale/invite/<path:org_id>")
def invite_partner(org_id: str) -> tuple[str, int]:
    """Invite one organisation to check its record (admins): the page shows the one-time link once."""
    if not caller().at_least("admin"):
        return error_page(gettext("Sign in as an admin to invite partners."), 403)
    store = get_store()
    invitation, secret = invitations.create_invitation(store, org_id, actor=caller().actor)
    return render_template("invited.html", org=store.get_organisation(org_id), invitation=invitation,
                           secret=secret), 201
