"""The service layer: what the CLI and the API both do, implemented once."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from network.graph.store import GraphStore, UpsertResult
from network.io.csvfiles import read_rows
from network.io.importer import import_batch, known_organisation_ids, validate_rows
from network.model import seed_dir

__all__ = ["import_csv", "seed_demo", "demo_files", "PROGRESS_THRESHOLD"]

#: Imports of more rows than this show a progress bar on standard error when asked to.
PROGRESS_THRESHOLD = 5000

T = TypeVar("T")


def import_csv(store: GraphStore, organisations: str | Path | None, links: str | Path | None, *,
               progress: bool = False) -> UpsertResult:
    """Import ``organisations.csv`` and/or ``links.csv``: all or nothing.

    Raises ``ImportRefused`` (with every row problem) and writes nothing when
    any row is bad.
    """
    org_rows = read_rows(organisations, kind="organisations") if organisations else []
    link_rows = read_rows(links, kind="links") if links else []
    known = known_organisation_ids(store, (row for _, row in link_rows))
    batch = validate_rows(
        _progress(org_rows, progress, "checking organisations"),
        _progress(link_rows, progress, "checking links"),
        organisations_file=Path(organisations).name if organisations else "organisations.csv",
        links_file=Path(links).name if links else "links.csv",
        known=known,
    )
    return import_batch(store, batch)


def demo_files() -> tuple[Path, Path]:
    """The demo network's two CSV files."""
    folder = seed_dir() / "demo"
    return folder / "organisations.csv", folder / "links.csv"


def seed_demo(store: GraphStore) -> UpsertResult:
    """Load the illustrative demo network into ``store``."""
    return import_csv(store, *demo_files())


def _progress(items: list[T], show: bool, label: str) -> Iterable[T] | Iterator[T]:
    if not show or len(items) < PROGRESS_THRESHOLD:
        return items
    return tqdm(items, desc=label, unit=" rows", file=sys.stderr, mininterval=0.5)


