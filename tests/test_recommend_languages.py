"""Recommended links in Portuguese and French: each explanation and reason is made from templates (N_) the
catalogs translate, so the coordination report reads in the caller's language (its English is unchanged:
tests/test_recommend.py). Known answers on tests/test_recommend.py's Waterberg network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from network.analysis.recommend import Recommendation, recommend_links
from network.graph.project import build_graph
from network.model import Link
from network.translation import sentence, use_language
from tests.test_recommend import AS_OF, org, waterberg


@pytest.fixture
def language() -> Iterator[None]:
    yield
    use_language(None)


def _recommendations() -> list[Recommendation]:
    """Hope -> Sizwe in Waterberg; the same with Sizwe in Capricorn (134 km) and the Mine Health Unit closed;
    an MoU between Kgotso and Lesedi, each needing the other."""
    mutual = build_graph([org("kgotso", ["tb_treatment", "hiv_testing"]), org("lesedi", ["tb_screening", "art"])],
                         [Link("c1", "kgotso", "lesedi", "coordination")])
    return [recommend_links(G, as_of=AS_OF)[0] for G in (
        waterberg(), waterberg(sizwe={"district": "Capricorn"}, mhu={"status": "inactive"}), mutual)]


EXPECTED = {
    "pt": [
        ("Estabelecer um acordo de encaminhamento de Hope CBO para Sizwe Clinic; isso permitiria dar a Hope CBO uma "
         "rota para terapia antirretroviral, dar a Hope CBO uma rota para tratamento da TB e pôr terapia "
         "antirretroviral ao alcance de mineiros em Waterberg.",
         "fecha 2 lacunas de cascata de cuidados interrompida; fecha 1 lacuna de serviço fora de alcance; mesmo "
         "distrito (Waterberg)"),
        ("Estabelecer um acordo de encaminhamento de Hope CBO para Sizwe Clinic; isso permitiria dar a Hope CBO uma "
         "rota para terapia antirretroviral, dar a Hope CBO uma rota para tratamento da TB, ligar mineiros em "
         "Waterberg a terapia antirretroviral, que ninguém lá lhes oferece e fechar outra lacuna.",
         "fecha 2 lacunas de cascata de cuidados interrompida; fecha 2 lacunas de serviço em falta; a 134 km de "
         "distância"),
        ("Assinar um memorando de entendimento entre Kgotso e Lesedi; isso permitiria dar a Kgotso uma rota para "
         "terapia antirretroviral e dar a Lesedi uma rota para tratamento da TB.",
         "fecha 2 lacunas de cascata de cuidados interrompida; mesmo distrito (Waterberg)"),
    ],
    "fr": [
        ("Conclure un accord d’orientation de Hope CBO vers Sizwe Clinic ; cela permettrait de donner à Hope CBO une "
         "filière vers traitement antirétroviral, donner à Hope CBO une filière vers traitement de la TB et mettre "
         "traitement antirétroviral à la portée de mineurs à Waterberg.",
         "comble 2 lacunes de cascade de soins rompue ; comble 1 lacune de service hors de portée ; même district "
         "(Waterberg)"),
        ("Conclure un accord d’orientation de Hope CBO vers Sizwe Clinic ; cela permettrait de donner à Hope CBO une "
         "filière vers traitement antirétroviral, donner à Hope CBO une filière vers traitement de la TB, relier "
         "mineurs à Waterberg à traitement antirétroviral, que personne ne leur offre sur place et combler 1 autre "
         "lacune.",
         "comble 2 lacunes de cascade de soins rompue ; comble 2 lacunes de service absent ; à 134 km l’une de "
         "l’autre"),
        ("Signer un protocole d’accord entre Kgotso et Lesedi ; cela permettrait de donner à Kgotso une filière vers "
         "traitement antirétroviral et donner à Lesedi une filière vers traitement de la TB.",
         "comble 2 lacunes de cascade de soins rompue ; même district (Waterberg)"),
    ],
}


@pytest.mark.parametrize("code", ["pt", "fr"])
def test_recommendations_in_portuguese_and_french(language: None, code: str) -> None:
    found = _recommendations()
    use_language(code)
    assert [(sentence(r.explanation), sentence("; ".join(r.reasons))) for r in found] == EXPECTED[code]


def test_cross_border_reasons_in_portuguese(language: None) -> None:
    use_language("pt")
    assert sentence("crosses the border from South Africa into Mozambique; Chokwe Clinic keeps both TB treatment "
                    "and compensation claims going") == (
        "atravessa a fronteira de África do Sul para Moçambique; Chokwe Clinic assegura a continuidade tanto do "
        "tratamento da TB como dos pedidos de indemnização")
