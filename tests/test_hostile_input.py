"""Hostile input (issue 17): text the schemas refuse, values that must survive every format, files that
must not exhaust the server, and a demo whose free text gives no protected location away."""

from __future__ import annotations

import csv
from pathlib import Path

from network.model import vocabulary

DEMO = Path(__file__).resolve().parents[1] / "seed" / "demo"


def _place_names() -> set[str]:
    """Every municipality, district and town the demo or the vocabulary names."""
    vocab = vocabulary()
    with open(DEMO / "organisations.csv", encoding="utf-8", newline="") as fh:
        municipalities = {row["municipality"] for row in csv.DictReader(fh) if row["municipality"]}
    towns = {spot["name"].split()[0] for spot in vocab.hotspots}
    return municipalities | set(vocab.districts) | towns


def test_no_sensitive_demo_description_names_a_place() -> None:
    names = _place_names()
    with open(DEMO / "organisations.csv", encoding="utf-8", newline="") as fh:
        sensitive = [row for row in csv.DictReader(fh) if row["sensitive"] == "true"]
    assert len(sensitive) >= 10
    for row in sensitive:
        assert row["description"], row["id"]
        named = sorted(n for n in names | {row["municipality"], row["district"]} if n and n in row["description"])
        assert named == [], (row["id"], row["description"])
