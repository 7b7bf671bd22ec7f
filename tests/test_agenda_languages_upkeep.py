"""The findings behind the agenda's upkeep and trust items, in Portuguese and French: each explanation of records
to confirm, funding resting on one funder and agreements recorded one way, and the low-trust item's wording, is
made from templates (N_) the catalogs translate. Known answers on a small hand-built network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from network.analysis.upkeep import upkeep
from network.graph.project import build_graph
from network.model import Link, Organisation
from network.translation import sentence, use_language

D = dt.date


@pytest.fixture
def language() -> Iterator[None]:
    yield
    use_language(None)


def _explanations() -> list[str]:
    """Ubuntu Fund funds Hope CBO (until 1 August 2026) and Tlhabane CBO (open-ended) in Bojanala; Hope CBO refers
    to Sizwe Clinic, whose TB patients need the adherence support Hope CBO offers, one way only; Hope CBO's own
    record was last verified on 1 May 2024, its referral never and its mentoring of Tlhabane CBO in 2024."""
    orgs = [Organisation("fund", "Ubuntu Fund", "donor", last_verified=D(2026, 5, 1)),
            Organisation("a", "Hope CBO", "cbo", district="Bojanala", services=["tb_screening", "tb_adherence_support"],
                         last_verified=D(2024, 5, 1)),
            Organisation("b", "Sizwe Clinic", "clinic", district="Bojanala", services=["tb_treatment"],
                         last_verified=D(2026, 5, 1)),
            Organisation("c", "Tlhabane CBO", "cbo", district="Bojanala", last_verified=D(2026, 5, 1))]
    links = [Link("f1", "fund", "a", "funding", status="active", end_date=D(2026, 8, 1), last_verified=D(2026, 5, 1)),
             Link("f2", "fund", "c", "funding", status="active", last_verified=D(2026, 5, 1)),
             Link("r1", "a", "b", "referral", status="active", services=["tb_treatment"]),
             Link("m1", "a", "c", "mentoring", status="active", last_verified=D(2024, 1, 1))]
    return [f.explanation for f in upkeep(build_graph(orgs, links), as_of=D(2026, 6, 1))]


ENGLISH = [
    "Ubuntu Fund funds 2 of the 2 funded organisations in Bojanala, and its grants to Hope CBO end by 1 August 2026; "
    "plan with the funder and the district how this work continues if its funding stops.",
    "All the funding of Hope CBO comes from Ubuntu Fund, and it ends on 1 August 2026, in 61 days; help it find a "
    "second funder or plan for the grant ending.",
    "All the funding of Tlhabane CBO comes from Ubuntu Fund; help it find a second funder.",
    "Hope CBO should confirm its own record (last verified on 1 May 2024) and 2 links it recorded as the source (1 "
    "never verified): its mentoring link with Tlhabane CBO and its referral agreement to Sizwe Clinic.",
    "Hope CBO refers clients to Sizwe Clinic, whose clients need TB treatment adherence support, which Hope CBO "
    "offers and Sizwe Clinic does not; yet their referral agreement is recorded one way only. If they refer both "
    "ways, record it as two-way.",
]

PORTUGUESE = [
    "Ubuntu Fund financia 2 das 2 organizações financiadas em Bojanala, e as suas subvenções a Hope CBO terminam até "
    "1 de agosto de 2026; planeie com o financiador e o distrito como este trabalho continua se o financiamento "
    "parar.",
    "Todo o financiamento de Hope CBO vem de Ubuntu Fund e termina a 1 de agosto de 2026, daqui a 61 dias; ajude-a "
    "a encontrar um segundo financiador ou a preparar o fim da subvenção.",
    "Todo o financiamento de Tlhabane CBO vem de Ubuntu Fund; ajude-a a encontrar um segundo financiador.",
    "Hope CBO deve confirmar o seu próprio registo (verificado pela última vez a 1 de maio de 2024) e 2 ligações que "
    "registou como origem (nunca verificados: 1): a sua ligação de mentoria com Tlhabane CBO e o seu acordo de "
    "encaminhamento para Sizwe Clinic.",
    "Hope CBO encaminha clientes para Sizwe Clinic, cujos clientes precisam de apoio à adesão ao tratamento da TB, "
    "que Hope CBO oferece e Sizwe Clinic não; no entanto, o acordo de encaminhamento está registado num só sentido. "
    "Se encaminham nos dois sentidos, registe-o como bidirecional.",
]

FRENCH = [
    "Ubuntu Fund finance 2 des 2 organisations financées à Bojanala, et ses subventions à Hope CBO prennent fin "
    "d’ici le 1 août 2026 ; prévoyez avec le bailleur et le district comment ce travail se poursuit si son "
    "financement s’arrête.",
    "Tout le financement de Hope CBO vient de Ubuntu Fund, et il prend fin le 1 août 2026, dans 61 jours ; aidez-la "
    "à trouver un deuxième bailleur ou à préparer la fin de la subvention.",
    "Tout le financement de Tlhabane CBO vient de Ubuntu Fund ; aidez-la à trouver un deuxième bailleur.",
    "Hope CBO devrait confirmer sa propre fiche (vérifiée pour la dernière fois le 1 mai 2024) et 2 liens qu’elle a "
    "enregistrés comme source (jamais vérifiés : 1) : son lien de mentorat avec Tlhabane CBO et son accord "
    "d’orientation vers Sizwe Clinic.",
    "Hope CBO oriente des clients vers Sizwe Clinic, dont les clients ont besoin de soutien à l’observance du "
    "traitement TB, que Hope CBO propose et Sizwe Clinic non ; pourtant leur accord d’orientation n’est enregistré "
    "que dans un sens. S’ils orientent dans les deux sens, enregistrez-le comme réciproque.",
]


def test_upkeep_explanations_keep_their_english() -> None:
    assert _explanations() == ENGLISH


@pytest.mark.parametrize("code, expected", [("pt", PORTUGUESE), ("fr", FRENCH)])
def test_upkeep_explanations_in_portuguese_and_french(language: None, code: str, expected: list[str]) -> None:
    use_language(code)
    assert [sentence(text) for text in _explanations()] == expected


@pytest.mark.parametrize("code, expected", [
    ("pt", ["Reunir com Apel Clinic e Atok Circle sobre a confiança no seu memorando de entendimento e acordo de "
            "encaminhamento",
            "Dependem uma da outra através de 2 acordos em vigor, mas a confiança entre elas é de 1,17 em 4 em Partner "
            "survey 2026.",
            "Hope CBO deve confirmar o seu próprio registo (nunca verificado).",
            "Dependem uma da outra através de 1 acordo em vigor, mas a confiança entre elas é de 2,00 em 4 em Round "
            "one."]),
    ("fr", ["Rencontrer Apel Clinic et Atok Circle au sujet de la confiance dans leur protocole d’accord et accord "
            "d’orientation",
            "Elles dépendent l’une de l’autre par 2 accords en vigueur, mais leur confiance mutuelle est de 1,17 sur 4 "
            "dans Partner survey 2026.",
            "Hope CBO devrait confirmer sa propre fiche (jamais vérifiée).",
            "Elles dépendent l’une de l’autre par 1 accord en vigueur, mais leur confiance mutuelle est de 2,00 sur 4 "
            "dans Round one."]),
])
def test_agenda_trust_and_record_sentences(language: None, code: str, expected: list[str]) -> None:
    english = ["Meet Apel Clinic and Atok Circle about trust in their memorandum of understanding and referral "
               "agreement",
               "They depend on each other through 2 agreements in force, but their trust in each other is 1.17 of 4 "
               "in Partner survey 2026.",
               "Hope CBO should confirm its own record (never verified).",
               "They depend on each other through 1 agreement in force, but their trust in each other is 2.00 of 4 in "
               "Round one."]
    use_language(code)
    assert [sentence(text) for text in english] == expected
