"""The analyses' sentences in another language: written in English from templates the catalogs hold (context
``sentence``), translated where they are shown, the values they were filled with translated too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.translation import sentence, use_language


@pytest.fixture
def french() -> Iterator[None]:
    use_language("fr")
    yield
    use_language(None)


def test_a_sentence_is_translated_with_its_values(french: None) -> None:
    assert sentence("Renew the MoU between Hope CBO and Jane Furse Clinic before 1 December 2026") == (
        "Renouveler le protocole d’accord entre Hope CBO et Jane Furse Clinic avant le 1 décembre 2026")
    assert sentence("Nobody in Sekhukhune offers them to people with TB and their households, though Hope CBO "
                    "serves them there. The nearest provider is Jane Furse Clinic.") == (
        "Personne à Sekhukhune ne les offre à personnes atteintes de TB et leurs ménages, bien que Hope CBO les "
        "serve sur place. Le prestataire le plus proche est Jane Furse Clinic.")
    assert sentence("Affects 1 organisation, about 1,764 people a month.") == (
        "Concerne 1 organisation, environ 1\u202f764 personnes par mois.")


def test_names_stay_as_written_and_label_lists_are_translated(french: None) -> None:
    assert sentence("Help Women's Savings and Health Club find a second funder") == (
        "Aider Women's Savings and Health Club à trouver un deuxième bailleur")
    assert sentence("Three organisations offer peer education and TB screening to the same people in Vhembe, some "
                    "without a link or a shared forum between them; agree who covers whom.").startswith(
        "Trois organisations offrent éducation par les pairs et dépistage de la TB aux mêmes personnes à Vhembe")


def test_a_template_of_two_sentences_and_a_finding_page(french: None, client) -> None:
    assert sentence("Hope CBO and Jane Furse Clinic depend on each other (referral agreement) but rate their trust "
                    "in each other low: 1.50 of 4 in Round one. Talk with both before the agreement is needed.") == (
        "Hope CBO et Jane Furse Clinic dépendent l’une de l’autre (accord d’orientation) mais se font peu confiance : "
        "1,50 sur 4 dans Round one. Parlez avec les deux avant que l’accord ne soit nécessaire.")
    gaps = client.get("/findings/gaps?lang=pt").get_data(as_text=True)
    for english in ("has no link in force with any other organisation", "but has no active referral or MoU",
                    "form a cluster of", "; renew it or agree what replaces it."):
        assert english not in gaps, english
    assert "não tem nenhuma ligação em vigor" in gaps or "não tem nenhum encaminhamento" in gaps
    page = client.get("/findings/duplication?lang=pt").get_data(as_text=True)
    assert "parecem ser uma só organização" in page and "look like one organisation" not in page
    client.delete_cookie("lang")


def test_a_sentence_no_template_made_stays_as_written(french: None) -> None:
    text = "Three organisations offer peer education to the same people in Vhembe."
    assert sentence(text) == text
    assert sentence("") == ""


def test_in_english_nothing_changes() -> None:
    text = "Renew the MoU between A and B before 1 December 2026"
    assert sentence(text) is text


@pytest.fixture(scope="module")
def client(demo_path: Path) -> Iterator[object]:
    store = SQLiteStore(demo_path)
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "sentences-test"}).test_client()
    store.close()


def test_the_agenda_page_words_its_items_in_portuguese(client) -> None:
    english = client.get("/agenda?lang=en").get_data(as_text=True)
    page = client.get("/agenda?lang=pt").get_data(as_text=True)
    whats = re.findall(r'<p class="what">(.*?)</p>', page)
    whys = re.findall(r'<p class="why">(.*?)</p>', page)
    assert len(whats) == len(re.findall(r'<p class="what">', english)) > 10
    assert any(w.startswith("Renovar o memorando de entendimento entre ") for w in whats)
    actions = re.findall(r'<p class="action">([^<·]*)', page)
    assert "Renovar um acordo " in actions and "Renew an agreement " not in actions
    assert any(w.startswith("Encontrar um prestador de ") for w in whats)
    for english_start in ("Renew ", "Find a provider", "Merge the two", "Give ", "Agree a referral from"):
        assert not any(w.startswith(english_start) for w in whats), english_start
    assert all("Resolves " not in y and "Affects " not in y and "Resolve: " in y for y in whys)
    english_left = [part for text in whats + whys for part in re.split(r"(?<=[.;:])\s+", text)
                    if re.search(r"\b(the|with|to|is|are|has)\b", part)
                    and not re.search(r"\b(que|de|da|do|para|com|em|e)\b", part)]
    assert english_left == []
    scores = re.findall(r'<p class="score">(.*?)</p>', page)
    assert scores and all(" severity" not in s and " people a month" not in s and " for " not in s for s in scores)
    assert any("gravidade alta" in s for s in scores)
    assert re.search(r"Termina a \d+ de [a-z]+ de 20\d\d\.", page)
    assert "Renew the MoU between " in english and "Resolves " in english
    client.delete_cookie("lang")
