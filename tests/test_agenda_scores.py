"""The coordination agenda's scores, scope and invariants, on hand-built findings."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.agenda import ACTIONS, agenda, agenda_weights
from network.analysis.finding import Finding
from network.analysis.report import FINDING_TYPES
from tests.agenda_support import AS_OF, DAY, expiring, gap, items, network, spof


@pytest.fixture
def G():
    return network()


# Scores

def test_score_is_explained_and_urgency_grows_as_the_end_nears(G):
    near, far = items([expiring(), expiring("r1", AS_OF + 170 * DAY, ("atok", "apel"))], G)
    assert near.key == "renew:m1" and near.score > far.score
    assert near.score_explanation.endswith("x1.89 as it is due in 20 days")
    assert far.score_explanation.endswith("x1.06 as it is due in 170 days")
    beyond = items([expiring(ends=AS_OF + 181 * DAY)], G)[0]
    assert "due" not in beyond.score_explanation


def test_people_are_counted_where_capacity_is_known_and_public_facilities_count_less(G):
    (item,) = items([spof("tubatse", ["apel", "atok", "ga"], severity="medium")], G)
    assert (item.affected, item.people) == (3, 1050)
    assert "3 organisations (counted as 2.1: public facilities have other routes)" in item.score_explanation
    assert "x0.5 as a hospital is less likely to stop working" in item.score_explanation


def test_weights_are_data(G):
    weights = copy.deepcopy(agenda_weights())
    findings = [expiring(), Finding("isolated", "low", "...", ["hope"], "Sekhukhune")]
    assert [i.action for i in items(findings, G)][0] == "renew_agreement"
    weights["actions"]["connect_organisation"]["weight"] = 100
    assert [i.action for i in items(findings, G, weights=weights)][0] == "connect_organisation"
    assert json.loads((Path(__file__).parents[1] / "seed" / "vocabulary" / "agenda.json").read_text()) == \
        agenda_weights()


def test_every_action_and_finding_type_has_its_words_in_the_weights():
    weights = agenda_weights()
    assert set(ACTIONS) == set(weights["actions"])
    assert all({"weight", "label", "reason"} <= set(a) for a in weights["actions"].values())
    types = {*FINDING_TYPES, "stale_record", "donor_dependency", "one_way_agreement"}
    assert types <= set(weights["finding_types"])


def test_at_most_a_few_items_of_one_action_before_the_others(G):
    weights = copy.deepcopy(agenda_weights())
    weights["max_per_action"] = 2
    weights["actions"]["connect_organisation"]["weight"] = 10
    lonely = [Finding("isolated", "high", "...", [n], "Sekhukhune") for n in ("hope", "atok", "ga")]
    findings = [*lonely, Finding("stale_record", "low", "...", ["apel"], "Sekhukhune")]
    assert [i.action for i in items(findings, G, weights=weights)] == [
        "connect_organisation", "connect_organisation", "verify_records", "connect_organisation"]
    assert len(items(findings, G, weights=weights, limit=2)) == 2


def test_limit_defaults_to_twenty_and_must_not_be_negative(G):
    lonely = [Finding("isolated", "high", "...", [n]) for n in G]
    assert len(agenda(lonely, G, as_of=AS_OF)) == 14
    assert len(agenda(lonely * 2, G, as_of=AS_OF)) == 14  # the same root cause twice is one item
    with pytest.raises(ValueError):
        agenda(lonely, G, limit=-1)


# Scope

def test_scope_a_province_a_district_or_a_programme(G):
    findings = [Finding("isolated", "high", "...", ["hope"], "Sekhukhune"),
                Finding("isolated", "high", "...", ["virginia"], "Lejweleputswa"),
                Finding("isolated", "high", "...", ["fund"])]
    assert [i.findings for i in items(findings, G, scope={"province": "Limpopo"})] == [[0]]
    assert [i.findings for i in items(findings, G, scope={"district": "Lejweleputswa"})] == [[1]]
    assert [i.findings for i in items(findings, G, scope={"programme": "Free State TB"})] == [[1]]
    assert len(items(findings, G)) == 3
    # without a district of its own, an item is where its organisations are
    regional = [Finding("one_way_agreement", "low", "...", ["hope", "virginia"], None)]
    assert len(items(regional, G, scope={"province": "Limpopo"})) == 1
    assert len(items(regional, G, scope={"district": "Lejweleputswa"})) == 1
    assert items(regional, G, scope={"district": "Mangaung"}) == []
    for bad in ({"province": "Mars"}, {"district": "Atlantis"}, {"country": "ZA"},
                {"province": "Limpopo", "district": "Sekhukhune"}):
        with pytest.raises(ValueError):
            items(findings, G, scope=bad)


def test_to_dict_is_json_ready_with_names_and_labels(G):
    findings = [gap("uncovered", "Lejweleputswa", "artisanal_miners", "silicosis_screening", ["virginia"])]
    data = items(findings, G)[0].to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["organisations"][0] == {"id": "virginia", "name": "Virginia Outreach"}
    assert data["affected"]["populations"] == [{"code": "artisanal_miners",
                                                "label": "Artisanal and small-scale miners"}]
    assert (data["action_label"], data["province"], data["findings"]) == ("Find a provider", "Free State", [0])


# Invariants

_NODES = [*sorted(network()), "gone"]  # "gone" is in no graph: a finding may outlive a record
_DISTRICTS = ["Sekhukhune", "Lejweleputswa", None]
_SERVICES = ["tb_screening", "tb_treatment", "peer_education"]
_any_finding = st.builds(
    lambda kind, nodes, district, service, severity, flag, days: Finding(
        kind, severity, "Something plain.", nodes, district, "artisanal_miners" if flag else None, service,
        links=[f"l{days}"] if kind in ("expiring_agreement", "single_point_of_failure") else [],
        details={"bridge": flag and kind == "single_point_of_failure", "cut_off": len(nodes), "services": [service],
                 "uncoordinated": flag, "uncoordinated_pairs": [nodes[:2]] if flag else [],
                 "end_date": (AS_OF + days * DAY).isoformat(), "scope": "district" if flag else "organisation",
                 "ends": (AS_OF + days * DAY).isoformat()}),
    st.sampled_from(["isolated", "broken_cascade", "uncovered", "unreachable", "single_point_of_failure",
                     "siloed_cluster", "expiring_agreement", "service_overlap", "duplicate_record",
                     "funding_overlap", "stale_record", "donor_dependency", "one_way_agreement", "new_kind"]),
    st.lists(st.sampled_from(_NODES), min_size=2, max_size=4, unique=True),
    st.sampled_from(_DISTRICTS), st.sampled_from(_SERVICES), st.sampled_from(["high", "medium", "low"]),
    st.booleans(), st.integers(-10, 400),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_any_finding, max_size=25), st.integers(0, 25))
def test_each_finding_is_on_one_item_and_a_shorter_agenda_is_a_prefix(findings, limit):
    G = network()
    every = agenda(findings, G, as_of=AS_OF, limit=None)
    placed = [i for item in every for i in item.findings]
    assert len(placed) == len(set(placed))
    unplaced = set(range(len(findings))) - set(placed)
    assert all(findings[i].type == "service_overlap" and (not findings[i].details["uncoordinated"]
                                                          or not findings[i].district or not findings[i].service)
               for i in unplaced)
    assert [i.key for i in agenda(findings, G, as_of=AS_OF, limit=limit)] == [i.key for i in every][:limit]
    assert all(item.what and item.score > 0 for item in every)
