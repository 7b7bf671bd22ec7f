"""Round trips: export then import into an empty store gives an identical graph, on both adapters.

For each lossless format (CSV, XLSX, node-link JSON, GraphML) a Hypothesis
property test generates small valid networks and compares every organisation
and link field except ``updated_at`` and ``version``.

The generated text is what the schema accepts and so what the lossless
formats promise to carry: any printable unicode (commas, quotes, semicolons,
newlines in descriptions and notes), without control characters (the schema
refuses them: XML and XLSX cannot hold them) and without surrounding
whitespace (every entry point strips it). Coordinates have 7 decimals (a
centimetre): XLSX keeps 16 significant digits. List items and
``external_ids`` never contain ``;`` (the list separator), and
``external_ids`` keys never contain ``=``: the schema refuses both.
``tests/test_hostile_input.py`` round-trips deliberately hostile text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from network.io.formats import export_bytes, import_bytes
from network.model import LINK_STATUSES, ORGANISATION_STATUSES, Link, Organisation, vocabulary
from network.schemas import load_link, load_organisation
from network.service import demo_files, seed_demo

#: No control, surrogate, unassigned or private characters, and no line or paragraph separators (U+2028,
#: U+2029: line breaks, which the schema refuses outside descriptions and notes).
_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"))
_DATES = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
#: Someone confirmed a record on a past day (the schema refuses a future one).
_PAST = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 12, 31))


def _text(min_size: int = 1, max_size: int = 40, *, newlines: bool = False, avoid: str = "") -> Any:
    specials = "".join(c for c in ",;\"'=" + ("\n" if newlines else "") if c not in avoid)
    chars = st.one_of(_CHARS, _CHARS, _CHARS, st.sampled_from(specials))
    return (
        st.text(chars, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: len(s) >= min_size and not any(c in avoid for c in s))
    )


def _items(max_size: int = 3) -> Any:
    return st.lists(_text(max_size=20, avoid=";"), max_size=max_size)


@st.composite
def organisation_data(draw: Any, org_id: str) -> dict[str, Any]:
    """One valid organisation as the schema takes it."""
    vocab = vocabulary()
    place = draw(st.sampled_from(["none", "province", "district"]))
    province = district = None
    if place == "district":
        district = draw(st.sampled_from(sorted(vocab.districts)))
        province = vocab.districts[district]
    elif place == "province":
        province = draw(st.sampled_from(sorted(vocab.provinces)))
    point = draw(st.booleans())
    return {
        "id": org_id,
        "name": draw(_text(max_size=60, newlines=False)),
        "kind": draw(st.sampled_from(sorted(vocab.organisation_kinds))),
        "aliases": draw(_items()),
        "description": draw(st.one_of(st.just(""), _text(max_size=120, newlines=True))),
        "province": province,
        "district": district,
        "municipality": draw(st.one_of(st.none(), _text(max_size=30))),
        "latitude": round(draw(st.floats(-90, 90)), 7) if point else None,
        "longitude": round(draw(st.floats(-180, 180)), 7) if point else None,
        "services": draw(st.lists(st.sampled_from(sorted(vocab.services)), max_size=4, unique=True)),
        "populations": draw(st.lists(st.sampled_from(sorted(vocab.populations)), max_size=3, unique=True)),
        "capacity_per_month": draw(st.one_of(st.none(), st.integers(0, 10**6))),
        "languages": draw(_items(2)),
        "phone": draw(st.one_of(st.none(), st.from_regex(r"\A\+?[0-9][0-9 ()-]{4,20}[0-9]\Z"))),
        "email": draw(st.one_of(st.none(), st.sampled_from(["info@example.org", "a.b@kp-net.org.za"]))),
        "website": draw(
            st.one_of(st.none(), st.sampled_from(["https://example.org", "http://cbo.org.za/x?a=1"]))
        ),
        "status": draw(st.sampled_from(ORGANISATION_STATUSES)),
        "sensitive": draw(st.booleans()),
        "tags": draw(_items(2)),
        "external_ids": draw(
            st.dictionaries(_text(max_size=10, avoid=";="), _text(max_size=20, avoid=";"), max_size=2)
        ),
        "source": draw(st.one_of(st.none(), _text(max_size=30))),
        "last_verified": draw(st.one_of(st.none(), _PAST)),
    }


@st.composite
def link_data(draw: Any, link_id: str, org_ids: list[str]) -> dict[str, Any]:
    """One valid link between two of ``org_ids``."""
    vocab = vocabulary()
    source, target = draw(st.lists(st.sampled_from(org_ids), min_size=2, max_size=2, unique=True))
    start = draw(st.one_of(st.none(), _DATES))
    end = draw(st.one_of(st.none(), _DATES))
    if start and end and end < start:
        start, end = end, start
    return {
        "id": link_id,
        "source": source,
        "target": target,
        "kind": draw(st.sampled_from(sorted(vocab.link_kinds))),
        "services": draw(st.lists(st.sampled_from(sorted(vocab.services)), max_size=3, unique=True)),
        "status": draw(st.sampled_from(LINK_STATUSES)),
        "start_date": start,
        "end_date": end,
        "weight": draw(st.integers(1, 5)),
        "formal": draw(st.booleans()),
        "document": draw(st.one_of(st.none(), _text(max_size=30))),
        "notes": draw(st.one_of(st.just(""), _text(max_size=80, newlines=True))),
        "last_verified": draw(st.one_of(st.none(), _PAST)),
    }


@st.composite
def networks(
    draw: Any, max_organisations: int = 6, max_links: int = 8
) -> tuple[list[Organisation], list[Link]]:
    """A small valid network: organisations and links, each validated by the schemas."""
    n = draw(st.integers(2, max_organisations))
    org_ids = draw(
        st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,12}\Z"), min_size=n, max_size=n, unique=True)
    )
    organisations = [load_organisation(_iso(draw(organisation_data(org_id)))) for org_id in org_ids]
    m = draw(st.integers(0, max_links))
    links = [load_link(_iso(draw(link_data(f"l{i}", org_ids)))) for i in range(m)]
    return organisations, links


def _iso(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


LOSSLESS = ["csv", "xlsx", "json", "graphml"]
_UPLOAD_NAME = {
    "csv": "cssnet-csv.zip",
    "xlsx": "cssnet.xlsx",
    "json": "cssnet.json",
    "graphml": "cssnet.graphml",
}


def snapshot(store: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every organisation and link field except the store's own ``updated_at`` and ``version``."""
    strip = ("updated_at", "version")
    return (
        [{k: v for k, v in o.to_dict().items() if k not in strip} for o in store.iter_organisations()],
        [{k: v for k, v in x.to_dict().items() if k not in strip} for x in store.iter_links()],
    )


def round_trip(store: Any, fmt: str) -> tuple[Any, Any]:
    """Export ``store`` in ``fmt``, empty it, import the export; return (before, after) snapshots."""
    before = snapshot(store)
    content, _, _ = export_bytes(store, fmt, hide_protected=False)
    store.clear()
    import_bytes(store, fmt, {_UPLOAD_NAME[fmt]: content})
    return before, snapshot(store)


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_generated_networks_round_trip(store: Any, fmt: str) -> None:
    examples = 12 if type(store).__name__ == "SQLiteStore" else 8

    # No shrinking phase: a failure is reported as found (shrinking XLSX examples can take minutes).
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(network=networks())
    def check(network: tuple[list[Organisation], list[Link]]) -> None:
        store.clear()
        store.upsert(*network)
        before, after = round_trip(store, fmt)
        assert len(before[0]) == len(network[0]) and len(before[1]) == len(network[1])
        assert after == before

    check()


def test_demo_network_round_trips_through_csv(sqlite_store: Any) -> None:
    assert all(path.exists() for path in demo_files())
    seed_demo(sqlite_store)
    before, after = round_trip(sqlite_store, "csv")
    assert len(before[0]) > 100 and len(before[1]) > 100
    assert after == before
