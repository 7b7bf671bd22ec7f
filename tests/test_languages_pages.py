"""The monitoring, inbox, send-a-referral, programme and survey pages answer in the language chosen (Flask client,
the demo network in a real SQLite file): their own words, their vocabulary labels and the phone scripts' words."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from network.api import create_app
from network.graph.referral_store import ReferralQuery
from network.graph.sqlite import SQLiteStore
from network.referrals import NEXT_STATUSES
from network.service import survey_invitations, surveys
from network.service.audit import CLI
from network.service.tokens import create_token

TODAY = dt.date.today()


class Site:
    """The demo app, its store and a client signed in per role (``signed(role)``)."""

    def __init__(self, path: Path):
        self.store = SQLiteStore(path)
        self.app = create_app({"STORE": self.store, "TESTING": True, "SECRET_KEY": "languages-pages-test"})

    def signed(self, role: str, organisation: str | None = None) -> FlaskClient:
        secret = create_token(self.store, f"{role} page", role, actor=CLI, organisation=organisation)[1]
        client = self.app.test_client()
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)).group(1)
        assert client.post("/sign-in", data={"csrf": csrf, "token": secret}).status_code == 302
        return client

    def csrf(self, client: FlaskClient, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture(scope="module")
def site(demo_path: Path) -> Iterator[Site]:
    made = Site(demo_path)
    yield made
    made.store.close()


def _says(page: str, portuguese: tuple[str, ...], english: tuple[str, ...]) -> None:
    assert '<html lang="pt">' in page or '<html lang="fr">' in page
    for words in portuguese:
        assert words in page, words
    for words in english:
        assert words not in page, words


def test_the_programme_pages_answer_in_portuguese(site: Site) -> None:
    client = site.app.test_client()
    listing = client.get("/programmes?lang=pt").get_data(as_text=True)
    _says(listing, ("<h1>Programas</h1>", "financiado por"), ("funded by", "No programme is recorded."))
    programme = re.search(r'href="(/programmes/[^"]+)"', listing).group(1)
    page = client.get(programme).get_data(as_text=True)
    _says(page, ("Subvenções que terminam em breve", "Sub-beneficiários e a sua cobertura", "Serviços cobertos:",
                 "Financiado por", "Lacunas na sua área"),
          ("Grants ending soon", "Sub-recipients and their coverage", "Services covered:", "Funded by", "In force"))


def test_the_survey_pages_answer_in_portuguese(site: Site) -> None:
    client = site.app.test_client()
    listing = client.get("/surveys?lang=pt").get_data(as_text=True)
    _says(listing, ("Inquéritos sobre as ligações", "organizações convidadas", "ferramenta PARTNER"),
          ("Tie surveys", "organisations invited", "as in the PARTNER tool"))
    results = client.get(re.search(r'href="(/surveys/[^"/]+)"', listing.split('id="survey-rounds"')[1]).group(1))
    _says(results.get_data(as_text=True),
          ("As pontuações da rede", "organizações convidadas responderam",
           "Organizações avaliadas pelos seus parceiros", "Poder e influência", "Confiança"),
          ("The network's scores", "invited organisations answered", "Power and influence", "Rated by"))


def test_the_survey_form_answers_in_french(site: Site) -> None:
    surveys.create_round(site.store, {"id": "words-r1", "name": "Vague test",
                                      "opens": (TODAY - dt.timedelta(days=5)).isoformat(),
                                      "closes": (TODAY + dt.timedelta(days=5)).isoformat(),
                                      "invited": [site.store.list_referrals().items[0].target]}, actor=CLI)
    (_, secret), = survey_invitations.invite(site.store, "words-r1", actor=CLI)
    client = site.app.test_client()
    page = client.get(f"/surveys/answer/{secret}?lang=fr").get_data(as_text=True)
    _says(page, ("Vous répondez au nom de", "Quel pouvoir et quelle influence", "Ce que vous apportez à ce travail",
                 "Envoyer mes réponses", "pas du tout"),
          ("You answer for", "How much power", "What you bring", "Send my answers", "not at all"))


def test_the_monitoring_form_and_its_phone_words_answer_in_french(site: Site) -> None:
    client = site.signed("editor")
    page = client.get("/monitoring?lang=fr").get_data(as_text=True)
    _says(page, ("Enregistrer une visite de suivi", "Attente très longue", "Signalé au district", "Derniers rapports",
                 "Enregistrer le rapport", "Par "),
          ("Record a monitoring visit", "Very long wait", "Raised with the district", "Latest reports", "By "))
    words = json.loads(re.search(r'<script type="application/json" id="queue-words">(.*?)</script>', page,
                                 re.S).group(1))
    assert words["kept_many"] == "%(num)s rapports gardés sur ce téléphone : %(why)s"
    assert words["tick_one"] == "Cochez au moins une chose que les personnes ont rencontrée."
    worker = client.get("/sw.js?lang=fr").get_data(as_text=True)
    assert 'var OFFLINE = "Vous \\u00eates hors ligne' in worker and "You are offline" not in worker
    assert "You are offline" in client.get("/sw.js?lang=en").get_data(as_text=True)


def test_the_inbox_and_the_send_form_answer_in_portuguese(site: Site) -> None:
    waiting = site.store.list_referrals(ReferralQuery(limit=None)).items
    target = next(r.target for r in waiting if NEXT_STATUSES.get(r.status))
    admin = site.signed("admin")
    inbox = admin.get(f"/referrals/inbox?organisation={target}&lang=pt").get_data(as_text=True)
    _says(inbox, ("Encaminhamentos enviados para", "Agora:", "Para: ", "Próximo passo", "1 passo guardado"),
          ("Referrals sent to", "Next step", "If turned away"))
    form = admin.get("/referrals/send?lang=pt").get_data(as_text=True)
    _says(form, ("Enviar um encaminhamento", "Aqui não se pergunta nada sobre o cliente", "Outro serviço",
                 "Todos (população em geral)", "Enviar e imprimir a guia"),
          ("Send a referral", "Another service", "Send and print the slip"))


def test_dates_are_written_as_in_the_language(site: Site) -> None:
    client = site.app.test_client()
    listing = client.get("/surveys?lang=pt").get_data(as_text=True)
    assert re.search(r"\d{1,2} de [a-zç]+ de 20\d\d a \d{1,2} de [a-zç]+ de 20\d\d", listing)
    french = client.get("/surveys?lang=fr").get_data(as_text=True)
    assert re.search(r"du \d{1,2} [a-zéû]+ 20\d\d au \d{1,2} [a-zéû]+ 20\d\d", french)
    english = client.get("/surveys?lang=en").get_data(as_text=True)
    assert re.search(r"\d{1,2} [A-Z][a-z]+ 20\d\d to \d{1,2} [A-Z][a-z]+ 20\d\d", english)
