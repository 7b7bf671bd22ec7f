"""The service's answers made JSON-ready: the fast path for plain dicts and lists gives what the general rule does."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from network.service.analyses import jsonable


class Kind(enum.StrEnum):
    MOU = "mou"


def by_the_rule(value: Any) -> Any:
    """The rule, one value at a time: dates as ISO strings, tuples and sets as lists, keys as strings, NaN as None."""
    if isinstance(value, dict):
        return {str(k): by_the_rule(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [by_the_rule(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((by_the_rule(v) for v in value), key=str)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                    st.dates(), st.just(Kind.MOU))
KEYS = st.one_of(st.text(max_size=5), st.integers(), st.just(Kind.MOU))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(KEYS, inner, max_size=4),
    st.frozensets(st.one_of(st.text(max_size=5), st.integers()), max_size=4)), max_leaves=20)


def same(a: Any, b: Any) -> bool:
    """Equal, of the same types all the way down (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(type(k) is type(j) for k, j in zip(a, b, strict=True)) and all(
            same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_jsonable_is_the_rule_applied_value_by_value(value):
    assert same(jsonable(value), by_the_rule(value))


def test_a_finding_list_is_ready_for_json_with_nan_as_null():
    answer = jsonable([{"type": "isolated", "details": {"share": float("nan"), "ends": dt.date(2026, 3, 1)},
                        "organisations": ["a", "b"], "district": None}])
    assert json.loads(json.dumps(answer, allow_nan=False)) == [
        {"type": "isolated", "details": {"share": None, "ends": "2026-03-01"}, "organisations": ["a", "b"],
         "district": None}]
