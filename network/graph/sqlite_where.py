"""WHERE clauses every SQLite table's list query starts from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["equal_clauses"]


def equal_clauses(query: Any, columns: Sequence[str]) -> tuple[list[str], list[Any]]:
    """A clause ``column = ?`` for each of ``columns`` the query sets, with its parameter.

    >>> from types import SimpleNamespace
    >>> equal_clauses(SimpleNamespace(kind="cbo", status=None), ("kind", "status"))
    (['1 = 1', 'kind = ?'], ['cbo'])
    """
    clauses, params = ["1 = 1"], []
    for column in columns:
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return clauses, params
