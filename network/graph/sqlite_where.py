"""WHERE clauses every SQLite table's list query starts from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["equal_clauses", "period_clauses"]


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


def period_clauses(clauses: list[str], params: list[Any], column: str, since: Any, until: Any) -> None:
    """Add ``column >= ?`` and ``column <= ?`` for the ends of a period that are given (dates, as ISO text).

    >>> import datetime as dt
    >>> clauses, params = ["1 = 1"], []
    >>> period_clauses(clauses, params, "created", dt.date(2026, 1, 1), None)
    >>> clauses, params
    (['1 = 1', 'created >= ?'], ['2026-01-01'])
    """
    for operator, day in ((">=", since), ("<=", until)):
        if day is not None:
            clauses.append(f"{column} {operator} ?")
            params.append(day.isoformat())
