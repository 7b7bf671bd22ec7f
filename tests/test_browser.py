"""The web UI in real headless Chromium against a live waitress server on 127.0.0.1.

Every request a page makes is recorded: none may leave the server. A
script-bearing organisation name must render as text and run nothing. The
dashboard, explorer and referral finder are saved as screenshots in
``artefacts/screenshots/``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from network.api import create_app
from network.graph.sqlite import SQLiteStore
from network.model import Link, Organisation
from network.service import drawing, seed_demo
from network.service.audit import CLI
from network.service.tokens import create_token
from tests.http_support import live_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artefacts" / "screenshots"
SCRIPT_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
#: Aggregate the explorer above this many organisations here, so the demo network shows districts.
AGGREGATE_ABOVE = 100
PAGES = ["/", "/explore", "/explore?ego=xss-org&depth=1", "/organisations/xss-org", "/organisations/hidden-kp",
         "/referrals", "/findings/gaps", "/findings/duplication", "/sign-in"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("browser") / "browser.db")
    seed_demo(s)
    s.upsert([Organisation("xss-org", SCRIPT_NAME, "cbo", province="Limpopo", district="Sekhukhune",
                           services=["tb_screening"], populations=["artisanal_miners"],
                           description=SCRIPT_NAME),
              Organisation("hidden-kp", "Hidden KP Group", "kp_network", province="Limpopo", district="Sekhukhune",
                           sensitive=True, phone="+27 82 555 0177", services=["hiv_testing"])],
             [Link("xss-link", "xss-org", "hidden-kp", "referral", notes=SCRIPT_NAME)])
    yield s
    s.close()


@pytest.fixture(scope="module")
def base_url(store: SQLiteStore) -> Iterator[str]:
    app = create_app({"STORE": store, "SECRET_KEY": "browser-test", "CSSNET_AGGREGATE_ABOVE": AGGREGATE_ABOVE})
    with live_server(app) as url:
        yield url


class Recorder:
    """Every request and uncaught page error seen by one browser context."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []

    def foreign(self, base_url: str) -> list[str]:
        """Requests that did not go to the test server (``data:`` URLs are not requests)."""
        host = urlsplit(base_url).netloc
        return [u for u in self.urls if urlsplit(u).scheme != "data" and urlsplit(u).netloc != host]


@pytest.fixture
def session(browser, base_url) -> Iterator[tuple[object, Recorder]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    recorder = Recorder()
    context.on("request", lambda request: recorder.urls.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: recorder.errors.append(str(error)))
    yield page, recorder
    context.close()


def _until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll ``expression`` in the page until it is true.

    ``page.wait_for_function`` polls with ``eval`` inside the page, which the
    pages' Content-Security-Policy forbids; ``page.evaluate`` does not.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def _click_node(page, node: str) -> None:
    """Click ``node`` as a user would, after centring it so no other node covers it."""
    page.evaluate(f"window.cssnetNetwork.focus('{node}', {{scale: 1.5, animation: false}})")
    at = page.evaluate(f"window.cssnetNetwork.canvasToDOM(window.cssnetNetwork.getPositions(['{node}'])['{node}'])")
    assert page.evaluate(f"window.cssnetNetwork.getNodeAt({{x: {at['x']}, y: {at['y']}}})") == node
    box = page.locator("#network canvas").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def _wait_for_network(page) -> float:
    """Wait until the network is drawn and laid out; return the time of its first drawing."""
    _until(page, "window.cssnetFirstRender !== undefined")
    page.wait_for_selector("#network[data-stable]", state="attached", timeout=30_000)
    return page.evaluate("window.cssnetFirstRender")


#: A point of the node's box (as DOM coordinates of the canvas) where the network finds that node and no other (a
#: neighbour's label may cover its centre, and a node without a title shows no tooltip), the centre if none.
_POINT_ON_NODE = """id => {
    const net = window.cssnetNetwork, box = net.getBoundingBox(id);
    for (const fy of [0.5, 0.35, 0.65, 0.2, 0.8]) {
        for (const fx of [0.5, 0.35, 0.65, 0.2, 0.8]) {
            const at = net.canvasToDOM({x: box.left + (box.right - box.left) * fx,
                                        y: box.top + (box.bottom - box.top) * fy});
            if (net.getNodeAt(at) === id) { return at; }
        }
    }
    return net.canvasToDOM(net.getPositions([id])[id]);
}"""


def _hover_until_tooltip(page, node_id: str, attempts: int = 8) -> None:
    """Point at a node until the explorer shows its tooltip.

    The point is one where the network finds that node (:data:`_POINT_ON_NODE`).
    A single pointer move can land before the canvas listens, while the
    tooltip timer is reset by a redraw, or where the canvas was before the
    page's layout moved it; so each attempt finds the canvas and the point
    again, brings it into the window, leaves it and comes back to it.
    """
    seen = []
    for _ in range(attempts):
        node = page.evaluate(_POINT_ON_NODE, node_id)
        page.evaluate("y => window.scrollBy(0, y)", page.locator("#network canvas").bounding_box()["y"] + node["y"]
                      - page.viewport_size["height"] / 2)
        box = page.locator("#network canvas").bounding_box()
        seen.append((box, node, page.evaluate("at => window.cssnetNetwork.getNodeAt(at) ?? null", node)))
        page.mouse.move(1, 1)
        page.mouse.move(box["x"] + node["x"], box["y"] + node["y"], steps=4)
        try:
            page.wait_for_selector("div.vis-tooltip", state="visible", timeout=1_500)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"no tooltip appeared over {node_id} after {attempts} attempts "
                         f"(canvas box, point, node found there): {seen}")


