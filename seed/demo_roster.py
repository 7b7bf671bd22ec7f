"""The demo's organisations: the roster file (``seed/roster/organisations.csv``), one row each."""

from __future__ import annotations

import csv
from pathlib import Path

from demo_network import Demo  # seed/demo_network.py, beside this script

ROSTER = Path(__file__).resolve().parent / "roster" / "organisations.csv"
#: Roster columns holding lists (``;`` between items; ``-`` for an empty list).
ROSTER_LISTS = ("services", "add", "drop", "populations", "aliases")
#: Roster columns that are not options of :meth:`Demo.org`.
ROSTER_OWN = ("name", "role", "district", "phone", "note")
#: The phone cell of consecutive organisations that share one number.
SHARED_PHONE = "shared"


def add_organisations(d: Demo, roster: Path = ROSTER) -> None:
    """Add the organisations of ``roster`` in its order (the order fixes every random draw).

    Each row gives :meth:`Demo.org` its ``name``, ``role`` (see ROLES) and
    ``district`` (empty: a regional or national body), and any option whose
    cell is filled: an empty cell takes the role's default. List cells join
    items with ``;``, and ``-`` stands for an empty list; ``sensitive`` is
    ``yes``, ``contacts`` ``no`` (invent no phone, email or website), an
    ``email`` of ``-`` means none. A ``phone`` of ``shared`` gives consecutive
    rows one new number, drawn before the first of them is placed. ``note``
    says why a row is as it is (the plants); the builder does not read it.
    """
    shared = None
    with open(roster, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            options = {column: _roster_cell(column, value) for column, value in row.items()
                       if value and column not in ROSTER_OWN}
            if row["phone"] == SHARED_PHONE:
                shared = shared or d._new_phone(row["district"])
                options["phone"] = shared
            else:
                shared = None
                if row["phone"]:
                    options["phone"] = row["phone"]
            d.org(row["name"], row["role"], row["district"] or None, **options)


def _roster_cell(column: str, value: str) -> object:
    if column in ROSTER_LISTS:
        return [] if value == "-" else value.split(";")
    return {("sensitive", "yes"): True, ("contacts", "no"): False, ("email", "-"): False}.get((column, value), value)


# ---------------------------------------------------------------------------
