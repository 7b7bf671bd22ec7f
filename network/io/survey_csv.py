"""Tie survey answers as a CSV file (paper forms typed in, the demo round): one answer per row.

Columns: ``respondent,partner,power,involvement,resources,reliability,mission,openness`` and, optionally,
``contributes`` (codes separated by ``;``) and ``answered_on`` (``YYYY-MM-DD``). Answers that are whole
numbers become numbers; anything else is passed on as written, for the schema to refuse by name.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from network.surveys import ITEMS

__all__ = ["read_answers", "read_round", "ANSWER_COLUMNS"]

#: The columns of an answers file, in order.
ANSWER_COLUMNS = ("respondent", "partner", *ITEMS, "contributes", "answered_on")


def read_answers(path: str | Path) -> list[dict[str, Any]]:
    """The rows of an answers file as answer dicts (blank optional cells left out).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> _ = open(p, "w").write("respondent,partner,power,involvement,resources,reliability,mission,openness,"
    ...                        "contributes\\na,b,4,3,2,1,2,x,funding;data\\n")
    >>> read_answers(p)[0]["power"], read_answers(p)[0]["openness"], read_answers(p)[0]["contributes"]
    (4, 'x', ['funding', 'data'])
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return [_answer(row) for row in csv.DictReader(fh)]


def read_round(path: str | Path) -> dict[str, Any]:
    """A survey round written as JSON (``id``, ``name``, ``opens``, ``closes``, ``invited``), its ``description``
    left out."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v for k, v in data.items() if k != "description"}


def _answer(row: dict[str, str | None]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for column, cell in row.items():
        text = (cell or "").strip()
        if column in ITEMS:
            answer[column] = int(text) if text.isdigit() else text
        elif column == "contributes":
            answer[column] = [c.strip() for c in text.split(";") if c.strip()]
        elif text:
            answer[str(column)] = text
    return answer
