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
from tests.api_support import network_file

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
