"""What the hostile-input tests share: minimal organisation and link bodies, and the formula-escape check."""

from __future__ import annotations

from network.io.cells import FORMULA_STARTS

ORG = {"id": "org-a", "name": "Org A", "kind": "cbo"}
LINK = {"id": "l1", "source": "org-a", "target": "org-b", "kind": "mou"}
#: An organisation name that stands for a value swapped in after export (entity expansion, hostile names).
PLACEHOLDER = "Placeholder Name"


def escaped(cell: str) -> bool:
    """True if ``cell`` cannot start a spreadsheet formula."""
    return cell[:1] not in FORMULA_STARTS
