"""Helpers for tests that drive the app only from outside: its factory, HTTP, its URL map and OpenAPI document.

The leak walk and the write fuzz use nothing of the app's inside but
``create_app`` (through ``tests.api_support.make_env``) and the waitress
helpers, so moving modules behind the API does not move these tests.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import selectors
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

DEMO_DIR = Path(__file__).resolve().parents[1] / "seed" / "demo"

#: Methods every Flask rule answers by itself.
_IMPLICIT_METHODS = {"HEAD", "OPTIONS"}

#: The fields that anonymous and viewer callers never see of a sensitive organisation (DESIGN.md "Auth",
#: issue 17: free text and external ids included).
PROTECTED = ("latitude", "longitude", "municipality", "phone", "email", "website", "description", "external_ids")


def route_key(rule: str) -> str:
    """A Flask rule written as an OpenAPI path: ``/links/<string:link_id>`` -> ``/links/{link_id}``.

    >>> route_key("/assets/<path:filename>")
    '/assets/{filename}'
    """
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def routes(app: Flask) -> dict[str, set[str]]:
    """Every route of ``app`` (as :func:`route_key`) and the methods it answers, HEAD and OPTIONS left out."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(route_key(rule.rule), set()).update(set(rule.methods or ()) - _IMPLICIT_METHODS)
    return found


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header row."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` (all with the same keys) as a CSV file with a header row; return ``path``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def is_sensitive(row: dict[str, str]) -> bool:
    """True if a CSV organisation row is marked sensitive."""
    return row.get("sensitive", "").strip().lower() in ("true", "1", "yes", "y")


def external_id_values(cell: str) -> list[str]:
    """The values of an ``external_ids`` cell (``key=value;key=value``).

    >>> external_id_values("npo=129-695 NPO;dhis2=ab1")
    ['129-695 NPO', 'ab1']
    """
    return [part.split("=", 1)[1].strip() for part in cell.split(";") if "=" in part and part.split("=", 1)[1].strip()]


#: The columns of the first CSV import format, before optional columns (two_way, programme, grant_ref, ...) came.
FIRST_ORGANISATION_COLUMNS = ("id,name,kind,province,district,municipality,latitude,longitude,services,populations,"
                              "status,sensitive,aliases,phone,email,website,capacity_per_month,description")
FIRST_LINK_COLUMNS = "id,source,target,kind,services,status,start_date,end_date,weight,formal,notes"


def first_format_files(organisations: list[tuple[str, str, str]], links: list[str],
                       link_columns: str = FIRST_LINK_COLUMNS) -> dict[str, bytes]:
    """``organisations.csv`` and ``links.csv`` in the first import format, for ``import_bytes``.

    ``organisations`` are ``(id, name, kind)``, active and not sensitive, nothing else filled; ``links`` are
    the rows of ``links.csv`` under ``link_columns``.

    >>> first_format_files([("a", "Hope CBO", "cbo")], [])["organisations.csv"].decode().splitlines()[1]
    'a,Hope CBO,cbo,,,,,,,,active,false,,,,,,'
    """
    rows = [f"{org_id},{name},{kind},,,,,,,,active,false,,,,,," for org_id, name, kind in organisations]
    return {"organisations.csv": "\n".join([FIRST_ORGANISATION_COLUMNS, *rows, ""]).encode(),
            "links.csv": "\n".join([link_columns, *links, ""]).encode()}


def csv_import_form(organisations: bytes | None, links: bytes | None) -> dict[str, Any]:
    """The multipart form of a CSV import through ``POST /api/v1/import``, for Flask's test client."""
    form: dict[str, Any] = {"format": "csv"}
    if organisations is not None:
        form["organisations"] = (io.BytesIO(organisations), "organisations.csv")
    if links is not None:
        form["links"] = (io.BytesIO(links), "links.csv")
    return form


def zip_members(data: bytes) -> dict[str, bytes]:
    """Every member of a zip (csv and hsds bundles, xlsx workbooks), nested zips unpacked; ``{}`` if not a zip."""
    if not data.startswith(b"PK"):
        return {}
    members: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        for name in bundle.namelist():
            content = bundle.read(name)
            members[name] = content
            members.update({f"{name}/{inner}": value for inner, value in zip_members(content).items()})
    return members


def _unescape_json(text: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text).replace("\\/", "/")


def readable_text(data: bytes, headers: dict[str, str] | None = None) -> str:
    r"""What a body says, lower-cased: the text, every zip member's text, HTML/XML and JSON escapes undone.

    >>> "men's" in readable_text(b'{"a": "Men\\u0027s"}') and "a & b" in readable_text(b"<p>A &amp; B</p>")
    True
    """
    parts = [data.decode("utf-8", errors="replace")]
    parts += [content.decode("utf-8", errors="replace") for content in zip_members(data).values()]
    if headers:
        parts += [f"{k}: {v}" for k, v in headers.items()]
    return _unescape_json(html.unescape("\n".join(parts))).lower()


@contextmanager
def live_server(app: Flask, threads: int = 4) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port while the block runs; yields its base URL."""
    from network.api.serve import serving_in_thread

    with serving_in_thread(app, threads=threads) as url:
        yield url


#: Debian's Chromium, headless, with nothing reaching out to the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under playwright while the block runs (the test fails when it is not installed)."""
    import pytest

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian 'chromium' is not installed (apt-get install chromium); the browser tests need it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def stop(process: Any, timeout_s: float) -> None:
    """Stop a server process started in a session of its own with SIGTERM, as Ctrl-C would; the test fails
    (after its process group is killed) when it has not stopped within ``timeout_s``."""
    import pytest

    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail("the server did not stop on SIGTERM")


def serving(process: Any, timeout_s: float) -> tuple[str, list[str]]:
    """Read a ``cssnet serve`` process's output until it says where it serves: its base URL and the lines
    before (the test fails if it has not said so within ``timeout_s``)."""
    import pytest

    line, seen = line_of(process, lambda text: text.startswith("serving on http://"), timeout_s)
    if line is None:
        pytest.fail(f"the server did not start: {''.join(seen)!r}")
    return line.split()[2].rstrip("/"), seen


def line_of(process: Any, wanted: Callable[[str], bool], timeout_s: float) -> tuple[str | None, list[str]]:
    """Read ``process``'s output until a line is ``wanted`` or ``timeout_s`` pass: that line (None if none came)
    and the lines before it."""
    assert process.stdout is not None
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
            line = process.stdout.readline()
            if not line:
                break
            if wanted(line):
                return line, seen
            seen.append(line)
    return None, seen
