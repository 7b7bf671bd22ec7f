"""The write fuzz's state machine: each kind of write in turn, bounded by a step count and a wall-clock budget."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from network.api import close_store
from tests.api_support import make_env
from tests.fuzz_live import TIMEOUT, WRITE_METHODS, Live, Record, enum_of, openapi
from tests.fuzz_values import Vocab
from tests.fuzz_workflow_writes import WorkflowWrites
from tests.http_support import live_server

#: Wall-clock budget of the fuzzing itself, a guard for a busy machine: the step count ends it first (in ~15 s
#: on an idle machine; 20 s once left one write operation untried at a load average of 13).
FUZZ_SECONDS = 45.0
FUZZ_SETTINGS = settings(max_examples=4, stateful_step_count=80, deadline=None, derandomize=True, database=None,
                         phases=[Phase.generate], suppress_health_check=list(HealthCheck))


#: The writes the fuzz takes in turn, each with what it needs in the store.
STEPS: list[tuple[str, Any]] = [
    ("create_organisation", lambda m: True),
    ("change_organisation", lambda m: m.orgs),
    ("create_link", lambda m: len(m.orgs) > 1),
    ("change_link", lambda m: m.links and len(m.orgs) > 1),
    ("import_an_export", lambda m: True),
    ("delete_link", lambda m: len(m.links) > 2),
    ("merge", lambda m: len(m.orgs) > 6),
    ("import_generated_csv", lambda m: len(m.orgs) > 1),
    ("token", lambda m: True),
    ("delete_organisation", lambda m: len(m.orgs) > 6),
    ("import_generated_json", lambda m: True),
    ("hostile_request", lambda m: m.orgs),
    ("invite", lambda m: m.orgs),
    ("monitor", lambda m: len(m.orgs) > 1),
    ("refer", lambda m: len(m.orgs) > 1),
    ("survey", lambda m: m.links),
    ("unauthorised_write", lambda m: len(m.orgs) > 1),
]


class WriteFuzz(WorkflowWrites, RuleBasedStateMachine):
    """Writes of every kind against the live server; the store's ids are re-read after each delete or merge."""

    live: Live
    kinds = len(STEPS)

    def __init__(self) -> None:
        super().__init__()
        self.orgs: list[str] = []
        self.links: list[str] = []

    @initialize()
    def read_ids(self) -> None:
        self._resync()

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """The next kind of write in turn (so every kind gets its turns), its inputs drawn by hypothesis."""
        for _ in STEPS:
            name, ready = STEPS[self.live.turn % len(STEPS)]
            self.live.turn += 1
            if ready(self):
                if time.monotonic() < self.live.deadline:
                    getattr(self, name)(data)
                return


@dataclass
class Fuzzed:
    """A finished fuzz run: the live server (still serving) with its record, and how long the fuzzing took."""

    live: Live
    seconds: float


def run_fuzz(folder: Callable[[str], Path]) -> Iterator[Fuzzed]:
    """The fuzz run on a store made in ``folder(name)``; the server keeps serving for the checks after it."""
    env = make_env(folder("fuzz-writes") / "fuzz.db", config={"CSSNET_AGGREGATE_ABOVE": 2})
    try:
        with live_server(env.app) as base:
            doc = openapi(base)
            vocab = Vocab.of(requests.get(f"{base}/api/v1/vocabulary", timeout=TIMEOUT).json())
            exports = enum_of(doc, "/api/v1/export", "get", "format")
            imports = [f for f in enum_of(doc, "/api/v1/import", "post", "format") if f in exports]
            writes = {f"{m.upper()} {p}" for p, item in doc["paths"].items() for m in item if m in WRITE_METHODS}
            live = Live(base, env, vocab, Record(), exports, imports, writes)
            started = time.monotonic()
            live.deadline = started + FUZZ_SECONDS
            WriteFuzz.live = live
            with contextlib.suppress(FlakyStrategyDefinition):
                # The budget ends a run that hypothesis may replay: one that draws less after the deadline than
                # before it is "flaky" to hypothesis; the calls made are recorded all the same.
                run_state_machine_as_test(WriteFuzz, settings=FUZZ_SETTINGS)
            fuzzed = Fuzzed(live, time.monotonic() - started)
            print(f"\nwrite fuzz in {fuzzed.seconds:.1f} s: {live.record.summary()}")
            yield fuzzed
    finally:
        close_store(env.app)
