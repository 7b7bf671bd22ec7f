"""Property-based fuzzing of the live API over HTTP on 127.0.0.1 against its own OpenAPI document.

A waitress server (in a thread, on a free loopback port) serves an app on a
small seeded SQLite store; schemathesis generates requests for every
operation, as an anonymous caller and with an admin token, and checks that no
response is a server error and every response conforms to the document.
Bounded: a few examples per operation and no per-example deadline, so the
whole file runs in well under a minute and a half.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from network.api import close_store
from tests.api_support import make_env
from tests.http_support import live_server

EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of a live server and an admin token for it."""
    env = make_env(Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db")
    try:
        with live_server(env.app) as url:
            yield url, env.tokens["admin"]
    finally:
        close_store(env.app)


def _fuzz(base_url: str, headers: dict[str, str]) -> int:
    """Fuzz every operation of the live document; return how many operations were fuzzed."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

        @FUZZ_SETTINGS
        @given(case=strategy)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

        check()
        fuzzed += 1
    return fuzzed


def test_anonymous_requests_never_fail_or_break_the_document(live: tuple[str, str]) -> None:
    assert _fuzz(live[0], {}) >= 26


def test_admin_requests_never_fail_or_break_the_document(live: tuple[str, str]) -> None:
    assert _fuzz(live[0], {"Authorization": f"Bearer {live[1]}"}) >= 26
