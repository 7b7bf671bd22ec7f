"""The partner's page, opened by an invitation link: its own record and ties in plain words, and one form to
confirm, correct, end ties and propose a tie. Sending the form uses the invitation up."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from network.api.state import get_store
from network.errors import InvalidData
from network.model import vocabulary
from network.schemas import problem_lines
from network.service import invitations, review
from network.service.freshness import is_stale
from network.service.partner_view import partner_view

from .blueprint import bp
from .forms import FIELD_WORDS, KIND_WORDS, read_fields, shown, widget, worded
from .labels import label, labelled

__all__ = ["invitation_page", "CORRECTABLE"]

#: The fields the partner's form offers to correct, in order.
CORRECTABLE = ["name", "phone", "email", "website", "municipality", "services", "populations",
               "capacity_per_month", "languages", "description"]


@bp.route("/invite/<secret>", methods=["GET", "POST"])
def invitation_page(secret: str) -> tuple[str, int]:
    """Show the invited organisation its record and ties; on sending, queue its changes (422: the form again,
    with every problem named, nothing queued)."""
    store = get_store()
    invitation = invitations.open_invitation(store, secret, purpose="verify")
    view = partner_view(store, invitation)
    problems: list[str] = []
    if request.method == "POST":
        try:
            made = review.submit(store, invitation, _submission(view))
        except InvalidData as err:
            problems = [worded(line) for line in problem_lines(err.errors)] or [err.message]
        else:
            return render_template("invitation_sent.html", org=view["organisation"], made=made,
                                   kinds=KIND_WORDS), 200
    return _page(view, problems), 422 if problems else 200


def _submission(view: dict[str, Any]) -> dict[str, Any]:
    form = request.form
    ties = {t["id"] for t in view["ties"]}
    data: dict[str, Any] = {
        "confirm": form.get("confirm") == "true",
        "corrections": read_fields(form, "c_", CORRECTABLE),
        "ended_ties": [{"link": link_id} for link_id in form.getlist("end") if link_id in ties],
        "new_ties": [],
    }
    if form.get("new_other"):
        service = form.get("new_service")
        data["new_ties"].append({"other": form["new_other"], "kind": form.get("new_kind", ""),
                                 "direction": form.get("new_direction", "from"),
                                 "services": [service] if service else [], "notes": form.get("new_notes", "")})
    return data


def _page(view: dict[str, Any], problems: list[str]) -> str:
    org = view["organisation"]
    voc = vocabulary()
    fields = [{"name": name, "label": FIELD_WORDS[name], "widget": widget(name), "value": shown(name, org.get(name)),
               "codes": org.get(name) or []} for name in CORRECTABLE]
    return render_template(
        "invitation.html", view=view, org=org, fields=fields, problems=problems,
        stale=is_stale(org.get("last_verified")),
        services=labelled(voc.services, "services"), populations=labelled(voc.populations, "populations"),
        link_kinds=[(code, label(code, "link_kinds")) for code in voc.link_kinds],
        directed=voc.directed_link_kinds, kind_label=label(org["kind"], "organisation_kinds"))
