"""The review queue page (editors and admins): each partner's proposed change in plain words, with the
record as it stands, to accept as sent, edit then accept, or reject."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from network.api.auth import caller
from network.api.state import get_store
from network.errors import Conflict, InvalidData, NotFound
from network.graph.partners import Proposal, ProposalQuery
from network.model import vocabulary
from network.schemas import dump_link, dump_organisation, problem_lines
from network.service import review

from .blueprint import bp, error_page
from .forms import FIELD_WORDS, KIND_WORDS, read_fields, shown, widget, worded
from .labels import label, labelled

__all__ = ["review_page", "accept_proposal", "reject_proposal"]

#: Fields of a new tie the page shows (the rest are set by the partner's page itself).
_NEW_TIE_SHOWN = ("kind", "services", "start_date", "formal", "notes")


@bp.get("/review")
def review_page() -> tuple[str, int]:
    """Pending proposals, oldest first, and the last decisions."""
    if not caller().at_least("editor"):
        return error_page(gettext("Sign in as an editor to review partners' changes."), 403)
    store = get_store()
    names = {o.id: o.name for o in store.iter_organisations()}
    pending = review.queue(store, ProposalQuery(status="pending", limit=200))
    decided = [p for status in ("accepted", "rejected")
               for p in review.queue(store, ProposalQuery(status=status, limit=None)).items]
    decided.sort(key=lambda p: p.decided_at or p.submitted_at, reverse=True)
    voc, trusted = vocabulary(), review.trusted(store)
    return render_template(
        "review.html", cards=[_card(store, p, names) for p in pending.items], total=pending.total,
        decided=decided[:20], names=names, kinds=KIND_WORDS, trusted=trusted,
        trusted_names=", ".join(names.get(o, o) for o in trusted),
        services=labelled(voc.services, "services"), populations=labelled(voc.populations, "populations"),
        link_kinds=[(code, label(code, "link_kinds")) for code in voc.link_kinds]), 200


@bp.post("/review/<proposal_id>/accept")
def accept_proposal(proposal_id: str) -> Response | tuple[str, int]:
    """Accept a proposal with the coordinator's edits (only fields that differ from what was proposed)."""
    if not caller().at_least("editor"):
        return error_page(gettext("Sign in as an editor to review partners' changes."), 403)
    store = get_store()
    found = review.proposal(store, proposal_id)
    names = [n for n in _editable(found)]
    given = read_fields(request.form, "e_", names)
    edits = {k: v for k, v in given.items() if v != found.changes.get(k) and not (v in (None, "", [])
                                                                                  and k not in found.changes)}
    try:
        review.accept(store, proposal_id, actor=caller().actor, edits=edits, note=request.form.get("note", ""))
    except InvalidData as err:
        why = "; ".join([worded(line) for line in problem_lines(err.errors)] or [err.message])
        flash(gettext("Not accepted: %(why)s", why=why), "error")
    except (NotFound, Conflict) as err:
        flash(gettext("Not accepted: %(why)s", why=err.message), "error")
    else:
        what = str(KIND_WORDS[found.kind]).lower()
        done = (gettext("Accepted: %(what)s (edited).", what=what) if edits
                else gettext("Accepted: %(what)s.", what=what))
        flash(done, "ok")
    return redirect(url_for("pages.review_page"))


@bp.post("/review/<proposal_id>/reject")
def reject_proposal(proposal_id: str) -> Response | tuple[str, int]:
    """Reject a proposal; nothing but the decision is written."""
    if not caller().at_least("editor"):
        return error_page(gettext("Sign in as an editor to review partners' changes."), 403)
    found = review.reject(get_store(), proposal_id, actor=caller().actor, note=request.form.get("note", ""))
    flash(gettext("Rejected: %(what)s.", what=str(KIND_WORDS[found.kind]).lower()), "ok")
    return redirect(url_for("pages.review_page"))


def _editable(found: Proposal) -> list[str]:
    if found.kind == "new_tie":
        return list(_NEW_TIE_SHOWN)
    return [n for n in review.EDITABLE[found.kind] if n in found.changes]


def _card(store: Any, found: Proposal, names: dict[str, str]) -> dict[str, Any]:
    """What the page shows of one proposal: each field as it stands and as proposed."""
    current: dict[str, Any] = {}
    gone = False
    if found.kind != "new_tie":
        try:
            current = dump_organisation(store.get_organisation(found.entity_id)) if found.entity == "organisation" \
                else dump_link(store.get_link(found.entity_id))
        except NotFound:
            gone = True
    rows = [{"name": n, "label": FIELD_WORDS.get(n, n), "widget": widget(n), "now": current.get(n),
             "proposed": found.changes.get(n), "value": shown(n, found.changes.get(n)),
             "codes": found.changes.get(n) or []} for n in _editable(found)]
    tie = found.changes if found.kind == "new_tie" else (current if found.entity == "link" and current else None)
    ends = (names.get(tie["source"], tie["source"]), names.get(tie["target"], tie["target"])) if tie else None
    return {"p": found, "org": names.get(found.organisation, found.organisation), "rows": rows, "ends": ends,
            "tie_kind": tie.get("kind") if tie else None, "gone": gone}
