"""Merging duplicate records loses nothing: union, explicit conflicts, moved links, findings, one transaction."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.analysis.gaps import broken_cascades
from network.cli import cli
from network.errors import InvalidData, NotFound
from network.graph.project import project
from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery
from network.model import Link, Organisation
from network.service import seed_demo
from network.service.audit import Actor
from network.service.merge import apply_merge, plan_merge
from tests.api_support import Env

ADMIN = Actor("token:t1", "admin:test")


def _fill(store) -> None:
    store.upsert(
        [
            Organisation(
                "keep", "Sekhukhune Miners Support", "cbo", district="Sekhukhune", province="Limpopo",
                services=["tb_screening"], populations=["mineworkers"], tags=["a"], phone="+27 13 555 0000",
                external_ids={"npo": "123"},
            ),
            Organisation(
                "drop", "Sekhukhune Miners Support Group", "cbo", aliases=["SMSG"], phone="+27 11 555 0101",
                email="smsg@example.org", services=["hiv_testing", "tb_screening"],
                populations=["ex_mineworkers"], tags=["b"], languages=["nso"], latitude=-24.8, longitude=29.9,
                external_ids={"npo": "999", "dhis2": "abc"}, last_verified=dt.date(2026, 3, 1), sensitive=True,
            ),
            Organisation("clinic", "Jane Furse Clinic", "clinic"),
            Organisation("ngo", "Right to Care", "ngo"),
        ],
        [
            Link("k-clinic", "keep", "clinic", "referral", services=["tb_screening"], weight=2,
                 start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 1), notes="first"),
            Link("d-clinic", "drop", "clinic", "referral", services=["tb_treatment"], weight=4, formal=True,
                 start_date=dt.date(2023, 6, 1), end_date=dt.date(2027, 1, 1), notes="second"),
            Link("clinic-d", "clinic", "drop", "referral", services=["art"]),
            Link("d-ngo", "ngo", "drop", "funding", services=["hiv_testing"]),
            Link("k-d", "keep", "drop", "mou"),
        ],
    )


def _snapshot(store) -> tuple[list, list]:
    strip = ("updated_at", "version")
    return (
        [{k: v for k, v in o.to_dict().items() if k not in strip} for o in store.iter_organisations()],
        [{k: v for k, v in x.to_dict().items() if k not in strip} for x in store.iter_links()],
    )


def test_plan_previews_union_fills_and_conflicts_and_writes_nothing(store) -> None:
    _fill(store)
    before = _snapshot(store)
    plan = plan_merge(store, "keep", "drop")
    assert _snapshot(store) == before
    assert plan.aliases_added == ["Sekhukhune Miners Support Group", "SMSG"]
    assert plan.united == {"services": ["hiv_testing"], "tags": ["b"], "languages": ["nso"],
                           "populations": ["ex_mineworkers"], "external_ids": {"dhis2": "abc"}}
    assert plan.fields_filled == {"latitude": -24.8, "longitude": 29.9, "email": "smsg@example.org"}
    assert plan.conflicts == [
        {"field": "external_ids.npo", "keep": "123", "drop": "999", "chosen": "keep"},
        {"field": "phone", "keep": "+27 13 555 0000", "drop": "+27 11 555 0101", "chosen": "keep"},
    ]
    assert sorted(plan.moved_links) == ["clinic-d", "d-ngo"]
    assert plan.combined_links == [{"kept": "k-clinic", "dropped": "d-clinic"}]
    assert {r["link"] for r in plan.removed_links} == {"d-clinic", "k-d"}
    assert "self-link" in next(r["reason"] for r in plan.removed_links if r["link"] == "k-d")
    data = plan.to_dict()
    assert data["applied"] is False and data["organisation"]["id"] == "keep"
    assert data["conflicts"][1]["field"] == "phone"


def test_apply_unites_moves_combines_audits_and_keeps_history(store) -> None:
    _fill(store)
    plan = apply_merge(store, "keep", "drop", actor=ADMIN, choices={"phone": "drop"})
    assert plan.applied
    with pytest.raises(NotFound):
        store.get_organisation("drop")
    kept = store.get_organisation("keep")
    assert kept.aliases == ["Sekhukhune Miners Support Group", "SMSG"]
    assert kept.services == ["tb_screening", "hiv_testing"]
    assert kept.populations == ["mineworkers", "ex_mineworkers"]
    assert (kept.tags, kept.languages) == (["a", "b"], ["nso"])
    assert kept.phone == "+27 11 555 0101"  # chosen: drop
    assert kept.external_ids == {"npo": "123", "dhis2": "abc"}  # npo conflict: keep (the default)
    assert kept.sensitive is True and kept.last_verified == dt.date(2026, 3, 1)
    links = {link.id: link for link in store.iter_links()}
    assert sorted(links) == ["clinic-d", "d-ngo", "k-clinic"]
    assert (links["clinic-d"].source, links["clinic-d"].target, links["clinic-d"].services) == (
        "clinic", "keep", ["art"])
    assert (links["d-ngo"].source, links["d-ngo"].target, links["d-ngo"].services) == ("ngo", "keep", ["hiv_testing"])
    combined = links["k-clinic"]
    assert combined.services == ["tb_screening", "tb_treatment"]
    assert (combined.weight, combined.formal) == (4, True)
    assert (combined.start_date, combined.end_date) == (dt.date(2023, 6, 1), dt.date(2027, 1, 1))
    assert combined.notes == "first\nsecond"
    entry = store.list_audit(AuditQuery(entity_id="keep")).items[0]
    assert (entry.action, entry.actor, entry.changes["dropped"]) == ("merge", "admin:test", "drop")
    assert entry.changes["combined_links"] == [{"kept": "k-clinic", "dropped": "d-clinic"}]
    assert {"field": "phone", "keep": "+27 13 555 0000", "drop": "+27 11 555 0101",
            "chosen": "drop"} in entry.changes["conflicts"]
    # The history versions were written in the merge's transaction, by its actor.
    assert store.history("organisation", "drop")[-1].action == "delete"
    assert store.history("organisation", "drop")[-1].actor == "token:t1"
    assert store.history("organisation", "keep")[-1].record.services == ["tb_screening", "hiv_testing"]
    assert store.history("link", "clinic-d")[-1].record.target == "keep"
    assert store.history("link", "k-d")[-1].action == "delete"


def test_prefer_drop_takes_every_conflict_from_the_dropped_record(store) -> None:
    _fill(store)
    plan = apply_merge(store, "keep", "drop", actor=ADMIN, prefer="drop", choices={"external_ids.npo": "keep"})
    kept = store.get_organisation("keep")
    assert (kept.phone, kept.external_ids["npo"]) == ("+27 11 555 0101", "123")
    assert [c["chosen"] for c in plan.conflicts] == ["keep", "drop"]


def test_place_and_coordinates_are_chosen_whole(store) -> None:
    store.upsert([
        Organisation("a", "Hope CBO", "cbo", district="Sekhukhune", municipality="Makhuduthamaga",
                     latitude=-24.7, longitude=29.8, status="inactive"),
        Organisation("b", "Hope C.B.O.", "cbo", district="Waterberg", latitude=-24.1, longitude=28.4),
    ], [])
    plan = apply_merge(store, "a", "b", actor=ADMIN, choices={"place": "drop", "coordinates": "keep",
                                                               "status": "drop"})
    merged = store.get_organisation("a")
    assert (merged.province, merged.district, merged.municipality) == ("Limpopo", "Waterberg", None)
    assert (merged.latitude, merged.longitude, merged.status) == (-24.7, 29.8, "active")
    assert [c["field"] for c in plan.conflicts] == ["place", "coordinates", "status"]


def test_general_population_against_a_listed_one_is_a_conflict(store) -> None:
    store.upsert([Organisation("a", "Hope Clinic", "clinic"),
                  Organisation("b", "Hope Clinic", "clinic", populations=["migrants"])], [])
    plan = plan_merge(store, "a", "b")
    assert plan.conflicts == [{"field": "populations", "keep": [], "drop": ["migrants"], "chosen": "keep"}]
    assert plan.merged.populations == []
    assert plan_merge(store, "a", "b", prefer="drop").merged.populations == ["migrants"]


@pytest.mark.parametrize(
    ("keep", "drop", "options", "error", "text"),
    [
        ("keep", "keep", {}, InvalidData, "into itself"),
        ("keep", "nobody", {}, NotFound, "nobody"),
        ("nobody", "drop", {}, NotFound, "nobody"),
        ("keep", "drop", {"prefer": "both"}, InvalidData, "not 'keep' or 'drop'"),
        ("keep", "drop", {"choices": {"website": "drop"}}, InvalidData, "not in conflict"),
    ],
)
def test_refusals_leave_store_unchanged(store, keep, drop, options, error, text) -> None:
    _fill(store)
    before = _snapshot(store)
    audited = store.list_audit(AuditQuery(limit=1)).total  # the Bolt store keeps its audit log across tests
    with pytest.raises(error, match=text):
        apply_merge(store, keep, drop, actor=ADMIN, **options)
    assert _snapshot(store) == before
    assert store.list_audit(AuditQuery(limit=1)).total == audited


# --- the defect on the demo ---------------------------------------------------------

@pytest.fixture
def demo(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "demo.db")
    seed_demo(store)
    return store


def test_demo_merge_keeps_every_service_and_population_and_breaks_no_cascade(store) -> None:
    # `cssnet merge ksd-migrant-support-centre mthatha-migrant-workers-support-centre --apply` lost legal_aid,
    # social_grant_linkage and ex_mineworkers, and broken cascades rose from 4 to 6 (the moved referral l-0328).
    demo = store
    seed_demo(demo)
    keep, drop = "ksd-migrant-support-centre", "mthatha-migrant-workers-support-centre"
    broken_before = len(broken_cascades(project(demo)))
    preview = plan_merge(demo, keep, drop)
    assert not [f for f in preview.findings["appear"] if f["type"] == "broken_cascade"]
    assert {"type": "duplicate_record", "organisations": [keep, drop]}.items() <= next(
        f for f in preview.findings["disappear"] if f["type"] == "duplicate_record").items()
    apply_merge(demo, keep, drop, actor=ADMIN)
    merged = demo.get_organisation(keep)
    assert {"legal_aid", "social_grant_linkage", "documentation_support", "peer_education"} <= set(merged.services)
    assert set(merged.populations) == {"migrants", "ex_mineworkers"}
    assert "Mthatha Migrant Workers Support Centre" in merged.aliases
    assert demo.get_link("l-0328").target == keep or demo.get_link("l-0328").source == keep
    assert len(broken_cascades(project(demo))) <= broken_before


def test_preview_of_a_large_network_looks_at_the_neighbourhood_and_finds_the_same(demo, monkeypatch) -> None:
    keep, drop = "ksd-migrant-support-centre", "mthatha-migrant-workers-support-centre"
    whole = plan_merge(demo, keep, drop).findings
    monkeypatch.setattr("network.service.merge.PREVIEW_WHOLE_NETWORK", 10)
    local = plan_merge(demo, keep, drop).findings
    assert {f["type"] for f in local["disappear"]} >= {"duplicate_record"}
    assert [f for f in local["appear"] if f["type"] == "broken_cascade"] == []
    assert {(f["type"], tuple(f["organisations"])) for f in whole["disappear"] if keep in f["organisations"]} <= {
        (f["type"], tuple(f["organisations"])) for f in local["disappear"]}


def test_cli_merge_prefers_the_dropped_record_when_asked(demo) -> None:
    result = CliRunner().invoke(cli, ["--store", demo.path, "merge", "ksd-migrant-support-centre",
                                      "mthatha-migrant-workers-support-centre", "--prefer", "drop"])
    assert result.exit_code == 0, result.output
    assert '"chosen": "drop"' in result.output and "preview only" in result.output


# --- the API: per-field choices -------------------------------------------------------------

def test_api_merge_takes_a_choice_per_field(env: Env) -> None:
    env.store.create_organisation(Organisation("cbo-b2", "Sekhukhune Miners Support", "ngo", district="Sekhukhune",
                                               phone="+27 13 555 9999", services=["legal_aid"]))
    body = {"keep": "cbo-b", "drop": "cbo-b2", "prefer": "keep", "fields": {"kind": "drop"}}
    preview = env.client.post("/api/v1/merge/preview", json=body, headers=env.auth("admin")).get_json()
    assert preview["conflicts"] == [{"field": "kind", "keep": "cbo", "drop": "ngo", "chosen": "drop"}]
    assert preview["fields_filled"] == {"phone": "+27 13 555 9999"}
    refused = env.client.post("/api/v1/merge", json={**body, "fields": {"website": "drop"}},
                              headers=env.auth("admin"))
    assert refused.status_code in (400, 422) and "not in conflict" in refused.get_data(as_text=True)
    bad = env.client.post("/api/v1/merge", json={**body, "prefer": "both"}, headers=env.auth("admin"))
    assert bad.status_code == 422
    applied = env.client.post("/api/v1/merge", json=body, headers=env.auth("admin")).get_json()
    assert applied["applied"] and applied["organisation"]["kind"] == "ngo"
    assert {"legal_aid", "tb_screening", "peer_education"} <= set(applied["organisation"]["services"])


# --- property: nothing is lost ------------------------------------------------------------

SERVICES = ["tb_screening", "hiv_testing", "legal_aid", "art"]
POPULATIONS = ["migrants", "mineworkers", "sex_workers"]
KINDS = ["mou", "referral", "funding", "coordination"]


@st.composite
def merge_cases(draw):
    def organisation(org_id):
        return Organisation(
            org_id, draw(st.sampled_from(["Hope CBO", "Hope C.B.O.", "Tau Trust"])), "cbo",
            services=draw(st.lists(st.sampled_from(SERVICES), unique=True)),
            populations=draw(st.lists(st.sampled_from(POPULATIONS), unique=True)),
            aliases=draw(st.lists(st.sampled_from(["HC", "Hope", "TT"]), unique=True)),
            tags=draw(st.lists(st.sampled_from(["x", "y"]), unique=True)),
            external_ids=draw(st.dictionaries(st.sampled_from(["npo", "dhis2"]), st.sampled_from(["1", "2"]))),
            phone=draw(st.sampled_from([None, "011 555 0101", "011 555 0202"])),
        )

    orgs = [organisation("a"), organisation("b"), Organisation("c", "C", "ngo"), Organisation("d", "D", "ngo")]
    ends = ["a", "b", "c", "d"]
    links = []
    for n in range(draw(st.integers(0, 8))):
        source, target = draw(st.sampled_from(ends)), draw(st.sampled_from(ends))
        if source != target:
            links.append(Link(f"l{n}", source, target, draw(st.sampled_from(KINDS)),
                              services=draw(st.lists(st.sampled_from(SERVICES), unique=True))))
    return orgs, links, draw(st.sampled_from(["keep", "drop"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merge_cases())
def test_every_service_population_alias_and_link_survives_a_merge(case) -> None:
    orgs, links, prefer = case
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "m.db")
        store.upsert(orgs, links)
        a, b = store.get_organisation("a"), store.get_organisation("b")
        plan = apply_merge(store, "a", "b", actor=ADMIN, prefer=prefer)
        kept = store.get_organisation("a")
        chosen = {c["field"]: c for c in plan.conflicts}
        assert set(a.services) | set(b.services) <= set(kept.services)
        if "populations" in chosen:
            assert kept.populations == chosen["populations"][prefer]
        else:
            assert set(a.populations) | set(b.populations) <= set(kept.populations)
        names = {n.casefold() for n in [kept.name, *kept.aliases]}
        assert {n.casefold() for n in [a.name, *a.aliases, b.name, *b.aliases]} <= names
        assert set(a.tags) | set(b.tags) <= set(kept.tags)
        for key in set(a.external_ids) | set(b.external_ids):
            expected = chosen[f"external_ids.{key}"][prefer] if f"external_ids.{key}" in chosen else (
                a.external_ids.get(key) or b.external_ids.get(key))
            assert kept.external_ids[key] == expected
        phone = chosen["phone"][prefer] if "phone" in chosen else (a.phone or b.phone)
        assert kept.phone == phone
        after = {link.id: link for link in store.iter_links()}
        removed = {r["link"]: r for r in plan.removed_links}
        combined = {c["dropped"]: c["kept"] for c in plan.combined_links}
        for link in links:
            if link.id in removed:
                into = combined.get(link.id)
                if into is None:  # a link between the two records: it would join "a" to itself
                    assert {link.source, link.target} == {"a", "b"}
                else:
                    assert set(link.services) <= set(after[into].services)
                continue
            moved = after[link.id]
            assert (moved.source, moved.target) == tuple("a" if end == "b" else end for end in (link.source,
                                                                                                 link.target))
            assert set(link.services) <= set(moved.services)
        store.close()
