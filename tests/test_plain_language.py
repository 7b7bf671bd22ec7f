"""Plain language and the printable agenda, in real headless Chromium against a live server on the demo.

No vocabulary code (service, population, organisation kind, link kind,
finding type) may appear as a word in the visible text of the dashboard, a
findings page, an organisation page, an agenda item or the referral finder
after a search: people read labels, codes stay in links and downloads. The
agenda page prints to an A4 PDF holding every item (its print view is saved
as ``artefacts/screenshots/agenda-print.png``).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator

import pytest

from network.analysis.agenda import agenda_weights
from network.analysis.agenda_text import agenda_html
from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.model import vocabulary
from network.pages.labels import label
from network.service import analyses
from tests.http_support import live_server
from tests.test_browser import SHOTS

pytestmark = pytest.mark.browser

_FACETS = ("services", "populations", "organisation_kinds", "link_kinds")
ORGANISATIONS = ["apel-cross-community-clinic", "ubuntu-health-fund", "bloemfontein-harm-reduction-peer-network",
                 "sekhukhune-ex-mineworkers-association"]


def raw_codes() -> dict[str, str]:
    """Every vocabulary code that is not itself a plain word, with its facet.

    A code with no underscore that a label of the vocabulary uses as a word,
    as written or capitalised (``referral``, ``clinic``, ``funding``), reads
    the same as its label and is left out; ``mou``, ``plhiv``, ``art`` (a
    label writes ART), ``prep`` (PrEP), ``tb_screening`` and every finding
    type with an underscore stay.
    """
    voc = vocabulary()
    tables = {facet: dict(getattr(voc, facet)) for facet in _FACETS}
    tables["finding_types"] = {code: words[0] for code, words in agenda_weights()["finding_types"].items()}
    words = {w for table in tables.values() for text in table.values() for w in re.findall(r"\w+", text)}
    return {code: facet for facet, table in tables.items() for code in table
            if "_" in code or not {code, code.capitalize()} & words}


def codes_in(text: str) -> list[str]:
    """The raw codes written as whole words (case as written) in ``text``."""
    return sorted(code for code in raw_codes() if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text))


def test_the_check_knows_the_codes_people_should_not_read() -> None:
    codes = raw_codes()
    assert {"mou", "plhiv", "art", "prep", "tb_screening", "service_overlap", "kp_network",
            "stale_record"} <= set(codes)
    assert not {"referral", "clinic", "funding"} & set(codes)
    assert codes_in("Renew the MoU; plhiv and art, service_overlap") == ["art", "plhiv", "service_overlap"]
    assert codes_in("People living with HIV, ART, starting") == []
    assert all(codes_in(label(code, facet)) == [] for code, facet in codes.items())


@pytest.fixture(scope="module")
def base_url(demo_store: SQLiteStore) -> Iterator[str]:
    app = create_app({"STORE": demo_store, "SECRET_KEY": "plain-language-test"})
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    foreign: list[str] = []
    context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((base_url, "data:")) else None)
    yield context.new_page()
    context.close()
    assert foreign == [], f"requests left the server: {foreign}"


def visible(page: object, path: str, base_url: str) -> str:
    response = page.goto(base_url + path)  # type: ignore[attr-defined]
    assert response.status == 200, path
    return page.evaluate("document.body.innerText")  # type: ignore[attr-defined]


def test_the_dashboard_leads_with_the_agenda(page: object, base_url: str, demo_store: SQLiteStore) -> None:
    text = visible(page, "/", base_url)
    heading = text.index("Agenda: what to do first")
    assert heading < text.index("Agreements lapsing within") < text.index("Top linkage gaps")
    first = analyses.agenda(demo_store)["items"][0]
    assert text.index(first["what"]) < text.index("Agreements lapsing within")
    assert f"Score {first['score']:g}: {first['score_explanation']}" in text
    page.click("#item-1 .why-link a")  # type: ignore[attr-defined]
    assert "it resolves" in page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert page.url.startswith(base_url + "/agenda/item?key=")  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/", "/agenda", "/findings/gaps", "/findings/duplication",
                                  *(f"/organisations/{org}" for org in ORGANISATIONS)])
def test_no_code_in_the_visible_text(page: object, base_url: str, path: str) -> None:
    text = visible(page, path, base_url)
    assert len(text) > 200
    assert codes_in(text) == [], path


def test_no_code_in_an_agenda_item_page(page: object, base_url: str, demo_store: SQLiteStore) -> None:
    for item in analyses.agenda(demo_store)["items"][:20:4]:
        page.goto(base_url + "/agenda")  # type: ignore[attr-defined]
        page.click(f"#item-{item['rank']} .why-link a")  # type: ignore[attr-defined]
        text = page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
        assert item["what"] in text and codes_in(text) == [], item["key"]


def test_no_code_in_the_referral_finder_after_a_search(page: object, base_url: str) -> None:
    page.goto(base_url + "/referrals")  # type: ignore[attr-defined]
    page.select_option("#f-district", "Sekhukhune")  # type: ignore[attr-defined]
    page.select_option("#f-population", "artisanal_miners")  # type: ignore[attr-defined]
    needs = page.locator("select[name=need]")  # type: ignore[attr-defined]
    needs.nth(0).select_option("tb_screening")
    needs.nth(1).select_option("tb_treatment")
    page.check("input[name=include_unlinked]")  # type: ignore[attr-defined]
    page.click("#referral-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#pathways")  # type: ignore[attr-defined]
    text = page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert "Best plan" in text and "TB treatment" in text
    assert codes_in(text) == []
    assert not re.search(r"\bcost\s+\d", text, re.I) and not re.search(r"\bl-\d{4}\b", text)


def pdf_text(pdf: bytes) -> str:
    """The text Chromium drew in ``pdf``, without white space (each glyph through its font's ToUnicode map).

    Enough for Chromium's own PDFs: Type0 fonts with Identity-H encoding, one ``<glyph> Tj`` at a time.
    """
    objects = {int(m[1]): m[2] for m in re.finditer(rb"(?s)(\d+) 0 obj(.*?)endobj", pdf)}

    def stream(number: int) -> bytes:
        found = re.search(rb"(?s)stream\r?\n(.*?)\r?\nendstream", objects[number])
        return zlib.decompress(found[1]) if found else b""

    def to_unicode(number: int) -> dict[bytes, str]:
        cmap, table = stream(number), {}
        for block in re.findall(rb"(?s)beginbfchar(.*?)endbfchar", cmap):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[src.upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"(?s)beginbfrange(.*?)endbfrange", cmap):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = ord(bytes.fromhex(dst.decode()).decode("utf-16-be")[-1])
                for offset in range(int(lo, 16), int(hi, 16) + 1):
                    table[f"{offset:0{len(lo)}X}".encode()] = chr(start + offset - int(lo, 16))
        return table

    fonts = {number: to_unicode(int(found[1])) for number, body in objects.items()
             if b"/Subtype /Type0" in body and (found := re.search(rb"/ToUnicode (\d+) 0 R", body))}
    text = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b", body):
            continue
        names = {n: fonts.get(int(ref), {}) for n, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body)}
        content = stream(int(re.search(rb"/Contents (\d+) 0 R", body)[1]))
        font: dict[bytes, str] = {}
        for name, glyphs in re.findall(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj", content):
            if name:
                font = names.get(name, {})
            else:
                text += [font.get(glyphs[i:i + 4].upper(), "?") for i in range(0, len(glyphs), 4)]
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(text)))  # ligatures (fi, ff) as letters


def test_the_agenda_prints_to_an_a4_pdf_with_every_item(page: object, base_url: str, demo_store: SQLiteStore) -> None:
    items = analyses.agenda(demo_store)["items"]
    page.goto(base_url + "/agenda")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    printed = page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert len(items) == 20 and all(item["what"] in printed for item in items)
    assert not page.is_visible("header.top") and not page.is_visible("#agenda-filters")  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "agenda-print.png"), full_page=True)  # type: ignore[attr-defined]
    pdf = page.pdf(format="A4", prefer_css_page_size=True)  # type: ignore[attr-defined]
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    sizes = {tuple(round(float(v)) for v in box) for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]
    assert 2 <= len(pages) <= 10 and sizes == {(595, 842)}
    drawn = pdf_text(pdf)
    assert "Coordinationagenda" in drawn
    assert all(re.sub(r"\s+", "", item["what"]) in drawn for item in items)


def test_the_standalone_agenda_page_prints_the_same(page: object, demo_store: SQLiteStore) -> None:
    agenda = analyses.agenda(demo_store)
    page.set_content(agenda_html(agenda))  # type: ignore[attr-defined]
    pdf = page.pdf(format="A4", prefer_css_page_size=True)  # type: ignore[attr-defined]
    drawn = pdf_text(pdf)
    assert 2 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 10
    assert all(re.sub(r"\s+", "", item["what"]) in drawn for item in agenda["items"])
