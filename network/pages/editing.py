"""Signing in and out, and the editing forms (which save through the API and show its per-field messages)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext

from network.api.auth import caller, end_session, start_session
from network.api.state import get_store
from network.model import LINK_STATUSES, ORGANISATION_STATUSES, vocabulary
from network.schemas import dump_link, dump_organisation

from .blueprint import bp, error_page
from .labels import label, status_label
from .places import grouped_districts, grouped_provinces

__all__ = ["sign_in_page", "sign_out", "edit_organisation", "edit_link"]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page() -> Any:
    """Sign in with an API token; the session cookie then carries a session id (never the token)."""
    error = None
    if request.method == "POST":
        role = start_session(request.form.get("token", ""))
        if role is not None:
            session["csrf"] = secrets.token_urlsafe(24)
            flash(gettext("Signed in as %(role)s.", role=status_label(role)), "ok")
            return redirect(url_for("pages.dashboard"))
        error = gettext("That token is unknown or revoked.")
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
def sign_out() -> Response:
    """End the session: its id stops working, even in a copy of the cookie."""
    end_session()
    return redirect(url_for("pages.dashboard"))


@bp.get("/edit/organisation", defaults={"org_id": None})
@bp.get("/edit/organisation/<path:org_id>")
def edit_organisation(org_id: str | None) -> tuple[str, int]:
    """The organisation form (editors): saved through the API, which reports each bad field."""
    if not caller().at_least("editor"):
        return error_page(gettext("Sign in as an editor to edit organisations."), 403)
    org = dump_organisation(get_store().get_organisation(org_id)) if org_id else {"status": "active"}
    vocab = vocabulary()
    form = [
        _field("id", gettext("Id"), readonly=bool(org_id), hint=gettext("Letters, digits, '.', '_' or '-'.")),
        _field("name", gettext("Name")),
        _field("kind", gettext("Kind"), "select",
               options=[(code, label(code, "organisation_kinds")) for code in vocab.organisation_kinds]),
        _field("country", gettext("Country"), "select",
               options=[(code, label(code, "countries")) for code in vocab.countries]),
        _field("province", gettext("Province"), "select", options=grouped_provinces()),
        _field("district", gettext("District"), "select", options=grouped_districts()),
        _field("municipality", gettext("Municipality")),
        _field("latitude", gettext("Latitude"), kind="number"),
        _field("longitude", gettext("Longitude"), kind="number"),
        _field("services", gettext("Services"), kind="list", hint=gettext("Codes separated by ';'.")),
        _field("populations", gettext("Populations"), kind="list",
               hint=gettext("Codes separated by ';'. Empty: everyone.")),
        _field("intervention_areas", gettext("Intervention areas"), kind="list",
               hint=gettext("Codes separated by ';'.")),
        _field("aliases", gettext("Aliases"), kind="list"),
        _field("capacity_per_month", gettext("Capacity per month"), kind="integer"),
        _field("phone", gettext("Phone")), _field("email", gettext("Email")), _field("website", gettext("Website")),
        _field("status", gettext("Status"), "select", options=[(s, status_label(s)) for s in ORGANISATION_STATUSES]),
        _field("sensitive", gettext("Sensitive (hide location, contacts and description from the public)"),
               "checkbox", kind="bool"),
        _field("description", gettext("Description"), "textarea"),
    ]
    return _edit_page("organisation", org_id, org, form)


@bp.get("/edit/link", defaults={"link_id": None})
@bp.get("/edit/link/<path:link_id>")
def edit_link(link_id: str | None) -> tuple[str, int]:
    """The link form (editors): saved through the API, which reports each bad field."""
    if not caller().at_least("editor"):
        return error_page(gettext("Sign in as an editor to edit links."), 403)
    link = dump_link(get_store().get_link(link_id)) if link_id else {"status": "active", "weight": 3}
    vocab = vocabulary()
    form = [
        _field("id", gettext("Id"), readonly=bool(link_id)),
        _field("source", gettext("From organisation (id)")), _field("target", gettext("To organisation (id)")),
        _field("kind", gettext("Kind"), "select",
               options=[(code, label(code, "link_kinds")) for code in vocab.link_kinds]),
        _field("services", gettext("Services"), kind="list", hint=gettext("Codes separated by ';'.")),
        _field("data", gettext("Data shared (data sharing links)"), kind="list",
               hint=gettext("Codes separated by ';'.")),
        _field("intervention_areas", gettext("Intervention areas"), kind="list",
               hint=gettext("Codes separated by ';'.")),
        _field("status", gettext("Status"), "select", options=[(s, status_label(s)) for s in LINK_STATUSES]),
        _field("start_date", gettext("Start date"), hint="YYYY-MM-DD"),
        _field("end_date", gettext("End date"), hint="YYYY-MM-DD"),
        _field("weight", gettext("Strength (1-5)"), kind="integer"),
        _field("formal", gettext("Formal (signed document)"), "checkbox", kind="bool"),
        _field("document", gettext("Document")), _field("notes", gettext("Notes"), "textarea", kind="string"),
    ]
    return _edit_page("link", link_id, link, form)


def _edit_page(noun: str, record_id: str | None, values: dict[str, Any],
               form: list[dict[str, Any]]) -> tuple[str, int]:
    collection, one, key = ("organisations", "OrganisationById", "org_id") if noun == "organisation" else \
        ("links", "LinkById", "link_id")
    if record_id:
        api, method = url_for(f"{collection}.{one}", **{key: record_id}), "PUT"
    else:
        api, method = url_for(f"{collection}.{collection.capitalize()}"), "POST"
    shown = {k: ("; ".join(v) if isinstance(v, list) else v) for k, v in values.items() if v is not None}
    if noun == "organisation":
        heading = gettext("Edit organisation %(id)s", id=record_id) if record_id else gettext("New organisation")
    else:
        heading = gettext("Edit link %(id)s", id=record_id) if record_id else gettext("New link")
    return render_template("edit.html", heading=heading, fields=form, values=shown, version=values.get("version"),
                           api=api, method=method, noun=noun,
                           after=url_for("pages.organisation", org_id="")), 200


def _field(name: str, label: str, widget: str = "input", *, kind: str = "optional", readonly: bool = False,
           hint: str | None = None, options: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    return {"name": name, "label": label, "type": widget, "kind": kind, "readonly": readonly, "hint": hint,
            "options": options or []}
