"""Pathway steps, intervention-area and referral-outcome findings in the caller's language: the API answers in
the request's language, the command line in ``--language``'s, the analyses keep writing English; lists of names
join with the language's own "and" (a name holding "and" itself stays whole)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from network.analysis.outcomes import failing_routes, paper_agreements
from network.analysis.words import name, names
from network.api import create_app
from network.cli import cli
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.referrals import Referral
from network.referrals import StatusChange as S
from network.translation import in_words, sentence, spoken_list, use_language
from tests.api_support import network_file

#: Hope CBO screens mineworkers for TB and refers them to Jane Furse Clinic (17 km east) for treatment along a
#: referral agreement, and to Rights and Justice Centre for legal aid along an MoU. Both community organisations
#: do community-led monitoring in Limpopo, where no government office is recorded.
NETWORK = (
    [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", district="Sekhukhune", latitude=-24.75,
                  longitude=29.70, services=["tb_screening"], populations=["mineworkers"],
                  intervention_areas=["community_led_monitoring"]),
     Organisation("clinic", "Jane Furse Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                  latitude=-24.75, longitude=29.87, services=["tb_treatment"], phone="+27 13 265 0000"),
     Organisation("rights", "Rights and Justice Centre", "ngo", province="Limpopo", district="Sekhukhune",
                  services=["legal_aid"], populations=["mineworkers"],
                  intervention_areas=["community_led_monitoring"])],
    [Link("r1", "hope", "clinic", "referral", formal=True), Link("m1", "hope", "rights", "mou", formal=True)],
)
QUERY = "population=mineworkers&needs=tb_screening&needs=tb_treatment&needs=legal_aid&start=hope"

ENGLISH = [
    "Start at Hope CBO for TB screening.",
    "Hope CBO refers the client to Jane Furse Clinic for TB treatment, through its referral agreement r1, 17 km "
    "away. Contact: phone +27 13 265 0000.",
    "Hope CBO refers the client to Rights and Justice Centre for legal aid, through their MoU m1.",
]
PORTUGUESE = [
    "Comece em Hope CBO para rastreio da TB.",
    "Hope CBO encaminha o utente para Jane Furse Clinic para tratamento da TB, através do seu acordo de "
    "encaminhamento r1, a 17 km de distância. Contacto: telefone +27 13 265 0000.",
    "Hope CBO encaminha o utente para Rights and Justice Centre para assistência jurídica, através do seu "
    "memorando de entendimento m1.",
]
FRENCH = [
    "Commencez à Hope CBO pour dépistage de la TB.",
    "Hope CBO oriente la personne vers Jane Furse Clinic pour traitement de la TB, par son accord d’orientation "
    "r1, à 17 km. Contact : téléphone +27 13 265 0000.",
    "Hope CBO oriente la personne vers Rights and Justice Centre pour aide juridique, par leur protocole d’accord m1.",
]
AREA = {
    "en": "Community-led monitoring and research in Limpopo: 2 organisations (Hope CBO and Rights and Justice "
          "Centre), none linked to any health department or programme (none is recorded in Limpopo).",
    "pt": "Monitorização e investigação lideradas pela comunidade em Limpopo: 2 organizações (Hope CBO e Rights and "
          "Justice Centre), nenhuma ligada a um departamento ou programa de saúde (nenhum está registado em "
          "Limpopo).",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return network_file(tmp_path_factory.mktemp("explanations") / "explanations.db", NETWORK)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[FlaskClient]:
    store = SQLiteStore(db)
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "explanations"}).test_client()
    store.close()


@pytest.fixture
def portuguese() -> Iterator[None]:
    use_language("pt")
    yield
    use_language(None)


def _steps(client: FlaskClient, language: str) -> list[str]:
    body = client.get(f"/api/v1/analysis/pathways?{QUERY}", headers={"Accept-Language": language}).get_json()
    assert body["total"] == 1
    return [step["explanation"] for step in body["items"][0]["steps"]]


def test_a_pathway_answer_explains_its_steps_in_the_request_language(client: FlaskClient) -> None:
    assert _steps(client, "en") == ENGLISH
    assert _steps(client, "pt-MZ,pt;q=0.9") == PORTUGUESE
    assert _steps(client, "fr") == FRENCH
    assert _steps(client, "en-ZA") == ENGLISH, "what one language was answered does not change another's"


def test_the_command_line_explains_a_pathway_in_french(db: Path) -> None:
    args = ["--store", str(db), "pathway", "--from", "hope", "--population", "mineworkers",
            "--needs", "tb_screening,tb_treatment,legal_aid"]
    english = CliRunner().invoke(cli, args, env={"CSSNET_LANGUAGE": "", "LANGUAGE": "", "LC_ALL": "", "LANG": "C"})
    french = CliRunner().invoke(cli, ["--language", "fr", *args])
    assert english.exit_code == french.exit_code == 0
    assert english.output.splitlines()[1:] == [f"   - {text}" for text in ENGLISH]
    assert french.output.splitlines()[1:] == [f"   - {text}" for text in FRENCH]


def test_an_intervention_area_finding_in_portuguese_keeps_a_name_holding_and(client: FlaskClient) -> None:
    def area(language: str) -> list[str]:
        found = client.get("/api/v1/analysis/gaps?type=area_unlinked", headers={"Accept-Language": language})
        return [f["explanation"] for f in found.get_json()["items"]]

    assert area("en") == [AREA["en"]]
    assert area("pt") == [AREA["pt"]]
    report = client.get("/api/v1/analysis/report", headers={"Accept-Language": "pt"}).get_json()
    assert AREA["pt"] in [f["explanation"] for f in report["findings"]]


def test_the_report_at_the_command_line_explains_findings_in_portuguese(db: Path) -> None:
    shown = CliRunner().invoke(cli, ["--store", str(db), "--language", "pt", "report"])
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert f"- {AREA['pt']}" in lines and f"- {AREA['en']}" not in lines, "each finding listed in Portuguese"


def _outcome_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("a", name="Hope CBO")
    G.add_node("b", name="Sizwe Clinic", district="Waterberg")
    G.add_node("c", name="Mine and Allied Workers Union")
    G.add_edge("a", "c", key="m1", kind="mou", status="active")
    return G


def test_a_paper_agreement_in_portuguese(portuguese: None) -> None:
    day = dt.date(2026, 3, 1)
    sent = [Referral(code, source, "b", ["legal_aid"], day, history=[S("sent", day, source)])
            for code, source in (("R1", "a"), ("R2", "c"), ("R3", "c"))]
    (found,) = paper_agreements(_outcome_graph(), sent, as_of=day)
    assert found.explanation == (
        "The MoU between Hope CBO and Mine and Allied Workers Union is in force, but no referral went between them "
        "in the last 6 months while Hope CBO sent 1 referral and Mine and Allied Workers Union sent 2 referrals to "
        "other organisations.")
    assert sentence(found.explanation) == (
        "O memorando de entendimento entre Hope CBO e Mine and Allied Workers Union está em vigor, mas nenhum "
        "encaminhamento foi feito entre elas nos últimos 6 meses, enquanto Hope CBO enviou 1 encaminhamento e Mine "
        "and Allied Workers Union enviou 2 encaminhamentos para outras organizações.")


def test_a_failing_route_in_portuguese_and_french(portuguese: None) -> None:
    day = dt.date(2026, 3, 1)
    turned = [Referral(f"D{i}", "a", "b", ["art"], day, history=[
        S("sent", day, "a"), S("received", day, "b"), S("declined", day, "b", "no_documents")]) for i in range(8)]
    lost = [Referral(f"L{i}", "a", "b", ["art"], day, history=[S("sent", day, "a"), S("lost_to_follow_up", day, "b")])
            for i in range(2)]
    (found,) = failing_routes(_outcome_graph(), turned + lost, as_of=day)
    assert found.explanation == (
        "Only 0 of 10 referrals from Hope CBO to Sizwe Clinic in the last 6 months were completed; 8 were turned "
        "away (8: no ID or other documents); 2 were lost to follow-up.")
    assert sentence(found.explanation) == (
        "Apenas 0 de 10 encaminhamentos de Hope CBO para Sizwe Clinic nos últimos 6 meses foram concluídos; 8 foram "
        "recusados (8: sem BI ou outros documentos); 2 foram perdidos no seguimento.")
    use_language("fr")
    assert sentence(found.explanation) == (
        "Seules 0 orientations sur 10 de Hope CBO vers Sizwe Clinic au cours des 6 derniers mois ont abouti ; 8 ont "
        "été refusées (8 : pas de pièce d’identité ni d’autres documents) ; 2 ont été perdues de vue.")


def test_lists_of_names_join_with_the_languages_and(portuguese: None) -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from([("a", {"name": "Hope CBO"}), ("b", {"name": "Rights and Justice Centre"}),
                      ("c", {"name": "Thusong CBO"})])
    listed = names(G, ["a", "b", "c"])
    assert listed == "Hope CBO, Rights and Justice Centre and Thusong CBO"
    text = (f"Community-led monitoring and research in Limpopo: 3 organisations ({listed}), none linked to Sekhukhune "
            "District Health Office.")
    assert sentence(text) == ("Monitorização e investigação lideradas pela comunidade em Limpopo: 3 organizações "
                              "(Hope CBO, Rights and Justice Centre e Thusong CBO), nenhuma ligada a Sekhukhune "
                              "District Health Office.")
    assert spoken_list(["A", "B"], "or") == "A ou B"
    use_language("fr")
    french = ("Suivi et recherche menés par les communautés en Limpopo : 3 organisations (Hope CBO, Rights and Justice "
              "Centre et Thusong CBO), aucune liée à Sekhukhune District Health Office.")
    assert sentence(text) == french
    assert in_words({"explanation": text, "name": listed}) == {"explanation": french, "name": listed}
    use_language(None)
    assert sentence(text) == text and in_words([text]) == [text]


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Iterator[FlaskClient]:
    store = SQLiteStore(demo_path)
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "explanations-demo"}).test_client()
    store.close()


@pytest.mark.parametrize("path", ["/api/v1/programmes/css-ec-fs-lp/report", "/api/v1/referrals/outcomes"])
def test_the_demos_programme_gaps_and_referral_outcomes_are_explained_in_portuguese(demo: FlaskClient,
                                                                                   path: str) -> None:
    def explanations(language: str) -> list[str]:
        body = demo.get(path, headers={"Accept-Language": language}).get_json()
        return [f["explanation"] for f in body.get("gaps", body.get("findings"))]

    english, portuguese = explanations("en"), explanations("pt")
    assert len(english) == len(portuguese) > 0
    use_language("pt")
    try:
        assert portuguese == [sentence(text) for text in english]
    finally:
        use_language(None)
    assert [en for en, pt in zip(english, portuguese, strict=True) if en == pt] == []


def test_a_name_holding_and_stays_whole_beside_another_name(portuguese: None) -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from([("r", {"name": "Capricorn Gender and Rights Centre"}), ("h", {"name": "Hope CBO"})])
    text = f"Renew the MoU between {name(G, 'r')} and {name(G, 'h')}"
    assert sentence(text) == "Renovar o memorando de entendimento entre Capricorn Gender and Rights Centre e Hope CBO"


def test_a_name_with_a_full_stop_does_not_cut_a_step_in_two(tmp_path: Path) -> None:
    network = ([Organisation("hope", "Hope CBO", "cbo", district="Sekhukhune", services=["tb_screening"],
                             populations=["mineworkers"]),
                Organisation("mary", "St. Mary's Hospital", "hospital", district="Sekhukhune",
                             services=["tb_treatment"])],
               [Link("r1", "hope", "mary", "referral", formal=True)])
    store = SQLiteStore(network_file(tmp_path / "stops.db", network))
    try:
        client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "stops"}).test_client()
        body = client.get("/api/v1/analysis/pathways?population=mineworkers&needs=tb_screening&needs=tb_treatment"
                          "&start=hope", headers={"Accept-Language": "pt"}).get_json()
    finally:
        store.close()
    assert [step["explanation"] for step in body["items"][0]["steps"]] == [
        "Comece em Hope CBO para rastreio da TB.",
        "Hope CBO encaminha o utente para St. Mary's Hospital para tratamento da TB, através do seu acordo de "
        "encaminhamento r1."]


def test_the_demos_step_notes_reach_the_api_in_portuguese(demo: FlaskClient) -> None:
    def steps(query: str, language: str) -> list[dict]:
        body = demo.get(f"/api/v1/analysis/pathways?{query}", headers={"Accept-Language": language}).get_json()
        return body["items"][0]["steps"]

    border = ("start=lejweleputswa-ex-mineworkers-association&population=ex_mineworkers"
              "&needs=benefit_medical_examination")
    route = ("start=sekhukhune-chrome-diggers-health-project&population=artisanal_miners&needs=tb_screening"
             "&needs=tb_treatment")
    crossing = steps(border, "pt")[1]
    assert crossing["notes"][0].startswith("Atravessa a fronteira de África do Sul para Lesoto ao abrigo deste acordo: "
                                           "dê ao cliente uma carta de transferência")
    assert crossing["explanation"].endswith(crossing["notes"][0])
    assert "Crosses the border" not in crossing["explanation"]
    english, portuguese = steps(route, "en")[1], steps(route, "pt")[1]
    assert english["notes"] == ["3 of 12 referrals on this route were completed in the last 6 months."]
    assert portuguese["notes"] == ["3 de 12 encaminhamentos nesta rota foram concluídos nos últimos 6 meses."]
    assert portuguese["explanation"].startswith("Sekhukhune Chrome Diggers Health Project encaminha o utente para ")
    assert portuguese["explanation"].endswith(f" {portuguese['notes'][0]}")
