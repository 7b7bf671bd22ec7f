"""The coordination agenda of the demo network: every planted case on it, plainly worded."""

from __future__ import annotations

import re

import pytest

from network.analysis.agenda import agenda, agenda_weights
from network.analysis.finding import Finding
from network.analysis.report import coordination_report
from network.analysis.upkeep import upkeep
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.model import vocabulary
from network.service import seed_demo
from tests.agenda_support import DEMO_AS_OF, PLANTED, PLANTED_WITHIN

# The demo

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo network in a real SQLite store, its report's findings plus upkeep, and its agenda."""
    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "demo.db")
    seed_demo(store)
    G = project(store)
    store.close()
    report = coordination_report(G, as_of=DEMO_AS_OF)
    findings = [Finding(**f) for f in report["findings"]] + upkeep(G, as_of=DEMO_AS_OF)
    # The planted cases are looked for among the first PLANTED_WITHIN items: since issue 14 the demo also plants
    # cross-border gaps and the grievance package shows a genuine gap in Mopani, and these outrank two older plants
    # (the Apel Cross single point of failure and the Mokopane duplicate, 21st and 22nd of the agenda).
    return G, findings, agenda(findings, G, as_of=DEMO_AS_OF, limit=PLANTED_WITHIN)


def test_the_demo_agenda_has_at_most_twenty_items(demo):
    G, findings, _ = demo
    assert 0 < len(agenda(findings, G, as_of=DEMO_AS_OF)) <= 20


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_every_planted_case_is_on_the_demo_agenda(demo, case):
    _, findings, found = demo
    kind, which = PLANTED[case]
    assert any(findings[i].type == kind and which(findings[i]) for item in found for i in item.findings), case


def test_no_finding_is_on_two_items_and_only_coordinated_overlaps_are_on_none(demo):
    G, findings, _ = demo
    every = agenda(findings, G, as_of=DEMO_AS_OF, limit=None)
    placed = [i for item in every for i in item.findings]
    assert len(placed) == len(set(placed))
    left = {findings[i].type for i in set(range(len(findings))) - set(placed)}
    assert left <= {"service_overlap"}
    assert all(not findings[i].details.get("uncoordinated", True)
               for i in set(range(len(findings))) - set(placed))


def test_the_demo_agenda_speaks_plainly(demo):
    G, _, found = demo
    voc = vocabulary()
    codes = {c for c in [*voc.services, *voc.populations, *voc.organisation_kinds, *voc.link_kinds] if "_" in c}
    codes |= {"mou", "plhiv", "msm", "pwid", "agyw", *agenda_weights()["finding_types"]}
    ids = {n for n in G if "-" in n}
    for item in found:
        for text in (item.what, item.why, item.score_explanation):
            words = set(re.findall(r"[\w-]+", text))
            assert not words & codes, (text, words & codes)
            assert not words & ids, (text, words & ids)
