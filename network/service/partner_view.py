"""What a partner sees through its invitation: its own record in full, its ties with the other organisation
named (never another organisation's protected fields), and the organisations it may propose a tie with."""

from __future__ import annotations

from typing import Any

from network.graph.partners import Invitation
from network.graph.store import GraphStore, LinkQuery
from network.model import vocabulary
from network.schemas import dump_link, dump_organisation

__all__ = ["partner_view"]


def partner_view(store: GraphStore, invitation: Invitation) -> dict[str, Any]:
    """The invited organisation's record, ties and choices, as JSON-ready data.

    ``ties`` lists each link with ``other`` (the other organisation's id),
    ``other_name`` and ``direction`` (``from``: this organisation is the
    source of a directed tie, ``to``: the target, ``both``: undirected).
    ``others`` names every other organisation by id and name only.
    """
    org = store.get_organisation(invitation.organisation)
    names = {o.id: o.name for o in store.iter_organisations()}
    directed = vocabulary().directed_link_kinds
    ties = []
    for link in store.list_links(LinkQuery(organisation=org.id, limit=None)).items:
        other = link.target if link.source == org.id else link.source
        direction = "both" if link.kind not in directed else ("from" if link.source == org.id else "to")
        ties.append({**dump_link(link), "other": other, "other_name": names.get(other, other),
                     "direction": direction})
    others = sorted(((i, n) for i, n in names.items() if i != org.id), key=lambda kv: kv[1].casefold())
    return {"organisation": dump_organisation(org), "ties": ties,
            "others": [{"id": i, "name": n} for i, n in others],
            "expires_at": invitation.expires_at.isoformat(), "purpose": invitation.purpose,
            "trusted": org.id in store.trusted_organisations()}