def test_every_page_loads_only_from_the_server(session, base_url):
    page, recorder = session
    for path in PAGES:
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
        if path.startswith("/explore"):
            _wait_for_network(page)
    assert len(recorder.urls) >= len(PAGES)
    assert recorder.foreign(base_url) == []
    assert recorder.errors == []
    assert page.evaluate("window.__xss") is None


def test_script_bearing_name_renders_as_text(session, base_url):
    page, recorder = session
    page.goto(base_url + "/organisations/xss-org")
    assert page.inner_text("#org-name") == SCRIPT_NAME
    assert page.locator("main img").count() == 0
    page.goto(base_url + "/organisations/hidden-kp")
    assert SCRIPT_NAME in page.inner_text("#org-links")
    page.goto(base_url + "/explore?ego=xss-org&depth=1")
    _wait_for_network(page)
    tip = page.evaluate("window.cssnetNetwork.body.data.nodes.get('xss-org').title.textContent")
    assert tip.startswith(SCRIPT_NAME)
    _hover_until_tooltip(page, "xss-org")
    assert SCRIPT_NAME in page.inner_text("div.vis-tooltip")
    assert page.evaluate("window.__xss") is None
    assert recorder.errors == []


def test_explorer_expands_districts_and_filters(session, base_url):
    page, recorder = session
    page.goto(base_url + "/explore")
    _wait_for_network(page)
    ids = page.evaluate("window.cssnetNetwork.body.data.nodes.getIds()")
    assert len([i for i in ids if i.startswith("cluster:")]) > 5
    assert "xss-org" not in ids
    target = "cluster:Sekhukhune"
    assert not [u for u in recorder.urls if "/explore/members" in u]
    _click_node(page, target)
    _until(page, "window.cssnetNetwork.body.data.nodes.get('xss-org') !== null")
    fetched = [u for u in recorder.urls if "/explore/members" in u]
    assert len(fetched) == 1 and fetched[0].endswith("cluster=Sekhukhune")
    assert page.evaluate(f"window.cssnetNetwork.body.data.nodes.get('{target}')") is None
    page.wait_for_timeout(1500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "explorer.png"))
    page.select_option("#f-province", "Limpopo")
    page.select_option("#f-kind", "clinic")
    page.click("#explorer-filters button[type=submit]")
    page.wait_for_url("**/explore?*province=Limpopo*kind=clinic*")
    _wait_for_network(page)
    shown = int(page.inner_text("#explorer-summary").split()[0])
    assert 0 < shown < AGGREGATE_ABOVE
    assert page.evaluate("window.cssnetNetwork.body.data.nodes.length") == shown
    page.fill("#f-ego", "xss-org")
    page.select_option("#f-kind", "")
    page.click("#explorer-filters button[type=submit]")
    page.wait_for_url("**/explore?*ego=xss-org*")
    _wait_for_network(page)
    assert sorted(page.evaluate("window.cssnetNetwork.body.data.nodes.getIds()")) == ["hidden-kp", "xss-org"]
    assert recorder.foreign(base_url) == []
    assert recorder.errors == []


