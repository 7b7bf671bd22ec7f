"""The pages' languages: the catalogs are complete and current, and a page answers in the language chosen."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.language import COMPLETE, FINDER_ONLY, LANGUAGES, choose
from network.service import seed_demo
from seed import catalogs
from tests.api_support import Env, send_referral_form, signed_in_page

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(code: str):
    with catalogs._po_path(code).open("rb") as handle:
        return read_po(handle, locale=code)


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def test_catalogs_are_current():
    assert catalogs.stale() == [], "run python -m seed.catalogs"


@pytest.mark.parametrize("code", COMPLETE)
def test_complete_languages_translate_every_message(code):
    untranslated = [m.id for m in _catalog(code) if m.id and not catalogs.translated(m)]
    assert untranslated == []
    assert len(_catalog(code)) > 150


@pytest.mark.parametrize("code", FINDER_ONLY)
def test_finder_languages_translate_the_finder_and_mark_it_for_review(code):
    finder = catalogs.finder(_catalog(code))
    assert len(finder) > 100
    assert [m.id for m in finder if not catalogs.translated(m)] == []
    assert all(catalogs.REVIEW in m.user_comments for m in _catalog(code) if m.id and catalogs.translated(m))
    assert {"Start at %(name)s.", "Speaks %(language)s.", " and "} <= {m.id for m in finder}


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_translations_keep_every_placeholder(code):
    for message in _catalog(code):
        if not message.id or not catalogs.translated(message):
            continue
        wanted = set(_PLACEHOLDER.findall(" ".join(_ids(message))))
        for form in _forms(message):
            assert set(_PLACEHOLDER.findall(form)) <= wanted | {"num"}, (code, message.id, form)
            if "num" not in wanted:
                assert set(_PLACEHOLDER.findall(form)) == wanted, (code, message.id, form)


def test_choose_prefers_asked_then_remembered_then_browser():
    assert choose("fr", "pt", ["st"]) == "fr"
    assert choose(None, "pt", ["st"]) == "pt"
    assert choose(None, None, ["de-DE", "pt-BR", "en"]) == "pt"
    assert choose("klingon", None, ["nso"]) == "nso"
    assert choose(None, None, []) == "en"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    store = SQLiteStore(tmp_path_factory.mktemp("languages") / "demo.db")
    seed_demo(store)
    app = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"})
    yield app.test_client()
    store.close()


def test_the_browser_language_chooses_the_page_language(client):
    page = client.get("/", headers={"Accept-Language": "pt-MZ,pt;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="pt">' in page
    assert "Painel da rede de parceiros" in page and "Partner network dashboard" not in page
    assert "Organizações por tipo" in page


def test_asking_for_a_language_switches_and_remembers_it(client):
    response = client.get("/agenda?lang=fr")
    assert "Ordre du jour de coordination" in response.get_data(as_text=True)
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert "Accept-Language" in response.headers["Vary"]
    later = client.get("/findings/gaps").get_data(as_text=True)
    assert "Liens manquants" in later and "Gravité" in later
    client.delete_cookie("lang")


def test_every_page_offers_every_language_keeping_its_question(client):
    page = client.get("/referrals?district=Sekhukhune&lang=en").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        assert f'hreflang="{code}"' in page and name in page
    assert "/referrals?district=Sekhukhune&amp;lang=st" in page
    client.delete_cookie("lang")


def test_the_referral_finder_in_sesotho_labels_its_choices(client):
    page = client.get("/referrals?lang=st").get_data(as_text=True)
    st = {m.id: m.string for m in _catalog("st") if m.id}
    assert st["Referral finder"] in page and st["Find pathways"] in page
    assert st["TB treatment"] in page
    assert "Choose a population." not in page, "choosing a language is not a search"
    client.delete_cookie("lang")


def test_an_unknown_language_falls_back_to_english(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Partner network dashboard" in page


def test_the_organisation_page_answers_in_portuguese(client):
    org = client.get("/api/v1/links?limit=1").get_json()["items"][0]["source"]
    page = client.get(f"/organisations/{org}?lang=pt").get_data(as_text=True)
    assert '<html lang="pt">' in page
    for words in ("Serviços", "Populações", "Última verificação", "Ligações (", "Novos parceiros sugeridos",
                  "Constatações que a envolvem", "histórico"):
        assert words in page, words
    for english in ("Suggested new partners", "Findings that involve it", "Last verified", ">history<"):
        assert english not in page, english
    assert "ativa" in page, "the status shows its label, not the code"
    client.delete_cookie("lang")


def test_the_explorer_answers_in_portuguese(client):
    page = client.get("/explore?lang=pt").get_data(as_text=True)
    for words in ("Explorador da rede", "Tipo de ligação", "Colorir as ligações por", "Profundidade",
                  "Faça duplo clique numa organização para a abrir.", "tamanho por intermediação"):
        assert words in page, words
    for english in ("Network explorer", "Double-click an organisation", "Colour links by"):
        assert english not in page, english
    coloured = client.get("/explore?lang=pt&ties_by=trust").get_data(as_text=True)
    assert "As ligações só são coloridas por confiança ou valor para administradores" in coloured
    client.delete_cookie("lang")


def test_the_referral_slip_in_sesotho(env: Env):
    st = {m.id: m.string for m in _catalog("st") if m.id and isinstance(m.id, str)}
    client, csrf = signed_in_page(env, "referrer", "cbo-b")
    sent = send_referral_form(client, csrf, to="clinic-a", need="tb_treatment", population="mineworkers",
                              link="l-ref-1")
    slip = client.get(sent.headers["Location"] + "?lang=st").get_data(as_text=True)
    code = env.store.list_referrals().items[0].code
    assert f'id="slip-code">{code}<' in slip and '<html lang="st">' in slip
    for english in ("Referral slip", "Where to go", "What to bring", "This slip with the referral code.",
                    "TB treatment", "Sent"):
        assert st[english] in slip
    assert "What to bring" not in slip and "Where to go" not in slip


def test_what_changed_names_its_sections_and_finding_types_in_portuguese(client):
    page = client.get("/changes?lang=pt").get_data(as_text=True)
    for words in ("O que mudou de", "Constatações que apareceram", "Constatações resolvidas", "Comparar",
                  "Acordo prestes a terminar"):
        assert words in page, words
    for english in ("Findings that appeared", "Agreement about to end", "Agenda items closed"):
        assert english not in page, english
    client.delete_cookie("lang")


def test_the_history_says_who_in_portuguese(client):
    org = client.get("/api/v1/links?limit=1").get_json()["items"][0]["source"]
    page = client.get(f"/history/organisation/{org}?lang=pt").get_data(as_text=True)
    assert "Histórico de" in page
    assert "autor: o sistema" in page or "autor: a linha de comandos" in page
    assert "the system" not in page and "History of" not in page
    client.delete_cookie("lang")
