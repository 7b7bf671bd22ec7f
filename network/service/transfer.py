"""Transfer: import files, export the network, load the demo; every import audited in its own transaction."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from network.graph.store import GraphStore, UpsertResult
from network.io import formats
from network.io.csvfiles import check_csv_file, iter_csv_file, read_rows
from network.io.formats import EXPORT_FORMATS, IMPORT_FORMATS
from network.io.importer import import_stream
from network.io.referral_csv import read_referrals
from network.model import seed_dir
from network.translation import N_, translate

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

#: The progress bar's words for each file of an import.
_IMPORTING = {"organisations": N_("importing organisations"), "links": N_("importing links")}
#: Imports of more rows than this show a progress bar on standard error when asked to.
PROGRESS_THRESHOLD = 5000



def import_csv(store: GraphStore, organisations: str | Path | None, links: str | Path | None, *,
               actor: Actor = SYSTEM, progress: bool = False) -> UpsertResult:
    """Import ``organisations.csv`` and/or ``links.csv``: all or nothing, with its audit entry.

    Raises ``ImportRefused`` (with every row problem) and writes nothing when
    any row is bad. Each file is read through once before the write lock is
    taken (a file that is not CSV of its kind is refused then), and once more
    as its rows are checked and written a part at a time in the one
    transaction (``network.io.importer.import_stream``): a file of millions of
    rows never sits in memory whole.
    """
    files = {kind: path for kind, path in (("organisations", organisations), ("links", links)) if path}
    counts = {kind: check_csv_file(path, kind=kind) for kind, path in files.items()}
    with store.transaction(actor=actor.key):
        result = import_stream(store, *(_streamed(files.get(kind), kind, counts.get(kind, 0), progress)
                                        for kind in ("organisations", "links")),
                               organisations_file=Path(organisations).name if organisations else "organisations.csv",
                               links_file=Path(links).name if links else "links.csv")
        _audit_import(store, actor, "csv", [Path(p).name for p in files.values()], result)
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


def _load_csv(store: GraphStore, rows: tuple[Any, Any, str, str]) -> UpsertResult:
    org_rows, link_rows, organisations_file, links_file = rows
    return import_stream(store, org_rows, link_rows, organisations_file=organisations_file, links_file=links_file)


def _streamed(path: str | Path | None, kind: str, count: int, progress: bool) -> Iterable[tuple[int, Any]]:
    """The rows of a checked file read one at a time, with a progress bar on standard error when asked to."""
    if not path:
        return []
    rows = iter_csv_file(path, kind=kind)
    if not progress or count < PROGRESS_THRESHOLD:
        return rows
    return tqdm(rows, total=count, desc=translate(_IMPORTING[kind]), unit=" " + translate("rows"), file=sys.stderr,
                mininterval=0.5)


def _audit_import(store: GraphStore, actor: Actor, fmt: str, files: list[str], result: UpsertResult) -> None:
    audit.record(store, actor, "import", "network", fmt, {"files": files, "format": fmt, **asdict(result)})