def test_referral_finder_at_phone_width(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    recorder = Recorder()
    context.on("request", lambda request: recorder.urls.append(request.url))
    page = context.new_page()
    page.goto(base_url + "/referrals")
    page.fill("#f-start", "driekop-artisanal-miners-association")
    page.select_option("#f-population", "artisanal_miners")
    needs = page.locator("#f-need")
    for slot, need in enumerate(["tb_screening", "tb_treatment", "social_grant_linkage"]):
        needs.nth(slot).select_option(need)
    page.click("#referral-form button[type=submit]")
    page.wait_for_selector("#pathways")
    first_pathway = page.locator("#pathways > li").first.locator("ol.steps > li")
    assert first_pathway.count() >= 3
    assert "Via Referral" in first_pathway.nth(1).inner_text()
    assert "Social grant" in page.inner_text("#pathways")
    steps = page.locator("#pathways ol.steps > li")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = steps.first.bounding_box()
    assert first["x"] >= 0 and first["x"] + first["width"] <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "referral-finder.png"), full_page=True)
    assert recorder.foreign(base_url) == []
    context.close()


def test_dashboard_screenshot(session, base_url):
    page, recorder = session
    page.goto(base_url + "/")
    assert page.locator("table#lapsing").count() == 1
    assert page.locator("table.findings tbody tr").count() >= 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=False)
    readme_shot = ROOT / "docs" / "screenshot.png"
    if not readme_shot.exists():
        readme_shot.parent.mkdir(exist_ok=True)
        shutil.copyfile(SHOTS / "dashboard.png", readme_shot)
    assert recorder.foreign(base_url) == []


def test_editor_sees_field_level_errors_then_saves(session, base_url, store):
    page, recorder = session
    secret = create_token(store, "browser editor", "editor", actor=CLI)[1]
    page.goto(base_url + "/sign-in")
    page.fill("#f-token", secret)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(base_url + "/")
    page.goto(base_url + "/edit/organisation")
    page.fill("#f-id", "browser-made")
    page.fill("#f-name", "Made In The Browser")
    page.select_option("#f-kind", "cbo")
    page.fill("#f-email", "not-an-email")
    page.click("#edit-form button[type=submit]")
    error = page.locator('[data-error-for="email"]')
    error.wait_for(state="visible")
    assert "email" in error.inner_text().lower()
    page.fill("#f-email", "office@made.example.org")
    page.click("#edit-form button[type=submit]")
    page.wait_for_url(base_url + "/organisations/browser-made")
    assert page.inner_text("#org-name") == "Made In The Browser"
    assert store.get_organisation("browser-made").email == "office@made.example.org"
    assert recorder.foreign(base_url) == []
    assert recorder.errors == []


def test_standalone_file_opens_offline(browser, store, tmp_path):
    out = tmp_path / "network.html"
    out.write_text(drawing.page(store, {"district": "Sekhukhune"}, redacted=True)[0], encoding="utf-8")
    context = browser.new_context()
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page = context.new_page()
    page.goto(out.as_uri())
    _wait_for_network(page)
    assert page.evaluate("window.cssnetNetwork.body.data.nodes.get('xss-org').label") == SCRIPT_NAME[:38] + "…"
    assert page.evaluate("window.__xss") is None
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []
    context.close()


def test_served_drawing_runs_under_its_content_security_policy(session, base_url):
    """/api/v1/visual/network lets only its own inline scripts run (by hash), and still draws."""
    page, recorder = session
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    response = page.goto(base_url + "/api/v1/visual/network?district=Sekhukhune")
    assert "'sha256-" in response.headers["content-security-policy"]
    _wait_for_network(page)
    assert page.evaluate("window.__xss") is None
    assert violations == [] and recorder.errors == [] and recorder.foreign(base_url) == []
