"""Time to first render of the network explorer, measured in headless Chromium.

    python -m bench.render                      # the demo network and 10,000 organisations
    python -m bench.render --sizes 2000 --runs 3

For each network a live waitress server on 127.0.0.1 serves a SQLite store;
Chromium opens ``/explore`` and the page reports ``performance.now()`` at
vis-network's first ``afterDrawing`` (milliseconds since navigation started:
server time, transfer, parsing, layout and the first drawing). The first
visit is cold (the store is projected and analysed), later ones warm (cached).
Also timed: the explorer filtered to one province, opening the largest
district of a grouped explorer (its members are fetched on click), and the
standalone ``cssnet viz`` file opened from disk. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.generate import generate_network
from bench.run import figure, size_of
from network.api import create_app
from network.api.serve import serving_in_thread
from network.graph.sqlite import SQLiteStore
from network.service import drawing, seed_demo

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGE_TIMEOUT_S = 300


def main() -> None:
    """Parse options, build each network, time the explorer and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000],
                        help="generated network sizes (organisations) besides the demo network")
    parser.add_argument("--runs", type=int, default=3, help="warm visits per page (default 3)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo network")
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian 'chromium' is not installed.")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        networks = ([] if args.no_demo else ["demo"]) + [str(n) for n in args.sizes]
        print(f"{'network':>8} {'orgs':>6} {'links':>6}  {'page':<28} {'cold ms':>8} {'warm ms':>8} "
              f"{'drawn':>6}  {'KB':>6}")
        for name in networks:
            store = _store(Path(tmp) / f"{name}.db", name)
            _measure(browser, store, name, Path(tmp), args.runs)
            store.close()
        browser.close()


def _store(path: Path, name: str) -> SQLiteStore:
    store = SQLiteStore(path)
    if name == "demo":
        seed_demo(store)
    else:
        store.upsert(*generate_network(int(name), links_per_org=10, seed=1))
    return store


def _measure(browser, store: SQLiteStore, name: str, tmp: Path, runs: int) -> None:
    counts = store.counts()
    orgs, links = sum(counts["organisations_by_kind"].values()), sum(counts["links_by_kind"].values())
    biggest = max((p for p in counts["organisations_by_province"] if p != "none"),
                  key=lambda p: counts["organisations_by_province"][p])
    with _serve(store) as base:
        for label, path in (("/explore", "/explore"), (f"/explore?province={biggest}",
                                                       f"/explore?province={biggest.replace(' ', '+')}")):
            cold, drawn, size = _visit(browser, base + path)
            warm = [_visit(browser, base + path)[0] for _ in range(runs)]
            print(f"{name:>8} {orgs:>6} {links:>6}  {label[:28]:<28} {cold:>8.0f} {statistics.median(warm):>8.0f} "
                  f"{drawn:>6} {size / 1024:>6.0f}")
            figure(f"first drawing of {label} ({name}), cold / warm", size_of(orgs, links),
                   f"{cold:.0f} / {statistics.median(warm):.0f} ms")
        opened = _open_district(browser, base + "/explore")
        if opened is not None:
            district, members, ms = opened
            print(f"{name:>8} {orgs:>6} {links:>6}  {'open ' + district + ' (' + str(members) + ' orgs)':<28} "
                  f"{'':>8} {ms:>8.0f}")
            figure(f"open the largest district of /explore ({name}, {members} orgs)", size_of(orgs, links),
                   f"{ms:.0f} ms")
    out = tmp / f"{name}.html"
    started = time.perf_counter()
    out.write_text(drawing.page(store, {}, redacted=True)[0], encoding="utf-8")  # what cssnet viz writes
    written = (time.perf_counter() - started) * 1000
    opened = [_visit(browser, out.as_uri())[0] for _ in range(runs)]
    print(f"{name:>8} {orgs:>6} {links:>6}  {'viz file (write ' + format(written, '.0f') + ' ms)':<28} "
          f"{'':>8} {statistics.median(opened):>8.0f} {'':>6} {out.stat().st_size / 1024:>6.0f}")
    figure(f"cssnet viz file ({name}), write / first drawing", size_of(orgs, links),
           f"{written:.0f} / {statistics.median(opened):.0f} ms")


def _visit(browser, url: str) -> tuple[float, int, int]:
    """Open ``url`` in a fresh context; return ms to first drawing, nodes drawn and page bytes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, timeout=PAGE_TIMEOUT_S * 1000)
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while page.evaluate("window.cssnetFirstRender === undefined"):
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not draw within {PAGE_TIMEOUT_S} s")
        page.wait_for_timeout(20)
    first = page.evaluate("window.cssnetFirstRender")
    drawn = page.evaluate("window.cssnetNetwork.body.data.nodes.length")
    size = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize")
    context.close()
    return first, drawn, size


def _open_district(browser, url: str) -> tuple[str, int, float] | None:
    """Open ``url``, click its largest district; return it, its size and ms until its members are drawn.

    None when the page is not grouped into districts.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, timeout=PAGE_TIMEOUT_S * 1000)
    page.wait_for_selector("#network[data-stable]", state="attached", timeout=PAGE_TIMEOUT_S * 1000)
    clusters = page.evaluate("JSON.parse(document.getElementById('network-data').textContent).clusters")
    if not clusters:
        context.close()
        return None
    biggest = max(clusters, key=lambda c: c["count"])
    before = page.evaluate("window.cssnetNetwork.body.data.nodes.length")
    started = time.perf_counter()
    page.evaluate("id => { window.cssnetNetwork.body.emitter.emit('click', {nodes: [id], edges: []}); }",
                  "cluster:" + biggest["id"])
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while page.evaluate("n => window.cssnetNetwork.body.data.nodes.length <= n", before):
        if time.monotonic() > deadline:
            raise SystemExit(f"{biggest['id']} did not open within {PAGE_TIMEOUT_S} s")
        page.wait_for_timeout(20)
    elapsed = (time.perf_counter() - started) * 1000
    context.close()
    return biggest["id"], biggest["count"], elapsed


@contextmanager
def _serve(store: SQLiteStore) -> Iterator[str]:
    with serving_in_thread(create_app({"STORE": store})) as base:
        yield base


if __name__ == "__main__":
    main()
