"""The write fuzz's values: valid bodies drawn from the vocabulary, a few fields replaced by hostile values."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


class Raw:
    """JSON text sent as it is, for what ``json.dumps`` cannot write (ints over 4,300 digits, 100k-deep nesting)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:20]!r}... {len(self.text)} chars)"


def encode(body: Any) -> bytes:
    """``body`` as JSON bytes, :class:`Raw` values spliced in as they are; lone surrogates as ``\\ud800`` escapes."""
    raws: list[str] = []

    def swap(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"__raw_{len(raws) - 1}__"
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    text = json.dumps(swap(body))
    for n, raw in enumerate(raws):
        text = text.replace(f'"__raw_{n}__"', raw, 1)
    return text.encode("ascii")



LONE_SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
CONTROL = st.sampled_from([chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b",
                                                          "\u202e", "\ufffe", "\uffff", "\u00a0"])
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "x\x00y", "\x00", "   ", "\t", "\n", "\u00a0", " \t\n ", "=1+1",
                     "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tLead", "<script>alert(1)</script>", "a;b", "k=v",
                     '"', "é漢字🙂", "\u202eevil", "Men's", "../../etc/passwd", "%s%n", "NaN", "null"]),
    st.text(st.one_of(LONE_SURROGATE, CONTROL, st.characters()), min_size=1, max_size=30),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "\x00", "\ud800", " ", "é"]), st.integers(200, 6000)),
)
HUGE_NUMBER = st.sampled_from([10**40, -(10**40), 2**63, 2**64, 10**7 + 1, -1, 1e308, -1e308, 5e-324,
                               float("inf"), float("-inf"), float("nan"), Raw("9" * 4400), Raw("1e99999"),
                               Raw("-" + "9" * 5000)])
DEEP = st.sampled_from([Raw("[" * 100_000 + "]" * 100_000), Raw('{"a":' * 50_000 + "1" + "}" * 50_000),
                        Raw("[" * 900 + "]" * 900)])
HOSTILE = st.one_of(
    HOSTILE_TEXT, HUGE_NUMBER, DEEP, st.none(), st.booleans(), st.just([]), st.just({}),
    st.lists(HOSTILE_TEXT, max_size=3), st.dictionaries(HOSTILE_TEXT, HOSTILE_TEXT, max_size=2),
    st.lists(st.just("x"), min_size=60, max_size=10_000),
)
#: A few fields of an otherwise valid body replaced by hostile values (most bodies: none, so writes succeed).
ORG_FIELDS = ["id", "name", "kind", "aliases", "description", "province", "district", "municipality", "latitude",
              "longitude", "services", "populations", "capacity_per_month", "languages", "phone", "email",
              "website", "status", "sensitive", "tags", "external_ids", "unknown_field"]
LINK_FIELDS = ["id", "source", "target", "kind", "services", "status", "start_date", "end_date", "weight", "formal",
               "document", "notes", "last_verified", "two_way", "unknown_field"]
IDS = st.from_regex(r"[a-z][a-z0-9]{2,10}", fullmatch=True)
PLAIN_TEXT = st.text(st.characters(categories=["L", "N", "Zs", "Pd", "Po"]), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s.strip())
DATES = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2032, 12, 31))


@dataclass
class Vocab:
    """The codes a valid body uses, read from ``GET /api/v1/vocabulary``."""

    kinds: list[str]
    link_kinds: list[str]
    services: list[str]
    populations: list[str]
    places: list[tuple[str | None, str | None]]

    @classmethod
    def of(cls, body: dict[str, Any]) -> Vocab:
        places: list[tuple[str | None, str | None]] = [(None, None)]
        places += [(p["name"], d) for p in body["provinces"] for d in p["districts"]]
        return cls([k["code"] for k in body["organisation_kinds"]], [k["code"] for k in body["link_kinds"]],
                   [s["code"] for s in body["services"]], [p["code"] for p in body["populations"]], places)


