"""The command line's last English words in Portuguese and French (issue 14): ``cssnet history`` around each
version, ``cssnet diff``'s Markdown, click's ``Aborted!`` and the refusals of an unknown store, export format or
history entity; each on a small real SQLite store, its English unchanged."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.io.formats import EXPORT_FORMATS, export_bytes
from network.model import Link
from network.translation import current_language, use_language
from tests.api_support import network_file, run_cli, small_network

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date.today()
#: An MoU of clinic-a and cbo-b that ended three days ago.
ENDED = TODAY - dt.timedelta(days=3)
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    orgs, links = small_network()
    old = Link("l-mou-old", "clinic-a", "cbo-b", "mou", start_date=ENDED - dt.timedelta(days=300), end_date=ENDED)
    return network_file(tmp_path / "last.db", (orgs, [*links, old]))


def _imported_at(db: Path) -> str:
    """When the test network was written, as the history text says it (UTC, to the second)."""
    stamp = json.loads(run_cli(db, "history", "cbo-b", "--format", "json").output)["organisation"][0]["valid_from"]
    return f"{dt.datetime.fromisoformat(stamp).astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def test_history_says_its_versions_in_portuguese_and_french(db: Path) -> None:
    at = _imported_at(db)
    pt = run_cli(db, "--language", "pt", "history", "cbo-b")
    assert pt.exit_code == 0
    assert pt.output == ("Organização cbo-b: 1 versão\n"
                         f"1. importado {at}, em vigor agora, autor: o sistema\n"
                         "   Importação: Sekhukhune Miners Support (organização de base comunitária).\n")
    fr = run_cli(db, "--language", "fr", "history", "cbo-b")
    assert fr.output.splitlines()[:2] == ["Organisation cbo-b : 1 version",
                                          f"1. importé {at}, en vigueur maintenant, par le système"]
    en = run_cli(db, "history", "cbo-b")
    assert en.output.splitlines()[:2] == ["Organisation cbo-b: 1 version",
                                          f"1. imported {at}, standing now, by the system"]


def test_diff_headings_counts_and_items_in_french(db: Path) -> None:
    since = (TODAY - dt.timedelta(days=10)).isoformat()
    ended = f"{ENDED.day} {FRENCH_MONTHS[ENDED.month - 1]} {ENDED.year}"
    fr = run_cli(db, "--language", "fr", "diff", "--from", since).output.splitlines()
    assert fr[0] == f"# Ce qui a changé du {since} au {TODAY.isoformat()}"
    assert fr[2:8] == ["- Ajoutés : 0 organisation et 0 lien.", "- Clos : 0 organisation et 0 lien.",
                       "- 1 accord a expiré.", "- 0 accord renouvelé.", "- 0 constat : apparues ; 1 résolues.",
                       "- 1 point de l’ordre du jour clos."]
    assert "## Expirés" in fr and "## Constats résolus" in fr and "## Points de l’ordre du jour clos" in fr
    assert (f"- Protocole d’accord entre Jane Furse Clinic et Sekhukhune Miners Support a expiré le {ended}."
            in fr)
    assert any(line.startswith("- Accord sur le point de prendre fin : L’accord entre Jane Furse Clinic")
               for line in fr)
    assert any(line.startswith("- Renouveler le protocole d’accord entre Jane Furse Clinic") for line in fr)
    en = run_cli(db, "diff", "--from", since).output.splitlines()
    assert en[0] == f"# What changed from {since} to {TODAY.isoformat()}"
    assert en[2:8] == ["- 0 organisations and 0 links added.", "- 0 organisations and 0 links closed.",
                       "- 1 agreement expired.", "- 0 agreements renewed.", "- 0 findings appeared and 1 resolved.",
                       "- 1 agenda item closed."]
    assert "## Expired" in en and "## Findings resolved" in en and "## Agenda items closed" in en
    assert any(line.startswith("- Agreement about to end: The MoU between Jane Furse Clinic") for line in en)


#: ``cssnet`` with Python's Ctrl+C handler (KeyboardInterrupt), whatever the handler it inherited.
_AT_A_TERMINAL = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                  "from network.cli import main; main()")


def _interrupted(db: Path, tmp_path: Path, *language: str) -> subprocess.CompletedProcess[str]:
    """``cssnet import`` of a named pipe, run as its own process and stopped with Ctrl+C (SIGINT) while it waits
    for the pipe's rows.

    Its own process, given Python's own Ctrl+C handler as at a terminal: a test run started in the background
    by a shell (``make test &``) inherits SIGINT ignored, Python keeps it ignored, and the command would read
    the pipe to its end instead of stopping.
    """
    pipe = tmp_path / "organisations.csv"
    os.mkfifo(pipe)
    env = {k: v for k, v in os.environ.items() if k not in ("CSSNET_LANGUAGE", "LANGUAGE", "LC_ALL")}
    command = subprocess.Popen([sys.executable, "-c", _AT_A_TERMINAL, "--store", str(db),
                                *language, "import", str(pipe)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})
    # should the command end before it opens the pipe, open the other end too, so that this open returns
    unblock = threading.Timer(60, lambda: os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)))
    unblock.start()
    try:
        with pipe.open("w"):  # returns once the import has opened the pipe to read it
            time.sleep(0.5)
            command.send_signal(signal.SIGINT)
            out, err = command.communicate(timeout=60)
    finally:
        unblock.cancel()
    return subprocess.CompletedProcess(command.args, command.returncode, out, err)


def test_a_stopped_command_says_aborted_in_portuguese(db: Path, tmp_path: Path) -> None:
    stopped = _interrupted(db, tmp_path, "--language", "pt")
    assert stopped.returncode == 1
    assert stopped.stderr == "\nInterrompido!\n"


def test_a_stopped_command_says_aborted_in_english_as_click_does(db: Path, tmp_path: Path) -> None:
    stopped = _interrupted(db, tmp_path)
    assert (stopped.returncode, stopped.stderr) == (1, "\nAborted!\n")
    assert "imported" not in stopped.stdout, "the import stopped before writing anything"


def test_an_unknown_store_is_refused_in_portuguese_not_with_a_traceback() -> None:
    pt = CliRunner().invoke(cli, ["--store", "foo://x", "--language", "pt", "stats"], catch_exceptions=False)
    assert pt.exit_code == 2
    assert pt.stderr.endswith("Erro: Valor inválido para '--store': Armazenamento desconhecido 'foo://x': use um "
                              "caminho de ficheiro, sqlite:///caminho, bolt:// ou neo4j://.\n")
    en = CliRunner().invoke(cli, ["--store", "foo://x", "stats"], catch_exceptions=False)
    assert en.exit_code == 2
    assert en.stderr.endswith("Error: Invalid value for '--store': Unknown store 'foo://x': use a file path, "
                              "sqlite:///path, bolt:// or neo4j://.\n")


def test_an_unknown_export_format_and_history_entity_are_refused_in_french(db: Path) -> None:
    store = SQLiteStore(db)
    before = current_language()
    use_language("fr")
    try:
        with pytest.raises(ValueError) as unknown_format:
            export_bytes(store, "pdf", hide_protected=True)
        with pytest.raises(ValueError) as unknown_entity:
            store.history("agenda", "clinic-a")  # type: ignore[arg-type]
    finally:
        use_language(before)
        store.close()
    assert str(unknown_format.value) == ("Format d’exportation inconnu « pdf » ; utilisez l’un de "
                                         f"{', '.join(EXPORT_FORMATS)}.")
    assert str(unknown_entity.value) == ("L’historique est tenu pour les organisations et les liens, pas pour "
                                         "« agenda ».")
    assert current_language() == "en"
