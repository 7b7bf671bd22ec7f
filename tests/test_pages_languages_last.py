"""Pages' refusals and figures in Portuguese and French, not English or codes: marshmallow's validator messages,
field labels, role words and decimal numbers (Flask test client, a real SQLite file)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from tests.api_support import Env, network_file, signed_in_page

NETWORK = (
    [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", district="Sekhukhune",
                  services=["tb_screening"], populations=["mineworkers"]),
     Organisation("clinic", "Jane Furse Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                  services=["tb_treatment"])],
    [Link("r1", "hope", "clinic", "referral", formal=True)],
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    store = SQLiteStore(network_file(tmp_path_factory.mktemp("last") / "last.db", NETWORK))
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "pages-languages-last"}).test_client()
    store.close()


def _problems(client: FlaskClient, url: str, lang: str) -> list[str]:
    page = client.get(f"{url}&lang={lang}")
    client.delete_cookie("lang")
    return [html.unescape(p) for p in re.findall(r'<p class="flash error">(.*?)</p>', page.get_data(as_text=True))]


def test_the_findings_page_refuses_a_severity_in_the_language(client: FlaskClient) -> None:
    url = "/findings/gaps?severity=dire"
    assert _problems(client, url, "fr") == ["Gravité : Doit être l’un de : high, medium, low."]
    assert _problems(client, url, "pt") == ["Gravidade: Deve ser um de: high, medium, low."]
    assert _problems(client, url, "en") == ["Severity: Must be one of: high, medium, low."]


def test_the_explorer_members_refusal_starts_with_the_fields_label_in_the_language(client: FlaskClient) -> None:
    def message(query: str, lang: str) -> str:
        response = client.get(f"/explore/members?{query}&lang={lang}")
        client.delete_cookie("lang")
        assert response.status_code == 422
        return response.get_json()["message"]

    assert message("cluster=Sekhukhune&province=Narnia", "pt") == "Província: Código desconhecido para província: " \
        "'Narnia'."
    assert message("cluster=Sekhukhune&province=Narnia", "fr") == "Province : Code inconnu pour province : « Narnia »."
    assert message("province=Limpopo", "fr") == "Groupe : Il manque la valeur de ce champ obligatoire."


def _partner_problems(env: Env, lang: str) -> list[str]:
    made = env.client.post("/api/v1/invitations", json={"organisation": "cbo-b"}, headers=env.auth("admin"))
    client = env.app.test_client()
    page = client.get(f"/invite/{made.get_json()['secret']}?lang={lang}").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    sent = client.post(f"/invite/{made.get_json()['secret']}?lang={lang}", data={
        "csrf": csrf, "c_name": "Hope CBO", "c_phone": "call me", "new_other": "ngo-d", "new_kind": "gossip"},
        headers={"Origin": "http://localhost"})
    assert sent.status_code == 422
    return [html.unescape(p) for p in re.findall(r"<li>(\w[^<]*: [^<]*)</li>", sent.get_data(as_text=True))]


def test_the_partner_form_names_its_fields_in_the_language(env: Env) -> None:
    assert _partner_problems(env, "fr") == [
        "Téléphone : Ce n’est pas un numéro de téléphone : utilisez des chiffres, des espaces et +. "
        "Reçu : « call me ».",
        "Nouveau lien : Code inconnu pour type de lien : « gossip »."]
    assert _partner_problems(env, "pt") == [
        "Telefone: Não é um número de telefone: use algarismos, espaços e +. Recebido: 'call me'.",
        "Nova ligação: Código desconhecido para tipo de ligação: 'gossip'."]
    assert _partner_problems(env, "en") == [
        "Phone: Not a phone number: use digits, spaces and +. Got 'call me'.", "New tie: Unknown link kind 'gossip'."]


def test_the_review_page_names_an_edits_field_in_the_language(env: Env) -> None:
    made = env.client.post("/api/v1/invitations", json={"organisation": "cbo-b"}, headers=env.auth("admin"))
    sent = env.client.post(f"/api/v1/partner/{made.get_json()['secret']}",
                           json={"corrections": {"municipality": "Newtown"}}).get_json()
    client, csrf = signed_in_page(env, "editor")

    def flashed(lang: str) -> list[str]:
        answer = client.post(f"/review/{sent[0]['id']}/accept?lang={lang}", headers={"Origin": "http://localhost"},
                             data={"csrf": csrf, "e_municipality": "x" * 300}, follow_redirects=True)
        client.delete_cookie("lang")
        return [html.unescape(p) for p in re.findall(r'<p class="flash error">(.*?)</p>', answer.get_data(True))]

    cut = "x" * 57 + "..."
    assert flashed("fr") == [f"Non acceptée : Municipalité : Plus long que la longueur maximale 200. Reçu : « {cut} »."]
    assert flashed("pt") == [f"Não aceite: Município: Mais longo do que o comprimento máximo 200. Recebido: '{cut}'."]
    assert flashed("en") == [f"Not accepted: Municipality: Longer than maximum length 200. Got '{cut}'."]


def test_a_refusal_for_the_role_names_the_roles_in_the_callers_language(env: Env) -> None:
    def refusal(lang: str, role: str | None) -> str:
        answer = env.client.get("/api/v1/proposals", headers={**env.auth(role), "Accept-Language": lang})
        assert answer.status_code == (403 if role else 401)
        return answer.get_json()["message"]

    assert refusal("fr", "viewer") == "Ceci demande le rôle éditeur ; votre jeton a le rôle lecteur."
    assert refusal("pt", "viewer") == "Isto requer a função editor; o seu token tem a função leitor."
    assert refusal("en", "viewer") == "This needs the editor role; your token has the viewer role."
    assert refusal("en", None) == "This needs a token with the editor role."


def test_the_agenda_page_writes_decimal_scores_with_the_languages_sign(client: FlaskClient) -> None:
    def scores(lang: str) -> list[str]:
        page = client.get(f"/agenda?lang={lang}").get_data(as_text=True)
        client.delete_cookie("lang")
        return [html.unescape(p) for p in re.findall(r'<p class="score">(.*?)</p>', page)]

    assert scores("en")[1:3] == [
        "Score 5.9: 5.9 for closing a broken care cascade, high severity, 1 organisation (counted as 0.1: public "
        "facilities have other routes) and 2 findings resolved",
        "Score 3.2: 3.2 for verifying records, medium severity and 1 organisation"]
    assert [s.split(" pour ")[0] for s in scores("fr")[:3]] == ["Score 8 : 8", "Score 5,9 : 5,9", "Score 3,2 : 3,2"]
    assert "(comptées pour 0,1 : " in scores("fr")[1]
    assert [s.split(" por ")[0] for s in scores("pt")[:3]] == ["Pontuação 8: 8", "Pontuação 5,9: 5,9",
                                                           "Pontuação 3,2: 3,2"]
