"""Every export and import format behind one pair of functions, for the CLI and the API.

Exports: ``csv`` (a zip of organisations.csv and links.csv), ``xlsx``,
``graphml``, ``gexf``, ``json`` (node-link), ``geojson`` and ``hsds`` (an Open
Referral HSDS 3.0 data package). Imports: ``csv``, ``xlsx``, ``json`` and
``graphml`` -- the lossless formats. Every import is all or nothing: a bad
file raises ``ImportRefused`` listing each problem and the store is unchanged.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from network.graph.store import GraphStore, UpsertResult
from network.io.csvfiles import check_size, check_unpacked, csv_text, parse_csv
from network.io.geo import geojson_bytes
from network.io.graphfiles import gexf_bytes, graphml_bytes, node_link_bytes, read_graphml, read_node_link
from network.io.hsds import hsds_package
from network.io.importer import ImportRefused, RowProblem, import_rows
from network.io.xlsx import read_workbook, workbook_bytes
from network.translation import translate

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "ExportFormat",
    "export_bytes",
    "import_bytes",
    "export_to_folder",
    "import_path",
    "format_of",
]


@dataclass(frozen=True)
class ExportFormat:
    """How one format is written: its file name, media type and writer."""

    filename: str
    mimetype: str
    write: Callable[..., bytes]
    description: str


def _csv_zip(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for kind in ("organisations", "links"):
            bundle.writestr(f"{kind}.csv", csv_text(store, kind, hide_protected=hide_protected))
    return out.getvalue()


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(
        "cssnet-csv.zip", "application/zip", _csv_zip, "organisations.csv and links.csv in a zip"
    ),
    "xlsx": ExportFormat(
        "cssnet.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        workbook_bytes,
        "a workbook with the sheets organisations and links",
    ),
    "graphml": ExportFormat(
        "cssnet.graphml",
        "application/graphml+xml",
        graphml_bytes,
        "GraphML with every attribute (Gephi, yEd, Cytoscape)",
    ),
    "gexf": ExportFormat("cssnet.gexf", "application/gexf+xml", gexf_bytes, "GEXF 1.2 for Gephi"),
    "json": ExportFormat("cssnet.json", "application/json", node_link_bytes, "node-link JSON (NetworkX, D3)"),
    "geojson": ExportFormat(
        "cssnet-organisations.geojson",
        "application/geo+json",
        geojson_bytes,
        "organisations with coordinates as GeoJSON points (QGIS)",
    ),
    "hsds": ExportFormat(
        "cssnet-hsds.zip", "application/zip", hsds_package, "Open Referral HSDS 3.0 data package"
    ),
}

#: Formats that import back (and the file names or extensions each takes).
IMPORT_FORMATS: dict[str, str] = {
    "csv": "organisations.csv and/or links.csv (or a zip of them)",
    "xlsx": "one .xlsx workbook with the sheets organisations and links",
    "json": "one node-link .json file",
    "graphml": "one .graphml file",
}

_EXTENSIONS = {".csv": "csv", ".zip": "csv", ".xlsx": "xlsx", ".json": "json", ".graphml": "graphml"}


def export_bytes(store: GraphStore, fmt: str, *, hide_protected: bool) -> tuple[bytes, str, str]:
    """The whole network in ``fmt``: ``(content, mimetype, filename)``.

    With ``hide_protected``, sensitive organisations' protected fields are
    removed in every format. Raises ``ValueError`` for an unknown format.
    """
    spec = EXPORT_FORMATS.get(fmt)
    if spec is None:
        raise ValueError(translate("Unknown export format '%(format)s'; use one of %(formats)s.", format=fmt,
                                   formats=", ".join(EXPORT_FORMATS)))
    return spec.write(store, hide_protected=hide_protected), spec.mimetype, spec.filename


def import_bytes(store: GraphStore, fmt: str, files: dict[str, bytes]) -> UpsertResult:
    """Import uploaded ``files`` (name -> content) in ``fmt``: all or nothing.

    ``csv`` takes ``organisations.csv`` and/or ``links.csv`` (or one zip holding
    them); ``xlsx``, ``json`` and ``graphml`` take exactly one file. Raises
    ``ImportRefused`` with every problem, leaving the store unchanged.
    """
    if fmt not in IMPORT_FORMATS:
        raise ImportRefused(
            [RowProblem("-", 0, "format", translate("cannot import '%(format)s'; use one of %(formats)s.",
                                                    format=fmt, formats=", ".join(IMPORT_FORMATS)))]
        )
    for name, data in files.items():
        check_size(name, len(data))
    if fmt == "csv":
        return _import_csv(store, files)
    if len(files) != 1:
        raise ImportRefused(
            [RowProblem("-", 0, "files", translate("a %(format)s import takes exactly one file, got %(num)s.",
                                                   format=fmt, num=len(files)))]
        )
    ((name, data),) = files.items()
    if fmt == "xlsx":
        org_rows, link_rows = read_workbook(data, name=name)
        return import_rows(
            store, org_rows, link_rows, organisations_file=f"{name}:organisations", links_file=f"{name}:links"
        )
    if fmt == "graphml":
        org_rows, link_rows = read_graphml(data, name=name)
        return import_rows(
            store, org_rows, link_rows, organisations_file=f"{name}:nodes", links_file=f"{name}:edges"
        )
    org_rows, link_rows = read_node_link(data, name=name)
    return import_rows(
        store,
        org_rows,
        link_rows,
        organisations_file=f"{name}:nodes",
        links_file=f"{name}:links",
        to_data=dict,
    )


def export_to_folder(
    store: GraphStore, fmt: str, folder: str | Path, *, hide_protected: bool = False
) -> list[Path]:
    """Write ``fmt`` into ``folder``; ``csv`` writes the two files themselves, not a zip."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        paths = []
        for kind in ("organisations", "links"):
            path = folder / f"{kind}.csv"
            path.write_text(
                csv_text(store, kind, hide_protected=hide_protected), encoding="utf-8", newline=""
            )
            paths.append(path)
        return paths
    content, _, filename = export_bytes(store, fmt, hide_protected=hide_protected)
    path = folder / filename
    path.write_bytes(content)
    return [path]


