"""Transfer: import files, export the network, load the demo; every import audited in its own transaction."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from network.graph.store import GraphStore, UpsertResult
from network.io import formats
from network.io.csvfiles import read_rows
from network.io.formats import EXPORT_FORMATS, IMPORT_FORMATS
from network.io.importer import import_batch, known_organisation_ids, validate_rows
from network.io.referral_csv import read_referrals
from network.model import seed_dir

from . import audit, monitoring, referrals, surveys
from .audit import SYSTEM, Actor

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "PROGRESS_THRESHOLD",
    "import_csv",
    "import_path",
    "import_bytes",
    "export_bytes",
    "export_to_folder",
    "seed_demo",
    "demo_files",
]

#: Imports of more rows than this show a progress bar on standard error when asked to.
PROGRESS_THRESHOLD = 5000

T = TypeVar("T")


def import_csv(store: GraphStore, organisations: str | Path | None, links: str | Path | None, *,
               actor: Actor = SYSTEM, progress: bool = False) -> UpsertResult:
    """Import ``organisations.csv`` and/or ``links.csv``: all or nothing, with its audit entry.

    Raises ``ImportRefused`` (with every row problem) and writes nothing when
    any row is bad.
    """
    rows = _read_csv(organisations, links)
    with store.transaction(actor=actor.key):
        result = _load_csv(store, rows, progress=progress)
        _audit_import(store, actor, "csv", [Path(p).name for p in (organisations, links) if p], result)
    return result


def import_path(store: GraphStore, path: str | Path, *, actor: Actor = SYSTEM) -> UpsertResult:
    """Import one file (its format from its extension): all or nothing, with its audit entry."""
    with store.transaction(actor=actor.key):
        result = formats.import_path(store, path)
        _audit_import(store, actor, formats.format_of(path), [Path(path).name], result)
    return result


def import_bytes(store: GraphStore, fmt: str, files: dict[str, bytes], *, actor: Actor = SYSTEM) -> UpsertResult:
    """Import uploaded ``files`` (name -> content) in ``fmt``: all or nothing, with its audit entry."""
    with store.transaction(actor=actor.key):
        result = formats.import_bytes(store, fmt, files)
        _audit_import(store, actor, fmt, sorted(files), result)
    return result


def export_bytes(store: GraphStore, fmt: str, *, hide_protected: bool) -> tuple[bytes, str, str]:
    """The whole network in ``fmt``: ``(content, mimetype, filename)``; see ``EXPORT_FORMATS``."""
    return formats.export_bytes(store, fmt, hide_protected=hide_protected)


def export_to_folder(store: GraphStore, fmt: str, folder: Path, *, hide_protected: bool) -> list[Path]:
    """Write the network in ``fmt`` into ``folder``; returns the files written."""
    return list(formats.export_to_folder(store, fmt, folder, hide_protected=hide_protected))


def demo_files() -> tuple[Path, Path]:
    """The demo network's two CSV files."""
    folder = seed_dir() / "demo"
    return folder / "organisations.csv", folder / "links.csv"


def seed_demo(store: GraphStore, *, actor: Actor = SYSTEM, replace: bool = False) -> UpsertResult:
    """Load the illustrative demo network and its illustrative referrals into ``store`` (emptied first if
    ``replace``; referrals stored already stay), audited as one write."""
    rows = _read_csv(*demo_files())
    referral_file = seed_dir() / "demo" / "referrals.csv"
    made = read_referrals(referral_file) if referral_file.exists() else []
    with store.transaction(actor=actor.key):
        if replace:
            store.clear()
        result = _load_csv(store, rows)
        kept = demo_files()[0].parent / "monitoring.csv"  # illustrative monitoring reports (seed/demo_monitoring.py)
        reports = monitoring.import_reports_csv(store, kept, actor=actor) if kept.exists() else 0
        added = referrals.load_referrals(store, made, actor=actor, audited=False)  # seed/demo_referrals.py
        surveys.seed_demo_round(store, actor=actor)
        audit.record(store, actor, "seed", "network", "demo", {"replaced": replace, **asdict(result),
                                                               "monitoring_reports": reports,
                                                               "referrals_added": added})
    return result


def _read_csv(organisations: str | Path | None, links: str | Path | None) -> tuple[Any, Any, str, str]:
    """The rows of both files (read before the write lock is taken) and the names problems cite."""
    return (read_rows(organisations, kind="organisations") if organisations else [],
            read_rows(links, kind="links") if links else [],
            Path(organisations).name if organisations else "organisations.csv",
            Path(links).name if links else "links.csv")


def _load_csv(store: GraphStore, rows: tuple[Any, Any, str, str], *, progress: bool = False) -> UpsertResult:
    org_rows, link_rows, organisations_file, links_file = rows
    known = known_organisation_ids(store, (row for _, row in link_rows))
    batch = validate_rows(
        _progress(org_rows, progress, "checking organisations"),
        _progress(link_rows, progress, "checking links"),
        organisations_file=organisations_file,
        links_file=links_file,
        known=known,
    )
    return import_batch(store, batch)


def _audit_import(store: GraphStore, actor: Actor, fmt: str, files: list[str], result: UpsertResult) -> None:
    audit.record(store, actor, "import", "network", fmt, {"files": files, "format": fmt, **asdict(result)})


def _progress(items: list[T], show: bool, label: str) -> Iterable[T] | Iterator[T]:
    if not show or len(items) < PROGRESS_THRESHOLD:
        return items
    return tqdm(items, desc=label, unit=" rows", file=sys.stderr, mininterval=0.5)
