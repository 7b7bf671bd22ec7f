"""Refusals in the caller's language: the API by Accept-Language, the pages' forms by the page language, and the
domain outside any request by the language set for the command line (Flask client, real SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from network.errors import Busy, InvalidData
from network.schemas import load_organisation
from network.translation import current_language, environment_language, use_language
from tests.api_support import Env, send_referral_form, signed_in_page


@pytest.fixture
def french() -> Iterator[None]:
    use_language("fr")
    yield
    use_language(None)


def test_the_api_refuses_in_the_callers_language(env: Env) -> None:
    body = {"id": "x1", "name": "Hope", "kind": "shop", "colour": "red"}
    headers = {**env.auth("editor"), "Accept-Language": "pt-MZ,pt;q=0.9"}
    refused = env.client.post("/api/v1/organisations", json=body, headers=headers)
    assert refused.status_code == 422
    message = refused.get_json()["message"]
    assert "kind: Código desconhecido para tipo de organização: 'shop'." in message
    assert "colour: Campo desconhecido." in message and "Unknown" not in message
    english = env.client.post("/api/v1/organisations", json=body, headers=env.auth("editor")).get_json()
    assert "kind: Unknown organisation kind 'shop'." in english["message"]
    assert "colour: Unknown field." in english["message"]
    assert env.client.get("/api/v1/organisations/x1", headers=env.auth("editor")).status_code == 404


def test_a_page_form_refuses_in_the_page_language(env: Env) -> None:
    client, csrf = signed_in_page(env, "referrer", "cbo-b")
    assert "Enviar um encaminhamento" in client.get("/referrals/send?lang=pt").get_data(as_text=True)
    refused = send_referral_form(client, csrf, to="cbo-b", need="tb_treatment")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and env.store.list_referrals().total == 0
    assert "Um encaminhamento vai para uma organização diferente da que o envia." in page
    assert "A referral goes to another organisation" not in page


def test_the_referral_finder_refuses_a_bad_start_in_french(env: Env) -> None:
    page = env.client.get("/referrals?start=bad%20id&population=mineworkers&need=tb_treatment&lang=fr")
    assert page.status_code == 422
    assert "Ce n’est pas un identifiant d’organisation." in page.get_data(as_text=True)


def test_outside_a_request_the_command_lines_language_is_used(french: None) -> None:
    assert current_language() == "fr"
    with pytest.raises(InvalidData) as refused:
        load_organisation({"id": "a", "name": "A", "kind": "cbo", "latitude": -24.5})
    assert refused.value.message == ("latitude: Donnez la latitude et la longitude, ou aucune des deux. "
                                     "Reçu : « -24.5 ».")
    with pytest.raises(InvalidData) as refused:
        load_organisation({"id": "a", "name": "A", "kind": "cbo", "phone": "call me"})
    assert refused.value.message == ("phone: Ce n’est pas un numéro de téléphone : utilisez des chiffres, des espaces "
                                     "et +. Reçu : « call me ».")
    assert Busy().message == "Le réseau est occupé par une autre modification ; réessayez dans un instant."


def test_the_environment_chooses_the_command_lines_language() -> None:
    assert environment_language({"CSSNET_LANGUAGE": "pt", "LANG": "fr_FR.UTF-8"}) == "pt"
    assert environment_language({"LANGUAGE": "de_DE:fr", "LANG": "en_ZA.UTF-8"}) == "fr"
    assert environment_language({"LC_ALL": "pt_MZ.UTF-8"}) == "pt"
    assert environment_language({"LANG": "C.UTF-8"}) == environment_language({}) == "en"


def test_a_service_refusal_on_a_page_is_in_the_page_language(env: Env) -> None:
    unknown = env.client.get("/invite/not-a-real-secret?lang=pt")
    assert unknown.status_code == 404
    assert "Esta ligação de convite é desconhecida ou foi retirada" in unknown.get_data(as_text=True)
    missing = env.app.test_client().get("/programmes/none-such", headers={"Accept-Language": "fr-FR"})
    assert missing.status_code == 404 and "Aucun programme « none-such »." in missing.get_data(as_text=True)
