"""The client's language on a referral plan: known answers, through the engine, the API, the page and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from network.analysis.client_language import LanguageRule
from network.analysis.pathways import referral_pathways
from network.api import create_app
from network.cli import cli
from network.graph.project import build_graph
from network.graph.sqlite import SQLiteStore
from network.language import language_code, language_name
from network.model import Link, Organisation

AS_OF = dt.date(2026, 3, 1)


def _network() -> tuple[list[Organisation], list[Link]]:
    """A CBO refers to two clinics for TB screening: the formal agreement goes to the English-only clinic.

    Without a language: cbo -r1 (formal, 1.0)-> clinic_en beats cbo -r2 (informal, 1.5)-> clinic_st.
    For a Sesotho speaker: clinic_en costs 1.0 + 0.5 = 1.5 (lists other languages only),
    clinic_st costs 1.5 - 0.5 = 1.0, so the Sesotho-speaking clinic comes first.
    """
    orgs = [
        Organisation("cbo", "Thusong CBO", "cbo", district="Sekhukhune", province="Limpopo",
                     populations=["mineworkers"], services=["peer_education"], languages=["Sepedi", "English"]),
        Organisation("clinic_en", "Town Clinic", "clinic", district="Sekhukhune", province="Limpopo",
                     services=["tb_screening"], languages=["English"]),
        Organisation("clinic_st", "Hill Clinic", "clinic", district="Sekhukhune", province="Limpopo",
                     services=["tb_screening"], languages=["English", "Sesotho"]),
    ]
    links = [Link("r1", "cbo", "clinic_en", "referral", status="active", formal=True, weight=3),
             Link("r2", "cbo", "clinic_st", "referral", status="active", formal=False, weight=3)]
    return orgs, links


def _best(language: str | None) -> tuple[list[str], float, list[str]]:
    orgs, links = _network()
    G = build_graph(orgs, links)
    rules = [LanguageRule.for_graph(G, language)] if language else []
    best = referral_pathways(G, population="mineworkers", needs=["tb_screening"], start="cbo", as_of=AS_OF,
                             rules=rules)[0]
    return [s.organisation for s in best.steps], best.cost, best.steps[-1].notes


def test_without_a_language_the_formal_agreement_wins():
    assert _best(None) == (["cbo", "clinic_en"], 1.0, [])


def test_a_sesotho_speaker_is_sent_to_the_clinic_that_speaks_sesotho_and_is_told():
    assert _best("st") == (["cbo", "clinic_st"], 1.0, ["Speaks Sesotho."])


def test_the_language_may_be_given_by_name_and_an_unknown_one_is_refused():
    assert _best("Sesotho")[0] == ["cbo", "clinic_st"]
    orgs, links = _network()
    with pytest.raises(ValueError, match="Unknown language 'Klingon'"):
        LanguageRule.for_graph(build_graph(orgs, links), "Klingon")


def test_a_provider_listing_other_languages_only_suggests_an_interpreter():
    orgs, links = _network()
    rule = LanguageRule.for_graph(build_graph(orgs, links), "zu")
    assert rule.notes("cbo", "clinic_en", "r1") == [
        "Does not list isiZulu among its languages: ask about an interpreter."]
    assert rule.extra_cost("cbo", "clinic_en", "r1") == 0.5


@pytest.mark.parametrize(("text", "code"), [("isiXhosa", "xh"), ("Xhosa", "xh"), ("Northern Sotho", "nso"),
                                            ("Sepedi", "nso"), ("Portuguese", "pt"), ("Português", "pt"),
                                            ("chiShona", "sn"), ("Setswana", "tn"), ("", None)])
def test_language_names_people_write_are_known(text, code):
    assert language_code(text) == code


def test_every_spoken_language_has_a_name_of_its_own():
    assert language_name("ts") == "Xitsonga" and language_name("zu") == "isiZulu"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("language") / "language.db")
    orgs, links = _network()
    s.upsert(orgs, links)
    yield s
    s.close()


def test_the_api_prefers_the_clients_language_and_refuses_an_unknown_one(store):
    client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    query = "/api/v1/analysis/pathways?population=mineworkers&needs=tb_screening&start=cbo"
    plain = client.get(query).get_json()["items"][0]
    spoken = client.get(query + "&language=Sesotho").get_json()["items"][0]
    assert plain["steps"][-1]["organisation"] == "clinic_en"
    assert spoken["steps"][-1]["organisation"] == "clinic_st"
    assert "Speaks Sesotho." in spoken["steps"][-1]["explanation"]
    refused = client.get(query + "&language=Klingon")
    assert refused.status_code == 422
    assert "Unknown language 'Klingon'" in json.dumps(refused.get_json())


def test_the_referral_finder_page_offers_the_clients_language(store):
    client = create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "test-only"}).test_client()
    page = client.get("/referrals?start=cbo&population=mineworkers&need=tb_screening&language=st")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.index("Hill Clinic") < text.index("Town Clinic")
    assert "Speaks Sesotho." in text
    assert '<option value="st" selected>Sesotho</option>' in text


def test_the_cli_pathway_takes_the_clients_language(store):
    result = CliRunner().invoke(cli, ["--store", str(store.path), "pathway", "--from", "cbo", "--needs",
                                      "tb_screening", "--population", "mineworkers", "--language", "Sesotho"])
    assert result.exit_code == 0, result.output
    first_plan = result.output.split("\n2. ")[0]
    assert "Hill Clinic" in first_plan and "Speaks Sesotho." in first_plan
