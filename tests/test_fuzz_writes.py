"""A stateful fuzz of the write paths over HTTP on 127.0.0.1, as editors and admins, with hostile values.

A waitress server (a thread, a free loopback port) serves an app on a real
SQLite store holding the small test network. A hypothesis state machine
creates, replaces, changes and deletes organisations and links with real
ids and ETags, imports files (the store's own exports and generated CSV and
JSON files), merges records and makes tokens, each kind of write in turn. Most bodies are valid, so the
writes succeed; a few fields of each are replaced by hostile values: lone
surrogates, NUL and control characters, whitespace-only text, formula
prefixes, huge numbers, deep nesting, long strings, wrong types.

Every response is recorded, none raising: the tests then check that no call
failed with a 5xx, that every write operation of the OpenAPI document
succeeded at least once (the counts are printed), and that whatever the API
accepted breaks neither the pages, nor any export format, nor a restore of
an export into a fresh store. Bounded by a step count and a wall-clock
budget, so the whole file takes well under a minute.

The values are in ``tests/fuzz_values.py``, the writes in ``tests/fuzz_record_writes.py`` and
``tests/fuzz_workflow_writes.py`` (taken in turn by ``tests/fuzz_machine.py``), the checks' helpers in
``tests/fuzz_checks.py``.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.api_support import Env
from tests.fuzz_checks import (
    HOSTILE_QUERY,
    PAGE_FUZZ,
    SIGNED_IN_PAGES,
    api_urls,
    cookie_text,
    page_parameters,
    page_urls,
    restore_and_compare,
    restored,
    signed_in,
)
from tests.fuzz_live import TIMEOUT, Record
from tests.fuzz_machine import Fuzzed, run_fuzz
from tests.fuzz_values import HOSTILE_TEXT
from tests.http_support import zip_members


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """The fuzz run, once for the module; the server keeps serving for the checks after it."""
    yield from run_fuzz(tmp_path_factory.mktemp)


def test_hostile_values_never_fail_a_record_write(fuzzed: Fuzzed) -> None:
    """Organisation, link, import and merge writes with hostile values in readable JSON: never a 5xx."""
    record = fuzzed.live.record
    assert sum(record.calls.values()) >= 150, record.summary()
    assert record.record_failures == [], record.summary() + "\n" + "\n".join(record.record_failures[:30])


def test_anonymous_and_viewer_writes_are_always_refused(fuzzed: Fuzzed) -> None:
    record = fuzzed.live.record
    tried = sum(n for op, n in record.calls.items() if op.endswith((" as anonymous", " as viewer")))
    assert tried >= 10 and record.escalations == [], "\n".join(record.escalations)


def test_every_write_operation_succeeds_at_least_once(fuzzed: Fuzzed) -> None:
    live = fuzzed.live
    operations = live.write_operations | {f"import {fmt}" for fmt in live.import_formats}
    missing = {op for op in operations if live.record.successes[op] == 0}
    assert missing == set(), live.record.summary()

def test_pages_and_reads_still_answer_after_the_fuzz(fuzzed: Fuzzed) -> None:
    live = fuzzed.live
    orgs, links = live.ids("organisations"), live.ids("links")
    urls = page_urls(live, orgs, links) + api_urls(live, orgs)
    broken = []
    for role in (None, "admin"):
        for url in urls:
            if url.startswith(SIGNED_IN_PAGES) and role is None:
                continue
            response = requests.get(live.base + url, headers=live.headers(role), timeout=TIMEOUT)
            if response.status_code != 200 and not (url.startswith("/api/v1/") and response.status_code in (401, 403)):
                broken.append(f"{role or 'anonymous'} GET {url} -> {response.status_code} {response.text[:150]!r}")
    print(f"\n{len(urls)} page and read URLs after the fuzz, {len(broken)} broken")
    assert broken == [], "\n".join(broken[:40])


def test_every_export_format_still_answers_after_the_fuzz(fuzzed: Fuzzed) -> None:
    live = fuzzed.live
    broken = []
    for role, fmt in ((r, f) for r in (None, "viewer", "admin") for f in live.export_formats):
        response = requests.get(f"{live.base}/api/v1/export?format={fmt}", headers=live.headers(role), timeout=TIMEOUT)
        if response.status_code != 200 or not response.content:
            broken.append(f"{role or 'anonymous'} export {fmt} -> {response.status_code} {response.text[:150]!r}")
        elif fmt in ("csv", "hsds", "xlsx") and not zip_members(response.content):
            broken.append(f"{role or 'anonymous'} export {fmt}: not a zip")
    assert len(live.export_formats) >= 7
    assert broken == [], "\n".join(broken)


def test_an_export_restores_into_a_fresh_store(fuzzed: Fuzzed, tmp_path: Path) -> None:
    live = fuzzed.live
    expected = (len(live.ids("organisations")), len(live.ids("links")))
    refused = []
    for fmt in live.import_formats:
        with restored(live, fmt, tmp_path / f"restore-{fmt}.db") as (_, _, response):
            if response.status_code != 200:
                refused.append(f"{fmt}: {response.status_code} {response.text[:600]}")
                continue
            body = response.json()
            restored_counts = (body["organisations_created"], body["links_created"])
            if restored_counts != expected:
                refused.append(f"{fmt}: restored {restored_counts}, the store holds {expected}")
    assert refused == [], "\n".join(refused)


def test_pages_with_hostile_query_parameters_never_fail(fuzzed: Fuzzed) -> None:
    live = fuzzed.live
    pages = ["/", "/explore", "/explore/members", "/referrals", "/findings/gaps", "/findings/duplication", "/sign-in"]
    names = page_parameters(live, pages)
    assert {"district", "population", "need"} <= set(names)
    record = Record()

    @PAGE_FUZZ
    @given(page=st.sampled_from(pages), query=st.lists(st.tuples(st.sampled_from(names), HOSTILE_QUERY), max_size=4),
           path_id=HOSTILE_TEXT, role=st.sampled_from([None, "admin"]))
    def check(page: str, query: list[tuple[str, str]], path_id: str, role: str | None) -> None:
        text = "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v.encode('utf-8', 'surrogatepass'))}"
                        for k, v in query)
        quoted_id = urllib.parse.quote(path_id.encode("utf-8", "surrogatepass"), safe="")
        for url in (f"{page}?{text}", f"/organisations/{quoted_id}", f"/findings/{quoted_id}",
                    f"/edit/organisation/{quoted_id}"):
            record.calls[url.split("?")[0] if url.startswith(page) else url.rsplit("/", 1)[0]] += 1
            response = requests.get(live.base + url, headers=live.headers(role), timeout=TIMEOUT)
            record.statuses[response.status_code] += 1
            if response.status_code >= 500:
                record.failures.append(f"{role or 'anonymous'} GET {url[:300]} -> {response.status_code}")

    check()
    print(f"\npage fuzz: {sum(record.calls.values())} requests, statuses {dict(sorted(record.statuses.items()))}")
    assert record.failures == [], "\n".join(record.failures[:30])

def test_a_restored_export_holds_the_same_records(fuzzed: Fuzzed, tmp_path: Path) -> None:
    """Every value the API accepted survives an export and an import in each lossless format, as it was.

    (Floats to 14 significant digits: see the next test.)
    """
    restore_and_compare(fuzzed, tmp_path, exact=False)




DEEP = "[" * 100_000 + "]" * 100_000
LONG_INT = "9" * 5000


@pytest.mark.parametrize("raw, words", [(DEEP, "nested too deeply"),
                                        ('{"nodes": [{"id": "a", "capacity_per_month": ' + LONG_INT + "}]}",
                                         "too many digits")])
def test_a_json_import_python_cannot_hold_is_refused_plainly(env: Env, raw: str, words: str) -> None:
    files = {"file": (io.BytesIO(raw.encode()), "network.json")}
    answer = env.client.post("/api/v1/import", data={"format": "json", **files}, headers=env.auth("admin"),
                             content_type="multipart/form-data")
    assert answer.status_code == 422 and words in answer.text, answer.text[:300]


def test_no_call_fails_with_a_server_error(fuzzed: Fuzzed) -> None:
    record = fuzzed.live.record
    assert sum(record.calls.values()) >= 150, record.summary()
    assert record.failures == [], record.summary() + "\n" + "\n".join(record.failures[:30])


def test_a_restored_export_keeps_every_digit(fuzzed: Fuzzed, tmp_path: Path) -> None:
    """A coordinate the API accepted with 17 significant digits comes back from every lossless format unchanged."""
    body = {"id": "fz-digits", "name": "Seventeen digits", "kind": "cbo", "latitude": -31.744492135242876,
            "longitude": 18.781917592590432}
    created = fuzzed.live.call("POST /api/v1/organisations", "POST", "/api/v1/organisations", "editor", body=body)
    assert created is not None and created.status_code == 201
    restore_and_compare(fuzzed, tmp_path, exact=True)

def test_cookie_writes_need_the_same_origin_and_a_live_session(fuzzed: Fuzzed) -> None:
    """Issue 17 items 6 and 7, over HTTP: a cross-origin cookie write is refused, sign-out ends the cookie."""
    live = fuzzed.live
    session = signed_in(live.base, live.env.tokens["admin"])
    body = {"id": "cookie-cross-origin", "name": "Cross origin", "kind": "cbo"}
    evil = {"Origin": "http://evil.example"}
    crossed = session.post(f"{live.base}/api/v1/organisations", json=body, headers=evil, timeout=TIMEOUT)
    files = {"organisations": ("organisations.csv", b"id,name,kind\ncookie-import,Cookie import,cbo\n")}
    imported = session.post(f"{live.base}/api/v1/import", data={"format": "csv"}, files=files, headers=evil,
                            timeout=TIMEOUT)
    cookie = " ".join(session.cookies.values())
    old = dict(session.cookies)
    page = session.get(f"{live.base}/", timeout=TIMEOUT).text
    form = re.search(r'name="csrf" value="([^"]*)"', page)
    session.post(f"{live.base}/sign-out", data={"csrf": form.group(1) if form else ""}, allow_redirects=False,
                 timeout=TIMEOUT)
    after = requests.get(f"{live.base}/api/v1/audit", cookies=old, timeout=TIMEOUT)
    problems = [f"cross-origin cookie POST /api/v1/organisations -> {crossed.status_code}"] * crossed.ok
    problems += [f"cross-origin cookie POST /api/v1/import not refused -> {imported.status_code}"] * (
        imported.status_code not in (401, 403))
    problems += ["the session cookie carries the token"] * any(
        live.env.tokens["admin"] in cookie_text(part) for part in cookie.split("."))
    problems += [f"the cookie still reads the admin audit log after sign-out -> {after.status_code}"] * after.ok
    assert problems == [], "\n".join(problems)
