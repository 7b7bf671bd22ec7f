"""The command line speaks the language asked for with ``--language`` or found in the environment
(``CSSNET_LANGUAGE``, ``LANGUAGE``, ``LC_ALL``, ``LANG``), English otherwise, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.translation import current_language
from tests.api_support import network_file

DAY = (dt.date.today() - dt.timedelta(days=2)).isoformat()
#: An environment that names no language, so only what a test sets counts.
NEUTRAL = {"CSSNET_LANGUAGE": "", "LANGUAGE": "", "LC_ALL": "", "LANG": "C.UTF-8"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return network_file(tmp_path / "cli.db")


def run(db: Path, *args: str, **env: str):
    return CliRunner().invoke(cli, ["--store", str(db), *args], env={**NEUTRAL, **env}, catch_exceptions=False)


def test_language_option_speaks_french(db: Path) -> None:
    ready = run(db, "--language", "fr", "init")
    assert ready.exit_code == 0 and ready.output.startswith("stockage prêt : révision ")
    recorded = run(db, "--language", "fr", "monitoring", "record", "--monitor", "cbo-b", "--facility", "clinic-a",
                   "--date", DAY, "--barrier", "long_wait", "--escalation", "raised_with_district")
    assert recorded.exit_code == 0
    assert "clinic-a (par cbo-b)  Attente très longue  [Signalé au district]" in recorded.output
    assert "1 sur 1 rapport(s)" in run(db, "--language", "fr", "monitoring", "list").output
    assert current_language() == "en", "the command's language does not outlive it"


def test_environment_speaks_portuguese_and_refuses_in_it(db: Path) -> None:
    refused = run(db, "monitoring", "record", "--monitor", "cbo-b", "--facility", "cbo-b", "--date", DAY,
                  "--barrier", "gossip", CSSNET_LANGUAGE="pt")
    assert refused.exit_code == 1
    assert "erro: barriers.0: Código desconhecido para barreira: 'gossip'; use um de stockout" in refused.output
    listed = run(db, "monitoring", "list", LANG="pt_MZ.UTF-8")
    assert listed.exit_code == 0 and "0 de 0 relatório(s)" in listed.output
    usage = run(db, "import", LANGUAGE="de:pt", LANG="en_ZA.UTF-8")
    assert usage.exit_code == 2 and "Indique ORGANISATIONS.csv, LINKS.csv ou ambos." in usage.output


def test_without_a_language_the_command_line_speaks_english(db: Path) -> None:
    listed = run(db, "monitoring", "list")
    assert listed.exit_code == 0 and "0 of 0 report(s)" in listed.output
    assert run(db, "--language", "xx", "init").exit_code == 2, "an unknown language is a usage error"


def test_the_agenda_reads_in_portuguese_at_the_command_line(demo_path: Path) -> None:
    shown = run(demo_path, "--language", "pt", "agenda", "--limit", "5")
    assert shown.exit_code == 0
    assert "Renovar um acordo" in shown.output and "Renovar o memorando de entendimento entre " in shown.output
    assert "Renew " not in shown.output and "Resolve: " in shown.output
    as_json = run(demo_path, "--language", "pt", "agenda", "--limit", "5", "--format", "json")
    assert '"what": "Renew the MoU between ' in as_json.output, "JSON keeps the analysis's own words"
