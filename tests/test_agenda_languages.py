"""The agenda's documents (text, Markdown, HTML) in the caller's language: the command line's ``--language`` (or
its environment), the API's ``Accept-Language``; headings, labels, counts, dates and sentences, nothing English
left in Portuguese or French. Known answers on a small hand-built network in a real SQLite file.

The network: Hope CBO (Sekhukhune, TB screening for mineworkers, 40 people a month) and Apel Clinic (TB
screening, treatment, adherence support and contact tracing), tied by an MoU ending on 1 December 2026; on
23 November 2026 the agenda renews the MoU first (due in 8 days), then finds a provider of the six services
mineworkers lack in Sekhukhune, then asks each to confirm its records (never verified).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from network.analysis.agenda_text import scope_words
from network.api import close_store, create_app
from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.translation import current_language, use_language

AS_OF = "2026-11-23"
#: An environment that names no language, so only what a test sets counts.
NEUTRAL = {"CSSNET_LANGUAGE": "", "LANGUAGE": "", "LC_ALL": "", "LANG": "C.UTF-8"}
#: The English words of the agenda's documents (headings, labels, counts); none may show in another language.
ENGLISH = ("Coordination agenda", "As of", "Why:", "Score ", "Due by", "The whole network",
           "Nothing to act on", "… and", "finding it resolves", "findings it resolves", " items", "Renew",
           "Find a provider", "Verify records", " severity", " people a month", "should confirm", " for ")


def _network() -> tuple[list[Organisation], list[Link]]:
    orgs = [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", district="Sekhukhune",
                         services=["tb_screening"], populations=["mineworkers"], capacity_per_month=40),
            Organisation("apel", "Apel Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                         services=["tb_screening", "tb_treatment", "tb_adherence_support", "tb_contact_tracing"])]
    links = [Link("m1", "hope", "apel", "mou", status="active", start_date=dt.date(2025, 1, 1),
                  end_date=dt.date(2026, 12, 1))]
    return orgs, links


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agenda-languages") / "agenda.db"
    store = SQLiteStore(path)
    store.upsert(*_network())
    store.close()
    return path


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[Any]:
    app = create_app({"STORE": SQLiteStore(db), "TESTING": True})
    yield app.test_client()
    close_store(app)


def run(db: Path, *args: str, **env: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(db), *args], env={**NEUTRAL, **env}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def english_left(text: str, language: str = "pt") -> list[str]:
    """The English words of ``ENGLISH`` in ``text`` (French writes 'Score' too)."""
    return [word for word in ENGLISH if word in text and not (language == "fr" and word == "Score ")]


def test_cli_agenda_markdown_in_portuguese(db: Path) -> None:
    lines = run(db, "--language", "pt", "agenda", "--as-of", AS_OF, "--limit", "1", "--format", "md").output \
        .splitlines()
    assert lines[:9] == [
        "# Agenda de coordenação",
        "",
        "Em 23 de novembro de 2026 · A rede inteira",
        "",
        "## Agenda (1 ponto)",
        "",
        "### 1. Renovar um acordo",
        "",
        "**Renovar o memorando de entendimento entre Hope CBO e Apel Clinic antes de 1 de dezembro de 2026**",
    ]
    assert lines[10] == ("Porquê: Termina a 1 de dezembro de 2026. Resolve: 1 acordo prestes a terminar. Afeta 2 "
                         "organizações; população atendida: mineiros, cerca de 40 pessoas por mês.")
    # the score's figures follow the agenda's weights; its words and its due date are Portuguese
    assert lines[12].startswith("_Pontuação ")
    assert " por renovar um acordo, gravidade alta, 2 organizações " in lines[12]
    assert lines[12].endswith(" e 40 pessoas por mês; x1,96 porque o prazo é daqui a 8 dias_ · Até 1 de dezembro "
                              "de 2026")
    assert lines[14] == ("- O memorando de entendimento entre Hope CBO e Apel Clinic termina a 1 de dezembro de "
                         "2026, daqui a 8 dias; renove-o ou combine o que o substitui.")
    assert english_left("\n".join(lines)) == []


def test_cli_agenda_text_in_the_environment_s_language(db: Path) -> None:
    lines = run(db, "agenda", "--as-of", AS_OF, CSSNET_LANGUAGE="pt").output.splitlines()
    assert lines[0] == "Agenda de coordenação · 23 de novembro de 2026 · A rede inteira · 4 pontos"
    assert [line for line in lines if line[:1].isdigit()] == [
        "1. Renovar um acordo", "2. Encontrar um prestador", "3. Verificar registos", "4. Verificar registos"]
    assert "   Pedir a Apel Clinic que confirme o seu registo" in lines
    assert "   Até 1 de dezembro de 2026" in lines
    assert english_left("\n".join(lines)) == []
    assert current_language() == "en", "the command's language does not outlive it"


def test_every_agenda_document_in_portuguese_and_french_has_no_english_left(db: Path) -> None:
    for language in ("pt", "fr"):
        for fmt in ("text", "md", "html"):
            shown = run(db, "--language", language, "agenda", "--as-of", AS_OF, "--format", fmt).output
            assert english_left(shown, language) == [], (language, fmt)
            assert "2026-12-01" not in shown, "dates are written as the language writes them"


def test_api_agenda_markdown_in_french(client: Any) -> None:
    answer = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}&format=md&limit=2",
                        headers={"Accept-Language": "fr"})
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert answer.headers["Content-Language"] == "fr"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[:11] == [
        "# Ordre du jour de coordination",
        "",
        "Au 23 novembre 2026 · Tout le réseau",
        "",
        "## Ordre du jour (2 points)",
        "",
        "### 1. Renouveler un accord",
        "",
        "**Renouveler le protocole d’accord entre Hope CBO et Apel Clinic avant le 1 décembre 2026**",
        "",
        "Pourquoi : Il prend fin le 1 décembre 2026. Résout : 1 accord sur le point de prendre fin. Concerne 2 "
        "organisations ; population servie : mineurs, environ 40 personnes par mois.",
    ]
    assert lines[12].startswith("_Score ") and lines[12].endswith("_ · Avant le 1 décembre 2026")
    assert " et 40 personnes par mois ; x1,96 car l’échéance est dans 8 jours" in lines[12]
    assert "### 2. Trouver un prestataire" in lines and "- … et 1 de plus" in lines
    assert english_left("\n".join(lines), "fr") == []


def test_api_agenda_json_keeps_the_analysis_s_english(client: Any) -> None:
    body = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}&limit=1", headers={"Accept-Language": "fr"}).get_json()
    assert body["items"][0]["what"] == "Renew the MoU between Hope CBO and Apel Clinic before 1 December 2026"
    refused = client.get("/api/v1/analysis/agenda?format=pdf")
    assert refused.status_code == 422 and refused.get_json()["errors"]["query"]["format"] == [
        "Must be one of: json, text, md, html."]


def test_html_agenda_in_portuguese_loads_nothing(db: Path, tmp_path: Path, client: Any) -> None:
    out = tmp_path / "agenda.html"
    run(db, "--language", "pt", "agenda", "--as-of", AS_OF, "--format", "html", "-o", str(out))
    served = client.get(f"/api/v1/analysis/agenda?as_of={AS_OF}&format=html", headers={"Accept-Language": "pt"})
    assert served.status_code == 200 and "default-src 'none'" in served.headers["Content-Security-Policy"]
    for page in (out.read_text(encoding="utf-8"), served.get_data(as_text=True)):
        assert page.startswith('<!DOCTYPE html>\n<html lang="pt">')
        assert "<title>Agenda de coordenação · 23 de novembro de 2026</title>" in page
        assert '<p class="meta">Em 23 de novembro de 2026 · A rede inteira</p>' in page
        assert "<h2>Agenda (4 pontos)</h2>" in page and '<p class="action">Renovar um acordo</p>' in page
        assert '<p class="due">Até 1 de dezembro de 2026</p>' in page
        assert "<summary>A 1 constatação que resolve</summary>" in page and "<li>… e mais 1</li>" in page
        assert "http://" not in page and "https://" not in page
        assert "<script" not in page and "<link" not in page and "src=" not in page and "url(" not in page
        assert english_left(page) == []


def test_the_agenda_in_english_is_unchanged(db: Path) -> None:
    lines = run(db, "agenda", "--as-of", AS_OF, "--limit", "1", "--format", "md").output.splitlines()
    assert lines[:9] == [
        "# Coordination agenda", "", "As of 23 November 2026 · The whole network", "", "## Agenda (1 item)", "",
        "### 1. Renew an agreement", "", "**Renew the MoU between Hope CBO and Apel Clinic before 1 December 2026**"]
    assert lines[10].startswith("Why: It ends on 1 December 2026. ")
    assert lines[12].endswith("_ · Due by 1 December 2026")
    assert lines[14] == ("- The MoU between Hope CBO and Apel Clinic ends on 2026-12-01, in 8 days; renew it or "
                         "agree what replaces it.")


@pytest.mark.parametrize("language, expected", [
    ("en", ["The whole network", "District: Sekhukhune", "Province: Limpopo",
            "Intervention area: Community-led monitoring and research", "Programme: bz"]),
    ("pt", ["A rede inteira", "Distrito: Sekhukhune", "Província: Limpopo",
            "Área de intervenção: Monitorização e investigação lideradas pela comunidade", "Programa: bz"]),
    ("fr", ["Tout le réseau", "District : Sekhukhune", "Province : Limpopo",
            "Domaine d’intervention : Suivi et recherche menés par les communautés", "Programme : bz"]),
])
def test_every_scope_in_words(language: str, expected: list[str]) -> None:
    scopes = [{}, {"district": "Sekhukhune"}, {"province": "Limpopo"},
              {"intervention_area": "community_led_monitoring"}, {"programme": "bz"}]
    use_language(language)
    try:
        assert [scope_words({"scope": scope}) for scope in scopes] == expected
    finally:
        use_language(None)
