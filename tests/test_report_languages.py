"""The coordination report's Markdown and HTML and the programme report's text in the command line's language:
headings, table labels, finding types by their labels, severities and dates; English unchanged in substance.
Known answers on a small hand-built network in a real SQLite file (the one of tests/test_agenda_languages.py:
Hope CBO and Apel Clinic in Sekhukhune, their MoU ending on 1 December 2026) and on the demo's programme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation

AS_OF = "2026-11-23"
NEUTRAL = {"CSSNET_LANGUAGE": "", "LANGUAGE": "", "LC_ALL": "", "LANG": "C.UTF-8"}
#: The report's English headings and labels; none may show in Portuguese.
ENGLISH = ("Coordination report", "As of", "All provinces", "Summary", "Count", "Active organisations",
           "Links in force", "By province", "Structure", "Density", "Largest component", "Articulation points",
           "Most central organisations", "Centrality", "Measure", "Findings", "Recommended links", "No new link",
           "Services missing", "Agreements about", "**high**", ">high<", "see the CSV")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-languages") / "report.db"
    store = SQLiteStore(path)
    store.upsert(
        [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", district="Sekhukhune",
                      services=["tb_screening"], populations=["mineworkers"], capacity_per_month=40),
         Organisation("apel", "Apel Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                      services=["tb_screening", "tb_treatment", "tb_adherence_support", "tb_contact_tracing"])],
        [Link("m1", "hope", "apel", "mou", status="active", start_date=dt.date(2025, 1, 1),
              end_date=dt.date(2026, 12, 1))])
    store.close()
    return path


def run(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(db), *args], env=NEUTRAL, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def headings(markdown: str) -> list[str]:
    """The report's own lines: headings and table rows after the agenda, and its first two lines."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and i > 4 and "(" not in line)
    return lines[:3] + [line for line in lines[start:] if line.startswith(("#", "|")) and "| 0 | 0 |" not in line]


def test_report_markdown_in_portuguese(db: Path) -> None:
    shown = run(db, "--language", "pt", "report", "--as-of", AS_OF, "--format", "md").output
    assert headings(shown) == [
        "# Relatório de coordenação", "", "Em 23 de novembro de 2026 · Todas as províncias",
        "## Resumo", "|  | Número |", "| --- | --- |", "| Organizações ativas | 2 |", "| Ligações em vigor | 1 |",
        "| Constatações | 7 |", "| — Alta | 7 |", "| — Média | 0 |", "| — Baixa | 0 |",
        "| — Serviços em falta num distrito | 6 |", "| — Acordos prestes a terminar | 1 |",
        "## Por província",
        "| Província | Organizações | Ligações | Serviços em falta num distrito | Acordos prestes a terminar |",
        "| --- | --- | --- | --- | --- |", "| Limpopo | 2 | 1 | 6 | 1 |",
        "## Estrutura", "|  | Valor |", "| --- | --- |", "| Organizações | 2 |", "| Laços | 1 |",
        "| Densidade | 1.0000 |", "| Componentes | 1 |", "| Maior componente | 2 |", "| Comunidades | 1 |",
        "| Pontos de articulação | 0 |", "| Ligações-ponte | 1 |",
        "## Organizações mais centrais", "| Organização | Centralidade | Medida |", "| --- | --- | --- |",
        "| Apel Clinic | 1.000 | número de ligações |", "| Hope CBO | 1.000 | número de ligações |",
        "## Constatações", "### Serviços em falta num distrito (6)", "### Acordos prestes a terminar (1)",
        "## Ligações recomendadas"]
    assert "## Agenda (4 pontos)" in shown and "Nenhuma nova ligação fecharia uma lacuna." in shown
    assert ("- **alta** O memorando de entendimento entre Hope CBO e Apel Clinic termina a 1 de dezembro de 2026, "
            "daqui a 8 dias; renove-o ou combine o que o substitui.") in shown.splitlines()
    assert [word for word in ENGLISH if word in shown] == []


def test_report_html_in_french_loads_nothing(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run(db, "--language", "fr", "report", "--as-of", AS_OF, "--format", "html", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>Rapport de coordination · 23 novembre 2026</title>" in page
    assert '<h1>Rapport de coordination</h1><p class="meta">Au 23 novembre 2026 · Toutes les provinces</p>' in page
    for heading in ("<h2>Ordre du jour (4 points)</h2>", "<h2>Résumé</h2>", "<h2>Par province</h2>",
                    "<h2>Structure</h2>", "<h2>Organisations les plus centrales</h2>", "<h2>Constats</h2>",
                    "<h3>Services absents d’un district (6)</h3>", "<h3>Accords sur le point de prendre fin (1)</h3>",
                    "<h2>Liens recommandés</h2>", '<span class="high">élevée</span>',
                    "<th>Centralité</th><th>Mesure</th>"):
        assert heading in page, heading
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert "  ;" not in page, "a sentence is translated once"


def test_report_in_english_names_finding_types_by_their_labels(db: Path) -> None:
    shown = run(db, "report", "--as-of", AS_OF, "--format", "md").output
    assert headings(shown)[:4] == ["# Coordination report", "", "As of 23 November 2026 · All provinces",
                                   "## Summary"]
    assert "| — Services missing in a district | 6 |" in shown and "### Agreements about to end (1)" in shown
    assert "## Agenda (4 items)" in shown and "## Recommended links" in shown


@pytest.mark.parametrize("language, expected", [
    ("pt", ["Ubuntu Bojanala community TB programme (illustrative)",
            "3 subvenções a 3 sub-beneficiários; serviços cobertos: Sensibilização para o controlo de poeiras, "
            "Educação de pares, Rastreio da TB.", "Lacunas na sua área (6)"]),
    ("fr", ["Ubuntu Bojanala community TB programme (illustrative)",
            "3 subventions à 3 sous-bénéficiaires ; services couverts : Sensibilisation au contrôle des poussières, "
            "Éducation par les pairs, Dépistage de la TB.", "Lacunes dans sa zone (6)"]),
    ("en", ["Ubuntu Bojanala community TB programme (illustrative)",
            "3 grants to 3 sub-recipients; services covered: Dust control awareness, Peer education, TB screening.",
            "Gaps in its area (6)"]),
])
def test_programme_report_text_in_words(demo_path: Path, language: str, expected: list[str]) -> None:
    shown = run(demo_path, "--language", language, "programme", "ubuntu-bojanala-tb", "--as-of", AS_OF).output
    assert shown.splitlines()[:3] == expected
    assert "tb_screening" not in shown and "dust_control_awareness" not in shown
