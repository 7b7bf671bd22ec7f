"""Every finding explanation on the demo's gaps page in Portuguese: each row a catalog translation of the English
row (its template under the context ``sentence``, its values translated), no English template wording left."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.analysis.words import join
from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.translation import sentence, use_language

_ROW = re.compile(r'<td><span class="badge [^"]*">[^<]*</span></td><td>[^<]*</td>\s*<td>[^<]*</td><td>([^<]*)</td>')


@pytest.fixture(scope="module")
def client(demo_path: Path) -> Iterator[object]:
    store = SQLiteStore(demo_path)
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "findings-languages"}).test_client()
    store.close()


def _explanations(client, lang: str, topic: str = "gaps") -> list[str]:
    page = client.get(f"/findings/{topic}?lang={lang}").get_data(as_text=True)
    client.delete_cookie("lang")
    return [html.unescape(text) for text in _ROW.findall(page)]


def test_every_gap_explanation_is_a_catalog_translation(client) -> None:
    english, portuguese = _explanations(client, "en"), _explanations(client, "pt")
    assert len(english) == len(portuguese) > 80
    kinds = ("stopped working", "cannot refer them", "can refer them", "cannot follow a client home",
             "shares nothing back")
    for kind in kinds:  # the demo shows each kind of finding this test is about
        assert any(kind in text for text in english), kind
    use_language("pt")
    try:
        translated = [sentence(text) for text in english]
    finally:
        use_language(None)
    untranslated = [en for en, pt in zip(english, portuguese, strict=True) if pt == en]
    assert untranslated == []
    assert portuguese == translated
    for kind in (*kinds, " others ", " other services", " steps of ", "; give them", "; agree a referral"):
        assert not any(kind in text for text in portuguese), kind
    assert any(re.search(r" e \d+ outras lá lho ofereçam", text) for text in portuguese)
    assert any(" e 2 outros serviços para " in text for text in portuguese)


def test_a_single_point_of_failure_and_a_one_way_flow_in_french() -> None:
    use_language("fr")
    try:
        cut = sentence(f"If Drop-in Centre stopped working, {join(['Hope CBO', 'Thusong CBO'])} would lose every "
                       "referral route to TB treatment for people with TB and their households; give them a second "
                       "referral partner.")
        one = sentence("1 community organisation sends data to Health Department, which shares nothing back with it: "
                       "agree what it returns to them (analysed results, referral outcomes) so the data serves the "
                       "communities that collect it.")
        steps = sentence("In Vhembe, none of the 2 organisations serving sex workers can refer them to PrEP within 1 "
                         "step of agreements in force, though A, B, C and 2 others there offer it to them; agree a "
                         "referral or MoU with A.")
    finally:
        use_language(None)
    assert cut.startswith("Si Drop-in Centre cessait de fonctionner, Hope CBO et Thusong CBO perdraient toute filière "
                          "d’orientation vers ")
    assert cut.endswith(" ; donnez-leur un deuxième partenaire d’orientation.")
    assert one.startswith("1 organisation communautaire envoie des données à Health Department, qui ne partage rien")
    assert "aucune des 2 organisations qui servent " in steps and " en 1 étape d’accords en vigueur" in steps
    assert "2 autres" in steps and "others" not in steps


def test_counted_findings_and_names_take_the_singular_and_the_others_word() -> None:
    use_language("pt")
    try:
        one = sentence("Resolves 1 uncoordinated overlap and 2 isolated organisations.")
        single = sentence("Resolves 1 single point of failure.")
        others = sentence("Hope CBO and Jane Furse Clinic depend on each other (referral agreement) but rate their "
                          "trust in each other low: 1.50 of 4 in Round one. Talk with both before the agreement is "
                          "needed.")
    finally:
        use_language(None)
    assert one == "Resolve: 1 sobreposição não coordenada e 2 organizações isoladas."
    assert single == "Resolve: 1 ponto único de falha."
    assert "Round one" in others and "depend on" not in others


def test_the_referral_finders_step_notes_in_portuguese(client) -> None:
    def notes(query: str, lang: str) -> list[str]:
        page = client.get(f"/referrals?{query}&lang={lang}").get_data(as_text=True)
        client.delete_cookie("lang")
        return [html.unescape(n) for n in re.findall(r'<span class="note">(.*?)</span>', page)]

    border = ("start=lejweleputswa-ex-mineworkers-association&population=ex_mineworkers"
              "&need=benefit_medical_examination")
    route = ("start=sekhukhune-chrome-diggers-health-project&population=artisanal_miners&need=tb_screening"
             "&need=tb_treatment")
    assert notes(border, "en")[0].startswith("Crosses the border from South Africa into Lesotho under this agreement")
    assert notes(border, "pt")[0].startswith("Atravessa a fronteira de África do Sul para Lesoto ao abrigo deste "
                                             "acordo: dê ao cliente uma carta de transferência")
    assert notes(route, "en") == ["3 of 12 referrals on this route were completed in the last 6 months."]
    assert notes(route, "pt") == ["3 de 12 encaminhamentos nesta rota foram concluídos nos últimos 6 meses."]


def test_language_and_trust_notes_in_french() -> None:
    use_language("fr")
    try:
        speaks = sentence("Speaks Sesotho.")
        interpreter = sentence("Does not list Sesotho among its languages: ask about an interpreter.")
        trust = sentence("Trust on this tie is low (1.17 of 4 in Partner survey 2026 (illustrative)).")
    finally:
        use_language(None)
    assert speaks == "Parle Sesotho."
    assert interpreter == "N’indique pas Sesotho parmi ses langues : demandez un interprète."
    assert trust == "La confiance sur ce lien est faible (1,17 sur 4 dans Partner survey 2026 (illustrative))."


def test_every_duplication_explanation_is_a_catalog_translation(client) -> None:
    english, portuguese = _explanations(client, "en", "duplication"), _explanations(client, "pt", "duplication")
    assert len(english) == len(portuguese) > 150
    for kind in (" both offer ", " all offer ", " funds ", "share no active link or forum", "are linked or share"):
        assert any(kind in text for text in english), kind
        assert not any(kind in text for text in portuguese), kind
    assert [en for en, pt in zip(english, portuguese, strict=True) if pt == en] == []
    assert any(" oferecem ambas " in text and ", mas não partilham nenhuma ligação ativa nem fórum" in text
               for text in portuguese)
    assert any(re.search(r" financia .+ para .+ em ", text) for text in portuguese)
