"""Linkage gaps after an edit: kept where the edit cannot reach, found again elsewhere, equal to a fresh run."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.edit_reach import BOUND_TYPES, EditReach
from network.analysis.gaps import caught_up_gaps, linkage_gaps
from network.analysis.layers import Layers
from network.analysis.offers import Offers
from network.analysis.report import FINDING_TYPES
from tests.gaps_support import AS_OF, DAY, TREATMENT, link, net, org

SERVICES = ["tb_screening", *TREATMENT, "hiv_testing", "art", "legal_aid"]
POPULATIONS = ["mineworkers", "sex_workers", "migrants"]
DISTRICTS = ["Bojanala", "Waterberg", "Vhembe", "Capricorn", None]
ORGANISATIONS = st.fixed_dictionaries({
    "status": st.sampled_from(["active", "active", "active", "inactive"]),
    "district": st.sampled_from(DISTRICTS),
    "services": st.lists(st.sampled_from(SERVICES), max_size=4, unique=True),
    "populations": st.lists(st.sampled_from(POPULATIONS), max_size=2, unique=True),
    "name": st.sampled_from(["Hope", "Sizwe", "Thusong", "Kgotso"]),
    "kind": st.sampled_from(["cbo", "cbo", "clinic", "government", "regional_body"]),
    "country": st.sampled_from(["ZA", "ZA", "LS", "MZ"]),
    "countries_served": st.lists(st.sampled_from(["ZA", "LS", "MZ"]), max_size=2, unique=True),
    "intervention_areas": st.lists(st.sampled_from(["community_led_monitoring", "community_led_advocacy"]),
                                   max_size=1),
})
LINKS = st.fixed_dictionaries({
    "ends": st.tuples(st.integers(0, 11), st.integers(0, 11)),
    "kind": st.sampled_from(["referral", "referral", "mou", "coordination", "funding", "data_sharing"]),
    "status": st.sampled_from(["active", "active", "active", "proposed", "ended"]),
    "end": st.none() | st.integers(-5, 100),
    "two_way": st.booleans(),
})


def records(organisations: dict[str, dict], links: dict[str, dict]):
    """Records of the organisations and links drawn."""
    return ([org(i, **{**fields, "name": f"{fields['name']} {i}"}) for i, fields in organisations.items()],
            [link(key, *fields["ends"], fields["kind"], status=fields["status"], two_way=fields["two_way"],
                  end_date=None if fields["end"] is None else AS_OF + fields["end"] * DAY)
             for key, fields in links.items()])


def joined(organisations: dict[str, dict], links: dict[str, dict]) -> dict[str, dict]:
    """The links drawn with their ends (numbers) as organisations' ids; links from an organisation to itself
    left out."""
    ids = sorted(organisations)
    found = {key: {**fields, "ends": tuple(ids[end % len(ids)] for end in fields["ends"])}
             for key, fields in links.items()}
    return {key: fields for key, fields in found.items() if fields["ends"][0] != fields["ends"][1]}


def edited(organisations: dict[str, dict], links: dict[str, dict], data: st.DataObject) -> set[str]:
    """One random edit of the drawn records, in place, as the store takes them; the organisations it touched."""
    ids = sorted(organisations)
    what = data.draw(st.sampled_from(["add_org", "change_org", "delete_org", "add_link", "change_link",
                                      "delete_link"]))
    if what == "add_org" or len(ids) < 3:
        new = f"n{len(organisations)}"
        organisations[new] = data.draw(ORGANISATIONS)
        return {new}
    if what in ("change_org", "delete_org"):
        chosen = data.draw(st.sampled_from(ids))
        if what == "change_org":
            organisations[chosen] = data.draw(ORGANISATIONS)
            return {chosen}
        del organisations[chosen]  # its links go with it: every other end is a neighbour before
        for key in [key for key, fields in links.items() if chosen in fields["ends"]]:
            del links[key]
        return {chosen}
    if what == "add_link" or not links:
        key = f"k{len(links)}"
    else:
        key = data.draw(st.sampled_from(sorted(links)))
    touched = set(links[key]["ends"]) if key in links else set()
    if what == "delete_link" and key in links:
        del links[key]
        return touched
    links[key] = {**data.draw(LINKS), "ends": tuple(data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2,
                                                                      unique=True)))}
    return touched | set(links[key]["ends"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f"o{i:02}" for i in range(12)]), ORGANISATIONS, min_size=3, max_size=12),
       st.dictionaries(st.sampled_from([f"l{i:02}" for i in range(24)]), LINKS, max_size=24), st.data())
def test_gaps_caught_up_after_random_edits_equal_those_found_afresh(organisations, links, data):
    links = joined(organisations, links)
    before = net(*records(organisations, links))
    layers, offers = Layers(before, AS_OF), Offers(before)
    found = linkage_gaps(before, as_of=AS_OF, within_days=60, layers=layers, offers=offers)
    for _ in range(data.draw(st.integers(1, 4))):
        touched = edited(organisations, links, data)
        after = net(*records(organisations, links))
        reach = EditReach(before, after, touched)
        layers = Layers.after_edit(after, AS_OF, layers.in_force, reach.near)
        same_links_in_force(layers, Layers(after, AS_OF))
        kept = same_offers(offers, Offers(before))
        offers = Offers.after_edit(after, offers, touched)
        assert same_offers(offers, Offers(after)) and same_offers(Offers(before), kept)  # before's left as it was
        found = caught_up_gaps(after, found, reach, as_of=AS_OF, within_days=60, layers=layers, offers=offers)
        assert found == linkage_gaps(after, as_of=AS_OF, within_days=60)
        before = after


def same_offers(caught_up: Offers, fresh: Offers) -> Offers:
    """Check that two offers know the same of every organisation and answer alike; return the caught-up one."""
    assert caught_up.services == fresh.services and caught_up.populations == fresh.populations
    assert caught_up.district == fresh.district
    for index, fresh_index in ((caught_up.offering, fresh.offering), (caught_up.serving, fresh.serving)):
        assert {key: sorted(group) for key, group in index.items()} == {
            key: sorted(group) for key, group in fresh_index.items()}
    general, explicit = caught_up._totals
    assert (+general, +explicit) == tuple(+counts for counts in fresh._totals)
    for district in DISTRICTS:
        for service in SERVICES:
            for populations in ([], ["mineworkers"], ["sex_workers", "migrants"]):
                asked = (district, service, frozenset(populations))
                assert caught_up.local_providers(*asked) == fresh.local_providers(*asked)
    nodes = sorted(fresh.services)
    assert caught_up.flags(nodes).provides.tolist() == fresh.flags(nodes).provides.tolist()
    assert caught_up.flags(nodes).names.tolist() == fresh.flags(nodes).names.tolist()
    return caught_up


def same_links_in_force(caught_up: Layers, fresh: Layers) -> None:
    assert caught_up.links == fresh.links and caught_up.kinds == fresh.kinds
    assert caught_up.end_dates == fresh.end_dates
    assert caught_up.in_force.two_way.tolist() == fresh.in_force.two_way.tolist()
    (nodes, tails, heads), (fresh_nodes, fresh_tails, fresh_heads) = caught_up.ends, fresh.ends
    assert nodes == fresh_nodes and tails.tolist() == fresh_tails.tolist() and heads.tolist() == fresh_heads.tolist()


def test_findings_out_of_reach_are_kept_and_the_rest_found_again():
    # two districts apart: an edit in Waterberg cannot change Vhembe's broken cascade, uncovered service or
    # expiring MoU, which are kept (the same objects); Waterberg's are found again
    far = [org("v1", district="Vhembe", services=["tb_screening"], populations=["mineworkers"]),
           org("v2", district="Vhembe", services=["legal_aid"], populations=["mineworkers"])]
    near = [org("w1", district="Waterberg", services=["tb_screening"]),
            org("w2", district="Waterberg", services=["legal_aid"])]
    links = [link("m1", "v1", "v2", "mou", status="active", end_date=AS_OF + 20 * DAY),
             link("m2", "w1", "w2", "mou", status="active", end_date=AS_OF + 20 * DAY)]
    before = net(far + near, links)
    previous = linkage_gaps(before, as_of=AS_OF)
    near[1] = org("w2", district="Waterberg", services=["legal_aid", *TREATMENT])
    after = net(far + near, links)
    reach = EditReach(before, after, ["w2"])
    found = caught_up_gaps(after, previous, reach, as_of=AS_OF)

    assert found == linkage_gaps(after, as_of=AS_OF)
    assert sorted(reach.organisations) == ["w1", "w2"] and reach.districts == {"Waterberg"}
    kept = {(f.type, tuple(f.organisations)) for f in found if any(f is p for p in previous)}
    assert kept == {("broken_cascade", ("v1",)), ("uncovered", ("v1", "v2")), ("expiring_agreement", ("v1", "v2"))}
    # w1's broken cascade is closed: its MoU partner w2 now offers TB treatment
    assert [f.organisations for f in previous if f.type == "broken_cascade" and f.district == "Waterberg"] == [["w1"]]
    assert [f for f in found if f.type == "broken_cascade" and f.district == "Waterberg"] == []


def test_a_new_link_reaches_its_ends_and_their_partners_not_their_districts():
    # w1 and w3 (Waterberg) have broken cascades, and nobody there offers TB treatment to mineworkers; a referral
    # from w1 to c1 (Capricorn, offering TB treatment) closes w1's cascade. What Waterberg's organisations offer
    # and to whom is as it was, so w3's cascade and the uncovered service are kept, the same objects
    organisations = [org("w1", district="Waterberg", services=["tb_screening"], populations=["mineworkers"]),
                     org("w2", district="Waterberg", services=["legal_aid"]),
                     org("w3", district="Waterberg", services=["tb_screening"], populations=["mineworkers"]),
                     org("c1", district="Capricorn", services=TREATMENT)]
    links = [link("m1", "w1", "w2", "mou", status="active")]
    before = net(organisations, links)
    previous = linkage_gaps(before, as_of=AS_OF)
    links.append(link("r1", "w1", "c1", status="active"))
    after = net(organisations, links)
    reach = EditReach(before, after, ["w1", "c1"])

    assert reach.districts == frozenset() and reach.organisations == {"w1", "w2", "c1"}
    found = caught_up_gaps(after, previous, reach, as_of=AS_OF)
    assert found == linkage_gaps(after, as_of=AS_OF)
    kept = {(f.type, tuple(f.organisations)) for f in found if any(f is p for p in previous)}
    assert {("broken_cascade", ("w3",)), ("uncovered", ("w1", "w3"))} <= kept
    assert [f.organisations for f in found if f.type == "broken_cascade" and "TB treatment" in f.explanation] == [
        ["w3"]]


def test_a_partner_in_another_district_is_within_reach():
    # v1 in Vhembe refers to w1 in Waterberg; w1 starting TB treatment closes v1's broken cascade
    organisations = [org("v1", district="Vhembe", services=["tb_screening"]), org("w1", district="Waterberg")]
    links = [link("r1", "v1", "w1", status="active")]
    before = net(organisations, links)
    previous = linkage_gaps(before, as_of=AS_OF)
    organisations[1] = org("w1", district="Waterberg", services=TREATMENT)
    after = net(organisations, links)
    reach = EditReach(before, after, ["w1"])

    assert [f.organisations for f in previous if f.type == "broken_cascade"] == [["v1"]]
    assert reach.organisations == {"v1", "w1"} and reach.districts == {"Waterberg"}
    assert reach.wide_districts == {"Vhembe", "Waterberg"}
    found = caught_up_gaps(after, previous, reach, as_of=AS_OF)
    assert found == linkage_gaps(after, as_of=AS_OF)
    assert [f for f in found if f.type == "broken_cascade"] == []


def test_a_national_office_closing_reaches_the_provinces_it_was_linked_to():
    # a national TB programme (no district, no province) linked to a Waterberg CBO: when it closes, Limpopo's
    # community-led monitoring is linked to no government office, though the programme is in no province
    organisations = [org("cbo", district="Waterberg", intervention_areas=["community_led_monitoring"]),
                     org("ntp", kind="government")]
    links = [link("m1", "cbo", "ntp", "mou", status="active")]
    before = net(organisations, links)
    previous = linkage_gaps(before, as_of=AS_OF)
    organisations[1] = org("ntp", kind="government", status="inactive")
    after = net(organisations, links)
    reach = EditReach(before, after, ["ntp"])

    assert reach.provinces == {None, "Limpopo"}
    found = caught_up_gaps(after, previous, reach, as_of=AS_OF)
    assert found == linkage_gaps(after, as_of=AS_OF)
    assert [(f.type, f.details["province"]) for f in found if f.type == "area_unlinked"] == [
        ("area_unlinked", "Limpopo")]
    assert not [f for f in previous if f.type == "area_unlinked"]


def test_every_bound_type_is_a_linkage_gap_type():
    assert set(BOUND_TYPES) <= set(FINDING_TYPES)