def format_of(path: str | Path) -> str:
    """The import format a file name implies, or ``ImportRefused``."""
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ImportRefused(
            [
                RowProblem(
                    Path(path).name,
                    0,
                    "-",
                    translate("cannot tell the format from the extension; use %(extensions)s.",
                              extensions=", ".join(sorted(_EXTENSIONS))),
                )
            ]
        )
    return fmt


def import_path(store: GraphStore, path_or_paths: str | Path | Iterable[str | Path]) -> UpsertResult:
    """Import files from disk, choosing the format from the extension (all files must agree)."""
    paths = (
        [Path(path_or_paths)] if isinstance(path_or_paths, str | Path) else [Path(p) for p in path_or_paths]
    )
    formats = {format_of(p) for p in paths}
    if len(formats) != 1:
        raise ImportRefused(
            [
                RowProblem(
                    "-",
                    0,
                    "files",
                    translate("give files of one format at a time (got %(formats)s).",
                              formats=", ".join(sorted(formats)) or translate("none")),
                )
            ]
        )
    files: dict[str, bytes] = {}
    for path in paths:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            missing = translate("file not found: %(path)s", path=path)
            raise ImportRefused([RowProblem(path.name, 0, "-", missing)]) from None
        check_size(path.name, size)
        files[path.name] = path.read_bytes()
    return import_bytes(store, formats.pop(), files)


def _import_csv(store: GraphStore, files: dict[str, bytes]) -> UpsertResult:
    if len(files) == 1 and next(iter(files)).lower().endswith(".zip"):
        files = _unzip(*next(iter(files.items())))
    kinds: dict[str, tuple[str, bytes]] = {}
    for name, data in files.items():
        stem = Path(name).stem.lower()
        kind = (
            "organisations"
            if stem.startswith("organisation")
            else "links"
            if stem.startswith("link")
            else None
        )
        if kind is None or kind in kinds:
            raise ImportRefused(
                [
                    RowProblem(
                        name,
                        0,
                        "-",
                        translate("a CSV import takes one file named organisations*.csv and/or one named links*.csv."),
                    )
                ]
            )
        kinds[kind] = (name, data)
    if not kinds:
        raise ImportRefused(
            [RowProblem("-", 0, "files", translate("no file given: send organisations.csv and/or links.csv."))]
        )
    rows = {kind: parse_csv(data, name=name, kind=kind) for kind, (name, data) in kinds.items()}
    return import_rows(
        store,
        rows.get("organisations", []),
        rows.get("links", []),
        organisations_file=kinds.get("organisations", ("organisations.csv",))[0],
        links_file=kinds.get("links", ("links.csv",))[0],
    )


def _unzip(name: str, data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            members = [m for m in bundle.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()]
            check_unpacked(name, members)
            return {Path(m.filename).name: bundle.read(m) for m in members}
    except zipfile.BadZipFile as err:
        raise ImportRefused([RowProblem(name, 0, "-", translate("not a zip file: %(error)s", error=err))]) from None
