"""The referral finder and the referral slip in Sesotho, isiZulu, isiXhosa and Sepedi: the pathway steps' sentences
and notes are the catalogs' drafts (for a native speaker's review), not English (Flask test client, real SQLite
files)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.language import FINDER_ONLY
from network.model import Link, Organisation
from network.translation import sentence, use_language
from seed import catalogs
from tests.api_support import Env, network_file, send_referral_form, signed_in_page

#: Hope CBO (speaks Sesotho and English) screens mineworkers for TB and refers them to Jane Furse Clinic (17 km
#: east; speaks Sepedi and English) for treatment along a referral agreement, and to Rights and Justice Centre
#: (speaks Sesotho and isiZulu) for legal aid along an MoU.
NETWORK = (
    [Organisation("hope", "Hope CBO", "cbo", province="Limpopo", district="Sekhukhune", latitude=-24.75,
                  longitude=29.70, services=["tb_screening"], populations=["mineworkers"], languages=["st", "en"]),
     Organisation("clinic", "Jane Furse Clinic", "clinic", province="Limpopo", district="Sekhukhune",
                  latitude=-24.75, longitude=29.87, services=["tb_treatment"], phone="+27 13 265 0000",
                  languages=["nso", "en"]),
     Organisation("rights", "Rights and Justice Centre", "ngo", province="Limpopo", district="Sekhukhune",
                  services=["legal_aid"], populations=["mineworkers"], languages=["st", "zu"])],
    [Link("r1", "hope", "clinic", "referral", formal=True), Link("m1", "hope", "rights", "mou", formal=True)],
)
QUERY = "population=mineworkers&need=tb_screening&need=tb_treatment&need=legal_aid&start=hope"

#: The steps' notes on the finder page, for a client speaking the page's language.
NOTES = {
    "st": ["E bua Sesotho.", "Ha e bontshe Sesotho hara dipuo tsa yona: botsa ka mofetoledi.", "E bua Sesotho."],
    "zu": ["Ayibhali isiZulu phakathi kwezilimi zayo: buza ngomhumushi.",
           "Ayibhali isiZulu phakathi kwezilimi zayo: buza ngomhumushi.", "Ikhuluma isiZulu."],
}
#: The steps' whole sentences (the API's ``explanation``), for a client speaking the answer's language.
STEPS = {
    "st": ["Qala ho Hope CBO bakeng sa tlhahlobo ya TB. E bua Sesotho.",
           "Hope CBO e romela motho ho Jane Furse Clinic bakeng sa kalafo ya TB, ka tumellano ya yona ya phetisetso "
           "r1, 17 km hole. Dintlha tsa ho ikopanya: mohala +27 13 265 0000. Ha e bontshe Sesotho hara dipuo tsa "
           "yona: botsa ka mofetoledi.",
           "Hope CBO e romela motho ho Rights and Justice Centre bakeng sa thuso ya molao, ka tumellano ya bona ya "
           "kutlwisiso m1. E bua Sesotho."],
    "zu": ["Qala ku-Hope CBO ukuze uthole ukuhlolelwa i-TB. Ayibhali isiZulu phakathi kwezilimi zayo: buza "
           "ngomhumushi.",
           "Hope CBO idlulisela umuntu ku-Jane Furse Clinic ukuze athole ukwelashwa kwe-TB, ngesivumelwano sayo "
           "sokudlulisela r1, ebangeni elingu-17 km. Xhumana: ucingo +27 13 265 0000. Ayibhali isiZulu phakathi "
           "kwezilimi zayo: buza ngomhumushi.",
           "Hope CBO idlulisela umuntu ku-Rights and Justice Centre ukuze athole usizo lwezomthetho, ngesivumelwano "
           "sabo sokuqondana m1. Ikhuluma isiZulu."],
    "nso": ["Thoma go Hope CBO go hwetša tlhahlobo ya TB. Ga e bontšhe Sepedi gare ga maleme a yona: botšiša ka "
            "mofetoledi.",
            "Hope CBO e romela motho go Jane Furse Clinic go hwetša kalafo ya TB, ka tumelelano ya yona ya "
            "phetišetšo r1, 17 km kgole. Dintlha tša kgokagano: mogala +27 13 265 0000. E bolela Sepedi.",
            "Hope CBO e romela motho go Rights and Justice Centre go hwetša thušo ya semolao, ka tumelelano ya bona "
            "ya kwešišo m1. Ga e bontšhe Sepedi gare ga maleme a yona: botšiša ka mofetoledi."],
}
#: Words of the English step templates and notes that no translated step may keep.
ENGLISH_WORDS = ("Start at", "refers the client", "through", "km away", "Contact:", "phone", "Speaks",
                 "Does not list", "interpreter", "No agreement yet", "same district")
_TAG = re.compile(r"<[^>]+>")


def _finder_english() -> list[str]:
    """The English finder messages a page shows as they are (no placeholders), of two words or more."""
    with catalogs._po_path("en").open("rb") as handle:
        english = read_po(handle, locale="en")
    return sorted({m.id for m in catalogs.finder(english) if isinstance(m.id, str) and "%(" not in m.id
                   and len(m.id.split()) > 1})


def _visible(page: str) -> str:
    body = page.split("<body", 1)[1]
    return html.unescape(_TAG.sub(" ", re.sub(r"<script.*?</script>", " ", body, flags=re.S)))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    store = SQLiteStore(network_file(tmp_path_factory.mktemp("finder") / "finder.db", NETWORK))
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "finder-languages"}).test_client()
    store.close()


def _finder(client: FlaskClient, lang: str) -> str:
    page = client.get(f"/referrals?{QUERY}&language={lang}&lang={lang}")
    client.delete_cookie("lang")
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["st", "zu"])
def test_the_finder_shows_its_steps_notes_in_the_language_and_no_english(client: FlaskClient, lang: str) -> None:
    page = _finder(client, lang)
    notes = [html.unescape(n) for n in re.findall(r'<span class="note">(.*?)</span>', page)]
    assert notes == NOTES[lang]
    assert not [n for n in notes for word in ENGLISH_WORDS if word in n]
    text = _visible(page)
    assert "Hope CBO" in text and "Jane Furse Clinic" in text and "Rights and Justice Centre" in text
    assert [english for english in _finder_english() if english in text] == []


def test_the_english_finder_shows_the_english_notes(client: FlaskClient) -> None:
    page = _finder(client, "en")
    notes = [html.unescape(n) for n in re.findall(r'<span class="note">(.*?)</span>', page)]
    assert len([english for english in _finder_english() if english in _visible(page)]) > 10, "the check has teeth"
    assert notes == ["Speaks English.", "Speaks English.",
                     "Does not list English among its languages: ask about an interpreter."]


@pytest.mark.parametrize("lang", ["st", "zu", "nso"])
def test_a_pathway_answer_says_each_step_in_the_finder_language(client: FlaskClient, lang: str) -> None:
    query = QUERY.replace("need=", "needs=")
    body = client.get(f"/api/v1/analysis/pathways?{query}&language={lang}", headers={"Accept-Language": lang})
    steps = [step["explanation"] for step in body.get_json()["items"][0]["steps"]]
    assert steps == STEPS[lang]
    assert not [s for s in steps for word in ENGLISH_WORDS if word in s]


@pytest.mark.parametrize("lang", FINDER_ONLY)
def test_every_step_template_has_a_draft_in_each_finder_language(lang: str) -> None:
    use_language(lang)
    try:
        proposed = sentence("No agreement yet: ask Hope CBO to refer the client to Jane Furse Clinic, which passes "
                            "the client on, in the same district, 17 km away.")
        border = sentence("Crosses the border from South Africa into Lesotho under this agreement: give the client "
                          "a transfer letter with their treatment record and any compensation claim number, so care "
                          "continues.")
        route = sentence("3 of 12 referrals on this route were completed in the last 6 months.")
    finally:
        use_language(None)
    for said in (proposed, border, route):
        assert not [word for word in ENGLISH_WORDS + ("Crosses", "referrals on this route") if word in said]
    assert "Hope CBO" in proposed and "Jane Furse Clinic" in proposed and "17 km" in proposed
    assert "Lesotho" in border and "3" in route and "12" in route and "6" in route


def test_the_check_lists_every_pathway_rule_note() -> None:
    notes = catalogs.step_notes()
    assert "Speaks %(language)s." in notes
    assert "Trust on this tie is low (%(trust)s of 4 in %(survey)s)." in notes
    assert "%(completed)s of %(referrals)s referrals on this route were completed in the last %(months)s " \
           "months." in notes
    assert any(n.startswith("Crosses the border from %(here)s into %(there)s under this agreement") for n in notes)
    assert catalogs.lacking() == []


def test_a_finder_language_lacking_a_step_template_fails_the_check() -> None:
    catalog = catalogs.merged("zu", catalogs.template())
    start = catalog.get("Start at %(name)s.", context="sentence")
    assert start.string == "Qala ku-%(name)s."
    start.string = ""
    assert catalogs.unreviewed("zu", catalog) == ["zu: untranslated: 'Start at %(name)s.'"]
    start.string = "Qala ku-%(name)s."
    start.user_comments.remove(catalogs.REVIEW)
    assert catalogs.unreviewed("zu", catalog) == [f"zu: not marked '{catalogs.REVIEW}': 'Start at %(name)s.'"]
    assert catalogs.unreviewed("pt", catalog) == []
    catalog.delete("Not a valid boolean.")
    assert catalogs.unreviewed("zu", catalog)[0] == ("zu: FINDER_MESSAGES names a message no longer in the catalogs: "
                                                     "'Not a valid boolean.'")


@pytest.mark.parametrize(("lang", "words"), [
    ("xh", {"Referral slip": "Isiliphu sokuthunyelwa", "Where to go": "Apho uya khona", "Sign out": "Phuma",
            "Agenda": "Uluhlu lwemisebenzi"}),
    ("nso", {"Referral slip": "Lengwalo la phetišetšo", "Where to go": "Mo o yago gona", "Sign out": "Tšwa",
             "Agenda": "Lenaneo la mešomo"}),
])
def test_the_referral_slip_in_isixhosa_and_sepedi(env: Env, lang: str, words: dict[str, str]) -> None:
    client, csrf = signed_in_page(env, "referrer", "cbo-b")
    sent = send_referral_form(client, csrf, to="clinic-a", need="tb_treatment", population="mineworkers",
                              link="l-ref-1")
    slip = client.get(sent.headers["Location"] + f"?lang={lang}").get_data(as_text=True)
    code = env.store.list_referrals().items[0].code
    assert f'id="slip-code">{code}<' in slip and f'<html lang="{lang}">' in slip
    for english, translated in words.items():
        assert translated in slip, english
    text = _visible(slip)
    assert [english for english in _finder_english() if english in text] == []


def test_the_finder_refuses_a_bad_question_by_its_labels_in_st_zu_pt_and_fr(client: FlaskClient) -> None:
    def problems(lang: str) -> list[str]:
        page = client.get(f"/referrals?district=Nowhere&population=xx&need=yy&language=zz&include_unlinked=maybe"
                          f"&lang={lang}")
        client.delete_cookie("lang")
        assert page.status_code == 422
        return [html.unescape(p) for p in re.findall(r'<p class="flash error">(.*?)</p>', page.get_data(as_text=True))]

    assert problems("st") == [
        "Setereke: Khoutu e sa tsejweng ya setereke: 'Nowhere'.",
        "Kenyelletsa bafani ba so hokahanngweng: Ha se karabo e nepahetseng ya 'e' kapa 'tjhe'.",
        "Puo ya motho: Puo e sa tsejweng 'zz': fana ka khoutu e kang st, zu kapa pt, kapa lebitso la yona (Sesotho, "
        "isiZulu, Português).",
        "Tlhoko 1: Khoutu e sa tsejweng ya tshebeletso: 'yy'.",
        "Sehlopha sa batho: Khoutu e sa tsejweng ya sehlopha sa batho: 'xx'."]
    assert problems("zu") == [
        "Isifunda: Ikhodi engaziwa (isifunda): 'Nowhere'.",
        "Faka abahlinzeki abangakaxhunyaniswa: Akuyona impendulo efanele ethi 'yebo' noma 'cha'.",
        "Ulimi lomuntu: Ulimi olungaziwa 'zz': nikeza ikhodi efana ne-st, zu noma pt, noma igama lalo (Sesotho, "
        "isiZulu, Português).",
        "Isidingo 1: Ikhodi engaziwa (isevisi): 'yy'.",
        "Iqembu labantu: Ikhodi engaziwa (iqembu labantu): 'xx'."]
    assert problems("pt")[::3] == ["Distrito: Código desconhecido para distrito: 'Nowhere'.",
                                   "Necessidade 1: Código desconhecido para serviço: 'yy'."]
    assert problems("fr")[::3] == ["District : Code inconnu pour district : « Nowhere ».",
                                   "Besoin 1 : Code inconnu pour service : « yy »."]


@pytest.fixture(scope="module")
def demo(demo_path) -> Iterator[FlaskClient]:
    store = SQLiteStore(demo_path)
    yield create_app({"STORE": store, "TESTING": True, "SECRET_KEY": "finder-languages-demo"}).test_client()
    store.close()


def test_the_demo_finders_border_and_route_notes_in_sesotho_and_isizulu(demo: FlaskClient) -> None:
    def notes(query: str, lang: str) -> list[str]:
        page = demo.get(f"/referrals?{query}&lang={lang}").get_data(as_text=True)
        demo.delete_cookie("lang")
        assert [english for english in _finder_english() if english in _visible(page)] == []
        return [html.unescape(n) for n in re.findall(r'<span class="note">(.*?)</span>', page)]

    border = ("start=lejweleputswa-ex-mineworkers-association&population=ex_mineworkers"
              "&need=benefit_medical_examination")
    route = ("start=sekhukhune-chrome-diggers-health-project&population=artisanal_miners&need=tb_screening"
             "&need=tb_treatment")
    assert notes(border, "st") == [
        "E tshela moedi ho tloha Afrika Borwa ho ya Lesotho ka tumellano ena: fa motho lengolo la phetisetso le nang "
        "le rekoto ya kalafo ya hae le nomoro efe kapa efe ya kopo ya matshediso, hore tlhokomelo e tswele pele."]
    assert notes(border, "zu") == [
        "Iwela umngcele isuka e-Ningizimu Afrika iya e-Lesotho ngaphansi kwalesi sivumelwano: nika umuntu incwadi "
        "yokudluliselwa enerekhodi yokwelashwa kwakhe kanye nanoma iyiphi inombolo yesicelo sesinxephezelo, ukuze "
        "ukunakekelwa kuqhubeke."]
    assert notes(route, "st") == ["Diphetisetso tse 3 ho tse 12 tseleng ena di phethilwe dikgweding tse 6 tse "
                                  "fetileng."]
    assert notes(route, "zu") == ["Ukudluliselwa oku-3 kokungu-12 kulo mzila kuqediwe ezinyangeni ezi-6 ezedlule."]
