"""What every export writes: organisations with protected fields removed when asked."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from network.graph.store import GraphStore
from network.model import PROTECTED_FIELDS, Organisation

__all__ = ["exported_organisations", "hidden"]


def hidden(organisation: Organisation) -> Organisation:
    """A copy of a sensitive organisation without its protected fields (others are returned as they are).

    >>> hidden(Organisation("a", "A", "kp_network", phone="012 345 6789", sensitive=True)).phone is None
    True
    """
    if not organisation.sensitive:
        return organisation
    return dataclasses.replace(organisation, **dict.fromkeys(PROTECTED_FIELDS))


def exported_organisations(store: GraphStore, *, hide_protected: bool) -> Iterator[Organisation]:
    """Every organisation, ordered by id; with ``hide_protected``, each goes through :func:`hidden`."""
    for organisation in store.iter_organisations():
        yield hidden(organisation) if hide_protected else organisation
