"""What every export writes: organisations with protected fields removed when asked."""

from __future__ import annotations

from collections.abc import Iterator

from network.graph.store import GraphStore
from network.model import Organisation
from network.redaction import redact_organisation

__all__ = ["exported_organisations"]


def exported_organisations(store: GraphStore, *, hide_protected: bool) -> Iterator[Organisation]:
    """Every organisation, ordered by id; with ``hide_protected``, sensitive ones without their protected fields."""
    for organisation in store.iter_organisations():
        yield redact_organisation(organisation, hide=hide_protected)
