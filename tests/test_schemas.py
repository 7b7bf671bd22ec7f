"""Validation: every refusal names the field and the value."""

from __future__ import annotations

import pytest

from network.errors import InvalidData
from network.schemas import load_link, load_organisation

ORG = {"id": "thabong-clinic", "name": "Thabong Clinic", "kind": "clinic"}
LINK = {"id": "l-1", "source": "a", "target": "b", "kind": "referral"}


@pytest.mark.parametrize("change, field, words", [
    ({"kind": "shop"}, "kind", ["'shop'"]),
    ({"services": ["tb_screening", "tb_cure"]}, "services.1", ["'tb_cure'"]),
    ({"populations": ["miners"]}, "populations.0", ["'miners'"]),
    ({"district": "Atlantis"}, "district", ["'Atlantis'"]),
    ({"province": "Free State", "district": "Sekhukhune"}, "district", ["Sekhukhune", "Limpopo"]),
    ({"latitude": 123.0, "longitude": 28.0}, "latitude", ["123"]),
    ({"latitude": -25.0}, "latitude", ["both"]),
    ({"id": "Not A Slug"}, "id", ["Not A Slug"]),
    ({"email": "nobody-at-example"}, "email", ["nobody-at-example"]),
    ({"aliases": ["A;B"]}, "aliases.0", [";"]),
    ({"external_ids": {"npo=1": "x"}}, "external_ids.npo=1.key", ["="]),
    ({"capacity_per_month": -5}, "capacity_per_month", ["-5"]),
    ({"colour": "red"}, "colour", ["Unknown field", "red"]),
    ({"last_verified": "2026-02-30"}, "last_verified", ["2026-02-30"]),
])
def test_organisation_refusals_name_field_and_value(change, field, words):
    with pytest.raises(InvalidData) as caught:
        load_organisation({**ORG, **change})
    assert field in caught.value.errors
    message = " ".join(caught.value.errors[field])
    for word in words:
        assert word in message


@pytest.mark.parametrize("change, field, words", [
    ({"target": "a"}, "target", ["'a'", "itself"]),
    ({"kind": "friendship"}, "kind", ["'friendship'"]),
    ({"start_date": "2026-05-01", "end_date": "2026-01-01"}, "end_date", ["2026-01-01", "2026-05-01"]),
    ({"weight": 9}, "weight", ["9"]),
    ({"status": "signed"}, "status", ["signed"]),
    ({"formal": "perhaps"}, "formal", ["perhaps"]),
])
def test_link_refusals_name_field_and_value(change, field, words):
    with pytest.raises(InvalidData) as caught:
        load_link({**LINK, **change})
    message = " ".join(caught.value.errors[field])
    for word in words:
        assert word in message


def test_district_fills_in_its_province():
    assert load_organisation({**ORG, "district": "Lejweleputswa"}).province == "Free State"


def test_defaults():
    link = load_link(LINK)
    assert (link.status, link.weight, link.formal, link.services, link.notes) == ("active", 3, False, [], "")
    org = load_organisation(ORG)
    assert (org.status, org.sensitive, org.populations) == ("active", False, [])