def mutated(body: st.SearchStrategy[dict[str, Any]], names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """``body`` with up to two of ``names`` replaced by hostile values."""
    changes = st.one_of(st.just([]), st.just([]), st.lists(st.tuples(st.sampled_from(names), HOSTILE), max_size=2))
    return st.builds(lambda b, c: {**b, **dict(c)}, body, changes)


def organisation_body(vocab: Vocab, org_id: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    place = st.sampled_from(vocab.places)
    optional = {
        "aliases": st.lists(PLAIN_TEXT, max_size=3), "description": st.one_of(PLAIN_TEXT, st.just("")),
        "municipality": st.one_of(st.none(), PLAIN_TEXT),
        "services": st.lists(st.sampled_from(vocab.services), max_size=4, unique=True),
        "populations": st.lists(st.sampled_from(vocab.populations), max_size=3, unique=True),
        "capacity_per_month": st.one_of(st.none(), st.integers(0, 10_000_000)),
        "phone": st.one_of(st.none(), st.from_regex(r"\+27 [0-9]{2} [0-9]{3} [0-9]{4}", fullmatch=True)),
        "email": st.one_of(st.none(), st.builds("{}@example.org".format, IDS)),
        "website": st.one_of(st.none(), st.builds("https://{}.example.org".format, IDS)),
        "status": st.sampled_from(["active", "inactive"]), "sensitive": st.booleans(),
        "external_ids": st.dictionaries(st.sampled_from(["npo", "dhis2"]), IDS, max_size=2),
    }
    base = st.fixed_dictionaries({"id": org_id, "name": PLAIN_TEXT, "kind": st.sampled_from(vocab.kinds)},
                                 optional=optional)
    coords = st.one_of(st.just({}), st.fixed_dictionaries({"latitude": st.floats(-34.8, -22.1),
                                                           "longitude": st.floats(16.5, 32.8)}))
    whole = st.builds(lambda b, p, c: {**b, "province": p[0], "district": p[1], **c}, base, place, coords)
    return mutated(whole, ORG_FIELDS)


def link_body(vocab: Vocab, link_id: st.SearchStrategy[str], ends: st.SearchStrategy[tuple[str, str]]
              ) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        "services": st.lists(st.sampled_from(vocab.services), max_size=3, unique=True),
        "status": st.sampled_from(["proposed", "active", "expired", "ended"]), "weight": st.integers(1, 5),
        "formal": st.booleans(), "document": st.one_of(st.none(), PLAIN_TEXT), "notes": PLAIN_TEXT,
        "two_way": st.booleans(), "last_verified": DATES.map(str),
    }
    base = st.fixed_dictionaries({"id": link_id, "kind": st.sampled_from(vocab.link_kinds)}, optional=optional)
    dated = st.one_of(st.just({}), st.builds(lambda a, b: {"start_date": str(min(a, b)), "end_date": str(max(a, b))},
                                             DATES, DATES))
    whole = st.builds(lambda b, e, d: {**b, "source": e[0], "target": e[1], **d}, base, ends, dated)
    return mutated(whole, LINK_FIELDS)


# --- the run --------------------------------------------------------------------------------------------------


def flat(body: dict[str, Any]) -> bool:
    """True if a generated body can be written to CSV cells (no nesting, no raw JSON)."""
    return not any(isinstance(v, Raw | dict) or (isinstance(v, list) and any(not isinstance(x, str) for x in v))
                   for v in body.values())


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """CSV bytes (lists ``;``-separated, ``external_ids`` as ``key=value``); lone surrogates kept as they are."""
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return ";".join(map(str, value))
        if isinstance(value, dict):
            return ";".join(f"{k}={v}" for k, v in value.items())
        return str(value).lower() if isinstance(value, bool) else str(value)

    out = io.StringIO()
    names = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    writer.writerows({k: cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue().encode("utf-8", "surrogatepass")
